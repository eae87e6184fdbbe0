//===- ModelExport.h - The tables an object file exports -------*- C++ -*-===//
//
// Makes a compiled object self-describing: adds to its LLVM IR the model's
// tables (bucket_model_info_t, bucket_function_info_t, bucket_value_info_t
// of bucket/runtime_abi.h, laid out by the target's data layout), one
// trampoline per function and the exported bucket_model_export_t, so that a
// shared library linked from the object alone can be opened with
// bucket_model_open and described and called without the generated header.
//
// Symbols (documented in bucket/runtime_abi.h):
//  - `<model>_model_export`: the model's table, a strong global. Two models
//    linked into one program need different model names, as their C entry
//    points need different function names.
//  - `bucket_model_export` (BUCKET_MODEL_EXPORT_SYMBOL): a weak alias of it,
//    so that bucket_model_open finds a library's model without its name, and
//    several model objects still link into one program (the first one's
//    alias wins).
// Both have default visibility. Everything else added is local to the object.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TARGET_MODELEXPORT_H
#define BUCKET_TARGET_MODELEXPORT_H

#include "llvm/Support/Error.h"

namespace llvm {
class Module;
} // namespace llvm

namespace mlir {
namespace bucket {

struct ModelDescription;

/// Adds the exported tables of `model` to `module`: LLVM IR translated from
/// the model lowered with C interfaces, with the target's data layout
/// already set (the tables' padding and pointer size follow it). Each
/// function of `model` must have its `_mlir_ciface_<name>` defined in
/// `module`, taking a pointer to the results (when there are any) and one to
/// each argument's descriptor; otherwise, or when `module` already defines
/// one of the symbols to export, returns an error naming it and leaves
/// `module` unchanged.
llvm::Error addModelExport(llvm::Module &module, const ModelDescription &model);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TARGET_MODELEXPORT_H
