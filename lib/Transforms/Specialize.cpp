//===- Specialize.cpp - Bucket specialization ----------------------------===//

#include "bucket/Transforms/Specialize.h"
#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/Analysis/PaddingAnalysis.h"
#include "bucket/Analysis/Utils.h"
#include "bucket/Spec/BucketSpec.h"
#include "bucket/Spec/OptionLists.h"
#include "bucket/Transforms/PaddingRepair.h"

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

#include <functional>

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

LogicalResult mlir::bucket::prepareEntryPoints(ModuleOp module,
                                               StringRef prefix,
                                               bool cInterface) {
  MLIRContext *ctx = module.getContext();
  if (!prefix.empty() && (!(llvm::isAlpha(prefix[0]) || prefix[0] == '_') ||
                          !llvm::all_of(prefix, [](char c) {
                            return llvm::isAlnum(c) || c == '_';
                          })))
    return module.emitError("symbol prefix '")
           << prefix << "' is not a C identifier";
  SymbolTable symbolTable(module);
  for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
    if (!func.isPublic() || func.isExternal())
      continue;
    if (!prefix.empty()) {
      auto newName = StringAttr::get(ctx, prefix + func.getName());
      if (failed(symbolTable.rename(func, newName)))
        return func.emitError("cannot rename to ") << newName;
    }
    if (cInterface)
      func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  }
  return success();
}

LogicalResult mlir::bucket::verifyBucketizedModule(ModuleOp module) {
  auto isStatic = [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return !shaped || shaped.hasStaticShape();
  };
  auto hasStaticSignature = [&](func::FuncOp func) {
    return llvm::all_of(func.getArgumentTypes(), isStatic) &&
           llvm::all_of(func.getResultTypes(), isStatic);
  };
  // Specializations per dispatcher.
  llvm::DenseMap<StringAttr, unsigned> numSpecializations;
  bool ok = true;
  for (auto func : module.getOps<func::FuncOp>()) {
    for (StringRef attr : {kSpecializationOfAttrName, kFallbackOfAttrName}) {
      auto of = func->getAttrOfType<FlatSymbolRefAttr>(attr);
      if (!of)
        continue;
      auto owner = module.lookupSymbol<func::FuncOp>(of.getAttr());
      if (!owner || !owner->hasAttr(kDispatcherAttrName) || func.isPublic()) {
        func.emitError("'") << func.getName()
                            << "' must be a private function of a dispatcher ("
                            << attr << " = " << of << ")";
        ok = false;
      }
      if (attr == kSpecializationOfAttrName) {
        ++numSpecializations[of.getAttr()];
        if (!hasStaticSignature(func)) {
          func.emitError("specialization '")
              << func.getName() << "' has a dynamic signature "
              << func.getFunctionType();
          ok = false;
        }
      }
    }
  }
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    if (func->hasAttr(kDispatcherAttrName)) {
      if (!numSpecializations.lookup(func.getSymNameAttr())) {
        func.emitError("dispatcher '")
            << func.getName() << "' has no specialization";
        ok = false;
      }
      continue;
    }
    if (!hasStaticSignature(func)) {
      func.emitError("public function '")
          << func.getName() << "' has dynamic arguments but was not bucketed";
      ok = false;
    }
  }
  return success(ok);
}

