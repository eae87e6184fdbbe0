//===- Specialize.cpp - Bucket specialization and dispatch ----------------===//

#include "bucket/Transforms/Specialize.h"
#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/Spec/BucketSpec.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::bucket;

bool mlir::bucket::isBucketCandidate(func::FuncOp func) {
  if (!func.isPublic() || func.isExternal())
    return false;
  return llvm::any_of(func.getArgumentTypes(), [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && !tensor.hasStaticShape();
  });
}

/// A C-identifier-friendly spelling of a bucket, such as "seq64" or
/// "batch4_seq128", used to name the specialized functions.
static std::string getBucketSuffix(ArrayRef<std::string> names,
                                   ArrayRef<int64_t> sizes) {
  std::string suffix;
  for (auto [name, size] : llvm::zip(names, sizes)) {
    if (!suffix.empty())
      suffix += "_";
    for (char c : name)
      suffix += llvm::isAlnum(c) ? c : '_';
    suffix += std::to_string(size);
  }
  return suffix;
}

/// Gathers every pattern the canonicalizer would use, plus cast folding.
static FrozenRewritePatternSet getRefinementPatterns(MLIRContext *ctx) {
  RewritePatternSet patterns(ctx);
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
  return FrozenRewritePatternSet(std::move(patterns));
}

LogicalResult mlir::bucket::refineFunctionShapes(func::FuncOp func) {
  if (failed(applyPatternsGreedily(func, getRefinementPatterns(func.getContext()))))
    return func.emitError("shape refinement did not converge");
  // Results: return what reaches the terminator before the cast back to the
  // original dynamic type.
  SmallVector<Type> resultTypes;
  for (Block &block : func.getBody()) {
    auto returnOp = dyn_cast<func::ReturnOp>(block.getTerminator());
    if (!returnOp)
      continue;
    for (OpOperand &operand : returnOp->getOpOperands()) {
      auto cast = operand.get().getDefiningOp<tensor::CastOp>();
      if (!cast || !tensor::preservesStaticInformation(
                       cast.getType(), cast.getSource().getType()))
        continue;
      operand.set(cast.getSource());
      if (cast->use_empty())
        cast.erase();
    }
    resultTypes.assign(returnOp.getOperandTypes().begin(),
                       returnOp.getOperandTypes().end());
  }
  func.setFunctionType(
      FunctionType::get(func.getContext(), func.getArgumentTypes(), resultTypes));
  return success();
}

/// Maps the spec's names to the analysis' symbolic dimensions and expands the
/// product. Several names of one class must agree.
static FailureOr<BucketTable> resolveSpec(func::FuncOp func,
                                          const DimensionAnalysis &analysis,
                                          const BucketSpec &spec,
                                          Location specLoc) {
  // The canonical names of the classes, and what each user name stands for.
  SmallVector<std::string> dimNames;
  llvm::StringMap<std::string> canonical;
  for (const SymbolicDim &dim : analysis.getDims()) {
    dimNames.push_back(dim.getName().str());
    for (const std::string &name : dim.names)
      canonical[name] = dim.getName().str();
  }
  // Rewrite the spec over canonical names, dropping aliases given the same
  // buckets and rejecting aliases given different ones.
  BucketSpec canonicalSpec;
  llvm::StringMap<std::pair<std::string, SmallVector<int64_t>>> given;
  for (const BucketGroup &group : spec.groups) {
    BucketGroup newGroup;
    SmallVector<unsigned> keep;
    for (auto [position, name] : llvm::enumerate(group.names)) {
      auto it = canonical.find(name);
      if (it == canonical.end()) {
        return emitError(specLoc)
               << "unknown dimension '" << name << "' in the buckets of '"
               << func.getName() << "'; its dimensions are: "
               << llvm::join(dimNames, ", ");
      }
      SmallVector<int64_t> sizes;
      for (ArrayRef<int64_t> tuple : group.tuples)
        sizes.push_back(tuple[position]);
      auto [prev, inserted] = given.try_emplace(it->second, name, sizes);
      if (!inserted) {
        if (prev->second.second != sizes)
          return emitError(specLoc)
                 << "'" << prev->second.first << "' and '" << name
                 << "' are the same dimension of '" << func.getName()
                 << "' but are given different buckets";
        continue;
      }
      keep.push_back(position);
      newGroup.names.push_back(it->second);
    }
    if (keep.empty())
      continue;
    for (ArrayRef<int64_t> tuple : group.tuples) {
      SmallVector<int64_t> newTuple;
      for (unsigned position : keep)
        newTuple.push_back(tuple[position]);
      if (!llvm::is_contained(newGroup.tuples, newTuple))
        newGroup.tuples.push_back(std::move(newTuple));
    }
    canonicalSpec.groups.push_back(std::move(newGroup));
  }
  llvm::Expected<BucketTable> table =
      BucketTable::expand(canonicalSpec, dimNames);
  if (!table)
    return emitError(specLoc) << "invalid buckets for '" << func.getName()
                              << "': " << llvm::toString(table.takeError());
  return std::move(*table);
}

