//===- PaddingAnalysis.cpp - Proving that padding cannot change results ---===//
//
// The driver of the padding analysis: it reads the declarations, refuses
// sizes of padded dimensions used as values, searches for pad values that
// the analysis of one run (PaddingAnalyzer.h) accepts, and turns its
// failure into a diagnostic.
//
//===----------------------------------------------------------------------===//

#include "bucket/Analysis/PaddingAnalysis.h"
#include "bucket/Analysis/PaddingAnalyzer.h"
#include "bucket/Analysis/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/Error.h"

#define DEBUG_TYPE "bucket-padding"

/// Masks beyond this many in one function are not searched for: each costs a
/// pass over a tensor, and so many suggest a model the analysis misreads.
static constexpr size_t kMaxMasks = 64;

using namespace mlir;
using namespace mlir::bucket;
using namespace mlir::bucket::padding;

//===----------------------------------------------------------------------===//
// Pad value spelling
//===----------------------------------------------------------------------===//

FailureOr<TypedAttr> mlir::bucket::parsePadValue(StringRef text,
                                                 Type elementType,
                                                 std::string &error) {
  text = text.trim();
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    const llvm::fltSemantics &sem = floatType.getFloatSemantics();
    APFloat value(sem);
    if (text == "-inf" || text == "inf" || text == "+inf") {
      value = APFloat::getInf(sem, text.starts_with("-"));
    } else if (text == "min" || text == "max") {
      value = APFloat::getLargest(sem, text == "min");
    } else {
      auto parsed = value.convertFromString(text, APFloat::rmNearestTiesToEven);
      if (!parsed)
        llvm::consumeError(parsed.takeError());
      if (!parsed || text.empty()) {
        error = ("'" + text + "' is not a number, -inf, inf, min or max").str();
        return failure();
      }
    }
    return TypedAttr(FloatAttr::get(floatType, value));
  }
  if (auto intType = dyn_cast<IntegerType>(elementType)) {
    unsigned width = intType.getWidth();
    APInt value(width, 0);
    if (text == "min")
      value = intType.isUnsigned() ? APInt::getMinValue(width)
                                   : APInt::getSignedMinValue(width);
    else if (text == "max")
      value = intType.isUnsigned() ? APInt::getMaxValue(width)
                                   : APInt::getSignedMaxValue(width);
    else if (width == 1 && (text == "true" || text == "false"))
      value = APInt(1, text == "true");
    else {
      int64_t v;
      if (text.getAsInteger(10, v)) {
        error = ("'" + text + "' is not an integer, min or max").str();
        return failure();
      }
      value = APInt(width, v, /*isSigned=*/true, /*implicitTrunc=*/true);
    }
    return TypedAttr(IntegerAttr::get(intType, value));
  }
  if (isa<IndexType>(elementType)) {
    int64_t v;
    if (text.getAsInteger(10, v)) {
      error = ("'" + text + "' is not an integer").str();
      return failure();
    }
    return TypedAttr(IntegerAttr::get(elementType, v));
  }
  error = "only integer and floating-point tensors can be padded";
  return failure();
}

namespace {

//===----------------------------------------------------------------------===//
// Arguments and declarations
//===----------------------------------------------------------------------===//

/// What the driver knows about the arguments of the function.
struct Arguments {
  /// Per argument: its first padded dimension and that dimension's symbolic
  /// dimension (for messages); nullopt for an argument that is not padded.
  SmallVector<std::optional<std::pair<unsigned, unsigned>>> firstPaddedDim;
  /// Per argument: the value to pad it with, zero unless declared; null for
  /// an argument that is not padded.
  SmallVector<TypedAttr> padValues;
  /// Per argument: whether it is declared a mask.
  SmallVector<bool> masks;
  /// Per argument: whether it declares a pad value.
  SmallVector<bool> declared;

