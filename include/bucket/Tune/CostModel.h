//===- CostModel.h - The compiler's cost of a bucket ------------*- C++ -*-===//
//
// The analytic cost model of bucket-tune: the work of a function compiled for
// one static shape, counted from its linalg ops. The function is specialized
// as bucket-specialize-functions does (static argument types, shapes refined
// by canonicalization; aggregated ops such as linalg.softmax decomposed),
// then every linalg op contributes
//
//   ops   = (product of its static loop ranges) x (ops in its body, but the
//            terminator, linalg.index and constants)
//   bytes = the sizes of its tensor operands (inputs and outputs), once each
//
// so a matmul MxNxK counts 2*M*N*K ops and 4*(M*K + K*N + M*N) bytes in f32.
// The counts are exact functions of the symbolic dimensions (polynomials for
// most models; the iteration domains themselves, not a fitted curve), and are
// cached per shape. A TimeModel turns them into a time:
//
//   time = ops / opsPerMicrosecond + bytes / bytesPerMicrosecond + callMicros
//
// whose defaults are a generic machine's, not a measurement.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TUNE_COSTMODEL_H
#define BUCKET_TUNE_COSTMODEL_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <map>
#include <memory>
#include <string>

namespace mlir {
namespace bucket {

/// The work of one call.
struct WorkCount {
  /// Arithmetic ops over the iteration domains of the linalg ops (FLOPs for
  /// floating-point models).
  double flops = 0;
  /// Bytes of the linalg ops' tensor operands.
  double bytes = 0;
  /// Linalg ops counted.
  unsigned numOps = 0;
};

/// Adds up the work of the linalg ops under `root`. Fails with an error at
/// the first linalg op whose loop ranges are not static.
FailureOr<WorkCount> countLinalgWork(Operation *root);

/// time = flops / opsPerMicrosecond + bytes / bytesPerMicrosecond + callMicros
struct TimeModel {
  double opsPerMicrosecond = 50e3;   // 50 GFLOP/s
  double bytesPerMicrosecond = 20e3; // 20 GB/s
  double callMicros = 2.0;
  double operator()(const WorkCount &work) const {
    return work.flops / opsPerMicrosecond + work.bytes / bytesPerMicrosecond +
           callMicros;
  }
};

/// Counts the work of one function specialized to static sizes of its
/// symbolic dimensions (in the order of DimensionAnalysis::getDims()).
class LinalgCostModel {
public:
  /// Analyzes `func` (its symbolic dimensions). Emits located errors and
  /// fails when the dimension analysis does. `func` is never changed.
  static FailureOr<std::unique_ptr<LinalgCostModel>> create(func::FuncOp func);

  /// The names of the symbolic dimensions (each with its aliases).
  ArrayRef<SmallVector<std::string>> getDimNames() const { return dimNames; }

  /// The work of `func` specialized to `sizes` (cached). Emits an error and
  /// fails when the specialized function does not become static.
  FailureOr<WorkCount> count(ArrayRef<int64_t> sizes);

private:
  explicit LinalgCostModel(func::FuncOp func) : func(func) {}
  func::FuncOp func;
  SmallVector<SmallVector<std::string>> dimNames;
  /// For each argument dimension: its symbolic dimension, or -1.
  SmallVector<SmallVector<int>> argDimIds;
  std::map<SmallVector<int64_t>, WorkCount> cache;
};

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TUNE_COSTMODEL_H
