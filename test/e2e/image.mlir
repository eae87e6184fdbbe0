// End-to-end: rank-4 NCHW tensors with three symbolic dimensions (n, h, w)
// bucketed as a 2 x 2 x 2 grid, the channel axis static.
//
//   x: f32[n, 4, h, w]
//   a   = relu(x * scale[c] + shift[c])              per-channel affine
//   r0  = 1x1 convolution of a, 4 -> 2 channels      f32[n, 2, h, w]
//   r1  = sum over channels of a                     f32[n, h, w]
//
// Only the static channel axis is reduced, so the padded h, w and n entries
// never reach a real output. Compared within 1e-5 (the static buckets sum
// the channels as a vector reduction, reassociated) on every edge of the grid
// (n: 1,2; h: 1,8,9,16; w: 1,8,9,16 -> 32 shapes) and out of range in each
// dimension (3 shapes).

// RUN: bucket-compile %s --buckets 'n=1,2;h=8,16;w=8,16' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --rtol 1e-5 --atol 1e-6 --func image \
// RUN:   --args 'f32[n,4,h,w]' --results 'f32[n,2,h,w];f32[n,h,w]' \
// RUN:   --points 'n=1,2;h=1,8,9,16;w=1,8,9,16' --max 'n=2;h=16;w=16' \
// RUN:   --out-of-range 'n=3;h=1;w=1' --out-of-range 'n=1;h=17;w=16' \
// RUN:   --out-of-range 'n=2;h=16;w=17' | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 35 passed, 0 failed

#nchw = affine_map<(n, c, h, w) -> (n, c, h, w)>
#c    = affine_map<(n, c, h, w) -> (c)>
#nhw  = affine_map<(n, c, h, w) -> (n, h, w)>
// 1x1 convolution: (n, o, h, w, c) with c the reduction.
#conv_in  = affine_map<(n, o, h, w, c) -> (n, c, h, w)>
#conv_w   = affine_map<(n, o, h, w, c) -> (o, c)>
#conv_out = affine_map<(n, o, h, w, c) -> (n, o, h, w)>

func.func @image(%x: tensor<?x4x?x?xf32> {bucket.dims = ["n", "", "h", "w"]})
    -> (tensor<?x2x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x4x?x?xf32>
  %h = tensor.dim %x, %c2 : tensor<?x4x?x?xf32>
  %w = tensor.dim %x, %c3 : tensor<?x4x?x?xf32>

  %scale = arith.constant dense<[0.75, -1.25, 2.0, 0.5]> : tensor<4xf32>
  %shift = arith.constant dense<[0.1, 0.2, -0.3, 0.05]> : tensor<4xf32>
  %weights = arith.constant dense<[[0.3, -0.6, 0.9, 0.15],
                                   [-0.45, 0.2, 0.35, -0.8]]> : tensor<2x4xf32>

  %e_a = tensor.empty(%n, %h, %w) : tensor<?x4x?x?xf32>
  %a = linalg.generic {indexing_maps = [#nchw, #c, #c, #nchw],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %scale, %shift : tensor<?x4x?x?xf32>, tensor<4xf32>, tensor<4xf32>)
      outs(%e_a : tensor<?x4x?x?xf32>) {
  ^bb0(%v: f32, %s: f32, %t: f32, %out: f32):
    %m = arith.mulf %v, %s : f32
    %p = arith.addf %m, %t : f32
    %r = arith.maximumf %p, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x4x?x?xf32>

  %e_conv = tensor.empty(%n, %h, %w) : tensor<?x2x?x?xf32>
  %zeros_conv = linalg.fill ins(%zero : f32) outs(%e_conv : tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32>
  %conv = linalg.generic {indexing_maps = [#conv_in, #conv_w, #conv_out],
                          iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %weights : tensor<?x4x?x?xf32>, tensor<2x4xf32>)
      outs(%zeros_conv : tensor<?x2x?x?xf32>) {
  ^bb0(%v: f32, %k: f32, %acc: f32):
    %m = arith.mulf %v, %k : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x2x?x?xf32>

  %e_sum = tensor.empty(%n, %h, %w) : tensor<?x?x?xf32>
  %zeros_sum = linalg.fill ins(%zero : f32) outs(%e_sum : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %sum = linalg.generic {indexing_maps = [#nchw, #nhw],
                         iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%a : tensor<?x4x?x?xf32>) outs(%zeros_sum : tensor<?x?x?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<?x?x?xf32>

  return %conv, %sum : tensor<?x2x?x?xf32>, tensor<?x?x?xf32>
}