void mlir::bucket::declareHiddenReductions(RewriterBase &rewriter,
                                           Operation *root) {
  root->walk([&](linalg::GenericOp op) {
    if (!hasMisdeclaredParallelLoops(op))
      return;
    SmallVector<Attribute> iterators;
    for (utils::IteratorType type : getEffectiveIteratorTypes(op))
      iterators.push_back(linalg::IteratorTypeAttr::get(op.getContext(), type));
    rewriter.modifyOpInPlace(
        op, [&] { op.setIteratorTypesAttr(rewriter.getArrayAttr(iterators)); });
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
    auto splat = tensor::SplatOp::create(
        rewriter, op.getLoc(), type.clone(shape), op.getInput(), dynamicSizes);
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
      if (cast && tensor::preservesStaticInformation(
                      cast.getType(), cast.getSource().getType())) {
        inputs.push_back(cast.getSource());
        changed = true;
      } else {
        inputs.push_back(input);
      }
    }
    if (!changed)
      return rewriter.notifyMatchFailure(op, "no static cast to fold");
    RankedTensorType inferred = tensor::ConcatOp::inferResultType(
        op.getDim(), ValueRange(inputs).getTypes());
    // Keep what the op's own type knows beyond the inputs.
    SmallVector<int64_t> shape(inferred.getShape());
    for (auto [size, known] : llvm::zip(shape, op.getResultType().getShape()))
      if (ShapedType::isDynamic(size))
        size = known;
    RankedTensorType type = inferred.clone(shape);
    if (type == op.getResultType())
      return rewriter.notifyMatchFailure(op, "nothing more static");
    auto concat = tensor::ConcatOp::create(rewriter, op.getLoc(), type,
                                           op.getDim(), inputs);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, op.getResultType(), concat);
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
static FailureOr<BucketTable>
resolveSpec(func::FuncOp func, const DimensionAnalysis &analysis,
            const BucketSpec &spec, Location specLoc, unsigned maxBuckets) {
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
  // Every bucket is a function to specialize, lower and compile: a grid of
  // thousands would take many minutes (or the memory of the machine) before
  // anything is said. Count before expanding.
  uint64_t numBuckets = 1;
  for (const BucketGroup &group : canonicalSpec.groups) {
    numBuckets *= group.tuples.size();
    if (numBuckets > maxBuckets)
      return emitError(specLoc)
             << "the buckets of '" << func.getName() << "' make more than "
             << maxBuckets
             << " specializations (the limit; choose fewer sizes, or raise "
                "the limit with --max-buckets)";
  }
  llvm::Expected<BucketTable> table =
      BucketTable::expand(canonicalSpec, dimNames);
  if (!table)
    return emitError(specLoc) << "invalid buckets for '" << func.getName()
                              << "': " << llvm::toString(table.takeError());
  return std::move(*table);
}

/// The argument of `func` that `ref` names: its number, or the argument the
/// model named so (kSourceNameAttrName).
static FailureOr<unsigned> resolveArgument(func::FuncOp func,
                                           const ArgumentRef &ref) {
  unsigned count = func.getNumArguments();
  if (ref.index && *ref.index < count)
    return *ref.index;
  SmallVector<StringRef> names;
  for (unsigned i = 0; i < count; ++i)
    if (auto name = func.getArgAttrOfType<StringAttr>(i, kSourceNameAttrName)) {
      if (!ref.index && name.getValue() == ref.name)
        return i;
      names.push_back(name.getValue());
    }
  InFlightDiagnostic diag = func.emitError()
                            << ref.str() << " is not an argument of '"
                            << func.getName() << "' (it has " << count
                            << " arguments";
  if (!names.empty())
    diag << ", named " << llvm::join(names, ", ");
  return diag << ")", failure();
}

/// Applies the command line's pad values and masks to `func`'s argument
/// attributes (the command line wins).
static LogicalResult applyPaddingOptions(func::FuncOp func,
                                         const SpecializeOptions &options) {
  Builder b(func.getContext());
  auto padValues = parsePadValueList(options.padValues);
  if (!padValues)
    return func.emitError() << llvm::toString(padValues.takeError());
  for (const ArgumentValue &entry : *padValues) {
    FailureOr<unsigned> index = resolveArgument(func, entry.argument);
    if (failed(index))
      return failure();
    func.setArgAttr(*index, kPadValueAttrName, b.getStringAttr(entry.value));
  }
  auto masks = parseArgumentList(options.masks);
  if (!masks)
    return func.emitError() << llvm::toString(masks.takeError());
  for (const ArgumentRef &mask : *masks) {
    FailureOr<unsigned> index = resolveArgument(func, mask);
    if (failed(index))
      return failure();
    func.setArgAttr(*index, kMaskAttrName, b.getUnitAttr());
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
  auto entries = parsePolicyList(text);
  if (!entries)
    return func.emitError() << llvm::toString(entries.takeError());
  for (const DimPolicy &entry : *entries) {
    std::optional<OutOfRangePolicy> policy =
        parseOutOfRangePolicy(entry.policy);
    if (!policy)
      return func.emitError() << "unknown out-of-range policy '" << entry.policy
                              << "'; expected error, fallback, split or "
                                 "truncate";
    bool found = false;
    for (auto [id, dim] : llvm::enumerate(dims)) {
      if (entry.dim.empty() || llvm::is_contained(dim.names, entry.dim)) {
        policies[id] = *policy;
        found = true;
      }
    }
    if (!found)
      return func.emitError()
             << "unknown dimension '" << entry.dim
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
    // Every result is concatenated along the dimension: one without it
    // would be computed again by every chunk.
    for (unsigned r = 0; r < func.getNumResults(); ++r)
      if (llvm::none_of(dims[id].resultDims,
                        [&](const DimPosition &p) { return p.index == r; }))
        return func.emitError()
               << "cannot split '" << func.getName() << "' along '"
               << dims[id].getName() << "': result " << r
               << " does not have the dimension, so the chunks' results "
                  "cannot be concatenated; use fallback instead";
    // A tensor with the dimension twice ([B, B]) would be cut into
    // [chunk, chunk] blocks: only the diagonal ones.
    for (ArrayRef<DimPosition> positions :
         {ArrayRef(dims[id].argDims), ArrayRef(dims[id].resultDims)})
      for (auto [i, a] : llvm::enumerate(positions))
        for (const DimPosition &b : positions.drop_front(i + 1))
          if (a.index == b.index)
            return func.emitError()
                   << "cannot split '" << func.getName() << "' along '"
                   << dims[id].getName() << "': "
                   << (positions.data() == dims[id].argDims.data() ? "argument "
                                                                   : "result ")
                   << a.index << " has it in dimensions " << a.dim << " and "
                   << b.dim
                   << ", and a chunk would only cover the diagonal blocks; "
                      "use fallback instead";
  }
  if (splitCount > 1)
    return func.emitError() << "at most one dimension of '" << func.getName()
                            << "' can have the split policy";
  return policies;
}

/// The bucket specification of `func`: the command line's, else its
/// attribute's.
static FailureOr<BucketSpec> readSpec(func::FuncOp func,
                                      StringRef commandLine) {
  StringRef specText = commandLine;
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
    return emitError(func.getLoc())
           << "invalid buckets for '" << func.getName()
           << "': " << llvm::toString(spec.takeError());
  return std::move(*spec);
}

/// Records on the original what the dispatcher and the header need: the
/// table, each argument's dimensions and pad value, the policies.
static void annotateOriginal(func::FuncOp func, const BucketTable &table,
                             const DimensionAnalysis &analysis,
                             const PaddingResult &padding,
                             ArrayRef<OutOfRangePolicy> policies,
                             bool selfCheck) {
  Builder b(func.getContext());
  SmallVector<Attribute> rows;
  for (ArrayRef<int64_t> row : table.rows)
    rows.push_back(b.getDenseI64ArrayAttr(row));
  SmallVector<StringRef> names(table.dims.begin(), table.dims.end());
  func->setAttr(kDimNamesAttrName, b.getStrArrayAttr(names));
  func->setAttr(kBucketTableAttrName, b.getArrayAttr(rows));
  for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      continue;
    SmallVector<int32_t> ids = analysis.getArgDimIds(index);
    ids.resize(tensor.getRank(), -1);
    func.setArgAttr(index, kDimIdsAttrName, b.getDenseI32ArrayAttr(ids));
    if (TypedAttr padValue = padding.padValues[index])
      func.setArgAttr(index, kPaddingAttrName, padValue);
  }
  SmallVector<StringRef> policyNames;
  for (OutOfRangePolicy policy : policies)
    policyNames.push_back(stringifyOutOfRangePolicy(policy));
  func->setAttr(kPoliciesAttrName, b.getStrArrayAttr(policyNames));
  if (selfCheck && !func->getAttrOfType<FloatAttr>(kSelfCheckAttrName))
    func->setAttr(kSelfCheckAttrName,
                  b.getF64FloatAttr(kDefaultSelfCheckTolerance));
}

/// What a clone of `func` keeps of the attributes of argument `index`: the
/// state marking, with `tf.aliasing_output` spelled as `bucket.tied_result`,
/// so that bufferization updates the state in place in every clone.
static DictionaryAttr getStateArgAttrs(func::FuncOp func, unsigned index) {
  MLIRContext *ctx = func.getContext();
  std::optional<unsigned> result;
  if (index < func.getNumArguments())
    result = getTiedResult(func, index);
  if (!result)
    return DictionaryAttr::get(ctx);
  Builder b(ctx);
  return b.getDictionaryAttr(
      {b.getNamedAttr(kStateAttrName, b.getUnitAttr()),
       b.getNamedAttr(kTiedResultAttrName, b.getI64IntegerAttr(*result))});
}

/// A state is updated in place by exactly one bucket per call: refuses
/// `--self-check`, which runs two. (`split` is refused already: the state
/// result has no bucketed dimension to concatenate chunks along.)
static LogicalResult checkStatePolicies(func::FuncOp func, bool selfCheck) {
  SmallVector<StateArgument> states = getStateArguments(func);
  if (states.empty())
    return success();
  if (selfCheck)
    return func.emitError()
           << "--self-check runs two buckets of '" << func.getName()
           << "' per call, but state argument " << states[0].argument
           << " must be updated once per call";
  return success();
}

/// The original, kept dynamic and private, for the shapes no bucket takes.
static void createFallback(RewriterBase &rewriter, func::FuncOp func,
                           SymbolTable &symbolTable) {
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
    fallback.setArgAttrs(i, getStateArgAttrs(func, i));
  fallback->setAttr(kFallbackOfAttrName,
                    FlatSymbolRefAttr::get(func.getSymNameAttr()));
  func->setAttr(kFallbackAttrName,
                FlatSymbolRefAttr::get(fallback.getSymNameAttr()));
}

/// Whether `v` is computed from one of `values`, through the ops of the
/// linalg body it is in.
static bool dependsOnAny(Value v, const DenseSet<Value> &values) {
  SmallVector<Value> worklist{v};
  DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value next = worklist.pop_back_val();
    if (values.contains(next))
      return true;
    Operation *def = next.getDefiningOp();
    if (!seen.insert(next).second || !def ||
        !def->getParentOfType<linalg::LinalgOp>())
      continue;
    llvm::append_range(worklist, def->getOperands());
  }
  return false;
}

