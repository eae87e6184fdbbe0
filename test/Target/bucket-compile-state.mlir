// A state argument in the header and in the exported tables: the tied
// result per argument (bucket_function_info_t::tied_results) and the
// aliasing documented at the entry point.
// RUN: bucket-compile %s --header %t.h -o %t.o
// RUN: FileCheck %s < %t.h
// RUN: %host_cc -std=c11 -Wall -Werror -fsyntax-only -I%bucket_runtime_include -include %t.h -x c /dev/null
// RUN: bucket-compile %s --model-name m --emit=llvm -o - | FileCheck %s --check-prefix=IR

// CHECK: static const int32_t step_tied_results[] = {-1, 1, -1};
// CHECK: static const bucket_function_info_t step_info = {"step", 3, step_args, 2, step_results, 1, step_dim_names, 2, step_buckets, step_out_of_range, step_tied_results};
// CHECK:      /* Runs step. Arguments must be contiguous; a result whose data is NULL
// CHECK-NEXT:  * receives runtime-owned storage (release it with
// CHECK-NEXT:  * bucket_tensor_release), otherwise it is filled in place.
// CHECK-NEXT:  * State: arg1 (16x4) is updated in place and is result1:
// CHECK-NEXT:  * pass it with exactly this shape; pass result1 empty (data NULL: it becomes a view
// CHECK-NEXT:  * of arg1, nothing to release) or with arg1's data. Never copied. */

// IR: @[[TIED:__bucket_m_step_tied_results]] = private unnamed_addr constant [3 x i32] [i32 -1, i32 1, i32 -1]
// IR: %bucket_function_info_t { {{.*}}, ptr @{{.*}}out_of_range, ptr @[[TIED]] }
func.func @step(%x: tensor<1x4xf32>, %cache: tensor<16x4xf32> {bucket.state, tf.aliasing_output = 1 : i64},
                %positions: tensor<?xi64> {bucket.dims = ["len"]}) -> (tensor<4xf32>, tensor<16x4xf32>)
    attributes {bucket.buckets = "len=4,8"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %len = tensor.dim %positions, %c0 : tensor<?xi64>
  %pos = arith.subi %len, %c1 : index
  %u = tensor.insert_slice %x into %cache[%pos, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<16x4xf32>
  %r = tensor.extract_slice %u[%pos, 0] [1, 4] [1, 1] : tensor<16x4xf32> to tensor<4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %s = linalg.add ins(%r, %r : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %s, %u : tensor<4xf32>, tensor<16x4xf32>
}
