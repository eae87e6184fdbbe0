//===- Dispatch.cpp - The dispatcher of a bucketed function ---------------===//
//
// generateDispatch replaces the body of a bucketed function with its
// dispatcher. It first reads and checks everything it needs into a
// DispatchPlan, without touching the IR; only then does a DispatchBuilder
// build the new body, one method per step: read the dimensions, truncate,
// select a bucket, compute the crop sizes, one case per bucket (pad, call,
// crop, self-check), and the out-of-range actions (fallback, split, error).
//
//===----------------------------------------------------------------------===//

#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/IR/BucketDialect.h"
#include "bucket/Transforms/Specialize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/Debug.h"

#include <limits>

#define DEBUG_TYPE "bucket-dispatch"

using namespace mlir;
using namespace mlir::bucket;

namespace {

//===----------------------------------------------------------------------===//
// The plan: everything the dispatcher needs, checked before the body goes
//===----------------------------------------------------------------------===//

struct DispatchPlan {
  /// Bucket sizes per row, in dispatch order, and the largest per dimension.
  SmallVector<SmallVector<int64_t>> rows;
  SmallVector<int64_t> maxSizes;
  /// Where each symbolic dimension is read from, and the symbolic dimension
  /// of each argument dimension (-1 for none).
  SmallVector<DimPosition> dimSource;
  SmallVector<SmallVector<int32_t>> argDimIds;
  SmallVector<OutOfRangePolicy> policies;
  std::optional<unsigned> splitDim;
  func::FuncOp fallback;
  std::optional<double> selfCheckTolerance;
  /// The original's result-shape computation (in `scratch`), which the
  /// dispatcher inlines to crop, one index per dynamic result dimension.
  OwningOpRef<ModuleOp> scratch;
  func::FuncOp shapeFn;
  /// Per dynamic result dimension: whether its size is a constant, kept out
  /// of range.
  SmallVector<bool> constantResultDims;
  /// The result dimensions a split concatenates along.
  SmallVector<DimPosition> splitResultDims;

  unsigned getNumDims() const { return maxSizes.size(); }
};

/// Reads the bucket table, the dimension sources and the policies.
LogicalResult readTable(func::FuncOp func, size_t numSpecializations,
                        DispatchPlan &plan) {
  auto table = func->getAttrOfType<ArrayAttr>(kBucketTableAttrName);
  auto dimNames = func->getAttrOfType<ArrayAttr>(kDimNamesAttrName);
  if (!table || !dimNames || table.size() != numSpecializations)
    return func.emitError("missing or inconsistent bucket table; run "
                          "bucket-specialize-functions first");
  unsigned numDims = dimNames.size();
  for (Attribute row : table)
    plan.rows.emplace_back(cast<DenseI64ArrayAttr>(row).asArrayRef());
  plan.maxSizes.assign(numDims, 0);
  for (ArrayRef<int64_t> row : plan.rows)
    for (unsigned k = 0; k < numDims; ++k)
      plan.maxSizes[k] = std::max(plan.maxSizes[k], row[k]);

  SmallVector<std::optional<DimPosition>> sources(numDims);
  plan.argDimIds.resize(func.getNumArguments());
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    auto ids = func.getArgAttrOfType<DenseI32ArrayAttr>(i, kDimIdsAttrName);
    if (!ids)
      continue;
    plan.argDimIds[i].assign(ids.asArrayRef().begin(), ids.asArrayRef().end());
    for (auto [d, id] : llvm::enumerate(ids.asArrayRef()))
      if (id >= 0 && unsigned(id) < numDims && !sources[id])
        sources[id] = DimPosition{i, unsigned(d)};
  }
  for (std::optional<DimPosition> source : sources) {
    if (!source)
      return func.emitError(
          "a symbolic dimension has no argument to read it from");
    plan.dimSource.push_back(*source);
  }

  // Policies (all "error" without the attribute).
  plan.policies.assign(numDims, OutOfRangePolicy::Error);
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
      plan.policies[k] = *policy;
      if (*policy == OutOfRangePolicy::Split)
        plan.splitDim = k;
    }
  }
  return success();
}

