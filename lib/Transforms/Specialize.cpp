//===- Specialize.cpp - Bucket specialization and dispatch ----------------===//

#include "bucket/Transforms/Specialize.h"
#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/Analysis/PaddingAnalysis.h"
#include "bucket/Analysis/Utils.h"
#include "bucket/Spec/BucketSpec.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::bucket;

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

LogicalResult mlir::bucket::decomposeAggregatedOps(RewriterBase &rewriter,
                                                  Operation *root) {
  SmallVector<linalg::AggregatedOpInterface> ops;
  root->walk([&](linalg::AggregatedOpInterface op) { ops.push_back(op); });
  for (linalg::AggregatedOpInterface op : ops) {
    rewriter.setInsertionPoint(op);
    FailureOr<SmallVector<Value>> replacements =
        op.decomposeOperation(rewriter);
    if (failed(replacements))
      return op->emitOpError("could not be decomposed into structured ops");
    rewriter.replaceOp(op, *replacements);
  }
  return success();
}

void mlir::bucket::declareHiddenReductions(RewriterBase &rewriter,
                                           Operation *root) {
  root->walk([&](linalg::GenericOp op) {
    if (!hasMisdeclaredParallelLoops(op))
      return;
    SmallVector<Attribute> iterators;
    for (utils::IteratorType type : getEffectiveIteratorTypes(op))
      iterators.push_back(
          linalg::IteratorTypeAttr::get(op.getContext(), type));
    rewriter.modifyOpInPlace(op, [&] {
      op.setIteratorTypesAttr(rewriter.getArrayAttr(iterators));
    });
  });
}

namespace {
/// `tensor.splat %v[%c4]` with constant sizes -> a static splat cast back:
/// the canonicalizer leaves dynamic sizes of splats alone.
struct StaticSplatSizes : public OpRewritePattern<tensor::SplatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::SplatOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (type.hasStaticShape())
      return failure();
    SmallVector<int64_t> shape(type.getShape());
    SmallVector<Value> dynamicSizes;
    auto sizes = op.getDynamicSizes();
    unsigned next = 0;
    bool changed = false;
    for (int64_t &size : shape) {
      if (!ShapedType::isDynamic(size))
        continue;
      Value dynamic = sizes[next++];
      if (std::optional<int64_t> c = getConstantIntValue(dynamic)) {
        size = *c;
        changed = true;
      } else {
        dynamicSizes.push_back(dynamic);
      }
    }
    if (!changed)
      return rewriter.notifyMatchFailure(op, "no constant size");
    auto splat = tensor::SplatOp::create(rewriter, op.getLoc(),
                                         type.clone(shape), op.getInput(),
                                         dynamicSizes);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, type, splat);
    return success();
  }
};

/// `tensor.concat` of `tensor.cast`s that only erased static sizes -> a
/// concat of the casts' sources, whose result type is as static as they
/// are, cast back. Specialization casts every argument to its original
/// dynamic type; DPS ops fold such casts, concat does not.
struct ConcatOfCasts : public OpRewritePattern<tensor::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> inputs;
    bool changed = false;
    for (Value input : op.getInputs()) {
      auto cast = input.getDefiningOp<tensor::CastOp>();
      if (cast && tensor::preservesStaticInformation(cast.getType(),
                                                     cast.getSource().getType())) {
        inputs.push_back(cast.getSource());
        changed = true;
      } else {
        inputs.push_back(input);
      }
    }
    if (!changed)
      return rewriter.notifyMatchFailure(op, "no static cast to fold");
    RankedTensorType inferred =
        tensor::ConcatOp::inferResultType(op.getDim(), ValueRange(inputs).getTypes());
    // Keep what the op's own type knows beyond the inputs.
    SmallVector<int64_t> shape(inferred.getShape());
    for (auto [size, known] : llvm::zip(shape, op.getResultType().getShape()))
      if (ShapedType::isDynamic(size))
        size = known;
    RankedTensorType type = inferred.clone(shape);
    if (type == op.getResultType())
      return rewriter.notifyMatchFailure(op, "nothing more static");
    auto concat =
        tensor::ConcatOp::create(rewriter, op.getLoc(), type, op.getDim(),
                                 inputs);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, op.getResultType(),
                                                concat);
    return success();
  }
};
} // namespace

/// Gathers every pattern the canonicalizer would use, plus cast folding and
/// the static refinements the canonicalizer lacks.
static FrozenRewritePatternSet getRefinementPatterns(MLIRContext *ctx) {
  RewritePatternSet patterns(ctx);
  patterns.add<StaticSplatSizes, ConcatOfCasts>(ctx);
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
  return FrozenRewritePatternSet(std::move(patterns));
}

