//===- Pipeline.cpp - The bucket compilation pipelines --------------------===//

#include "bucket/Pipeline/Pipeline.h"
#include "bucket/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;
using namespace mlir::bucket;

void mlir::bucket::buildBucketizePipeline(OpPassManager &pm,
                                          const BucketizeOptions &options) {
  if (!options.symbolPrefix.empty() || options.cInterface) {
    BucketPrepareEntryPointsPassOptions prepare;
    prepare.symbolPrefix = options.symbolPrefix;
    prepare.cInterface = options.cInterface;
    pm.addPass(createBucketPrepareEntryPointsPass(prepare));
  }
  // Specialization propagates static shapes through linalg ops; elementwise
  // arith/math on tensors would stop it.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createBucketDecomposeAggregatesPass());
  // No canonicalization before the analyses: it may erase the op that ties
  // two dimensions (a dead elementwise op still says its operands agree) and
  // rewrite ops under other ops' locations. Each bucket is canonicalized
  // after specialization instead.
  pm.addPass(createBucketSpecializeFunctionsPass(
      {options.buckets, options.padValues, options.masks, options.outOfRange,
       options.selfCheck, options.padding, options.maxBuckets}));
  pm.addPass(createBucketVerifyStaticShapesPass());
  pm.addPass(createBucketGenerateDispatchPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createBucketVerifyBucketizedPass());
  if (options.exportBuckets)
    pm.addPass(createBucketExportSpecializationsPass());
}

// Kept as text so that exactly the same lowering can be run with upstream
// mlir-opt, which the end-to-end tests do to obtain their reference.
// bucket-plan-buffers runs between the two halves in buildLowerToLLVMPipeline;
// it only moves buffers, so the reference lowering leaves it out.
// buildLowerToLLVMPipeline runs bucket-detach-state-results between
// kBufferize and kDeallocate and bucket-attach-state-results after it, so
// that deallocation does not clone a state result; upstream's lowering
// returns a copy of the state instead, with the same values.
static constexpr const char *kBufferize =
    "func.func(convert-elementwise-to-linalg),"
    "canonicalize,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map}";
static constexpr const char *kDeallocate = "buffer-deallocation-pipeline";
static constexpr const char *kToMemref = "convert-bufferization-to-memref";
static constexpr const char *kLowerBuffers =
    // Function-local steps are nested under func.func so that the pass
    // manager runs them on every bucket's function in parallel.
    "func.func(convert-linalg-to-loops,"
    "convert-vector-to-scf{full-unroll=true},"
    "lower-vector-multi-reduction{lowering-strategy=inner-reduction},"
    "canonicalize,"
    "convert-vector-to-llvm{vector-contract-lowering=outerproduct "
    "reassociate-fp-reductions=true},"
    "expand-strided-metadata,"
    "lower-affine,"
    "convert-scf-to-cf,"
    "convert-math-to-llvm),"
    "convert-math-to-libm,"
    "finalize-memref-to-llvm{use-generic-functions=true},"
    "func.func(convert-arith-to-llvm,"
    "convert-index-to-llvm),"
    "convert-cf-to-llvm,"
    "convert-func-to-llvm,"
    "convert-ub-to-llvm,"
    "reconcile-unrealized-casts";

StringRef mlir::bucket::getLowerToLLVMPipelineText() {
  static const std::string text = std::string("builtin.module(") + kBufferize +
                                  "," + kDeallocate + "," + kToMemref + "," +
                                  kLowerBuffers + ")";
  return text;
}

void mlir::bucket::buildLowerToLLVMPipeline(OpPassManager &pm,
                                            unsigned vectorBits) {
  // Loop order for the loops convert-linalg-to-loops emits. It only permutes
  // loops (each output still reduces in the same order), so the upstream-only
  // text below computes bit-identical results, just slower.
  // Static shapes (the buckets) get tiled and vectorized; what stays
  // dynamic (the fallback, unbucketed functions) takes the generic lowering.
  // The runtime API takes inputs as const.
  pm.addPass(createBucketMarkInputsReadOnlyPass());
  pm.addNestedPass<func::FuncOp>(createBucketDecomposeAggregatesPass());
  BucketTileAndVectorizePassOptions codegenOptions;
  codegenOptions.vectorBits = vectorBits;
  pm.addNestedPass<func::FuncOp>(
      createBucketTileAndVectorizePass(codegenOptions));
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createLinalgGeneralizeNamedOpsPass());
  pm.addNestedPass<func::FuncOp>(createBucketInterchangeForVectorizationPass());
  // The texts name registered passes only: failing to parse them is a bug
  // in this file, not a user error.
  if (failed(parsePassPipeline(kBufferize, pm)))
    llvm::report_fatal_error("bucket: invalid built-in lowering pipeline");
  // States stay in place (docs/State.md): checked here, and their results
  // kept away from deallocation, which would clone them.
  pm.addPass(createBucketDetachStateResultsPass());
  if (failed(parsePassPipeline(kDeallocate, pm)))
    llvm::report_fatal_error("bucket: invalid built-in lowering pipeline");
  pm.addPass(createBucketAttachStateResultsPass());
  if (failed(parsePassPipeline(kToMemref, pm)))
    llvm::report_fatal_error("bucket: invalid built-in lowering pipeline");
  // Static buckets get one arena for their buffers instead of an allocation
  // per op (see BufferPlan.h).
  pm.addNestedPass<func::FuncOp>(createBucketPlanBuffersPass());
  if (failed(parsePassPipeline(kLowerBuffers, pm)))
    llvm::report_fatal_error("bucket: invalid built-in lowering pipeline");
  pm.addPass(createBucketVerifyLLVMPass());
}

void mlir::bucket::registerBucketPipelines() {
  PassPipelineRegistration<BucketizeOptions>(
      "bucket-bucketize",
      "Specialize every public dynamic function per bucket and generate its "
      "dispatcher (tensor level)",
      buildBucketizePipeline);
  PassPipelineRegistration<>(
      "bucket-lower-to-llvm",
      "Lower a tensor-level module (bucketed or not) to the LLVM dialect",
      [](OpPassManager &pm) { buildLowerToLLVMPipeline(pm); });
}
