// RUN: bucket-opt %s -split-input-file -test-bucket-dims -o /dev/null | FileCheck %s

// Equal through a linalg indexing map and an elementwise op; the result row
// count is the batch.
// CHECK-LABEL: func @mlp
// CHECK-NEXT:    dim s0 "batch": arg0[0] result0[0]
// CHECK-NEXT:    result0[0] = s0
func.func @mlp(%x: tensor<?x16xf32> {bucket.dims = ["batch", ""]},
               %w: tensor<16x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%d) : tensor<?x8xf32>
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x16xf32>, tensor<16x8xf32>)
                     outs(%f : tensor<?x8xf32>) -> tensor<?x8xf32>
  %r = arith.addf %m, %m : tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

// Two arguments share the sequence axis through an elementwise op; names
// given on both are aliases of one dimension.
// CHECK-LABEL: func @two_args
// CHECK-NEXT:    dim s0 "seq" "len": arg0[0] arg1[0] result0[0]
// CHECK-NEXT:    result0[0] = s0
func.func @two_args(%a: tensor<?xf32> {bucket.dims = ["seq"]},
                    %b: tensor<?xf32> {bucket.dims = ["len"]}) -> tensor<?xf32> {
  %r = arith.mulf %a, %b : tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Unnamed dimensions get the default name arg<I>.<J>; a grid of two classes.
// CHECK-LABEL: func @grid
// CHECK-NEXT:    dim s0 "arg0.0": arg0[0] arg1[0] result0[0]
// CHECK-NEXT:    dim s1 "arg0.1": arg0[1] arg1[1] result0[1]
// CHECK-NEXT:    result0[0] = s0
// CHECK-NEXT:    result0[1] = s1
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @grid(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<?x?xf32>, tensor<?x?xf32>) outs(%x : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// A concatenation: the result length is a sum of two symbolic dimensions,
// and the other axis is shared.
// CHECK-LABEL: func @concat
// CHECK-NEXT:    dim s0 "a": arg0[0]
// CHECK-NEXT:    dim s1 "f": arg0[1] arg1[1] result0[1]
// CHECK-NEXT:    dim s2 "b": arg1[0]
// CHECK-NEXT:    result0[0] = s0 + s2
// CHECK-NEXT:    result0[1] = s1
func.func @concat(%x: tensor<?x?xf32> {bucket.dims = ["a", "f"]},
                  %y: tensor<?x?xf32> {bucket.dims = ["b", ""]}) -> tensor<?x?xf32> {
  %r = tensor.concat dim(0) %x, %y : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// A reshape and a reduction over a static axis: the collapsed result is a
// multiple of the symbolic dimension, the reduced result equals it.
// CHECK-LABEL: func @reshape_reduce
// CHECK-NEXT:    dim s0 "rows": arg0[0] result1[0]
// CHECK-NEXT:    result0[0] = s0 * 4
// CHECK-NEXT:    result1[0] = s0
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @reshape_reduce(%x: tensor<?x4xf32> {bucket.dims = ["rows", ""]})
    -> (tensor<?xf32>, tensor<?xf32>) {
  %flat = tensor.collapse_shape %x [[0, 1]] : tensor<?x4xf32> into tensor<?xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %zero = arith.constant 0.0 : f32
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.generic {indexing_maps = [#in, #out],
                         iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x4xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %flat, %sum : tensor<?xf32>, tensor<?xf32>
}

// -----

// A group of expand_shape whose other dimensions are all 1 keeps its size,
// whatever value gives it: the mask's seq and x's seq are one dimension,
// tied through the unit-extended tensors (PyTorch's mask[:, None, None, :]).
// CHECK-LABEL: func @unit_extended_expand
// CHECK-NEXT:    dim s0 "seq": arg0[0] arg1[0] result0[1]
func.func @unit_extended_expand(%x: tensor<?xf32> {bucket.dims = ["seq"]}, %m: tensor<?xf32>, %n: index) -> tensor<1x?xf32> {
  %e = tensor.expand_shape %m [[0, 1]] output_shape [1, %n] : tensor<?xf32> into tensor<1x?xf32>
  %xe = tensor.expand_shape %x [[0, 1]] output_shape [1, %n] : tensor<?xf32> into tensor<1x?xf32>
  %r = arith.addf %e, %xe : tensor<1x?xf32>
  return %r : tensor<1x?xf32>
}
