// The code generation of static buckets tiles for the target's vector width,
// not the host's: 8 x 32 register tiles for an AVX-512 CPU, 4 x 16 for AVX2.
// RUN: bucket-compile %s --target x86_64-unknown-linux-gnu --mcpu skylake-avx512 --emit=llvm-dialect -o - | FileCheck %s --check-prefix=AVX512
// RUN: bucket-compile %s --target x86_64-unknown-linux-gnu --mcpu haswell --emit=llvm-dialect -o - | FileCheck %s --check-prefix=AVX2

// AVX512: vector<32xf32>
// AVX2-NOT: vector<32xf32>
// AVX2: vector<16xf32>
// AVX2-NOT: vector<32xf32>
func.func @mm(%a: tensor<64x256xf32>, %b: tensor<256x256xf32>, %c: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<64x256xf32>, tensor<256x256xf32>) outs(%c : tensor<64x256xf32>) -> tensor<64x256xf32>
  return %r : tensor<64x256xf32>
}