/// Reads the fallback and the self-check, and checks the result types.
LogicalResult readPolicies(func::FuncOp func, DispatchPlan &plan) {
  if (auto ref = func->getAttrOfType<FlatSymbolRefAttr>(kFallbackAttrName)) {
    plan.fallback =
        SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(func, ref);
    if (!plan.fallback)
      return func.emitError("unknown fallback function ") << ref;
  }
  if (func->hasAttr(kSelfCheckAttrName)) {
    auto tolerance = func->getAttrOfType<FloatAttr>(kSelfCheckAttrName);
    plan.selfCheckTolerance =
        tolerance ? tolerance.getValueAsDouble() : kDefaultSelfCheckTolerance;
  }
  if (!plan.fallback &&
      (plan.selfCheckTolerance ||
       llvm::is_contained(plan.policies, OutOfRangePolicy::Fallback)))
    return func.emitError("the fallback policy and the self-check need a '")
           << kFallbackAttrName << "' function";

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
    if (plan.splitDim)
      return func.emitError()
             << "the 'split' policy concatenates results along the split "
                "dimension, but result "
             << r << " is a scalar";
  }
  return success();
}

/// Builds the result-shape computation aside and reads which result
/// dimensions are constant or follow the split dimension.
LogicalResult readResultShapes(func::FuncOp func, DispatchPlan &plan) {
  plan.scratch = ModuleOp::create(func.getLoc());
  FailureOr<func::FuncOp> shapeFn =
      buildResultShapeFunction(func, *plan.scratch);
  if (failed(shapeFn))
    return failure();
  plan.shapeFn = *shapeFn;
  FailureOr<DimensionAnalysis> analysis = DimensionAnalysis::analyze(func);
  if (failed(analysis))
    return failure();
  for (const auto &[pos, expr] : analysis->getResultDimExprs())
    plan.constantResultDims.push_back(expr && isa<AffineConstantExpr>(expr));
  if (plan.splitDim)
    for (const SymbolicDim &dim : analysis->getDims())
      if (llvm::is_contained(dim.argDims, plan.dimSource[*plan.splitDim]))
        plan.splitResultDims = dim.resultDims;
  return success();
}

FailureOr<DispatchPlan> planDispatch(func::FuncOp func,
                                     ArrayRef<func::FuncOp> specializations) {
  DispatchPlan plan;
  if (failed(readTable(func, specializations.size(), plan)) ||
      failed(readPolicies(func, plan)) || failed(readResultShapes(func, plan)))
    return failure();
  LLVM_DEBUG(
      llvm::dbgs() << "dispatch @" << func.getName() << ": " << plan.rows.size()
                   << " buckets over " << plan.getNumDims() << " dimensions"
                   << (plan.fallback ? ", fallback" : "")
                   << (plan.splitDim ? ", split" : "")
                   << (plan.selfCheckTolerance ? ", self-check" : "") << "\n");
  return plan;
}

/// The declaration of a runtime hook, added to `module` if missing.
func::FuncOp getOrDeclareHook(RewriterBase &rewriter, ModuleOp module,
                              StringRef name, FunctionType type) {
  if (auto hook = module.lookupSymbol<func::FuncOp>(name))
    return hook;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  auto hook = func::FuncOp::create(rewriter, module.getLoc(), name, type);
  hook.setPrivate();
  return hook;
}

//===----------------------------------------------------------------------===//
// The builder: the new body, one step at a time
//===----------------------------------------------------------------------===//

class DispatchBuilder {
public:
  DispatchBuilder(RewriterBase &rewriter, func::FuncOp func,
                  ArrayRef<func::FuncOp> specializations,
                  const DispatchPlan &plan)
      : rewriter(rewriter), func(func), specializations(specializations),
        plan(plan), loc(func.getLoc()) {}

  /// Replaces the body of the function with the dispatcher.
  void build();

private:
  Value index(int64_t v) {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  }
  Value i64(int64_t v) {
    return arith::ConstantIntOp::create(rewriter, loc, rewriter.getI64Type(),
                                        v);
  }
  Value i1(bool v) { return arith::ConstantIntOp::create(rewriter, loc, v, 1); }

