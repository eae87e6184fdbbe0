// RUN: bucket-opt %s -split-input-file -bucket-specialize-functions -verify-diagnostics | FileCheck %s

// Refinement makes what upstream canonicalization leaves dynamic static:
// a splat with sizes that became constants.
// CHECK-LABEL: func.func private @splat_N4(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>, %[[V:.*]]: f32) -> tensor<4xf32>
// CHECK:         %[[S:.*]] = tensor.splat %[[V]] : tensor<4xf32>
// CHECK:         linalg.add ins(%[[X]], %[[S]] : tensor<4xf32>, tensor<4xf32>)
func.func @splat(%x: tensor<?xf32> {bucket.dims = ["N"]}, %v: f32) -> tensor<?xf32>
    attributes {bucket.buckets = "N=4"} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %s = tensor.splat %v[%n] : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.add ins(%x, %s : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A concat along an unbucketed dimension of inputs that were cast from
// static types.
// CHECK-LABEL: func.func private @concat_N2(
// CHECK-SAME:    %[[X:.*]]: tensor<2x4xf32>, %[[Y:.*]]: tensor<2x4xf32>) -> tensor<2x8xf32>
// CHECK:         %[[C:.*]] = tensor.concat dim(1) %[[X]], %[[Y]] : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
// CHECK:         return %[[C]]
func.func @concat(%x: tensor<?x4xf32> {bucket.dims = ["N", ""]},
                  %y: tensor<?x4xf32> {bucket.dims = ["N", ""]}) -> tensor<?x8xf32>
    attributes {bucket.buckets = "N=2"} {
  %c = tensor.concat dim(1) %x, %y : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x8xf32>
  return %c : tensor<?x8xf32>
}

// -----

// A loop declared "parallel" that the output does not depend on is marked a
// reduction in every clone.
// CHECK-LABEL: func.func private @hidden_N2(
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
func.func @hidden(%acc: tensor<?xf32> {bucket.dims = ["N"]},
                  %x: tensor<?x7xf32> {bucket.dims = ["N", ""]}) -> tensor<?xf32>
    attributes {bucket.buckets = "N=2"} {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x7xf32>) outs(%acc : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %out, %in : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Sizes of two symbolic dimensions that contradict an op (a convolution
// needs W >= OW + 2) make a bucket no valid input has: it is dropped.
// CHECK-LABEL: func.func @conv(
// CHECK-SAME:    bucket.bucket_table = [array<i64: 4, 2>, array<i64: 8, 2>, array<i64: 8, 6>]
// CHECK-NOT:   @conv_W4_OW6
// CHECK:       func.func private @conv_W4_OW2(
// CHECK:       func.func private @conv_W8_OW2(
// CHECK:       func.func private @conv_W8_OW6(
// expected-warning @below {{dropped 1 of 4 buckets of 'conv' whose sizes contradict each other, so no valid input has them: (W=4, OW=6); the first because 'linalg.conv_1d' op inferred input/output operand #0 has shape's dimension #0 to be greater than or equal to 8, but found 4}}
func.func @conv(%x: tensor<?xf32> {bucket.dims = ["W"]},
                %out: tensor<?xf32> {bucket.dims = ["OW"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "W=4,8;OW=2,6"} {
  %k = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %r = linalg.conv_1d ins(%x, %k : tensor<?xf32>, tensor<3xf32>) outs(%out : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Scalar results are returned as they are.
// CHECK-LABEL: func.func private @sum_N4(
// CHECK-SAME:    tensor<4xf32>) -> f32
func.func @sum(%x: tensor<?xf32> {bucket.dims = ["N"]}) -> f32
    attributes {bucket.buckets = "N=4"} {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%x : tensor<?xf32>) outs(%f : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  %v = tensor.extract %r[] : tensor<f32>
  return %v : f32
}
