//===- PaddingAnalysis.cpp - Proving that padding cannot change results ---===//

#include "bucket/Analysis/PaddingAnalysis.h"
#include "bucket/Analysis/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::bucket;

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
// The lattice
//===----------------------------------------------------------------------===//

/// What a scalar (or every element of a padded region) is known to be.
struct Abstract {
  enum Kind : uint8_t {
    /// Exactly `value`.
    Const,
    /// Some finite value the analysis does not know.
    Finite,
    /// A large negative constant derived from a declared mask's padding plus
    /// a finite value: the declaration says it acts as -inf.
    MaskedNegInf,
    /// The accumulator of the op being checked, unchanged.
    Acc,
    /// linalg.index of a loop in its padded range (>= the real extent) or in
    /// its real range, for the class `cls`.
    PadIndex,
    RealIndex,
    /// Anything, including inf and NaN.
    Unknown,
  };
  Kind kind = Unknown;
  TypedAttr value;
  /// For Const: derived from a declared mask's padding.
  bool fromMask = false;
  unsigned cls = 0;
  /// The arguments whose padding contributed (bit i: argument i).
  uint64_t args = 0;

  static Abstract get(Kind kind, uint64_t args = 0) {
    Abstract a;
    a.kind = kind;
    a.args = args;
    return a;
  }
  static Abstract constant(TypedAttr value, bool fromMask, uint64_t args) {
    Abstract a = get(Const, args);
    a.value = value;
    a.fromMask = fromMask;
    return a;
  }
  static Abstract index(Kind kind, unsigned cls) {
    Abstract a = get(kind);
    a.cls = cls;
    return a;
  }

  bool isConst() const { return kind == Const; }
  bool isFiniteConst() const {
    if (!isConst())
      return false;
    if (auto f = dyn_cast<FloatAttr>(value))
      return f.getValue().isFinite();
    return true;
  }
  /// Finite, a finite constant, or an index: a value that is not +-inf/NaN.
  bool isFiniteish() const {
    return kind == Finite || kind == PadIndex || kind == RealIndex ||
           isFiniteConst();
  }
  std::optional<APFloat> getFloat() const {
    if (auto f = dyn_cast_if_present<FloatAttr>(value))
      return f.getValue();
    return std::nullopt;
  }
  bool isFloatZero() const {
    std::optional<APFloat> f = getFloat();
    return isConst() && f && f->isZero();
  }

  bool operator==(const Abstract &other) const {
    return kind == other.kind && value == other.value && cls == other.cls &&
           fromMask == other.fromMask;
  }

  std::string describe() const {
    switch (kind) {
    case Const: {
      std::string s;
      llvm::raw_string_ostream os(s);
      if (auto f = dyn_cast<FloatAttr>(value)) {
        const APFloat &v = f.getValue();
        if (v.isInfinity())
          os << (v.isNegative() ? "-inf" : "inf");
        else if (v.isNaN())
          os << "nan";
        else
          os << llvm::format("%g", v.convertToDouble());
      } else if (auto i = dyn_cast<IntegerAttr>(value)) {
        os << i.getValue().getSExtValue();
      } else {
        os << value;
      }
      return s;
    }
    case Finite:
      return "values that depend on the padding";
    case MaskedNegInf:
      return "masked scores";
    case Acc:
      return "the accumulator";
    case PadIndex:
    case RealIndex:
      return "an index";
    case Unknown:
      return "values that may be anything (uninitialized, inf or NaN)";
    }
    llvm_unreachable("unknown kind");
  }
};

/// The least upper bound of two abstract values.
Abstract join(const Abstract &a, const Abstract &b) {
  uint64_t args = a.args | b.args;
  if (a == b) {
    Abstract r = a;
    r.args = args;
    return r;
  }
  if (a.kind == Abstract::Unknown || b.kind == Abstract::Unknown ||
      a.kind == Abstract::Acc || b.kind == Abstract::Acc)
    return Abstract::get(Abstract::Unknown, args);
  // A masked score and -inf both act as -inf.
  auto isNegInf = [](const Abstract &x) {
    std::optional<APFloat> f = x.getFloat();
    return x.isConst() && f && f->isInfinity() && f->isNegative();
  };
  if ((a.kind == Abstract::MaskedNegInf && isNegInf(b)) ||
      (b.kind == Abstract::MaskedNegInf && isNegInf(a)))
    return Abstract::get(Abstract::MaskedNegInf, args);
  if (a.isFiniteish() && b.isFiniteish())
    return Abstract::get(Abstract::Finite, args);
  if ((a.kind == Abstract::MaskedNegInf && b.isFiniteish()) ||
      (b.kind == Abstract::MaskedNegInf && a.isFiniteish()))
    return Abstract::get(Abstract::Finite, args);
  return Abstract::get(Abstract::Unknown, args);
}

/// The padded part of one tensor dimension: positions from `cls`'s real size
/// plus `offset` on, holding `content`.
struct PadDim {
  unsigned cls;
  int64_t offset;
  /// Every position where this dimension is padded.
  Abstract content;
  /// The positions where only this dimension is padded (every other padded
  /// dimension real): what a real result reads through a reduction over it.
  Abstract exclusive;
  /// The real extent is `scale` times the class's size (plus `offset`): a
  /// padded dimension merged with static inner ones (`?x3x4 -> ?x12`,
  /// PyTorch's `[seq, batch * heads, d]`) keeps its padding at the end, but
  /// its size is no longer the class's.
  int64_t scale = 1;
};

PadDim makePadDim(unsigned cls, int64_t offset, Abstract content,
                  int64_t scale = 1) {
  return PadDim{cls, offset, content, content, scale};
}

/// A size that depends on a padded dimension: `scale` times the size of class
/// `cls`, plus `offset`.
struct PaddedSize {
  unsigned cls;
  int64_t offset;
  int64_t scale = 1;
};
using PadInfo = SmallVector<std::optional<PadDim>>;

bool hasPadding(const PadInfo &info) {
  return llvm::any_of(info, [](const auto &d) { return d.has_value(); });
}

/// Why the analysis failed, before it is turned into a diagnostic.
struct Failure {
  Operation *op = nullptr;
  std::string message;
  /// The arguments whose padding is at fault (0 when no pad value helps).
  uint64_t args = 0;
  std::optional<unsigned> cls;
};