  void declareHooks();
  void resetBody();
  void readDims();
  void truncate();
  Value select();
  void computeCropSizes();
  scf::IndexSwitchOp emitBucketCases(Value selected);
  void emitOutOfRange(Region &region);
  SmallVector<Value> emitSplit();
  SmallVector<Value> emitError();

  /// `values` with every argument along symbolic dimension `k` sliced to
  /// [offset, offset + size).
  SmallVector<Value> sliceArgs(ArrayRef<Value> values, unsigned k, Value offset,
                               Value size);
  /// `args` padded to the argument types of `callee` with each argument's
  /// pad value.
  SmallVector<Value> pad(ValueRange args, func::FuncOp callee);
  /// `results` of a call cropped to the dispatcher's result types.
  SmallVector<Value> crop(ValueRange results);
  /// Calls bucket `i` on the arguments and crops its results.
  SmallVector<Value> runBucket(unsigned i);
  /// Reports every result of `results` that differs from `expected`.
  void selfCheck(ValueRange results, ValueRange expected, int64_t bucket,
                 int64_t other);
  /// The largest difference between two tensors, as an f64 scalar.
  Value maxDifference(Value result, Value reference);

  RewriterBase &rewriter;
  func::FuncOp func;
  ArrayRef<func::FuncOp> specializations;
  const DispatchPlan &plan;
  Location loc;

  func::FuncOp outOfRangeHook, selfCheckHook;
  /// The arguments (truncated where the policy says so), the symbolic
  /// dimensions' sizes, and the crop sizes.
  SmallVector<Value> args, dims, cropSizes;
};

} // namespace

void DispatchBuilder::declareHooks() {
  auto module = func->getParentOfType<ModuleOp>();
  Type i64Type = rewriter.getI64Type();
  outOfRangeHook = getOrDeclareHook(
      rewriter, module, kOutOfRangeHookName,
      rewriter.getFunctionType({i64Type, i64Type, i64Type}, {}));
  if (plan.selfCheckTolerance)
    selfCheckHook = getOrDeclareHook(
        rewriter, module, kSelfCheckHookName,
        rewriter.getFunctionType(
            {i64Type, i64Type, i64Type, rewriter.getF64Type()}, {}));
}

void DispatchBuilder::resetBody() {
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
  args.assign(entry->getArguments().begin(), entry->getArguments().end());
}

void DispatchBuilder::readDims() {
  for (DimPosition source : plan.dimSource)
    dims.push_back(
        tensor::DimOp::create(rewriter, loc, args[source.index], source.dim));
}

SmallVector<Value> DispatchBuilder::sliceArgs(ArrayRef<Value> values,
                                              unsigned k, Value offset,
                                              Value size) {
  SmallVector<Value> sliced;
  for (auto [i, value] : llvm::enumerate(values)) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type || !llvm::is_contained(plan.argDimIds[i], int32_t(k))) {
      sliced.push_back(value);
      continue;
    }
    SmallVector<OpFoldResult> offsets, sizes,
        strides(type.getRank(), rewriter.getIndexAttr(1));
    for (unsigned d = 0; d < type.getRank(); ++d) {
      bool inClass = plan.argDimIds[i][d] == int32_t(k);
      offsets.push_back(inClass ? OpFoldResult(offset)
                                : rewriter.getIndexAttr(0));
      sizes.push_back(inClass ? OpFoldResult(size)
                              : tensor::getMixedSize(rewriter, loc, value, d));
    }
    sliced.push_back(tensor::ExtractSliceOp::create(rewriter, loc, type, value,
                                                    offsets, sizes, strides));
  }
  return sliced;
}

void DispatchBuilder::truncate() {
  // Truncated dimensions are cropped to the largest bucket first, and so is
  // every argument along them.
  for (unsigned k = 0; k < plan.getNumDims(); ++k) {
    if (plan.policies[k] != OutOfRangePolicy::Truncate)
      continue;
    dims[k] =
        arith::MinUIOp::create(rewriter, loc, dims[k], index(plan.maxSizes[k]));
    args = sliceArgs(args, k, index(0), dims[k]);
  }
}

