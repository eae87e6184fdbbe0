// RUN: bucket-opt %s -split-input-file -bucket-specialize-functions | FileCheck %s
// RUN: bucket-opt %s -split-input-file -bucket-specialize-functions="buckets=batch=2" -verify-diagnostics | FileCheck %s --check-prefix=CLI

// The attribute gives the buckets; each clone is private, static and refined
// (the tensor.empty and the matmul become static, the result type too).
// CHECK-LABEL: func.func @mlp(
// CHECK-SAME:    %{{.*}}: tensor<?x16xf32> {bucket.dim_ids = array<i32: 0, -1>, bucket.dims = ["batch", ""], bucket.padding = 0.000000e+00 : f32}
// CHECK-SAME:    %{{.*}}: tensor<16x8xf32> {bucket.dim_ids = array<i32: -1, -1>}
// CHECK-SAME:    bucket.bucket_table = [array<i64: 4>, array<i64: 16>]
// CHECK-SAME:    bucket.dim_names = ["batch"]
// CHECK:       linalg.matmul {{.*}} -> tensor<?x8xf32>
// CHECK-LABEL: func.func private @mlp_batch4(
// CHECK-SAME:    %[[X:.*]]: tensor<4x16xf32>, %[[W:.*]]: tensor<16x8xf32>) -> tensor<4x8xf32>
// CHECK-SAME:    bucket.bucket = array<i64: 4>, bucket.specialization_of = @mlp
// CHECK-NOT:     ?x
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK:         %[[F:.*]] = linalg.fill {{.*}} outs(%[[E]] : tensor<4x8xf32>)
// CHECK:         %[[M:.*]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<4x16xf32>, tensor<16x8xf32>) outs(%[[F]] : tensor<4x8xf32>)
// CHECK:         return %[[M]] : tensor<4x8xf32>
// CHECK-LABEL: func.func private @mlp_batch16(
// CHECK-SAME:    tensor<16x16xf32>, %{{.*}}: tensor<16x8xf32>) -> tensor<16x8xf32>

// The command line wins over the attribute.
// CLI-LABEL: func.func @mlp(
// CLI-SAME:    bucket.bucket_table = [array<i64: 2>]
// CLI-NOT:   @mlp_batch4
// CLI:       func.func private @mlp_batch2(
// CLI-SAME:    tensor<2x16xf32>
// CLI-NOT:   @mlp_batch16
func.func @mlp(%x: tensor<?x16xf32> {bucket.dims = ["batch", ""]},
               %w: tensor<16x8xf32>) -> tensor<?x8xf32>
    attributes {bucket.buckets = "batch=4,16"} {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%d) : tensor<?x8xf32>
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x16xf32>, tensor<16x8xf32>)
                     outs(%f : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %m : tensor<?x8xf32>
}

// -----

// A grid is expanded (first group outermost) and sorted by padded cost, the
// product of the sizes; 4x8 and 1x32 cost the same and keep that order.
// Sizes are listed in the dimension order of the signature.
// CHECK-LABEL: func.func @grid(
// CHECK-SAME:    bucket.bucket_table = [array<i64: 1, 8>, array<i64: 4, 8>, array<i64: 1, 32>, array<i64: 4, 32>]
// CHECK-SAME:    bucket.dim_names = ["b", "s"]
// CHECK: func.func private @grid_b1_s8(%{{.*}}: tensor<1x8xf32>) -> tensor<1x8xf32>
// CHECK: func.func private @grid_b4_s8(%{{.*}}: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: func.func private @grid_b1_s32(%{{.*}}: tensor<1x32xf32>) -> tensor<1x32xf32>
// CHECK: func.func private @grid_b4_s32(%{{.*}}: tensor<4x32xf32>) -> tensor<4x32xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
// A command-line spec applies to every function; this one names none of
// grid's dimensions (the errors are only expected with the CLI spec).
// expected-error @below {{unknown dimension 'batch' in the buckets of 'grid'; its dimensions are: b, s}}
func.func @grid(%x: tensor<?x?xf32> {bucket.dims = ["b", "s"]}) -> tensor<?x?xf32>
    attributes {bucket.buckets = "s=8,32;b=1,4"} {
  %r = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x?xf32>) outs(%x : tensor<?x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.exp %a : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// Explicit tuples (a sparse grid), and static functions left alone.
// CHECK-LABEL: func.func @sparse(
// CHECK-SAME:    bucket.bucket_table = [array<i64: 1, 64>, array<i64: 8, 16>]
// CHECK: func.func private @sparse_b1_s64(%{{.*}}: tensor<1x64xf32>)
// CHECK: func.func private @sparse_b8_s16(%{{.*}}: tensor<8x16xf32>)
// CHECK-LABEL: func.func @already_static(
// CHECK-NOT:   bucket.
// expected-error @below {{unknown dimension 'batch' in the buckets of 'sparse'; its dimensions are: b, s}}
func.func @sparse(%x: tensor<?x?xf32> {bucket.dims = ["b", "s"]}) -> tensor<?x?xf32>
    attributes {bucket.buckets = "b,s=8x16,1x64"} {
  return %x : tensor<?x?xf32>
}
func.func @already_static(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
