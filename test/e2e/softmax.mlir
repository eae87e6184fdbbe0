// End-to-end: softmax over the bucketed axis of the input itself. Zero
// padding would add exp(0 - max) per padded position to the denominator; the
// padding analysis pads with -inf (max's neutral element, and exp(-inf) = 0).
// Lengths 1..16 for 2 rows, within 1e-5 (vectorized exp);
// 17 out of range.

// RUN: bucket-compile %s --buckets 'seq=4,8,16' --emit=mlir -o - | FileCheck %s --check-prefix=IR
// IR-LABEL: func.func @softmax(
// IR:         %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// IR:         tensor.pad
// IR-NEXT:    ^bb0
// IR-NEXT:      tensor.yield %[[NINF]] : f32

// RUN: bucket-compile %s --buckets 'seq=4,8,16' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --rtol 1e-5 --atol 1e-6 --func softmax \
// RUN:   --args 'f32[2,seq]=-3..3' --results 'f32[2,seq]' --dims 'seq=1..16' \
// RUN:   --out-of-range 'seq=17' | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 17 passed, 0 failed

#bs = affine_map<(b, s) -> (b, s)>
#b  = affine_map<(b, s) -> (b)>

func.func @softmax(%x: tensor<2x?xf32> {bucket.dims = ["", "seq"]}) -> tensor<2x?xf32>
    attributes {llvm.emit_c_interface} {
  %c1 = arith.constant 1 : index
  %ns = tensor.dim %x, %c1 : tensor<2x?xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<2xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%e1 : tensor<2xf32>) -> tensor<2xf32>
  %max = linalg.generic {indexing_maps = [#bs, #b], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<2x?xf32>) outs(%mi : tensor<2xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<2xf32>
  %e2 = tensor.empty(%ns) : tensor<2x?xf32>
  %ex = linalg.generic {indexing_maps = [#bs, #b, #bs], iterator_types = ["parallel", "parallel"]}
      ins(%x, %max : tensor<2x?xf32>, tensor<2xf32>) outs(%e2 : tensor<2x?xf32>) {
  ^bb0(%v: f32, %m: f32, %o: f32):
    %d = arith.subf %v, %m : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<2x?xf32>
  %zi = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2xf32>) -> tensor<2xf32>
  %sum = linalg.generic {indexing_maps = [#bs, #b], iterator_types = ["parallel", "reduction"]}
      ins(%ex : tensor<2x?xf32>) outs(%zi : tensor<2xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %a = arith.addf %acc, %v : f32
    linalg.yield %a : f32
  } -> tensor<2xf32>
  %p = linalg.generic {indexing_maps = [#bs, #b, #bs], iterator_types = ["parallel", "parallel"]}
      ins(%ex, %sum : tensor<2x?xf32>, tensor<2xf32>) outs(%e2 : tensor<2x?xf32>) {
  ^bb0(%v: f32, %t: f32, %o: f32):
    %r = arith.divf %v, %t : f32
    linalg.yield %r : f32
  } -> tensor<2x?xf32>
  return %p : tensor<2x?xf32>
}