Value DispatchBuilder::select() {
  // The first row that fits, or rows.size() when none does.
  Value selected = index(plan.rows.size());
  for (int64_t i = plan.rows.size() - 1; i >= 0; --i) {
    Value fits;
    for (unsigned k = 0; k < plan.getNumDims(); ++k) {
      Value le = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ule,
                                       dims[k], index(plan.rows[i][k]));
      fits = fits ? arith::AndIOp::create(rewriter, loc, fits, le).getResult()
                  : le;
    }
    if (!fits)
      fits = i1(true);
    selected = arith::SelectOp::create(rewriter, loc, fits, index(i), selected);
  }
  return selected;
}

void DispatchBuilder::computeCropSizes() {
  // Inline the original's shape computation on the (truncated) arguments.
  func::FuncOp shapeFn = plan.shapeFn;
  IRMapping mapping;
  for (auto [shapeArg, arg] : llvm::zip(shapeFn.getArguments(), args))
    mapping.map(shapeArg, arg);
  for (Operation &op : shapeFn.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands())
        cropSizes.push_back(mapping.lookupOrDefault(v));
      break;
    }
    rewriter.clone(op, mapping);
  }
}

SmallVector<Value> DispatchBuilder::pad(ValueRange args, func::FuncOp callee) {
  SmallVector<Value> operands;
  // A bucket that reads sizes as values takes them after the arguments
  // (runBucket adds them): pad the arguments only.
  for (auto [i, arg, staticType] : llvm::enumerate(
           args, callee.getArgumentTypes().take_front(args.size()))) {
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

SmallVector<Value> DispatchBuilder::crop(ValueRange callResults) {
  SmallVector<Value> results;
  unsigned nextCrop = 0;
  for (auto [result, type] : llvm::zip(callResults, func.getResultTypes())) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    // The crop sizes are listed per dynamic dimension of every result, so a
    // result that needs no crop still consumes its entries.
    unsigned cropIndex = nextCrop;
    if (tensorType)
      nextCrop += tensorType.getNumDynamicDims();
    // Crop every result with a dynamic dimension, whatever type the callee
    // returns: its extent there is the bucket's.
    if (!tensorType || tensorType.hasStaticShape() ||
        result.getType() == tensorType) {
      results.push_back(result);
      continue;
    }
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

SmallVector<Value> DispatchBuilder::runBucket(unsigned i) {
  SmallVector<Value> operands = pad(args, specializations[i]);
  // A bucket that reads sizes as values takes the real ones after the
  // arguments, one per symbolic dimension (see specializeFunction).
  func::FuncOp callee = specializations[i];
  if (callee.getNumArguments() > args.size())
    llvm::append_range(operands, dims);
  auto call = func::CallOp::create(rewriter, loc, specializations[i], operands);
  return crop(call.getResults());
}

/// |a - e| in f64 for one pair of elements, 0 where they count as equal
/// (equal, both NaN, or within tolerance * (1 + |e|): buckets and the
/// fallback may round differently, with FMA or another vector order), +inf
/// where exactly one is NaN; for integers 1 where they differ.
static Value elementDifference(OpBuilder &b, Location l, Value a, Value e,
                               double tolerance) {
  Type f64 = b.getF64Type();
  auto f64Const = [&](double v) -> Value {
    return arith::ConstantOp::create(b, l, b.getF64FloatAttr(v));
  };
  if (!isa<FloatType>(a.getType())) {
    Value ne = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, a, e);
    return arith::SelectOp::create(b, l, ne, f64Const(1.0), f64Const(0.0));
  }
  if (a.getType() != f64) {
    a = arith::ExtFOp::create(b, l, f64, a);
    e = arith::ExtFOp::create(b, l, f64, e);
  }
  Value same = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, a, e);
  Value bothNaN = arith::AndIOp::create(
      b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, a, a),
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, e, e));
  Value abs = math::AbsFOp::create(b, l, arith::SubFOp::create(b, l, a, e));
  Value isNaN =
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, abs, abs);
  abs = arith::SelectOp::create(
      b, l, isNaN, f64Const(std::numeric_limits<double>::infinity()), abs);
  Value bound = arith::MulFOp::create(
      b, l, f64Const(tolerance),
      arith::AddFOp::create(b, l, f64Const(1.0),
                            math::AbsFOp::create(b, l, e)));
  Value close =
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, abs, bound);
  Value equal = arith::OrIOp::create(
      b, l, arith::OrIOp::create(b, l, same, bothNaN), close);
  return arith::SelectOp::create(b, l, equal, f64Const(0.0), abs);
}

