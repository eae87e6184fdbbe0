// End-to-end: a max over the bucketed axis. The padding analysis pads the
// input with -inf (max's neutral element), so the padded rows never win, even
// when every real value is negative.

// RUN: bucket-compile %s --buckets 'rows=4,8' --emit=mlir -o - | FileCheck %s --check-prefix=IR
// IR-LABEL: func.func @column_max(
// IR:         %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// IR:         tensor.pad
// IR-NEXT:    ^bb0
// IR-NEXT:      tensor.yield %[[NINF]] : f32
// RUN: bucket-compile %s --buckets 'rows=4,8' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func column_max \
// RUN:   --args 'f32[rows,4]=-2..-1' --results 'f32[4]' --dims 'rows=1..8' \
// RUN:   | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 8 passed, 0 failed

#rd   = affine_map<(r, d) -> (r, d)>
#d_rd = affine_map<(r, d) -> (d)>

func.func @column_max(%x: tensor<?x4xf32> {bucket.dims = ["rows", ""]}) -> tensor<4xf32>
    attributes {llvm.emit_c_interface} {
  %neg_inf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%neg_inf : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %max = linalg.generic {indexing_maps = [#rd, #d_rd], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.maximumf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %max : tensor<4xf32>
}
