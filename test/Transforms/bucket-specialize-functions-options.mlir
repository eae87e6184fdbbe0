// RUN: bucket-opt %s -split-input-file -bucket-specialize-functions="pad-values=1=2.5 masks=1 out-of-range=fallback self-check" | FileCheck %s
// RUN: not bucket-opt %s -split-input-file -bucket-specialize-functions="pad-values=0=-inf padding=prove" -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNSAFE
// RUN: bucket-opt %s -split-input-file -bucket-specialize-functions="pad-values=0=-inf" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPAIRED
// RUN: not bucket-opt %s -split-input-file -bucket-specialize-functions="pad-values=7=1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=INDEX
// RUN: bucket-opt %s -split-input-file -bucket-specialize-functions="pad-values=m=2.5 masks=m out-of-range=fallback self-check" | FileCheck %s
// RUN: not bucket-opt %s -split-input-file -bucket-specialize-functions="masks=mask" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not bucket-opt %s -split-input-file -bucket-specialize-functions="buckets=arg0.0=1,2,3,4;arg1.0=1,2 max-buckets=7" -o /dev/null 2>&1 | FileCheck %s --check-prefix=LIMIT
// RUN: bucket-opt %s -split-input-file -bucket-specialize-functions="buckets=arg0.0=1,2,3,4;arg1.0=1,2 max-buckets=8" -o /dev/null

// The pass options declare pad values and masks (recorded as the argument
// attributes they stand for), the policies and the self-check; the analysis
// confirms the pad values in bucket.padding. Arguments are named by number
// or by the name a frontend gave them (onnx.name): both give the same.
// CHECK-LABEL: func.func @f(
// CHECK-SAME:    %{{.*}}: tensor<?x4xf32> {bucket.dim_ids = array<i32: 0, -1>, bucket.padding = 0.000000e+00 : f32}
// CHECK-SAME:    %{{.*}}: tensor<?xf32> {bucket.dim_ids = array<i32: 1>, bucket.mask, bucket.pad_value = "2.5", bucket.padding = 2.500000e+00 : f32, onnx.name = "m"}
// CHECK-SAME:    bucket.fallback = @f_fallback
// CHECK-SAME:    bucket.policies = ["fallback", "fallback"]
// CHECK-SAME:    bucket.self_check
// CHECK:       func.func private @f_fallback(

// A declared -inf under a sum is refused with padding=prove, and masked
// with padding=repair (the default).
// UNSAFE: error: the declared pad value -inf of argument 0 is unsafe: 'linalg.generic' reduces over padded dimension 'arg0.0'
// REPAIRED: remark: masked the padded iterations along 'arg0.0' (the accumulators are kept there): without it, 'linalg.generic' reduces over padded dimension 'arg0.0' and combines its padded iterations with 'arith.addf', which needs its neutral element 0 from them but gets -inf

// INDEX: error: 7 is not an argument of 'f' (it has 2 arguments, named m)
// NAME: error: 'mask' is not an argument of 'f' (it has 2 arguments, named m)

// A grid larger than the limit is refused before it is expanded.
// LIMIT: error: the buckets of 'f' make more than 7 specializations (the limit; choose fewer sizes, or raise the limit with --max-buckets)
#rc = affine_map<(r, c) -> (r, c)>
#c  = affine_map<(r, c) -> (c)>
func.func @f(%x: tensor<?x4xf32>, %m: tensor<?xf32> {onnx.name = "m"}) -> tensor<4xf32>
    attributes {bucket.buckets = "arg0.0=4;arg1.0=4"} {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#rc, #c], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
