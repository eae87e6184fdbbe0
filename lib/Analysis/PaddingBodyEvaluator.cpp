//===- PaddingBodyEvaluator.cpp - Following padding through linalg ops ----===//
//
// Linalg ops: which loops run over padded positions, what the body computes
// at those iterations, whether a reduction over a padded loop leaves its
// accumulator unchanged there, and what the padded positions of the results
// hold.
//
//===----------------------------------------------------------------------===//

#include "bucket/Analysis/PaddingAnalyzer.h"
#include "bucket/Analysis/Utils.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::bucket;
using namespace mlir::bucket::padding;

//===----------------------------------------------------------------------===//
// BodyEvaluator
//===----------------------------------------------------------------------===//

namespace mlir {
namespace bucket {
namespace padding {

/// Evaluates the body of a linalg op on abstract values, at iterations where
/// one of its padded loops is in its padded range.
class BodyEvaluator {
public:
  /// Finds the padded loops of `op` from the padding of its operands in
  /// `info`; scalars the body reads from outside are `outside` where known,
  /// else real values. Both must outlive the evaluator.
  BodyEvaluator(linalg::LinalgOp op, const DenseMap<Value, PadInfo> &info,
                const DenseMap<Value, Abstract> &outside)
      : op(op), info(info), outside(outside), body(op.getBlock()),
        iterators(getEffectiveIteratorTypes(op)), loopPads(op.getNumLoops()) {
    findPaddedLoops();
  }

  unsigned getNumLoops() const { return loopPads.size(); }
  /// The padding of the dimensions loop `l` indexes directly, nullopt for a
  /// loop that indexes no padded dimension directly.
  const std::optional<PadDim> &getLoopPad(unsigned l) const {
    return loopPads[l];
  }
  /// Whether loop `l` reduces, by the indexing maps
  /// (getEffectiveIteratorTypes).
  bool isReduction(unsigned l) const {
    return iterators[l] == utils::IteratorType::reduction;
  }
  Block *getBody() const { return body; }

  /// Evaluates the body at iterations where loop `p` is in its padded range
  /// and returns what it yields. With `othersReal`, the other padded parallel
  /// loops are in their real range (a real result position, or the exclusive
  /// content of a padded dimension); otherwise they may be anywhere. Padded
  /// reduction loops other than `p` are always anywhere. Init block arguments
  /// get `initValues`.
  SmallVector<Abstract> evaluate(unsigned p, bool othersReal,
                                 ArrayRef<Abstract> initValues);

  /// What the last `evaluate` computed for `v`; null when it computed nothing
  /// for it (a constant or a value defined outside the body).
  const Abstract *getComputed(Value v) const {
    auto it = env.find(v);
    return it == env.end() ? nullptr : &it->second;
  }

  /// What result `result` holds where loop `p`, which indexes it directly,
  /// is padded (with `othersReal` as for `evaluate`).
  Abstract evaluateResult(unsigned result, unsigned p, bool othersReal);

private:
  /// Records, for every loop that indexes a padded dimension of an operand
  /// directly (an AffineDimExpr), that dimension's padding.
  void findPaddedLoops();
  const PadInfo *lookup(Value v) const {
    auto it = info.find(v);
    return it == info.end() ? nullptr : &it->second;
  }
  /// Whether loop `l` is in its real range in the current evaluation.
  bool isReal(unsigned l) const {
    return l != paddedLoop && othersAreReal &&
           iterators[l] == utils::IteratorType::parallel;
  }
  /// Whether `expr` may index the padded range of a dimension in the current
  /// evaluation.
  bool mayBePadded(AffineExpr expr) const {
    return llvm::any_of(llvm::seq(0u, getNumLoops()), [&](unsigned l) {
      return expr.isFunctionOfDim(l) && loopPads[l] && !isReal(l);
    });
  }
  /// What the block argument of input `operand` holds.
  Abstract evaluateInput(OpOperand &operand);
  /// Binds the results of the body's linalg.index ops.
  void bindIndices();
  /// What `v`, an operand of an op of the body, holds.
  Abstract lookupScalar(Value v) const;
  /// Whether `v` is the block argument of an output (an accumulator).
  bool isAccumulator(Value v) const {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg && arg.getOwner() == body &&
           arg.getArgNumber() >= body->getNumArguments() - op->getNumResults();
  }
  /// Whether `cond` is a conjunction of `linalg.index < real size`, the
  /// condition of a mask.
  bool isRealSizeMask(Value cond) const;
  /// Evaluates the ops of the body in order; what the terminator yields.
  SmallVector<Abstract> walkBody();
  /// What the inits hold where loop `p` is padded, for evaluateResult.
  SmallVector<Abstract> getInitValues(unsigned p, bool othersReal);

