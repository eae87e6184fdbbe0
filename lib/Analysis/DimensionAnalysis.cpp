//===- DimensionAnalysis.cpp - Symbolic dimensions of a function ----------===//

#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/Analysis/Utils.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Debug.h"

using namespace mlir;

#define DEBUG_TYPE "bucket-dims"
using namespace mlir::bucket;

namespace {
/// Union-find over tensor dimensions (a value and a dimension index) and
/// static sizes. A class that meets a static size is tied to it.
class DimUnionFind {
public:
  using Key = std::pair<Value, unsigned>;

  /// The node of dimension `dim` of `value`; the node of the static size when
  /// that dimension is static.
  unsigned node(Value value, unsigned dim) {
    auto type = cast<RankedTensorType>(value.getType());
    if (!type.isDynamicDim(dim))
      return constant(type.getDimSize(dim));
    auto [it, inserted] = valueNodes.try_emplace(Key{value, dim}, 0);
    if (inserted)
      it->second = makeNode();
    return it->second;
  }

  unsigned constant(int64_t size) {
    auto [it, inserted] = constantNodes.try_emplace(size, 0);
    if (inserted) {
      it->second = makeNode();
      staticSize[it->second] = size;
    }
    return it->second;
  }

  /// The node an index value stands for, when it is a static constant or the
  /// tensor.dim of a tensor dimension.
  std::optional<unsigned> nodeForIndex(Value index) {
    APInt constValue;
    if (matchPattern(index, m_ConstantInt(&constValue)))
      return constant(constValue.getSExtValue());
    auto dimOp = index.getDefiningOp<tensor::DimOp>();
    if (!dimOp)
      return std::nullopt;
    std::optional<int64_t> dim = dimOp.getConstantIndex();
    auto type = dyn_cast<RankedTensorType>(dimOp.getSource().getType());
    if (!dim || !type || *dim < 0 || *dim >= type.getRank())
      return std::nullopt;
    return node(dimOp.getSource(), *dim);
  }

  unsigned find(unsigned n) {
    while (parent[n] != n)
      n = parent[n] = parent[parent[n]];
    return n;
  }

  /// Merges two classes; records `op` as the reason when a dynamic class
  /// becomes static.
  void unite(unsigned a, unsigned b, Operation *op) {
    a = find(a);
    b = find(b);
    if (a == b)
      return;
    // Keep the static root so static facts survive.
    if (staticSize[b] && !staticSize[a])
      std::swap(a, b);
    if (staticSize[a] && staticSize[b] && *staticSize[a] != *staticSize[b]) {
      conflicts.push_back(op);
      return;
    }
    parent[b] = a;
    if (staticSize[a] && !reason[a])
      reason[a] = op;
  }

  std::optional<int64_t> getStaticSize(unsigned n) {
    return staticSize[find(n)];
  }
  Operation *getReason(unsigned n) { return reason[find(n)]; }
  ArrayRef<Operation *> getConflicts() const { return conflicts; }

private:
  unsigned makeNode() {
    parent.push_back(parent.size());
    staticSize.push_back(std::nullopt);
    reason.push_back(nullptr);
    return parent.size() - 1;
  }

