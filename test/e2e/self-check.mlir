// End-to-end: the self-check catches a mask declaration that does not hold.
// The model declares %mask a mask, but its scores are far below -10000, so
// the -10000 of a padded position wins the max: every bucket with padding
// returns -10000. With --self-check, a length that fits bucket 2 exactly
// (no padding) is checked against bucket 4 (padding) and the dispatcher
// reports the difference to the runtime, which prints it.

// RUN: bucket-compile %s --buckets 'seq=2,4' --self-check -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func masked_max \
// RUN:   --args 'f32[seq]=-3..-2;i64[seq]=1..1' --results 'f32[]' --dims 'seq=2' 2>&1 | FileCheck %s

// CHECK: bucket self-check: result 0 of bucket 0 differs from bucket 1 by up to
// CHECK: compare: 1 passed, 0 failed

#s  = affine_map<(s) -> (s)>
#s0 = affine_map<(s) -> ()>

func.func @masked_max(%x: tensor<?xf32> {bucket.dims = ["seq"]},
                      %mask: tensor<?xi64> {bucket.dims = ["seq"], bucket.mask})
    -> tensor<f32> attributes {llvm.emit_c_interface} {
  %one = arith.constant 1.0 : f32
  %big = arith.constant -10000.0 : f32
  %scale = arith.constant 20000.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [#s, #s, #s0], iterator_types = ["reduction"]}
      ins(%x, %mask : tensor<?xf32>, tensor<?xi64>) outs(%init : tensor<f32>) {
  ^bb0(%v: f32, %m: i64, %acc: f32):
    %mf = arith.sitofp %m : i64 to f32
    %p = arith.subf %one, %mf : f32
    %b = arith.mulf %p, %big : f32
    %sv = arith.mulf %v, %scale : f32
    %sc = arith.addf %sv, %b : f32
    %mx = arith.maximumf %acc, %sc : f32
    linalg.yield %mx : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
