//===- Utils.cpp - Facts about ops that the analyses share ----------------===//

#include "bucket/Analysis/Utils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::bucket;

SmallVector<utils::IteratorType>
mlir::bucket::getEffectiveIteratorTypes(linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (OpOperand &init : op.getDpsInitsMutable()) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    for (unsigned l = 0, e = iterators.size(); l < e; ++l)
      if (!map.isFunctionOfDim(l))
        iterators[l] = utils::IteratorType::reduction;
  }
  return iterators;
}

bool mlir::bucket::hasMisdeclaredParallelLoops(linalg::LinalgOp op) {
  return getEffectiveIteratorTypes(op) != op.getIteratorTypesArray();
}

LogicalResult mlir::bucket::verifyConstantDimIndices(func::FuncOp func) {
  bool ok = true;
  func.walk([&](tensor::DimOp dimOp) {
    APInt index;
    if (!matchPattern(dimOp.getIndex(), m_ConstantInt(&index)))
      return;
    auto type = dyn_cast<RankedTensorType>(dimOp.getSource().getType());
    if (!type)
      return;
    int64_t d = index.getSExtValue();
    if (d >= 0 && d < type.getRank())
      return;
    dimOp.emitError() << "reads dimension " << d << " of a tensor of rank "
                      << type.getRank() << " (" << type
                      << "): no such dimension";
    ok = false;
  });
  return success(ok);
}
