//===- HeaderEmitter.h - C header for a compiled module ---------*- C++ -*-===//
//
// Writes the C header an application includes to call a compiled module: for
// each function of the model's description, its tables for the runtime
// (signature, symbolic dimensions, bucket table), a trampoline to its
// `_mlir_ciface_` entry point and a typed entry point `<name>_call` that
// returns a bucket_status_t; then the model's table, and the declaration of
// the bucket_model_export_t the object file exports (ModelExport.h).
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TARGET_HEADEREMITTER_H
#define BUCKET_TARGET_HEADEREMITTER_H

#include "mlir/Support/LLVM.h"

namespace mlir {
namespace bucket {

struct ModelDescription;

/// Emits the header for `model` (describeModel). `objectExports` says
/// whether the object compiled with the header exports the model's table
/// (addModelExport): the header then declares `<model>_model_export`.
LogicalResult emitCHeader(const ModelDescription &model, bool objectExports,
                          raw_ostream &os);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TARGET_HEADEREMITTER_H
