// End-to-end: single-head attention with a BERT-style additive mask,
//   scores = q k^T / sqrt(8) + (1 - mask[k]) * -10000,
//   ctx    = softmax_k(scores) v,
// with the mask declared (bucket.mask). Padded keys get -10000 like padding
// tokens do, exp underflows to exactly 0, and the results are bit-identical
// to the original at every length 1..16 (masks with trailing zeros, as
// tokenizers pad). The same module compiled with --self-check reports no
// difference between buckets.

// RUN: bucket-compile %s --buckets 'seq=4,8,16' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func attention \
// RUN:   --args 'f32[seq,8];f32[seq,8];f32[seq,8];i64[seq]=mask' --results 'f32[seq,8]' \
// RUN:   --dims 'seq=1..16' --out-of-range 'seq=17' --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: bucket-compile %s --buckets 'seq=4,8,16' --self-check -o %t.sc.o
// RUN: clang -shared %t.sc.o -o %t.sc.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.sc.so --func attention \
// RUN:   --args 'f32[seq,8];f32[seq,8];f32[seq,8];i64[seq]=mask' --results 'f32[seq,8]' \
// RUN:   --dims 'seq=1..16' --rtol 1e-5 --atol 1e-6 2>&1 | FileCheck %s --check-prefix=SELF

// CHECK-NOT: FAIL
// CHECK: compare: 17 passed, 0 failed
// SELF-NOT: self-check
// SELF: compare: 16 passed, 0 failed

#qd  = affine_map<(q, k, d) -> (q, d)>
#kd  = affine_map<(q, k, d) -> (k, d)>
#qk3 = affine_map<(q, k, d) -> (q, k)>
#qk  = affine_map<(q, k) -> (q, k)>
#k   = affine_map<(q, k) -> (k)>
#q   = affine_map<(q, k) -> (q)>
#s   = affine_map<(s) -> (s)>

func.func @attention(%qm: tensor<?x8xf32> {bucket.dims = ["seq", ""]},
                     %km: tensor<?x8xf32> {bucket.dims = ["seq", ""]},
                     %vm: tensor<?x8xf32> {bucket.dims = ["seq", ""]},
                     %mask: tensor<?xi64> {bucket.dims = ["seq"], bucket.mask})
    -> tensor<?x8xf32> attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %mask, %c0 : tensor<?xi64>
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %big = arith.constant -10000.0 : f32
  %scale = arith.constant 0.35355339 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %es = tensor.empty(%n) : tensor<?xf32>
  %bias = linalg.generic {indexing_maps = [#s, #s], iterator_types = ["parallel"]}
      ins(%mask : tensor<?xi64>) outs(%es : tensor<?xf32>) {
  ^bb0(%m: i64, %o: f32):
    %mf = arith.sitofp %m : i64 to f32
    %p = arith.subf %one, %mf : f32
    %b = arith.mulf %p, %big : f32
    linalg.yield %b : f32
  } -> tensor<?xf32>
  %ess = tensor.empty(%n, %n) : tensor<?x?xf32>
  %zss = linalg.fill ins(%zero : f32) outs(%ess : tensor<?x?xf32>) -> tensor<?x?xf32>
  %dot = linalg.generic {indexing_maps = [#qd, #kd, #qk3],
                         iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%qm, %km : tensor<?x8xf32>, tensor<?x8xf32>) outs(%zss : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  %sc = linalg.generic {indexing_maps = [#qk, #k, #qk], iterator_types = ["parallel", "parallel"]}
      ins(%dot, %bias : tensor<?x?xf32>, tensor<?xf32>) outs(%ess : tensor<?x?xf32>) {
  ^bb0(%d: f32, %b: f32, %o: f32):
    %scaled = arith.mulf %d, %scale : f32
    %r = arith.addf %scaled, %b : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%es : tensor<?xf32>) -> tensor<?xf32>
  %max = linalg.generic {indexing_maps = [#qk, #q], iterator_types = ["parallel", "reduction"]}
      ins(%sc : tensor<?x?xf32>) outs(%mi : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  %ex = linalg.generic {indexing_maps = [#qk, #q, #qk], iterator_types = ["parallel", "parallel"]}
      ins(%sc, %max : tensor<?x?xf32>, tensor<?xf32>) outs(%ess : tensor<?x?xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %zi = linalg.fill ins(%zero : f32) outs(%es : tensor<?xf32>) -> tensor<?xf32>
  %den = linalg.generic {indexing_maps = [#qk, #q], iterator_types = ["parallel", "reduction"]}
      ins(%ex : tensor<?x?xf32>) outs(%zi : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  %pr = linalg.generic {indexing_maps = [#qk, #q, #qk], iterator_types = ["parallel", "parallel"]}
      ins(%ex, %den : tensor<?x?xf32>, tensor<?xf32>) outs(%ess : tensor<?x?xf32>) {
  ^bb0(%a: f32, %d: f32, %o: f32):
    %r = arith.divf %a, %d : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %e8 = tensor.empty(%n) : tensor<?x8xf32>
  %z8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %ctx = linalg.matmul ins(%pr, %vm : tensor<?x?xf32>, tensor<?x8xf32>)
                       outs(%z8 : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %ctx : tensor<?x8xf32>
}