  unsigned size() const { return firstPaddedDim.size(); }
  /// Whether the padding of argument `i` is among `args` (bit i).
  static bool contains(uint64_t args, unsigned i) {
    return (args >> (i % 64)) & 1;
  }
};

/// The padded arguments of `func`, with nothing declared yet.
Arguments findPaddedArguments(func::FuncOp func,
                              const DimensionAnalysis &dims) {
  unsigned numArgs = func.getNumArguments();
  Arguments args;
  args.firstPaddedDim.resize(numArgs);
  args.padValues.resize(numArgs);
  args.masks.resize(numArgs, false);
  args.declared.resize(numArgs, false);
  for (unsigned i = 0; i < numArgs; ++i) {
    auto type = dyn_cast<RankedTensorType>(func.getArgumentTypes()[i]);
    if (!type)
      continue;
    for (unsigned d = 0; d < type.getRank() && !args.firstPaddedDim[i]; ++d)
      if (std::optional<unsigned> cls = dims.getDimId({i, d}))
        args.firstPaddedDim[i] = std::make_pair(d, *cls);
  }
  return args;
}

/// Reads the bucket.pad_value and bucket.mask declarations of argument `i`
/// into `args`, zero being the pad value of an undeclared padded argument.
/// Emits an error at the argument and fails for a declaration that cannot
/// be honoured.
LogicalResult readDeclaration(func::FuncOp func, unsigned i, Arguments &args) {
  Location loc = func.getArgument(i).getLoc();
  bool isMask = func.getArgAttr(i, kMaskAttrName) != nullptr;
  Attribute decl = func.getArgAttr(i, kPadValueAttrName);
  if (!args.firstPaddedDim[i]) {
    if (!isMask && !decl)
      return success();
    return emitError(loc) << "argument " << i << " of '" << func.getName()
                          << "' declares "
                          << (isMask ? "a mask" : "a pad value")
                          << " but has no bucketed dimension, so it is "
                             "never padded";
  }
  Type elementType =
      cast<RankedTensorType>(func.getArgumentTypes()[i]).getElementType();
  args.padValues[i] = Builder(func).getZeroAttr(elementType);
  args.masks[i] = isMask;
  if (!decl)
    return success();
  args.declared[i] = true;
  if (auto typed = dyn_cast<TypedAttr>(decl); typed && !isa<StringAttr>(decl)) {
    if (typed.getType() != elementType)
      return emitError(loc)
             << "the pad value " << decl << " of argument " << i
             << " does not have the element type " << elementType;
    args.padValues[i] = typed;
    return success();
  }
  auto text = dyn_cast<StringAttr>(decl);
  std::string error;
  FailureOr<TypedAttr> parsed =
      text ? parsePadValue(text.getValue(), elementType, error)
           : FailureOr<TypedAttr>(failure());
  if (failed(parsed))
    return emitError(loc) << "invalid pad value for argument " << i << ": "
                          << (text ? error
                                   : "expected a string or a typed constant");
  args.padValues[i] = *parsed;
  return success();
}

/// Reads the declarations of every argument, reporting every invalid one
/// before failing.
LogicalResult readDeclarations(func::FuncOp func, Arguments &args) {
  bool ok = true;
  for (unsigned i = 0; i < args.size(); ++i)
    ok &= succeeded(readDeclaration(func, i, args));
  return success(ok);
}

//===----------------------------------------------------------------------===//
// Sizes used as values
//===----------------------------------------------------------------------===//

/// Whether `use` is a size operand of an op that builds a tensor.
bool isUsedAsSize(OpOperand &use) {
  Value v = use.get();
  unsigned n = use.getOperandNumber();
  return TypeSwitch<Operation *, bool>(use.getOwner())
      .Case<tensor::EmptyOp, tensor::GenerateOp>([](auto) { return true; })
      .Case<tensor::SplatOp>([&](tensor::SplatOp) { return n > 0; })
      .Case<tensor::ExtractSliceOp, tensor::InsertSliceOp>([&](auto s) {
        return llvm::is_contained(s.getSizes(), v) &&
               !llvm::is_contained(s.getOffsets(), v) &&
               !llvm::is_contained(s.getStrides(), v);
      })
      .Case<tensor::ExpandShapeOp>(
          [&](tensor::ExpandShapeOp e) { return e.getSrc() != v; })
      .Default([](Operation *) { return false; });
}

/// Whether the real size at `use` computes what the original computes.
bool isRepairableSink(OpOperand &use) {
  Operation *user = use.getOwner();
  if (isa<func::ReturnOp>(user))
    return true;
  // An index of an element (the last position; a reversed read in a body,
  // clamped in the buckets).
  if (auto extract = dyn_cast<tensor::ExtractOp>(user))
    return use.get() != extract.getTensor();
  // An offset of a slice outside linalg bodies (the last row: seq - 1), or
  // of an insertion (a state's next entry, at the real length).
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(user))
    return insert->getParentOfType<linalg::LinalgOp>() == nullptr &&
           llvm::is_contained(insert.getOffsets(), use.get()) &&
           !llvm::is_contained(insert.getSizes(), use.get()) &&
           !llvm::is_contained(insert.getStrides(), use.get());
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(user))
    return slice->getParentOfType<linalg::LinalgOp>() == nullptr &&
           llvm::is_contained(slice.getOffsets(), use.get()) &&
           !llvm::is_contained(slice.getSizes(), use.get()) &&
           !llvm::is_contained(slice.getStrides(), use.get());
  // The upper bound of a loop: at the real size it runs the original's
  // iterations (its body's reads are checked by Analyzer::visitLoop).
  if (auto loop = dyn_cast<scf::ForOp>(user))
    return use.get() == loop.getUpperBound() &&
           use.get() != loop.getLowerBound() && use.get() != loop.getStep() &&
           !llvm::is_contained(loop.getInitArgs(), use.get());
  // In a linalg body: at real iterations the real size computes the
  // original's value; an index it reaches there is clamped to the bucket's
  // bounds for the padded iterations (useRealSizes).
  return user->getParentOfType<linalg::LinalgOp>() != nullptr;
}

