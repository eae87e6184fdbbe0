//===- ObjectEmitter.h - LLVM IR and object files -------------*- C++ -*-===//
//
// Translates an LLVM-dialect module to LLVM IR, optimizes it for a target
// machine and writes a relocatable object. This is the only part of bucket
// that includes LLVM's code generator headers.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TARGET_OBJECTEMITTER_H
#define BUCKET_TARGET_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace mlir {
namespace bucket {

struct TargetOptions {
  /// Target triple; the host's when empty.
  std::string triple;
  /// CPU name; the host's ("native") when empty and the triple is the host's.
  std::string cpu;
  /// Feature string such as "+avx2"; the host's when cpu is native.
  std::string features;
  /// LLVM optimization level, 0-3.
  unsigned optLevel = 3;
};

enum class OutputKind { LLVMIR, Object };

/// Translates `module` (LLVM dialect only) to LLVM IR, optimizes it and
/// writes textual LLVM IR or an object file to `os`. Emits a diagnostic at
/// the module on failure.
LogicalResult emitLLVMOutput(ModuleOp module, const TargetOptions &options,
                             OutputKind kind, llvm::raw_pwrite_stream &os);

/// The vector register width in bits of the target `options` describe (512
/// with AVX-512F, 256 with AVX, 128 otherwise); 0 if there is no such
/// target.
unsigned getTargetVectorBits(const TargetOptions &options);

/// Whether emitObjectInParallel would run for `module`: more than one
/// function and hardware thread, and ld.lld and llvm-objcopy found.
bool canEmitInParallel(llvm::Module &module);

/// Optimizes and compiles `module` (unoptimized LLVM IR) in parallel parts
/// and writes one relocatable object to `os`. Fails, writing nothing, when
/// it cannot (the caller then compiles the module as a whole).
LogicalResult emitObjectInParallel(llvm::Module &module,
                                   const TargetOptions &options,
                                   llvm::raw_pwrite_stream &os);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TARGET_OBJECTEMITTER_H
