// RUN: bucket-opt %s -split-input-file -test-bucket-padding=repair=true -o /dev/null | FileCheck %s

// The repairs of --padding=repair: what each function needs so that its
// buckets equal the original (each is refused without repairs, see
// test-bucket-padding-invalid.mlir for the refusals that stay).

// A padded input reaching a sum and a max directly is safe with pad values
// alone: no mask, no real size.
// CHECK-LABEL: func @pad_values_suffice
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NOT:     mask
// CHECK-NOT:     real size
// CHECK:         dim "seq" not splittable
#id  = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @pad_values_suffice(%x: tensor<4x?xf32> {bucket.dims = ["", "seq"]}) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x?xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// A softmax over computed scores (squares of the input: no pad value makes
// them -inf), as in attention without a mask: the max and the sum keep
// their accumulators at padded keys.
// CHECK-LABEL: func @softmax_of_squares
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "seq" real size passed
// CHECK-NEXT:    mask 'linalg.generic' accumulator loops 1:"seq"
// CHECK-NEXT:    mask 'linalg.generic' accumulator loops 1:"seq"
// CHECK-NEXT:    dim "seq" not splittable
#id  = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @softmax_of_squares(%x: tensor<4x?xf32> {bucket.dims = ["", "seq"]}) -> tensor<4x?xf32> {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c1 : tensor<4x?xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<4x?xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x?xf32>) outs(%e : tensor<4x?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %y = arith.mulf %v, %v : f32
    linalg.yield %y : f32
  } -> tensor<4x?xf32>
  %e0 = tensor.empty() : tensor<4xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %m = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%sq : tensor<4x?xf32>) outs(%m0 : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.maximumf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %ex = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%sq, %m : tensor<4x?xf32>, tensor<4xf32>) outs(%e : tensor<4x?xf32>) {
  ^bb0(%v: f32, %mx: f32, %o: f32):
    %d = arith.subf %v, %mx : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x?xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%ex : tensor<4x?xf32>) outs(%s0 : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %out = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%ex, %sum : tensor<4x?xf32>, tensor<4xf32>) outs(%e : tensor<4x?xf32>) {
  ^bb0(%v: f32, %t: f32, %o: f32):
    %y = arith.divf %v, %t : f32
    linalg.yield %y : f32
  } -> tensor<4x?xf32>
  return %out : tensor<4x?xf32>
}

// -----

