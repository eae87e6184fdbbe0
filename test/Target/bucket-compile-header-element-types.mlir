// Every element type the runtime knows reaches the header as its own
// enumerator (bucket/runtime_abi.h: f32, f64, f16, bf16, i1, i8, i16, i32,
// i64), for arguments and results; and every out-of-range policy as its
// own (fallback here, error, split and truncate in other tests). Static
// sizes are described as they are (the runtime checks them); a rank-0 value
// gets the placeholders `{0}, {-1}` for its empty lists.

// RUN: bucket-compile %s --buckets 'n=2,4' --out-of-range fallback \
// RUN:   --header %t.h -o %t.o
// RUN: FileCheck %s < %t.h
// RUN: %host_cc -std=c11 -Wall -Werror -fsyntax-only -I%bucket_runtime_include -include %t.h -x c /dev/null

// CHECK: static const int32_t types_out_of_range[] = {BUCKET_OUT_OF_RANGE_FALLBACK};
// CHECK: static const bucket_value_info_t types_args[] = {
// CHECK-NEXT:     {BUCKET_ELEMENT_F32, 1, {-1}, {0}},
// CHECK-NEXT:     {BUCKET_ELEMENT_F64, 1, {3}, {-1}},
// CHECK-NEXT:     {BUCKET_ELEMENT_F16, 2, {2, 3}, {-1, -1}},
// CHECK-NEXT:     {BUCKET_ELEMENT_BF16, 1, {5}, {-1}},
// CHECK-NEXT:     {BUCKET_ELEMENT_I1, 1, {1}, {-1}},
// CHECK-NEXT:     {BUCKET_ELEMENT_I8, 1, {7}, {-1}},
// CHECK-NEXT:     {BUCKET_ELEMENT_I16, 1, {-1}, {0}},
// CHECK-NEXT:     {BUCKET_ELEMENT_I32, 0, {0}, {-1}},
// CHECK-NEXT:     {BUCKET_ELEMENT_I64, 1, {9}, {-1}},
// CHECK-NEXT: };
// CHECK: static const bucket_value_info_t types_results[] = {
// CHECK-NEXT:     {BUCKET_ELEMENT_F16, 2, {2, 3}, {-1, -1}},
// CHECK-NEXT:     {BUCKET_ELEMENT_BF16, 1, {5}, {-1}},
// CHECK-NEXT:     {BUCKET_ELEMENT_F32, 1, {-1}, {-1}},
// CHECK-NEXT: };

func.func @types(%f32: tensor<?xf32> {bucket.dims = ["n"]},
                 %f64: tensor<3xf64>, %f16: tensor<2x3xf16>,
                 %bf16: tensor<5xbf16>, %i1: tensor<1xi1>, %i8: tensor<7xi8>,
                 %i16: tensor<?xi16> {bucket.dims = ["n"]},
                 %i32: tensor<i32>, %i64: tensor<9xi64>)
    -> (tensor<2x3xf16>, tensor<5xbf16>, tensor<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %f32, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>,
                                        affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%f32, %i16 : tensor<?xf32>, tensor<?xi16>) outs(%e : tensor<?xf32>) {
  ^bb0(%a: f32, %b: i16, %o: f32):
    %bf = arith.sitofp %b : i16 to f32
    %s = arith.addf %a, %bf : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %f16, %bf16, %y : tensor<2x3xf16>, tensor<5xbf16>, tensor<?xf32>
}