  DenseMap<Key, unsigned> valueNodes;
  DenseMap<int64_t, unsigned> constantNodes;
  SmallVector<unsigned> parent;
  SmallVector<std::optional<int64_t>> staticSize;
  SmallVector<Operation *> reason;
  SmallVector<Operation *> conflicts;
};

bool isRankedTensor(Value v) { return isa<RankedTensorType>(v.getType()); }

/// Unites dimension `i` of every ranked tensor in `values` position-wise.
void unitePositionwise(DimUnionFind &uf, ValueRange values, Operation *op) {
  Value first;
  for (Value v : values) {
    if (!isRankedTensor(v))
      continue;
    if (!first) {
      first = v;
      continue;
    }
    auto a = cast<RankedTensorType>(first.getType());
    auto b = cast<RankedTensorType>(v.getType());
    if (a.getRank() != b.getRank())
      continue;
    for (unsigned d = 0; d < a.getRank(); ++d)
      uf.unite(uf.node(first, d), uf.node(v, d), op);
  }
}

/// Unites the dimensions of `result` with the sizes that built it.
void uniteWithSizes(DimUnionFind &uf, Value result,
                    ArrayRef<OpFoldResult> sizes, Operation *op) {
  for (auto [d, size] : llvm::enumerate(sizes)) {
    if (auto value = dyn_cast<Value>(size)) {
      if (std::optional<unsigned> n = uf.nodeForIndex(value))
        uf.unite(uf.node(result, d), *n, op);
    }
  }
}

/// Every operand dimension indexed by the same loop is the same size, and
/// each result has its init's shape.
void visitLinalg(DimUnionFind &uf, linalg::LinalgOp op) {
  DenseMap<unsigned, unsigned> loopNodes;
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isRankedTensor(operand.get()))
      continue;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    for (auto [d, expr] : llvm::enumerate(map.getResults())) {
      auto dimExpr = dyn_cast<AffineDimExpr>(expr);
      if (!dimExpr)
        continue;
      unsigned n = uf.node(operand.get(), d);
      auto [it, inserted] = loopNodes.try_emplace(dimExpr.getPosition(), n);
      if (!inserted)
        uf.unite(it->second, n, op);
    }
  }
  for (auto [init, result] : llvm::zip(op.getDpsInits(), op->getResults()))
    if (isRankedTensor(init) && isRankedTensor(result))
      unitePositionwise(uf, ValueRange{init, result}, op);
}

void visitSlice(DimUnionFind &uf, tensor::ExtractSliceOp slice) {
  llvm::SmallBitVector dropped = slice.getDroppedDims();
  SmallVector<OpFoldResult> kept;
  for (auto [d, size] : llvm::enumerate(slice.getMixedSizes()))
    if (!dropped.test(d))
      kept.push_back(size);
  uniteWithSizes(uf, slice.getResult(), kept, slice);
}

/// Dimensions padded by nothing keep their size.
void visitPad(DimUnionFind &uf, tensor::PadOp pad) {
  for (auto [d, low, high] :
       llvm::enumerate(pad.getMixedLowPad(), pad.getMixedHighPad()))
    if (isZeroInteger(low) && isZeroInteger(high))
      uf.unite(uf.node(pad.getSource(), d), uf.node(pad.getResult(), d), pad);
}

/// Groups of one dimension keep their size; so do groups whose other
/// dimensions are all 1.
void visitExpand(DimUnionFind &uf, tensor::ExpandShapeOp expand) {
  uniteWithSizes(uf, expand.getResult(), expand.getMixedOutputShape(), expand);
  RankedTensorType resultType = expand.getResultType();
  for (auto [src, group] : llvm::enumerate(expand.getReassociationIndices())) {
    SmallVector<int64_t> nonUnit;
    for (int64_t d : group)
      if (resultType.getDimSize(d) != 1)
        nonUnit.push_back(d);
    if (nonUnit.size() == 1)
      uf.unite(uf.node(expand.getSrc(), src),
               uf.node(expand.getResult(), nonUnit[0]), expand);
  }
}

void visitCollapse(DimUnionFind &uf, tensor::CollapseShapeOp collapse) {
  auto srcType = collapse.getSrcType();
  for (auto [res, group] :
       llvm::enumerate(collapse.getReassociationIndices())) {
    SmallVector<int64_t> nonUnit;
    for (int64_t d : group)
      if (srcType.getDimSize(d) != 1)
        nonUnit.push_back(d);
    if (nonUnit.size() == 1)
      uf.unite(uf.node(collapse.getSrc(), nonUnit[0]),
               uf.node(collapse.getResult(), res), collapse);
  }
}

/// Every dimension but the concatenated one is shared.
void visitConcat(DimUnionFind &uf, tensor::ConcatOp concat) {
  SmallVector<Value> values(concat.getInputs());
  values.push_back(concat.getResult());
  for (unsigned d = 0; d < concat.getRank(); ++d) {
    if (d == concat.getDim())
      continue;
    for (Value v : ArrayRef(values).drop_front())
      uf.unite(uf.node(values.front(), d), uf.node(v, d), concat);
  }
}