LogicalResult mlir::bucket::refineFunctionShapes(func::FuncOp func) {
  if (failed(applyPatternsGreedily(func,
                                   getRefinementPatterns(func.getContext()))))
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
  func.setFunctionType(FunctionType::get(func.getContext(),
                                         func.getArgumentTypes(), resultTypes));
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
               << func.getName()
               << "'; its dimensions are: " << llvm::join(dimNames, ", ");
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

/// Applies the command line's pad values and masks to `func`'s argument
/// attributes (the command line wins).
static LogicalResult applyPaddingOptions(func::FuncOp func,
                                         const SpecializeOptions &options) {
  Builder b(func.getContext());
  auto parseIndex = [&](StringRef text, unsigned &index) -> LogicalResult {
    if (text.trim().getAsInteger(10, index) || index >= func.getNumArguments())
      return func.emitError()
             << "'" << text.trim() << "' is not an argument number of '"
             << func.getName() << "' (it has " << func.getNumArguments()
             << " arguments)";
    return success();
  };
  SmallVector<StringRef> items;
  StringRef(options.padValues).split(items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef item : items) {
    auto [index, value] = item.split('=');
    unsigned i;
    if (value.empty())
      return func.emitError() << "invalid pad value '" << item
                              << "'; expected <argument>=<value>";
    if (failed(parseIndex(index, i)))
      return failure();
    func.setArgAttr(i, kPadValueAttrName, b.getStringAttr(value.trim()));
  }
  items.clear();
  StringRef(options.masks).split(items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef item : items) {
    unsigned i;
    if (failed(parseIndex(item, i)))
      return failure();
    func.setArgAttr(i, kMaskAttrName, b.getUnitAttr());
  }
  return success();
}

/// Resolves the out-of-range policies of `func`'s symbolic dimensions.
static FailureOr<SmallVector<OutOfRangePolicy>>
resolvePolicies(func::FuncOp func, const DimensionAnalysis &analysis,
                const PaddingResult &padding, StringRef text) {
  ArrayRef<SymbolicDim> dims = analysis.getDims();
  SmallVector<OutOfRangePolicy> policies(dims.size(), OutOfRangePolicy::Error);
  if (text.empty())
    if (auto attr = func->getAttrOfType<StringAttr>(kOutOfRangeAttrName))
      text = attr.getValue();
  SmallVector<StringRef> items;
  text.split(items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef item : items) {
    auto [name, policyText] = item.split('=');
    bool all = policyText.empty();
    if (all)
      policyText = name;
    std::optional<OutOfRangePolicy> policy = parseOutOfRangePolicy(policyText);
    if (!policy)
      return func.emitError()
             << "unknown out-of-range policy '" << policyText.trim()
             << "'; expected error, fallback, split or "
                "truncate";
    bool found = false;
    for (auto [id, dim] : llvm::enumerate(dims)) {
      if (all || llvm::is_contained(dim.names, name.trim().str())) {
        policies[id] = *policy;
        found = true;
      }
    }
    if (!found)
      return func.emitError()
             << "unknown dimension '" << name.trim()
             << "' in the out-of-range policies of '" << func.getName() << "'";
  }
  int splitCount = 0;
  for (auto [id, policy] : llvm::enumerate(policies)) {
    if (policy != OutOfRangePolicy::Split)
      continue;
    ++splitCount;
    if (Operation *blocker = padding.splitBlockers[id]) {
      InFlightDiagnostic diag =
          blocker->emitError()
          << "cannot split '" << func.getName() << "' along '"
          << dims[id].getName() << "' because of '" << blocker->getName()
          << "': " << padding.splitBlockerReasons[id]
          << "; split is only for dimensions that are never reduced or "
             "mixed (such as a batch); use fallback instead";
      return failure();
    }
  }
  if (splitCount > 1)
    return func.emitError() << "at most one dimension of '" << func.getName()
                            << "' can have the split policy";
  return policies;
}

FailureOr<SmallVector<func::FuncOp>>
mlir::bucket::specializeFunction(RewriterBase &rewriter, func::FuncOp func,
                                 const SpecializeOptions &options) {
  StringRef specText = options.buckets;
  FailureOr<DimensionAnalysis> analysis = DimensionAnalysis::analyze(func);
  if (failed(analysis))
    return failure();
  if (failed(applyPaddingOptions(func, options)))
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
  FailureOr<BucketTable> table = resolveSpec(func, *analysis, *spec, specLoc);
  if (failed(table))
    return failure();
  FailureOr<PaddingResult> padding = analyzePadding(func, *analysis);
  if (failed(padding))
    return failure();
  FailureOr<SmallVector<OutOfRangePolicy>> policies =
      resolvePolicies(func, *analysis, *padding, options.outOfRange);
  if (failed(policies))
    return failure();
  bool selfCheck = options.selfCheck || func->hasAttr(kSelfCheckAttrName);
  // Every clone, the fallback included, is tiled and vectorized by upstream
  // code that trusts iterator_types.
  declareHiddenReductions(rewriter, func);
  bool needFallback =
      selfCheck || llvm::is_contained(*policies, OutOfRangePolicy::Fallback);

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
    if (TypedAttr padValue = padding->padValues[index])
      func.setArgAttr(index, kPaddingAttrName, padValue);
  }
  SmallVector<StringRef> policyNames;
  for (OutOfRangePolicy policy : *policies)
    policyNames.push_back(stringifyOutOfRangePolicy(policy));
  func->setAttr(kPoliciesAttrName, b.getStrArrayAttr(policyNames));
  if (selfCheck && !func->getAttrOfType<FloatAttr>(kSelfCheckAttrName))
    func->setAttr(kSelfCheckAttrName,
                  b.getF64FloatAttr(kDefaultSelfCheckTolerance));

  SymbolTable symbolTable(func->getParentOfType<ModuleOp>());
  SmallVector<func::FuncOp> clones;
  rewriter.setInsertionPointAfter(func);
  if (needFallback) {
    // The original, kept dynamic, for the shapes no bucket takes.
    auto fallback = cast<func::FuncOp>(rewriter.clone(*func));
    fallback.setPrivate();
    fallback.setName((func.getName() + "_fallback").str());
    symbolTable.insert(fallback, rewriter.getInsertionPoint());
    rewriter.setInsertionPointAfter(fallback);
    for (NamedAttribute attr : llvm::to_vector(fallback->getAttrs()))
      if (attr.getName().strref().starts_with("bucket.") ||
          attr.getName() == "llvm.emit_c_interface")
        fallback->removeAttr(attr.getName());
    for (unsigned i = 0; i < fallback.getNumArguments(); ++i)
      fallback.setArgAttrs(i, DictionaryAttr::get(func.getContext()));
    fallback->setAttr(kFallbackOfAttrName,
                      FlatSymbolRefAttr::get(func.getSymNameAttr()));
    func->setAttr(kFallbackAttrName,
                  FlatSymbolRefAttr::get(fallback.getSymNameAttr()));
  }
  SmallVector<Attribute> keptRows;
  SmallVector<std::pair<ArrayRef<int64_t>, std::string>> dropped;
  for (ArrayRef<int64_t> row : table->rows) {
    auto clone = cast<func::FuncOp>(rewriter.clone(*func));
    clone.setPrivate();
    clone.setName(
        (func.getName() + "_" + getBucketSuffix(table->dims, row)).str());
    symbolTable.insert(clone, rewriter.getInsertionPoint());
    rewriter.setInsertionPointAfter(clone);
    for (StringRef name :
         {kBucketsAttrName, kDimNamesAttrName, kBucketTableAttrName,
          kPoliciesAttrName, kFallbackAttrName, kSelfCheckAttrName,
          kOutOfRangeAttrName})
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
      clone.setArgAttrs(arg.getArgNumber(),
                        DictionaryAttr::get(clone.getContext()));
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
      auto cast = tensor::CastOp::create(rewriter, arg.getLoc(), type, arg);
      rewriter.replaceAllUsesExcept(arg, cast, cast);
      argTypes.push_back(staticType);
    }
    clone.setFunctionType(
        rewriter.getFunctionType(argTypes, clone.getResultTypes()));
    if (failed(refineFunctionShapes(clone)))
      return failure();
    // Sizes of different symbolic dimensions may contradict a static
    // constraint of an op: a window's input shorter than its output needs
    // when W and OW are named separately (`W >= OW + K - 1`). No valid input
    // has such sizes, so the combination is dropped from the grid, as a
    // sparse grid would leave it out; the shapes it would have taken go to
    // the next bucket that fits.
    std::string contradiction;
    {
      ScopedDiagnosticHandler capture(func.getContext(), [&](Diagnostic &d) {
        if (contradiction.empty())
          contradiction = d.str();
        return success();
      });
      if (succeeded(verify(clone))) {
        clones.push_back(clone);
        keptRows.push_back(b.getDenseI64ArrayAttr(row));
        continue;
      }
    }
    dropped.push_back({row, contradiction});
    symbolTable.erase(clone);
  }
  if (dropped.empty())
    return clones;
  auto describe = [&](ArrayRef<int64_t> row) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvm::interleaveComma(llvm::zip(table->dims, row), os, [&](auto pair) {
      os << std::get<0>(pair) << "=" << std::get<1>(pair);
    });
    return text;
  };
  if (clones.empty()) {
    InFlightDiagnostic diag =
        func.emitError() << "no bucket of '" << func.getName()
                         << "' has sizes that its ops accept; the first, ("
                         << describe(dropped.front().first)
                         << "): " << dropped.front().second;
    return diag;
  }
  InFlightDiagnostic diag = emitWarning(func.getLoc())
                            << "dropped " << dropped.size() << " of "
                            << table->rows.size() << " buckets of '"
                            << func.getName()
                            << "' whose sizes contradict each other, so no "
                               "valid input has them:";
  for (auto &[row, why] : dropped)
    diag << " (" << describe(row) << ")";
  diag << "; the first because " << dropped.front().second;
  func->setAttr(kBucketTableAttrName, b.getArrayAttr(keptRows));
  return clones;
}

