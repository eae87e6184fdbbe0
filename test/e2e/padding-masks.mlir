// End-to-end: padding that would reach a real result is masked
// (--padding=repair, the default) and the buckets equal the dynamic
// original. Each function below is refused by --padding=prove:
//  - @softmax_sq, a softmax over scores that are not the padded input
//    (squares: no pad value makes them -inf), as in attention without a mask;
//  - @attention, self-attention without a mask input;
//  - @variance, a normalization statistic over the padded axis;
//  - @cnn, four 3x3 "same" convolutions with bias and ReLU, a batch norm
//    folded as scale and shift and a 3x3 "same" max-pool (after the first
//    conv, the padded region holds relu(bias) where the next pad's zeros or
//    -inf should be), then a global average pool and a dense head, bucketed
//    on H and W jointly.
// Compared with upstream mlir-opt's lowering of the same module at every
// bucket edge, and one past the largest.

// RUN: not bucket-compile %s --padding=prove -o /dev/null 2>&1 | FileCheck %s --check-prefix=PROVE
// RUN: bucket-compile %s -o %t.b.o 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func softmax_sq \
// RUN:   --args 'f32[4,seq]=-3..3' --results 'f32[4,seq]' --dims 'seq=1..8' \
// RUN:   --out-of-range 'seq=9' --rtol 1e-5 --atol 1e-6 | FileCheck %s --check-prefix=SEQ
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func attention \
// RUN:   --args 'f32[seq,4]=-1..1' --results 'f32[seq,4]' --dims 'seq=1..8' \
// RUN:   --out-of-range 'seq=9' --rtol 1e-5 --atol 1e-5 | FileCheck %s --check-prefix=SEQ
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func variance \
// RUN:   --args 'f32[seq,4]=-3..3' --results 'f32[4]' --dims 'seq=1..8' \
// RUN:   --out-of-range 'seq=9' --rtol 1e-5 --atol 1e-5 | FileCheck %s --check-prefix=SEQ
// Without its masks (padding=unsafe-no-masks, for measuring their cost) the
// softmax is wrong at lengths that are not a bucket size.
// RUN: bucket-compile %s --padding=unsafe-no-masks -o %t.unsafe.o 2>&1 | FileCheck %s --check-prefix=UNSAFE
// RUN: clang -shared %t.unsafe.o -o %t.unsafe.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: not bucket-e2e-compare --ref %t.ref.so --test %t.unsafe.so --func softmax_sq \
// RUN:   --args 'f32[4,seq]=-3..3' --results 'f32[4,seq]' --dims 'seq=1..8' \
// RUN:   --out-of-range 'seq=9' --rtol 1e-5 --atol 1e-6 | FileCheck %s --check-prefix=WRONG
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func cnn \
// RUN:   --args 'f32[1,H,W,1]=-1..1' --results 'f32[1,3]' \
// RUN:   --points 'H=1,4,5,8;W=1,4,5,8' --max 'H=8;W=8' \
// RUN:   --out-of-range 'H=9;W=1' --out-of-range 'H=1;W=9' \
// RUN:   --rtol 1e-5 --atol 1e-5 | FileCheck %s --check-prefix=CNN

// PROVE: error: 'linalg.generic' reduces over padded dimension 'seq'

// REMARK-DAG: remark: masked the padded iterations along 'seq' (the accumulators are kept there): without it, 'linalg.generic' reduces over padded dimension 'seq' and combines its padded iterations with 'arith.maximumf'
// REMARK-DAG: remark: masked operand 0 along 'H', 'W' with 0: without it, 'tensor.pad' pads padded dimension

// UNSAFE: warning: 2 padding masks of 'softmax_sq' are left out (padding=unsafe-no-masks): its buckets may differ from the original
// WRONG: FAIL softmax_sq [seq=1]

// SEQ-NOT: FAIL
// SEQ: compare: 9 passed, 0 failed
// CNN-NOT: FAIL
// CNN: compare: 18 passed, 0 failed

#id  = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