/// Loop-carried values keep their shape.
void visitFor(DimUnionFind &uf, scf::ForOp forOp) {
  for (auto [init, iterArg, result, yielded] :
       llvm::zip(forOp.getInitArgs(), forOp.getRegionIterArgs(),
                 forOp.getResults(), forOp.getYieldedValues()))
    unitePositionwise(uf, ValueRange{init, iterArg, result, yielded}, forOp);
}

/// Adds the equalities one op implies.
void visit(DimUnionFind &uf, Operation *op) {
  if (op->hasTrait<OpTrait::Elementwise>() ||
      op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
      isa<tensor::CastOp>(op)) {
    SmallVector<Value> values(op->getOperands());
    llvm::append_range(values, op->getResults());
    return unitePositionwise(uf, values, op);
  }
  Builder b(op->getContext());
  TypeSwitch<Operation *>(op)
      .Case<linalg::LinalgOp>([&](auto op) { visitLinalg(uf, op); })
      .Case<tensor::EmptyOp>([&](tensor::EmptyOp empty) {
        uniteWithSizes(uf, empty, empty.getMixedSizes(), empty);
      })
      .Case<tensor::ExtractSliceOp>([&](auto op) { visitSlice(uf, op); })
      .Case<tensor::InsertSliceOp>([&](tensor::InsertSliceOp insert) {
        unitePositionwise(uf, ValueRange{insert.getDest(), insert}, insert);
      })
      .Case<tensor::PadOp>([&](auto op) { visitPad(uf, op); })
      .Case<tensor::ExpandShapeOp>([&](auto op) { visitExpand(uf, op); })
      .Case<tensor::CollapseShapeOp>([&](auto op) { visitCollapse(uf, op); })
      .Case<tensor::ConcatOp>([&](auto op) { visitConcat(uf, op); })
      .Case<tensor::GenerateOp>([&](tensor::GenerateOp generate) {
        uniteWithSizes(uf, generate,
                       getMixedValues(generate.getType().getShape(),
                                      generate.getDynamicExtents(), b),
                       generate);
      })
      .Case<scf::ForOp>([&](auto op) { visitFor(uf, op); });
}

/// Resolves `tensor.dim` of an elementwise op's result to the same dimension
/// of its first tensor operand: elementwise ops do not implement
/// ReifyRankedShapedTypeOpInterface.
struct DimOfElementwise : public OpRewritePattern<tensor::DimOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::DimOp dimOp,
                                PatternRewriter &rewriter) const override {
    Operation *producer = dimOp.getSource().getDefiningOp();
    if (!producer ||
        !(producer->hasTrait<OpTrait::Elementwise>() ||
          producer->hasTrait<OpTrait::SameOperandsAndResultShape>()))
      return failure();
    for (Value operand : producer->getOperands()) {
      auto type = dyn_cast<RankedTensorType>(operand.getType());
      if (type && type.getRank() == dimOp.getSource().getType().getRank()) {
        rewriter.modifyOpInPlace(
            dimOp, [&] { dimOp.getSourceMutable().assign(operand); });
        return success();
      }
    }
    return failure();
  }
};

