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
#include "llvm/Support/Error.h"

#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace mlir {
namespace bucket {

struct ModelDescription;

struct TargetOptions {
  /// Target triple; the host's when empty.
  std::string triple;
  /// CPU name. When empty: the host's if the triple has the host's
  /// architecture and operating system, else the target's generic CPU.
  /// "native" is the host's, for a triple of the host's architecture only.
  std::string cpu;
  /// Comma-separated features such as "+avx2,-avx512f", each known to the
  /// target. Applied after the host's features when the CPU is the host's.
  std::string features;
  /// LLVM optimization level, 0-3.
  unsigned optLevel = 3;
};

enum class OutputKind { LLVMIR, Object };

/// Checks that `options` describe a target this LLVM generates code for: a
/// triple with a registered backend, a CPU and features the target knows
/// (each feature with a '+' or '-'), "native" only for the host's
/// architecture, and an optimization level of 0-3. Returns an error naming
/// the first problem. Call it before any work: LLVM itself only warns about
/// an unknown CPU or feature, or ends the process during code generation.
llvm::Error verifyTargetOptions(const TargetOptions &options);

/// Translates `module` (LLVM dialect only) to LLVM IR, adds the exported
/// tables of `exported` when given (addModelExport: `module` must then have
/// been lowered with C interfaces), optimizes it and writes textual LLVM IR
/// or an object file to `os`. Emits a diagnostic at the module on failure,
/// including LLVM's fatal errors in code generation, which do not end the
/// process.
LogicalResult emitLLVMOutput(ModuleOp module, const TargetOptions &options,
                             OutputKind kind, llvm::raw_pwrite_stream &os,
                             const ModelDescription *exported = nullptr);

/// The vector register width in bits that the code generation tiles for on
/// the target `options` describe: on x86 512 with AVX-512F, 256 with AVX,
/// else 128; 128 on AArch64 (NEON; SVE registers are scalable and LLVM
/// generates NEON for fixed-width vectors); on 32-bit Arm and RISC-V 128
/// with a vector unit (NEON, V or Zve32f) and 64 without; 128 elsewhere. 0
/// if `options` do not verify.
unsigned getTargetVectorBits(const TargetOptions &options);

/// Whether emitObjectInParallel would run for `module`: an ELF target, more
/// than one function and hardware thread, and ld.lld and llvm-objcopy found.
bool canEmitInParallel(llvm::Module &module);

/// How emitObjectInParallel ended.
enum class ParallelEmitResult {
  /// The object was written.
  Written,
  /// At least one part failed to compile; nothing was written.
  CompileFailed,
  /// Parallel code generation was unavailable, or the parts could not be
  /// linked into one object (a temporary file, ld.lld or llvm-objcopy
  /// failed): a failure unrelated to the module. Nothing was written.
  Unavailable,
};

/// Optimizes and compiles `module` (unoptimized LLVM IR, which is left
/// intact) in parallel parts and writes one relocatable object to `os`.
/// `options` must verify. Appends to `errors` a message for each part that
/// failed to compile (LLVM's fatal errors and error diagnostics in a part are
/// caught and end up there, not in an exit of the process) or for the link
/// that failed. After Unavailable the caller may compile `module` as a whole.
ParallelEmitResult emitObjectInParallel(llvm::Module &module,
                                        const TargetOptions &options,
                                        llvm::raw_pwrite_stream &os,
                                        SmallVectorImpl<std::string> &errors);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TARGET_OBJECTEMITTER_H
