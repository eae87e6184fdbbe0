//===- PaddingAnalyzer.cpp - Following padding through tensor ops ---------===//
//
// The driver of one run of the padding analysis and its visitors for the
// tensor ops; linalg ops are in PaddingBodyEvaluator.cpp.
//
//===----------------------------------------------------------------------===//

#include "bucket/Analysis/PaddingAnalyzer.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::bucket;
using namespace mlir::bucket::padding;

std::optional<Failure> Analyzer::run() {
  if (!func.getBody().hasOneBlock())
    return Failure{func,
                   "cannot prove that padding is safe in a function "
                   "with several blocks",
                   0, std::nullopt};
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.hasStaticShape())
      continue;
    unsigned i = arg.getArgNumber();
    PadInfo pad(type.getRank());
    for (unsigned d = 0; d < type.getRank(); ++d) {
      std::optional<unsigned> cls = dims.getDimId({i, d});
      if (!cls)
        continue;
      Abstract content =
          Abstract::constant(padValues[i], masks[i], uint64_t(1) << (i % 64));
      pad[d] = makePadDim(*cls, 0, content);
    }
    info[arg] = std::move(pad);
  }
  if (realSizes)
    bindRealSizes();
  for (Operation &op : func.getBody().front()) {
    if (std::optional<Failure> failure = visit(&op))
      return failure;
  }
  return std::nullopt;
}

bool Analyzer::readsPadding(Operation *op) const {
  return llvm::any_of(op->getOperands(),
                      [&](Value v) { return lookup(v) != nullptr; });
}

//===----------------------------------------------------------------------===//
// Sizes
//===----------------------------------------------------------------------===//

/// The positive `scale` and the `shift` of an affine.apply of one operand
/// `x` whose map is `x * scale + shift`; nullopt for any other apply.
static std::optional<std::pair<int64_t, int64_t>>
matchAffineLine(affine::AffineApplyOp apply) {
  if (apply.getNumOperands() != 1)
    return std::nullopt;
  AffineMap map = apply.getAffineMap();
  MLIRContext *ctx = apply.getContext();
  AffineExpr e = map.getResult(0);
  AffineExpr base =
      map.getNumDims() ? getAffineDimExpr(0, ctx) : getAffineSymbolExpr(0, ctx);
  // Read scale and shift off e at base = 0 and 1, then check that e is that
  // line.
  auto at = [&](AffineExpr x) {
    return simplifyAffineExpr(e.replace(base, x), map.getNumDims(),
                              map.getNumSymbols());
  };
  auto shift = dyn_cast<AffineConstantExpr>(at(getAffineConstantExpr(0, ctx)));
  auto one = dyn_cast<AffineConstantExpr>(at(getAffineConstantExpr(1, ctx)));
  if (!shift || !one || one.getValue() <= shift.getValue())
    return std::nullopt;
  int64_t scale = one.getValue() - shift.getValue();
  AffineExpr rest = simplifyAffineExpr(e - (base * scale + shift.getValue()),
                                       map.getNumDims(), map.getNumSymbols());
  if (rest != getAffineConstantExpr(0, ctx))
    return std::nullopt;
  return std::make_pair(scale, shift.getValue());
}

