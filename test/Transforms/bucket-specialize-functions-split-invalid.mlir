// Found by scripts/difftest.py (seed 100, model 88: a batch_matmul of
// [B,4,4] by [B,4,B]), shrunk by hand: the split policy on a dimension that
// a tensor has twice ([B, B]) cut it into [chunk, chunk] blocks and computed
// only the diagonal ones (at B = 8 with buckets 4 and 7, 14 of the 64
// elements were wrong). Such a split is now refused: when an argument or a
// result has the dimension twice, and when two loops of an op run over it
// (an outer product inside the function). Also refused: a result without
// the dimension (seed 200, model 658), which bufferization rejected inside
// the split loop.

// RUN: bucket-opt %s -split-input-file -verify-diagnostics \
// RUN:   -bucket-specialize-functions="buckets=B=4,7 out-of-range=B=split" -o /dev/null

func.func @square(%x: tensor<?x?xf32> {bucket.dims = ["B", "B"]}) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %x, %c0 : tensor<?x?xf32>
  %e = tensor.empty(%b, %b) : tensor<?x?xf32>
  // expected-error @below {{cannot split 'square' along 'B' because of 'linalg.generic': two of its loops run over the dimension}}
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                        affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.mulf %in, %in : f32
    linalg.yield %t : f32
  } -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// The outer product x[i] * x[j] pairs positions of B; its diagonal is
// returned, so no argument or result has B twice.
func.func @outer_diagonal(%x: tensor<?xf32> {bucket.dims = ["B"]}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %x, %c0 : tensor<?xf32>
  %e = tensor.empty(%b, %b) : tensor<?x?xf32>
  // expected-error @below {{cannot split 'outer_diagonal' along 'B' because of 'linalg.generic': two of its loops run over the dimension}}
  %o = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i)>,
                                        affine_map<(i, j) -> (j)>,
                                        affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %x : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %t = arith.mulf %a, %c : f32
    linalg.yield %t : f32
  } -> tensor<?x?xf32>
  %ed = tensor.empty(%b) : tensor<?xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(i) -> (i, i)>,
                                        affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%o : tensor<?x?xf32>) outs(%ed : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<?xf32>
  return %d : tensor<?xf32>
}

// -----

// expected-error @below {{cannot split 'static_result' along 'B': result 1 does not have the dimension, so the chunks' results cannot be concatenated; use fallback instead}}
func.func @static_result(%a0: tensor<?x2xf32> {bucket.dims = ["B", ""]}, %a1: tensor<2xf32> {bucket.dims = [""]}) -> (tensor<?x2xf32>, tensor<2xf32>)
    attributes {llvm.emit_c_interface} {
  %ci0 = arith.constant 0 : index
  %ci1 = arith.constant 1 : index
  %d1 = tensor.dim %a0, %ci0 : tensor<?x2xf32>
  %e2 = tensor.empty(%d1) : tensor<?x2xf32>
  %v1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%a0, %a1 : tensor<?x2xf32>, tensor<2xf32>) outs(%e2 : tensor<?x2xf32>) {
    ^bb0(%in0: f32, %in1: f32, %acc: f32):
      %r = arith.subf %in0, %in1 : f32
      linalg.yield %r : f32
    } -> tensor<?x2xf32>
  %e3 = tensor.empty() : tensor<2xf32>
  %v2 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%a1 : tensor<2xf32>) outs(%e3 : tensor<2xf32>) {
    ^bb0(%in0: f32, %acc: f32):
      %r = math.sin %in0 : f32
      linalg.yield %r : f32
    } -> tensor<2xf32>
  return %v1, %v2 : tensor<?x2xf32>, tensor<2xf32>
}