SizeValueUses collectSizeValueUses(tensor::DimOp dimOp) {
  SizeValueUses result;
  SmallVector<Value> worklist{dimOp.getResult()};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (!result.path.insert(v))
      continue;
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isUsedAsSize(use))
        continue;
      // Index arithmetic on sizes computes more sizes.
      if (isa<affine::AffineApplyOp, affine::AffineMinOp, affine::AffineMaxOp,
              arith::AddIOp, arith::SubIOp, arith::MulIOp, arith::DivUIOp,
              arith::DivSIOp, arith::CeilDivSIOp, arith::CeilDivUIOp,
              arith::FloorDivSIOp, arith::MaxSIOp, arith::MinSIOp,
              arith::MaxUIOp, arith::MinUIOp>(user) &&
          user->getResult(0).getType().isIndex()) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      // Conversions and arithmetic on the size make data of it: follow
      // them to the op that consumes the data, which is what a user wrote
      // (the division of a mean, the extraction at a computed index).
      if (isa_and_present<arith::ArithDialect, math::MathDialect>(
              user->getDialect()) &&
          user->getNumResults() == 1 &&
          user->getParentOp() == dimOp->getParentOp()) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      result.sinks.push_back(&use);
      if (!result.notRepairable && !isRepairableSink(use))
        result.notRepairable = user;
    }
  }
  return result;
}

/// The op in `func`'s body that contains `op`.
Operation *getTopLevelAncestor(func::FuncOp func, Operation *op) {
  while (op->getParentOp() != func)
    op = op->getParentOp();
  return op;
}

/// Reports that `user` uses the size that `dimOp` reads as a value, at the
/// op of `func`'s body that contains it.
void emitSizeUsedAsValue(func::FuncOp func, const DimensionAnalysis &dims,
                         tensor::DimOp dimOp, int64_t d, Operation *user) {
  Operation *top = getTopLevelAncestor(func, user);
  std::string where;
  if (auto arg = dyn_cast<BlockArgument>(dimOp.getSource()))
    if (std::optional<unsigned> cls =
            dims.getDimId({arg.getArgNumber(), unsigned(d)}))
      where = " '" + dims.getDims()[*cls].getName().str() + "' (argument " +
              std::to_string(arg.getArgNumber()) + ", dimension " +
              std::to_string(d) + ")";
  InFlightDiagnostic diag = top->emitError()
                            << "'" << top->getName()
                            << "' uses the size of padded dimension" << where
                            << " as a value";
  if (user != top)
    diag << " (in '" << user->getName() << "')";
  diag << ": the bucketed function would see the bucket's size, not the "
          "real one (a mean or variance over a padded axis, an index "
          "computed from the length); divide by the sum of a mask instead, "
          "pass the length as an argument, or do not bucket this dimension";
  diag.attachNote(dimOp.getLoc()) << "the size is read here";
}