FailureOr<SmallVector<func::FuncOp>>
mlir::bucket::specializeFunction(RewriterBase &rewriter, func::FuncOp func,
                                 StringRef specText) {
  FailureOr<DimensionAnalysis> analysis = DimensionAnalysis::analyze(func);
  if (failed(analysis))
    return failure();

  // The command line wins over the attribute; errors point at the attribute
  // when it is the source.
  Location specLoc = func.getLoc();
  if (specText.empty()) {
    auto attr = func->getAttrOfType<StringAttr>(kBucketsAttrName);
    if (!attr)
      return func.emitError()
             << "function '" << func.getName()
             << "' has dynamic dimensions but no buckets; give them with "
                "--buckets or a '"
             << kBucketsAttrName << "' attribute";
    specText = attr.getValue();
  }
  llvm::Expected<BucketSpec> spec = BucketSpec::parse(specText);
  if (!spec)
    return emitError(specLoc) << "invalid buckets for '" << func.getName()
                              << "': " << llvm::toString(spec.takeError());
  FailureOr<BucketTable> table =
      resolveSpec(func, *analysis, *spec, specLoc);
  if (failed(table))
    return failure();

  // Annotate the original with what the dispatcher and the header need.
  Builder b(func.getContext());
  SmallVector<Attribute> rows;
  for (ArrayRef<int64_t> row : table->rows)
    rows.push_back(b.getDenseI64ArrayAttr(row));
  SmallVector<StringRef> names(table->dims.begin(), table->dims.end());
  func->setAttr(kDimNamesAttrName, b.getStrArrayAttr(names));
  func->setAttr(kBucketTableAttrName, b.getArrayAttr(rows));
  for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      continue;
    SmallVector<int32_t> ids = analysis->getArgDimIds(index);
    ids.resize(tensor.getRank(), -1);
    func.setArgAttr(index, kDimIdsAttrName, b.getDenseI32ArrayAttr(ids));
  }

  SymbolTable symbolTable(func->getParentOfType<ModuleOp>());
  SmallVector<func::FuncOp> clones;
  rewriter.setInsertionPointAfter(func);
  for (ArrayRef<int64_t> row : table->rows) {
    auto clone = cast<func::FuncOp>(rewriter.clone(*func));
    clone.setPrivate();
    clone.setName((func.getName() + "_" + getBucketSuffix(table->dims, row)).str());
    symbolTable.insert(clone, rewriter.getInsertionPoint());
    rewriter.setInsertionPointAfter(clone);
    for (StringRef name : {kBucketsAttrName, kDimNamesAttrName,
                           kBucketTableAttrName})
      clone->removeAttr(name);
    clone->removeAttr("llvm.emit_c_interface");
    clone->setAttr(kSpecializationOfAttrName,
                   FlatSymbolRefAttr::get(func.getSymNameAttr()));
    clone->setAttr(kBucketAttrName, b.getDenseI64ArrayAttr(row));

    // Static argument types, cast back to the original types at the entry;
    // refinement folds the casts into their users.
    Block &entry = clone.getBody().front();
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(&entry);
    SmallVector<Type> argTypes;
    for (BlockArgument arg : entry.getArguments()) {
      clone.removeArgAttr(arg.getArgNumber(), kDimIdsAttrName);
      clone.removeArgAttr(arg.getArgNumber(), kDimsAttrName);
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      if (!type || type.hasStaticShape()) {
        argTypes.push_back(arg.getType());
        continue;
      }
      SmallVector<int64_t> shape(type.getShape());
      for (unsigned d = 0; d < shape.size(); ++d)
        if (ShapedType::isDynamic(shape[d]))
          shape[d] = row[*analysis->getDimId({arg.getArgNumber(), d})];
      auto staticType = type.clone(shape);
      arg.setType(staticType);
      auto cast = rewriter.create<tensor::CastOp>(arg.getLoc(), type, arg);
      rewriter.replaceAllUsesExcept(arg, cast, cast);
      argTypes.push_back(staticType);
    }
    clone.setFunctionType(
        rewriter.getFunctionType(argTypes, clone.getResultTypes()));
    if (failed(refineFunctionShapes(clone)))
      return failure();
    clones.push_back(clone);
  }
  return clones;
}

/// A zero of `type` to pad with.
static Value createZero(OpBuilder &b, Location loc, Type type) {
  return b.create<arith::ConstantOp>(loc, type, b.getZeroAttr(type));
}