/// Declares `name` with `type` as a private external function of `module`
/// unless it exists.
static func::FuncOp getOrDeclareHook(RewriterBase &rewriter, ModuleOp module,
                                     StringRef name, FunctionType type) {
  if (auto hook = module.lookupSymbol<func::FuncOp>(name))
    return hook;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  auto hook = func::FuncOp::create(rewriter, module.getLoc(), name, type);
  hook.setPrivate();
  return hook;
}

namespace {
/// Builds the body of a dispatcher.
class DispatchBuilder {
public:
  DispatchBuilder(RewriterBase &rewriter, func::FuncOp func,
                  ArrayRef<func::FuncOp> specializations, Location loc)
      : rewriter(rewriter), func(func), specializations(specializations),
        loc(loc) {}

  Value index(int64_t v) {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  }
  Value i64(int64_t v) {
    return arith::ConstantIntOp::create(rewriter, loc, rewriter.getI64Type(),
                                        v);
  }

  /// `args` padded to the argument types of `callee` with each argument's
  /// pad value.
  SmallVector<Value> pad(ValueRange args, func::FuncOp callee);
  /// `results` of a call cropped to the dispatcher's result types.
  SmallVector<Value> crop(ValueRange results, ArrayRef<Value> cropSizes);
  /// Calls bucket `i` on `args` and crops its results.
  SmallVector<Value> runBucket(unsigned i, ValueRange args,
                               ArrayRef<Value> cropSizes) {
    auto call = func::CallOp::create(rewriter, loc, specializations[i],
                                     pad(args, specializations[i]));
    return crop(call.getResults(), cropSizes);
  }
  /// Reports every result of `results` that differs from `expected`.
  void selfCheck(ValueRange results, ValueRange expected, int64_t bucket,
                 int64_t other, func::FuncOp hook, double tolerance);

