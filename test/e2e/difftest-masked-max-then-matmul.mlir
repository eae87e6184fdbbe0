// Found by scripts/difftest.py (seed 300, model 124), shrunk: a max over
// the padded 'B' (masked: the accumulators are kept at padded iterations)
// whose result, padded along 'T', feeds a matmul contracting 'T'. The
// masked function re-analysed from scratch read the mask's select with an
// undecided condition as "the body's value or the initial -inf", which made
// the padded rows unknown and asked for one more mask: "internal error: the
// padding masks inserted into 'f' do not make its padding safe". The
// analysis now reads an accumulator mask as the body's value where it is
// undecided (keeping the accumulator adds no value).
// RUN: bucket-compile %s --buckets 'B=2;T=1,3,7,8' --out-of-range fallback -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func f --args 'f32[3,T,B]=-1..1;f32[T,2]=-1..1' --results 'f32[3,2]' --max 'B=2;T=8' --rtol 1e-4 --atol 1e-4 --points 'B=1;T=1' --points 'B=1;T=2' --points 'B=1;T=3' --points 'B=1;T=4' --points 'B=1;T=7' --points 'B=1;T=8' --points 'B=1;T=9' --points 'B=1;T=17' --points 'B=2;T=1' --points 'B=2;T=2' --points 'B=2;T=3' --points 'B=2;T=4' --points 'B=2;T=7' --points 'B=2;T=8' --points 'B=2;T=9' --points 'B=2;T=17' --points 'B=3;T=1' --points 'B=3;T=2' --points 'B=3;T=3' --points 'B=3;T=4' --points 'B=3;T=7' --points 'B=3;T=8' --points 'B=3;T=9' --points 'B=3;T=17' --points 'B=5;T=1' --points 'B=5;T=2' --points 'B=5;T=3' --points 'B=5;T=4' --points 'B=5;T=7' --points 'B=5;T=8' --points 'B=5;T=9' --points 'B=5;T=17' | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: compare: 32 passed, 0 failed

func.func @f(%a0: tensor<3x?x?xf32> {bucket.dims = ["", "T", "B"]}, %a2: tensor<?x2xf32> {bucket.dims = ["T", ""]}) -> (tensor<3x2xf32>)
    attributes {llvm.emit_c_interface} {
  %ci0 = arith.constant 0 : index
  %ci1 = arith.constant 1 : index
  %ci2 = arith.constant 2 : index
  %ci3 = arith.constant 3 : index
  %d1 = tensor.dim %a0, %ci1 : tensor<3x?x?xf32>
  %e2 = tensor.empty(%d1) : tensor<3x?xf32>
  %c3 = arith.constant 0xFF800000 : f32
  %f4 = linalg.fill ins(%c3 : f32) outs(%e2 : tensor<3x?xf32>) -> tensor<3x?xf32>
  %v2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a0 : tensor<3x?x?xf32>) outs(%f4 : tensor<3x?xf32>) {
    ^bb0(%in0: f32, %acc: f32):
      %r = arith.maximumf %in0, %acc : f32
      linalg.yield %r : f32
    } -> tensor<3x?xf32>
  %e5 = tensor.empty() : tensor<3x2xf32>
  %c6 = arith.constant 0.0 : f32
  %f7 = linalg.fill ins(%c6 : f32) outs(%e5 : tensor<3x2xf32>) -> tensor<3x2xf32>
  %v5 = linalg.matmul ins(%v2, %a2 : tensor<3x?xf32>, tensor<?x2xf32>) outs(%f7 : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %v5 : tensor<3x2xf32>
}