FailureOr<std::optional<PaddedSize>> Analyzer::evalSize(OpFoldResult size) {
  using Result = std::optional<PaddedSize>;
  auto value = dyn_cast<Value>(size);
  if (!value || matchPattern(value, m_Constant()))
    return Result();
  Operation *def = value.getDefiningOp();
  if (auto dimOp = dyn_cast_if_present<tensor::DimOp>(def)) {
    std::optional<int64_t> d = dimOp.getConstantIndex();
    const PadInfo *src = lookup(dimOp.getSource());
    if (!src)
      return Result();
    if (!d)
      return failure();
    if (!(*src)[*d])
      return Result();
    const PadDim &padDim = *(*src)[*d];
    return Result(PaddedSize{padDim.cls, padDim.offset, padDim.scale});
  }
  // `base * scale + shift`.
  auto affine = [&](Value base, int64_t scale,
                    int64_t shift) -> FailureOr<Result> {
    FailureOr<Result> r = evalSize(base);
    if (failed(r) || !*r)
      return r;
    return Result(PaddedSize{(*r)->cls, (*r)->offset * scale + shift,
                             (*r)->scale * scale});
  };
  APInt c;
  if (isa_and_present<arith::AddIOp, arith::SubIOp>(def)) {
    bool sub = isa<arith::SubIOp>(def);
    if (matchPattern(def->getOperand(1), m_ConstantInt(&c)))
      return affine(def->getOperand(0), 1,
                    sub ? -c.getSExtValue() : c.getSExtValue());
    if (!sub && matchPattern(def->getOperand(0), m_ConstantInt(&c)))
      return affine(def->getOperand(1), 1, c.getSExtValue());
  }
  // A padded size times a positive constant (`batch * heads`).
  if (isa_and_present<arith::MulIOp>(def)) {
    for (unsigned k = 0; k < 2; ++k)
      if (matchPattern(def->getOperand(k), m_ConstantInt(&c)) &&
          c.getSExtValue() > 0)
        return affine(def->getOperand(1 - k), c.getSExtValue(), 0);
  }
  if (auto apply = dyn_cast_if_present<affine::AffineApplyOp>(def))
    if (std::optional<std::pair<int64_t, int64_t>> line =
            matchAffineLine(apply))
      return affine(apply.getOperand(0), line->first, line->second);
  // Anything else is fine as long as no padded size flows into it.
  if (!def)
    return Result();
  for (Value operand : def->getOperands()) {
    if (!operand.getType().isIndex() && !operand.getType().isInteger())
      continue;
    FailureOr<Result> r = evalSize(operand);
    if (failed(r) || *r)
      return failure();
  }
  return Result();
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

void Analyzer::bindRealSizes() {
  for (Operation &op : func.getBody().front()) {
    if (auto dimOp = dyn_cast<tensor::DimOp>(op)) {
      auto arg = dyn_cast<BlockArgument>(dimOp.getSource());
      std::optional<int64_t> d = dimOp.getConstantIndex();
      if (!arg || arg.getOwner()->getParentOp() != func || !d)
        continue;
      if (std::optional<unsigned> cls =
              dims.getDimId({arg.getArgNumber(), unsigned(*d)}))
        outsideScalars[dimOp] = Abstract::index(Abstract::RealSize, *cls);
      continue;
    }
    // The real size plus a constant: the extent of a padded dimension that
    // starts `offset` past the real size (after a tensor.pad).
    APInt c;
    if (!isa<arith::AddIOp, arith::SubIOp>(op) ||
        !matchPattern(op.getOperand(1), m_ConstantInt(&c)))
      continue;
    auto it = outsideScalars.find(op.getOperand(0));
    if (it == outsideScalars.end())
      continue;
    Abstract size = it->second;
    size.offset +=
        isa<arith::SubIOp>(op) ? -c.getSExtValue() : c.getSExtValue();
    outsideScalars[op.getResult(0)] = size;
  }
}

bool Analyzer::isAccumulatorMasked(Operation *op, unsigned loop) const {
  return llvm::any_of(repairs, [&](const PaddingMask &mask) {
    return mask.op == op && mask.kind == PaddingMask::Kind::Accumulator &&
           llvm::any_of(mask.dims, [&](const PaddingMask::Dim &d) {
             return d.dim == loop;
           });
  });
}

std::optional<Failure> Analyzer::visit(Operation *op) {
  // A masked operand is, for `op`, a copy whose padded positions hold the
  // mask's value; other users of the value still see its own padding.
  SmallVector<std::pair<Value, PadInfo>> saved;
  for (const PaddingMask &mask : repairs) {
    if (mask.op != op || mask.kind != PaddingMask::Kind::Operand)
      continue;
    Value v = op->getOperand(mask.operandNumber);
    auto it = info.find(v);
    if (it == info.end())
      continue;
    saved.push_back({v, it->second});
    Abstract value = Abstract::constant(mask.value, false, 0);
    for (const PaddingMask::Dim &d : mask.dims)
      if (std::optional<PadDim> &padDim = it->second[d.dim])
        padDim->content = padDim->exclusive = value;
  }
  std::optional<Failure> failure = visitUnmasked(op);
  for (auto &[v, pad] : llvm::reverse(saved))
    info[v] = std::move(pad);
  return failure;
}

std::optional<Failure> Analyzer::visitUnmasked(Operation *op) {
  // A slice of a tensor without padding (a state, a table of position
  // embeddings) whose sizes are padded reads, in the bucket, positions the
  // original does not: past the real size they hold what the source holds
  // there, which for anything but a constant may be anything (a state's
  // stale or uninitialized entries).
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op);
      slice && !lookup(slice.getSource())) {
    Abstract content = matchPattern(slice.getSource(), m_Constant())
                           ? Abstract::get(Abstract::Finite)
                           : Abstract::get(Abstract::Unknown);
    llvm::SmallBitVector dropped = slice.getDroppedDims();
    SmallVector<OpFoldResult> sizes;
    for (auto [d, size] : llvm::enumerate(slice.getMixedSizes()))
      if (!dropped.test(d))
        sizes.push_back(size);
    return visitSizes(op, slice.getResult(), sizes, content);
  }
  if (auto loop = dyn_cast<scf::ForOp>(op))
    return visitLoop(loop);
  // A tensor built from sizes is padded where one of its sizes is, whether
  // or not the op reads padding; any other op only matters when it does.
  if (!isa<tensor::EmptyOp, tensor::SplatOp, tensor::GenerateOp>(op) &&
      !readsPadding(op))
    return std::nullopt;
  return TypeSwitch<Operation *, std::optional<Failure>>(op)
      .Case<tensor::EmptyOp, tensor::SplatOp, tensor::GenerateOp,
            tensor::CastOp, tensor::ExtractOp, tensor::ExtractSliceOp,
            tensor::InsertSliceOp, tensor::PadOp, tensor::ExpandShapeOp,
            tensor::CollapseShapeOp, tensor::ConcatOp>(
          [&](auto typed) { return visitOp(typed); })
      .Case<linalg::LinalgOp>(
          [&](linalg::LinalgOp linalgOp) { return visitLinalg(linalgOp); })
      // Sizes used as values are refused before the analysis runs, and the
      // padding of returned tensors is cropped.
      .Case<tensor::DimOp, func::ReturnOp>(
          [](auto) { return std::optional<Failure>(); })
      .Default([&](Operation *other) {
        if (other->hasTrait<OpTrait::Elementwise>() &&
            other->getNumResults() == 1 &&
            isa<RankedTensorType>(other->getResult(0).getType()))
          return visitElementwise(other);
        return visitUnknown(other);
      });
}