/// The neutral element `combiner` needs from padded iterations, as an
/// attribute of `type`; null when `combiner` is not a known combiner.
TypedAttr getNeutral(Operation *combiner, Type type) {
  auto floatType = dyn_cast<FloatType>(type);
  auto intType = dyn_cast<IntegerType>(type);
  auto f = [&](APFloat v) -> TypedAttr { return FloatAttr::get(floatType, v); };
  auto i = [&](APInt v) -> TypedAttr { return IntegerAttr::get(intType, v); };
  if (floatType) {
    const llvm::fltSemantics &sem = floatType.getFloatSemantics();
    return TypeSwitch<Operation *, TypedAttr>(combiner)
        .Case<arith::AddFOp, arith::SubFOp>(
            [&](auto) { return f(APFloat::getZero(sem)); })
        .Case<arith::MulFOp>([&](auto) { return f(APFloat::getOne(sem)); })
        .Case<arith::MaximumFOp, arith::MaxNumFOp>(
            [&](auto) { return f(APFloat::getInf(sem, /*Negative=*/true)); })
        .Case<arith::MinimumFOp, arith::MinNumFOp>(
            [&](auto) { return f(APFloat::getInf(sem)); })
        .Default([](Operation *) { return TypedAttr(); });
  }
  if (intType) {
    unsigned w = intType.getWidth();
    return TypeSwitch<Operation *, TypedAttr>(combiner)
        .Case<arith::AddIOp, arith::SubIOp, arith::OrIOp, arith::XOrIOp,
              arith::MaxUIOp>(
            [&](auto) { return i(APInt::getZero(w)); })
        .Case<arith::MulIOp>([&](auto) { return i(APInt(w, 1)); })
        .Case<arith::AndIOp, arith::MinUIOp>(
            [&](auto) { return i(APInt::getAllOnes(w)); })
        .Case<arith::MaxSIOp>(
            [&](auto) { return i(APInt::getSignedMinValue(w)); })
        .Case<arith::MinSIOp>(
            [&](auto) { return i(APInt::getSignedMaxValue(w)); })
        .Default([](Operation *) { return TypedAttr(); });
  }
  return {};
}

/// Constants at most this large negative, derived from a declared mask and
/// added to a finite score, act as -inf: exp(-1e4 + s) is 0 in f32 for any
/// score below about 9900.
constexpr double kMaskThreshold = -1.0e4;

/// A large negative constant derived from a declared mask.
bool isMaskConstant(const Abstract &a) {
  std::optional<APFloat> f = a.getFloat();
  return a.isConst() && a.fromMask && f && f->isFinite() &&
         f->convertToDouble() <= kMaskThreshold;
}

/// Whether `x` is the neutral element of `combiner` (both zeros count for a
/// sum, and a masked score counts as -inf for a max).
bool isNeutral(Operation *combiner, const Abstract &x) {
  if (x.kind == Abstract::MaskedNegInf || isMaskConstant(x))
    return isa<arith::MaximumFOp, arith::MaxNumFOp>(combiner);
  if (!x.isConst())
    return false;
  TypedAttr neutral = getNeutral(combiner, x.value.getType());
  if (!neutral)
    return false;
  if (auto f = dyn_cast<FloatAttr>(neutral)) {
    APFloat v = cast<FloatAttr>(x.value).getValue();
    if (f.getValue().isZero())
      return v.isZero();
    return v.bitwiseIsEqual(f.getValue());
  }
  return neutral == x.value;
}

//===----------------------------------------------------------------------===//
// Scalar transfer functions (bodies of linalg ops)
//===----------------------------------------------------------------------===//

