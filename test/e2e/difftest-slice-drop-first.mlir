// End-to-end: a slice of a padded dimension that drops its first rows and
// reaches the end (x[2:] along seq, size seq - 2, as in a shifted difference).
// The bucket's padding stays at the end of the slice, so the analysis accepts
// it (the slice "reaches the end" only because size + offset = seq: a rule
// that ignored the offset would refuse it). Kills the mutant
// ana-slice-to-end of scripts/mutate.py. Edges: 3 (the smallest real size
// with a non-empty result), each bucket, one past it, the largest, one past.

// RUN: bucket-compile %s --buckets 'seq=4,8' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func diff \
// RUN:   --args 'f32[seq,4]' --results 'f32[?,4]' --dims 'seq=3..8' \
// RUN:   --out-of-range 'seq=9' --rtol 1e-6 --atol 1e-6 | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 7 passed, 0 failed

func.func @diff(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<?x4xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %s = tensor.dim %x, %c0 : tensor<?x4xf32>
  %n = arith.subi %s, %c2 : index
  %tail = tensor.extract_slice %x[2, 0] [%n, 4] [1, 1] : tensor<?x4xf32> to tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                        affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%tail : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.mulf %in, %in : f32
    linalg.yield %t : f32
  } -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