//===----------------------------------------------------------------------===//
// Ops that build tensors from sizes
//===----------------------------------------------------------------------===//

std::optional<Failure> Analyzer::visitSizes(Operation *op, Value result,
                                            ArrayRef<OpFoldResult> sizes,
                                            Abstract content) {
  PadInfo pad(sizes.size());
  for (auto [d, size] : llvm::enumerate(sizes)) {
    FailureOr<std::optional<PaddedSize>> r = evalSize(size);
    if (failed(r))
      return Failure{op,
                     "cannot prove that padding is safe: a size computed "
                     "from a padded dimension in a way the analysis does "
                     "not follow",
                     0, std::nullopt};
    if (*r)
      pad[d] = makePadDim((*r)->cls, (*r)->offset, content, (*r)->scale);
  }
  if (hasPadding(pad))
    info[result] = std::move(pad);
  return std::nullopt;
}

std::optional<Failure> Analyzer::visitOp(tensor::EmptyOp op) {
  return visitSizes(op, op, op.getMixedSizes(),
                    Abstract::get(Abstract::Unknown));
}

std::optional<Failure> Analyzer::visitOp(tensor::SplatOp op) {
  Builder b(op->getContext());
  Attribute c;
  Abstract content = matchPattern(op.getInput(), m_Constant(&c))
                         ? Abstract::constant(cast<TypedAttr>(c), false, 0)
                         : Abstract::get(Abstract::Finite);
  return visitSizes(
      op, op, getMixedValues(op.getType().getShape(), op.getDynamicSizes(), b),
      content);
}