/// Clamps the indices of `tensor.extract`s in linalg bodies of `clone` that
/// are computed from the real sizes (`realValues`) to the bucket's bounds:
/// at real iterations they are the original's indices, in bounds; at padded
/// ones (a reversed read `x[n - 1 - i]` with i >= n) they would not be, and
/// what they read there only reaches padded, cropped positions.
static void clampIndicesInBodies(RewriterBase &rewriter, func::FuncOp clone,
                                 const DenseSet<Value> &realValues) {
  SmallVector<tensor::ExtractOp> extracts;
  clone.walk([&](tensor::ExtractOp op) {
    if (op->getParentOfType<linalg::LinalgOp>())
      extracts.push_back(op);
  });
  for (tensor::ExtractOp extract : extracts) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(extract);
    Location loc = extract.getLoc();
    for (OpOperand &index : extract.getIndicesMutable()) {
      if (!dependsOnAny(index.get(), realValues))
        continue;
      // As unsigned, a negative index is larger than any bound.
      unsigned d = index.getOperandNumber() - 1;
      Value size = tensor::DimOp::create(rewriter, loc, extract.getTensor(), d);
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      Value last = arith::SubIOp::create(rewriter, loc, size, one);
      Value clamped = arith::MinUIOp::create(rewriter, loc, index.get(), last);
      rewriter.modifyOpInPlace(extract, [&] { index.set(clamped); });
    }
  }
}

