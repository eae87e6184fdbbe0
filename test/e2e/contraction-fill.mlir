// End-to-end: contractions that accumulate into a zero fill, which the static
// buckets start from the constant instead of the filled tensor
// (bucket-tile-and-vectorize): one over two reduction dimensions, where the
// fill must stay outside both reduction loops, and a batch matmul sharing the
// same fill, as the attention layers of a model do after CSE. Bucket sizes
// the register tile does not divide (5, 13, 16 rows) split the rows as well.
//
// Reference: the original module lowered by upstream mlir-opt with the
// pipeline bucket-compile prints; every row count 1..16 is compared, 17 must
// be reported out of range.

// RUN: bucket-compile %s --buckets 'rows=5,13,16' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func contract \
// RUN:   --args 'f32[rows,4,8];f32[4,8,32];f32[2,rows,8];f32[2,8,32]' \
// RUN:   --results 'f32[rows,32];f32[2,rows,32]' \
// RUN:   --dims 'rows=1..16' --out-of-range 'rows=17' --rtol 1e-5 --atol 1e-6 | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 17 passed, 0 failed

func.func @contract(%a: tensor<?x4x8xf32> {bucket.dims = ["rows", "", ""]},
                    %b: tensor<4x8x32xf32>,
                    %x: tensor<2x?x8xf32> {bucket.dims = ["", "rows", ""]},
                    %y: tensor<2x8x32xf32>)
    -> (tensor<?x32xf32>, tensor<2x?x32xf32>) attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %rows = tensor.dim %a, %c0 : tensor<?x4x8xf32>
  %e = tensor.empty(%rows) : tensor<?x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %r = linalg.generic {
      indexing_maps = [affine_map<(m, n, k1, k2) -> (m, k1, k2)>,
                       affine_map<(m, n, k1, k2) -> (k1, k2, n)>,
                       affine_map<(m, n, k1, k2) -> (m, n)>],
      iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : tensor<?x4x8xf32>, tensor<4x8x32xf32>) outs(%f : tensor<?x32xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %e3 = tensor.empty(%rows) : tensor<2x?x32xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x?x32xf32>) -> tensor<2x?x32xf32>
  %bm = linalg.batch_matmul ins(%x, %y : tensor<2x?x8xf32>, tensor<2x8x32xf32>)
                            outs(%f3 : tensor<2x?x32xf32>) -> tensor<2x?x32xf32>
  %bm2 = linalg.batch_matmul ins(%x, %y : tensor<2x?x8xf32>, tensor<2x8x32xf32>)
                             outs(%f3 : tensor<2x?x32xf32>) -> tensor<2x?x32xf32>
  %sum = linalg.add ins(%bm, %bm2 : tensor<2x?x32xf32>, tensor<2x?x32xf32>)
                    outs(%e3 : tensor<2x?x32xf32>) -> tensor<2x?x32xf32>
  return %r, %sum : tensor<?x32xf32>, tensor<2x?x32xf32>
}