std::optional<Failure> Analyzer::visitOp(tensor::GenerateOp op) {
  Builder b(op->getContext());
  return visitSizes(
      op, op,
      getMixedValues(op.getType().getShape(), op.getDynamicExtents(), b),
      Abstract::get(Abstract::Finite));
}

//===----------------------------------------------------------------------===//
// Ops that read a padded tensor
//===----------------------------------------------------------------------===//

std::optional<Failure> Analyzer::visitOp(tensor::CastOp op) {
  // Copied before inserting: the insertion may move the source's entry.
  PadInfo pad = *lookup(op.getSource());
  info[op] = std::move(pad);
  return std::nullopt;
}

std::optional<Failure> Analyzer::visitOp(tensor::ExtractOp op) {
  // Indices are never computed from padded sizes (checked separately), so
  // the original reads real positions and so does the bucketed function.
  const PadInfo *src = lookup(op.getTensor());
  for (const std::optional<PadDim> &d : *src)
    if (d)
      blockSplit(d->cls, op, "it reads one element of a tensor");
  return std::nullopt;
}

std::optional<Failure> Analyzer::sliceDim(tensor::ExtractSliceOp slice,
                                          unsigned d, const PadDim &src,
                                          std::optional<PadDim> &sliced) {
  OpFoldResult offset = slice.getMixedOffsets()[d];
  std::optional<int64_t> stride =
      getConstantIntValue(slice.getMixedStrides()[d]);
  std::optional<int64_t> constOffset = getConstantIntValue(offset);
  FailureOr<std::optional<PaddedSize>> r = evalSize(slice.getMixedSizes()[d]);
  if (!stride || *stride != 1 || failed(r))
    return cannotProve(slice,
                       "a slice of a padded dimension with a stride or a "
                       "size computed in a way the analysis does not follow",
                       src.cls);
  if (!constOffset) {
    // An offset that does not depend on a padded size (an index argument, a
    // value read from data): the original reads positions
    // [offset, offset + size) inside its real data, and so does the bucketed
    // function as long as the size does not grow with the bucket either.
    // With the real sizes, an offset computed from a padded size (the last
    // row: seq - 1) is a real position in every bucket too.
    FailureOr<std::optional<PaddedSize>> o = evalSize(offset);
    if (failed(o) || (*o && !realSizes) || *r)
      return cannotProve(slice,
                         "a slice of a padded dimension at an offset or with "
                         "a size computed from a padded size",
                         src.cls);
    blockSplit(src.cls, slice, "it takes a part of the dimension");
    return std::nullopt;
  }
  bool toTheEnd = *r && (*r)->cls == src.cls && (*r)->scale == src.scale &&
                  (*r)->offset == src.offset - *constOffset;
  if (*constOffset != 0 || !toTheEnd)
    blockSplit(src.cls, slice, "it takes a part of the dimension");
  // A static-size slice reads real positions only.
  if (!*r)
    return std::nullopt;
  // The slice keeps the padding at the end only if it reaches the end.
  if (!toTheEnd)
    return cannotProve(slice,
                       "a slice that stops before the end of a padded "
                       "dimension",
                       src.cls);
  sliced = src;
  sliced->offset = (*r)->offset;
  return std::nullopt;
}