Abstract transfer(Operation *op, ArrayRef<Abstract> in) {
  uint64_t args = 0;
  bool fromMask = false;
  for (const Abstract &a : in) {
    args |= a.args;
    fromMask |= a.isConst() && a.fromMask;
  }
  auto finite = Abstract::get(Abstract::Finite, args);
  auto unknown = Abstract::get(Abstract::Unknown, args);
  auto withArgs = [&](Abstract a) {
    a.args |= args;
    return a;
  };

  // Fold constants exactly.
  if (!in.empty() &&
      llvm::all_of(in, [](const Abstract &a) { return a.isConst(); }) &&
      op->getNumResults() == 1) {
    SmallVector<Attribute> attrs;
    for (const Abstract &a : in)
      attrs.push_back(a.value);
    SmallVector<OpFoldResult> folded;
    if (succeeded(op->fold(attrs, folded)) && folded.size() == 1) {
      if (auto attr =
              dyn_cast_if_present<TypedAttr>(dyn_cast<Attribute>(folded[0])))
        return Abstract::constant(attr, fromMask, args);
      // Folded to an operand (x - 0): what it is, derived from all of them.
      if (auto v = dyn_cast<Value>(folded[0]))
        for (auto [operand, a] : llvm::zip(op->getOperands(), in))
          if (operand == v)
            return Abstract::constant(a.value, fromMask, args);
    }
  }

  // Selection with a known condition, or between equal values.
  if (auto select = dyn_cast<arith::SelectOp>(op)) {
    const Abstract &cond = in[0];
    if (cond.isConst())
      return withArgs(cast<IntegerAttr>(cond.value).getValue().isOne() ? in[1]
                                                                       : in[2]);
    return withArgs(join(in[1], in[2]));
  }

  // Accumulation: the combiner with its neutral element keeps the
  // accumulator; anything else involving it is a failure the caller reports.
  for (unsigned k = 0; k < in.size() && in.size() == 2; ++k) {
    if (in[k].kind != Abstract::Acc)
      continue;
    // `acc - x` keeps the accumulator for x = 0; `x - acc` never does.
    bool subtracted = isa<arith::SubFOp, arith::SubIOp>(op) && k != 0;
    if (!subtracted && isNeutral(op, in[1 - k]))
      return in[k];
    return unknown;
  }

  // Comparisons of indices of the same class: padded positions come after
  // every real one.
  if (auto cmp = dyn_cast<arith::CmpIOp>(op)) {
    const Abstract &l = in[0], &r = in[1];
    bool sameClass = l.cls == r.cls;
    if (sameClass &&
        ((l.kind == Abstract::PadIndex && r.kind == Abstract::RealIndex) ||
         (l.kind == Abstract::RealIndex && r.kind == Abstract::PadIndex))) {
      bool lBigger = l.kind == Abstract::PadIndex;
      std::optional<bool> result;
      switch (cmp.getPredicate()) {
      case arith::CmpIPredicate::eq:
        result = false;
        break;
      case arith::CmpIPredicate::ne:
        result = true;
        break;
      case arith::CmpIPredicate::ult:
      case arith::CmpIPredicate::slt:
      case arith::CmpIPredicate::ule:
      case arith::CmpIPredicate::sle:
        result = !lBigger;
        break;
      case arith::CmpIPredicate::ugt:
      case arith::CmpIPredicate::sgt:
      case arith::CmpIPredicate::uge:
      case arith::CmpIPredicate::sge:
        result = lBigger;
        break;
      }
      Builder b(op->getContext());
      return Abstract::constant(b.getBoolAttr(*result), false, args);
    }
  }

  auto isNegInf = [](const Abstract &a) {
    std::optional<APFloat> f = a.getFloat();
    return a.isConst() && f && f->isInfinity() && f->isNegative();
  };
  auto isPosInf = [](const Abstract &a) {
    std::optional<APFloat> f = a.getFloat();
    return a.isConst() && f && f->isInfinity() && !f->isNegative();
  };
  auto isMaskConst = isMaskConstant;
  auto isPositiveConst = [](const Abstract &a) {
    std::optional<APFloat> f = a.getFloat();
    return a.isConst() && f && f->isFinite() && !f->isNegative() &&
           !f->isZero();
  };
  auto anyUnknown = llvm::any_of(in, [](const Abstract &a) {
    return a.kind == Abstract::Unknown || a.kind == Abstract::Acc;
  });

  if (isa<arith::AddFOp, arith::SubFOp>(op)) {
    bool sub = isa<arith::SubFOp>(op);
    const Abstract &l = in[0], &r = in[1];
    if (anyUnknown)
      return unknown;
    // -inf plus (or minus) something finite stays -inf.
    if (isNegInf(l) && r.isFiniteish())
      return withArgs(l);
    if (!sub && isNegInf(r) && l.isFiniteish())
      return withArgs(r);
    if (sub && isPosInf(r) && l.isFiniteish()) {
      Abstract a = l;
      a.kind = Abstract::Const;
      a.value = FloatAttr::get(
          r.value.getType(),
          APFloat::getInf(cast<FloatAttr>(r.value).getValue().getSemantics(),
                          true));
      return withArgs(a);
    }
    // A masked score: a large negative mask constant plus a finite score.
    if ((isMaskConst(l) || l.kind == Abstract::MaskedNegInf) && r.isFiniteish())
      return Abstract::get(Abstract::MaskedNegInf, args);
    if (!sub && (isMaskConst(r) || r.kind == Abstract::MaskedNegInf) &&
        l.isFiniteish())
      return Abstract::get(Abstract::MaskedNegInf, args);
    if (l.isFiniteish() && r.isFiniteish())
      return finite;
    return unknown;
  }
  if (isa<arith::MulFOp, arith::DivFOp>(op)) {
    bool div = isa<arith::DivFOp>(op);
    const Abstract &l = in[0], &r = in[1];
    if (anyUnknown)
      return unknown;
    // Zero times (or over) a finite value is zero: unknown values are
    // assumed finite and divisors non-zero.
    auto zeroTimes = [&](const Abstract &z, const Abstract &x) {
      return z.isFloatZero() &&
             (x.isFiniteish() || x.kind == Abstract::MaskedNegInf);
    };
    if (zeroTimes(l, r) || (!div && zeroTimes(r, l)))
      return Abstract::constant(l.isFloatZero() ? l.value : r.value,
                                l.isFloatZero() ? l.fromMask : r.fromMask,
                                args);
    // Scaling a masked score by a positive constant keeps it masked.
    if (l.kind == Abstract::MaskedNegInf && isPositiveConst(r))
      return Abstract::get(Abstract::MaskedNegInf, args);
    if (!div && r.kind == Abstract::MaskedNegInf && isPositiveConst(l))
      return Abstract::get(Abstract::MaskedNegInf, args);
    if (l.isFiniteish() && r.isFiniteish())
      return finite;
    return unknown;
  }
  if (isa<arith::MaximumFOp, arith::MaxNumFOp, arith::MinimumFOp,
          arith::MinNumFOp>(op)) {
    bool isMax = isa<arith::MaximumFOp, arith::MaxNumFOp>(op);
    for (unsigned k = 0; k < 2; ++k) {
      const Abstract &a = in[k], &other = in[1 - k];
      bool neutral = isMax ? (isNegInf(a) || a.kind == Abstract::MaskedNegInf)
                           : isPosInf(a);
      if (neutral && other.kind != Abstract::Unknown)
        return withArgs(other);
    }
    if (anyUnknown)
      return unknown;
    if (in[0].kind == Abstract::MaskedNegInf &&
        in[1].kind == Abstract::MaskedNegInf)
      return Abstract::get(Abstract::MaskedNegInf, args);
    return finite;
  }
  if (isa<math::ExpOp, math::Exp2Op>(op)) {
    if (in[0].kind == Abstract::MaskedNegInf)
      return Abstract::constant(FloatAttr::get(op->getResult(0).getType(), 0.0),
                                true, args);
    return anyUnknown ? unknown : finite;
  }
  if (isa<arith::ExtFOp, arith::TruncFOp>(op) &&
      in[0].kind == Abstract::MaskedNegInf)
    return in[0];
  if (isa<arith::IndexCastOp, arith::IndexCastUIOp>(op) &&
      (in[0].kind == Abstract::PadIndex || in[0].kind == Abstract::RealIndex))
    return in[0];

  // Everything else in arith and math: finite from finite (unknown values
  // are assumed finite), unknown otherwise.
  Dialect *dialect = op->getDialect();
  if (dialect && (isa<arith::ArithDialect, math::MathDialect>(dialect)) &&
      !anyUnknown && llvm::all_of(in, [](const Abstract &a) {
        return a.isFiniteish() || a.kind == Abstract::MaskedNegInf;
      }))
    return finite;
  return unknown;
}

//===----------------------------------------------------------------------===//
// The analysis of one function for one choice of pad values
//===----------------------------------------------------------------------===//

class Analyzer {
public:
  Analyzer(func::FuncOp func, const DimensionAnalysis &dims,
           ArrayRef<TypedAttr> padValues, ArrayRef<bool> masks)
      : splitBlockers(dims.getDims().size(), nullptr),
        splitBlockerReasons(dims.getDims().size()), func(func), dims(dims),
        padValues(padValues), masks(masks) {}

  /// Runs the analysis; the failure, if any.
  std::optional<Failure> run();

  SmallVector<Operation *> splitBlockers;
  SmallVector<std::string> splitBlockerReasons;

private:
  std::optional<Failure> visit(Operation *op);
  std::optional<Failure> visitLinalg(linalg::LinalgOp op);
  std::optional<Failure> visitEmpty(Operation *op, Value result,
                                    ArrayRef<OpFoldResult> sizes,
                                    Abstract content);

  /// The padded extent a size stands for, nullopt for a size that does not
  /// depend on a padded dimension; failure otherwise.
  FailureOr<std::optional<PaddedSize>> evalSize(OpFoldResult size);

