// RUN: bucket-opt %s -bucket-attach-state-results | FileCheck %s

// The results bucket-detach-state-results took out come back at their
// positions, returning the state argument itself (no copy), with the state
// attributes; calls get the result back, unused.
// CHECK-LABEL: func.func private @bucket(
// CHECK-SAME:    %[[CACHE:.*]]: memref<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64})
// CHECK-SAME:    -> (memref<4xf32>, memref<16x4xf32>)
// CHECK-NOT:     bucket.detached_states
// CHECK:         return %{{.*}}, %[[CACHE]] : memref<4xf32>, memref<16x4xf32>
// CHECK-LABEL: func.func @dispatch(
// CHECK-SAME:    %[[ARG:.*]]: memref<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64})
// CHECK-SAME:    -> (memref<4xf32>, memref<16x4xf32>)
// CHECK:         %[[R:.*]]:2 = call @bucket(%[[ARG]]) : (memref<16x4xf32>) -> (memref<4xf32>, memref<16x4xf32>)
// CHECK:         return %[[R]]#0, %[[ARG]] : memref<4xf32>, memref<16x4xf32>
func.func private @bucket(%cache: memref<16x4xf32>) -> memref<4xf32>
    attributes {bucket.detached_states = array<i64: 0, 1>} {
  %v = memref.subview %cache[0, 0] [1, 4] [1, 1] : memref<16x4xf32> to memref<4xf32, strided<[1]>>
  %r = memref.alloc() : memref<4xf32>
  memref.copy %v, %r : memref<4xf32, strided<[1]>> to memref<4xf32>
  return %r : memref<4xf32>
}
func.func @dispatch(%cache: memref<16x4xf32>) -> memref<4xf32>
    attributes {bucket.detached_states = array<i64: 0, 1>} {
  %r = call @bucket(%cache) : (memref<16x4xf32>) -> memref<4xf32>
  return %r : memref<4xf32>
}