std::optional<Failure> Analyzer::visitOp(tensor::ExtractSliceOp op) {
  const PadInfo &src = *lookup(op.getSource());
  llvm::SmallBitVector dropped = op.getDroppedDims();
  PadInfo pad;
  for (unsigned d = 0; d < src.size(); ++d) {
    std::optional<PadDim> sliced;
    if (src[d])
      if (std::optional<Failure> failure = sliceDim(op, d, *src[d], sliced))
        return failure;
    // Dropped dimensions have size 1, so they only hold real positions, and
    // are not dimensions of the result.
    if (sliced || !dropped.test(d))
      pad.push_back(sliced);
  }
  if (hasPadding(pad))
    info[op] = std::move(pad);
  return std::nullopt;
}

std::optional<Failure> Analyzer::visitOp(tensor::InsertSliceOp op) {
  const PadInfo *dest = lookup(op.getDest());
  const PadInfo *src = lookup(op.getSource());
  RankedTensorType destType = op.getDestType();
  PadInfo pad(destType.getRank());
  if (dest)
    pad = *dest;
  if (src) {
    // The source's padded dimensions, in the destination's numbering.
    llvm::SmallBitVector dropped = op.getDroppedDims();
    unsigned s = 0;
    for (unsigned d = 0; d < destType.getRank(); ++d) {
      if (dropped.test(d))
        continue;
      const std::optional<PadDim> &sd = (*src)[s++];
      if (!sd)
        continue;
      std::optional<int64_t> offset =
          getConstantIntValue(op.getMixedOffsets()[d]);
      if (!offset || !pad[d] || pad[d]->cls != sd->cls ||
          pad[d]->scale != sd->scale || pad[d]->offset != sd->offset + *offset)
        return cannotProve(op,
                           "an insertion that would place padding inside the "
                           "real part of the destination (insert one "
                           "position at a time in an scf.for up to the size: "
                           "each bucket runs it to the real size)",
                           sd->cls);
      pad[d]->content = join(pad[d]->content, sd->content);
      pad[d]->exclusive = join(pad[d]->exclusive, sd->exclusive);
      if (*offset != 0)
        blockSplit(sd->cls, op, "it moves positions along the dimension");
    }
  }
  if (hasPadding(pad))
    info[op] = std::move(pad);
  return std::nullopt;
}

std::optional<Failure> Analyzer::visitOp(tensor::PadOp op) {
  const PadInfo &src = *lookup(op.getSource());
  PadInfo pad = src;
  Attribute c;
  Value padValue = op.getConstantPaddingValue();
  std::optional<Abstract> padAbstract;
  if (padValue && matchPattern(padValue, m_Constant(&c)))
    padAbstract = Abstract::constant(cast<TypedAttr>(c), false, 0);
  for (unsigned d = 0; d < src.size(); ++d) {
    if (!src[d])
      continue;
    std::optional<int64_t> low = getConstantIntValue(op.getMixedLowPad()[d]);
    std::optional<int64_t> high = getConstantIntValue(op.getMixedHighPad()[d]);
    if (!low || !high)
      return cannotProve(op,
                         "a tensor.pad of a padded dimension by a computed "
                         "amount",
                         src[d]->cls);
    if (*low || *high)
      blockSplit(src[d]->cls, op, "it pads the dimension");
    // The original pads after its real data; the bucketed function after the
    // bucket's padding. Both agree only if the bucket's padding holds what
    // this op pads with.
    const Abstract &before = src[d]->exclusive;
    if (*high && (!padAbstract ||
                  !(before.isConst() && before.value == padAbstract->value)))
      return Failure{op,
                     "'tensor.pad' pads padded dimension " +
                         className(src[d]->cls) + " at its end with " +
                         (padAbstract ? padAbstract->describe()
                                      : std::string("a computed value")) +
                         ", but the bucket's padding before it holds " +
                         before.describe(),
                     before.args, src[d]->cls};
    pad[d]->offset += *low + *high;
  }
  info[op] = std::move(pad);
  return std::nullopt;
}

