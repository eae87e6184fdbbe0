// End-to-end: an embedding lookup (a generic whose body reads a constant
// table with tensor.extract at a row from the data) that also adds a
// per-column bias, a static input of 4 elements. The code generation hoists
// the one-element inputs of such bodies out of the loop; the bias has four
// and must stay per column (a bias read as its first element would be
// wrong in columns 1..3).
//
// Reference: the original module lowered by upstream mlir-opt with the
// pipeline bucket-compile prints; every length 1..8, 9 out of range.

// RUN: bucket-compile %s --buckets 'n=3,8' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func lookup \
// RUN:   --args 'i64[n]=0..4;f32[4]' --results 'f32[n,4]' \
// RUN:   --dims 'n=1..8' --out-of-range 'n=9' | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 9 passed, 0 failed

func.func @lookup(%ids: tensor<?xi64> {bucket.dims = ["n"]},
                  %bias: tensor<4xf32>) -> tensor<?x4xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %ids, %c0 : tensor<?xi64>
  %table = arith.constant dense<[[0.5, -1.0, 0.25, 2.0],
                                 [1.5, 0.75, -0.5, 0.125],
                                 [-1.5, 0.125, 1.0, -2.0],
                                 [0.0625, -2.0, 0.375, 3.0],
                                 [4.0, 0.5, -0.25, 1.0]]> : tensor<5x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %r = linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (j)>,
                       affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%ids, %bias : tensor<?xi64>, tensor<4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%id: i64, %b: f32, %o: f32):
    %row = arith.index_cast %id : i64 to index
    %col = linalg.index 1 : index
    %v = tensor.extract %table[%row, %col] : tensor<5x4xf32>
    %s = arith.addf %v, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