  RewriterBase &rewriter;
  func::FuncOp func;
  ArrayRef<func::FuncOp> specializations;
  Location loc;
};
} // namespace

SmallVector<Value> DispatchBuilder::pad(ValueRange args, func::FuncOp callee) {
  SmallVector<Value> operands;
  for (auto [i, arg, staticType] :
       llvm::enumerate(args, callee.getArgumentTypes())) {
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
      Value size = tensor::DimOp::create(rewriter, loc, arg, d);
      high.push_back(arith::SubIOp::create(
                         rewriter, loc, index(bucketType.getDimSize(d)), size)
                         .getResult());
    }
    Type elementType = type.getElementType();
    TypedAttr padValue = func.getArgAttrOfType<TypedAttr>(i, kPaddingAttrName);
    if (!padValue || padValue.getType() != elementType)
      padValue = rewriter.getZeroAttr(elementType);
    Value padScalar = arith::ConstantOp::create(rewriter, loc, padValue);
    operands.push_back(tensor::PadOp::create(rewriter, loc, bucketType, arg,
                                             low, high, padScalar));
  }
  return operands;
}

SmallVector<Value> DispatchBuilder::crop(ValueRange callResults,
                                         ArrayRef<Value> cropSizes) {
  SmallVector<Value> results;
  unsigned nextCrop = 0;
  for (auto [result, type] : llvm::zip(callResults, func.getResultTypes())) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    // The crop sizes are listed per dynamic dimension of every result, so a
    // result that needs no crop still consumes its entries.
    unsigned firstCrop = nextCrop;
    if (tensorType)
      nextCrop += tensorType.getNumDynamicDims();
    // Crop every result with a dynamic dimension, whatever type the callee
    // returns: its extent there is the bucket's.
    if (!tensorType || tensorType.hasStaticShape() ||
        result.getType() == tensorType) {
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
    results.push_back(tensor::ExtractSliceOp::create(
        rewriter, loc, tensorType, result, offsets, sizes, strides));
  }
  return results;
}

