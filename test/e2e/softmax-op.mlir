// End-to-end: linalg.softmax, an aggregated op, over a grid of batch x seq.
// bucket decomposes it first (bucket-decompose-aggregates); the padding
// analysis then pads the softmax axis with -inf. The reference is the same
// module decomposed by upstream's transform.structured.decompose_interface
// and lowered by upstream mlir-opt.
//
// Grid batch = 1,3 x seq = 4,9; edges: batch 1,2,3 and seq 1,4,5,9, plus out
// of range in each dimension.

// RUN: bucket-compile %s --buckets 'batch=1,3;seq=4,9' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --transform-preload-library="transform-library-paths=%S/Inputs/decompose-interface.mlir" \
// RUN:   --transform-interpreter -o %t.decomposed.mlir
// RUN: mlir-opt %t.decomposed.mlir --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func softmax \
// RUN:   --args 'f32[batch,seq]=-4..4' --results 'f32[batch,seq]' \
// RUN:   --dims 'batch=1,2,3;seq=1,4,5,9' --out-of-range 'batch=4;seq=2' \
// RUN:   --out-of-range 'batch=1;seq=10' --rtol 1e-5 --atol 1e-6 | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 14 passed, 0 failed

func.func @softmax(%x: tensor<?x?xf32> {bucket.dims = ["batch", "seq"]}) -> tensor<?x?xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%b, %s) : tensor<?x?xf32>
  %r = linalg.softmax dimension(1) ins(%x : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
