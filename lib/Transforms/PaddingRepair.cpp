//===- PaddingRepair.cpp - Inserting the masks of the padding analysis ----===//
//
// Each mask compares linalg.index values with real extents read at the
// function's entry, so that the padding analysis and useRealSizes see the
// same `tensor.dim`s of arguments they already handle: a size used as a
// value in a linalg body.
//
//===----------------------------------------------------------------------===//

#include "bucket/Transforms/PaddingRepair.h"
#include "bucket/Analysis/PaddingLattice.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::bucket;

namespace {

/// Builds the real extents at the entry of the function, once each.
class RealExtents {
public:
  RealExtents(RewriterBase &rewriter, func::FuncOp func,
              const DimensionAnalysis &dims)
      : rewriter(rewriter), func(func), dims(dims) {}

  /// The real size of class `cls` plus `offset`.
  Value get(unsigned cls, int64_t offset) {
    auto key = std::make_pair(cls, offset);
    if (Value cached = extents.lookup(key))
      return cached;
    OpBuilder::InsertionGuard guard(rewriter);
    Block &entry = func.getBody().front();
    rewriter.setInsertionPointToStart(&entry);
    DimPosition pos = dims.getDims()[cls].argDims.front();
    Location loc = func.getLoc();
    Value size = get0(cls, pos, loc);
    if (offset) {
      rewriter.setInsertionPointAfterValue(size);
      Value c = arith::ConstantIndexOp::create(rewriter, loc, offset);
      size = arith::AddIOp::create(rewriter, loc, size, c);
    }
    extents[key] = size;
    return size;
  }

private:
  Value get0(unsigned cls, DimPosition pos, Location loc) {
    auto key = std::make_pair(cls, int64_t(0));
    if (Value cached = extents.lookup(key))
      return cached;
    Value size = tensor::DimOp::create(rewriter, loc,
                                       func.getArgument(pos.index), pos.dim);
    extents[key] = size;
    return size;
  }

  RewriterBase &rewriter;
  func::FuncOp func;
  const DimensionAnalysis &dims;
  DenseMap<std::pair<unsigned, int64_t>, Value> extents;
};

/// `linalg.index l < extent` for every (loop, extent), and-ed; at the
/// builder's insertion point, inside a linalg body.
Value buildInRealRange(OpBuilder &b, Location loc,
                       ArrayRef<std::pair<unsigned, Value>> bounds) {
  Value cond;
  for (auto [loop, extent] : bounds) {
    Value index = linalg::IndexOp::create(b, loc, loop);
    Value in =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, index, extent);
    cond = cond ? arith::AndIOp::create(b, loc, cond, in).getResult() : in;
  }
  return cond;
}

/// Replaces the values `yield` yields by `select(cond, value, keep(k))`.
void selectYielded(RewriterBase &rewriter, linalg::YieldOp yield, Value cond,
                   function_ref<Value(unsigned)> keep) {
  SmallVector<Value> values;
  for (auto [k, v] : llvm::enumerate(yield.getValues()))
    values.push_back(
        arith::SelectOp::create(rewriter, yield.getLoc(), cond, v, keep(k)));
  rewriter.modifyOpInPlace(yield, [&] { yield->setOperands(values); });
}

void maskAccumulator(RewriterBase &rewriter, const PaddingMask &mask,
                     RealExtents &extents) {
  auto generic = cast<linalg::GenericOp>(mask.op);
  SmallVector<std::pair<unsigned, Value>> bounds;
  for (const PaddingMask::Dim &d : mask.dims)
    bounds.push_back({d.dim, extents.get(d.cls, d.offset)});
  Block *body = generic.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(yield);
  Value cond = buildInRealRange(rewriter, generic.getLoc(), bounds);
  unsigned numInputs = generic.getNumDpsInputs();
  selectYielded(rewriter, yield, cond, [&](unsigned k) -> Value {
    return body->getArgument(numInputs + k);
  });
}

