// End-to-end state with a bucketed batch (docs/State.md): one decode step of
// single-head attention for a batch of sequences, each with its own row of a
// key cache of capacity 4 sequences x 16 positions, marked bucket.state and
// tied to result 1. Both the batch (the rows of %x) and the valid length
// (the length of %positions) are bucketed: batch = 1, 2, 4 x len = 4, 8, 16.
// The new keys are written one sequence at a time, in a loop to the batch
// size, which each bucket runs to the real batch: a bucket of 4 called with
// 3 sequences reads row 3 of the cache (its attention output is cropped)
// but never writes it. Writing the bucket's rows at once is refused
// (bucket-specialize-functions-state-invalid.mlir, @batch_rows).
//
// Compared with upstream mlir-opt's lowering at every batch 1..4 and length
// 1..16 (the outputs and the whole updated cache) and out of range at
// batch 5 and length 17, twice: with random data everywhere, and poisoned:
// NaN in the cache rows of the padded sequences (batch index >= batch) and
// past the valid length. The real outputs and every byte of the cache but
// the written entries [0, batch) x {len - 1} must equal the reference's,
// whose loop touches only the real sequences: a bucket writing a padded
// sequence's row would replace a NaN there and fail the comparison.

// RUN: bucket-compile %s -o %t.b.o 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func decode_batch \
// RUN:   --args 'f32[batch,4];f32[4,16,4];i64[len]' --results 'f32[batch,4];f32[4,16,4]' --state 1=1 \
// RUN:   --dims 'batch=1..4;len=1..16' --out-of-range 'batch=5;len=3' --out-of-range 'batch=2;len=17' \
// RUN:   --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func decode_batch \
// RUN:   --args 'f32[batch,4];f32[4,16,4]=stale:batch,len;i64[len]' --results 'f32[batch,4];f32[4,16,4]' --state 1=1 \
// RUN:   --dims 'batch=1..4;len=1..16' --out-of-range 'batch=5;len=3' --out-of-range 'batch=2;len=17' \
// RUN:   --rtol 1e-5 --atol 1e-6 | FileCheck %s

// REMARK: remark: masked the padded iterations along 'len'

// CHECK-NOT: FAIL
// CHECK: compare: 66 passed, 0 failed

#xd  = affine_map<(i, j, d) -> (i, d)>
#ijd = affine_map<(i, j, d) -> (i, j, d)>
#ij3 = affine_map<(i, j, d) -> (i, j)>
#ij  = affine_map<(i, j) -> (i, j)>
#i2  = affine_map<(i, j) -> (i)>
#id  = affine_map<(i, d) -> (i, d)>
#i   = affine_map<(i, d) -> (i)>
func.func @decode_batch(%x: tensor<?x4xf32> {bucket.dims = ["batch", ""]},
                        %cache: tensor<4x16x4xf32> {bucket.state, bucket.tied_result = 1 : i64},
                        %positions: tensor<?xi64> {bucket.dims = ["len"]})
    -> (tensor<?x4xf32>, tensor<4x16x4xf32>)
    attributes {llvm.emit_c_interface, bucket.buckets = "batch=1,2,4;len=4,8,16"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %b = tensor.dim %x, %c0 : tensor<?x4xf32>
  %len = tensor.dim %positions, %c0 : tensor<?xi64>
  %pos = arith.subi %len, %c1 : index
  // One sequence at a time: a bucket runs the loop to the real batch, so
  // the padded rows of %x never reach the cache.
  %upd = scf.for %i = %c0 to %b step %c1 iter_args(%c = %cache) -> (tensor<4x16x4xf32>) {
    %row = tensor.extract_slice %x[%i, 0] [1, 4] [1, 1] : tensor<?x4xf32> to tensor<1x4xf32>
    %put = tensor.insert_slice %row into %c[%i, %pos, 0] [1, 1, 4] [1, 1, 1] : tensor<1x4xf32> into tensor<4x16x4xf32>
    scf.yield %put : tensor<4x16x4xf32>
  }
  %keys = tensor.extract_slice %upd[0, 0, 0] [%b, %len, 4] [1, 1, 1] : tensor<4x16x4xf32> to tensor<?x?x4xf32>
  %es = tensor.empty(%b, %len) : tensor<?x?xf32>
  %fs = linalg.fill ins(%zero : f32) outs(%es : tensor<?x?xf32>) -> tensor<?x?xf32>
  %s = linalg.generic {indexing_maps = [#ijd, #xd, #ij3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%keys, %x : tensor<?x?x4xf32>, tensor<?x4xf32>) outs(%fs : tensor<?x?xf32>) {
  ^bb0(%k: f32, %q: f32, %acc: f32):
    %m = arith.mulf %k, %q : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %eb = tensor.empty(%b) : tensor<?xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%eb : tensor<?xf32>) -> tensor<?xf32>
  %mx = linalg.generic {indexing_maps = [#ij, #i2], iterator_types = ["parallel", "reduction"]}
      ins(%s : tensor<?x?xf32>) outs(%m0 : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %ex = linalg.generic {indexing_maps = [#ij, #i2, #ij], iterator_types = ["parallel", "parallel"]}
      ins(%s, %mx : tensor<?x?xf32>, tensor<?xf32>) outs(%es : tensor<?x?xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<?x?xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%eb : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.generic {indexing_maps = [#ij, #i2], iterator_types = ["parallel", "reduction"]}
      ins(%ex : tensor<?x?xf32>) outs(%z0 : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %eo = tensor.empty(%b) : tensor<?x4xf32>
  %fo = linalg.fill ins(%zero : f32) outs(%eo : tensor<?x4xf32>) -> tensor<?x4xf32>
  %o = linalg.generic {indexing_maps = [#ij3, #ijd, #xd], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%ex, %keys : tensor<?x?xf32>, tensor<?x?x4xf32>) outs(%fo : tensor<?x4xf32>) {
  ^bb0(%p: f32, %k: f32, %acc: f32):
    %m = arith.mulf %p, %k : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<?x4xf32>
  %out = linalg.generic {indexing_maps = [#id, #i, #id], iterator_types = ["parallel", "parallel"]}
      ins(%o, %sum : tensor<?x4xf32>, tensor<?xf32>) outs(%eo : tensor<?x4xf32>) {
  ^bb0(%a: f32, %n: f32, %c: f32):
    %d = arith.divf %a, %n : f32
    linalg.yield %d : f32
  } -> tensor<?x4xf32>
  return %out, %upd : tensor<?x4xf32>, tensor<4x16x4xf32>
}