  const PadInfo *lookup(Value v) const {
    auto it = info.find(v);
    return it == info.end() ? nullptr : &it->second;
  }
  void blockSplit(unsigned cls, Operation *op, const Twine &reason) {
    if (splitBlockers[cls])
      return;
    splitBlockers[cls] = op;
    splitBlockerReasons[cls] = reason.str();
  }
  std::string className(unsigned cls) const {
    return "'" + dims.getDims()[cls].getName().str() + "'";
  }
  Failure cannotProve(Operation *op, const Twine &why, unsigned cls) {
    return Failure{op,
                   ("cannot prove that padding dimension " + className(cls) +
                    " is safe: " + why)
                       .str(),
                   0, cls};
  }

  func::FuncOp func;
  const DimensionAnalysis &dims;
  ArrayRef<TypedAttr> padValues;
  ArrayRef<bool> masks;
  DenseMap<Value, PadInfo> info;
};

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
  for (Operation &op : func.getBody().front()) {
    if (std::optional<Failure> failure = visit(&op))
      return failure;
  }
  return std::nullopt;
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
  auto shifted = [&](Value base, int64_t shift) {
    return affine(base, 1, shift);
  };
  APInt c;
  if (isa_and_present<arith::AddIOp, arith::SubIOp>(def)) {
    bool sub = isa<arith::SubIOp>(def);
    if (matchPattern(def->getOperand(1), m_ConstantInt(&c)))
      return shifted(def->getOperand(0),
                     sub ? -c.getSExtValue() : c.getSExtValue());
    if (!sub && matchPattern(def->getOperand(0), m_ConstantInt(&c)))
      return shifted(def->getOperand(1), c.getSExtValue());
  }
  // A padded size times a positive constant (`batch * heads`).
  if (isa_and_present<arith::MulIOp>(def)) {
    for (unsigned k = 0; k < 2; ++k)
      if (matchPattern(def->getOperand(k), m_ConstantInt(&c)) &&
          c.getSExtValue() > 0)
        return affine(def->getOperand(1 - k), c.getSExtValue(), 0);
  }
  if (auto apply = dyn_cast_if_present<affine::AffineApplyOp>(def)) {
    AffineMap map = apply.getAffineMap();
    if (apply.getNumOperands() == 1) {
      AffineExpr e = map.getResult(0);
      AffineExpr base = map.getNumDims()
                            ? getAffineDimExpr(0, def->getContext())
                            : getAffineSymbolExpr(0, def->getContext());
      // e = base * scale + shift, with a positive scale: read scale and shift
      // off e at base = 0 and 1, then check that e is that line.
      auto at = [&](AffineExpr x) {
        return simplifyAffineExpr(e.replace(base, x), map.getNumDims(),
                                  map.getNumSymbols());
      };
      MLIRContext *ctx = def->getContext();
      auto shift = dyn_cast<AffineConstantExpr>(at(getAffineConstantExpr(0, ctx)));
      auto one = dyn_cast<AffineConstantExpr>(at(getAffineConstantExpr(1, ctx)));
      if (shift && one && one.getValue() > shift.getValue()) {
        int64_t scale = one.getValue() - shift.getValue();
        AffineExpr rest = simplifyAffineExpr(
            e - (base * scale + shift.getValue()), map.getNumDims(),
            map.getNumSymbols());
        if (rest == getAffineConstantExpr(0, ctx))
          return affine(apply.getOperand(0), scale, shift.getValue());
      }
    }
  }
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

