// Cross compilation: the target's own CPU, features and vector width, never
// the host's. AArch64 (NEON; an SVE CPU too, whose fixed-width vectors are
// 128 bits) and RISC-V with V tile for 128-bit vectors: 4 x 8 register tiles,
// two vectors of 4 floats per row, where an x86-64 host uses 16 or 32 lanes
// (bucket-compile-vector-width.mlir). RISC-V without a vector unit tiles for
// 64 bits.
// RUN: bucket-compile %s --target aarch64-linux-gnu --emit=llvm-dialect -o - | FileCheck %s --check-prefix=V128
// RUN: bucket-compile %s --target aarch64-linux-gnu --mcpu neoverse-v1 --mattr=+neon --emit=llvm-dialect -o - | FileCheck %s --check-prefix=V128
// RUN: bucket-compile %s --target riscv64-linux-gnu --mattr=+m,+a,+f,+d,+c,+v --emit=llvm-dialect -o - | FileCheck %s --check-prefix=V128
// RUN: bucket-compile %s --target riscv64-linux-gnu --emit=llvm-dialect -o - | FileCheck %s --check-prefix=V64

// V128-NOT: vector<16xf32>
// V128:     vector<4x8xf32>
// V128-NOT: vector<16xf32>
// V64-NOT:  vector<8xf32>
// V64:      vector<4x4xf32>
// V64-NOT:  vector<8xf32>

// LLVM IR and objects for the target: its triple and data layout, NEON
// instructions on 128-bit registers (four floats), an AArch64 ELF object
// (compiled in parallel parts and linked by ld.lld -r, where the host has
// several threads).
// RUN: bucket-compile %s --target aarch64-linux-gnu --emit=llvm -o - | FileCheck %s --check-prefix=IR
// RUN: bucket-compile %s --target aarch64-linux-gnu -o %t.o
// RUN: llvm-readelf -h %t.o | FileCheck %s --check-prefix=ELF
// RUN: llvm-objdump -d %t.o | FileCheck %s --check-prefix=NEON
// RUN: bucket-compile %s --target riscv64-linux-gnu --mattr=+m,+a,+f,+d,+c -o %t.rv.o
// RUN: llvm-readelf -h %t.rv.o | FileCheck %s --check-prefix=RISCV

// IR:    target datalayout = "e-m:e-{{.*}}"
// IR:    target triple = "aarch64-unknown-linux-gnu"
// IR:    define {{.*}} @mm(
// ELF:   Machine: AArch64
// NEON:  fmla v{{[0-9]+}}.4s
// RISCV: Machine: RISC-V
// RISCV: Flags: {{.*}}double-float ABI

func.func @mm(%a: tensor<64x256xf32>, %b: tensor<256x256xf32>, %c: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<64x256xf32>, tensor<256x256xf32>) outs(%c : tensor<64x256xf32>) -> tensor<64x256xf32>
  return %r : tensor<64x256xf32>
}
