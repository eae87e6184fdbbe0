//===- Measure.h - Timing one bucket of a model -----------------*- C++ -*-===//
//
// What bucket-tune --measure times: the model compiled by bucket-compile for
// one bucket, linked with the generated header's export table into a
// self-describing shared library (docs/Using.md), loaded with
// bucket_model_open and called through the runtime on constant inputs
// (floats 0.5, integers 1: valid token ids and an all-ones mask). The time
// of a call is the minimum over repetitions.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TUNE_MEASURE_H
#define BUCKET_TUNE_MEASURE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mlir {
namespace bucket {

struct MeasureOptions {
  /// bucket-compile, the C compiler, the runtime's headers and libraries.
  std::string bucketCompile, cc, runtimeInclude, runtimeLib;
  /// Where the objects and libraries go (created; files are overwritten).
  std::string workDir;
  /// Repetitions: at least minReps and about budgetSeconds per bucket.
  unsigned minReps = 5;
  double budgetSeconds = 0.3;
};

/// Compiles `modelPath` with the single bucket `spec` (a --buckets text),
/// and returns the time of one call of `function`, in microseconds, with
/// the symbolic dimensions at `sizes` (in the function's dimension order).
llvm::Expected<double> measureBucket(llvm::StringRef modelPath,
                                     llvm::StringRef function,
                                     llvm::StringRef spec,
                                     llvm::ArrayRef<int64_t> sizes,
                                     const MeasureOptions &options);

/// What a build costs besides run time.
struct BuildCost {
  double objectBytes = 0;
  double compileSeconds = 0;
};

/// Compiles `modelPath` with the buckets `spec` (a --buckets text) and
/// returns the object's size and bucket-compile's wall time.
llvm::Expected<BuildCost> measureBuild(llvm::StringRef modelPath,
                                       llvm::StringRef spec,
                                       const MeasureOptions &options);

/// Budgets other than the number of buckets; 0 means none.
struct BuildBudget {
  double maxObjectBytes = 0;
  double maxCompileSeconds = 0;
};

/// The most buckets, up to `maxBuckets`, whose build stays within `budget`,
/// with each cost linear in the number of buckets K (a fixed part, the
/// weights and the dispatcher, plus one specialization per bucket): the
/// line through the costs of a build with one and with two buckets. A
/// per-bucket increment that is not positive (noise) is taken as a tenth of
/// the one-bucket cost. 0 when even one bucket exceeds the budget.
unsigned getBudgetBucketCount(const BuildCost &oneBucket,
                              const BuildCost &twoBuckets,
                              const BuildBudget &budget, unsigned maxBuckets);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TUNE_MEASURE_H
