//===- DimensionAnalysis.h - Symbolic dimensions of a function --*- C++ -*-===//
//
// Finds which dynamic dimensions of a function's arguments must be equal (the
// sequence axis of `input_ids` and of `attention_mask` is one *symbolic
// dimension*), and how each dynamic result dimension is computed from the
// argument dimensions (the dispatcher needs that to crop results).
//
// Equalities come from the ops: indexing maps of linalg ops, elementwise ops,
// tensor.cast, sizes passed to tensor.empty/extract_slice/expand_shape taken
// from tensor.dim, unpadded dimensions of tensor.pad, the non-concatenated
// dimensions of tensor.concat, unit-extended reshape groups and scf.for loop
// carried values. Result dimensions are expressed by reifying result shapes
// (ReifyRankedShapedTypeOpInterface) back to the arguments; a result
// dimension that depends on tensor data is an error at the op that reads it.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_ANALYSIS_DIMENSIONANALYSIS_H
#define BUCKET_ANALYSIS_DIMENSIONANALYSIS_H

#include "bucket/IR/BucketDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>

namespace mlir {
namespace bucket {

/// A position in a function signature: dimension `dim` of argument or result
/// number `index`.
struct DimPosition {
  unsigned index;
  unsigned dim;
  bool operator==(const DimPosition &other) const {
    return index == other.index && dim == other.dim;
  }
};

/// One equivalence class of dynamic argument dimensions.
struct SymbolicDim {
  /// The names the user gave to dimensions of this class, first the one that
  /// comes first in the signature. When the user named none, the default
  /// name "arg<I>.<J>" of the first argument dimension of the class.
  SmallVector<std::string> names;
  /// Argument dimensions in the class, in signature order.
  SmallVector<DimPosition> argDims;
  /// Dynamic result dimensions that are provably equal to this class.
  SmallVector<DimPosition> resultDims;

  StringRef getName() const { return names.front(); }
};

/// The symbolic dimensions of a function.
class DimensionAnalysis {
public:
  /// Analyzes `func`. Emits located errors and fails when a name is given
  /// twice to different classes, when a class is tied to a static size, or
  /// when a result dimension depends on data.
  static FailureOr<DimensionAnalysis> analyze(func::FuncOp func);

  ArrayRef<SymbolicDim> getDims() const { return dims; }

  /// The symbolic dimension of a dynamic argument dimension.
  std::optional<unsigned> getDimId(DimPosition argDim) const;

  /// The symbolic dimension ids of each dimension of argument `index` (-1 for
  /// static dimensions), as recorded in generated headers.
  SmallVector<int32_t> getArgDimIds(unsigned index) const;

  /// For each dynamic result dimension, its value as an affine expression of
  /// the symbolic dimensions (symbol i is getDims()[i]); a null expression
  /// when it is computable but not affine (a max, a select).
  ArrayRef<std::pair<DimPosition, AffineExpr>> getResultDimExprs() const {
    return resultDimExprs;
  }

private:
  SmallVector<SymbolicDim> dims;
  SmallVector<std::pair<DimPosition, AffineExpr>> resultDimExprs;
};

/// Builds, in `scratch` (a module of the caller's, not `func`'s), a function
/// that takes the same arguments as `func` and returns one index per dynamic
/// result dimension of `func` (in result, then dimension order), computed
/// from the argument shapes only: the ops of `func` that the result shapes
/// depend on, with every tensor.dim resolved to a dimension of an argument.
/// `func` and its module are not changed. Emits an error at the op whose
/// data a result dimension depends on and fails in that case.
FailureOr<func::FuncOp> buildResultShapeFunction(func::FuncOp func,
                                                 ModuleOp scratch);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_ANALYSIS_DIMENSIONANALYSIS_H
