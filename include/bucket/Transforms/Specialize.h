//===- Specialize.h - Bucket specialization and dispatch --------*- C++ -*-===//
//
// The library API behind the bucket-specialize-functions and
// bucket-generate-dispatch passes.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TRANSFORMS_SPECIALIZE_H
#define BUCKET_TRANSFORMS_SPECIALIZE_H

#include "bucket/IR/BucketDialect.h"
#include "bucket/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Support/LLVM.h"

#include <optional>

namespace mlir {
namespace bucket {

/// Options of specializeFunction: those of bucket-specialize-functions
/// (Passes.td), declared once; empty strings defer to the function's
/// attributes.
using SpecializeOptions = BucketSpecializeFunctionsPassOptions;

/// Specializes `func` for its buckets: proves its padding safe (choosing pad
/// values), resolves the out-of-range policies, annotates `func`, creates
/// the generic fallback when a policy or the self-check needs it, and returns
/// the clones, in dispatch order. Emits located errors on failure.
FailureOr<SmallVector<func::FuncOp>>
specializeFunction(RewriterBase &rewriter, func::FuncOp func,
                   const SpecializeOptions &options);

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

/// Renames every public function with a body of `module` to `prefix` +
/// name (a C identifier, checked) and, with `cInterface`, marks it
/// `llvm.emit_c_interface` (bucket-prepare-entry-points).
LogicalResult prepareEntryPoints(ModuleOp module, StringRef prefix,
                                 bool cInterface);

/// Checks the contract of a bucketized module (bucket-verify-bucketized):
/// every public function with a body is static or a dispatcher whose
/// specializations are private and static, and every specialization or
/// fallback belongs to a dispatcher. Emits an error at each offender.
LogicalResult verifyBucketizedModule(ModuleOp module);

/// Replaces every op under `root` that implements AggregatedOpInterface
/// (linalg.softmax) with its upstream decomposition into structured linalg
/// ops, which the analyses and the code generation understand. Emits an
/// error at an op whose decomposition fails.
LogicalResult decomposeAggregatedOps(RewriterBase &rewriter, Operation *root);

/// Marks as "reduction" every loop of a linalg.generic under `root` that is
/// declared "parallel" but that some output does not depend on (see
/// getEffectiveIteratorTypes): it accumulates into that output, and tiling,
/// vectorization and splitting must treat it so. Semantics are unchanged.
void declareHiddenReductions(RewriterBase &rewriter, Operation *root);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TRANSFORMS_SPECIALIZE_H
