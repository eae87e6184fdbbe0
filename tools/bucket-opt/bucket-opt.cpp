//===- bucket-opt.cpp - The bucket optimizer driver
//------------------------===//
//
// mlir-opt with bucket's passes, pipelines and test passes registered, so any
// single pass or pipeline can be run and inspected.
//
//===----------------------------------------------------------------------===//

#include "bucket/Pipeline/Pipeline.h"
#include "bucket/Transforms/Passes.h"
#include "bucket/Version.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

namespace mlir::bucket::test {
void registerTestDimensionAnalysisPass();
void registerTestPaddingAnalysisPass();
} // namespace mlir::bucket::test

int main(int argc, char **argv) {
  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "bucket-opt (bucket " BUCKET_VERSION ")\n";
  });
  mlir::registerAllPasses();
  mlir::bucket::registerBucketTransformsPasses();
  mlir::bucket::registerBucketPipelines();
  mlir::bucket::test::registerTestDimensionAnalysisPass();
  mlir::bucket::test::registerTestPaddingAnalysisPass();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::bucket::registerBucketDialect(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "bucket optimizer driver\n", registry));
}
