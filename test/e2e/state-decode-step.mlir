// End-to-end state buffers (docs/State.md): one decode step of single-head
// attention over a key cache of capacity 16, marked bucket.state and tied to
// result 1, updated in place. The valid length is the length of %positions
// (a bucketed dimension, len = 4, 8, 16); the new key is written at len - 1
// and the output attends over cache[0, len). In a bucket the slice reads the
// bucket's length of the cache: the rows past the real length hold whatever
// the cache holds there, so the analysis treats them as padding that may be
// anything and masks the softmax and the weighted sum.
//
// Compared with upstream mlir-opt's lowering at every length 1..16 (the
// output and the whole updated cache) and 17 out of range, twice: with
// random rows past len, and with NaN there (the poison check: outputs and
// every row but len - 1 unchanged). --state 1=1 makes the harness require
// that result 1 is the caller's own buffer (no copy) and that an
// out-of-range call leaves it unchanged. state-runtime.c then calls it
// through the generated header and the runtime: the state result is the
// caller's cache and the runtime copied 0 bytes of state.

// RUN: bucket-compile %s -o %t.b.o 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func decode_step \
// RUN:   --args 'f32[4];f32[16,4];i64[len]' --results 'f32[4];f32[16,4]' --state 1=1 \
// RUN:   --dims 'len=1..16' --out-of-range 'len=17' --rtol 1e-5 --atol 1e-6 | FileCheck %s
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func decode_step \
// RUN:   --args 'f32[4];f32[16,4]=stale:len;i64[len]' --results 'f32[4];f32[16,4]' --state 1=1 \
// RUN:   --dims 'len=1..16' --out-of-range 'len=17' --rtol 1e-5 --atol 1e-6 | FileCheck %s

// RUN: rm -rf %t.dir && mkdir -p %t.dir
// RUN: bucket-compile %s -o %t.dir/state.o --header %t.dir/state.h --model-name state 2>/dev/null
// RUN: %host_cc -std=c11 -Wall -Wextra -Werror -ffp-contract=off \
// RUN:   -I%t.dir -I%bucket_runtime_include %S/state-runtime.c %t.dir/state.o \
// RUN:   -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm -o %t.dir/state-runtime
// RUN: env BUCKET_STATS=1 %t.dir/state-runtime 2>&1 | FileCheck %s --check-prefix=RUNTIME

// RUNTIME-NOT: FAILED
// RUNTIME:      steps: lengths 1..16 checked, 0 failures
// RUNTIME-NEXT: state: 16 calls, 0 bytes copied
// RUNTIME-NEXT: len 17: OUT_OF_RANGE {{.*}}'len' = 17 exceeds the largest bucket size 16
// RUNTIME-NEXT: capacity 8: INVALID_ARGUMENT decode_step: state argument 1 has shape [8, 4], expected its capacity [16, 4]
// RUNTIME-NEXT: f64 cache: INVALID_ARGUMENT decode_step: state argument 1 has element type f64, expected f32
// RUNTIME-NEXT: result elsewhere: INVALID_ARGUMENT decode_step: result 1 is state argument 1 updated in place: pass it with data NULL or with the argument's data, not other memory
// RUNTIME-NEXT: state-runtime: 0 failures
// RUNTIME:      bucket state: 16 calls with a state, 0 bytes of state copied

// REMARK: remark: masked the padded iterations along 'len'

// CHECK-NOT: FAIL
// CHECK: compare: 17 passed, 0 failed

#sq = affine_map<(j, d) -> (j, d)>
#qd = affine_map<(j, d) -> (d)>
#j  = affine_map<(j, d) -> (j)>
#v  = affine_map<(j) -> (j)>
#s0 = affine_map<(j) -> ()>
func.func @decode_step(%x: tensor<4xf32>, %cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64},
                %positions: tensor<?xi64> {bucket.dims = ["len"]}) -> (tensor<4xf32>, tensor<16x4xf32>)
    attributes {llvm.emit_c_interface, bucket.buckets = "len=4,8,16"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %len = tensor.dim %positions, %c0 : tensor<?xi64>
  %pos = arith.subi %len, %c1 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %row = tensor.expand_shape %x [[0, 1]] output_shape [1, 4] : tensor<4xf32> into tensor<1x4xf32>
  %upd = tensor.insert_slice %row into %cache[%pos, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<16x4xf32>
  %keys = tensor.extract_slice %upd[0, 0] [%len, 4] [1, 1] : tensor<16x4xf32> to tensor<?x4xf32>
  %es = tensor.empty(%len) : tensor<?xf32>
  %fs = linalg.fill ins(%zero : f32) outs(%es : tensor<?xf32>) -> tensor<?xf32>
  %s = linalg.generic {indexing_maps = [#sq, #qd, #j], iterator_types = ["parallel", "reduction"]}
      ins(%keys, %x : tensor<?x4xf32>, tensor<4xf32>) outs(%fs : tensor<?xf32>) {
  ^bb0(%k: f32, %q: f32, %acc: f32):
    %m = arith.mulf %k, %q : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %e0 = tensor.empty() : tensor<f32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %mx = linalg.generic {indexing_maps = [#v, #s0], iterator_types = ["reduction"]}
      ins(%s : tensor<?xf32>) outs(%m0 : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  %ex = linalg.generic {indexing_maps = [#v, #s0, #v], iterator_types = ["parallel"]}
      ins(%s, %mx : tensor<?xf32>, tensor<f32>) outs(%es : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<?xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %sum = linalg.generic {indexing_maps = [#v, #s0], iterator_types = ["reduction"]}
      ins(%ex : tensor<?xf32>) outs(%z0 : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  %eo = tensor.empty() : tensor<4xf32>
  %fo = linalg.fill ins(%zero : f32) outs(%eo : tensor<4xf32>) -> tensor<4xf32>
  %o = linalg.generic {indexing_maps = [#j, #sq, #qd], iterator_types = ["reduction", "parallel"]}
      ins(%ex, %keys : tensor<?xf32>, tensor<?x4xf32>) outs(%fo : tensor<4xf32>) {
  ^bb0(%p: f32, %k: f32, %acc: f32):
    %m = arith.mulf %p, %k : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %out = linalg.generic {indexing_maps = [#v, affine_map<(j) -> ()>, #v], iterator_types = ["parallel"]}
      ins(%o, %sum : tensor<4xf32>, tensor<f32>) outs(%eo : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %d = arith.divf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<4xf32>
  return %out, %upd : tensor<4xf32>, tensor<16x4xf32>
}
