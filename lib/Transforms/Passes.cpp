//===- Passes.cpp - bucket transformation passes --------------------------===//
//
// Thin pass shells over the library in Specialize.h.
//
//===----------------------------------------------------------------------===//

#include "bucket/Transforms/Passes.h"
#include "bucket/Transforms/BufferPlan.h"
#include "bucket/Transforms/Codegen.h"
#include "bucket/Transforms/Specialize.h"
#include "bucket/Transforms/StateBuffers.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace bucket {
#define GEN_PASS_DEF_BUCKETDECOMPOSEAGGREGATESPASS
#define GEN_PASS_DEF_BUCKETPREPAREENTRYPOINTSPASS
#define GEN_PASS_DEF_BUCKETEXPORTSPECIALIZATIONSPASS
#define GEN_PASS_DEF_BUCKETMARKINPUTSREADONLYPASS
#define GEN_PASS_DEF_BUCKETDETACHSTATERESULTSPASS
#define GEN_PASS_DEF_BUCKETATTACHSTATERESULTSPASS
#define GEN_PASS_DEF_BUCKETSPECIALIZEFUNCTIONSPASS
#define GEN_PASS_DEF_BUCKETVERIFYSTATICSHAPESPASS
#define GEN_PASS_DEF_BUCKETVERIFYBUCKETIZEDPASS
#define GEN_PASS_DEF_BUCKETVERIFYLLVMPASS
#define GEN_PASS_DEF_BUCKETGENERATEDISPATCHPASS
#define GEN_PASS_DEF_BUCKETINTERCHANGEFORVECTORIZATIONPASS
#define GEN_PASS_DEF_BUCKETTILEANDVECTORIZEPASS
#define GEN_PASS_DEF_BUCKETPLANBUFFERSPASS
#include "bucket/Transforms/Passes.h.inc"
} // namespace bucket
} // namespace mlir

using namespace mlir;
using namespace mlir::bucket;

namespace {
struct BucketPrepareEntryPointsPass
    : public bucket::impl::BucketPrepareEntryPointsPassBase<
          BucketPrepareEntryPointsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (failed(prepareEntryPoints(getOperation(), symbolPrefix, cInterface)))
      signalPassFailure();
  }
};

struct BucketExportSpecializationsPass
    : public bucket::impl::BucketExportSpecializationsPassBase<
          BucketExportSpecializationsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func->hasAttr(kSpecializationOfAttrName)) {
        func.setPublic();
        func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
      }
  }
};

struct BucketMarkInputsReadOnlyPass
    : public bucket::impl::BucketMarkInputsReadOnlyPassBase<
          BucketMarkInputsReadOnlyPass> {
  void runOnOperation() override {
    auto readOnly = BoolAttr::get(&getContext(), false);
    // A state is the caller's buffer updated in place (docs/State.md).
    auto writable = BoolAttr::get(&getContext(), true);
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      for (auto [index, type] : llvm::enumerate(func.getArgumentTypes()))
        if (isa<TensorType>(type))
          func.setArgAttr(index, "bufferization.writable",
                          getTiedResult(func, index) ? writable : readOnly);
    }
  }
};

struct BucketDetachStateResultsPass
    : public bucket::impl::BucketDetachStateResultsPassBase<
          BucketDetachStateResultsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    if (failed(detachStateResults(rewriter, getOperation())))
      signalPassFailure();
  }
};

struct BucketAttachStateResultsPass
    : public bucket::impl::BucketAttachStateResultsPassBase<
          BucketAttachStateResultsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    attachStateResults(rewriter, getOperation());
  }
};

struct BucketDecomposeAggregatesPass
    : public bucket::impl::BucketDecomposeAggregatesPassBase<
          BucketDecomposeAggregatesPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    if (failed(decomposeAggregatedOps(rewriter, getOperation())))
      signalPassFailure();
  }
};

struct BucketSpecializeFunctionsPass
    : public bucket::impl::BucketSpecializeFunctionsPassBase<
          BucketSpecializeFunctionsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    IRRewriter rewriter(&getContext());
    // Collect first: specialization adds functions to the module.
    SmallVector<func::FuncOp> candidates;
    for (auto func : module.getOps<func::FuncOp>())
      if (isBucketCandidate(func) && !func->hasAttr(kBucketTableAttrName))
        candidates.push_back(func);
    bool failedAny = false;
    for (func::FuncOp func : candidates) {
      SpecializeOptions options{buckets,   padValues, masks,     outOfRange,
                                selfCheck, padding,   maxBuckets};
      FailureOr<SmallVector<func::FuncOp>> clones =
          specializeFunction(rewriter, func, options);
      if (failed(clones)) {
        failedAny = true;
        continue;
      }
      numSpecializations += clones->size();
    }
    if (failedAny)
      signalPassFailure();
  }
};