/// Converts the index computation of a shape function result into an affine
/// expression over symbolic dimensions; null when it is not affine.
AffineExpr toAffine(
    Value value,
    const DenseMap<std::pair<unsigned, unsigned>, unsigned> &argDimToSymbol) {
  MLIRContext *ctx = value.getContext();
  APInt constValue;
  if (matchPattern(value, m_ConstantInt(&constValue)))
    return getAffineConstantExpr(constValue.getSExtValue(), ctx);
  Operation *op = value.getDefiningOp();
  if (!op)
    return {};
  if (auto dimOp = dyn_cast<tensor::DimOp>(op)) {
    auto arg = dyn_cast<BlockArgument>(dimOp.getSource());
    std::optional<int64_t> dim = dimOp.getConstantIndex();
    if (!arg || !dim)
      return {};
    auto it = argDimToSymbol.find({arg.getArgNumber(), unsigned(*dim)});
    return it == argDimToSymbol.end() ? AffineExpr()
                                      : getAffineSymbolExpr(it->second, ctx);
  }
  if (auto apply = dyn_cast<affine::AffineApplyOp>(op)) {
    AffineMap map = apply.getAffineMap();
    SmallVector<AffineExpr> operands;
    for (Value operand : apply.getOperands()) {
      operands.push_back(toAffine(operand, argDimToSymbol));
      if (!operands.back())
        return {};
    }
    unsigned numDims = map.getNumDims();
    return map.getResult(0).replaceDimsAndSymbols(
        ArrayRef(operands).take_front(numDims),
        ArrayRef(operands).drop_front(numDims));
  }
  if (op->getNumOperands() != 2)
    return {};
  AffineExpr lhs = toAffine(op->getOperand(0), argDimToSymbol);
  AffineExpr rhs = toAffine(op->getOperand(1), argDimToSymbol);
  if (!lhs || !rhs)
    return {};
  return TypeSwitch<Operation *, AffineExpr>(op)
      .Case<arith::AddIOp>([&](auto) { return lhs + rhs; })
      .Case<arith::SubIOp>([&](auto) { return lhs - rhs; })
      .Case<arith::MulIOp>([&](auto) { return lhs * rhs; })
      .Case<arith::FloorDivSIOp, arith::DivUIOp>(
          [&](auto) { return lhs.floorDiv(rhs); })
      .Case<arith::CeilDivSIOp, arith::CeilDivUIOp>(
          [&](auto) { return lhs.ceilDiv(rhs); })
      .Case<arith::RemUIOp>([&](auto) { return lhs % rhs; })
      .Default([](Operation *) { return AffineExpr(); });
}
} // namespace

FailureOr<func::FuncOp>
mlir::bucket::buildResultShapeFunction(func::FuncOp func, ModuleOp scratch) {
  OpBuilder builder = OpBuilder::atBlockEnd(scratch.getBody());
  func::FuncOp shapeFn = cast<func::FuncOp>(builder.clone(*func));
  shapeFn.setPrivate();
  shapeFn.setName((func.getName() + "_result_dims").str());

  // Return the dynamic result dimensions instead of the results.
  auto returnOp =
      cast<func::ReturnOp>(shapeFn.getBody().back().getTerminator());
  builder.setInsertionPoint(returnOp);
  SmallVector<Value> dims;
  for (Value result : returnOp.getOperands()) {
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type)
      continue;
    for (unsigned d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        dims.push_back(
            tensor::DimOp::create(builder, returnOp.getLoc(), result, d));
  }
  func::ReturnOp::create(builder, returnOp.getLoc(), dims);
  returnOp.erase();
  shapeFn.setFunctionType(builder.getFunctionType(
      shapeFn.getArgumentTypes(),
      SmallVector<Type>(dims.size(), builder.getIndexType())));

  // Walk every tensor.dim back to the arguments and drop everything else.
  MLIRContext *ctx = func.getContext();
  RewritePatternSet patterns(ctx);
  memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
  memref::populateResolveShapedTypeResultDimsPatterns(patterns);
  patterns.add<DimOfElementwise>(ctx);
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
  (void)applyPatternsGreedily(shapeFn, std::move(patterns));

  // Whatever the returned indices still depend on must be index arithmetic
  // on argument dimensions.
  auto newReturn =
      cast<func::ReturnOp>(shapeFn.getBody().back().getTerminator());
  SetVector<Operation *> slice;
  BackwardSliceOptions options;
  options.inclusive = true;
  for (Value v : newReturn.getOperands())
    if (Operation *def = v.getDefiningOp())
      (void)getBackwardSlice(def, &slice, options);
  // A tensor.dim left on anything but an argument means the shape of that
  // value could not be computed from the argument shapes.
  for (Operation *op : slice) {
    auto dimOp = dyn_cast<tensor::DimOp>(op);
    if (!dimOp)
      continue;
    auto arg = dyn_cast<BlockArgument>(dimOp.getSource());
    if (arg && arg.getOwner() == &shapeFn.getBody().front())
      continue;
    Operation *producer = dimOp.getSource().getDefiningOp();
    InFlightDiagnostic diag =
        emitError(producer ? producer->getLoc() : dimOp.getLoc(),
                  "cannot compute the shape of this value from the argument "
                  "shapes, and a result dimension of '")
        << func.getName() << "' depends on it";
    shapeFn.erase();
    return diag;
  }
  for (Operation *op : slice) {
    if (isa<tensor::DimOp, arith::ConstantOp, arith::IndexCastOp, arith::AddIOp,
            arith::SubIOp, arith::MulIOp, arith::DivSIOp, arith::DivUIOp,
            arith::FloorDivSIOp, arith::CeilDivSIOp, arith::CeilDivUIOp,
            arith::RemSIOp, arith::RemUIOp, arith::MaxSIOp, arith::MinSIOp,
            arith::MaxUIOp, arith::MinUIOp, arith::SelectOp, arith::CmpIOp,
            affine::AffineApplyOp, affine::AffineMinOp, affine::AffineMaxOp>(
            op))
      continue;
    InFlightDiagnostic diag =
        emitError(op->getLoc(), "a result dimension of '")
        << func.getName() << "' depends on the data this op reads; "
        << "data-dependent result shapes cannot be bucketed";
    shapeFn.erase();
    return diag;
  }
  return shapeFn;
}