/// Refuses the first use of the size of a dynamic dimension as a value; with
/// `repairSizes`, only those the real size does not repair (and those of
/// dimensions of intermediate tensors), and records the classes whose real
/// size the buckets need.
LogicalResult checkSizesUsedAsValues(func::FuncOp func,
                                     const DimensionAnalysis &dims,
                                     bool repairSizes,
                                     SmallVectorImpl<bool> &realSizes,
                                     SmallVectorImpl<tensor::DimOp> &pending) {
  WalkResult result = func.walk([&](tensor::DimOp dimOp) {
    // Sizes of intermediate tensors resolve to the arguments' through the
    // dimension analysis; look at every dim of a dynamic dimension.
    std::optional<int64_t> d = dimOp.getConstantIndex();
    auto type = dyn_cast<RankedTensorType>(dimOp.getSource().getType());
    if (!type || !d || !type.isDynamicDim(*d))
      return WalkResult::advance();
    SizeValueUses uses = collectSizeValueUses(dimOp);
    if (uses.sinks.empty())
      return WalkResult::advance();
    auto arg = dyn_cast<BlockArgument>(dimOp.getSource());
    std::optional<unsigned> cls;
    if (arg && arg.getOwner()->getParentOp() == func)
      cls = dims.getDimId({arg.getArgNumber(), unsigned(*d)});
    if (repairSizes && cls && !uses.notRepairable) {
      realSizes[*cls] = true;
      return WalkResult::advance();
    }
    // A tensor of the function's body: its padding, and so the real extent
    // of the dimension, is known once the analysis has run.
    Operation *def = dimOp.getSource().getDefiningOp();
    if (repairSizes && !arg && def && def->getParentOp() == func &&
        !uses.notRepairable) {
      pending.push_back(dimOp);
      return WalkResult::advance();
    }
    Operation *user = uses.notRepairable ? uses.notRepairable
                                         : uses.sinks.front()->getOwner();
    emitSizeUsedAsValue(func, dims, dimOp, *d, user);
    return WalkResult::interrupt();
  });
  return failure(result.wasInterrupted());
}

//===----------------------------------------------------------------------===//
// Choosing pad values
//===----------------------------------------------------------------------===//

/// Chooses pad values: starting from zero (or the declarations), when a run
/// of the analysis fails because of an undeclared argument's padding, tries
/// the neutral elements of the common combiners for it, keeping a choice
/// that makes the failure go away or move on. Each argument's pad value is
/// chosen at most once, which bounds the rounds by the number of arguments
/// plus one.
class PadValueSearch {
public:
  PadValueSearch(func::FuncOp func, const DimensionAnalysis &dims,
                 Arguments &args, bool realSizes,
                 ArrayRef<PaddingMask> repairs = {})
      : func(func), dims(dims), args(args), fixed(args.size()),
        realSizes(realSizes), repairs(repairs) {
    for (unsigned i = 0; i < args.size(); ++i)
      fixed[i] = args.declared[i] || args.masks[i];
  }

  /// Runs the search, updating the pad values of the arguments; the failure
  /// of the last run, if any.
  std::optional<Failure> run();

  /// The analysis of the last run.
  const Analyzer &getAnalyzer() const { return *analyzer; }

private:
  /// The first undeclared argument at fault whose pad value is not chosen
  /// yet.
  std::optional<unsigned> findTarget(const Failure &fault) const;
  /// Tries the neutral elements for argument `target`, keeping the first
  /// that makes `fault` go away or move to another op.
  void tryNeutralElements(unsigned target, const Failure &fault);

  func::FuncOp func;
  const DimensionAnalysis &dims;
  Arguments &args;
  /// Per argument: whether its pad value is declared or already chosen.
  SmallVector<bool> fixed;
  /// Whether the buckets read the real sizes (Analyzer).
  bool realSizes;
  /// The masks found so far, analysed as if inserted.
  ArrayRef<PaddingMask> repairs;
  std::optional<Analyzer> analyzer;
};

