// RUN: bucket-opt %s -bucket-bucketize -bucket-lower-to-llvm \
// RUN:   -mlir-print-ir-after=bucket-attach-state-results -o /dev/null 2>&1 | FileCheck %s

// After bufferization and deallocation no buffer of the state's type is
// allocated or copied in the dispatcher or in any bucket, and every function
// returns its state argument itself as the tied result.
// CHECK-LABEL: IR Dump After BucketAttachStateResultsPass
// CHECK-NOT:   memref.alloc() {{.*}}: memref<16x4xf32>
// CHECK-NOT:   memref.copy {{.*}} to memref<16x4xf32>
// CHECK-NOT:   bufferization.clone
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[CACHE:[^:]*]]: memref<16x4xf32> {{{.*}}bucket.state, bucket.tied_result = 1 : i64
// CHECK-NOT:   memref.alloc() {{.*}}: memref<16x4xf32>
// CHECK-NOT:   memref.copy {{.*}} to memref<16x4xf32>
// CHECK:       return %{{.*}}, %[[CACHE]] : memref<4xf32>, memref<16x4xf32>
// CHECK-LABEL: func.func private @step_len4(
// CHECK-SAME:    %[[C4:[^:]*]]: memref<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64
// CHECK-NOT:   memref.alloc() {{.*}}: memref<16x4xf32>
// CHECK-NOT:   memref.copy {{.*}} to memref<16x4xf32>
// CHECK:       return %{{.*}}, %[[C4]] : memref<4xf32>, memref<16x4xf32>
// CHECK-LABEL: func.func private @step_len8(
// CHECK-SAME:    %[[C8:[^:]*]]: memref<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64
// CHECK-NOT:   memref.alloc() {{.*}}: memref<16x4xf32>
// CHECK-NOT:   memref.copy {{.*}} to memref<16x4xf32>
// CHECK:       return %{{.*}}, %[[C8]] : memref<4xf32>, memref<16x4xf32>
func.func @step(%x: tensor<1x4xf32>, %cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64},
                %positions: tensor<?xi64> {bucket.dims = ["len"]}) -> (tensor<4xf32>, tensor<16x4xf32>)
    attributes {bucket.buckets = "len=4,8"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %len = tensor.dim %positions, %c0 : tensor<?xi64>
  %pos = arith.subi %len, %c1 : index
  %u = tensor.insert_slice %x into %cache[%pos, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<16x4xf32>
  %keys = tensor.extract_slice %u[0, 0] [%len, 4] [1, 1] : tensor<16x4xf32> to tensor<?x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(j, d) -> (j, d)>, affine_map<(j, d) -> (d)>],
                       iterator_types = ["reduction", "parallel"]}
      ins(%keys : tensor<?x4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%k: f32, %acc: f32):
    %r = arith.addf %acc, %k : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %s, %u : tensor<4xf32>, tensor<16x4xf32>
}
