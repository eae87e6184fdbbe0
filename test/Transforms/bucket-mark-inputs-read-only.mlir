// RUN: bucket-opt %s -bucket-mark-inputs-read-only | FileCheck %s

// CHECK-LABEL: func.func @f(
// CHECK-SAME:    %{{.*}}: tensor<?xf32> {bufferization.writable = false}, %{{.*}}: f32)
// CHECK-LABEL: func.func private @decl(tensor<4xf32>)
func.func @f(%x: tensor<?xf32>, %s: f32) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
func.func private @decl(tensor<4xf32>)

// A state argument is the caller's buffer updated in place: writable.
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %{{.*}}: tensor<1x4xf32> {bufferization.writable = false},
// CHECK-SAME:    %{{.*}}: tensor<16x4xf32> {bucket.state, bucket.tied_result = 0 : i64, bufferization.writable = true})
func.func @step(%x: tensor<1x4xf32>, %cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 0 : i64}) -> tensor<16x4xf32> {
  %c0 = arith.constant 0 : index
  %u = tensor.insert_slice %x into %cache[%c0, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<16x4xf32>
  return %u : tensor<16x4xf32>
}

// tf.aliasing_output marks the result the same way.
// CHECK-LABEL: func.func @donated(
// CHECK-SAME:    {bucket.state, bufferization.writable = true, tf.aliasing_output = 0 : i64})
func.func @donated(%cache: tensor<16x4xf32> {bucket.state, tf.aliasing_output = 0 : i64}) -> tensor<16x4xf32> {
  return %cache : tensor<16x4xf32>
}