/// Gives `clone` (of a function whose padded sizes are used as values, see
/// PaddingResult::realSizes) one trailing `index` argument per symbolic
/// dimension, the real size the dispatcher passes, and makes every use of a
/// size as a value read it: the chain of scalar arithmetic from the
/// `tensor.dim` to each such use is cloned over the real size, while the uses
/// as sizes keep the bucket's.
static void useRealSizes(RewriterBase &rewriter, func::FuncOp clone,
                         const DimensionAnalysis &analysis,
                         const PaddingResult &padding) {
  ArrayRef<bool> realSizes = padding.realSizes;
  Block &entry = clone.getBody().front();
  unsigned numArgs = entry.getNumArguments();
  SmallVector<Value> realArgs;
  for (unsigned k = 0; k < realSizes.size(); ++k)
    realArgs.push_back(
        entry.addArgument(rewriter.getIndexType(), clone.getLoc()));
  SmallVector<Type> argTypes(entry.getArgumentTypes());
  clone.setFunctionType(
      rewriter.getFunctionType(argTypes, clone.getResultTypes()));
  for (unsigned k = 0; k < realSizes.size(); ++k)
    clone.setArgAttrs(numArgs + k, DictionaryAttr::get(clone.getContext()));

  // The clone's tensor.dims are the original's, in the same walk order.
  SmallVector<tensor::DimOp> dimOps;
  clone.walk([&](tensor::DimOp op) { dimOps.push_back(op); });
  DenseMap<unsigned, Value> intermediateExtents;
  for (const PaddingResult::IntermediateSize &size :
       padding.intermediateSizes) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(&entry);
    Location loc = clone.getLoc();
    Value extent = realArgs[size.cls];
    if (size.scale != 1)
      extent = arith::MulIOp::create(
          rewriter, loc, extent,
          arith::ConstantIndexOp::create(rewriter, loc, size.scale));
    if (size.offset)
      extent = arith::AddIOp::create(
          rewriter, loc, extent,
          arith::ConstantIndexOp::create(rewriter, loc, size.offset));
    intermediateExtents[size.dimOpIndex] = extent;
  }
  DenseSet<Value> realValues(realArgs.begin(), realArgs.end());
  for (auto [index, dimOp] : llvm::enumerate(dimOps)) {
    // The real extent: an argument's real size, or that of an intermediate
    // tensor's padded dimension (PaddingResult::intermediateSizes).
    Value extent = intermediateExtents.lookup(index);
    auto arg = dyn_cast<BlockArgument>(dimOp.getSource());
    std::optional<int64_t> d = dimOp.getConstantIndex();
    if (!extent && arg && arg.getOwner() == &entry && d &&
        arg.getArgNumber() < numArgs)
      if (std::optional<unsigned> cls =
              analysis.getDimId({arg.getArgNumber(), unsigned(*d)});
          cls && realSizes[*cls])
        extent = realArgs[*cls];
    if (!extent)
      continue;
    SizeValueUses uses = findSizeValueUses(dimOp);
    if (uses.notRepairable)
      continue;
    // The real version of a value: itself off the way, else its op cloned
    // over the real versions of its operands (right after the op).
    IRMapping real;
    real.map(dimOp.getResult(), extent);
    std::function<Value(Value)> realVersion = [&](Value v) -> Value {
      if (!uses.path.contains(v))
        return v;
      if (Value mapped = real.lookupOrNull(v))
        return mapped;
      Operation *def = v.getDefiningOp();
      for (Value operand : def->getOperands())
        real.map(operand, realVersion(operand));
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointAfter(def);
      Operation *copy = rewriter.clone(*def, real);
      real.map(v, copy->getResult(0));
      return copy->getResult(0);
    };
    for (OpOperand *sink : uses.sinks)
      sink->set(realVersion(sink->get()));
    for (auto &[from, to] : real.getValueMap())
      realValues.insert(to);
  }
  clampIndicesInBodies(rewriter, clone, realValues);
}