namespace {
/// The classes being built: union-find roots and argument dimensions to the
/// index of their class.
struct ClassMaps {
  DenseMap<unsigned, unsigned> rootToDim;
  DenseMap<std::pair<unsigned, unsigned>, unsigned> argDimToSymbol;
};

/// The name argument `arg` gives its dimension `d` ("" for none).
FailureOr<StringRef> getDimName(func::FuncOp func, BlockArgument arg,
                                unsigned d) {
  auto type = cast<RankedTensorType>(arg.getType());
  auto names =
      func.getArgAttrOfType<ArrayAttr>(arg.getArgNumber(), kDimsAttrName);
  if (!names)
    return StringRef();
  // The bucket dialect verifies these; the analysis may also run on IR that
  // was never verified with it loaded.
  if (static_cast<int64_t>(names.size()) != type.getRank())
    return emitError(func.getLoc())
           << "'" << kDimsAttrName << "' of argument " << arg.getArgNumber()
           << " has " << names.size() << " entries but the argument has rank "
           << type.getRank();
  auto str = dyn_cast<StringAttr>(names[d]);
  if (!str)
    return emitError(func.getLoc())
           << "'" << kDimsAttrName << "' of argument " << arg.getArgNumber()
           << " must hold strings";
  return str.getValue();
}
} // namespace

/// Classes in the order their first argument dimension appears, with the
/// names users gave them. A dynamic dimension tied to a static size is an
/// error.
static LogicalResult buildClasses(func::FuncOp func, DimUnionFind &uf,
                                  SmallVectorImpl<SymbolicDim> &dims,
                                  ClassMaps &maps) {
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type)
      continue;
    for (unsigned d = 0; d < type.getRank(); ++d) {
      FailureOr<StringRef> name = getDimName(func, arg, d);
      if (failed(name))
        return failure();
      if (!type.isDynamicDim(d))
        continue;
      unsigned n = uf.node(arg, d);
      if (std::optional<int64_t> size = uf.getStaticSize(n)) {
        InFlightDiagnostic diag = emitError(func.getLoc())
                                  << "dynamic dimension " << d
                                  << " of argument " << arg.getArgNumber()
                                  << " can only be " << *size
                                  << "; declare it static";
        if (Operation *reason = uf.getReason(n))
          diag.attachNote(reason->getLoc()) << "tied to " << *size << " here";
        return diag;
      }
      auto [it, inserted] = maps.rootToDim.try_emplace(uf.find(n), dims.size());
      if (inserted)
        dims.emplace_back();
      SymbolicDim &sym = dims[it->second];
      sym.argDims.push_back({arg.getArgNumber(), d});
      maps.argDimToSymbol[{arg.getArgNumber(), d}] = it->second;
      if (!name->empty() && !llvm::is_contained(sym.names, *name))
        sym.names.push_back(name->str());
    }
  }
  return success();
}

