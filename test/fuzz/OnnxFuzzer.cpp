//===- OnnxFuzzer.cpp - libFuzzer target for the ONNX importer ------------===//
//
// Imports arbitrary bytes as a binary ONNX model (a serialized ModelProto)
// with importOnnxModel, the entry bucket-import-onnx and bucket-compile use.
// A crash, an uncaught exception, a hang or a sanitizer report is a bug. An
// import either fails with at least one error diagnostic, or returns a
// module that verifies and holds one function (the importer promises "null
// after emitting diagnostics" and a single `func.func`).
//
// External data is resolved against a directory that does not exist, so a
// mutated `location` reads nothing (and no file outside it: `..` cannot
// climb out of a missing directory).
//
//===----------------------------------------------------------------------===//

#include "bucket/IR/BucketDialect.h"
#include "bucket/Onnx/OnnxImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A fresh context per input: attributes uniqued by one input (constants
  // can be large) must not accumulate over millions of runs.
  MLIRContext context(MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  unsigned numErrors = 0;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      ++numErrors;
    return success(); // Consumed: no output per input.
  });
  llvm::StringRef buffer(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module = bucket::importOnnxModel(
      &context, buffer, /*isText=*/false, "fuzz.onnx",
      "/nonexistent/bucket-fuzz-onnx", bucket::OnnxImportOptions());
  if (!module) {
    if (numErrors == 0)
      abort(); // A failure without a diagnostic.
    return 0;
  }
  if (numErrors != 0 || failed(verify(*module)))
    abort();
  auto funcs = module->getOps<func::FuncOp>();
  if (std::distance(funcs.begin(), funcs.end()) != 1)
    abort();
  return 0;
}
