//===- Report.h - What bucket-tune prints -----------------------*- C++ -*-===//
//
// The reports of bucket-tune over a histogram and a cost: the chosen buckets
// with their hit shares and padding waste; for K = 1..maxK the expected cost
// of the tuner's choice and of each baseline relative to the exact-shape
// oracle and to pad-to-max; the dynamicity report (distinct shapes,
// percentiles per dimension, the number of exact compiles, the K at which
// more buckets stop paying); an SVG plot.
//
// Plain LLVM Support: the cost arrives as a CostCache.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TUNE_REPORT_H
#define BUCKET_TUNE_REPORT_H

#include "bucket/Tune/Histogram.h"
#include "bucket/Tune/Optimizer.h"

#include "llvm/Support/raw_ostream.h"

#include <vector>

namespace mlir {
namespace bucket {

/// The expected cost of the tuner and of each baseline for one K.
struct KPoint {
  unsigned k = 0;
  Evaluation tuned;
  /// Parallel to getAllBaselines().
  std::vector<Evaluation> baselines;
};

llvm::ArrayRef<Baseline> getAllBaselines();

/// Tunes and evaluates for K = 1..maxK (options.maxBuckets is overridden).
std::vector<KPoint> sweepBudgets(const Histogram &histogram, CostCache &cost,
                                 const TuneOptions &options, unsigned maxK);

/// The smallest K from which one more bucket lowers the expected cost by
/// less than `threshold` (relative), given costs for K = 1, 2, ...
unsigned getSaturationK(llvm::ArrayRef<double> costByK, double threshold);

/// The chosen buckets: size, hit share, cost share, padding waste.
void printBucketTable(llvm::raw_ostream &os, const Histogram &histogram,
                      const Evaluation &evaluation, llvm::StringRef unit);

/// The K sweep: cost relative to the oracle and pad-to-max per method.
void printSweep(llvm::raw_ostream &os, llvm::ArrayRef<KPoint> sweep);

/// The tail beyond the largest bucket and its cost under each policy.
void printTail(llvm::raw_ostream &os, const Evaluation &evaluation);

/// Distinct shapes, percentiles per dimension, exact compiles, and (from
/// `sweep`) the K at which more buckets stop paying.
void printDynamicity(llvm::raw_ostream &os, const Histogram &histogram,
                     llvm::ArrayRef<KPoint> sweep, double threshold);

/// An SVG: the histogram of the first dimension with the chosen bucket edges,
/// and the cost-versus-K curves of the sweep.
void writeSvg(llvm::raw_ostream &os, const Histogram &histogram,
              const Evaluation &chosen, llvm::ArrayRef<KPoint> sweep);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TUNE_REPORT_H
