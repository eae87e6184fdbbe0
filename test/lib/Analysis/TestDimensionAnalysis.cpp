//===- TestDimensionAnalysis.cpp - Print the symbolic dimensions ----------===//
//
// `test-bucket-dims` prints, for every public function with dynamic
// arguments, the symbolic dimensions the analysis found and how each dynamic
// result dimension is computed from them.
//
//===----------------------------------------------------------------------===//

#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/IR/BucketDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::bucket;

namespace {
struct TestDimensionAnalysisPass
    : public PassWrapper<TestDimensionAnalysisPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestDimensionAnalysisPass)

  StringRef getArgument() const final { return "test-bucket-dims"; }
  StringRef getDescription() const final {
    return "Print the symbolic dimensions of each dynamic public function";
  }

  void getDependentDialects(DialectRegistry &registry) const override {
    // The analysis builds shape computations with these.
    registry.insert<affine::AffineDialect, arith::ArithDialect,
                    tensor::TensorDialect>();
  }

  void runOnOperation() override {
    llvm::raw_ostream &os = llvm::outs();
    SmallVector<func::FuncOp> funcs;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (isBucketCandidate(func))
        funcs.push_back(func);
    for (func::FuncOp func : funcs) {
      FailureOr<DimensionAnalysis> analysis = DimensionAnalysis::analyze(func);
      if (failed(analysis))
        return signalPassFailure();
      os << "func @" << func.getName() << "\n";
      auto printPos = [&](StringRef kind, DimPosition pos) {
        os << kind << pos.index << "[" << pos.dim << "]";
      };
      for (auto [id, dim] : llvm::enumerate(analysis->getDims())) {
        os << "  dim s" << id << " \"" << llvm::join(dim.names, "\" \"")
           << "\":";
        for (DimPosition pos : dim.argDims) {
          os << " ";
          printPos("arg", pos);
        }
        for (DimPosition pos : dim.resultDims) {
          os << " ";
          printPos("result", pos);
        }
        os << "\n";
      }
      for (auto [pos, expr] : analysis->getResultDimExprs()) {
        os << "  ";
        printPos("result", pos);
        os << " = ";
        if (expr)
          os << expr;
        else
          os << "<non-affine>";
        os << "\n";
      }
    }
  }
};
} // namespace

namespace mlir::bucket::test {
void registerTestDimensionAnalysisPass() {
  PassRegistration<TestDimensionAnalysisPass>();
}
} // namespace mlir::bucket::test