/// A private clone of `func` for bucket `row`, with static argument types
/// cast back to the original types at the entry and refined (the casts fold
/// into their users).
static FailureOr<func::FuncOp>
createSpecialization(RewriterBase &rewriter, func::FuncOp func,
                     ArrayRef<int64_t> row, const BucketTable &table,
                     const DimensionAnalysis &analysis,
                     const PaddingResult &padding, SymbolTable &symbolTable) {
  auto clone = cast<func::FuncOp>(rewriter.clone(*func));
  clone.setPrivate();
  clone.setName(
      (func.getName() + "_" + getBucketSuffix(table.dims, row)).str());
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
  clone->setAttr(kBucketAttrName, rewriter.getDenseI64ArrayAttr(row));
  // Before the casts, while the sizes are still read from the arguments.
  if (llvm::is_contained(padding.realSizes, true))
    useRealSizes(rewriter, clone, analysis, padding);

  Block &entry = clone.getBody().front();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(&entry);
  SmallVector<Type> argTypes;
  // The real sizes may have added arguments the attribute array lacks.
  clone.removeArgAttrsAttr();
  for (BlockArgument arg : entry.getArguments()) {
    clone.setArgAttrs(arg.getArgNumber(),
                      getStateArgAttrs(func, arg.getArgNumber()));
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.hasStaticShape()) {
      argTypes.push_back(arg.getType());
      continue;
    }
    SmallVector<int64_t> shape(type.getShape());
    for (unsigned d = 0; d < shape.size(); ++d)
      if (ShapedType::isDynamic(shape[d]))
        shape[d] = row[*analysis.getDimId({arg.getArgNumber(), d})];
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
  return clone;
}

