// End-to-end: the split policy, for a batch dimension the padding analysis
// proves is never reduced or mixed. Past the largest bucket (4) the batch
// runs in chunks of 4 through the dispatcher, and the results are inserted
// at their offsets: every batch 1..13 equals the original. A grid with a
// second bucketed dimension (seq, reduced, error policy) checks that only
// the batch splits; seq past 8 is still reported.

// RUN: bucket-compile %s --buckets 'batch=1,2,4;seq=4,8' --out-of-range 'batch=split' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --rtol 1e-5 --atol 1e-6 --func pooled \
// RUN:   --args 'f32[batch,seq,4]' --results 'f32[batch,4]' \
// RUN:   --dims 'batch=1..13;seq=1,4,5,8' --out-of-range 'batch=2;seq=9' --max 'batch=4;seq=8' \
// RUN:   | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 53 passed, 0 failed

#bsd = affine_map<(b, s, d) -> (b, s, d)>
#bd  = affine_map<(b, s, d) -> (b, d)>

func.func @pooled(%x: tensor<?x?x4xf32> {bucket.dims = ["batch", "seq", ""]}) -> tensor<?x4xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %nb = tensor.dim %x, %c0 : tensor<?x?x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%nb) : tensor<?x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [#bsd, #bd], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<?x?x4xf32>) outs(%init : tensor<?x4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %t = math.tanh %v : f32
    %s = arith.addf %acc, %t : f32
    linalg.yield %s : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
