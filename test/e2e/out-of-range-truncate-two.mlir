// End-to-end: truncation crops every argument bound to the truncated
// dimension, not only the one the dimension is read from. x and y share
// 'seq'; past the largest bucket (8) both are cropped to their first 8 rows
// (a dispatcher that cropped x only would read y's rows past 8 into the
// bucket and overflow its buffer). The reference
// (Inputs/dot-truncated.mlir) crops both explicitly.

// RUN: bucket-compile %s --buckets 'seq=2,4,8' --out-of-range 'seq=truncate' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %S/Inputs/dot-truncated.mlir --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --rtol 1e-5 --atol 1e-6 --func coldot \
// RUN:   --args 'f32[seq,4];f32[seq,4]' --results 'f32[4]' --dims 'seq=1..20' | FileCheck %s

// The dispatcher slices both arguments to the truncated length.
// RUN: bucket-compile %s --buckets 'seq=2,4,8' --out-of-range 'seq=truncate' --emit=mlir | FileCheck %s --check-prefix=IR
// IR-LABEL: func.func @coldot(
// IR-SAME:    %[[X:[a-z0-9]+]]: tensor<?x4xf32>
// IR-SAME:    %[[Y:[a-z0-9]+]]: tensor<?x4xf32>
// IR-DAG:     tensor.extract_slice %[[X]][0, 0] [%[[M:.*]], 4] [1, 1]
// IR-DAG:     tensor.extract_slice %[[Y]][0, 0] [%[[M]], 4] [1, 1]

// CHECK-NOT: FAIL
// CHECK: compare: 20 passed, 0 failed

#rd = affine_map<(r, d) -> (r, d)>
#d  = affine_map<(r, d) -> (d)>

func.func @coldot(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]},
                  %y: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<4xf32>
    attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#rd, #rd, #d], iterator_types = ["reduction", "parallel"]}
      ins(%x, %y : tensor<?x4xf32>, tensor<?x4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
