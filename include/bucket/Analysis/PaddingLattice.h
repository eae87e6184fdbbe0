//===- PaddingLattice.h - What padded positions hold ------------*- C++ -*-===//
//
// The abstract values of the padding analysis and the scalar transfer
// function that evaluates the bodies of linalg ops on them. This header is
// internal to the analysis (its API is bucket/Analysis/PaddingAnalysis.h); it
// is a header so that the lattice can be unit-tested on its own.
//
// The lattice is shallow: exact constants (including +-inf and the zeros) and
// a few symbolic kinds (a finite value, a masked score, the accumulator of the
// op being checked, an index in the padded or the real range of a loop) below
// Unknown, which stands for anything, including inf and NaN.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_ANALYSIS_PADDINGLATTICE_H
#define BUCKET_ANALYSIS_PADDINGLATTICE_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir {
namespace bucket {
namespace padding {

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
    /// its real range, for the class `cls`: the real extent is the class's
    /// real size plus `offset`.
    PadIndex,
    RealIndex,
    /// The real size of class `cls` plus `offset`, as the buckets read it
    /// when they are given the real sizes (the bound of a mask).
    RealSize,
    /// Anything, including inf and NaN.
    Unknown,
  };
  Kind kind = Unknown;
  TypedAttr value;
  /// For Const: derived from a declared mask's padding.
  bool fromMask = false;
  unsigned cls = 0;
  /// For PadIndex, RealIndex and RealSize: see above.
  int64_t offset = 0;
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
  static Abstract index(Kind kind, unsigned cls, int64_t offset = 0) {
    Abstract a = get(kind);
    a.cls = cls;
    a.offset = offset;
    return a;
  }

  bool isConst() const { return kind == Const; }
  /// A constant that is not +-inf or NaN (every integer constant).
  bool isFiniteConst() const;
  /// Finite, a finite constant, or an index: a value that is not +-inf/NaN.
  bool isFiniteish() const {
    return kind == Finite || kind == PadIndex || kind == RealIndex ||
           kind == RealSize || isFiniteConst();
  }
  /// The value of a floating-point constant.
  std::optional<APFloat> getFloat() const;
  bool isFloatZero() const;
  bool isNegInf() const;
  bool isPosInf() const;

  /// Equality of what the values denote; `args` only tracks where they come
  /// from and is ignored.
  bool operator==(const Abstract &other) const {
    return kind == other.kind && value == other.value && cls == other.cls &&
           offset == other.offset && fromMask == other.fromMask;
  }

  /// The value in words, as diagnostics print it ("0", "-inf", "an index").
  std::string describe() const;
};

/// The least upper bound of two abstract values. The result's `args` is the
/// union of both.
Abstract join(const Abstract &a, const Abstract &b);

/// Constants at most this large negative, derived from a declared mask and
/// added to a finite score, act as -inf: exp(-1e4 + s) is 0 in f32 for any
/// score below about 9900.
constexpr double kMaskThreshold = -1.0e4;

/// Whether `a` is a large negative constant (at most kMaskThreshold) derived
/// from a declared mask.
bool isMaskConstant(const Abstract &a);

/// The neutral element `combiner` needs from padded iterations, as an
/// attribute of `type`; null when `combiner` is not a known combiner.
TypedAttr getNeutral(Operation *combiner, Type type);

/// Whether `x` is the neutral element of `combiner` (both zeros count for a
/// sum, and a masked score counts as -inf for a max).
bool isNeutral(Operation *combiner, const Abstract &x);

/// The abstract result of the scalar op `op` (an op of a linalg body) given
/// abstract operands `in`, one per operand of `op`. Constants are folded
/// exactly, values the analysis does not know are assumed finite, and a
/// combiner applied to the accumulator (Abstract::Acc) and its neutral
/// element keeps the accumulator.
Abstract transfer(Operation *op, ArrayRef<Abstract> in);

} // namespace padding
} // namespace bucket
} // namespace mlir

#endif // BUCKET_ANALYSIS_PADDINGLATTICE_H
