// End-to-end: truncation on two dimensions crops both. x is [b, s] with
// buckets b=2,4 and s=4,8, both truncated; past the largest buckets the
// function sums x[0:min(b, 4), 0:min(s, 8)]. The points cover b and s
// beyond their largest bucket alone and together (a dispatcher that cropped
// only the first truncated dimension would find no bucket for s = 11). The
// reference (Inputs/sum-truncated-grid.mlir) crops both explicitly.

// RUN: bucket-compile %s --buckets 'b=2,4;s=4,8' --out-of-range 'b=truncate,s=truncate' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %S/Inputs/sum-truncated-grid.mlir --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --rtol 1e-5 --atol 1e-5 --func gridsum \
// RUN:   --args 'f32[b,s]' --results 'f32[]' --points 'b=1,3,4,6;s=2,8,11' | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 12 passed, 0 failed

#bs = affine_map<(b, s) -> (b, s)>
#s0 = affine_map<(b, s) -> ()>

func.func @gridsum(%x: tensor<?x?xf32> {bucket.dims = ["b", "s"]}) -> tensor<f32>
    attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [#bs, #s0], iterator_types = ["reduction", "reduction"]}
      ins(%x : tensor<?x?xf32>) outs(%init : tensor<f32>) {
  ^bb0(%v: f32, %acc: f32):
    %a = arith.addf %acc, %v : f32
    linalg.yield %a : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
