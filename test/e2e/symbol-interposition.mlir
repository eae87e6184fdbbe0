// End-to-end: a model function named like a libc function (`step`, from
// <regexp.h>) calls its own specializations and C interface, not libc's:
// the object's functions have protected visibility, so calls between them
// bind inside the shared library even without -Bsymbolic. Before, the
// dispatcher's call to `step` went to libc's step() and hung. The reference
// (upstream's lowering) is linked with -Bsymbolic to get the same binding.

// RUN: bucket-compile %s --buckets 'n=4,8' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -Wl,-Bsymbolic -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: timeout 60 bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func step \
// RUN:   --args 'f32[n]' --results 'f32[n]' --dims 'n=1..8' --out-of-range 'n=9' | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 9 passed, 0 failed

#v = affine_map<(i) -> (i)>
func.func @step(%x: tensor<?xf32> {bucket.dims = ["n"]}) -> tensor<?xf32> attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %one = arith.constant 1.0 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#v, #v], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %one : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