/// Whether `producer` can hold the mask of its result `v` in its body: an
/// all-parallel generic whose outputs are indexed by the loops in order,
/// with `v` used only by the masked op.
bool canFuseInto(linalg::GenericOp producer, Value v) {
  if (!producer || !v.hasOneUse() ||
      producer.getNumParallelLoops() != producer.getNumLoops())
    return false;
  return llvm::all_of(producer.getDpsInitsMutable(), [&](OpOperand &init) {
    return producer.getMatchingIndexingMap(&init).isIdentity();
  });
}

void maskOperand(RewriterBase &rewriter, const PaddingMask &mask,
                 RealExtents &extents) {
  Value v = mask.op->getOperand(mask.operandNumber);
  Location loc = mask.op->getLoc();
  SmallVector<std::pair<unsigned, Value>> bounds;
  for (const PaddingMask::Dim &d : mask.dims)
    bounds.push_back({d.dim, extents.get(d.cls, d.offset)});
  OpBuilder::InsertionGuard guard(rewriter);

  // Fused: the producer's padded positions hold the value from the start.
  if (auto producer = v.getDefiningOp<linalg::GenericOp>();
      canFuseInto(producer, v)) {
    auto yield = cast<linalg::YieldOp>(producer.getBody()->getTerminator());
    rewriter.setInsertionPoint(yield);
    Value cond = buildInRealRange(rewriter, producer.getLoc(), bounds);
    Value neutral =
        arith::ConstantOp::create(rewriter, producer.getLoc(), mask.value);
    unsigned result = cast<OpResult>(v).getResultNumber();
    SmallVector<Value> values(yield.getValues());
    values[result] = arith::SelectOp::create(rewriter, producer.getLoc(), cond,
                                             values[result], neutral);
    rewriter.modifyOpInPlace(yield, [&] { yield->setOperands(values); });
    return;
  }

  // A select of its own, right before the masked op.
  rewriter.setInsertionPoint(mask.op);
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, v);
  Value init =
      tensor::EmptyOp::create(rewriter, loc, sizes, type.getElementType());
  AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto select = linalg::GenericOp::create(
      rewriter, loc, TypeRange{type}, ValueRange{v}, ValueRange{init},
      ArrayRef<AffineMap>{identity, identity}, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value cond = buildInRealRange(b, l, bounds);
        Value neutral = arith::ConstantOp::create(b, l, mask.value);
        Value picked = arith::SelectOp::create(b, l, cond, args[0], neutral);
        linalg::YieldOp::create(b, l, picked);
      });
  rewriter.modifyOpInPlace(mask.op, [&] {
    mask.op->setOperand(mask.operandNumber, select.getResult(0));
  });
}

/// The remark that says what a mask costs and why it is there.
void emitMaskRemark(const PaddingMask &mask, const DimensionAnalysis &dims) {
  InFlightDiagnostic remark = mask.op->emitRemark();
  auto describeDims = [&]() {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvm::interleaveComma(mask.dims, os, [&](const PaddingMask::Dim &d) {
      os << "'" << dims.getDims()[d.cls].getName() << "'";
    });
    return text;
  };
  if (mask.kind == PaddingMask::Kind::Accumulator) {
    remark << "masked the padded iterations along " << describeDims()
           << " (the accumulators are kept there)";
  } else {
    remark << "masked operand " << mask.operandNumber << " along "
           << describeDims() << " with "
           << padding::Abstract::constant(mask.value, false, 0).describe();
  }
  remark << ": without it, " << mask.reason;
}

} // namespace

void mlir::bucket::insertPaddingMasks(RewriterBase &rewriter, func::FuncOp func,
                                      const DimensionAnalysis &dims,
                                      ArrayRef<PaddingMask> masks) {
  RealExtents extents(rewriter, func, dims);
  for (const PaddingMask &mask : masks) {
    emitMaskRemark(mask, dims);
    if (mask.kind == PaddingMask::Kind::Accumulator)
      maskAccumulator(rewriter, mask, extents);
    else
      maskOperand(rewriter, mask, extents);
  }
}
