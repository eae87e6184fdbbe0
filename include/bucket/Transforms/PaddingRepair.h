//===- PaddingRepair.h - The masks of the padding analysis ------*- C++ -*-===//
//
// The repairs the padding analysis finds (PaddingMask) made real: selects on
// `linalg.index < real extent` that restore a neutral value where padding
// would reach a real result.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TRANSFORMS_PADDINGREPAIR_H
#define BUCKET_TRANSFORMS_PADDINGREPAIR_H

#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/Analysis/PaddingAnalysis.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace bucket {

/// Inserts `masks` (found by analyzePadding on `func` with repairSizes) into
/// `func`, and emits a remark per mask at its op. The real extent of a
/// masked dimension is read with `tensor.dim` of an argument of its class
/// (plus the mask's offset): in `func` it is the real size, so every mask is
/// a no-op there; a bucket given the real sizes (specializeFunction's
/// useRealSizes) compares with them, and masks its padding.
///
/// An operand mask is fused into the op that produces the operand when that
/// op is an all-parallel linalg.generic with identity output maps and the
/// masked op its only user; otherwise it is a linalg.generic of its own.
void insertPaddingMasks(RewriterBase &rewriter, func::FuncOp func,
                        const DimensionAnalysis &dims,
                        ArrayRef<PaddingMask> masks);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TRANSFORMS_PADDINGREPAIR_H