  linalg::LinalgOp op;
  const DenseMap<Value, PadInfo> &info;
  const DenseMap<Value, Abstract> &outside;
  Block *body;
  /// A loop the outputs do not depend on reduces into them, whatever
  /// `iterator_types` says.
  SmallVector<utils::IteratorType> iterators;
  SmallVector<std::optional<PadDim>> loopPads;

  /// The iteration being evaluated (see evaluate) and what the values of the
  /// body hold there.
  unsigned paddedLoop = 0;
  bool othersAreReal = false;
  DenseMap<Value, Abstract> env;
};

} // namespace padding
} // namespace bucket
} // namespace mlir

void BodyEvaluator::findPaddedLoops() {
  for (OpOperand &operand : op->getOpOperands()) {
    const PadInfo *src = lookup(operand.get());
    if (!src)
      continue;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    for (auto [d, expr] : llvm::enumerate(map.getResults())) {
      auto dimExpr = dyn_cast<AffineDimExpr>(expr);
      if (!(*src)[d] || !dimExpr)
        continue;
      std::optional<PadDim> &loopPad = loopPads[dimExpr.getPosition()];
      if (!loopPad)
        loopPad =
            makePadDim((*src)[d]->cls, (*src)[d]->offset, {}, (*src)[d]->scale);
    }
  }
}

Abstract BodyEvaluator::evaluateInput(OpOperand &operand) {
  Abstract value = Abstract::get(Abstract::Finite);
  Attribute scalar;
  if (matchPattern(operand.get(), m_Constant(&scalar))) {
    // A scalar, or a splat tensor (importers write `1 - mask` with a 0-d
    // constant tensor `dense<1.0> : tensor<f32>`): every element is that
    // constant.
    if (auto splat = dyn_cast<SplatElementsAttr>(scalar))
      scalar = splat.getSplatValue<Attribute>();
    if (auto typed = dyn_cast<TypedAttr>(scalar);
        typed && !isa<ShapedType>(typed.getType()))
      value = Abstract::constant(typed, false, 0);
  }
  const PadInfo *src = lookup(operand.get());
  if (!src)
    return value;
  // The dimension loop `paddedLoop` indexes is padded; the others are real
  // or anywhere.
  AffineMap map = op.getMatchingIndexingMap(&operand);
  std::optional<unsigned> pDim;
  bool othersMayBePadded = false;
  for (auto [d, expr] : llvm::enumerate(map.getResults())) {
    if (!(*src)[d])
      continue;
    auto dimExpr = dyn_cast<AffineDimExpr>(expr);
    if (dimExpr && dimExpr.getPosition() == paddedLoop)
      pDim = d;
    else if (mayBePadded(expr))
      othersMayBePadded = true;
  }
  if (pDim)
    return othersMayBePadded ? (*src)[*pDim]->content
                             : (*src)[*pDim]->exclusive;
  for (auto [d, expr] : llvm::enumerate(map.getResults()))
    if ((*src)[d] && mayBePadded(expr))
      value = join(value, (*src)[d]->content);
  return value;
}

void BodyEvaluator::bindIndices() {
  body->walk([&](linalg::IndexOp index) {
    unsigned l = index.getDim();
    // Positions of a merged dimension are not compared with the class's
    // size: any real index.
    if (!loopPads[l] || loopPads[l]->scale != 1)
      env[index] = Abstract::get(Abstract::Finite);
    else if (l == paddedLoop)
      env[index] = Abstract::index(Abstract::PadIndex, loopPads[l]->cls,
                                   loopPads[l]->offset);
    else if (isReal(l))
      env[index] = Abstract::index(Abstract::RealIndex, loopPads[l]->cls,
                                   loopPads[l]->offset);
    else
      env[index] = Abstract::get(Abstract::Finite);
  });
}

