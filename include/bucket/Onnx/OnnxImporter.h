//===- OnnxImporter.h - ONNX models into bucketable tensor MLIR -*- C++ -*-===//
//
// The ONNX frontend: reads an ONNX model (binary protobuf, or its text form
// for tests) and builds one `func.func` at tensor level in linalg, tensor,
// arith and math. Graph inputs keep their names (`onnx.name` argument
// attributes) and their `dim_param` names become `bucket.dims`; the shape
// arithmetic of the exporters (Shape -> Gather -> Concat -> Reshape, ...) is
// folded symbolically over those names, so the output reshapes with
// `tensor.expand_shape`/`collapse_shape` and sizes tensors with `tensor.dim`,
// never with data. Everything the importer cannot translate is an error at a
// location naming the node.
//
// This header is free of ONNX and protobuf headers: only OnnxImporter.cpp
// includes them (it needs exceptions, which the rest of bucket does not).
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_ONNX_ONNXIMPORTER_H
#define BUCKET_ONNX_ONNXIMPORTER_H

#include "bucket/IR/BucketDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace mlir {
class MLIRContext;
namespace bucket {

/// The argument attribute that keeps an ONNX graph input's name, and the
/// result attribute that keeps an output's.
constexpr StringLiteral kOnnxNameAttrName = kSourceNameAttrName;

struct OnnxImportOptions {
  /// The name of the function (default: the graph's name made a C
  /// identifier, or `main_graph`).
  std::string funcName;
  /// Renames or names dynamic dimensions of inputs: 'input_ids:1=seq,x:0=n'.
  std::string dims;
  /// Pins named dimensions to static sizes: 'batch=1,seq=128'.
  std::string staticDims;
  /// Graph inputs replaced by these constants (the ONNX backend tests pass
  /// shape operands as inputs; they must be known to fold the shapes).
  llvm::StringMap<DenseElementsAttr> constantInputs;
  /// Static shapes for graph inputs, overriding the model's.
  llvm::StringMap<SmallVector<int64_t>> inputShapes;
  /// Fuse chains of elementwise generics (one per node) into their
  /// consumers, as hand-written linalg computes them; off, the output reads
  /// node by node.
  bool fuseElementwise = true;
};

/// Imports the ONNX model in `buffer` (binary, or protobuf text format if
/// `isText`). `fileName` names the model in locations (nodes are located at
/// their line in a text model, and at line 0 of a binary one, inside a
/// NameLoc with the node's name); external data files are resolved against
/// `modelDir`. Returns null after emitting diagnostics.
OwningOpRef<ModuleOp> importOnnxModel(MLIRContext *context, StringRef buffer,
                                      bool isText, StringRef fileName,
                                      StringRef modelDir,
                                      const OnnxImportOptions &options);

/// Reads the model at `path` (text format if it ends in .onnxtxt, .pbtxt or
/// .textproto) and imports it.
OwningOpRef<ModuleOp> importOnnxModelFile(MLIRContext *context, StringRef path,
                                          const OnnxImportOptions &options);

/// Whether `path` names a model the importer reads (.onnx or a text form).
bool isOnnxModelPath(StringRef path);

/// Reads a serialized ONNX TensorProto (the backend tests' `input_N.pb`),
/// returning its name in `name`. Emits an error at `loc` and fails on an
/// element type the importer does not support.
FailureOr<DenseElementsAttr>
readOnnxTensorFile(MLIRContext *context, StringRef path, std::string *name);

/// The ONNX ops the importer translates, sorted.
SmallVector<StringRef> getSupportedOnnxOps();

} // namespace bucket
} // namespace mlir

#endif // BUCKET_ONNX_ONNXIMPORTER_H
