//===- PaddingLattice.cpp - What padded positions hold --------------------===//

#include "bucket/Analysis/PaddingLattice.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::bucket;
using namespace mlir::bucket::padding;

//===----------------------------------------------------------------------===//
// Abstract values
//===----------------------------------------------------------------------===//

bool Abstract::isFiniteConst() const {
  if (!isConst())
    return false;
  if (auto f = dyn_cast<FloatAttr>(value))
    return f.getValue().isFinite();
  return true;
}

std::optional<APFloat> Abstract::getFloat() const {
  if (auto f = dyn_cast_if_present<FloatAttr>(value))
    return f.getValue();
  return std::nullopt;
}

bool Abstract::isFloatZero() const {
  std::optional<APFloat> f = getFloat();
  return isConst() && f && f->isZero();
}

bool Abstract::isNegInf() const {
  std::optional<APFloat> f = getFloat();
  return isConst() && f && f->isInfinity() && f->isNegative();
}

bool Abstract::isPosInf() const {
  std::optional<APFloat> f = getFloat();
  return isConst() && f && f->isInfinity() && !f->isNegative();
}

std::string Abstract::describe() const {
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
  case RealSize:
    return "a real size";
  case Unknown:
    return "values that may be anything (uninitialized, inf or NaN)";
  }
  llvm_unreachable("unknown kind");
}

Abstract padding::join(const Abstract &a, const Abstract &b) {
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
  if ((a.kind == Abstract::MaskedNegInf && b.isNegInf()) ||
      (b.kind == Abstract::MaskedNegInf && a.isNegInf()))
    return Abstract::get(Abstract::MaskedNegInf, args);
  if (a.isFiniteish() && b.isFiniteish())
    return Abstract::get(Abstract::Finite, args);
  if ((a.kind == Abstract::MaskedNegInf && b.isFiniteish()) ||
      (b.kind == Abstract::MaskedNegInf && a.isFiniteish()))
    return Abstract::get(Abstract::Finite, args);
  return Abstract::get(Abstract::Unknown, args);
}

//===----------------------------------------------------------------------===//
// Combiners and their neutral elements
//===----------------------------------------------------------------------===//