bool BodyEvaluator::isRealSizeMask(Value cond) const {
  if (auto conj = cond.getDefiningOp<arith::AndIOp>())
    return isRealSizeMask(conj.getLhs()) && isRealSizeMask(conj.getRhs());
  auto cmp = cond.getDefiningOp<arith::CmpIOp>();
  return cmp && cmp.getPredicate() == arith::CmpIPredicate::ult &&
         cmp.getLhs().getDefiningOp<linalg::IndexOp>() &&
         lookupScalar(cmp.getRhs()).kind == Abstract::RealSize;
}

Abstract BodyEvaluator::lookupScalar(Value v) const {
  if (const Abstract *computed = getComputed(v))
    return *computed;
  Attribute c;
  if (matchPattern(v, m_Constant(&c)))
    if (auto typed = dyn_cast<TypedAttr>(c))
      return Abstract::constant(typed, false, 0);
  if (auto it = outside.find(v); it != outside.end())
    return it->second;
  // Defined outside the body: a real value.
  return Abstract::get(Abstract::Finite);
}

SmallVector<Abstract> BodyEvaluator::walkBody() {
  SmallVector<Abstract> yielded;
  for (Operation &inner : body->getOperations()) {
    if (auto yield = dyn_cast<linalg::YieldOp>(inner)) {
      for (Value v : yield.getValues())
        yielded.push_back(lookupScalar(v));
      break;
    }
    // Constants are read by lookupScalar.
    if (isa<linalg::IndexOp>(inner) || inner.hasTrait<OpTrait::ConstantLike>())
      continue;
    if (inner.getNumResults() != 1 || inner.getNumRegions() != 0) {
      for (Value r : inner.getResults())
        env[r] = Abstract::get(Abstract::Unknown);
      continue;
    }
    SmallVector<Abstract> in;
    for (Value operand : inner.getOperands())
      in.push_back(lookupScalar(operand));
    // An accumulator mask (PaddingMask::Kind::Accumulator): at iterations
    // where it is undecided it keeps the accumulator or applies the body,
    // and keeping it adds no accumulator value, so the body's value stands
    // for both (every reduction has at least one real iteration).
    if (auto select = dyn_cast<arith::SelectOp>(inner);
        select && !in[0].isConst() && isAccumulator(select.getFalseValue()) &&
        isRealSizeMask(select.getCondition())) {
      env[select] = in[1];
      continue;
    }
    auto extract = dyn_cast<tensor::ExtractOp>(inner);
    if (!extract) {
      env[inner.getResult(0)] = transfer(&inner, in);
      continue;
    }
    // Indices computed from padding read some real element, or a padded one
    // of a padded tensor.
    Abstract value = Abstract::get(Abstract::Finite);
    for (const Abstract &a : in)
      value.args |= a.args;
    if (const PadInfo *src = lookup(extract.getTensor()))
      for (const std::optional<PadDim> &d : *src)
        if (d)
          value = join(value, d->content);
    env[inner.getResult(0)] = value;
  }
  return yielded;
}

SmallVector<Abstract> BodyEvaluator::evaluate(unsigned p, bool othersReal,
                                              ArrayRef<Abstract> initValues) {
  paddedLoop = p;
  othersAreReal = othersReal;
  env.clear();
  for (OpOperand &operand : op->getOpOperands()) {
    BlockArgument arg = op.getMatchingBlockArgument(&operand);
    if (!arg)
      continue;
    if (op.isDpsInit(&operand))
      env[arg] = initValues[operand.getOperandNumber() - op.getNumDpsInputs()];
    else
      env[arg] = evaluateInput(operand);
  }
  bindIndices();
  return walkBody();
}