Value DispatchBuilder::maxDifference(Value result, Value reference) {
  MLIRContext *ctx = rewriter.getContext();
  Type f64 = rewriter.getF64Type();
  auto type = cast<RankedTensorType>(result.getType());
  Value zero =
      arith::ConstantOp::create(rewriter, loc, rewriter.getF64FloatAttr(0.0));
  Value init = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{}, f64);
  init = linalg::FillOp::create(rewriter, loc, zero, init).getResult(0);
  unsigned rank = type.getRank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap scalar = AffineMap::get(rank, 0, {}, ctx);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::reduction);
  double tolerance = *plan.selfCheckTolerance;
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{init.getType()}, ValueRange{result, reference},
      ValueRange{init}, ArrayRef<AffineMap>{id, id, scalar}, iterators,
      [&](OpBuilder &b, Location l, ValueRange blockArgs) {
        Value diff =
            elementDifference(b, l, blockArgs[0], blockArgs[1], tolerance);
        Value max = arith::MaximumFOp::create(b, l, blockArgs[2], diff);
        linalg::YieldOp::create(b, l, max);
      });
  return tensor::ExtractOp::create(rewriter, loc, generic.getResult(0),
                                   ValueRange{});
}

void DispatchBuilder::selfCheck(ValueRange results, ValueRange expected,
                                int64_t bucket, int64_t other) {
  for (auto [r, pair] : llvm::enumerate(llvm::zip(results, expected))) {
    auto [result, reference] = pair;
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type || !isa<FloatType, IntegerType>(type.getElementType()))
      continue;
    Value maxDiff = maxDifference(result, reference);
    Value zero =
        arith::ConstantOp::create(rewriter, loc, rewriter.getF64FloatAttr(0.0));
    Value differs = arith::CmpFOp::create(
        rewriter, loc, arith::CmpFPredicate::OGT, maxDiff, zero);
    auto ifOp = scf::IfOp::create(rewriter, loc, differs, /*withElse=*/false);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(&ifOp.getThenRegion().front());
    func::CallOp::create(rewriter, loc, selfCheckHook,
                         ValueRange{i64(bucket), i64(other), i64(r), maxDiff});
  }
}

scf::IndexSwitchOp DispatchBuilder::emitBucketCases(Value selected) {
  unsigned numRows = plan.rows.size();
  SmallVector<int64_t> caseValues =
      llvm::to_vector(llvm::seq<int64_t>(0, numRows));
  auto switchOp = scf::IndexSwitchOp::create(
      rewriter, loc, func.getResultTypes(), selected, caseValues, numRows);
  for (unsigned i = 0; i < numRows; ++i) {
    rewriter.setInsertionPointToStart(
        rewriter.createBlock(&switchOp.getCaseRegions()[i]));
    SmallVector<Value> results = runBucket(i);
    if (plan.selfCheckTolerance) {
      // The next bucket in dispatch order that contains this one, else the
      // generic version.
      std::optional<unsigned> other;
      for (unsigned j = i + 1; j < numRows && !other; ++j)
        if (llvm::all_of(llvm::seq(0u, plan.getNumDims()), [&](unsigned k) {
              return plan.rows[j][k] >= plan.rows[i][k];
            }))
          other = j;
      SmallVector<Value> expected =
          other ? runBucket(*other)
                : SmallVector<Value>(
                      func::CallOp::create(rewriter, loc, plan.fallback, args)
                          .getResults());
      selfCheck(results, expected, i, other ? int64_t(*other) : -1);
    }
    scf::YieldOp::create(rewriter, loc, results);
  }
  return switchOp;
}