func.func @softmax_sq(%x: tensor<4x?xf32> {bucket.dims = ["", "seq"]}) -> tensor<4x?xf32>
    attributes {llvm.emit_c_interface, bucket.buckets = "seq=4,8"} {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c1 : tensor<4x?xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<4x?xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x?xf32>) outs(%e : tensor<4x?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %y = arith.mulf %v, %v : f32
    linalg.yield %y : f32
  } -> tensor<4x?xf32>
  %e0 = tensor.empty() : tensor<4xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %m = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%sq : tensor<4x?xf32>) outs(%m0 : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.maximumf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %ex = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%sq, %m : tensor<4x?xf32>, tensor<4xf32>) outs(%e : tensor<4x?xf32>) {
  ^bb0(%v: f32, %mx: f32, %o: f32):
    %d = arith.subf %v, %mx : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x?xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%ex : tensor<4x?xf32>) outs(%s0 : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %out = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%ex, %sum : tensor<4x?xf32>, tensor<4xf32>) outs(%e : tensor<4x?xf32>) {
  ^bb0(%v: f32, %t: f32, %o: f32):
    %y = arith.divf %v, %t : f32
    linalg.yield %y : f32
  } -> tensor<4x?xf32>
  return %out : tensor<4x?xf32>
}

// Single-head self-attention without a mask input: scores q k^T over the
// padded keys are zero there, so the softmax's max and sum are masked; the
// probabilities times the zero-padded values add nothing.
#qk_q = affine_map<(i, j, d) -> (i, d)>
#qk_k = affine_map<(i, j, d) -> (j, d)>
#qk_s = affine_map<(i, j, d) -> (i, j)>
func.func @attention(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<?x4xf32>
    attributes {llvm.emit_c_interface, bucket.buckets = "seq=4,8"} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %wq = arith.constant dense<[[0.5, -0.25, 0.125, 0.75], [1.0, 0.5, -0.5, 0.25], [-0.75, 0.5, 0.25, 0.125], [0.25, -1.0, 0.5, 0.5]]> : tensor<4x4xf32>
  %wk = arith.constant dense<[[0.25, 0.5, -0.125, 1.0], [-0.5, 0.75, 0.25, 0.5], [0.5, -0.25, 1.0, -0.75], [0.125, 0.25, -0.5, 0.5]]> : tensor<4x4xf32>
  %wv = arith.constant dense<[[1.0, 0.0, 0.5, -0.5], [0.25, 1.0, -0.25, 0.5], [-0.5, 0.5, 1.0, 0.25], [0.75, -0.75, 0.25, 1.0]]> : tensor<4x4xf32>
  %ed = tensor.empty(%n) : tensor<?x4xf32>
  %fd = linalg.fill ins(%zero : f32) outs(%ed : tensor<?x4xf32>) -> tensor<?x4xf32>
  %q = linalg.matmul ins(%x, %wq : tensor<?x4xf32>, tensor<4x4xf32>) outs(%fd : tensor<?x4xf32>) -> tensor<?x4xf32>
  %k = linalg.matmul ins(%x, %wk : tensor<?x4xf32>, tensor<4x4xf32>) outs(%fd : tensor<?x4xf32>) -> tensor<?x4xf32>
  %v = linalg.matmul ins(%x, %wv : tensor<?x4xf32>, tensor<4x4xf32>) outs(%fd : tensor<?x4xf32>) -> tensor<?x4xf32>
  %es = tensor.empty(%n, %n) : tensor<?x?xf32>
  %fs = linalg.fill ins(%zero : f32) outs(%es : tensor<?x?xf32>) -> tensor<?x?xf32>
  %s = linalg.generic {indexing_maps = [#qk_q, #qk_k, #qk_s], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<?x4xf32>, tensor<?x4xf32>) outs(%fs : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %er = tensor.empty(%n) : tensor<?xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%er : tensor<?xf32>) -> tensor<?xf32>
  %mx = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%s : tensor<?x?xf32>) outs(%m0 : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %ex = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s, %mx : tensor<?x?xf32>, tensor<?xf32>) outs(%es : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<?x?xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%er : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%ex : tensor<?x?xf32>) outs(%s0 : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %p = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%ex, %sum : tensor<?x?xf32>, tensor<?xf32>) outs(%es : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.divf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<?x?xf32>
  %out = linalg.matmul ins(%p, %v : tensor<?x?xf32>, tensor<?x4xf32>) outs(%fd : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %out : tensor<?x4xf32>
}

// Per column: the mean of the squared deviations from the mean.
func.func @variance(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<4xf32>
    attributes {llvm.emit_c_interface, bucket.buckets = "seq=4,8"} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %ni = arith.index_cast %n : index to i64
  %nf = arith.sitofp %ni : i64 to f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%sum : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.divf %v, %nf : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [#id, #col, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x, %mean : tensor<?x4xf32>, tensor<4xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%v: f32, %mu: f32, %acc: f32):
    %d = arith.subf %v, %mu : f32
    %d2 = arith.mulf %d, %d : f32
    %r = arith.addf %d2, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %var = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%sq : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.divf %v, %nf : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %var : tensor<4xf32>
}

#nhwc = affine_map<(n, h, w, c) -> (n, h, w, c)>
#bias = affine_map<(n, h, w, c) -> (c)>

// conv 3x3 same (1 -> 2 channels) + bias + relu, batch norm (scale and
// shift), max-pool 3x3 same, three convs 3x3 same (2 -> 2) + bias + relu,
// global average pool over H x W, dense 2 -> 3.
func.func @cnn(%x: tensor<1x?x?x1xf32> {bucket.dims = ["", "H", "W", ""]}) -> tensor<1x3xf32>
    attributes {llvm.emit_c_interface, bucket.buckets = "H=4,8;W=4,8"} {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %h = tensor.dim %x, %c1 : tensor<1x?x?x1xf32>
  %w = tensor.dim %x, %c2 : tensor<1x?x?x1xf32>
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<[[[[0.5, -0.25]], [[0.125, 0.75]], [[-0.5, 0.25]]],
                              [[[1.0, -0.5]], [[0.25, 0.5]], [[-0.125, 1.0]]],
                              [[[-0.75, 0.5]], [[0.5, -1.0]], [[0.25, 0.125]]]]> : tensor<3x3x1x2xf32>
  %b1 = arith.constant dense<[0.3, -0.2]> : tensor<2xf32>
  %w2 = arith.constant dense<[[[[0.5, -0.25], [0.25, 0.5]], [[0.125, 0.75], [-0.5, 0.25]], [[-0.5, 0.25], [1.0, -0.125]]],
                              [[[1.0, -0.5], [0.5, 0.25]], [[0.25, 0.5], [-0.25, 0.75]], [[-0.125, 1.0], [0.5, -0.5]]],
                              [[[-0.75, 0.5], [0.25, 0.125]], [[0.5, -1.0], [0.75, 0.5]], [[0.25, 0.125], [-0.5, 1.0]]]]> : tensor<3x3x2x2xf32>
  %b2 = arith.constant dense<[0.1, 0.4]> : tensor<2xf32>
  %bns = arith.constant dense<[1.5, -0.75]> : tensor<2xf32>
  %bnt = arith.constant dense<[-0.25, 0.5]> : tensor<2xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %wd = arith.constant dense<[[1.0, -0.5, 0.25], [0.5, 0.75, -1.0]]> : tensor<2x3xf32>

  %p1 = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x?x?x1xf32> to tensor<1x?x?x1xf32>
  %e1 = tensor.empty(%h, %w) : tensor<1x?x?x2xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x?x?x2xf32>) -> tensor<1x?x?x2xf32>
  %c1o = linalg.conv_2d_nhwc_hwcf ins(%p1, %w1 : tensor<1x?x?x1xf32>, tensor<3x3x1x2xf32>)
      outs(%f1 : tensor<1x?x?x2xf32>) -> tensor<1x?x?x2xf32>
  %r1 = linalg.generic {indexing_maps = [#nhwc, #bias, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c1o, %b1 : tensor<1x?x?x2xf32>, tensor<2xf32>) outs(%e1 : tensor<1x?x?x2xf32>) {
  ^bb0(%v: f32, %b: f32, %o: f32):
    %s = arith.addf %v, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x?x?x2xf32>

  // Batch norm folded into a scale and a shift per channel, then a 3x3
  // stride-1 "same" max-pool (padded with -inf).
  %bn = linalg.generic {indexing_maps = [#nhwc, #bias, #bias, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%r1, %bns, %bnt : tensor<1x?x?x2xf32>, tensor<2xf32>, tensor<2xf32>) outs(%e1 : tensor<1x?x?x2xf32>) {
  ^bb0(%v: f32, %sc: f32, %sh: f32, %o: f32):
    %m = arith.mulf %v, %sc : f32
    %a = arith.addf %m, %sh : f32
    linalg.yield %a : f32
  } -> tensor<1x?x?x2xf32>
  %pm = tensor.pad %bn low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %ninf : f32
  } : tensor<1x?x?x2xf32> to tensor<1x?x?x2xf32>
  %win = tensor.empty() : tensor<3x3xf32>
  %fm = linalg.fill ins(%ninf : f32) outs(%e1 : tensor<1x?x?x2xf32>) -> tensor<1x?x?x2xf32>
  %mp = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%pm, %win : tensor<1x?x?x2xf32>, tensor<3x3xf32>) outs(%fm : tensor<1x?x?x2xf32>) -> tensor<1x?x?x2xf32>

  %p2 = tensor.pad %mp low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x?x?x2xf32> to tensor<1x?x?x2xf32>
  %c2o = linalg.conv_2d_nhwc_hwcf ins(%p2, %w2 : tensor<1x?x?x2xf32>, tensor<3x3x2x2xf32>)
      outs(%f1 : tensor<1x?x?x2xf32>) -> tensor<1x?x?x2xf32>
  %r2 = linalg.generic {indexing_maps = [#nhwc, #bias, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c2o, %b2 : tensor<1x?x?x2xf32>, tensor<2xf32>) outs(%e1 : tensor<1x?x?x2xf32>) {
  ^bb0(%v: f32, %b: f32, %o: f32):
    %s = arith.addf %v, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x?x?x2xf32>

  %p3 = tensor.pad %r2 low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x?x?x2xf32> to tensor<1x?x?x2xf32>
  %c3o = linalg.conv_2d_nhwc_hwcf ins(%p3, %w2 : tensor<1x?x?x2xf32>, tensor<3x3x2x2xf32>)
      outs(%f1 : tensor<1x?x?x2xf32>) -> tensor<1x?x?x2xf32>
  %r3 = linalg.generic {indexing_maps = [#nhwc, #bias, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c3o, %b2 : tensor<1x?x?x2xf32>, tensor<2xf32>) outs(%e1 : tensor<1x?x?x2xf32>) {
  ^bb0(%v: f32, %b: f32, %o: f32):
    %s = arith.addf %v, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x?x?x2xf32>

  %p4 = tensor.pad %r3 low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x?x?x2xf32> to tensor<1x?x?x2xf32>
  %c4o = linalg.conv_2d_nhwc_hwcf ins(%p4, %w2 : tensor<1x?x?x2xf32>, tensor<3x3x2x2xf32>)
      outs(%f1 : tensor<1x?x?x2xf32>) -> tensor<1x?x?x2xf32>
  %r4 = linalg.generic {indexing_maps = [#nhwc, #bias, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c4o, %b2 : tensor<1x?x?x2xf32>, tensor<2xf32>) outs(%e1 : tensor<1x?x?x2xf32>) {
  ^bb0(%v: f32, %b: f32, %o: f32):
    %s = arith.addf %v, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x?x?x2xf32>

  // Global average pool: the sum over H x W divided by H * W.
  %ep = tensor.empty() : tensor<1x2xf32>
  %zp = linalg.fill ins(%zero : f32) outs(%ep : tensor<1x2xf32>) -> tensor<1x2xf32>
  %pooled = linalg.generic {indexing_maps = [#nhwc, affine_map<(n, h, w, c) -> (n, c)>],
                            iterator_types = ["parallel", "reduction", "reduction", "parallel"]}
      ins(%r4 : tensor<1x?x?x2xf32>) outs(%zp : tensor<1x2xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %v, %acc : f32
    linalg.yield %s : f32
  } -> tensor<1x2xf32>
  %hw = arith.muli %h, %w : index
  %hwi = arith.index_cast %hw : index to i64
  %hwf = arith.sitofp %hwi : i64 to f32
  %avg = linalg.generic {indexing_maps = [affine_map<(n, c) -> (n, c)>, affine_map<(n, c) -> (n, c)>],
                         iterator_types = ["parallel", "parallel"]}
      ins(%pooled : tensor<1x2xf32>) outs(%ep : tensor<1x2xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.divf %v, %hwf : f32
    linalg.yield %r : f32
  } -> tensor<1x2xf32>
  %ed = tensor.empty() : tensor<1x3xf32>
  %zd = linalg.fill ins(%zero : f32) outs(%ed : tensor<1x3xf32>) -> tensor<1x3xf32>
  %out = linalg.matmul ins(%avg, %wd : tensor<1x2xf32>, tensor<2x3xf32>)
      outs(%zd : tensor<1x3xf32>) -> tensor<1x3xf32>
  return %out : tensor<1x3xf32>
}
