//===- bucket-import-onnx.cpp - ONNX model to tensor-level MLIR ----------===//
//
// bucket-import-onnx model.onnx -o model.mlir [--dims ...] [--static ...]
//
// Imports an ONNX model (binary, or protobuf text with .onnxtxt) into the
// tensor-level MLIR that bucket-compile takes. --verify-diagnostics checks
// the importer's errors against `expected-error` comments in a text model.
//
//===----------------------------------------------------------------------===//

#include "bucket/IR/BucketDialect.h"
#include "bucket/Onnx/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::OptionCategory category("bucket-import-onnx options");
  cl::opt<std::string> input(cl::Positional, cl::desc("<model.onnx>"),
                             cl::Required, cl::cat(category));
  cl::opt<std::string> output("o", cl::desc("Output file (default: stdout)"),
                              cl::init("-"), cl::cat(category));
  cl::opt<std::string> dims("dims",
                            cl::desc("Name or rename dynamic input dimensions: "
                                     "'input_ids:1=seq,pixels:0=batch'"),
                            cl::cat(category));
  cl::opt<std::string> staticDims(
      "static", cl::desc("Pin named dimensions to sizes: 'batch=1'"),
      cl::cat(category));
  cl::opt<std::string> funcName(
      "func-name", cl::desc("Name of the function (default: the graph's)"),
      cl::cat(category));
  cl::opt<bool> verifyDiagnostics(
      "verify-diagnostics",
      cl::desc("Check errors against expected-error comments in the model"),
      cl::cat(category));
  cl::opt<bool> noFusion(
      "no-fusion",
      cl::desc("Keep one generic per elementwise node (no fusion of chains)"),
      cl::cat(category));
  cl::opt<bool> listOps("list-ops", cl::desc("Print the supported ONNX ops"),
                        cl::cat(category));
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv, "bucket-import-onnx: ONNX model to bucketable MLIR\n");

  if (listOps) {
    for (StringRef op : bucket::getSupportedOnnxOps())
      llvm::outs() << op << "\n";
    return 0;
  }

  MLIRContext context;
  context.printOpOnDiagnostic(false);
  bucket::OnnxImportOptions options;
  options.dims = dims;
  options.staticDims = staticDims;
  options.funcName = funcName;
  options.fuseElementwise = !noFusion;

  std::string error;
  auto file = openInputFile(input, &error);
  if (!file) {
    llvm::errs() << "bucket-import-onnx: " << error << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  StringRef buffer = file->getBuffer();
  StringRef modelDir = llvm::sys::path::parent_path(input);
  bool isText = !StringRef(input).ends_with(".onnx");
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());

  if (verifyDiagnostics) {
    SourceMgrDiagnosticVerifierHandler handler(sourceMgr, &context);
    OwningOpRef<ModuleOp> module = bucket::importOnnxModel(
        &context, buffer, isText, input, modelDir, options);
    return failed(handler.verify()) ? 1 : 0;
  }
  // Binary models have no lines to show: print the locations only.
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = bucket::importOnnxModel(
      &context, buffer, isText, input, modelDir, options);
  if (!module)
    return 1;
  auto out = openOutputFile(output, &error);
  if (!out) {
    llvm::errs() << "bucket-import-onnx: " << error << "\n";
    return 1;
  }
  module->print(out->os());
  out->os() << "\n";
  out->keep();
  return 0;
}
