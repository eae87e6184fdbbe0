//===- PaddingAnalyzer.h - One run of the padding analysis ------*- C++ -*-===//
//
// The analysis of one function for one choice of pad values: it follows the
// padded region of every argument through the ops of the function, one
// visitor per op kind, and says where padding would change a result. This
// header is internal to the analysis (its API is
// bucket/Analysis/PaddingAnalysis.h, whose driver chooses the pad values).
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_ANALYSIS_PADDINGANALYZER_H
#define BUCKET_ANALYSIS_PADDINGANALYZER_H

#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/Analysis/PaddingAnalysis.h"
#include "bucket/Analysis/PaddingLattice.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>
#include <string>

namespace mlir {
namespace bucket {
namespace padding {

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

/// A PadDim whose exclusive content is its content.
inline PadDim makePadDim(unsigned cls, int64_t offset, Abstract content,
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

/// Per dimension of a tensor: its padding, if it has any.
using PadInfo = SmallVector<std::optional<PadDim>>;

/// Whether some dimension of a tensor is padded.
inline bool hasPadding(const PadInfo &info) {
  return llvm::any_of(info, [](const auto &d) { return d.has_value(); });
}

/// Why the analysis failed, before it is turned into a diagnostic.
struct Failure {
  Failure() = default;
  Failure(Operation *op, std::string message, uint64_t args,
          std::optional<unsigned> cls,
          std::optional<unsigned> loop = std::nullopt,
          std::optional<PadDim> loopPad = std::nullopt)
      : op(op), message(std::move(message)), args(args), cls(cls), loop(loop),
        loopPad(loopPad) {}

  Operation *op = nullptr;
  std::string message;
  /// The arguments whose padding is at fault (0 when no pad value helps).
  uint64_t args = 0;
  std::optional<unsigned> cls;
  /// For a reduction whose combiner receives padding: the padded loop and
  /// its padding.
  std::optional<unsigned> loop;
  std::optional<PadDim> loopPad;
};

class BodyEvaluator;

/// The analysis of one function for one choice of pad values.
class Analyzer {
public:
  /// `padValues` and `masks` hold one entry per argument of `func`. With
  /// `realSizes`, the buckets read the real sizes where sizes are used as
  /// values (see analyzePadding): a slice offset computed from a padded size
  /// is then a real position, and a `tensor.dim` of an argument used as a
  /// value is the real size. `repairs` are analysed as if inserted.
  Analyzer(func::FuncOp func, const DimensionAnalysis &dims,
           ArrayRef<TypedAttr> padValues, ArrayRef<bool> masks,
           bool realSizes = false, ArrayRef<PaddingMask> repairs = {})
      : splitBlockers(dims.getDims().size(), nullptr),
        splitBlockerReasons(dims.getDims().size()), func(func), dims(dims),
        padValues(padValues), masks(masks), realSizes(realSizes),
        repairs(repairs) {}

  /// Runs the analysis; the failure, if any.
  std::optional<Failure> run();

  /// The padding of `v` as far as the last run got; null when it has none.
  const PadInfo *getPadding(Value v) const { return lookup(v); }

  /// Per symbolic dimension, the first op found that prevents splitting along
  /// it, and why (see PaddingResult).
  SmallVector<Operation *> splitBlockers;
  SmallVector<std::string> splitBlockerReasons;

private:
  /// Records the padding of the results of `op`, or says why it is unsafe,
  /// with the operand masks of `op` in effect.
  std::optional<Failure> visit(Operation *op);
  std::optional<Failure> visitUnmasked(Operation *op);
  /// Whether a repair keeps the accumulators of `op` at the padded
  /// iterations of loop `loop`.
  bool isAccumulatorMasked(Operation *op, unsigned loop) const;
  /// Binds the real sizes that bodies may read (realSizes): `tensor.dim`s
  /// of arguments and constant offsets from them.
  void bindRealSizes();
  /// A loop over the real size of a padded dimension whose body reads the
  /// padded tensors it captures one position at a time, at its induction
  /// variable (a prefill storing a prompt's rows into a state): it reads
  /// real positions only. Refuses any other read of a captured padded
  /// tensor, and padded initial values.
  std::optional<Failure> visitLoop(scf::ForOp loop);

  // One visitor per op kind (PaddingAnalyzer.cpp).
  std::optional<Failure> visitOp(tensor::EmptyOp op);
  std::optional<Failure> visitOp(tensor::SplatOp op);
  std::optional<Failure> visitOp(tensor::GenerateOp op);
  std::optional<Failure> visitOp(tensor::CastOp op);
  std::optional<Failure> visitOp(tensor::ExtractOp op);
  std::optional<Failure> visitOp(tensor::ExtractSliceOp op);
  std::optional<Failure> visitOp(tensor::InsertSliceOp op);
  std::optional<Failure> visitOp(tensor::PadOp op);
  std::optional<Failure> visitOp(tensor::ExpandShapeOp op);
  std::optional<Failure> visitOp(tensor::CollapseShapeOp op);
  std::optional<Failure> visitOp(tensor::ConcatOp op);
  std::optional<Failure> visitElementwise(Operation *op);
  std::optional<Failure> visitUnknown(Operation *op);

  /// Records the padding of `result`, a tensor built with `sizes` holding
  /// `content`.
  std::optional<Failure> visitSizes(Operation *op, Value result,
                                    ArrayRef<OpFoldResult> sizes,
                                    Abstract content);
  /// The padding of dimension `d` of the source of `slice` in its result
  /// (`sliced`, nullopt when the result reads only real positions there).
  std::optional<Failure> sliceDim(tensor::ExtractSliceOp slice, unsigned d,
                                  const PadDim &src,
                                  std::optional<PadDim> &sliced);

  // Linalg ops (PaddingBodyEvaluator.cpp).
  std::optional<Failure> visitLinalg(linalg::LinalgOp op);
  std::optional<Failure> checkWindows(linalg::LinalgOp op,
                                      const BodyEvaluator &body);
  void blockSplitAlongLoops(linalg::LinalgOp op, const BodyEvaluator &body);
  std::optional<Failure> checkReductions(linalg::LinalgOp op,
                                         BodyEvaluator &body);
  Failure describeReduction(linalg::LinalgOp op, const BodyEvaluator &body,
                            unsigned loop, unsigned result,
                            const Abstract &value);
  std::optional<Failure> recordResults(linalg::LinalgOp op,
                                       BodyEvaluator &body);

  /// The padded extent a size stands for, nullopt for a size that does not
  /// depend on a padded dimension; failure otherwise.
  FailureOr<std::optional<PaddedSize>> evalSize(OpFoldResult size);

  const PadInfo *lookup(Value v) const {
    auto it = info.find(v);
    return it == info.end() ? nullptr : &it->second;
  }
  /// Whether `op` reads a padded tensor.
  bool readsPadding(Operation *op) const;
  /// Records `op` as the op that prevents splitting along `cls`, unless one
  /// was found before.
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
  bool realSizes;
  ArrayRef<PaddingMask> repairs;
  /// The padding of every padded tensor seen so far.
  DenseMap<Value, PadInfo> info;
  /// Scalars defined outside linalg bodies whose abstract value is known: the
  /// real sizes (bindRealSizes).
  DenseMap<Value, Abstract> outsideScalars;
};

} // namespace padding
} // namespace bucket
} // namespace mlir

#endif // BUCKET_ANALYSIS_PADDINGANALYZER_H
