// The object exports the model's table (bucket/runtime_abi.h): the tables of
// bucket_model_info_t, bucket_function_info_t and bucket_value_info_t as
// constants local to the object, one trampoline per function forwarding
// void** to the C interface, and the bucket_model_export_t under
// `<model>_model_export` (strong) and `bucket_model_export` (a weak alias).
// test/e2e/model-export*.test link and run such objects.
// RUN: bucket-compile %s --buckets 'n=2,8' --out-of-range 'n=fallback' --model-name m --emit=llvm -o - | FileCheck %s

// CHECK-DAG: %bucket_value_info_t = type { i32, i32, [8 x i64], [8 x i32] }
// CHECK-DAG: %bucket_function_info_t = type { ptr, i32, ptr, i32, ptr, i32, ptr, i32, ptr, ptr, ptr }
// CHECK-DAG: %bucket_model_info_t = type { i32, i32, ptr }
// CHECK-DAG: %bucket_model_export_t = type { i32, ptr, ptr, ptr }
// CHECK-DAG: @[[DIM:__bucket_m_rows_dim0]] = private unnamed_addr constant [2 x i8] c"n\00"
// CHECK-DAG: @[[DIMS:__bucket_m_rows_dim_names]] = private unnamed_addr constant [1 x ptr] [ptr @[[DIM]]]
// CHECK-DAG: @[[BUCKETS:__bucket_m_rows_buckets]] = private unnamed_addr constant [2 x i64] [i64 2, i64 8]
// Policy 1 is BUCKET_OUT_OF_RANGE_FALLBACK; element type 1 is F64, 5 is I32.
// CHECK-DAG: @[[POLICIES:__bucket_m_rows_out_of_range]] = private unnamed_addr constant [1 x i32] [i32 1]
// CHECK-DAG: @[[ARGS:__bucket_m_rows_args]] = private unnamed_addr constant [2 x %bucket_value_info_t] [%bucket_value_info_t { i32 1, i32 2, [8 x i64] [i64 -1, i64 3, i64 0, i64 0, i64 0, i64 0, i64 0, i64 0], [8 x i32] [i32 0, i32 -1, i32 0, i32 0, i32 0, i32 0, i32 0, i32 0] }, %bucket_value_info_t { i32 5, i32 1, [8 x i64] [i64 -1, i64 0, {{.*}}], [8 x i32] zeroinitializer }]
// CHECK-DAG: @[[RESULTS:__bucket_m_rows_results]] = private unnamed_addr constant [1 x %bucket_value_info_t] [%bucket_value_info_t { i32 1, i32 1, [8 x i64] [i64 -1, i64 0, {{.*}}], [8 x i32] [i32 -1, i32 0, {{.*}}] }]
// A function without bucketing (clash_model_export, static shapes) has no
// dimensions and one bucket.
// CHECK-DAG: @[[FUNCTIONS:__bucket_m_functions]] = private unnamed_addr constant [2 x %bucket_function_info_t] [%bucket_function_info_t { ptr @{{.*}}, i32 2, ptr @[[ARGS]], i32 1, ptr @[[RESULTS]], i32 1, ptr @[[DIMS]], i32 2, ptr @[[BUCKETS]], ptr @[[POLICIES]], ptr null }, %bucket_function_info_t { ptr @{{.*}}, i32 1, ptr @{{.*}}, i32 1, ptr @{{.*}}, i32 0, ptr null, i32 1, ptr null, ptr null, ptr null }]
// CHECK-DAG: @[[TRAMPOLINES:__bucket_m_trampolines]] = private unnamed_addr constant [2 x ptr] [ptr @[[TRAMPOLINE:__bucket_m_rows_trampoline]], ptr @__bucket_m_clash_model_export_trampoline]
// CHECK-DAG: @[[MODEL:__bucket_m_model]] = private unnamed_addr constant %bucket_model_info_t { i32 3, i32 2, ptr @[[FUNCTIONS]] }
// CHECK-DAG: @m_model_export = constant %bucket_model_export_t { i32 3, ptr @{{.*}}, ptr @[[MODEL]], ptr @[[TRAMPOLINES]] }
// CHECK-DAG: @bucket_model_export = weak alias %bucket_model_export_t, ptr @m_model_export
// CHECK:     define internal void @[[TRAMPOLINE]](ptr
// CHECK:     define internal void @__bucket_m_clash_model_export_trampoline(ptr