SmallVector<Abstract> BodyEvaluator::getInitValues(unsigned p,
                                                   bool othersReal) {
  unsigned numInits = op.getNumDpsInits();
  SmallVector<Abstract> inits(numInits, Abstract::get(Abstract::Finite));
  for (unsigned k = 0; k < numInits; ++k) {
    OpOperand *init = op.getDpsInitOperand(k);
    const PadInfo *initPad = lookup(init->get());
    if (!initPad)
      continue;
    AffineMap map = op.getMatchingIndexingMap(init);
    for (auto [d, expr] : llvm::enumerate(map.getResults()))
      if (auto dimExpr = dyn_cast<AffineDimExpr>(expr);
          dimExpr && dimExpr.getPosition() == p && (*initPad)[d])
        inits[k] =
            othersReal ? (*initPad)[d]->exclusive : (*initPad)[d]->content;
  }
  return inits;
}

Abstract BodyEvaluator::evaluateResult(unsigned result, unsigned p,
                                       bool othersReal) {
  // The result is the body's output for some reachable accumulator (the
  // reduction domain is not empty): explore the reachable accumulator tuples
  // (the lattice is shallow, and the search gives up after a few) and join
  // the outputs. Without reduction loops there is a single step.
  bool hasReduction =
      llvm::is_contained(iterators, utils::IteratorType::reduction);
  SmallVector<SmallVector<Abstract>> seen{getInitValues(p, othersReal)};
  std::optional<Abstract> content;
  for (unsigned next = 0; next < seen.size(); ++next) {
    SmallVector<Abstract> yielded = evaluate(p, othersReal, seen[next]);
    content = content ? join(*content, yielded[result]) : yielded[result];
    if (!hasReduction)
      break;
    if (seen.size() >= 8) {
      content = Abstract::get(Abstract::Unknown, content->args);
      break;
    }
    if (!llvm::is_contained(seen, yielded))
      seen.push_back(yielded);
  }
  return *content;
}

//===----------------------------------------------------------------------===//
// Analyzer: linalg ops
//===----------------------------------------------------------------------===//

std::optional<Failure> Analyzer::visitLinalg(linalg::LinalgOp op) {
  BodyEvaluator body(op, info, outsideScalars);
  if (std::optional<Failure> failure = checkWindows(op, body))
    return failure;
  blockSplitAlongLoops(op, body);
  if (std::optional<Failure> failure = checkReductions(op, body))
    return failure;
  return recordResults(op, body);
}

std::optional<Failure> Analyzer::checkWindows(linalg::LinalgOp op,
                                              const BodyEvaluator &body) {
  // Padded dimensions read through other expressions than a loop (windows of
  // a convolution or pooling): the original reads real positions at real
  // iterations; padded reduction loops may not appear in them.
  for (OpOperand &operand : op->getOpOperands()) {
    const PadInfo *src = lookup(operand.get());
    if (!src)
      continue;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    for (auto [d, expr] : llvm::enumerate(map.getResults())) {
      if (!(*src)[d] || isa<AffineDimExpr>(expr))
        continue;
      blockSplit((*src)[d]->cls, op, "it reads neighbouring positions");
      for (unsigned l = 0; l < body.getNumLoops(); ++l)
        if (expr.isFunctionOfDim(l) && body.getLoopPad(l) &&
            body.isReduction(l))
          return cannotProve(op,
                             "a padded reduction loop in an indexing "
                             "expression",
                             body.getLoopPad(l)->cls);
    }
  }
  return std::nullopt;
}

void Analyzer::blockSplitAlongLoops(linalg::LinalgOp op,
                                    const BodyEvaluator &body) {
  for (unsigned l = 0; l < body.getNumLoops(); ++l)
    if (body.getLoopPad(l) && body.isReduction(l))
      blockSplit(body.getLoopPad(l)->cls, op, "it reduces over the dimension");
  // Two loops over the same dimension pair its positions (an outer product,
  // a square [B, B]): a chunk would only compute the diagonal blocks.
  for (unsigned l = 0; l < body.getNumLoops(); ++l)
    for (unsigned m = l + 1; m < body.getNumLoops(); ++m)
      if (body.getLoopPad(l) && body.getLoopPad(m) &&
          body.getLoopPad(l)->cls == body.getLoopPad(m)->cls)
        blockSplit(body.getLoopPad(l)->cls, op,
                   "two of its loops run over the dimension");
  // Position-dependent bodies see different indices in a chunk.
  body.getBody()->walk([&](linalg::IndexOp index) {
    if (const std::optional<PadDim> &loopPad = body.getLoopPad(index.getDim()))
      blockSplit(loopPad->cls, op,
                 "its body depends on the position along the dimension");
  });
}

