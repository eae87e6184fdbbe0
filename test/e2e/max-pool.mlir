// End-to-end: 1-D max pooling (window 3, stride 1) with "same" padding over
// the bucketed axis. The model pads with -inf itself; the padding analysis
// pads the input with -inf too, so the last real window sees -inf past the
// real data exactly as in the original. Widths 1..16 (edges 1, 4, 5, 8, 9,
// 16) against the reference, 17 out of range.

// RUN: bucket-compile %s --buckets 'w=4,8,16' --emit=mlir -o - | FileCheck %s --check-prefix=IR
// IR-LABEL: func.func @max_pool(
// IR:         %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// IR:         tensor.pad
// IR-NEXT:    ^bb0
// IR-NEXT:      tensor.yield %[[NINF]] : f32

// RUN: bucket-compile %s --buckets 'w=4,8,16' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func max_pool \
// RUN:   --args 'f32[3,w]' --results 'f32[3,w]' --dims 'w=1..16' \
// RUN:   --out-of-range 'w=17' | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 17 passed, 0 failed

#in  = affine_map<(c, o, k) -> (c, o + k)>
#win = affine_map<(c, o, k) -> (k)>
#out = affine_map<(c, o, k) -> (c, o)>

func.func @max_pool(%x: tensor<3x?xf32> {bucket.dims = ["", "w"]}) -> tensor<3x?xf32>
    attributes {llvm.emit_c_interface} {
  %c1 = arith.constant 1 : index
  %ninf = arith.constant 0xFF800000 : f32
  %w = tensor.dim %x, %c1 : tensor<3x?xf32>
  %p = tensor.pad %x low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %ninf : f32
  } : tensor<3x?xf32> to tensor<3x?xf32>
  %window = tensor.empty() : tensor<3xf32>
  %e = tensor.empty(%w) : tensor<3x?xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<3x?xf32>) -> tensor<3x?xf32>
  %r = linalg.generic {indexing_maps = [#in, #win, #out],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p, %window : tensor<3x?xf32>, tensor<3xf32>) outs(%init : tensor<3x?xf32>) {
  ^bb0(%v: f32, %unused: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<3x?xf32>
  return %r : tensor<3x?xf32>
}