LogicalResult
mlir::bucket::generateDispatch(RewriterBase &rewriter, func::FuncOp func,
                               ArrayRef<func::FuncOp> specializations) {
  auto table = func->getAttrOfType<ArrayAttr>(kBucketTableAttrName);
  auto dimNames = func->getAttrOfType<ArrayAttr>(kDimNamesAttrName);
  if (!table || !dimNames || table.size() != specializations.size())
    return func.emitError("missing or inconsistent bucket table; run "
                          "bucket-specialize-functions first");
  unsigned numDims = dimNames.size();
  SmallVector<SmallVector<int64_t>> rows;
  for (Attribute row : table)
    rows.emplace_back(cast<DenseI64ArrayAttr>(row).asArrayRef());
  // Where each symbolic dimension is read from.
  SmallVector<std::optional<DimPosition>> dimSource(numDims);
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (auto ids = func.getArgAttrOfType<DenseI32ArrayAttr>(i, kDimIdsAttrName))
      for (auto [d, id] : llvm::enumerate(ids.asArrayRef()))
        if (id >= 0 && unsigned(id) < numDims && !dimSource[id])
          dimSource[id] = DimPosition{i, unsigned(d)};
  if (llvm::any_of(dimSource, [](auto s) { return !s; }))
    return func.emitError("a symbolic dimension has no argument to read it from");

  // The crop sizes come from the original's own shape computation, which is
  // built before the body is replaced.
  FailureOr<func::FuncOp> shapeFn = buildResultShapeFunction(func);
  if (failed(shapeFn))
    return failure();

  MLIRContext *ctx = func.getContext();
  auto module = func->getParentOfType<ModuleOp>();
  auto hook = module.lookupSymbol<func::FuncOp>(kOutOfRangeHookName);
  if (!hook) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(module.getBody());
    Type i64 = rewriter.getI64Type();
    hook = rewriter.create<func::FuncOp>(
        module.getLoc(), kOutOfRangeHookName,
        rewriter.getFunctionType({i64, i64, i64}, {}));
    hook.setPrivate();
  }

  // A fresh body with the same arguments.
  Location loc = func.getLoc();
  Region &body = func.getBody();
  Block *entry = rewriter.createBlock(&body, body.begin(),
                                      func.getArgumentTypes(),
                                      SmallVector<Location>(func.getNumArguments(), loc));
  // Nothing outside the function refers to its blocks, so the old body can
  // go once the new entry exists.
  for (Block &block : llvm::drop_begin(body))
    block.dropAllReferences();
  for (Block &block : llvm::make_early_inc_range(llvm::drop_begin(body))) {
    block.dropAllDefinedValueUses();
    rewriter.eraseBlock(&block);
  }
  rewriter.setInsertionPointToStart(entry);
  ValueRange args = entry->getArguments();

  // 1. The symbolic dimensions.
  SmallVector<Value> dims;
  for (std::optional<DimPosition> src : dimSource)
    dims.push_back(rewriter.create<tensor::DimOp>(loc, args[src->index], src->dim));
  auto indexConst = [&](int64_t v) -> Value {
    return rewriter.create<arith::ConstantIndexOp>(loc, v);
  };

  // 2. The first row that fits, or rows.size() when none does.
  Value selected = indexConst(rows.size());
  for (int64_t i = rows.size() - 1; i >= 0; --i) {
    Value fits;
    for (unsigned k = 0; k < numDims; ++k) {
      Value le = rewriter.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::ule, dims[k], indexConst(rows[i][k]));
      fits = fits ? rewriter.create<arith::AndIOp>(loc, fits, le).getResult() : le;
    }
    if (!fits)
      fits = rewriter.create<arith::ConstantIntOp>(loc, 1, 1);
    selected = rewriter.create<arith::SelectOp>(loc, fits, indexConst(i), selected);
  }

  // The crop sizes, by inlining the shape function.
  IRMapping mapping;
  for (auto [shapeArg, arg] : llvm::zip(shapeFn->getArguments(), args))
    mapping.map(shapeArg, arg);
  SmallVector<Value> cropSizes;
  for (Operation &op : shapeFn->getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands())
        cropSizes.push_back(mapping.lookupOrDefault(v));
      break;
    }
    rewriter.clone(op, mapping);
  }
  rewriter.eraseOp(*shapeFn);

  // 3. One case per bucket.
  TypeRange resultTypes = func.getResultTypes();
  SmallVector<int64_t> caseValues = llvm::to_vector(
      llvm::seq<int64_t>(0, rows.size()));
  auto switchOp = rewriter.create<scf::IndexSwitchOp>(loc, resultTypes, selected,
                                                      caseValues, rows.size());
  for (auto [i, constCallee] : llvm::enumerate(specializations)) {
    func::FuncOp callee = constCallee;
    Block *caseBlock = rewriter.createBlock(&switchOp.getCaseRegions()[i]);
    rewriter.setInsertionPointToStart(caseBlock);
    SmallVector<Value> operands;
    for (auto [arg, staticType] :
         llvm::zip(args, callee.getArgumentTypes())) {
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      if (!type || type == staticType) {
        operands.push_back(arg);
        continue;
      }
      auto bucketType = cast<RankedTensorType>(staticType);
      SmallVector<OpFoldResult> low(type.getRank(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> high;
      for (unsigned d = 0; d < type.getRank(); ++d) {
        if (!type.isDynamicDim(d)) {
          high.push_back(rewriter.getIndexAttr(0));
          continue;
        }
        Value size = rewriter.create<tensor::DimOp>(loc, arg, d);
        high.push_back(rewriter
                           .create<arith::SubIOp>(
                               loc, indexConst(bucketType.getDimSize(d)), size)
                           .getResult());
      }
      Value zero = createZero(rewriter, loc, type.getElementType());
      operands.push_back(rewriter.create<tensor::PadOp>(
          loc, bucketType, arg, low, high, zero));
    }
    auto call = rewriter.create<func::CallOp>(loc, callee, operands);
    SmallVector<Value> results;
    unsigned nextCrop = 0;
    for (auto [result, type] : llvm::zip(call.getResults(), resultTypes)) {
      auto tensorType = dyn_cast<RankedTensorType>(type);
      // The crop sizes are listed per dynamic dimension of every result, so
      // a result that needs no crop still consumes its entries.
      unsigned firstCrop = nextCrop;
      if (tensorType)
        nextCrop += tensorType.getNumDynamicDims();
      // Crop every result with a dynamic dimension, whatever type the
      // specialization returns: its extent there is the bucket's.
      if (!tensorType || tensorType.hasStaticShape()) {
        results.push_back(result);
        continue;
      }
      unsigned cropIndex = firstCrop;
      SmallVector<OpFoldResult> offsets(tensorType.getRank(),
                                        rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> strides(tensorType.getRank(),
                                        rewriter.getIndexAttr(1));
      SmallVector<OpFoldResult> sizes;
      for (unsigned d = 0; d < tensorType.getRank(); ++d)
        sizes.push_back(tensorType.isDynamicDim(d)
                            ? OpFoldResult(cropSizes[cropIndex++])
                            : rewriter.getIndexAttr(tensorType.getDimSize(d)));
      Value crop = rewriter.create<tensor::ExtractSliceOp>(
          loc, tensorType, result, offsets, sizes, strides);
      results.push_back(crop);
    }
    rewriter.create<scf::YieldOp>(loc, results);
  }

  // 4. No bucket fits: report the first dimension beyond every bucket (-1
  // when only the combination does not fit) and return empty results.
  Block *defaultBlock = rewriter.createBlock(&switchOp.getDefaultRegion());
  rewriter.setInsertionPointToStart(defaultBlock);
  Type i64 = rewriter.getI64Type();
  auto i64Const = [&](int64_t v) -> Value {
    return rewriter.create<arith::ConstantIntOp>(loc, i64, v);
  };
  Value badDim = i64Const(-1), badValue = i64Const(0), badMax = i64Const(0);
  for (int64_t k = numDims - 1; k >= 0; --k) {
    int64_t max = 0;
    for (ArrayRef<int64_t> row : rows)
      max = std::max(max, row[k]);
    Value value = rewriter.create<arith::IndexCastOp>(loc, i64, dims[k]);
    Value beyond = rewriter.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::ugt, dims[k], indexConst(max));
    badDim = rewriter.create<arith::SelectOp>(loc, beyond, i64Const(k), badDim);
    badValue = rewriter.create<arith::SelectOp>(loc, beyond, value, badValue);
    badMax = rewriter.create<arith::SelectOp>(loc, beyond, i64Const(max), badMax);
  }
  rewriter.create<func::CallOp>(loc, hook, ValueRange{badDim, badValue, badMax});
  SmallVector<Value> empties;
  for (Type type : resultTypes) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType)
      return func.emitError("only ranked tensor results can be bucketed");
    SmallVector<Value> dynSizes(tensorType.getNumDynamicDims(), indexConst(0));
    empties.push_back(rewriter.create<tensor::EmptyOp>(
        loc, tensorType.getShape(), tensorType.getElementType(), dynSizes));
  }
  rewriter.create<scf::YieldOp>(loc, empties);

  rewriter.setInsertionPointAfter(switchOp);
  rewriter.create<func::ReturnOp>(loc, switchOp.getResults());
  func->setAttr(kDispatcherAttrName, UnitAttr::get(ctx));
  return success();
}