void DispatchBuilder::emitOutOfRange(Region &region) {
  // No bucket fits. Action 0 reports and returns empty results, 1 calls the
  // fallback, 2 splits; only the actions the policies allow get a case.
  rewriter.setInsertionPointToStart(rewriter.createBlock(&region));
  SmallVector<Value> beyond;
  for (unsigned k = 0; k < plan.getNumDims(); ++k)
    beyond.push_back(arith::CmpIOp::create(rewriter, loc,
                                           arith::CmpIPredicate::ugt, dims[k],
                                           index(plan.maxSizes[k])));
  auto anyOf = [&](function_ref<bool(unsigned)> pred) -> Value {
    Value any = i1(false);
    for (unsigned k = 0; k < plan.getNumDims(); ++k)
      if (pred(k))
        any = arith::OrIOp::create(rewriter, loc, any, beyond[k]);
    return any;
  };
  Value action = index(0);
  SmallVector<int64_t> actions;
  bool hasFallback =
      plan.fallback &&
      llvm::is_contained(plan.policies, OutOfRangePolicy::Fallback);
  if (hasFallback) {
    // Every dimension beyond the range allows the fallback.
    Value blocked = anyOf([&](unsigned k) {
      return plan.policies[k] == OutOfRangePolicy::Error;
    });
    Value allowed = arith::XOrIOp::create(rewriter, loc, blocked, i1(true));
    action = arith::SelectOp::create(rewriter, loc, allowed, index(1), action);
    actions.push_back(1);
  }
  if (plan.splitDim) {
    unsigned split = *plan.splitDim;
    Value others = anyOf([&](unsigned k) { return k != split; });
    Value onlySplit = arith::AndIOp::create(
        rewriter, loc, beyond[split],
        arith::XOrIOp::create(rewriter, loc, others, i1(true)));
    // Every chunk must fit a bucket: one as large as the largest along the
    // split dimension that also fits the other dimensions (it then fits the
    // last, smaller chunk too). With explicit tuples it may not exist.
    Value chunkFits = i1(false);
    for (ArrayRef<int64_t> row : plan.rows) {
      if (row[split] != plan.maxSizes[split])
        continue;
      Value fits = i1(true);
      for (unsigned k = 0; k < plan.getNumDims(); ++k)
        if (k != split)
          fits = arith::AndIOp::create(
              rewriter, loc, fits,
              arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ule,
                                    dims[k], index(row[k])));
      chunkFits = arith::OrIOp::create(rewriter, loc, chunkFits, fits);
    }
    onlySplit = arith::AndIOp::create(rewriter, loc, onlySplit, chunkFits);
    action =
        arith::SelectOp::create(rewriter, loc, onlySplit, index(2), action);
    actions.push_back(2);
  }
  auto actionSwitch = scf::IndexSwitchOp::create(
      rewriter, loc, func.getResultTypes(), action, actions, actions.size());
  unsigned nextCase = 0;
  if (hasFallback) {
    rewriter.setInsertionPointToStart(
        rewriter.createBlock(&actionSwitch.getCaseRegions()[nextCase++]));
    auto call = func::CallOp::create(rewriter, loc, plan.fallback, args);
    scf::YieldOp::create(rewriter, loc, call.getResults());
  }
  if (plan.splitDim) {
    rewriter.setInsertionPointToStart(
        rewriter.createBlock(&actionSwitch.getCaseRegions()[nextCase++]));
    scf::YieldOp::create(rewriter, loc, emitSplit());
  }
  rewriter.setInsertionPointToStart(
      rewriter.createBlock(&actionSwitch.getDefaultRegion()));
  scf::YieldOp::create(rewriter, loc, emitError());
  rewriter.setInsertionPointAfter(actionSwitch);
  scf::YieldOp::create(rewriter, loc, actionSwitch.getResults());
}