std::optional<Failure> Analyzer::visitEmpty(Operation *op, Value result,
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

std::optional<Failure> Analyzer::visit(Operation *op) {
  // Ops that create padded tensors from sizes.
  if (auto empty = dyn_cast<tensor::EmptyOp>(op))
    return visitEmpty(op, empty, empty.getMixedSizes(),
                      Abstract::get(Abstract::Unknown));
  Builder b(op->getContext());
  if (auto splat = dyn_cast<tensor::SplatOp>(op)) {
    Attribute c;
    Abstract content = matchPattern(splat.getInput(), m_Constant(&c))
                           ? Abstract::constant(cast<TypedAttr>(c), false, 0)
                           : Abstract::get(Abstract::Finite);
    return visitEmpty(
        op, splat,
        getMixedValues(splat.getType().getShape(), splat.getDynamicSizes(), b),
        content);
  }
  if (auto generate = dyn_cast<tensor::GenerateOp>(op))
    return visitEmpty(op, generate,
                      getMixedValues(generate.getType().getShape(),
                                     generate.getDynamicExtents(), b),
                      Abstract::get(Abstract::Finite));

  bool touchesPadding = llvm::any_of(
      op->getOperands(), [&](Value v) { return lookup(v) != nullptr; });
  if (!touchesPadding)
    return std::nullopt;

  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return visitLinalg(linalgOp);

  if (auto cast = dyn_cast<tensor::CastOp>(op)) {
    info[cast] = *lookup(cast.getSource());
    return std::nullopt;
  }
  if (isa<tensor::DimOp, func::ReturnOp>(op))
    return std::nullopt;
  if (auto extract = dyn_cast<tensor::ExtractOp>(op)) {
    // Indices are never computed from padded sizes (checked separately), so
    // the original reads real positions and so does the bucketed function.
    const PadInfo *src = lookup(extract.getTensor());
    for (const std::optional<PadDim> &d : *src)
      if (d)
        blockSplit(d->cls, op, "it reads one element of a tensor");
    return std::nullopt;
  }
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
    const PadInfo &src = *lookup(slice.getSource());
    llvm::SmallBitVector dropped = slice.getDroppedDims();
    PadInfo pad;
    for (unsigned d = 0; d < src.size(); ++d) {
      OpFoldResult offset = slice.getMixedOffsets()[d];
      OpFoldResult size = slice.getMixedSizes()[d];
      std::optional<int64_t> stride =
          getConstantIntValue(slice.getMixedStrides()[d]);
      std::optional<int64_t> constOffset = getConstantIntValue(offset);
      FailureOr<std::optional<PaddedSize>> r = evalSize(size);
      if (!src[d]) {
        if (!dropped.test(d))
          pad.push_back(std::nullopt);
        continue;
      }
      if (!stride || *stride != 1 || failed(r))
        return cannotProve(op,
                           "a slice of a padded dimension with a stride or "
                           "a size computed in a way the analysis does not "
                           "follow",
                           src[d]->cls);
      if (!constOffset) {
        // An offset that does not depend on a padded size (an index
        // argument, a value read from data): the original reads positions
        // [offset, offset + size) inside its real data, and so does the
        // bucketed function as long as the size does not grow with the
        // bucket either.
        FailureOr<std::optional<PaddedSize>> o = evalSize(offset);
        if (failed(o) || *o || *r)
          return cannotProve(op,
                             "a slice of a padded dimension at an offset "
                             "or with a size computed from a padded size",
                             src[d]->cls);
        blockSplit(src[d]->cls, op, "it takes a part of the dimension");
        if (!dropped.test(d))
          pad.push_back(std::nullopt);
        continue;
      }
      bool toTheEnd = *r && (*r)->cls == src[d]->cls &&
                      (*r)->scale == src[d]->scale &&
                      (*r)->offset == src[d]->offset - *constOffset;
      if (*constOffset != 0 || !toTheEnd)
        blockSplit(src[d]->cls, op, "it takes a part of the dimension");
      if (!*r) {
        // A static-size slice of real positions.
        if (!dropped.test(d))
          pad.push_back(std::nullopt);
        continue;
      }
      // The slice keeps the padding at the end only if it reaches the end.
      if (!toTheEnd)
        return cannotProve(op,
                           "a slice that stops before the end of a "
                           "padded dimension",
                           src[d]->cls);
      PadDim sliced = *src[d];
      sliced.offset = (*r)->offset;
      pad.push_back(sliced);
    }
    if (hasPadding(pad))
      info[slice] = std::move(pad);
    return std::nullopt;
  }
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
    const PadInfo *dest = lookup(insert.getDest());
    const PadInfo *src = lookup(insert.getSource());
    auto destType = insert.getDestType();
    PadInfo pad(destType.getRank());
    if (dest)
      pad = *dest;
    if (src) {
      // The source's padded dimensions, in the destination's numbering.
      llvm::SmallBitVector dropped = insert.getDroppedDims();
      unsigned s = 0;
      for (unsigned d = 0; d < destType.getRank(); ++d) {
        if (dropped.test(d))
          continue;
        const std::optional<PadDim> &sd = (*src)[s++];
        if (!sd)
          continue;
        std::optional<int64_t> offset =
            getConstantIntValue(insert.getMixedOffsets()[d]);
        if (!offset || !pad[d] || pad[d]->cls != sd->cls ||
            pad[d]->scale != sd->scale ||
            pad[d]->offset != sd->offset + *offset)
          return cannotProve(op,
                             "an insertion that would place padding "
                             "inside the real part of the destination",
                             sd->cls);
        pad[d]->content = join(pad[d]->content, sd->content);
        pad[d]->exclusive = join(pad[d]->exclusive, sd->exclusive);
        if (*offset != 0)
          blockSplit(sd->cls, op, "it moves positions along the dimension");
      }
    }
    if (hasPadding(pad))
      info[insert] = std::move(pad);
    return std::nullopt;
  }
  if (auto padOp = dyn_cast<tensor::PadOp>(op)) {
    const PadInfo &src = *lookup(padOp.getSource());
    PadInfo pad = src;
    Attribute c;
    Value padValue = padOp.getConstantPaddingValue();
    std::optional<Abstract> padAbstract;
    if (padValue && matchPattern(padValue, m_Constant(&c)))
      padAbstract = Abstract::constant(cast<TypedAttr>(c), false, 0);
    for (unsigned d = 0; d < src.size(); ++d) {
      if (!src[d])
        continue;
      std::optional<int64_t> low =
          getConstantIntValue(padOp.getMixedLowPad()[d]);
      std::optional<int64_t> high =
          getConstantIntValue(padOp.getMixedHighPad()[d]);
      if (!low || !high)
        return cannotProve(op,
                           "a tensor.pad of a padded dimension by a "
                           "computed amount",
                           src[d]->cls);
      if (*low || *high)
        blockSplit(src[d]->cls, op, "it pads the dimension");
      // The original pads after its real data; the bucketed function after
      // the bucket's padding. Both agree only if the bucket's padding holds
      // what this op pads with.
      if (*high) {
        if (!padAbstract || !(src[d]->exclusive.isConst() &&
                              src[d]->exclusive.value == padAbstract->value)) {
          Failure fault;
          fault.op = op;
          fault.cls = src[d]->cls;
          fault.args = src[d]->exclusive.args;
          fault.message = ("'tensor.pad' pads padded dimension " +
                           className(src[d]->cls) + " at its end with " +
                           (padAbstract ? padAbstract->describe()
                                        : std::string("a computed value")) +
                           ", but the bucket's padding before it holds " +
                           src[d]->exclusive.describe());
          return fault;
        }
      }
      pad[d]->offset += *low + *high;
    }
    info[padOp] = std::move(pad);
    return std::nullopt;
  }
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    const PadInfo &src = *lookup(expand.getSrc());
    RankedTensorType resultType = expand.getResultType();
    PadInfo pad(resultType.getRank());
    for (auto [s, group] : llvm::enumerate(expand.getReassociationIndices())) {
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
    info[expand] = std::move(pad);
    return std::nullopt;
  }
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
    const PadInfo &src = *lookup(collapse.getSrc());
    RankedTensorType srcType = collapse.getSrcType();
    PadInfo pad(collapse.getResultType().getRank());
    for (auto [r, group] :
         llvm::enumerate(collapse.getReassociationIndices())) {
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
    info[collapse] = std::move(pad);
    return std::nullopt;
  }
  if (auto concat = dyn_cast<tensor::ConcatOp>(op)) {
    PadInfo pad(concat.getRank());
    for (Value input : concat.getInputs()) {
      const PadInfo *src = lookup(input);
      if (!src)
        continue;
      for (unsigned d = 0; d < src->size(); ++d) {
        if (!(*src)[d])
          continue;
        if (d == concat.getDim())
          return Failure{op,
                         ("'tensor.concat' concatenates along padded "
                          "dimension " +
                          className((*src)[d]->cls) +
                          ": the padding of the first input would land "
                          "inside the result"),
                         0, (*src)[d]->cls};
        pad[d] = pad[d] ? PadDim{pad[d]->cls, pad[d]->offset,
                                 join(pad[d]->content, (*src)[d]->content),
                                 join(pad[d]->exclusive, (*src)[d]->exclusive),
                                 pad[d]->scale}
                        : *(*src)[d];
      }
    }
    if (hasPadding(pad))
      info[concat] = std::move(pad);
    return std::nullopt;
  }
  if (op->hasTrait<OpTrait::Elementwise>() && op->getNumResults() == 1 &&
      isa<RankedTensorType>(op->getResult(0).getType())) {
    // Elementwise ops on tensors: apply the scalar rule dimension by
    // dimension.
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

std::optional<Failure> Analyzer::visitLinalg(linalg::LinalgOp op) {
  unsigned numLoops = op.getNumLoops();
  SmallVector<std::optional<PadDim>> loopPad(numLoops);
  // A loop the outputs do not depend on reduces into them, whatever
  // `iterator_types` says.
  SmallVector<utils::IteratorType> iterators = getEffectiveIteratorTypes(op);

  // Padded loops: loops that index a padded dimension directly.
  for (OpOperand &operand : op->getOpOperands()) {
    const PadInfo *src = lookup(operand.get());
    if (!src)
      continue;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    for (auto [d, expr] : llvm::enumerate(map.getResults())) {
      if (!(*src)[d])
        continue;
      if (auto dimExpr = dyn_cast<AffineDimExpr>(expr)) {
        unsigned l = dimExpr.getPosition();
        if (!loopPad[l])
          loopPad[l] = makePadDim((*src)[d]->cls, (*src)[d]->offset, {},
                                  (*src)[d]->scale);
        continue;
      }
    }
  }
  // Padded dimensions read through other expressions (windows of a
  // convolution or pooling): the original reads real positions at real
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
      for (unsigned l = 0; l < numLoops; ++l)
        if (expr.isFunctionOfDim(l) && loopPad[l] &&
            iterators[l] == utils::IteratorType::reduction)
          return cannotProve(op,
                             "a padded reduction loop in an indexing "
                             "expression",
                             loopPad[l]->cls);
    }
  }
  for (unsigned l = 0; l < numLoops; ++l)
    if (loopPad[l] && iterators[l] == utils::IteratorType::reduction)
      blockSplit(loopPad[l]->cls, op, "it reduces over the dimension");

  Block *body = op.getBlock();
  // Position-dependent bodies see different indices in a chunk.
  body->walk([&](linalg::IndexOp index) {
    if (loopPad[index.getDim()])
      blockSplit(loopPad[index.getDim()]->cls, op,
                 "its body depends on the position along the dimension");
  });

  // Evaluates the body at iterations where loop `p` is in its padded range.
  // With `othersReal`, the other padded parallel loops are in their real
  // range (a real result position, or the exclusive content of a padded
  // dimension); otherwise they may be anywhere. Padded reduction loops other
  // than `p` are always anywhere. Init block arguments get `initValues`.
  DenseMap<Value, Abstract> env;
  auto evaluate = [&](unsigned p, bool othersReal,
                      ArrayRef<Abstract> initValues) -> SmallVector<Abstract> {
    env.clear();
    auto isReal = [&](unsigned l) {
      return l != p && othersReal &&
             iterators[l] == utils::IteratorType::parallel;
    };
    // Whether `expr` may index the padded range of a dimension.
    auto mayBePadded = [&](AffineExpr expr) {
      return llvm::any_of(llvm::seq(0u, numLoops), [&](unsigned l) {
        return expr.isFunctionOfDim(l) && loopPad[l] && !isReal(l);
      });
    };
    for (OpOperand &operand : op->getOpOperands()) {
      BlockArgument arg = op.getMatchingBlockArgument(&operand);
      if (!arg)
        continue;
      if (op.isDpsInit(&operand)) {
        env[arg] =
            initValues[operand.getOperandNumber() - op.getNumDpsInputs()];
        continue;
      }
      const PadInfo *src = lookup(operand.get());
      AffineMap map = op.getMatchingIndexingMap(&operand);
      Abstract value = Abstract::get(Abstract::Finite);
      Attribute scalar;
      if (!isa<ShapedType>(operand.get().getType()) &&
          matchPattern(operand.get(), m_Constant(&scalar)))
        if (auto typed = dyn_cast<TypedAttr>(scalar))
          value = Abstract::constant(typed, false, 0);
      if (src) {
        // The dimension loop `p` indexes is padded; the others are real or
        // anywhere.
        std::optional<unsigned> pDim;
        bool othersMayBePadded = false;
        for (auto [d, expr] : llvm::enumerate(map.getResults())) {
          if (!(*src)[d])
            continue;
          auto dimExpr = dyn_cast<AffineDimExpr>(expr);
          if (dimExpr && dimExpr.getPosition() == p)
            pDim = d;
          else if (mayBePadded(expr))
            othersMayBePadded = true;
        }
        if (pDim) {
          value = othersMayBePadded ? (*src)[*pDim]->content
                                    : (*src)[*pDim]->exclusive;
        } else {
          for (auto [d, expr] : llvm::enumerate(map.getResults()))
            if ((*src)[d] && mayBePadded(expr))
              value = join(value, (*src)[d]->content);
        }
      }
      env[arg] = value;
    }
    body->walk([&](linalg::IndexOp index) {
      unsigned l = index.getDim();
      // Positions of a merged dimension are not compared with the class's
      // size: any real index.
      if (!loopPad[l] || loopPad[l]->scale != 1)
        env[index] = Abstract::get(Abstract::Finite);
      else if (l == p)
        env[index] = Abstract::index(Abstract::PadIndex, loopPad[l]->cls);
      else if (isReal(l))
        env[index] = Abstract::index(Abstract::RealIndex, loopPad[l]->cls);
      else
        env[index] = Abstract::get(Abstract::Finite);
    });
    auto lookupScalar = [&](Value v) -> Abstract {
      auto it = env.find(v);
      if (it != env.end())
        return it->second;
      Attribute c;
      if (matchPattern(v, m_Constant(&c)))
        if (auto typed = dyn_cast<TypedAttr>(c))
          return Abstract::constant(typed, false, 0);
      // Defined outside the body: a real value.
      return Abstract::get(Abstract::Finite);
    };
    SmallVector<Abstract> yielded;
    for (Operation &inner : body->getOperations()) {
      if (auto yield = dyn_cast<linalg::YieldOp>(inner)) {
        for (Value v : yield.getValues())
          yielded.push_back(lookupScalar(v));
        break;
      }
      if (isa<linalg::IndexOp>(inner))
        continue;
      if (inner.getNumResults() != 1 || inner.getNumRegions() != 0) {
        for (Value r : inner.getResults())
          env[r] = Abstract::get(Abstract::Unknown);
        continue;
      }
      SmallVector<Abstract> in;
      for (Value operand : inner.getOperands())
        in.push_back(lookupScalar(operand));
      if (auto extract = dyn_cast<tensor::ExtractOp>(inner)) {
        // Indices computed from padding read some real element.
        uint64_t args = 0;
        for (const Abstract &a : in)
          args |= a.args;
        Abstract value = Abstract::get(Abstract::Finite, args);
        if (const PadInfo *src = lookup(extract.getTensor()))
          for (const std::optional<PadDim> &d : *src)
            if (d)
              value = join(value, d->content);
        env[inner.getResult(0)] = value;
        continue;
      }
      env[inner.getResult(0)] = transfer(&inner, in);
    }
    return yielded;
  };

  // 1. Padded reduction loops: at every real output position, the padded
  //    iterations must leave the accumulator unchanged.
  unsigned numInits = op.getNumDpsInits();
  for (unsigned r = 0; r < numLoops; ++r) {
    if (!loopPad[r] || iterators[r] != utils::IteratorType::reduction)
      continue;
    SmallVector<Abstract> accs(numInits, Abstract::get(Abstract::Acc));
    SmallVector<Abstract> yielded = evaluate(r, /*othersReal=*/true, accs);
    for (auto [i, value] : llvm::enumerate(yielded)) {
      if (value.kind == Abstract::Acc)
        continue;
      // Describe the combiner and what reached it.
      Value yieldedValue = body->getTerminator()->getOperand(i);
      Operation *combiner = yieldedValue.getDefiningOp();
      std::string what = "its padded iterations change the result";
      uint64_t args = value.args;
      if (combiner && combiner->getBlock() == body &&
          combiner->getNumOperands() == 2) {
        // Say what the combiner received besides the accumulator.
        std::optional<Abstract> contribution;
        for (Value operand : combiner->getOperands()) {
          auto it = env.find(operand);
          Attribute c;
          if (it != env.end() && it->second.kind != Abstract::Acc)
            contribution = it->second;
          else if (it == env.end() && matchPattern(operand, m_Constant(&c)))
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
      Failure fault;
      fault.op = op;
      fault.cls = loopPad[r]->cls;
      fault.args = args;
      fault.message = ("'" + op->getName().getStringRef() +
                       "' reduces over padded dimension " +
                       className(loopPad[r]->cls) + " and " + what)
                          .str();
      return fault;
    }
  }

  // 2. The padded contents of the results, per padded dimension.
  for (auto [index, result] : llvm::enumerate(op->getResults())) {
    unsigned i = index; // Captured by the lambda below.
    OpOperand *init = op.getDpsInitOperand(i);
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type)
      continue;
    AffineMap map = op.getMatchingIndexingMap(init);
    const PadInfo *initPad = lookup(init->get());
    PadInfo pad(type.getRank());
    for (auto [d, expr] : llvm::enumerate(map.getResults())) {
      auto dimExpr = dyn_cast<AffineDimExpr>(expr);
      std::optional<PadDim> dimPad =
          initPad ? (*initPad)[d] : std::optional<PadDim>();
      if (!dimPad)
        continue;
      if (!dimExpr)
        return cannotProve(op, "an output indexed by an expression",
                           dimPad->cls);
      unsigned p = dimExpr.getPosition();
      // The result is the body's output for some reachable accumulator (the
      // reduction domain is not empty): explore the reachable accumulator
      // tuples (the lattice is shallow) and join the outputs. Without
      // reduction loops there is a single step.
      bool hasReduction =
          llvm::is_contained(iterators, utils::IteratorType::reduction);
      auto contentOf = [&](bool othersReal) {
        SmallVector<Abstract> inits(numInits, Abstract::get(Abstract::Finite));
        for (unsigned k = 0; k < numInits; ++k) {
          const PadInfo *ip = lookup(op.getDpsInitOperand(k)->get());
          AffineMap kmap = op.getMatchingIndexingMap(op.getDpsInitOperand(k));
          if (!ip)
            continue;
          for (auto [kd, kexpr] : llvm::enumerate(kmap.getResults()))
            if (auto ke = dyn_cast<AffineDimExpr>(kexpr);
                ke && ke.getPosition() == p && (*ip)[kd])
              inits[k] = othersReal ? (*ip)[kd]->exclusive : (*ip)[kd]->content;
        }
        SmallVector<SmallVector<Abstract>> seen{inits};
        std::optional<Abstract> content;
        for (unsigned next = 0; next < seen.size(); ++next) {
          SmallVector<Abstract> yielded =
              evaluate(p, othersReal, SmallVector<Abstract>(seen[next]));
          content = content ? join(*content, yielded[i]) : yielded[i];
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
      };
      pad[d] = PadDim{dimPad->cls, dimPad->offset, contentOf(false),
                      contentOf(true), dimPad->scale};
    }
    if (hasPadding(pad))
      info[result] = std::move(pad);
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Sizes used as values
//===----------------------------------------------------------------------===//

/// Finds a use of a padded dimension's size as a value: anything but a size
/// operand of an op that builds a tensor. Returns the offending op.
Operation *findSizeUsedAsValue(tensor::DimOp dimOp) {
  SmallVector<Value> worklist{dimOp.getResult()};
  DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      unsigned n = use.getOperandNumber();
      bool isSize =
          TypeSwitch<Operation *, bool>(user)
              .Case<tensor::EmptyOp, tensor::GenerateOp>(
                  [](auto) { return true; })
              .Case<tensor::SplatOp>([&](tensor::SplatOp s) { return n > 0; })
              .Case<tensor::ExtractSliceOp>([&](tensor::ExtractSliceOp s) {
                return llvm::is_contained(s.getSizes(), v) &&
                       !llvm::is_contained(s.getOffsets(), v) &&
                       !llvm::is_contained(s.getStrides(), v);
              })
              .Case<tensor::InsertSliceOp>([&](tensor::InsertSliceOp s) {
                return llvm::is_contained(s.getSizes(), v) &&
                       !llvm::is_contained(s.getOffsets(), v) &&
                       !llvm::is_contained(s.getStrides(), v);
              })
              .Case<tensor::ExpandShapeOp>(
                  [&](tensor::ExpandShapeOp e) { return e.getSrc() != v; })
              .Default([](Operation *) { return false; });
      if (isSize)
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
      return user;
    }
  }
  return nullptr;
}

/// The op in `func`'s body that contains `op`.
Operation *getTopLevelAncestor(func::FuncOp func, Operation *op) {
  while (op->getParentOp() != func)
    op = op->getParentOp();
  return op;
}

} // namespace

