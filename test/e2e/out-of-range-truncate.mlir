// End-to-end: the truncate policy (opt-in). Past the largest bucket (8) the
// input is cropped to its first 8 rows, so the result is the original's on
// the truncated input: the reference (Inputs/colsum-truncated.mlir) crops
// explicitly and runs the same computation.

// RUN: bucket-compile %s --buckets 'seq=2,4,8' --out-of-range 'seq=truncate' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %S/Inputs/colsum-truncated.mlir --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --rtol 1e-5 --atol 1e-6 --func colsum \
// RUN:   --args 'f32[seq,4]' --results 'f32[4]' --dims 'seq=1..20' | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 20 passed, 0 failed

#rd = affine_map<(r, d) -> (r, d)>
#d  = affine_map<(r, d) -> (d)>

func.func @colsum(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<4xf32>
    attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#rd, #d], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %t = math.tanh %v : f32
    %s = arith.addf %acc, %t : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
