// RUN: bucket-compile %s --buckets 'batch=1,4;seq=8,16' --header %t.h -o %t.o
// RUN: FileCheck %s < %t.h
// RUN: %host_cc -std=c11 -Wall -Werror -fsyntax-only -I%bucket_runtime_include -include %t.h -x c /dev/null
// RUN: bucket-compile %s --buckets 'batch=1,4;seq=8,16' --emit=llvm -o - | FileCheck %s --check-prefix=IR
// RUN: bucket-compile %s --buckets 'batch=1,4;seq=8,16' --emit=mlir -o - | FileCheck %s --check-prefix=MLIR

// CHECK: #include "bucket/runtime.h"
// CHECK: #if BUCKET_RUNTIME_ABI_VERSION != 3
// CHECK: void _mlir_ciface_encode(void *results, void *arg0, void *arg1);
// CHECK: static const char *const encode_dim_names[] = {"batch", "seq"};
// CHECK: static const int64_t encode_buckets[] = {
// CHECK-NEXT:     1, 8,
// CHECK-NEXT:     1, 16,
// CHECK-NEXT:     4, 8,
// CHECK-NEXT:     4, 16,
// CHECK-NEXT: };
// CHECK-NEXT: static const int32_t encode_out_of_range[] = {BUCKET_OUT_OF_RANGE_ERROR, BUCKET_OUT_OF_RANGE_ERROR};
// CHECK: static const bucket_value_info_t encode_args[] = {
// CHECK-NEXT:     {BUCKET_ELEMENT_I64, 2, {-1, -1}, {0, 1}},
// CHECK-NEXT:     {BUCKET_ELEMENT_F32, 1, {4}, {-1}},
// CHECK: static const bucket_value_info_t encode_results[] = {
// CHECK-NEXT:     {BUCKET_ELEMENT_F32, 3, {-1, -1, 4}, {-1, -1, -1}},
// CHECK-NEXT:     {BUCKET_ELEMENT_I1, 2, {-1, -1}, {-1, -1}},
// CHECK: static const bucket_function_info_t encode_info = {"encode", 2, encode_args, 2, encode_results, 2, encode_dim_names, 4, encode_buckets, encode_out_of_range, NULL};
// CHECK: static inline void encode_trampoline(void **ptrs) {
// CHECK-NEXT:   _mlir_ciface_encode(ptrs[0], ptrs[1], ptrs[2]);
// CHECK: static inline bucket_status_t encode_call(const bucket_tensor_t *arg0, const bucket_tensor_t *arg1, bucket_tensor_t *result0, bucket_tensor_t *result1) {
// CHECK:   return bucket_function_invoke(&encode_info, encode_trampoline, args, results);
// CHECK: static const bucket_model_info_t {{.*}}_model = {BUCKET_RUNTIME_ABI_VERSION, 1,

// IR-DAG: define {{.*}}void @_mlir_ciface_encode(
// IR-DAG: define {{.*}} @encode_batch4_seq16(
// IR-DAG: declare void @bucket_rt_report_out_of_range(i64, i64, i64)

// MLIR-LABEL: func.func @encode(
// MLIR: func.func private @encode_batch1_seq8(%{{.*}}: tensor<1x8xi64>, %{{.*}}: tensor<4xf32>) -> (tensor<1x8x4xf32>, tensor<1x8xi1>)
#map_in = affine_map<(b, s, f) -> (b, s)>
#map_w = affine_map<(b, s, f) -> (f)>
#map_out = affine_map<(b, s, f) -> (b, s, f)>
#map2 = affine_map<(b, s) -> (b, s)>
func.func @encode(%ids: tensor<?x?xi64> {bucket.dims = ["batch", "seq"]},
                  %w: tensor<4xf32>) -> (tensor<?x?x4xf32>, tensor<?x?xi1>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %ids, %c0 : tensor<?x?xi64>
  %s = tensor.dim %ids, %c1 : tensor<?x?xi64>
  %e = tensor.empty(%b, %s) : tensor<?x?x4xf32>
  %r = linalg.generic {indexing_maps = [#map_in, #map_w, #map_out],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ids, %w : tensor<?x?xi64>, tensor<4xf32>) outs(%e : tensor<?x?x4xf32>) {
  ^bb0(%id: i64, %wf: f32, %o: f32):
    %f = arith.sitofp %id : i64 to f32
    %m = arith.mulf %f, %wf : f32
    linalg.yield %m : f32
  } -> tensor<?x?x4xf32>
  %e2 = tensor.empty(%b, %s) : tensor<?x?xi1>
  %z = arith.constant 0 : i64
  %nz = linalg.generic {indexing_maps = [#map2, #map2],
                        iterator_types = ["parallel", "parallel"]}
      ins(%ids : tensor<?x?xi64>) outs(%e2 : tensor<?x?xi1>) {
  ^bb0(%id: i64, %o: i1):
    %c = arith.cmpi ne, %id, %z : i64
    linalg.yield %c : i1
  } -> tensor<?x?xi1>
  return %r, %nz : tensor<?x?x4xf32>, tensor<?x?xi1>
}
