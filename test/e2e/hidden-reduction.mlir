// End-to-end: a linalg.generic whose loops are all declared "parallel",
// although the output does not depend on the second one. Every iteration of
// that loop reads and writes the same output element, so it is a reduction
// (a running scan out = 0.5 * out + x). Code generation must not vectorize
// or tile it as a parallel loop: each row runs its 7 steps in order.
//
// Hidden reductions over a *bucketed* dimension are refused by the padding
// analysis (test/Analysis/test-bucket-padding-invalid.mlir); here the scanned
// axis is static and the rows are bucketed (edges: 1, each bucket, one past
// it, the largest, one past the largest).

// RUN: bucket-compile %s --buckets 'S=2,5,8' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func scan \
// RUN:   --args 'f32[S];f32[S,7]' --results 'f32[S]' \
// RUN:   --dims 'S=1..8' --out-of-range 'S=9' --rtol 1e-6 --atol 1e-6 | FileCheck %s

// The loop is marked a reduction before code generation.
// RUN: bucket-compile %s --buckets 'S=2,5,8' --emit=mlir | FileCheck %s --check-prefix=IR

// CHECK-NOT: FAIL
// CHECK: compare: 9 passed, 0 failed

// IR-LABEL: func.func private @scan_S2
// IR: linalg.generic
// IR-SAME: iterator_types = ["parallel", "reduction"]

func.func @scan(%acc: tensor<?xf32> {bucket.dims = ["S"]},
                %x: tensor<?x7xf32> {bucket.dims = ["S", ""]}) -> tensor<?xf32>
    attributes {llvm.emit_c_interface} {
  %half = arith.constant 0.5 : f32
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                        affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x7xf32>) outs(%acc : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %h = arith.mulf %out, %half : f32
    %r = arith.addf %h, %in : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
