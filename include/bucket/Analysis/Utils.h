//===- Utils.h - Facts about ops that the analyses share --------*- C++ -*-===//
//
// Small read-only queries that both analyses and the code generation need:
// what a linalg op's loops really do, and input checks that the verifier
// cannot make because they depend on operand values.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_ANALYSIS_UTILS_H
#define BUCKET_ANALYSIS_UTILS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Support/LLVM.h"

namespace mlir {
namespace bucket {

/// The iterator types that the indexing maps of `op` imply. A loop marked
/// "parallel" that some output's indexing map does not depend on visits the
/// same output element on every iteration: each iteration reads the previous
/// value and writes the next one, so the loop reduces into that output
/// (`iterator_types` is only a hint that the verifier does not check against
/// the maps). Such loops are reported as reductions; everything else is as
/// declared.
SmallVector<utils::IteratorType> getEffectiveIteratorTypes(linalg::LinalgOp op);

/// Whether getEffectiveIteratorTypes differs from the declared iterator types.
bool hasMisdeclaredParallelLoops(linalg::LinalgOp op);

/// Checks what the verifier leaves to run time and the analyses rely on: the
/// constant index of every `tensor.dim` in `func` must name a dimension of
/// its source (the index is an operand, so `tensor.dim %x, %c-1` verifies).
/// Emits an error at each offending op.
LogicalResult verifyConstantDimIndices(func::FuncOp func);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_ANALYSIS_UTILS_H