std::optional<Failure> PadValueSearch::run() {
  std::optional<Failure> fault;
  for (unsigned round = 0; round <= args.size(); ++round) {
    analyzer.emplace(func, dims, args.padValues, args.masks, realSizes,
                     repairs);
    fault = analyzer->run();
    LLVM_DEBUG({
      llvm::dbgs() << "padding @" << func.getName() << " round " << round
                   << ":";
      for (TypedAttr value : args.padValues)
        llvm::dbgs() << " " << (value ? value : Attribute());
      if (fault)
        llvm::dbgs() << "; fails at " << fault->op->getName() << ": "
                     << fault->message;
      llvm::dbgs() << "\n";
    });
    if (!fault)
      break;
    std::optional<unsigned> target = findTarget(*fault);
    if (!target)
      break;
    fixed[*target] = true;
    tryNeutralElements(*target, *fault);
  }
  return fault;
}

std::optional<unsigned> PadValueSearch::findTarget(const Failure &fault) const {
  for (unsigned i = 0; i < args.size(); ++i)
    if (Arguments::contains(fault.args, i) && !fixed[i] &&
        args.firstPaddedDim[i])
      return i;
  return std::nullopt;
}

void PadValueSearch::tryNeutralElements(unsigned target, const Failure &fault) {
  Type elementType = args.padValues[target].getType();
  SmallVector<StringRef> candidates = {"-inf", "1", "inf"};
  if (!isa<FloatType>(elementType))
    candidates = {"1", "min", "max"};
  for (StringRef candidate : candidates) {
    std::string error;
    FailureOr<TypedAttr> value = parsePadValue(candidate, elementType, error);
    if (failed(value))
      continue;
    SmallVector<TypedAttr> trial(args.padValues);
    trial[target] = *value;
    std::optional<Failure> trialFailure =
        Analyzer(func, dims, trial, args.masks, realSizes, repairs).run();
    // Progress: no failure, or one at another op.
    if (!trialFailure || trialFailure->op != fault.op) {
      args.padValues[target] = *value;
      return;
    }
  }
}

//===----------------------------------------------------------------------===//
// Repairs
//===----------------------------------------------------------------------===//

/// The dimensions of `pad` a mask can restore: every padded one, each padded
/// at the end of a whole class (a merged dimension is not).
std::optional<SmallVector<PaddingMask::Dim>>
getMaskableDims(const PadInfo &pad) {
  SmallVector<PaddingMask::Dim> result;
  for (auto [d, padDim] : llvm::enumerate(pad)) {
    if (!padDim)
      continue;
    if (padDim->scale != 1)
      return std::nullopt;
    result.push_back({unsigned(d), padDim->cls, padDim->offset});
  }
  return result;
}

/// Looks for masks that repair `fault` (see PaddingMask) with the masks of
/// `search` in effect; appends them to `masks` and returns success when one
/// makes the fault go away or move to another op.
class RepairSearch {
public:
  RepairSearch(func::FuncOp func, const DimensionAnalysis &dims,
               const Arguments &args, SmallVectorImpl<PaddingMask> &masks)
      : func(func), dims(dims), args(args), masks(masks) {}

  LogicalResult repair(const Failure &fault, const Analyzer &analyzer);

private:
  /// Keeps the accumulators of a generic at the padded iterations of the
  /// loop whose combiner receives padding.
  std::optional<PaddingMask> maskAccumulator(linalg::GenericOp op,
                                             const Failure &fault);
  /// Masks the padded operands of `op` (the inputs of a linalg op, the
  /// source of a tensor.pad) with one of `candidates`.
  LogicalResult maskOperands(Operation *op, ArrayRef<unsigned> operands,
                             ArrayRef<StringRef> candidates,
                             const Failure &fault, const Analyzer &analyzer);
  /// Whether the analysis with `trial` masks gets past `fault`.
  bool makesProgress(ArrayRef<PaddingMask> trial, const Failure &fault) const {
    std::optional<Failure> next =
        Analyzer(func, dims, args.padValues, args.masks, true, trial).run();
    return !next || next->op != fault.op || next->loop != fault.loop;
  }

  func::FuncOp func;
  const DimensionAnalysis &dims;
  const Arguments &args;
  SmallVectorImpl<PaddingMask> &masks;
};

