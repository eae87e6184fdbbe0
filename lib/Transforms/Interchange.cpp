//===- Interchange.cpp - Loop order for the generic lowering --------------===//

#include "bucket/Analysis/Utils.h"
#include "bucket/Transforms/Specialize.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

using namespace mlir;
using namespace mlir::bucket;

namespace {
/// Moves the reduction loops of a generic op just outside the parallel loop
/// that indexes the innermost dimension of the output and of an input.
struct InterchangeForVectorization
    : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<utils::IteratorType> iterators = getEffectiveIteratorTypes(op);
    if (!llvm::is_contained(iterators, utils::IteratorType::reduction) ||
        op.getNumDpsInits() != 1)
      return rewriter.notifyMatchFailure(op, "not a single-output reduction");
    AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    if (outMap.getNumResults() == 0)
      return rewriter.notifyMatchFailure(op, "scalar output");
    auto last = dyn_cast<AffineDimExpr>(outMap.getResults().back());
    if (!last)
      return rewriter.notifyMatchFailure(op, "output not indexed by a loop");
    unsigned inner = last.getPosition();
    if (iterators[inner] != utils::IteratorType::parallel)
      return failure();
    // Only worth it when an input is contiguous along that loop too.
    bool contiguousInput =
        llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *in) {
          AffineMap map = op.getMatchingIndexingMap(in);
          return map.getNumResults() > 0 &&
                 map.getResults().back() == outMap.getResults().back();
        });
    if (!contiguousInput)
      return rewriter.notifyMatchFailure(op, "no input is contiguous along the "
                                             "output's innermost loop");
    SmallVector<unsigned> order;
    for (unsigned i = 0; i < iterators.size(); ++i)
      if (i != inner && iterators[i] == utils::IteratorType::parallel)
        order.push_back(i);
    for (unsigned i = 0; i < iterators.size(); ++i)
      if (iterators[i] != utils::IteratorType::parallel)
        order.push_back(i);
    order.push_back(inner);
    if (llvm::equal(order, llvm::seq<unsigned>(0, order.size())))
      return rewriter.notifyMatchFailure(op, "already in order");
    if (failed(linalg::interchangeGenericOp(rewriter, op, order)))
      return failure();
    return success();
  }
};
} // namespace

void mlir::bucket::populateInterchangeForVectorizationPatterns(
    RewritePatternSet &patterns) {
  patterns.add<InterchangeForVectorization>(patterns.getContext());
}
