//===- CostModel.cpp - The compiler's cost of a bucket --------------------===//

#include "bucket/Tune/CostModel.h"

#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/Transforms/Specialize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::bucket;

/// Ops of a linalg body that cost work: all but the terminator, index reads
/// and constants.
static unsigned countBodyOps(linalg::LinalgOp op) {
  unsigned count = 0;
  for (Operation &bodyOp : op.getBlock()->without_terminator())
    if (!isa<linalg::IndexOp, arith::ConstantOp>(bodyOp))
      ++count;
  return count;
}

static double getByteSize(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return 0;
  Type element = shaped.getElementType();
  double bits =
      element.isIntOrIndexOrFloat() ? element.getIntOrFloatBitWidth() : 64;
  if (element.isIndex())
    bits = 64;
  return (double)shaped.getNumElements() * std::max(bits, 8.0) / 8;
}

FailureOr<WorkCount> mlir::bucket::countLinalgWork(Operation *root) {
  WorkCount work;
  WalkResult result = root->walk([&](linalg::LinalgOp op) {
    double domain = 1;
    for (int64_t range : op.getStaticLoopRanges()) {
      if (ShapedType::isDynamic(range)) {
        op->emitError("bucket-tune: the loop ranges of this op are not "
                      "static after specialization");
        return WalkResult::interrupt();
      }
      domain *= (double)range;
    }
    work.flops += domain * countBodyOps(op);
    for (OpOperand &operand : op->getOpOperands())
      work.bytes += getByteSize(operand.get().getType());
    ++work.numOps;
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return failure();
  return work;
}

FailureOr<std::unique_ptr<LinalgCostModel>>
LinalgCostModel::create(func::FuncOp func) {
  FailureOr<DimensionAnalysis> analysis = DimensionAnalysis::analyze(func);
  if (failed(analysis))
    return failure();
  std::unique_ptr<LinalgCostModel> model(new LinalgCostModel(func));
  for (const SymbolicDim &dim : analysis->getDims())
    model->dimNames.push_back(dim.names);
  for (BlockArgument arg : func.getArguments()) {
    SmallVector<int> ids;
    if (auto type = dyn_cast<RankedTensorType>(arg.getType()))
      for (unsigned d = 0; d < type.getRank(); ++d) {
        std::optional<unsigned> id =
            type.isDynamicDim(d) ? analysis->getDimId({arg.getArgNumber(), d})
                                 : std::nullopt;
        ids.push_back(id ? (int)*id : -1);
      }
    model->argDimIds.push_back(std::move(ids));
  }
  return model;
}

FailureOr<WorkCount> LinalgCostModel::count(ArrayRef<int64_t> sizes) {
  SmallVector<int64_t> key(sizes.begin(), sizes.end());
  auto cached = cache.find(key);
  if (cached != cache.end())
    return cached->second;
  if (sizes.size() != dimNames.size())
    return func.emitError("bucket-tune: expected ")
           << dimNames.size() << " sizes, got " << sizes.size();

  // A scratch module holding a clone of the function with static arguments,
  // cast back to the original types, then refined as the specialization does.
  MLIRContext *ctx = func.getContext();
  OpBuilder builder(ctx);
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(func.getLoc());
  auto clone = cast<func::FuncOp>(func->clone());
  scratch->push_back(clone);
  Block &entry = clone.getBody().front();
  builder.setInsertionPointToStart(&entry);
  SmallVector<Type> argTypes;
  for (BlockArgument arg : entry.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.hasStaticShape()) {
      argTypes.push_back(arg.getType());
      continue;
    }
    SmallVector<int64_t> shape(type.getShape());
    for (unsigned d = 0; d < shape.size(); ++d) {
      int id = argDimIds[arg.getArgNumber()][d];
      if (ShapedType::isDynamic(shape[d]) && id >= 0)
        shape[d] = sizes[id];
    }
    auto staticType = type.clone(shape);
    arg.setType(staticType);
    auto cast = tensor::CastOp::create(builder, arg.getLoc(), type, arg);
    arg.replaceAllUsesExcept(cast, cast);
    argTypes.push_back(staticType);
  }
  clone.setFunctionType(
      builder.getFunctionType(argTypes, clone.getResultTypes()));
  if (failed(refineFunctionShapes(clone)))
    return failure();
  IRRewriter rewriter(ctx);
  if (failed(decomposeAggregatedOps(rewriter, clone)))
    return failure();
  FailureOr<WorkCount> work = countLinalgWork(clone);
  if (succeeded(work))
    cache.emplace(std::move(key), *work);
  return work;
}