std::optional<PaddingMask> RepairSearch::maskAccumulator(linalg::GenericOp op,
                                                         const Failure &fault) {
  unsigned loop = *fault.loop;
  // Every output must accumulate over the loop: an output it indexes would
  // keep its init at padded positions, which the analysis did not follow.
  for (OpOperand &init : op.getDpsInitsMutable())
    if (op.getMatchingIndexingMap(&init).isFunctionOfDim(loop))
      return std::nullopt;
  // Positions of a merged dimension are not compared with a real size.
  if (fault.loopPad->scale != 1)
    return std::nullopt;
  PaddingMask mask;
  mask.kind = PaddingMask::Kind::Accumulator;
  mask.op = op;
  mask.dims.push_back({loop, fault.loopPad->cls, fault.loopPad->offset});
  mask.reason = fault.message;
  return mask;
}

LogicalResult RepairSearch::maskOperands(Operation *op,
                                         ArrayRef<unsigned> operands,
                                         ArrayRef<StringRef> candidates,
                                         const Failure &fault,
                                         const Analyzer &analyzer) {
  SmallVector<PaddingMask> base;
  for (unsigned n : operands) {
    Value v = op->getOperand(n);
    const PadInfo *pad = analyzer.getPadding(v);
    if (!pad)
      continue;
    std::optional<SmallVector<PaddingMask::Dim>> maskDims =
        getMaskableDims(*pad);
    if (!maskDims)
      return failure();
    PaddingMask mask;
    mask.kind = PaddingMask::Kind::Operand;
    mask.op = op;
    mask.operandNumber = n;
    mask.dims = std::move(*maskDims);
    mask.reason = fault.message;
    base.push_back(std::move(mask));
  }
  if (base.empty())
    return failure();
  // One operand at a time first (a product needs only one zero), then all.
  SmallVector<SmallVector<PaddingMask>> choices;
  if (base.size() > 1)
    for (const PaddingMask &mask : base)
      choices.push_back({mask});
  choices.push_back(base);
  for (ArrayRef<PaddingMask> choice : choices) {
    Type elementType =
        getElementTypeOrSelf(op->getOperand(choice.front().operandNumber));
    for (StringRef candidate : candidates) {
      std::string error;
      FailureOr<TypedAttr> value = parsePadValue(candidate, elementType, error);
      if (failed(value))
        continue;
      SmallVector<PaddingMask> trial(masks.begin(), masks.end());
      for (PaddingMask mask : choice) {
        mask.value = *value;
        trial.push_back(std::move(mask));
      }
      if (!makesProgress(trial, fault))
        continue;
      masks.assign(trial.begin(), trial.end());
      return success();
    }
  }
  return failure();
}

LogicalResult RepairSearch::repair(const Failure &fault,
                                   const Analyzer &analyzer) {
  if (!fault.op || fault.op == func)
    return failure();
  // tensor.pad after a padded dimension: its source's padding must hold
  // the padding value.
  if (auto pad = dyn_cast<tensor::PadOp>(fault.op)) {
    Attribute c;
    Value padValue = pad.getConstantPaddingValue();
    if (!padValue || !matchPattern(padValue, m_Constant(&c)))
      return failure();
    std::string text;
    llvm::raw_string_ostream os(text);
    if (auto f = dyn_cast<FloatAttr>(c)) {
      SmallString<16> digits;
      f.getValue().toString(digits);
      os << digits;
    } else if (auto i = dyn_cast<IntegerAttr>(c)) {
      os << i.getValue().getSExtValue();
    } else {
      return failure();
    }
    return maskOperands(pad, {pad.getSourceMutable().getOperandNumber()},
                        {StringRef(text)}, fault, analyzer);
  }
  if (!fault.loop || !fault.loopPad)
    return failure();
  if (auto generic = dyn_cast<linalg::GenericOp>(fault.op)) {
    std::optional<PaddingMask> mask = maskAccumulator(generic, fault);
    if (!mask)
      return failure();
    // One select per op: a second padded loop (H and W of a pooling) joins
    // the op's mask.
    SmallVector<PaddingMask> trial(masks.begin(), masks.end());
    auto existing = llvm::find_if(trial, [&](const PaddingMask &m) {
      return m.op == fault.op && m.kind == PaddingMask::Kind::Accumulator;
    });
    if (existing != trial.end())
      existing->dims.append(mask->dims);
    else
      trial.push_back(*mask);
    if (!makesProgress(trial, fault))
      return failure();
    masks.assign(trial.begin(), trial.end());
    return success();
  }
  // A named linalg op: its inputs, with the neutral elements of the common
  // combiners.
  auto linalgOp = dyn_cast<linalg::LinalgOp>(fault.op);
  if (!linalgOp)
    return failure();
  SmallVector<unsigned> inputs;
  for (OpOperand *input : linalgOp.getDpsInputOperands())
    inputs.push_back(input->getOperandNumber());
  return maskOperands(fault.op, inputs, {"0", "-inf", "inf", "1", "min", "max"},
                      fault, analyzer);
}