TypedAttr padding::getNeutral(Operation *combiner, Type type) {
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
              arith::MaxUIOp>([&](auto) { return i(APInt::getZero(w)); })
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

bool padding::isMaskConstant(const Abstract &a) {
  std::optional<APFloat> f = a.getFloat();
  return a.isConst() && a.fromMask && f && f->isFinite() &&
         f->convertToDouble() <= kMaskThreshold;
}

bool padding::isNeutral(Operation *combiner, const Abstract &x) {
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
// The scalar transfer function, one op family at a time
//===----------------------------------------------------------------------===//

namespace {

/// The arguments whose padding contributed to any of `in`.
uint64_t unionArgs(ArrayRef<Abstract> in) {
  uint64_t args = 0;
  for (const Abstract &a : in)
    args |= a.args;
  return args;
}

/// Whether an operand may be anything: the accumulator counts, because an op
/// that is not its combiner with the neutral element turns it into a value
/// the analysis does not follow.
bool anyUnknown(ArrayRef<Abstract> in) {
  return llvm::any_of(in, [](const Abstract &a) {
    return a.kind == Abstract::Unknown || a.kind == Abstract::Acc;
  });
}

/// `a`, also derived from the padding of `args`.
Abstract withArgs(Abstract a, uint64_t args) {
  a.args |= args;
  return a;
}

/// Whether `a` acts as -inf because a declared mask says so.
bool isMasked(const Abstract &a) {
  return isMaskConstant(a) || a.kind == Abstract::MaskedNegInf;
}

/// Folds an op whose operands are all constants exactly, with the op's own
/// folder; nullopt when some operand is not a constant or the op does not
/// fold.
std::optional<Abstract> foldConstants(Operation *op, ArrayRef<Abstract> in,
                                      uint64_t args) {
  if (in.empty() || op->getNumResults() != 1 ||
      !llvm::all_of(in, [](const Abstract &a) { return a.isConst(); }))
    return std::nullopt;
  bool fromMask =
      llvm::any_of(in, [](const Abstract &a) { return a.fromMask; });
  SmallVector<Attribute> attrs;
  for (const Abstract &a : in)
    attrs.push_back(a.value);
  SmallVector<OpFoldResult> folded;
  if (failed(op->fold(attrs, folded)) || folded.size() != 1)
    return std::nullopt;
  if (auto attr =
          dyn_cast_if_present<TypedAttr>(dyn_cast<Attribute>(folded[0])))
    return Abstract::constant(attr, fromMask, args);
  // Folded to an operand (x - 0): what it is, derived from all of them.
  if (auto v = dyn_cast<Value>(folded[0]))
    for (auto [operand, a] : llvm::zip(op->getOperands(), in))
      if (operand == v)
        return Abstract::constant(a.value, fromMask, args);
  return std::nullopt;
}

/// Selection with a known condition, or between values that may be either.
Abstract transferSelect(ArrayRef<Abstract> in, uint64_t args) {
  const Abstract &cond = in[0];
  if (cond.isConst())
    return withArgs(
        cast<IntegerAttr>(cond.value).getValue().isOne() ? in[1] : in[2], args);
  return withArgs(join(in[1], in[2]), args);
}

/// Accumulation: the combiner with its neutral element keeps the accumulator;
/// anything else involving it is Unknown, a failure the caller reports.
/// nullopt when `op` does not take the accumulator.
std::optional<Abstract>
transferAccumulation(Operation *op, ArrayRef<Abstract> in, uint64_t args) {
  if (in.size() != 2)
    return std::nullopt;
  for (unsigned k = 0; k < 2; ++k) {
    if (in[k].kind != Abstract::Acc)
      continue;
    // `acc - x` keeps the accumulator for x = 0; `x - acc` never does.
    bool subtracted = isa<arith::SubFOp, arith::SubIOp>(op) && k != 0;
    if (!subtracted && isNeutral(op, in[1 - k]))
      return in[k];
    return Abstract::get(Abstract::Unknown, args);
  }
  return std::nullopt;
}

/// The result of `predicate` on two different indices, the left one the
/// larger when `leftBigger`.
bool compareDistinct(arith::CmpIPredicate predicate, bool leftBigger) {
  switch (predicate) {
  case arith::CmpIPredicate::eq:
    return false;
  case arith::CmpIPredicate::ne:
    return true;
  case arith::CmpIPredicate::ult:
  case arith::CmpIPredicate::slt:
  case arith::CmpIPredicate::ule:
  case arith::CmpIPredicate::sle:
    return !leftBigger;
  case arith::CmpIPredicate::ugt:
  case arith::CmpIPredicate::sgt:
  case arith::CmpIPredicate::uge:
  case arith::CmpIPredicate::sge:
    return leftBigger;
  }
  llvm_unreachable("unknown predicate");
}

/// The result of `predicate` on `l` and `r` when all that is known is that
/// `l < r` (`less`) or `l >= r` (otherwise); nullopt when that does not
/// decide it.
std::optional<bool> compareOrdered(arith::CmpIPredicate predicate, bool less) {
  using P = arith::CmpIPredicate;
  switch (predicate) {
  case P::ult:
  case P::slt:
    return less;
  case P::uge:
  case P::sge:
    return !less;
  case P::ule:
  case P::sle:
  case P::ne:
    return less ? std::optional<bool>(true) : std::nullopt;
  case P::ugt:
  case P::sgt:
  case P::eq:
    return less ? std::optional<bool>(false) : std::nullopt;
  }
  llvm_unreachable("unknown predicate");
}

/// The predicate that compares `r` with `l` as `predicate` compares `l` with
/// `r`.
arith::CmpIPredicate swapOperands(arith::CmpIPredicate predicate) {
  using P = arith::CmpIPredicate;
  switch (predicate) {
  case P::ult:
    return P::ugt;
  case P::ugt:
    return P::ult;
  case P::ule:
    return P::uge;
  case P::uge:
    return P::ule;
  case P::slt:
    return P::sgt;
  case P::sgt:
    return P::slt;
  case P::sle:
    return P::sge;
  case P::sge:
    return P::sle;
  default:
    return predicate;
  }
}

/// An index compared with a real size of the same class (a mask's bound): a
/// padded index is at least its real extent, a real one below it.
std::optional<bool> compareIndexWithSize(arith::CmpIPredicate predicate,
                                         const Abstract &index,
                                         const Abstract &size) {
  if (size.kind != Abstract::RealSize || index.cls != size.cls)
    return std::nullopt;
  if (index.kind == Abstract::PadIndex && index.offset >= size.offset)
    return compareOrdered(predicate, /*less=*/false);
  if (index.kind == Abstract::RealIndex && index.offset <= size.offset)
    return compareOrdered(predicate, /*less=*/true);
  return std::nullopt;
}

/// Comparisons of a padded and a real index of the same class (padded
/// positions come after every real one), and of an index and a real size.
/// nullopt for any other comparison.
std::optional<Abstract> compareIndices(arith::CmpIOp cmp, ArrayRef<Abstract> in,
                                       uint64_t args) {
  const Abstract &l = in[0], &r = in[1];
  Builder b(cmp.getContext());
  std::optional<bool> withSize = compareIndexWithSize(cmp.getPredicate(), l, r);
  if (!withSize)
    withSize = compareIndexWithSize(swapOperands(cmp.getPredicate()), r, l);
  if (withSize)
    return Abstract::constant(b.getBoolAttr(*withSize), false, args);
  bool padAndReal =
      (l.kind == Abstract::PadIndex && r.kind == Abstract::RealIndex) ||
      (l.kind == Abstract::RealIndex && r.kind == Abstract::PadIndex);
  if (l.cls != r.cls || !padAndReal)
    return std::nullopt;
  bool result =
      compareDistinct(cmp.getPredicate(), l.kind == Abstract::PadIndex);
  return Abstract::constant(b.getBoolAttr(result), false, args);
}

/// arith.addf and arith.subf: -inf and masked scores survive adding finite
/// values.
Abstract transferAddSub(Operation *op, ArrayRef<Abstract> in, uint64_t args) {
  bool sub = isa<arith::SubFOp>(op);
  const Abstract &l = in[0], &r = in[1];
  if (anyUnknown(in))
    return Abstract::get(Abstract::Unknown, args);
  // -inf plus (or minus) something finite stays -inf.
  if (l.isNegInf() && r.isFiniteish())
    return withArgs(l, args);
  if (!sub && r.isNegInf() && l.isFiniteish())
    return withArgs(r, args);
  if (sub && r.isPosInf() && l.isFiniteish()) {
    Abstract a = l;
    a.kind = Abstract::Const;
    a.value = FloatAttr::get(
        r.value.getType(),
        APFloat::getInf(cast<FloatAttr>(r.value).getValue().getSemantics(),
                        true));
    return withArgs(a, args);
  }
  // A masked score: a large negative mask constant plus a finite score.
  if (isMasked(l) && r.isFiniteish())
    return Abstract::get(Abstract::MaskedNegInf, args);
  if (!sub && isMasked(r) && l.isFiniteish())
    return Abstract::get(Abstract::MaskedNegInf, args);
  if (l.isFiniteish() && r.isFiniteish())
    return Abstract::get(Abstract::Finite, args);
  return Abstract::get(Abstract::Unknown, args);
}

/// arith.mulf and arith.divf: zero absorbs finite factors and masked scores
/// stay masked when scaled by a positive constant.
Abstract transferMulDiv(Operation *op, ArrayRef<Abstract> in, uint64_t args) {
  bool div = isa<arith::DivFOp>(op);
  const Abstract &l = in[0], &r = in[1];
  if (anyUnknown(in))
    return Abstract::get(Abstract::Unknown, args);
  // Zero times (or over) a finite value is zero: unknown values are assumed
  // finite and divisors non-zero.
  auto zeroTimes = [](const Abstract &z, const Abstract &x) {
    return z.isFloatZero() &&
           (x.isFiniteish() || x.kind == Abstract::MaskedNegInf);
  };
  if (zeroTimes(l, r) || (!div && zeroTimes(r, l)))
    return Abstract::constant(l.isFloatZero() ? l.value : r.value,
                              l.isFloatZero() ? l.fromMask : r.fromMask, args);
  auto isPositiveConst = [](const Abstract &a) {
    std::optional<APFloat> f = a.getFloat();
    return a.isConst() && f && f->isFinite() && !f->isNegative() &&
           !f->isZero();
  };
  // Scaling a masked score by a positive constant keeps it masked.
  if (l.kind == Abstract::MaskedNegInf && isPositiveConst(r))
    return Abstract::get(Abstract::MaskedNegInf, args);
  if (!div && r.kind == Abstract::MaskedNegInf && isPositiveConst(l))
    return Abstract::get(Abstract::MaskedNegInf, args);
  if (l.isFiniteish() && r.isFiniteish())
    return Abstract::get(Abstract::Finite, args);
  return Abstract::get(Abstract::Unknown, args);
}

/// The float max and min ops: their neutral element (-inf or a masked score
/// for a max, +inf for a min) gives the other operand.
Abstract transferMinMax(Operation *op, ArrayRef<Abstract> in, uint64_t args) {
  bool isMax = isa<arith::MaximumFOp, arith::MaxNumFOp>(op);
  for (unsigned k = 0; k < 2; ++k) {
    const Abstract &a = in[k], &other = in[1 - k];
    bool neutral = isMax ? (a.isNegInf() || a.kind == Abstract::MaskedNegInf)
                         : a.isPosInf();
    if (neutral && other.kind != Abstract::Unknown)
      return withArgs(other, args);
  }
  if (anyUnknown(in))
    return Abstract::get(Abstract::Unknown, args);
  if (in[0].kind == Abstract::MaskedNegInf &&
      in[1].kind == Abstract::MaskedNegInf)
    return Abstract::get(Abstract::MaskedNegInf, args);
  return Abstract::get(Abstract::Finite, args);
}

/// math.exp and math.exp2: a masked score gives exactly 0.
Abstract transferExp(Operation *op, ArrayRef<Abstract> in, uint64_t args) {
  if (in[0].kind == Abstract::MaskedNegInf)
    return Abstract::constant(FloatAttr::get(op->getResult(0).getType(), 0.0),
                              true, args);
  return Abstract::get(anyUnknown(in) ? Abstract::Unknown : Abstract::Finite,
                       args);
}

/// Every other op: casts that keep what a value is, then the rest of arith
/// and math, which give finite values from finite ones (unknown values are
/// assumed finite); anything else gives Unknown.
Abstract transferOther(Operation *op, ArrayRef<Abstract> in, uint64_t args) {
  if (isa<arith::ExtFOp, arith::TruncFOp>(op) &&
      in[0].kind == Abstract::MaskedNegInf)
    return in[0];
  if (isa<arith::IndexCastOp, arith::IndexCastUIOp>(op) &&
      (in[0].kind == Abstract::PadIndex || in[0].kind == Abstract::RealIndex ||
       in[0].kind == Abstract::RealSize))
    return in[0];
  Dialect *dialect = op->getDialect();
  if (dialect && (isa<arith::ArithDialect, math::MathDialect>(dialect)) &&
      !anyUnknown(in) && llvm::all_of(in, [](const Abstract &a) {
        return a.isFiniteish() || a.kind == Abstract::MaskedNegInf;
      }))
    return Abstract::get(Abstract::Finite, args);
  return Abstract::get(Abstract::Unknown, args);
}

} // namespace

Abstract padding::transfer(Operation *op, ArrayRef<Abstract> in) {
  uint64_t args = unionArgs(in);
  // The rules that look at the operands' values come first, in this order:
  // exact constants beat everything, a known condition decides a select, and
  // the accumulator is only kept by its combiner.
  if (std::optional<Abstract> folded = foldConstants(op, in, args))
    return *folded;
  if (isa<arith::SelectOp>(op))
    return transferSelect(in, args);
  if (std::optional<Abstract> accumulated = transferAccumulation(op, in, args))
    return *accumulated;
  if (auto cmp = dyn_cast<arith::CmpIOp>(op))
    if (std::optional<Abstract> compared = compareIndices(cmp, in, args))
      return *compared;
  // A conjunction with a false condition (a mask that is off in the padded
  // range) is false whatever the other condition.
  if (isa<arith::AndIOp>(op) && op->getResult(0).getType().isInteger(1))
    for (const Abstract &a : in)
      if (a.isConst() && cast<IntegerAttr>(a.value).getValue().isZero())
        return withArgs(a, args);
  return TypeSwitch<Operation *, Abstract>(op)
      .Case<arith::AddFOp, arith::SubFOp>(
          [&](auto) { return transferAddSub(op, in, args); })
      .Case<arith::MulFOp, arith::DivFOp>(
          [&](auto) { return transferMulDiv(op, in, args); })
      .Case<arith::MaximumFOp, arith::MaxNumFOp, arith::MinimumFOp,
            arith::MinNumFOp>(
          [&](auto) { return transferMinMax(op, in, args); })
      .Case<math::ExpOp, math::Exp2Op>(
          [&](auto) { return transferExp(op, in, args); })
      .Default([&](Operation *) { return transferOther(op, in, args); });
}