// A norm over the padded axis: the mean divides by the real size, and the
// sum of squared deviations keeps its accumulator at padded rows (the zero
// padding minus the mean is not zero). The first sum needs nothing.
// CHECK-LABEL: func @variance
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "seq" real size passed
// CHECK-NEXT:    mask 'linalg.generic' accumulator loops 0:"seq"
// CHECK-NEXT:    dim "seq" not splittable
#rc = affine_map<(r, c) -> (r, c)>
#c  = affine_map<(r, c) -> (c)>
#v  = affine_map<(c) -> (c)>
func.func @variance(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %ni = arith.index_cast %n : index to i64
  %nf = arith.sitofp %ni : i64 to f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#rc, #c], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [#v, #v], iterator_types = ["parallel"]}
      ins(%sum : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.divf %v, %nf : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [#rc, #c, #c], iterator_types = ["reduction", "parallel"]}
      ins(%x, %mean : tensor<?x4xf32>, tensor<4xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%v: f32, %mu: f32, %acc: f32):
    %d = arith.subf %v, %mu : f32
    %d2 = arith.mulf %d, %d : f32
    %r = arith.addf %d2, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %sq : tensor<4xf32>
}

// -----

// A "same" convolution after bias and ReLU: the zero padding the second
// tensor.pad adds after the real data must also be in the bucket's padding,
// which holds relu(bias): the pad's source is masked with the pad value.
// Then a global sum over H x W keeps its accumulator in both padded loops.
// CHECK-LABEL: func @conv_same_then_pool
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "H" real size passed
// CHECK-NEXT:    dim "W" real size passed
// CHECK-NEXT:    mask 'tensor.pad' operand 0 value 0.000000e+00 : f32 dims 1:"H" 2:"W"
// CHECK-NEXT:    mask 'linalg.generic' accumulator loops 1:"H" 2:"W"
#nhwc = affine_map<(n, h, w, c) -> (n, h, w, c)>
#nc   = affine_map<(n, h, w, c) -> (n, c)>
func.func @conv_same_then_pool(%x: tensor<1x?x?x1xf32> {bucket.dims = ["", "H", "W", ""]},
                               %k: tensor<3x3x1x1xf32>) -> tensor<1x1xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %h = tensor.dim %x, %c1 : tensor<1x?x?x1xf32>
  %w = tensor.dim %x, %c2 : tensor<1x?x?x1xf32>
  %zero = arith.constant 0.0 : f32
  %bias = arith.constant 0.5 : f32
  %e = tensor.empty(%h, %w) : tensor<1x?x?x1xf32>
  %b = linalg.generic {indexing_maps = [#nhwc, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x?x?x1xf32>) outs(%e : tensor<1x?x?x1xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %v, %bias : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x?x?x1xf32>
  %p = tensor.pad %b low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %l: index, %m: index):
    tensor.yield %zero : f32
  } : tensor<1x?x?x1xf32> to tensor<1x?x?x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x?x?x1xf32>) -> tensor<1x?x?x1xf32>
  %c = linalg.conv_2d_nhwc_hwcf ins(%p, %k : tensor<1x?x?x1xf32>, tensor<3x3x1x1xf32>)
      outs(%f : tensor<1x?x?x1xf32>) -> tensor<1x?x?x1xf32>
  %r = linalg.generic {indexing_maps = [#nhwc, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c : tensor<1x?x?x1xf32>) outs(%e : tensor<1x?x?x1xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %v, %bias : f32
    linalg.yield %s : f32
  } -> tensor<1x?x?x1xf32>
  %e1 = tensor.empty() : tensor<1x1xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x1xf32>) -> tensor<1x1xf32>
  %pool = linalg.generic {indexing_maps = [#nhwc, #nc], iterator_types = ["parallel", "reduction", "reduction", "parallel"]}
      ins(%r : tensor<1x?x?x1xf32>) outs(%z1 : tensor<1x1xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %v, %acc : f32
    linalg.yield %s : f32
  } -> tensor<1x1xf32>
  return %pool : tensor<1x1xf32>
}

// -----

// A named contraction over the padded dimension whose operands' padding is
// not zero (x * x + 1 is at least one whatever the pad value): one operand
// is masked with zero, which makes the padded products zero.
// CHECK-LABEL: func @matmul_of_squares
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    arg1 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "k" real size passed
// CHECK-NEXT:    mask 'linalg.matmul' operand 0 value 0.000000e+00 : f32 dims 1:"k"
#mk = affine_map<(m, k) -> (m, k)>
func.func @matmul_of_squares(%a: tensor<4x?xf32> {bucket.dims = ["", "k"]}, %b: tensor<?x8xf32> {bucket.dims = ["k", ""]}) -> tensor<4x8xf32> {
  %c1 = arith.constant 1 : index
  %k = tensor.dim %a, %c1 : tensor<4x?xf32>
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty(%k) : tensor<4x?xf32>
  %ea = linalg.generic {indexing_maps = [#mk, #mk], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x?xf32>) outs(%e : tensor<4x?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.mulf %v, %v : f32
    %y = arith.addf %s, %one : f32
    linalg.yield %y : f32
  } -> tensor<4x?xf32>
  %bb = linalg.generic {indexing_maps = [affine_map<(k, n) -> (k, n)>, affine_map<(k, n) -> (k, n)>], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<?x8xf32>) outs(%b : tensor<?x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.mulf %v, %v : f32
    %y = arith.addf %s, %one : f32
    linalg.yield %y : f32
  } -> tensor<?x8xf32>
  %out0 = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%out0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = linalg.matmul ins(%ea, %bb : tensor<4x?xf32>, tensor<?x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// A slice of a tensor without padding (a cache of capacity 16) whose size
// is a padded dimension reads, in a bucket, entries the original does not:
// they may hold anything, so the sum over them is masked.
// CHECK-LABEL: func @sum_of_cache_prefix
// CHECK-NEXT:    arg1 pad 0 : i64
// CHECK-NEXT:    dim "len" real size passed
// CHECK-NEXT:    mask 'linalg.generic' accumulator loops 0:"len"
#jd = affine_map<(j, d) -> (j, d)>
#d  = affine_map<(j, d) -> (d)>
func.func @sum_of_cache_prefix(%cache: tensor<16x4xf32>, %positions: tensor<?xi64> {bucket.dims = ["len"]}) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %len = tensor.dim %positions, %c0 : tensor<?xi64>
  %zero = arith.constant 0.0 : f32
  %keys = tensor.extract_slice %cache[0, 0] [%len, 4] [1, 1] : tensor<16x4xf32> to tensor<?x4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %s = linalg.generic {indexing_maps = [#jd, #d], iterator_types = ["reduction", "parallel"]}
      ins(%keys : tensor<?x4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%k: f32, %acc: f32):
    %r = arith.addf %k, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// The size of a padded dimension read from an intermediate tensor: its
// real extent is the argument's real size (the analysis knows the
// tensor's padding).
// CHECK-LABEL: func @mean_of_intermediate
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "seq" real size passed
// CHECK-NOT:     mask
#rd   = affine_map<(r, d) -> (r, d)>
#d_rd = affine_map<(r, d) -> (d)>
#d    = affine_map<(d) -> (d)>
func.func @mean_of_intermediate(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = math.tanh %x : tensor<?x4xf32>
  %seq = tensor.dim %t, %c0 : tensor<?x4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#rd, #d_rd], iterator_types = ["reduction", "parallel"]}
      ins(%t : tensor<?x4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %seq_i64 = arith.index_cast %seq : index to i64
  %seq_f32 = arith.sitofp %seq_i64 : i64 to f32
  %mean = linalg.generic {indexing_maps = [#d, #d], iterator_types = ["parallel"]}
      ins(%sum : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%s: f32, %o: f32):
    %m = arith.divf %s, %seq_f32 : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %mean : tensor<4xf32>
}
