// Generated code must not write into a caller's arguments (the runtime
// promises they are only read). One-shot bufferization would otherwise treat
// function arguments as writable: an op whose init (outs) operand is an
// argument would update it in place, here the static %g that is passed to
// the specialization unpadded. bucket-compile marks every argument
// `bufferization.writable = false`; the harness fails a shape whose call
// modifies an argument.

// RUN: bucket-compile %s --buckets 'seq=4,8' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func scale \
// RUN:   --args 'f32[seq,4];f32[4]' --results 'f32[seq,4];f32[4]' \
// RUN:   --dims 'seq=1..8' --out-of-range 'seq=9' | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 9 passed, 0 failed

#sd   = affine_map<(s, d) -> (s, d)>
#d_sd = affine_map<(s, d) -> (d)>
#d    = affine_map<(d) -> (d)>

func.func @scale(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}, %g: tensor<4xf32>)
    -> (tensor<?x4xf32>, tensor<4xf32>) attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %seq = tensor.dim %x, %c0 : tensor<?x4xf32>
  // g2 = 2 g, with g as the init operand: bufferized in place into g.
  %g2 = linalg.generic {indexing_maps = [#d, #d], iterator_types = ["parallel"]}
      ins(%g : tensor<4xf32>) outs(%g : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %e = tensor.empty(%seq) : tensor<?x4xf32>
  %y = linalg.generic {indexing_maps = [#sd, #d_sd, #sd], iterator_types = ["parallel", "parallel"]}
      ins(%x, %g2 : tensor<?x4xf32>, tensor<4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<?x4xf32>
  return %y, %g2 : tensor<?x4xf32>, tensor<4xf32>
}
