//===- Specialize.h - Bucket specialization and dispatch --------*- C++ -*-===//
//
// The library API behind the bucket-specialize-functions and
// bucket-generate-dispatch passes.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TRANSFORMS_SPECIALIZE_H
#define BUCKET_TRANSFORMS_SPECIALIZE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Support/LLVM.h"

#include <optional>

namespace mlir {
namespace bucket {

/// Attribute names shared by the passes and the header emitter.
constexpr StringLiteral kBucketsAttrName = "bucket.buckets";
constexpr StringLiteral kDimNamesAttrName = "bucket.dim_names";
constexpr StringLiteral kBucketTableAttrName = "bucket.bucket_table";
constexpr StringLiteral kDimIdsAttrName = "bucket.dim_ids";
constexpr StringLiteral kSpecializationOfAttrName = "bucket.specialization_of";
constexpr StringLiteral kBucketAttrName = "bucket.bucket";
/// Marks a function whose body is already a dispatcher.
constexpr StringLiteral kDispatcherAttrName = "bucket.dispatcher";
/// The runtime hook a dispatcher calls for a shape that fits no bucket.
constexpr StringLiteral kOutOfRangeHookName = "bucket_rt_report_out_of_range";

/// Specializes `func` for the buckets of `specText` (or of its
/// bucket.buckets attribute when `specText` is empty): annotates `func` and
/// returns the clones, in dispatch order. Emits located errors on failure.
FailureOr<SmallVector<func::FuncOp>>
specializeFunction(RewriterBase &rewriter, func::FuncOp func,
                   StringRef specText);

/// Refines a function whose argument types were made more static: folds
/// casts and shape computations, and narrows the result types to what
/// reaches func.return.
LogicalResult refineFunctionShapes(func::FuncOp func);

/// Replaces the body of `func` with a dispatcher over `specializations`
/// (in the order of func's bucket.bucket_table).
LogicalResult generateDispatch(RewriterBase &rewriter, func::FuncOp func,
                               ArrayRef<func::FuncOp> specializations);

/// Patterns that permute the loops of contraction-like linalg.generic ops
/// so the innermost loop is contiguous (bucket-interchange-for-vectorization).
void populateInterchangeForVectorizationPatterns(RewritePatternSet &patterns);

/// Whether `func` should be bucketed: public, with a body, with a ranked
/// tensor argument that has a dynamic dimension.
bool isBucketCandidate(func::FuncOp func);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TRANSFORMS_SPECIALIZE_H