std::optional<Failure> Analyzer::checkReductions(linalg::LinalgOp op,
                                                 BodyEvaluator &body) {
  // At every real output position, the padded iterations of a padded
  // reduction loop must leave the accumulator unchanged.
  for (unsigned r = 0; r < body.getNumLoops(); ++r) {
    if (!body.getLoopPad(r) || !body.isReduction(r) ||
        isAccumulatorMasked(op, r))
      continue;
    SmallVector<Abstract> accs(op.getNumDpsInits(),
                               Abstract::get(Abstract::Acc));
    SmallVector<Abstract> yielded = body.evaluate(r, /*othersReal=*/true, accs);
    for (auto [i, value] : llvm::enumerate(yielded))
      if (value.kind != Abstract::Acc)
        return describeReduction(op, body, r, i, value);
  }
  return std::nullopt;
}

Failure Analyzer::describeReduction(linalg::LinalgOp op,
                                    const BodyEvaluator &body, unsigned loop,
                                    unsigned result, const Abstract &value) {
  // Describe the combiner and what reached it, from the evaluation that
  // found the failure.
  Block *block = body.getBody();
  Value yieldedValue = block->getTerminator()->getOperand(result);
  Operation *combiner = yieldedValue.getDefiningOp();
  std::string what = "its padded iterations change the result";
  if (combiner && combiner->getBlock() == block &&
      combiner->getNumOperands() == 2) {
    // Say what the combiner received besides the accumulator.
    std::optional<Abstract> contribution;
    for (Value operand : combiner->getOperands()) {
      const Abstract *computed = body.getComputed(operand);
      Attribute c;
      if (computed && computed->kind != Abstract::Acc)
        contribution = *computed;
      else if (!computed && matchPattern(operand, m_Constant(&c)))
        if (auto typed = dyn_cast<TypedAttr>(c))
          contribution = Abstract::constant(typed, false, 0);
    }
    TypedAttr neutral = getNeutral(combiner, yieldedValue.getType());
    what = "combines its padded iterations with '" +
           combiner->getName().getStringRef().str() + "'";
    if (neutral && contribution) {
      Abstract n = Abstract::constant(neutral, false, 0);
      what += ", which needs its neutral element " + n.describe() +
              " from them but gets " + contribution->describe();
    }
  }
  unsigned cls = body.getLoopPad(loop)->cls;
  return Failure{op,
                 ("'" + op->getName().getStringRef() +
                  "' reduces over padded dimension " + className(cls) +
                  " and " + what)
                     .str(),
                 value.args,
                 cls,
                 loop,
                 body.getLoopPad(loop)};
}

std::optional<Failure> Analyzer::recordResults(linalg::LinalgOp op,
                                               BodyEvaluator &body) {
  // The padded contents of the results, per padded dimension of their inits.
  for (auto [i, result] : llvm::enumerate(op->getResults())) {
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type)
      continue;
    OpOperand *init = op.getDpsInitOperand(i);
    AffineMap map = op.getMatchingIndexingMap(init);
    const PadInfo *initPad = lookup(init->get());
    PadInfo pad(type.getRank());
    for (auto [d, expr] : llvm::enumerate(map.getResults())) {
      std::optional<PadDim> dimPad =
          initPad ? (*initPad)[d] : std::optional<PadDim>();
      if (!dimPad)
        continue;
      auto dimExpr = dyn_cast<AffineDimExpr>(expr);
      if (!dimExpr)
        return cannotProve(op, "an output indexed by an expression",
                           dimPad->cls);
      unsigned p = dimExpr.getPosition();
      pad[d] =
          PadDim{dimPad->cls, dimPad->offset,
                 body.evaluateResult(i, p, /*othersReal=*/false),
                 body.evaluateResult(i, p, /*othersReal=*/true), dimPad->scale};
    }
    if (hasPadding(pad))
      info[result] = std::move(pad);
  }
  return std::nullopt;
}
