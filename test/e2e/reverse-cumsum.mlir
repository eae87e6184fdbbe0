// End-to-end: a cumulative sum read backwards. The input is reversed with
// x[n - 1 - i] inside a linalg body (n the real length, --padding=repair),
// summed cumulatively, and the sums are read backwards again: out[i] is the
// sum of x[i..n). In a bucket, the padded iterations of the reversing
// generics would read before the start; their indices are clamped to the
// bucket's bounds, and what they read only reaches cropped positions.
// Compared with upstream mlir-opt's lowering at every length 1..12 (buckets
// 3, 6, 12) and 13 out of range; --padding=prove refuses it.

// RUN: not bucket-compile %s --padding=prove --buckets 'seq=3,6,12' -o /dev/null 2>&1 | FileCheck %s --check-prefix=PROVE
// RUN: bucket-compile %s --buckets 'seq=3,6,12' --emit=mlir -o - | FileCheck %s --check-prefix=IR
// RUN: bucket-compile %s --buckets 'seq=3,6,12' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func suffix_sums \
// RUN:   --args 'f32[seq]' --results 'f32[seq]' --dims 'seq=1..12' \
// RUN:   --out-of-range 'seq=13' --rtol 1e-6 --atol 1e-6 | FileCheck %s

// PROVE: error: 'linalg.generic' uses the size of padded dimension 'seq' (argument 0, dimension 0) as a value (in 'tensor.extract')

// The bucket of 6 reads its real length and clamps the reversed index to 5.
// IR-LABEL: func.func private @suffix_sums_seq6(
// IR-SAME:      %[[REAL:[^:]*]]: index)
// IR:         arith.minui %{{.*}}, %c5

// CHECK-NOT: FAIL
// CHECK: compare: 13 passed, 0 failed

#v = affine_map<(i) -> (i)>
#j = affine_map<(i, j) -> (j)>
#i = affine_map<(i, j) -> (i)>

func.func @suffix_sums(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %last = arith.subi %n, %c1 : index
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %rev = linalg.generic {indexing_maps = [#v], iterator_types = ["parallel"]}
      outs(%e : tensor<?xf32>) {
  ^bb0(%o: f32):
    %k = linalg.index 0 : index
    %src = arith.subi %last, %k : index
    %v = tensor.extract %x[%src] : tensor<?xf32>
    linalg.yield %v : f32
  } -> tensor<?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %cum = linalg.generic {indexing_maps = [#j, #i], iterator_types = ["parallel", "reduction"]}
      ins(%rev : tensor<?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %ii = linalg.index 0 : index
    %jj = linalg.index 1 : index
    %in = arith.cmpi ule, %jj, %ii : index
    %s = arith.addf %acc, %v : f32
    %r = arith.select %in, %s, %acc : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %out = linalg.generic {indexing_maps = [#v], iterator_types = ["parallel"]}
      outs(%e : tensor<?xf32>) {
  ^bb0(%o: f32):
    %k = linalg.index 0 : index
    %src = arith.subi %last, %k : index
    %v = tensor.extract %cum[%src] : tensor<?xf32>
    linalg.yield %v : f32
  } -> tensor<?xf32>
  return %out : tensor<?xf32>
}
