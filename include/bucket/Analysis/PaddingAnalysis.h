//===- PaddingAnalysis.h - Padding that cannot change results -*- C++ -*-===//
//
// A bucketed function runs on inputs padded at the end of every bucketed
// dimension and its results are cropped. That is only correct when the padded
// positions cannot reach a cropped result. The analysis follows the padded
// region of every argument through the ops of the original (dynamic) function
// and tracks what it holds:
//
//  - under parallel iteration the padded region stays in the padded region of
//    the result and is cropped; its contents are tracked (a known constant,
//    +/-inf, a value masked by a declared mask, an unknown finite value, or
//    anything);
//  - where a padded dimension is reduced, the values the combiner receives
//    from padded iterations must be its neutral element (0 for sums and
//    contractions, 1 for products, -inf for max, +inf for min);
//  - the size of a padded dimension may only be used as a size (tensor.empty,
//    slice sizes, reshapes): as a value (a mean dividing by it, an index
//    computed from it) it would be the bucket's size, not the real one;
//  - ops that would move padding into the real region (tensor.concat along a
//    padded dimension, tensor.pad after the real data with a different
//    value, offsets computed from sizes) are refused.
//
// Values the analysis does not know are assumed to be finite: the guarantee
// is that every result position that is finite in the original is equal in
// the bucketed function.
//
// The implementation is split at its seams, in headers internal to the
// analysis: PaddingLattice.h holds the abstract values and the scalar
// transfer function, PaddingAnalyzer.h one run of the analysis for given pad
// values (a visitor per op kind; linalg bodies are evaluated by a
// BodyEvaluator); this header's analyzePadding reads the declarations and
// searches for pad values.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_ANALYSIS_PADDINGANALYSIS_H
#define BUCKET_ANALYSIS_PADDINGANALYSIS_H

#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/IR/BucketDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SetVector.h"

#include <optional>
#include <string>

namespace mlir {
namespace bucket {

/// The constant that `text` ("-inf", "inf", "min", "max", "nan", or a
/// number) denotes for `elementType`; failure with a message otherwise.
FailureOr<TypedAttr> parsePadValue(StringRef text, Type elementType,
                                   std::string &error);

/// A repair (with `repairSizes`, see analyzePadding): a select on
/// `linalg.index < real extent` that restores a neutral value where padding
/// would otherwise reach a real result. The real extent of a masked dimension
/// is the real size of class `cls` plus `offset`, which every bucket receives.
struct PaddingMask {
  enum class Kind {
    /// Operand `operandNumber` of `op` (an input of a linalg op, the source
    /// of a tensor.pad) is replaced by a copy whose padded positions hold
    /// `value`.
    Operand,
    /// The linalg.generic `op` keeps its accumulators at the padded
    /// iterations of the masked loops: its yielded values are selected
    /// against its outputs' block arguments.
    Accumulator,
  };
  struct Dim {
    /// A dimension of the operand (Operand) or a loop of `op` (Accumulator).
    unsigned dim;
    unsigned cls;
    int64_t offset;
  };
  Kind kind;
  Operation *op;
  unsigned operandNumber = 0;
  TypedAttr value;
  SmallVector<Dim> dims;
  /// What the padding would have done without the mask, for the remark.
  std::string reason;
};

/// What the analysis found for one function.
struct PaddingResult {
  /// Per argument: the value to pad it with; null for an argument without a
  /// padded dimension.
  SmallVector<TypedAttr> padValues;
  /// Per symbolic dimension: the op that reduces over it, mixes its
  /// positions or depends on its size; null when the function is
  /// independent along it (each position of the results depends only on the
  /// same position of the arguments), so it can be split into chunks.
  SmallVector<Operation *> splitBlockers;
  /// Why splitBlockers[i] blocks splitting.
  SmallVector<std::string> splitBlockerReasons;
  /// Per symbolic dimension: whether its size is used as a value (a mean's
  /// divisor, the last position) in a way each bucket computes exactly when
  /// it is given the real size (repairSizes; see findSizeValueUses).
  SmallVector<bool> realSizes;
  /// The masks that make padding safe (with `repairSizes`), in the order the
  /// analysis found them. Their classes are set in realSizes.
  SmallVector<PaddingMask> masks;
  /// Sizes of padded dimensions of intermediate tensors used as values (with
  /// `repairSizes`): the `tensor.dim`, by its position among the function's
  /// `tensor.dim`s in walk order (a clone of the function has the same), and
  /// its real extent, `scale` times the real size of class `cls` plus
  /// `offset`. Their classes are set in realSizes.
  struct IntermediateSize {
    unsigned dimOpIndex;
    unsigned cls;
    int64_t scale;
    int64_t offset;
  };
  SmallVector<IntermediateSize> intermediateSizes;
};

/// Where the size a `tensor.dim` reads is used as a value rather than as a
/// size (a `tensor.empty` or slice size): the operands that receive it,
/// through index and scalar arithmetic at the same level as the dim.
struct SizeValueUses {
  SmallVector<OpOperand *> sinks;
  /// The values on the way: the dim's result and the arithmetic on it.
  SetVector<Value> path;
  /// Whether the original's value is computed from the real size at every
  /// sink when a bucket is given it instead of its own size: a scalar in a
  /// linalg body (the divisor of a mean, a comparison that masks, a reversed
  /// index `n - 1 - i`, which the buckets clamp to their bounds because the
  /// padded iterations would read out of bounds), an index of a
  /// `tensor.extract` or an offset of a `tensor.extract_slice` outside linalg
  /// bodies (the last position), or a returned scalar. Null when repairable,
  /// else the first sink that is not.
  Operation *notRepairable = nullptr;
};
SizeValueUses findSizeValueUses(tensor::DimOp dimOp);

/// Proves that padding the arguments of `func` along every symbolic
/// dimension of `dims` cannot change its results, choosing a pad value per
/// argument where one exists and honouring the bucket.pad_value and
/// bucket.mask declarations on its arguments. Emits a located error naming
/// the op, the argument, the dimension and the remedies, and fails,
/// otherwise.
/// With `repairSizes`, a size of an argument's padded dimension used as a
/// value is not refused when findSizeValueUses says the real size repairs
/// it (PaddingResult::realSizes); the caller gives each bucket the real
/// sizes (specializeFunction does). Where padding would still reach a real
/// result and a mask prevents it (a reduction whose combiner would receive
/// padding, a tensor.pad after padding that holds another value), the
/// analysis records the mask (PaddingResult::masks) instead of refusing; the
/// function with its masks inserted (insertPaddingMasks) proves safe.
FailureOr<PaddingResult> analyzePadding(func::FuncOp func,
                                        const DimensionAnalysis &dims,
                                        bool repairSizes = false);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_ANALYSIS_PADDINGANALYSIS_H