/// Gives unnamed classes their default name and checks that every name
/// identifies one class.
static LogicalResult nameClasses(func::FuncOp func,
                                 MutableArrayRef<SymbolicDim> dims) {
  llvm::StringMap<unsigned> nameToDim;
  for (auto [id, sym] : llvm::enumerate(dims)) {
    if (sym.names.empty())
      sym.names.push_back(("arg" + Twine(sym.argDims.front().index) + "." +
                           Twine(sym.argDims.front().dim))
                              .str());
    for (const std::string &name : sym.names) {
      auto [it, inserted] = nameToDim.try_emplace(name, id);
      if (!inserted)
        return emitError(func.getLoc())
               << "the name '" << name
               << "' is given to two dimensions that are not provably equal";
    }
  }
  return success();
}

/// Result dimensions: equal to a class when the union-find says so, and as an
/// expression of the arguments' dimensions from the shape function.
static LogicalResult
analyzeResults(func::FuncOp func, DimUnionFind &uf, const ClassMaps &maps,
               MutableArrayRef<SymbolicDim> dims,
               SmallVectorImpl<std::pair<DimPosition, AffineExpr>> &exprs) {
  auto returnOp = cast<func::ReturnOp>(func.getBody().back().getTerminator());
  for (auto [index, value] : llvm::enumerate(returnOp.getOperands())) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type)
      continue;
    for (unsigned d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d))
        continue;
      auto it = maps.rootToDim.find(uf.find(uf.node(value, d)));
      if (it != maps.rootToDim.end())
        dims[it->second].resultDims.push_back({unsigned(index), d});
    }
  }
  // The shape computation is built aside, in a module of our own: an
  // analysis does not change the IR it looks at.
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(func.getLoc());
  FailureOr<func::FuncOp> shapeFn = buildResultShapeFunction(func, *scratch);
  if (failed(shapeFn))
    return failure();
  auto shapeReturn =
      cast<func::ReturnOp>(shapeFn->getBody().back().getTerminator());
  unsigned next = 0;
  for (auto [index, type] : llvm::enumerate(func.getResultTypes())) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType)
      continue;
    for (unsigned d = 0; d < tensorType.getRank(); ++d)
      if (tensorType.isDynamicDim(d))
        exprs.push_back(
            {{unsigned(index), d},
             toAffine(shapeReturn.getOperand(next++), maps.argDimToSymbol)});
  }
  return success();
}

FailureOr<DimensionAnalysis> DimensionAnalysis::analyze(func::FuncOp func) {
  if (failed(verifyConstantDimIndices(func)))
    return failure();
  DimUnionFind uf;
  func.walk([&](Operation *op) { visit(uf, op); });
  if (!uf.getConflicts().empty()) {
    return emitError(uf.getConflicts().front()->getLoc(),
                     "this op requires two different static sizes to be "
                     "equal; the function is invalid");
  }
  DimensionAnalysis result;
  ClassMaps maps;
  if (failed(buildClasses(func, uf, result.dims, maps)) ||
      failed(nameClasses(func, result.dims)) ||
      failed(
          analyzeResults(func, uf, maps, result.dims, result.resultDimExprs)))
    return failure();
  LLVM_DEBUG({
    llvm::dbgs() << "dimensions of @" << func.getName() << ":";
    for (const SymbolicDim &dim : result.dims)
      llvm::dbgs() << " " << dim.getName() << " (" << dim.argDims.size()
                   << " argument dims, " << dim.resultDims.size()
                   << " result dims)";
    llvm::dbgs() << "\n";
  });
  return result;
}

std::optional<unsigned> DimensionAnalysis::getDimId(DimPosition argDim) const {
  for (auto [id, sym] : llvm::enumerate(dims))
    if (llvm::is_contained(sym.argDims, argDim))
      return id;
  return std::nullopt;
}

SmallVector<int32_t> DimensionAnalysis::getArgDimIds(unsigned index) const {
  SmallVector<int32_t> ids;
  // The caller only asks for ranked tensor arguments.
  for (auto [id, sym] : llvm::enumerate(dims))
    for (DimPosition pos : sym.argDims)
      if (pos.index == index) {
        if (ids.size() <= pos.dim)
          ids.resize(pos.dim + 1, -1);
        ids[pos.dim] = id;
      }
  return ids;
}
