// RUN: bucket-opt %s -split-input-file -bucket-specialize-functions -verify-diagnostics | FileCheck %s
// RUN: not bucket-opt %s -split-input-file -bucket-specialize-functions="padding=prove" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PROVE

// The masks of --padding=repair (the default): where they go, what they
// compare, and that every bucket compares with the real size the dispatcher
// passes. With padding=prove, the same functions are refused.

// A max over computed scores keeps its accumulator at padded positions: a
// select before the yield, on linalg.index < the real size. In the
// original the size is the argument's (the mask is a no-op there); the
// bucket reads its trailing index argument.
// CHECK-LABEL: func.func @max_of_squares(
// CHECK-SAME:      %[[X:.*]]: tensor<4x?xf32>
// CHECK:         %[[N:.*]] = tensor.dim %[[X]], %c1
// CHECK:         linalg.generic
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[V:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[M:.*]] = arith.maximumf %[[V]], %[[ACC]]
// CHECK-NEXT:      %[[I:.*]] = linalg.index 1
// CHECK-NEXT:      %[[IN:.*]] = arith.cmpi ult, %[[I]], %[[N]]
// CHECK-NEXT:      %[[SEL:.*]] = arith.select %[[IN]], %[[M]], %[[ACC]]
// CHECK-NEXT:      linalg.yield %[[SEL]]
// CHECK-LABEL: func.func private @max_of_squares_seq8(
// CHECK-SAME:      %{{.*}}: tensor<4x8xf32>, %[[REAL:.*]]: index)
// CHECK:           arith.cmpi ult, %{{.*}}, %[[REAL]]
// PROVE: error: 'linalg.generic' reduces over padded dimension 'seq' and combines its padded iterations with 'arith.maximumf', which needs its neutral element -inf from them but gets 0
#id  = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @max_of_squares(%x: tensor<4x?xf32> {bucket.dims = ["", "seq"]}) -> tensor<4xf32>
    attributes {bucket.buckets = "seq=8"} {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c1 : tensor<4x?xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty(%n) : tensor<4x?xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x?xf32>) outs(%e : tensor<4x?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %y = arith.mulf %v, %v : f32
    linalg.yield %y : f32
  } -> tensor<4x?xf32>
  %e0 = tensor.empty() : tensor<4xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @+1 {{masked the padded iterations along 'seq' (the accumulators are kept there): without it, 'linalg.generic' reduces over padded dimension 'seq' and combines its padded iterations with 'arith.maximumf', which needs its neutral element -inf from them but gets 0}}
  %m = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%sq : tensor<4x?xf32>) outs(%m0 : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.maximumf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %m : tensor<4xf32>
}

// -----

// The source of a tensor.pad that pads after the real data (x * x + 0.5 is
// never zero, whatever the pad value): its producer,
// an elementwise generic used only there, writes the pad value at padded
// positions itself (the mask is fused into it).
// CHECK-LABEL: func.func @pad_after_square(
// CHECK-SAME:      %[[X:.*]]: tensor<?xf32>
// CHECK:         %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK:         linalg.generic
// CHECK:           %[[R:.*]] = arith.addf
// CHECK-NEXT:      %[[I:.*]] = linalg.index 0
// CHECK-NEXT:      %[[IN:.*]] = arith.cmpi ult, %[[I]], %[[N]]
// CHECK-NEXT:      %[[Z:.*]] = arith.constant 0.000000e+00
// CHECK-NEXT:      %[[SEL:.*]] = arith.select %[[IN]], %[[R]], %[[Z]]
// CHECK-NEXT:      linalg.yield %[[SEL]]
// CHECK:         tensor.pad
// PROVE: error: 'tensor.pad' pads padded dimension 'n' at its end with 0, but the bucket's padding before it holds 0.5
#v = affine_map<(d0) -> (d0)>
func.func @pad_after_square(%x: tensor<?xf32> {bucket.dims = ["n"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "n=8"} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %zero = arith.constant 0.0 : f32
  %bias = arith.constant 0.5 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#v, #v], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.mulf %v, %v : f32
    %y = arith.addf %s, %bias : f32
    linalg.yield %y : f32
  } -> tensor<?xf32>
  // expected-remark @+1 {{masked operand 0 along 'n' with 0: without it, 'tensor.pad' pads padded dimension 'n' at its end with 0}}
  %p = tensor.pad %r low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %zero : f32
  } : tensor<?xf32> to tensor<?xf32>
  return %p : tensor<?xf32>
}

// -----

// The same with a producer that has other users: the mask is a generic of
// its own, right before the pad, and the other user reads the unmasked
// value.
// CHECK-LABEL: func.func @pad_after_shared_square(
// CHECK:         %[[R:.*]] = linalg.generic
// CHECK:         %[[E:.*]] = tensor.empty
// CHECK:         %[[M:.*]] = linalg.generic {{.*}} ins(%[[R]] : tensor<?xf32>) outs(%[[E]] : tensor<?xf32>)
// CHECK:           linalg.index 0
// CHECK:           arith.select
// CHECK:         tensor.pad %[[M]]
// CHECK:         return {{.*}}, %[[R]]
#v = affine_map<(d0) -> (d0)>
func.func @pad_after_shared_square(%x: tensor<?xf32> {bucket.dims = ["n"]}) -> (tensor<?xf32>, tensor<?xf32>)
    attributes {bucket.buckets = "n=8"} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %zero = arith.constant 0.0 : f32
  %bias = arith.constant 0.5 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#v, #v], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.mulf %v, %v : f32
    %y = arith.addf %s, %bias : f32
    linalg.yield %y : f32
  } -> tensor<?xf32>
  // expected-remark @+1 {{masked operand 0 along 'n' with 0}}
  %p = tensor.pad %r low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %zero : f32
  } : tensor<?xf32> to tensor<?xf32>
  return %p, %r : tensor<?xf32>, tensor<?xf32>
}
