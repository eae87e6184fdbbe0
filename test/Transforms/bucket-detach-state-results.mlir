// RUN: bucket-opt %s -split-input-file \
// RUN:   -one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   -bucket-detach-state-results | FileCheck %s

// A bucket that writes its cache in place: the tied result is the argument,
// so it leaves the signature and the return, and no buffer of the state's
// type is allocated or copied.
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[X:.*]]: memref<1x4xf32>, %[[CACHE:.*]]: memref<16x4xf32>, %{{.*}}: index) -> memref<4xf32>
// CHECK-SAME:    bucket.detached_states = array<i64: 1, 1>
// CHECK-NOT:     memref.alloc() {{.*}}: memref<16x4xf32>
// CHECK-NOT:     memref.copy {{.*}}memref<16x4xf32> to
// CHECK:         %[[ROW:.*]] = memref.subview %[[CACHE]]
// CHECK:         memref.copy %[[X]], %[[ROW]]
// CHECK:         return %{{.*}} : memref<4xf32>
func.func @step(%x: tensor<1x4xf32>, %cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64, bufferization.writable = true},
                %pos: index) -> (tensor<4xf32>, tensor<16x4xf32>) {
  %u = tensor.insert_slice %x into %cache[%pos, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<16x4xf32>
  %r = tensor.extract_slice %u[0, 0] [1, 4] [1, 1] : tensor<16x4xf32> to tensor<4xf32>
  return %r, %u : tensor<4xf32>, tensor<16x4xf32>
}

// -----

// A dispatcher: the state goes through calls and both branches of an
// scf.if (the out-of-range branch returns it as it came); every call loses
// the tied result too, whose uses read the state operand.
// CHECK-LABEL: func.func private @bucket(
// CHECK-SAME:    -> memref<4xf32>
// CHECK-LABEL: func.func @dispatch(
// CHECK-SAME:    %[[CACHE:.*]]: memref<16x4xf32>, %{{.*}}: i1) -> memref<4xf32>
// CHECK-SAME:    bucket.detached_states = array<i64: 0, 1>
// CHECK-NOT:     memref.alloc() {{.*}}: memref<16x4xf32>
// CHECK-NOT:     memref.copy {{.*}} to memref<16x4xf32>
// CHECK:         func.call @bucket(%[[CACHE]]) : (memref<16x4xf32>) -> memref<4xf32>
// CHECK:         scf.yield %{{.*}}, %[[CACHE]] : memref<4xf32, strided<[?], offset: ?>>, memref<16x4xf32>
// CHECK:         } else {
// CHECK:         scf.yield %{{.*}}, %[[CACHE]] : memref<4xf32, strided<[?], offset: ?>>, memref<16x4xf32>
// CHECK:         return %{{.*}} : memref<4xf32>
func.func private @bucket(%cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64, bufferization.writable = true})
    -> (tensor<4xf32>, tensor<16x4xf32>) {
  %c0 = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %u = tensor.insert %c0 into %cache[%c1, %c1] : tensor<16x4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.fill ins(%c0 : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %r, %u : tensor<4xf32>, tensor<16x4xf32>
}
func.func @dispatch(%cache: tensor<16x4xf32> {bucket.state, tf.aliasing_output = 1 : i64, bufferization.writable = true}, %in: i1)
    -> (tensor<4xf32>, tensor<16x4xf32>) {
  %r:2 = scf.if %in -> (tensor<4xf32>, tensor<16x4xf32>) {
    %c:2 = func.call @bucket(%cache) : (tensor<16x4xf32>) -> (tensor<4xf32>, tensor<16x4xf32>)
    scf.yield %c#0, %c#1 : tensor<4xf32>, tensor<16x4xf32>
  } else {
    %e = tensor.empty() : tensor<4xf32>
    scf.yield %e, %cache : tensor<4xf32>, tensor<16x4xf32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<16x4xf32>
}
