// End-to-end: a convolution whose input width W and output width OW are
// named as two symbolic dimensions (the tie OW = W - 2 is not an equality).
// The grid W = 4,8 x OW = 2,6 holds one combination no valid input has
// (W = 4 is too short for OW = 6); it is dropped with a warning, and the
// remaining buckets take every valid shape.
//
// Valid shapes OW = W - 2 for W = 3..8 (edges 3, 4, 5, 8), and W = 9 out of
// range.

// RUN: bucket-compile %s --buckets 'W=4,8;OW=2,6' -o %t.b.o 2>&1 | FileCheck %s --check-prefix=WARN
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func conv \
// RUN:   --args 'f32[W];f32[OW]' --results 'f32[OW]' \
// RUN:   --points 'W=3;OW=1' --points 'W=4;OW=2' --points 'W=5;OW=3' \
// RUN:   --points 'W=6;OW=4' --points 'W=7;OW=5' --points 'W=8;OW=6' \
// RUN:   --out-of-range 'W=9;OW=7' --rtol 1e-6 --atol 1e-6 | FileCheck %s

// WARN: warning: dropped 1 of 4 buckets of 'conv' whose sizes contradict each other, so no valid input has them: (W=4, OW=6)
// CHECK-NOT: FAIL
// CHECK: compare: 7 passed, 0 failed

func.func @conv(%x: tensor<?xf32> {bucket.dims = ["W"]},
                %out: tensor<?xf32> {bucket.dims = ["OW"]}) -> tensor<?xf32>
    attributes {llvm.emit_c_interface} {
  %k = arith.constant dense<[0.5, -1.0, 2.0]> : tensor<3xf32>
  %r = linalg.conv_1d ins(%x, %k : tensor<?xf32>, tensor<3xf32>) outs(%out : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}
