// End-to-end: a cumulative sum along the bucketed axis (padding at the end),
// out[i] = sum over j <= i of x[j], written as a reduction with a
// triangular select. Safe with zero padding; lengths 1..12 bit for bit.

// RUN: bucket-compile %s --buckets 'seq=3,6,12' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func cumsum \
// RUN:   --args 'f32[seq]' --results 'f32[seq]' --dims 'seq=1..12' \
// RUN:   --out-of-range 'seq=13' | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 13 passed, 0 failed

#j = affine_map<(i, j) -> (j)>
#i = affine_map<(i, j) -> (i)>

func.func @cumsum(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#j, #i], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %ii = linalg.index 0 : index
    %jj = linalg.index 1 : index
    %in = arith.cmpi ule, %jj, %ii : index
    %s = arith.addf %acc, %v : f32
    %r = arith.select %in, %s, %acc : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