/// Makes padding safe with masks where they help and pad values where they
/// do not; `last` is the analysis of the last run. The failure that neither
/// fixes, if any.
std::optional<Failure> repairWithMasks(func::FuncOp func,
                                       const DimensionAnalysis &dims,
                                       Arguments &args,
                                       SmallVectorImpl<PaddingMask> &masks,
                                       std::optional<Analyzer> &last) {
  RepairSearch repairs(func, dims, args, masks);
  // Each round adds a mask or moves the failure with a pad value; a model
  // that keeps moving it between two ops is refused.
  unsigned maxRounds = 2 * (kMaxMasks + args.size());
  for (unsigned round = 0; round < maxRounds; ++round) {
    last.emplace(func, dims, args.padValues, args.masks, true, masks);
    std::optional<Failure> fault = last->run();
    if (!fault)
      return std::nullopt;
    if (masks.size() < kMaxMasks && succeeded(repairs.repair(*fault, *last)))
      continue;
    PadValueSearch search(func, dims, args, true, masks);
    std::optional<Failure> next = search.run();
    // Solved (the next round confirms it) or moved: go on.
    if (next && next->op == fault->op && next->loop == fault->loop)
      return next;
  }
  last.emplace(func, dims, args.padValues, args.masks, true, masks);
  return last->run();
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

/// The argument to blame for `fault`: a declaration first, since that is what
/// the analysis contradicts, then any padded argument at fault.
std::optional<unsigned> findCulprit(const Failure &fault,
                                    const Arguments &args) {
  for (bool wantDeclared : {true, false})
    for (unsigned i = 0; i < args.size(); ++i)
      if (Arguments::contains(fault.args, i) && args.firstPaddedDim[i] &&
          (!wantDeclared || args.declared[i] || args.masks[i]))
        return i;
  return std::nullopt;
}

/// Emits `fault` at its op, naming the argument whose padding is at fault,
/// its dimension and pad value, and the remedies.
void emitPaddingFailure(func::FuncOp func, const DimensionAnalysis &dims,
                        const Arguments &args, const Failure &fault) {
  InFlightDiagnostic diag = fault.op->emitError();
  std::optional<unsigned> culprit = findCulprit(fault, args);
  auto describePadValue = [&](unsigned i) {
    return Abstract::constant(args.padValues[i], false, 0).describe();
  };
  if (culprit && args.declared[*culprit])
    diag << "the declared pad value " << describePadValue(*culprit)
         << " of argument " << *culprit << " is unsafe: ";
  else if (culprit && args.masks[*culprit])
    diag << "argument " << *culprit << " is declared a mask, but ";
  diag << fault.message;
  if (!culprit) {
    diag << "; compile without bucketing this dimension";
    return;
  }
  auto [d, cls] = *args.firstPaddedDim[*culprit];
  // Name the argument's dimension of the class at fault, not its first
  // padded one.
  if (fault.cls) {
    cls = *fault.cls;
    auto type = cast<RankedTensorType>(func.getArgumentTypes()[*culprit]);
    for (unsigned k = 0; k < type.getRank(); ++k)
      if (dims.getDimId({*culprit, k}) == cls) {
        d = k;
        break;
      }
  }
  diag << "; the padding comes from argument " << *culprit << " (dimension "
       << d << ", '" << dims.getDims()[cls].getName() << "', padded with "
       << describePadValue(*culprit) << ")";
  diag << "; remedies: give the argument a pad value ('" << kPadValueAttrName
       << "' or --pad-values), declare an argument that masks padded "
          "positions ('"
       << kMaskAttrName
       << "' or --masks), or compile without bucketing this dimension";
}

} // namespace

