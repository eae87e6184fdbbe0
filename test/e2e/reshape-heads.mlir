// End-to-end: PyTorch's multi-head reshapes on a padded batch dimension.
// [seq, batch, 8] is split into heads [seq, batch, 2, 4], merged into
// [seq, batch * 2, 4] (the padded batch merged with the static heads: its
// padding stays at the end of the merged dimension), transformed row by
// row, reduced over seq with `acc - x` (zero is neutral on the subtracted
// side), and split back. Results: the merged tensor [seq, 2 * batch, 4]
// (cropped to twice the real batch), the per-head sums [2 * batch, 4] and
// the split tensor [seq, batch, 2, 4].
//
// Grid seq = 2,5 x batch = 1,3; edges: seq 1,2,3,5 and batch 1,2,3, plus
// out of range in each dimension.

// RUN: bucket-compile %s --buckets 'seq=2,5;batch=1,3' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func heads \
// RUN:   --args 'f32[seq,batch,8]' --results 'f32[seq,?,4];f32[?,4];f32[seq,batch,2,4]' \
// RUN:   --dims 'seq=1,2,3,5;batch=1,2,3' --out-of-range 'seq=6;batch=1' \
// RUN:   --out-of-range 'seq=1;batch=4' --rtol 1e-5 --atol 1e-6 | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 14 passed, 0 failed

#id3 = affine_map<(i, j, k) -> (i, j, k)>
#jk = affine_map<(i, j, k) -> (j, k)>
func.func @heads(%x: tensor<?x?x8xf32> {bucket.dims = ["seq", "batch", ""]})
    -> (tensor<?x?x4xf32>, tensor<?x4xf32>, tensor<?x?x2x4xf32>)
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %zero = arith.constant 0.0 : f32
  %s = tensor.dim %x, %c0 : tensor<?x?x8xf32>
  %b = tensor.dim %x, %c1 : tensor<?x?x8xf32>
  %bh = arith.muli %b, %c2 : index
  %split = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [%s, %b, 2, 4]
      : tensor<?x?x8xf32> into tensor<?x?x2x4xf32>
  %merged = tensor.collapse_shape %split [[0], [1, 2], [3]]
      : tensor<?x?x2x4xf32> into tensor<?x?x4xf32>
  %e = tensor.empty(%s, %bh) : tensor<?x?x4xf32>
  %y = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%merged : tensor<?x?x4xf32>) outs(%e : tensor<?x?x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    %u = arith.mulf %t, %in : f32
    linalg.yield %u : f32
  } -> tensor<?x?x4xf32>
  %e2 = tensor.empty(%bh) : tensor<?x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %neg = linalg.generic {indexing_maps = [#id3, #jk], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%y : tensor<?x?x4xf32>) outs(%f : tensor<?x4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %d = arith.subf %acc, %in : f32
    linalg.yield %d : f32
  } -> tensor<?x4xf32>
  %back = tensor.expand_shape %y [[0], [1, 2], [3]] output_shape [%s, %b, 2, 4]
      : tensor<?x?x4xf32> into tensor<?x?x2x4xf32>
  return %y, %neg, %back : tensor<?x?x4xf32>, tensor<?x4xf32>, tensor<?x?x2x4xf32>
}