// Off: no table; the header declares none.
// RUN: bucket-compile %s --buckets 'n=2,8' --model-name m --model-export=false --emit=llvm -o - | FileCheck %s --check-prefix=OFF
// RUN: bucket-compile %s --buckets 'n=2,8' --model-name m --model-export=false --header %t.off.h -o /dev/null
// RUN: FileCheck %s --input-file %t.off.h --check-prefix=OFF
// RUN: bucket-compile %s --buckets 'n=2,8' --model-name m --header %t.on.h -o /dev/null
// RUN: FileCheck %s --input-file %t.on.h --check-prefix=HEADER
// OFF-NOT: m_model_export
// OFF-NOT: bucket_model_export
// OFF-NOT: __bucket_m_
// HEADER: extern const bucket_model_export_t m_model_export;

// The layout follows the target: 16 bytes for the exported struct with
// 4-byte pointers (i386), 32 with 8-byte pointers (x86-64, AArch64).
// RUN: bucket-compile %s --buckets 'n=2,8' --model-name m --target i686-linux-gnu -o %t.i686.o
// RUN: llvm-nm -S %t.i686.o | FileCheck %s --check-prefix=SIZE32
// RUN: bucket-compile %s --buckets 'n=2,8' --model-name m --target x86_64-linux-gnu -o %t.x86_64.o
// RUN: llvm-nm -S %t.x86_64.o | FileCheck %s --check-prefix=SIZE64
// RUN: bucket-compile %s --buckets 'n=2,8' --model-name m --target aarch64-linux-gnu -o %t.aarch64.o
// RUN: llvm-nm -S %t.aarch64.o | FileCheck %s --check-prefix=SIZE64
// SIZE32-DAG: 00000010 V bucket_model_export
// SIZE32-DAG: 00000010 {{[DR]}} m_model_export
// SIZE64-DAG: 0000000000000020 V bucket_model_export
// SIZE64-DAG: 0000000000000020 {{[DR]}} m_model_export

// Errors: a model name that is not a C identifier (needed for the object's
// symbols even without a header), and a module that already defines a
// symbol to export.
// RUN: not bucket-compile %s --buckets 'n=2,8' --model-name 9lives -o /dev/null 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not bucket-compile %s --buckets 'n=2,8' --model-name clash -o /dev/null 2>&1 | FileCheck %s --check-prefix=CLASH
// NAME: error: model name '9lives' is not a C identifier
// CLASH: error: cannot export the model's table: the module already defines 'clash_model_export'

func.func @rows(%x: tensor<?x3xf64> {bucket.dims = ["n", ""]},
                %y: tensor<?xi32> {bucket.dims = ["n"]}) -> tensor<?xf64> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x3xf64>
  %e = tensor.empty(%n) : tensor<?xf64>
  %zero = arith.constant 0.0 : f64
  %init = linalg.fill ins(%zero : f64) outs(%e : tensor<?xf64>) -> tensor<?xf64>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x, %y : tensor<?x3xf64>, tensor<?xi32>) outs(%init : tensor<?xf64>) {
  ^bb0(%a: f64, %b: i32, %acc: f64):
    %bf = arith.sitofp %b : i32 to f64
    %m = arith.mulf %a, %bf : f64
    %s = arith.addf %acc, %m : f64
    linalg.yield %s : f64
  } -> tensor<?xf64>
  return %r : tensor<?xf64>
}

// Named like the table of a model called `clash`.
func.func @clash_model_export(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