std::optional<Failure> Analyzer::visitOp(tensor::ExpandShapeOp op) {
  const PadInfo &src = *lookup(op.getSrc());
  RankedTensorType resultType = op.getResultType();
  PadInfo pad(resultType.getRank());
  for (auto [s, group] : llvm::enumerate(op.getReassociationIndices())) {
    if (!src[s])
      continue;
    // The padded dimension must stay a dimension of its own (next to unit
    // dimensions) to keep its padding at the end, or undo a merge: a
    // dimension of `scale` x the class's size split into the outermost
    // dynamic part and static inner ones whose product divides the scale.
    SmallVector<int64_t> nonUnit;
    for (int64_t d : group)
      if (resultType.getDimSize(d) != 1)
        nonUnit.push_back(d);
    PadDim split = *src[s];
    int64_t inner = 1;
    bool ok = !nonUnit.empty() && resultType.isDynamicDim(nonUnit[0]);
    for (int64_t d : llvm::drop_begin(nonUnit)) {
      ok &= !resultType.isDynamicDim(d);
      if (ok)
        inner *= resultType.getDimSize(d);
    }
    if (!ok || split.scale % inner != 0 || split.offset % inner != 0)
      return cannotProve(op, "a reshape that splits a padded dimension",
                         src[s]->cls);
    split.scale /= inner;
    split.offset /= inner;
    pad[nonUnit[0]] = split;
  }
  info[op] = std::move(pad);
  return std::nullopt;
}

std::optional<Failure> Analyzer::visitOp(tensor::CollapseShapeOp op) {
  const PadInfo &src = *lookup(op.getSrc());
  RankedTensorType srcType = op.getSrcType();
  PadInfo pad(op.getResultType().getRank());
  for (auto [r, group] : llvm::enumerate(op.getReassociationIndices())) {
    // The padding stays at the end of the merged dimension when the padded
    // dimension is the outermost non-unit one of its group and the others
    // are static: [real rows x inner][padded rows x inner].
    std::optional<PadDim> padded;
    bool outermost = true, ok = true;
    int64_t inner = 1;
    for (int64_t d : group) {
      if (src[d]) {
        ok &= !padded && outermost;
        padded = src[d];
      } else if (padded && srcType.isDynamicDim(d)) {
        ok = false;
      } else if (padded) {
        inner *= srcType.getDimSize(d);
      }
      if (srcType.getDimSize(d) != 1)
        outermost = false;
    }
    if (!padded)
      continue;
    if (!ok)
      return cannotProve(op,
                         "a reshape that merges a padded dimension with "
                         "outer or dynamic dimensions",
                         padded->cls);
    if (inner != 1)
      blockSplit(padded->cls, op, "it merges the dimension with others");
    padded->offset *= inner;
    padded->scale *= inner;
    pad[r] = padded;
  }
  info[op] = std::move(pad);
  return std::nullopt;
}

std::optional<Failure> Analyzer::visitOp(tensor::ConcatOp op) {
  PadInfo pad(op.getRank());
  for (Value input : op.getInputs()) {
    const PadInfo *src = lookup(input);
    if (!src)
      continue;
    for (unsigned d = 0; d < src->size(); ++d) {
      const std::optional<PadDim> &sd = (*src)[d];
      if (!sd)
        continue;
      if (d == op.getDim())
        return Failure{op,
                       "'tensor.concat' concatenates along padded "
                       "dimension " +
                           className(sd->cls) +
                           ": the padding of the first input would land "
                           "inside the result",
                       0, sd->cls};
      pad[d] =
          pad[d] ? PadDim{pad[d]->cls, pad[d]->offset,
                          join(pad[d]->content, sd->content),
                          join(pad[d]->exclusive, sd->exclusive), pad[d]->scale}
                 : *sd;
    }
  }
  if (hasPadding(pad))
    info[op] = std::move(pad);
  return std::nullopt;
}