//===----------------------------------------------------------------------===//
// The driver
//===----------------------------------------------------------------------===//

FailureOr<PaddingResult>
mlir::bucket::analyzePadding(func::FuncOp func, const DimensionAnalysis &dims,
                             bool repairSizes) {
  if (failed(verifyConstantDimIndices(func)))
    return failure();
  Arguments args = findPaddedArguments(func, dims);
  SmallVector<bool> realSizes(dims.getDims().size(), false);
  SmallVector<tensor::DimOp> pendingSizes;
  if (failed(readDeclarations(func, args)) ||
      failed(checkSizesUsedAsValues(func, dims, repairSizes, realSizes,
                                    pendingSizes)))
    return failure();

  // Pad values alone first: when they make padding safe, they cost
  // nothing, and the function compiles as it did before repairs existed.
  SmallVector<TypedAttr> initialPadValues = args.padValues;
  PadValueSearch search(func, dims, args, llvm::is_contained(realSizes, true));
  std::optional<Failure> fault = search.run();
  const Analyzer *last = &search.getAnalyzer();
  SmallVector<PaddingMask> masks;
  std::optional<Analyzer> repaired;
  if (fault && repairSizes) {
    // Otherwise masks from the start: a pad value that moves a failure
    // elsewhere would only trade one mask for another.
    args.padValues = initialPadValues;
    fault = repairWithMasks(func, dims, args, masks, repaired);
    last = &*repaired;
  }
  if (fault) {
    emitPaddingFailure(func, dims, args, *fault);
    return failure();
  }
  for (const PaddingMask &mask : masks)
    for (const PaddingMask::Dim &d : mask.dims)
      realSizes[d.cls] = true;
  // The analysis says which dimensions of the intermediate tensors are
  // padded; an unpadded one has the same size in the buckets.
  SmallVector<PaddingResult::IntermediateSize> intermediateSizes;
  if (!pendingSizes.empty()) {
    DenseMap<Operation *, unsigned> dimOpIndex;
    func.walk([&](tensor::DimOp op) { dimOpIndex[op] = dimOpIndex.size(); });
    for (tensor::DimOp dimOp : pendingSizes) {
      const PadInfo *pad = last->getPadding(dimOp.getSource());
      const std::optional<PadDim> *padDim =
          pad ? &(*pad)[*dimOp.getConstantIndex()] : nullptr;
      if (!padDim || !*padDim)
        continue;
      intermediateSizes.push_back({dimOpIndex.lookup(dimOp), (*padDim)->cls,
                                   (*padDim)->scale, (*padDim)->offset});
      realSizes[(*padDim)->cls] = true;
    }
  }

  PaddingResult result;
  for (unsigned i = 0; i < args.size(); ++i)
    result.padValues.push_back(args.firstPaddedDim[i] ? args.padValues[i]
                                                      : TypedAttr());
  result.splitBlockers = last->splitBlockers;
  result.splitBlockerReasons = last->splitBlockerReasons;
  result.realSizes.assign(realSizes.begin(), realSizes.end());
  result.masks = std::move(masks);
  result.intermediateSizes = std::move(intermediateSizes);
  // A chunk of a split would see its own size, not the whole one.
  for (auto [k, real] : llvm::enumerate(realSizes))
    if (real && !result.splitBlockers[k]) {
      result.splitBlockers[k] = func;
      result.splitBlockerReasons[k] = "its size is used as a value";
    }
  LLVM_DEBUG({
    for (auto [k, blocker] : llvm::enumerate(result.splitBlockers))
      if (blocker)
        llvm::dbgs() << "padding @" << func.getName() << ": dimension " << k
                     << " not splittable: " << blocker->getName() << ": "
                     << result.splitBlockerReasons[k] << "\n";
  });
  return result;
}

SizeValueUses mlir::bucket::findSizeValueUses(tensor::DimOp dimOp) {
  return collectSizeValueUses(dimOp);
}