/// Sizes of different symbolic dimensions may contradict a static constraint
/// of an op: a window's input shorter than its output needs when W and OW
/// are named separately (`W >= OW + K - 1`). Returns the verifier's first
/// complaint about `clone`, or nothing when it verifies.
static std::optional<std::string> findContradiction(func::FuncOp clone) {
  std::string contradiction;
  ScopedDiagnosticHandler capture(clone.getContext(), [&](Diagnostic &d) {
    if (contradiction.empty())
      contradiction = d.str();
    return success();
  });
  if (succeeded(verify(clone)))
    return std::nullopt;
  return contradiction;
}

/// Reports the buckets dropped for contradicting an op: a warning when some
/// are left, an error when none is.
static LogicalResult reportDroppedBuckets(
    func::FuncOp func, const BucketTable &table,
    ArrayRef<std::pair<ArrayRef<int64_t>, std::string>> dropped,
    bool noneLeft) {
  auto describe = [&](ArrayRef<int64_t> row) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvm::interleaveComma(llvm::zip(table.dims, row), os, [&](auto pair) {
      os << std::get<0>(pair) << "=" << std::get<1>(pair);
    });
    return text;
  };
  if (noneLeft)
    return func.emitError() << "no bucket of '" << func.getName()
                            << "' has sizes that its ops accept; the first, ("
                            << describe(dropped.front().first)
                            << "): " << dropped.front().second;
  InFlightDiagnostic diag = emitWarning(func.getLoc())
                            << "dropped " << dropped.size() << " of "
                            << table.rows.size() << " buckets of '"
                            << func.getName()
                            << "' whose sizes contradict each other, so no "
                               "valid input has them:";
  for (auto &[row, why] : dropped)
    diag << " (" << describe(row) << ")";
  diag << "; the first because " << dropped.front().second;
  return success();
}

