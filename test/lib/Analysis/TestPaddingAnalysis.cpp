//===- TestPaddingAnalysis.cpp - Print the padding analysis' findings -----===//
//
// `test-bucket-padding` prints, for every public function with dynamic
// arguments, the pad value chosen for each padded argument and, per symbolic
// dimension, whether the function can be split along it (and if not, why).
// With `repair=true`, also the real sizes the buckets need and the masks.
// Unsafe padding is reported as the analysis' diagnostic.
//
//===----------------------------------------------------------------------===//

#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/Analysis/PaddingAnalysis.h"
#include "bucket/IR/BucketDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::bucket;

namespace {
struct TestPaddingAnalysisPass
    : public PassWrapper<TestPaddingAnalysisPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestPaddingAnalysisPass)

  TestPaddingAnalysisPass() = default;
  TestPaddingAnalysisPass(const TestPaddingAnalysisPass &other)
      : PassWrapper(other) {}

  Option<bool> repair{*this, "repair",
                      llvm::cl::desc("Repair with real sizes and masks, as "
                                     "--padding=repair does, and print the "
                                     "repairs"),
                      llvm::cl::init(false)};

  StringRef getArgument() const final { return "test-bucket-padding"; }
  StringRef getDescription() const final {
    return "Print the pad values and splittable dimensions of each dynamic "
           "public function";
  }

  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, arith::ArithDialect,
                    tensor::TensorDialect>();
  }

  static void printMask(llvm::raw_ostream &os, const PaddingMask &mask,
                        const DimensionAnalysis &dims) {
    os << "  mask '" << mask.op->getName() << "' ";
    if (mask.kind == PaddingMask::Kind::Accumulator)
      os << "accumulator loops";
    else
      os << "operand " << mask.operandNumber << " value " << mask.value
         << " dims";
    for (const PaddingMask::Dim &d : mask.dims) {
      os << " " << d.dim << ":\"" << dims.getDims()[d.cls].getName() << "\"";
      if (d.offset)
        os << "+" << d.offset;
    }
    os << "\n";
  }

  void runOnOperation() override {
    llvm::raw_ostream &os = llvm::outs();
    SmallVector<func::FuncOp> funcs;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (isBucketCandidate(func))
        funcs.push_back(func);
    bool failedAny = false;
    for (func::FuncOp func : funcs) {
      FailureOr<DimensionAnalysis> dims = DimensionAnalysis::analyze(func);
      if (failed(dims))
        return signalPassFailure();
      FailureOr<PaddingResult> padding = analyzePadding(func, *dims, repair);
      if (failed(padding)) {
        failedAny = true;
        continue;
      }
      os << "func @" << func.getName() << "\n";
      for (auto [i, value] : llvm::enumerate(padding->padValues))
        if (value)
          os << "  arg" << i << " pad " << value << "\n";
      for (auto [id, dim] : llvm::enumerate(dims->getDims()))
        if (padding->realSizes[id])
          os << "  dim \"" << dim.getName() << "\" real size passed\n";
      for (const PaddingMask &mask : padding->masks)
        printMask(os, mask, *dims);
      for (auto [id, dim] : llvm::enumerate(dims->getDims())) {
        os << "  dim \"" << dim.getName() << "\" ";
        if (Operation *blocker = padding->splitBlockers[id])
          os << "not splittable: '" << blocker->getName()
             << "': " << padding->splitBlockerReasons[id] << "\n";
        else
          os << "splittable\n";
      }
    }
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace

namespace mlir::bucket::test {
void registerTestPaddingAnalysisPass() {
  PassRegistration<TestPaddingAnalysisPass>();
}
} // namespace mlir::bucket::test
