//===- HeaderEmitter.h - C header for a compiled module ---------*- C++ -*-===//
//
// Writes the C header an application includes to call a compiled module: for
// each public function, its description for the runtime (signature, symbolic
// dimensions, bucket table), a trampoline to its `_mlir_ciface_` entry point
// and a typed entry point `<name>_call` that returns a bucket_status_t; then
// the model's table and, for a file that defines BUCKET_DEFINE_MODEL_EXPORT,
// the exported bucket_model_export_t that makes a shared library
// self-describing (bucket/runtime_abi.h).
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TARGET_HEADEREMITTER_H
#define BUCKET_TARGET_HEADEREMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

namespace mlir {
namespace bucket {

/// Emits the header for the public functions of `module`, a tensor-level
/// module after bucket-bucketize (or one compiled without bucketing).
/// `modelName` prefixes the model-wide symbols and must be a C identifier.
/// Functions that cannot have a C entry point (non-tensor arguments, element
/// types the runtime does not know) are skipped with a warning.
LogicalResult emitCHeader(ModuleOp module, StringRef modelName,
                          raw_ostream &os);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TARGET_HEADEREMITTER_H