//===----------------------------------------------------------------------===//
// The driver: choosing pad values
//===----------------------------------------------------------------------===//

FailureOr<PaddingResult>
mlir::bucket::analyzePadding(func::FuncOp func, const DimensionAnalysis &dims) {
  unsigned numArgs = func.getNumArguments();
  ArrayRef<SymbolicDim> classes = dims.getDims();
  if (failed(verifyConstantDimIndices(func)))
    return failure();

  // Which arguments are padded, and along which dimension first (for
  // messages).
  SmallVector<std::optional<std::pair<unsigned, unsigned>>> argFirstDim(
      numArgs);
  for (unsigned i = 0; i < numArgs; ++i) {
    auto type = dyn_cast<RankedTensorType>(func.getArgumentTypes()[i]);
    if (!type)
      continue;
    for (unsigned d = 0; d < type.getRank() && !argFirstDim[i]; ++d)
      if (std::optional<unsigned> cls = dims.getDimId({i, d}))
        argFirstDim[i] = std::make_pair(d, *cls);
  }

  // 1. Declarations.
  SmallVector<TypedAttr> padValues(numArgs);
  SmallVector<bool> masks(numArgs, false), declared(numArgs, false);
  bool ok = true;
  for (unsigned i = 0; i < numArgs; ++i) {
    Location loc = func.getArgument(i).getLoc();
    bool isMask = func.getArgAttr(i, kMaskAttrName) != nullptr;
    Attribute decl = func.getArgAttr(i, kPadValueAttrName);
    if (!argFirstDim[i]) {
      if (isMask || decl) {
        emitError(loc) << "argument " << i << " of '" << func.getName()
                       << "' declares " << (isMask ? "a mask" : "a pad value")
                       << " but has no bucketed dimension, so it is never "
                          "padded";
        ok = false;
      }
      continue;
    }
    Type elementType =
        cast<RankedTensorType>(func.getArgumentTypes()[i]).getElementType();
    padValues[i] = Builder(func).getZeroAttr(elementType);
    masks[i] = isMask;
    if (!decl)
      continue;
    declared[i] = true;
    if (auto typed = dyn_cast<TypedAttr>(decl);
        typed && !isa<StringAttr>(decl)) {
      if (typed.getType() != elementType) {
        emitError(loc) << "the pad value " << decl << " of argument " << i
                       << " does not have the element type " << elementType;
        ok = false;
        continue;
      }
      padValues[i] = typed;
      continue;
    }
    auto text = dyn_cast<StringAttr>(decl);
    std::string error;
    FailureOr<TypedAttr> parsed =
        text ? parsePadValue(text.getValue(), elementType, error)
             : FailureOr<TypedAttr>(failure());
    if (failed(parsed)) {
      emitError(loc) << "invalid pad value for argument " << i << ": "
                     << (text ? error
                              : "expected a string or a typed constant");
      ok = false;
      continue;
    }
    padValues[i] = *parsed;
  }
  if (!ok)
    return failure();

  // 2. Sizes of padded dimensions used as values.
  WalkResult sizeCheck = func.walk([&](tensor::DimOp dimOp) {
    std::optional<int64_t> d = dimOp.getConstantIndex();
    auto arg = dyn_cast<BlockArgument>(dimOp.getSource());
    // Sizes of intermediate tensors resolve to the arguments' through the
    // dimension analysis; look at every dim of a dynamic dimension.
    auto type = dyn_cast<RankedTensorType>(dimOp.getSource().getType());
    if (!type || !d || !type.isDynamicDim(*d))
      return WalkResult::advance();
    Operation *user = findSizeUsedAsValue(dimOp);
    if (!user)
      return WalkResult::advance();
    Operation *top = getTopLevelAncestor(func, user);
    std::string where;
    if (arg)
      if (std::optional<unsigned> cls =
              dims.getDimId({arg.getArgNumber(), unsigned(*d)}))
        where = " '" + classes[*cls].getName().str() + "' (argument " +
                std::to_string(arg.getArgNumber()) + ", dimension " +
                std::to_string(*d) + ")";
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
    return WalkResult::interrupt();
  });
  if (sizeCheck.wasInterrupted())
    return failure();

  // 3. Choose pad values: start from zero (or the declarations); when a
  //    failure is caused by an undeclared argument's padding, try the
  //    neutral elements of the common combiners for it, keeping a choice
  //    that makes the failure go away or move on.
  SmallVector<bool> fixed(numArgs);
  for (unsigned i = 0; i < numArgs; ++i)
    fixed[i] = declared[i] || masks[i];
  std::optional<Analyzer> analyzer;
  std::optional<Failure> fault;
  for (unsigned round = 0; round <= numArgs; ++round) {
    analyzer.emplace(func, dims, padValues, masks);
    fault = analyzer->run();
    if (!fault)
      break;
    // The first undeclared, not yet chosen argument at fault.
    std::optional<unsigned> target;
    for (unsigned i = 0; i < numArgs && !target; ++i)
      if ((fault->args >> (i % 64)) & 1 && !fixed[i] && argFirstDim[i])
        target = i;
    if (!target)
      break;
    fixed[*target] = true;
    Type elementType = padValues[*target].getType();
    SmallVector<StringRef> candidates = {"-inf", "1", "inf"};
    if (!isa<FloatType>(elementType))
      candidates = {"1", "min", "max"};
    for (StringRef candidate : candidates) {
      std::string error;
      FailureOr<TypedAttr> value = parsePadValue(candidate, elementType, error);
      if (failed(value))
        continue;
      SmallVector<TypedAttr> trial(padValues);
      trial[*target] = *value;
      std::optional<Failure> trialFailure =
          Analyzer(func, dims, trial, masks).run();
      // Progress: no failure, or one at another op.
      if (!trialFailure || trialFailure->op != fault->op) {
        padValues[*target] = *value;
        break;
      }
    }
  }

  if (fault) {
    InFlightDiagnostic diag = fault->op->emitError();
    // Blame a declaration first: that is what the analysis contradicts.
    std::optional<unsigned> culprit;
    for (bool wantDeclared : {true, false})
      for (unsigned i = 0; i < numArgs && !culprit; ++i)
        if ((fault->args >> (i % 64)) & 1 && argFirstDim[i] &&
            (!wantDeclared || declared[i] || masks[i]))
          culprit = i;
    if (culprit && declared[*culprit]) {
      diag << "the declared pad value "
           << Abstract::constant(padValues[*culprit], false, 0).describe()
           << " of argument " << *culprit << " is unsafe: ";
    } else if (culprit && masks[*culprit]) {
      diag << "argument " << *culprit << " is declared a mask, but ";
    }
    diag << fault->message;
    if (culprit) {
      auto [d, cls] = *argFirstDim[*culprit];
      // Name the argument's dimension of the class at fault, not its first
      // padded one.
      if (fault->cls) {
        cls = *fault->cls;
        auto type = cast<RankedTensorType>(func.getArgumentTypes()[*culprit]);
        for (unsigned k = 0; k < type.getRank(); ++k)
          if (dims.getDimId({*culprit, k}) == cls) {
            d = k;
            break;
          }
      }
      diag << "; the padding comes from argument " << *culprit << " (dimension "
           << d << ", '" << classes[cls].getName() << "', padded with "
           << Abstract::constant(padValues[*culprit], false, 0).describe()
           << ")";
    }
    if (culprit)
      diag << "; remedies: give the argument a pad value ('"
           << kPadValueAttrName
           << "' or --pad-values), declare an argument that masks padded "
              "positions ('"
           << kMaskAttrName
           << "' or --masks), or compile without bucketing this dimension";
    else
      diag << "; compile without bucketing this dimension";
    return failure();
  }

  PaddingResult result;
  for (unsigned i = 0; i < numArgs; ++i)
    result.padValues.push_back(argFirstDim[i] ? padValues[i] : TypedAttr());
  result.splitBlockers = analyzer->splitBlockers;
  result.splitBlockerReasons = analyzer->splitBlockerReasons;
  return result;
}