FailureOr<SmallVector<func::FuncOp>>
mlir::bucket::specializeFunction(RewriterBase &rewriter, func::FuncOp func,
                                 const SpecializeOptions &options) {
  // 1. Everything is analysed and resolved before anything is created.
  FailureOr<DimensionAnalysis> analysis = DimensionAnalysis::analyze(func);
  if (failed(analysis) || failed(applyPaddingOptions(func, options)))
    return failure();
  FailureOr<BucketSpec> spec = readSpec(func, options.buckets);
  if (failed(spec))
    return failure();
  FailureOr<BucketTable> table =
      resolveSpec(func, *analysis, *spec, func.getLoc(), options.maxBuckets);
  if (failed(table))
    return failure();
  bool skipMasks = options.padding == "unsafe-no-masks";
  if (options.padding != "repair" && options.padding != "prove" && !skipMasks)
    return func.emitError() << "invalid padding mode '" << options.padding
                            << "'; expected repair or prove";
  FailureOr<PaddingResult> padding =
      analyzePadding(func, *analysis, options.padding != "prove");
  if (failed(padding))
    return failure();
  if (skipMasks && !padding->masks.empty())
    emitWarning(func.getLoc())
        << padding->masks.size() << " padding masks of '" << func.getName()
        << "' are left out (padding=unsafe-no-masks): its buckets may differ "
           "from the original";
  // The masks are the first change to the original (a no-op there); the
  // repaired function must then prove safe as it is, which also finds the
  // real sizes its masks read.
  if (!padding->masks.empty() && !skipMasks) {
    insertPaddingMasks(rewriter, func, *analysis, padding->masks);
    padding = analyzePadding(func, *analysis, /*repairSizes=*/true);
    if (failed(padding))
      return failure();
    if (!padding->masks.empty()) {
      InFlightDiagnostic diag = func.emitError()
                                << "internal error: the padding masks inserted "
                                   "into '"
                                << func.getName()
                                << "' do not make its padding safe";
      diag.attachNote(padding->masks.front().op->getLoc())
          << "a mask is still needed here: " << padding->masks.front().reason;
      return diag;
    }
  }
  FailureOr<SmallVector<OutOfRangePolicy>> policies =
      resolvePolicies(func, *analysis, *padding, options.outOfRange);
  if (failed(policies))
    return failure();
  bool selfCheck = options.selfCheck || func->hasAttr(kSelfCheckAttrName);
  if (failed(checkStatePolicies(func, selfCheck)))
    return failure();

  // 2. The original is annotated; every clone, the fallback included, is
  //    tiled and vectorized by upstream code that trusts iterator_types.
  declareHiddenReductions(rewriter, func);
  annotateOriginal(func, *table, *analysis, *padding, *policies, selfCheck);

  // 3. The fallback and one specialization per bucket. A combination no
  //    valid input has is dropped from the grid, as a sparse grid would leave
  //    it out; the shapes it would have taken go to the next bucket that
  //    fits.
  SymbolTable symbolTable(func->getParentOfType<ModuleOp>());
  rewriter.setInsertionPointAfter(func);
  if (selfCheck || llvm::is_contained(*policies, OutOfRangePolicy::Fallback))
    createFallback(rewriter, func, symbolTable);
  SmallVector<func::FuncOp> clones;
  SmallVector<Attribute> keptRows;
  SmallVector<std::pair<ArrayRef<int64_t>, std::string>> dropped;
  for (ArrayRef<int64_t> row : table->rows) {
    FailureOr<func::FuncOp> clone = createSpecialization(
        rewriter, func, row, *table, *analysis, *padding, symbolTable);
    if (failed(clone))
      return failure();
    if (std::optional<std::string> why = findContradiction(*clone)) {
      dropped.push_back({row, *why});
      symbolTable.erase(*clone);
      continue;
    }
    clones.push_back(*clone);
    keptRows.push_back(rewriter.getDenseI64ArrayAttr(row));
  }
  if (dropped.empty())
    return clones;
  if (failed(reportDroppedBuckets(func, *table, dropped, clones.empty())))
    return failure();
  func->setAttr(kBucketTableAttrName, rewriter.getArrayAttr(keptRows));
  return clones;
}