void DispatchBuilder::selfCheck(ValueRange results, ValueRange expected,
                                int64_t bucket, int64_t other,
                                func::FuncOp hook, double tolerance) {
  MLIRContext *ctx = rewriter.getContext();
  Type f64 = rewriter.getF64Type();
  for (auto [r, pair] : llvm::enumerate(llvm::zip(results, expected))) {
    auto [result, reference] = pair;
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type)
      continue;
    Type elementType = type.getElementType();
    if (!isa<FloatType, IntegerType>(elementType))
      continue;
    // The largest absolute difference, +inf where exactly one side is NaN.
    Value zero =
        arith::ConstantOp::create(rewriter, loc, rewriter.getF64FloatAttr(0.0));
    Value init =
        tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{}, f64);
    init = linalg::FillOp::create(rewriter, loc, zero, init).getResult(0);
    unsigned rank = type.getRank();
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap scalar = AffineMap::get(rank, 0, {}, ctx);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, ValueRange{result, reference},
        ValueRange{init}, ArrayRef<AffineMap>{id, id, scalar}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value diff;
          if (isa<FloatType>(elementType)) {
            Value a = args[0], e = args[1];
            if (elementType != f64) {
              a = arith::ExtFOp::create(b, l, f64, a);
              e = arith::ExtFOp::create(b, l, f64, e);
            }
            Value same =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, a, e);
            Value bothNaN = arith::AndIOp::create(
                b, l,
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, a, a),
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, e, e));
            Value abs =
                math::AbsFOp::create(b, l, arith::SubFOp::create(b, l, a, e));
            Value inf = arith::ConstantOp::create(
                b, l,
                b.getF64FloatAttr(std::numeric_limits<double>::infinity()));
            Value isNaN = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO,
                                                abs, abs);
            abs = arith::SelectOp::create(b, l, isNaN, inf, abs);
            // Within tolerance * (1 + |expected|) counts as equal: buckets
            // and the fallback may round differently (FMA, vector order).
            Value one = arith::ConstantOp::create(b, l, b.getF64FloatAttr(1.0));
            Value tol =
                arith::ConstantOp::create(b, l, b.getF64FloatAttr(tolerance));
            Value bound = arith::MulFOp::create(
                b, l, tol,
                arith::AddFOp::create(b, l, one,
                                      math::AbsFOp::create(b, l, e)));
            Value close = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE,
                                                abs, bound);
            Value equal = arith::OrIOp::create(
                b, l, arith::OrIOp::create(b, l, same, bothNaN), close);
            diff = arith::SelectOp::create(
                b, l, equal,
                arith::ConstantOp::create(b, l, b.getF64FloatAttr(0.0)), abs);
          } else {
            Value ne = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne,
                                             args[0], args[1]);
            diff = arith::SelectOp::create(
                b, l, ne,
                arith::ConstantOp::create(b, l, b.getF64FloatAttr(1.0)),
                arith::ConstantOp::create(b, l, b.getF64FloatAttr(0.0)));
          }
          Value max = arith::MaximumFOp::create(b, l, args[2], diff);
          linalg::YieldOp::create(b, l, max);
        });
    Value maxDiff = tensor::ExtractOp::create(
        rewriter, loc, generic.getResult(0), ValueRange{});
    Value differs = arith::CmpFOp::create(
        rewriter, loc, arith::CmpFPredicate::OGT, maxDiff, zero);
    auto ifOp = scf::IfOp::create(rewriter, loc, differs, /*withElse=*/false);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(&ifOp.getThenRegion().front());
    func::CallOp::create(rewriter, loc, hook,
                         ValueRange{i64(bucket), i64(other), i64(r), maxDiff});
  }
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
  SmallVector<int64_t> maxSizes(numDims, 0);
  for (ArrayRef<int64_t> row : rows)
    for (unsigned k = 0; k < numDims; ++k)
      maxSizes[k] = std::max(maxSizes[k], row[k]);
  // Where each symbolic dimension is read from, and which dimensions of each
  // argument belong to it.
  SmallVector<std::optional<DimPosition>> dimSource(numDims);
  SmallVector<SmallVector<int32_t>> argDimIds(func.getNumArguments());
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (auto ids =
            func.getArgAttrOfType<DenseI32ArrayAttr>(i, kDimIdsAttrName)) {
      argDimIds[i].assign(ids.asArrayRef().begin(), ids.asArrayRef().end());
      for (auto [d, id] : llvm::enumerate(ids.asArrayRef()))
        if (id >= 0 && unsigned(id) < numDims && !dimSource[id])
          dimSource[id] = DimPosition{i, unsigned(d)};
    }
  if (llvm::any_of(dimSource, [](auto s) { return !s; }))
    return func.emitError(
        "a symbolic dimension has no argument to read it from");

  // Policies (all "error" without the attribute).
  SmallVector<OutOfRangePolicy> policies(numDims, OutOfRangePolicy::Error);
  if (auto attr = func->getAttrOfType<ArrayAttr>(kPoliciesAttrName)) {
    if (attr.size() != numDims)
      return func.emitError("'")
             << kPoliciesAttrName << "' needs " << numDims << " entries";
    for (auto [k, entry] : llvm::enumerate(attr)) {
      auto text = dyn_cast<StringAttr>(entry);
      std::optional<OutOfRangePolicy> policy =
          text ? parseOutOfRangePolicy(text.getValue()) : std::nullopt;
      if (!policy)
        return func.emitError("invalid out-of-range policy ") << entry;
      policies[k] = *policy;
    }
  }
  func::FuncOp fallback;
  if (auto ref = func->getAttrOfType<FlatSymbolRefAttr>(kFallbackAttrName)) {
    fallback = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(func, ref);
    if (!fallback)
      return func.emitError("unknown fallback function ") << ref;
  }
  bool selfCheck = func->hasAttr(kSelfCheckAttrName);
  double selfCheckTolerance = kDefaultSelfCheckTolerance;
  if (auto tol = func->getAttrOfType<FloatAttr>(kSelfCheckAttrName))
    selfCheckTolerance = tol.getValueAsDouble();
  if (!fallback &&
      (selfCheck || llvm::is_contained(policies, OutOfRangePolicy::Fallback)))
    return func.emitError("the fallback policy and the self-check need a '")
           << kFallbackAttrName << "' function";
  std::optional<unsigned> splitDim;
  for (unsigned k = 0; k < numDims; ++k)
    if (policies[k] == OutOfRangePolicy::Split)
      splitDim = k;

  // Results are tensors (cropped) or scalars (returned as they are); a split
  // has tensors to concatenate only.
  for (auto [r, type] : llvm::enumerate(func.getResultTypes())) {
    if (isa<RankedTensorType>(type))
      continue;
    if (!isa<IntegerType, IndexType, FloatType>(type))
      return func.emitError()
             << "result " << r << " has type " << type
             << "; a bucketed function returns ranked tensors and integer, "
                "index or float scalars";
    if (splitDim)
      return func.emitError()
             << "the 'split' policy concatenates results along the split "
                "dimension, but result "
             << r << " is a scalar";
  }

  // The crop sizes come from the original's own shape computation, which is
  // built before the body is replaced; so are the result dimensions a split
  // concatenates along, and those that no symbolic dimension changes.
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(func.getLoc());
  FailureOr<func::FuncOp> shapeFn = buildResultShapeFunction(func, *scratch);
  if (failed(shapeFn))
    return failure();
  FailureOr<DimensionAnalysis> analysis = DimensionAnalysis::analyze(func);
  if (failed(analysis))
    return failure();
  SmallVector<DimPosition> splitResultDims;
  if (splitDim) {
    for (const SymbolicDim &dim : analysis->getDims())
      if (llvm::any_of(dim.argDims, [&](DimPosition p) {
            return p == *dimSource[*splitDim];
          }))
        splitResultDims = dim.resultDims;
  }
  // Per dynamic result dimension (in crop order): whether its size is a
  // constant, the same in and out of range.
  SmallVector<bool> constantResultDims;
  for (const auto &[pos, expr] : analysis->getResultDimExprs())
    constantResultDims.push_back(expr && isa<AffineConstantExpr>(expr));

  MLIRContext *ctx = func.getContext();
  auto module = func->getParentOfType<ModuleOp>();
  Type i64Type = rewriter.getI64Type();
  func::FuncOp hook = getOrDeclareHook(
      rewriter, module, kOutOfRangeHookName,
      rewriter.getFunctionType({i64Type, i64Type, i64Type}, {}));
  func::FuncOp checkHook;
  if (selfCheck)
    checkHook = getOrDeclareHook(
        rewriter, module, kSelfCheckHookName,
        rewriter.getFunctionType(
            {i64Type, i64Type, i64Type, rewriter.getF64Type()}, {}));

  // A fresh body with the same arguments.
  Location loc = func.getLoc();
  Region &body = func.getBody();
  Block *entry =
      rewriter.createBlock(&body, body.begin(), func.getArgumentTypes(),
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
  DispatchBuilder builder(rewriter, func, specializations, loc);
  SmallVector<Value> args(entry->getArguments());

  // 1. The symbolic dimensions; truncated ones are cropped to the largest
  //    bucket first, and so is every argument along them.
  SmallVector<Value> dims;
  for (std::optional<DimPosition> src : dimSource)
    dims.push_back(
        tensor::DimOp::create(rewriter, loc, args[src->index], src->dim));
  auto sliceArgs = [&](ArrayRef<Value> values, unsigned k, Value offset,
                       Value size) {
    SmallVector<Value> sliced;
    for (auto [i, value] : llvm::enumerate(values)) {
      auto type = dyn_cast<RankedTensorType>(value.getType());
      if (!type || llvm::none_of(argDimIds[i], [&](int32_t id) {
            return id == int32_t(k);
          })) {
        sliced.push_back(value);
        continue;
      }
      SmallVector<OpFoldResult> offsets, sizes,
          strides(type.getRank(), rewriter.getIndexAttr(1));
      for (unsigned d = 0; d < type.getRank(); ++d) {
        bool inClass = argDimIds[i][d] == int32_t(k);
        offsets.push_back(inClass ? OpFoldResult(offset)
                                  : rewriter.getIndexAttr(0));
        sizes.push_back(inClass
                            ? OpFoldResult(size)
                            : tensor::getMixedSize(rewriter, loc, value, d));
      }
      sliced.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, type, value, offsets, sizes, strides));
    }
    return sliced;
  };
  for (unsigned k = 0; k < numDims; ++k) {
    if (policies[k] != OutOfRangePolicy::Truncate)
      continue;
    dims[k] = arith::MinUIOp::create(rewriter, loc, dims[k],
                                     builder.index(maxSizes[k]));
    args = sliceArgs(args, k, builder.index(0), dims[k]);
  }

  // 2. The first row that fits, or rows.size() when none does.
  Value selected = builder.index(rows.size());
  for (int64_t i = rows.size() - 1; i >= 0; --i) {
    Value fits;
    for (unsigned k = 0; k < numDims; ++k) {
      Value le = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ule,
                                       dims[k], builder.index(rows[i][k]));
      fits = fits ? arith::AndIOp::create(rewriter, loc, fits, le).getResult()
                  : le;
    }
    if (!fits)
      fits = arith::ConstantIntOp::create(rewriter, loc, 1, 1);
    selected = arith::SelectOp::create(rewriter, loc, fits, builder.index(i),
                                       selected);
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

  // 3. One case per bucket.
  TypeRange resultTypes = func.getResultTypes();
  SmallVector<int64_t> caseValues =
      llvm::to_vector(llvm::seq<int64_t>(0, rows.size()));
  auto switchOp = scf::IndexSwitchOp::create(rewriter, loc, resultTypes,
                                             selected, caseValues, rows.size());
  for (unsigned i = 0; i < rows.size(); ++i) {
    Block *caseBlock = rewriter.createBlock(&switchOp.getCaseRegions()[i]);
    rewriter.setInsertionPointToStart(caseBlock);
    SmallVector<Value> results = builder.runBucket(i, args, cropSizes);
    if (selfCheck) {
      // The next bucket in dispatch order that contains this one, else the
      // generic version.
      std::optional<unsigned> other;
      for (unsigned j = i + 1; j < rows.size() && !other; ++j)
        if (llvm::all_of(llvm::seq(0u, numDims),
                         [&](unsigned k) { return rows[j][k] >= rows[i][k]; }))
          other = j;
      SmallVector<Value> expected =
          other ? builder.runBucket(*other, args, cropSizes)
                : SmallVector<Value>(
                      func::CallOp::create(rewriter, loc, fallback, args)
                          .getResults());
      builder.selfCheck(results, expected, i, other ? int64_t(*other) : -1,
                        checkHook, selfCheckTolerance);
    }
    scf::YieldOp::create(rewriter, loc, results);
  }

  // 4. No bucket fits. Action 0 reports and returns empty results, 1 calls
  //    the fallback, 2 splits.
  Block *defaultBlock = rewriter.createBlock(&switchOp.getDefaultRegion());
  rewriter.setInsertionPointToStart(defaultBlock);
  SmallVector<Value> beyond;
  for (unsigned k = 0; k < numDims; ++k)
    beyond.push_back(arith::CmpIOp::create(rewriter, loc,
                                           arith::CmpIPredicate::ugt, dims[k],
                                           builder.index(maxSizes[k])));
  auto anyOf = [&](function_ref<bool(unsigned)> pred) -> Value {
    Value any = arith::ConstantIntOp::create(rewriter, loc, 0, 1);
    for (unsigned k = 0; k < numDims; ++k)
      if (pred(k))
        any = arith::OrIOp::create(rewriter, loc, any, beyond[k]);
    return any;
  };
  Value trueValue = arith::ConstantIntOp::create(rewriter, loc, 1, 1);
  Value action = builder.index(0);
  bool hasFallbackAction =
      fallback && llvm::is_contained(policies, OutOfRangePolicy::Fallback);
  if (hasFallbackAction) {
    // Every dimension beyond the range allows the fallback.
    Value blocked = anyOf(
        [&](unsigned k) { return policies[k] == OutOfRangePolicy::Error; });
    Value allowed = arith::XOrIOp::create(rewriter, loc, blocked, trueValue);
    action = arith::SelectOp::create(rewriter, loc, allowed, builder.index(1),
                                     action);
  }
  if (splitDim) {
    Value others = anyOf([&](unsigned k) { return k != *splitDim; });
    Value onlySplit = arith::AndIOp::create(
        rewriter, loc, beyond[*splitDim],
        arith::XOrIOp::create(rewriter, loc, others, trueValue));
    action = arith::SelectOp::create(rewriter, loc, onlySplit, builder.index(2),
                                     action);
  }
  // Only the actions the policies allow get a case.
  SmallVector<int64_t> actions;
  if (hasFallbackAction)
    actions.push_back(1);
  if (splitDim)
    actions.push_back(2);
  auto actionSwitch = scf::IndexSwitchOp::create(
      rewriter, loc, resultTypes, action, actions, actions.size());
  unsigned nextCase = 0;
  // Fallback.
  if (hasFallbackAction) {
    rewriter.setInsertionPointToStart(
        rewriter.createBlock(&actionSwitch.getCaseRegions()[nextCase++]));
    auto call = func::CallOp::create(rewriter, loc, fallback, args);
    scf::YieldOp::create(rewriter, loc, call.getResults());
  }
  // Split: chunks of the largest bucket, each dispatched again.
  if (splitDim) {
    rewriter.setInsertionPointToStart(
        rewriter.createBlock(&actionSwitch.getCaseRegions()[nextCase++]));
    unsigned k = *splitDim;
    SmallVector<Value> inits;
    unsigned nextCrop = 0;
    for (Type type : resultTypes) {
      auto tensorType = cast<RankedTensorType>(type);
      SmallVector<Value> dynSizes(cropSizes.begin() + nextCrop,
                                  cropSizes.begin() + nextCrop +
                                      tensorType.getNumDynamicDims());
      nextCrop += tensorType.getNumDynamicDims();
      inits.push_back(
          tensor::EmptyOp::create(rewriter, loc, tensorType.getShape(),
                                  tensorType.getElementType(), dynSizes));
    }
    Value chunk = builder.index(maxSizes[k]);
    auto forOp = scf::ForOp::create(
        rewriter, loc, builder.index(0), dims[k], chunk, inits,
        [&](OpBuilder &, Location, Value offset, ValueRange acc) {
          Value left = arith::SubIOp::create(rewriter, loc, dims[k], offset);
          Value size = arith::MinUIOp::create(rewriter, loc, left, chunk);
          SmallVector<Value> pieces = sliceArgs(args, k, offset, size);
          auto call = func::CallOp::create(rewriter, loc, func, pieces);
          SmallVector<Value> next;
          for (auto [r, piece, into] :
               llvm::enumerate(call.getResults(), acc)) {
            auto type = cast<RankedTensorType>(piece.getType());
            SmallVector<OpFoldResult> offsets, sizes,
                strides(type.getRank(), rewriter.getIndexAttr(1));
            for (unsigned d = 0; d < type.getRank(); ++d) {
              bool along = llvm::is_contained(splitResultDims,
                                              DimPosition{unsigned(r), d});
              offsets.push_back(along ? OpFoldResult(offset)
                                      : rewriter.getIndexAttr(0));
              sizes.push_back(tensor::getMixedSize(rewriter, loc, piece, d));
            }
            next.push_back(tensor::InsertSliceOp::create(
                rewriter, loc, piece, into, offsets, sizes, strides));
          }
          scf::YieldOp::create(rewriter, loc, next);
        });
    rewriter.setInsertionPointAfter(forOp);
    scf::YieldOp::create(rewriter, loc, forOp.getResults());
  }
  // Error: report the first dimension beyond every bucket (-1 when only the
  // combination does not fit) and return empty results.
  rewriter.setInsertionPointToStart(
      rewriter.createBlock(&actionSwitch.getDefaultRegion()));
  Value badDim = builder.i64(-1), badValue = builder.i64(0),
        badMax = builder.i64(0);
  for (int64_t k = numDims - 1; k >= 0; --k) {
    Value value = arith::IndexCastOp::create(rewriter, loc, i64Type, dims[k]);
    badDim = arith::SelectOp::create(rewriter, loc, beyond[k], builder.i64(k),
                                     badDim);
    badValue =
        arith::SelectOp::create(rewriter, loc, beyond[k], value, badValue);
    badMax = arith::SelectOp::create(rewriter, loc, beyond[k],
                                     builder.i64(maxSizes[k]), badMax);
  }
  func::CallOp::create(rewriter, loc, hook,
                       ValueRange{badDim, badValue, badMax});
  // Dynamic dimensions are 0, but for those of a constant size (a dynamic
  // type whose size is known anyway), which keep it; scalars are 0.
  SmallVector<Value> empties;
  unsigned nextDim = 0;
  for (Type type : resultTypes) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType) {
      empties.push_back(arith::ConstantOp::create(
          rewriter, loc, cast<TypedAttr>(rewriter.getZeroAttr(type))));
      continue;
    }
    SmallVector<Value> dynSizes;
    for (unsigned d = 0; d < tensorType.getNumDynamicDims(); ++d, ++nextDim)
      dynSizes.push_back(constantResultDims[nextDim] ? cropSizes[nextDim]
                                                     : builder.index(0));
    empties.push_back(
        tensor::EmptyOp::create(rewriter, loc, tensorType.getShape(),
                                tensorType.getElementType(), dynSizes));
  }
  scf::YieldOp::create(rewriter, loc, empties);
  rewriter.setInsertionPointAfter(actionSwitch);
  scf::YieldOp::create(rewriter, loc, actionSwitch.getResults());

  rewriter.setInsertionPointAfter(switchOp);
  func::ReturnOp::create(rewriter, loc, switchOp.getResults());
  func->setAttr(kDispatcherAttrName, UnitAttr::get(ctx));
  return success();
}