SmallVector<Value> DispatchBuilder::emitSplit() {
  // Chunks of the largest bucket, each dispatched again and inserted into
  // the results along the split dimension.
  unsigned k = *plan.splitDim;
  SmallVector<Value> inits;
  unsigned nextCrop = 0;
  for (Type type : func.getResultTypes()) {
    auto tensorType = cast<RankedTensorType>(type);
    SmallVector<Value> dynSizes(cropSizes.begin() + nextCrop,
                                cropSizes.begin() + nextCrop +
                                    tensorType.getNumDynamicDims());
    nextCrop += tensorType.getNumDynamicDims();
    inits.push_back(
        tensor::EmptyOp::create(rewriter, loc, tensorType.getShape(),
                                tensorType.getElementType(), dynSizes));
  }
  Value chunk = index(plan.maxSizes[k]);
  auto forOp = scf::ForOp::create(
      rewriter, loc, index(0), dims[k], chunk, inits,
      [&](OpBuilder &, Location, Value offset, ValueRange acc) {
        Value left = arith::SubIOp::create(rewriter, loc, dims[k], offset);
        Value size = arith::MinUIOp::create(rewriter, loc, left, chunk);
        SmallVector<Value> pieces = sliceArgs(args, k, offset, size);
        auto call = func::CallOp::create(rewriter, loc, func, pieces);
        SmallVector<Value> next;
        for (auto [r, piece, into] : llvm::enumerate(call.getResults(), acc)) {
          auto type = cast<RankedTensorType>(piece.getType());
          SmallVector<OpFoldResult> offsets, sizes,
              strides(type.getRank(), rewriter.getIndexAttr(1));
          for (unsigned d = 0; d < type.getRank(); ++d) {
            bool along = llvm::is_contained(plan.splitResultDims,
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
  return forOp.getResults();
}

SmallVector<Value> DispatchBuilder::emitError() {
  // Report the first dimension beyond every bucket (-1 when only the
  // combination does not fit) and return empty results. A split dimension
  // is never the cause by itself: when it is beyond, the other dimensions
  // are, or no bucket takes a chunk of it with them.
  Type i64Type = rewriter.getI64Type();
  Value badDim = i64(-1), badValue = i64(0), badMax = i64(0);
  for (int64_t k = plan.getNumDims() - 1; k >= 0; --k) {
    if (plan.splitDim == unsigned(k))
      continue;
    Value beyond =
        arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ugt, dims[k],
                              index(plan.maxSizes[k]));
    Value value = arith::IndexCastOp::create(rewriter, loc, i64Type, dims[k]);
    badDim = arith::SelectOp::create(rewriter, loc, beyond, i64(k), badDim);
    badValue = arith::SelectOp::create(rewriter, loc, beyond, value, badValue);
    badMax = arith::SelectOp::create(rewriter, loc, beyond,
                                     i64(plan.maxSizes[k]), badMax);
  }
  func::CallOp::create(rewriter, loc, outOfRangeHook,
                       ValueRange{badDim, badValue, badMax});
  // Dynamic dimensions are 0, but for those of a constant size (a dynamic
  // type whose size is known anyway), which keep it; scalars are 0.
  SmallVector<Value> empties;
  unsigned nextDim = 0;
  for (Type type : func.getResultTypes()) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType) {
      empties.push_back(arith::ConstantOp::create(
          rewriter, loc, cast<TypedAttr>(rewriter.getZeroAttr(type))));
      continue;
    }
    SmallVector<Value> dynSizes;
    for (unsigned d = 0; d < tensorType.getNumDynamicDims(); ++d, ++nextDim)
      dynSizes.push_back(plan.constantResultDims[nextDim] ? cropSizes[nextDim]
                                                          : index(0));
    empties.push_back(
        tensor::EmptyOp::create(rewriter, loc, tensorType.getShape(),
                                tensorType.getElementType(), dynSizes));
  }
  // A state is returned as it came: a shape out of range leaves it intact
  // and keeps it in place (an empty tensor would be a new buffer).
  for (StateArgument state : getStateArguments(func))
    empties[state.result] = func.getArgument(state.argument);
  return empties;
}

void DispatchBuilder::build() {
  declareHooks();
  resetBody();
  readDims();
  truncate();
  Value selected = select();
  computeCropSizes();
  scf::IndexSwitchOp switchOp = emitBucketCases(selected);
  emitOutOfRange(switchOp.getDefaultRegion());
  rewriter.setInsertionPointAfter(switchOp);
  func::ReturnOp::create(rewriter, loc, switchOp.getResults());
  func->setAttr(kDispatcherAttrName, rewriter.getUnitAttr());
}

LogicalResult
mlir::bucket::generateDispatch(RewriterBase &rewriter, func::FuncOp func,
                               ArrayRef<func::FuncOp> specializations) {
  FailureOr<DispatchPlan> plan = planDispatch(func, specializations);
  if (failed(plan))
    return failure();
  DispatchBuilder(rewriter, func, specializations, *plan).build();
  return success();
}