std::optional<Failure> Analyzer::visitElementwise(Operation *op) {
  // Elementwise ops on tensors: apply the scalar rule dimension by
  // dimension. Operands that are not padded along a dimension contribute
  // real, finite values there.
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  PadInfo pad(type.getRank());
  for (unsigned d = 0; d < type.getRank(); ++d) {
    SmallVector<Abstract> in, inExclusive;
    std::optional<PadDim> dimInfo;
    for (Value operand : op->getOperands()) {
      const PadInfo *src = lookup(operand);
      if (src && (*src)[d]) {
        dimInfo = (*src)[d];
        in.push_back((*src)[d]->content);
        inExclusive.push_back((*src)[d]->exclusive);
      } else {
        in.push_back(Abstract::get(Abstract::Finite));
        inExclusive.push_back(Abstract::get(Abstract::Finite));
      }
    }
    if (!dimInfo)
      continue;
    pad[d] = PadDim{dimInfo->cls, dimInfo->offset, transfer(op, in),
                    transfer(op, inExclusive), dimInfo->scale};
  }
  info[op->getResult(0)] = std::move(pad);
  return std::nullopt;
}

std::optional<Failure> Analyzer::visitLoop(scf::ForOp loop) {
  if (readsPadding(loop))
    return visitUnknown(loop);
  // The class whose real size bounds the loop, when the buckets pass it.
  std::optional<unsigned> boundCls;
  auto dimOp = loop.getUpperBound().getDefiningOp<tensor::DimOp>();
  std::optional<int64_t> lower = getConstantIntValue(loop.getLowerBound());
  if (realSizes && dimOp && lower && *lower >= 0)
    if (auto arg = dyn_cast<BlockArgument>(dimOp.getSource()))
      if (std::optional<int64_t> d = dimOp.getConstantIndex();
          d && arg.getOwner()->getParentOp() == func)
        boundCls = dims.getDimId({arg.getArgNumber(), unsigned(*d)});
  Value iv = loop.getInductionVar();
  std::optional<Failure> failure;
  loop.getBody()->walk([&](Operation *inner) {
    for (Value operand : inner->getOperands()) {
      const PadInfo *pad = lookup(operand);
      if (!pad)
        continue;
      auto slice = dyn_cast<tensor::ExtractSliceOp>(inner);
      for (auto [d, padDim] : llvm::enumerate(*pad)) {
        if (!padDim)
          continue;
        // One position at the induction variable of a loop over the real
        // size: a real position at every iteration.
        bool oneRealRow = slice && slice.getSource() == operand && boundCls &&
                          padDim->cls == *boundCls && padDim->offset == 0 &&
                          padDim->scale == 1 &&
                          getAsOpFoldResult(iv) == slice.getMixedOffsets()[d] &&
                          isConstantIntValue(slice.getMixedSizes()[d], 1);
        if (!oneRealRow) {
          failure = cannotProve(loop,
                                "'scf.for' reads a padded tensor other than "
                                "one position at its induction variable, "
                                "in a loop from 0 to the real size",
                                padDim->cls);
          return WalkResult::interrupt();
        }
      }
    }
    return WalkResult::advance();
  });
  return failure;
}

std::optional<Failure> Analyzer::visitUnknown(Operation *op) {
  // Anything else that takes padded tensors: refuse rather than guess.
  for (Value operand : op->getOperands())
    if (const PadInfo *src = lookup(operand))
      for (const std::optional<PadDim> &d : *src)
        if (d)
          return cannotProve(op,
                             "'" + op->getName().getStringRef() +
                                 "' takes a padded tensor and the analysis "
                                 "does not know its semantics",
                             d->cls);
  return std::nullopt;
}