struct BucketVerifyStaticShapesPass
    : public bucket::impl::BucketVerifyStaticShapesPassBase<
          BucketVerifyStaticShapesPass> {
  void runOnOperation() override {
    bool failedAny = false;
    auto isDynamic = [](Type type) {
      auto shaped = dyn_cast<ShapedType>(type);
      return shaped && !shaped.hasStaticShape();
    };
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func->hasAttr(kSpecializationOfAttrName))
        continue;
      if (llvm::any_of(func.getArgumentTypes(), isDynamic) ||
          llvm::any_of(func.getResultTypes(), isDynamic)) {
        func.emitError("specialized function '")
            << func.getName() << "' still has a dynamic signature "
            << func.getFunctionType();
        failedAny = true;
      }
      func.walk([&](Operation *op) {
        for (Value result : op->getResults()) {
          if (!isDynamic(result.getType()))
            continue;
          op->emitError("result ")
              << cast<OpResult>(result).getResultNumber()
              << " is still dynamically shaped (" << result.getType()
              << ") in the specialization '" << func.getName()
              << "'; this op's shape could not be refined from the bucket "
                 "sizes";
          failedAny = true;
          return;
        }
      });
    }
    if (failedAny)
      signalPassFailure();
  }
};

struct BucketVerifyBucketizedPass
    : public bucket::impl::BucketVerifyBucketizedPassBase<
          BucketVerifyBucketizedPass> {
  void runOnOperation() override {
    if (failed(verifyBucketizedModule(getOperation())))
      signalPassFailure();
  }
};

struct BucketVerifyLLVMPass
    : public bucket::impl::BucketVerifyLLVMPassBase<BucketVerifyLLVMPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    WalkResult result =
        module.walk([&](Operation *op) {
          if (op == module.getOperation() ||
              isa<LLVM::LLVMDialect>(op->getDialect()))
            return WalkResult::advance();
          op->emitError("'")
              << op->getName()
              << "' is left after lowering to the LLVM dialect; it cannot be "
                 "translated to LLVM IR";
          return WalkResult::interrupt();
        });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

struct BucketGenerateDispatchPass
    : public bucket::impl::BucketGenerateDispatchPassBase<
          BucketGenerateDispatchPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    IRRewriter rewriter(&getContext());
    // Specializations of each function, in module order, which is the
    // order bucket-specialize-functions created them: the dispatch order.
    llvm::MapVector<StringAttr, SmallVector<func::FuncOp>> specializations;
    for (auto func : module.getOps<func::FuncOp>())
      if (auto of =
              func->getAttrOfType<FlatSymbolRefAttr>(kSpecializationOfAttrName))
        specializations[of.getAttr()].push_back(func);
    for (auto &[name, clones] : specializations) {
      auto func = module.lookupSymbol<func::FuncOp>(name);
      if (func && func->hasAttr(kDispatcherAttrName))
        continue;
      if (!func) {
        clones.front().emitError("specialization of unknown function ") << name;
        return signalPassFailure();
      }
      if (failed(generateDispatch(rewriter, func, clones)))
        return signalPassFailure();
    }
  }
};

struct BucketInterchangeForVectorizationPass
    : public bucket::impl::BucketInterchangeForVectorizationPassBase<
          BucketInterchangeForVectorizationPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateInterchangeForVectorizationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

namespace {
struct BucketTileAndVectorizePass
    : public bucket::impl::BucketTileAndVectorizePassBase<
          BucketTileAndVectorizePass> {
  using Base::Base;
  void runOnOperation() override {
    CodegenOptions options;
    options.vectorBits =
        vectorBits ? vectorBits.getValue() : getHostVectorBits();
    IRRewriter rewriter(&getContext());
    CodegenResult result = tileAndVectorize(rewriter, getOperation(), options);
    numVectorized += result.numVectorized;
    numLeftToLoops += result.numLeftToLoops;
  }
};

struct BucketPlanBuffersPass
    : public bucket::impl::BucketPlanBuffersPassBase<BucketPlanBuffersPass> {
  using Base::Base;
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    BufferPlanResult plan = planStaticBuffers(rewriter, getOperation());
    numBuffers += plan.numBuffers;
    arenaBytes += plan.arenaBytes;
    separateBytes += plan.separateBytes;
  }
};
} // namespace
