//===- Optimizer.h - Choosing buckets from a histogram ----------*- C++ -*-===//
//
// Chooses at most K buckets for a histogram of observed shapes so that the
// expected cost of a call is minimal, under the dispatcher's own selection
// rule (docs/BucketSpec.md): the buckets are sorted by padded cost (the
// product of their sizes, ties in order) and a shape runs in the first bucket
// that fits it. The cost of running a bucket comes from a CostFunction: the
// compiler's analytic model (CostModel.h), a calibrated one, or the padded
// element count for the token-count baseline.
//
// - One dimension: an exact dynamic program over the observed sizes,
//   O(K * n^2) for n distinct sizes.
// - Several dimensions (sparse tuples): greedy construction from the tuple
//   that covers everything, then a best-improvement local search that
//   replaces one bucket at a time (two at a time when single moves are
//   stuck and the grid is small), over a grid of candidate sizes taken from
//   each dimension's marginal distribution (thinned to its quantiles when it
//   has too many values). exhaustiveSearch gives the optimum over the same
//   candidates on small problems, which bounds the search's gap.
//
// The largest bucket covers the `coverQuantile` quantile of each dimension
// (default: every shape); the calls beyond it are the tail, whose cost is
// reported per out-of-range policy.
//
// A latency budget (`maxLatency`, `latencyQuantile`) bounds the share of
// in-range calls that may run in a bucket whose cost exceeds maxLatency:
// the latencyQuantile quantile of the predicted latency stays within it. The
// expected cost is minimised among the bucket sets that meet it (exactly for
// one dimension; for several, the search minimises the excess share first).
// When no set meets it, the one that comes closest is returned and its
// Evaluation says by how much it misses.
//
// Plain LLVM Support: no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TUNE_OPTIMIZER_H
#define BUCKET_TUNE_OPTIMIZER_H

#include "bucket/Tune/Histogram.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace mlir {
namespace bucket {

using Tuple = llvm::SmallVector<int64_t>;
using BucketList = llvm::SmallVector<Tuple>;

/// The cost of one call of the model compiled for a static shape: positive,
/// and expected to be non-decreasing in every size.
using CostFunction = std::function<double(llvm::ArrayRef<int64_t>)>;

/// Memoizes a CostFunction (the analytic model specializes the module once
/// per distinct tuple).
class CostCache {
public:
  explicit CostCache(CostFunction fn) : fn(std::move(fn)) {}
  double operator()(llvm::ArrayRef<int64_t> sizes);
  size_t getNumEvaluations() const { return cache.size(); }

private:
  CostFunction fn;
  std::map<Tuple, double> cache;
};

/// The padded element count: the product of the sizes (the token-count
/// cost, and the dispatcher's ordering key).
double getElementCount(llvm::ArrayRef<int64_t> sizes);

/// What happens to a call beyond the largest bucket (docs/Padding.md).
enum class TailPolicy { Error, Fallback, Split };

struct TuneOptions {
  /// At most this many buckets.
  unsigned maxBuckets = 8;
  /// The largest bucket covers this quantile of every dimension (1: all).
  double coverQuantile = 1.0;
  /// The cost of the generic dynamic-shape fallback relative to an exact
  /// static compile of the same shape.
  double fallbackFactor = 2.0;
  /// Candidate sizes per dimension for several dimensions (0: automatic, so
  /// that the candidate grid has at most about 256 tuples).
  unsigned maxCandidatesPerDim = 0;
  /// Local search rounds for several dimensions.
  unsigned maxRounds = 64;
  /// Pair moves (replace two buckets at once) are tried when single moves
  /// are stuck and a round of them costs at most this many evaluations.
  double maxPairTrials = 2e5;
  /// Latency budget (0: none): at least `latencyQuantile` of the in-range
  /// calls run in a bucket whose cost is at most `maxLatency`.
  double maxLatency = 0;
  double latencyQuantile = 0.99;

  bool hasLatencyBudget() const { return maxLatency > 0; }
  /// The share of in-range calls the budget lets run slower.
  double getAllowedSlowShare() const { return 1 - latencyQuantile; }
};

/// The expected cost of one bucket set on a histogram.
struct Evaluation {
  /// The buckets in dispatch order.
  BucketList buckets;
  /// Per call, over all calls: the in-range calls' cost (the tail adds
  /// tailCost of its policy).
  double inRangeCost = 0;
  /// The exact-shape oracle's in-range cost (every shape compiled exactly).
  double oracleCost = 0;
  /// Share of calls beyond the buckets, and their expected cost per call
  /// (over all calls) under each policy (Error: 0, the calls fail).
  double tailShare = 0;
  double tailCostFallback = 0;
  double tailCostSplit = 0;
  /// Per bucket, parallel to `buckets`: share of calls, real and padded
  /// elements (summed over the calls), share of the in-range cost.
  llvm::SmallVector<double> hitShare, realElements, paddedElements, costShare;
  /// Whether every in-range shape fits a bucket.
  bool feasible = true;
  /// With a latency budget: the share of in-range calls whose bucket costs
  /// more than maxLatency.
  double slowShare = 0;

  double getTotalCost(TailPolicy policy) const;
  /// Padded elements over real elements, minus one, over all buckets.
  double getPaddingWaste() const;
};

/// The largest in-range size of each dimension: the coverQuantile quantile.
Tuple getCoverSizes(const Histogram &histogram, double coverQuantile);

/// Sorts buckets into dispatch order: ascending product, stable.
BucketList sortForDispatch(llvm::ArrayRef<Tuple> buckets);

/// Evaluates `buckets` on `histogram` under the dispatch rule. Shapes beyond
/// `cover` in some dimension are the tail even if a bucket would fit them.
Evaluation evaluateBuckets(const Histogram &histogram,
                           llvm::ArrayRef<Tuple> buckets,
                           llvm::ArrayRef<int64_t> cover, CostCache &cost,
                           const TuneOptions &options);

/// The `quantile` quantile of the cost of the in-range calls, each run in
/// the first of `buckets` (dispatch order) that fits it; with no buckets,
/// each at its exact shape (the oracle's latency).
double getLatencyQuantile(const Histogram &histogram,
                          llvm::ArrayRef<Tuple> buckets,
                          llvm::ArrayRef<int64_t> cover, CostCache &cost,
                          double quantile);

/// An index range [first, last] of sizes of which at least one must be a
/// bucket (how the one-dimensional optimum meets a latency budget).
using RequiredEdge = std::pair<size_t, size_t>;

/// The exact one-dimensional optimum: given distinct ascending sizes with
/// their weights and the cost of a bucket at each size, returns the indices
/// (ascending) of at most `maxBuckets` bucket sizes that minimise
/// sum_i weights[i] * bucketCost[bucket of i], the largest at sizes.back(),
/// and with one of them in `required` when given.
llvm::SmallVector<size_t>
optimizeOneDimension(llvm::ArrayRef<double> weights,
                     llvm::ArrayRef<double> bucketCost, unsigned maxBuckets,
                     std::optional<RequiredEdge> required = std::nullopt);

/// The bucket range a latency budget requires of a one-dimensional bucket
/// set (sizes ascending, bucketCost as for optimizeOneDimension): none when
/// every size's bucket meets maxLatency anyway. The calls slower than the
/// budget are those after the last bucket whose cost, and every smaller
/// size's, is within it (exact for a non-decreasing cost, conservative
/// otherwise). When no set meets the budget, the range is the last such
/// bucket alone: the set that comes closest.
std::optional<RequiredEdge> getLatencyEdge(llvm::ArrayRef<double> weights,
                                           llvm::ArrayRef<double> bucketCost,
                                           const TuneOptions &options);

/// The candidate sizes of each dimension: marginal values up to `cover`,
/// thinned to at most `perDim` by weighted quantiles (always keeping the
/// cover size).
llvm::SmallVector<Tuple> getCandidateSizes(const Histogram &histogram,
                                           llvm::ArrayRef<int64_t> cover,
                                           unsigned perDim);

/// The tuples of the candidate grid that fit at least one in-range shape.
BucketList getCandidateTuples(const Histogram &histogram,
                              llvm::ArrayRef<Tuple> candidateSizes,
                              llvm::ArrayRef<int64_t> cover);

/// Greedy construction and local search over `candidates` (must contain
/// `cover`). Returns at most maxBuckets buckets in dispatch order.
BucketList searchBuckets(const Histogram &histogram,
                         llvm::ArrayRef<Tuple> candidates,
                         llvm::ArrayRef<int64_t> cover, CostCache &cost,
                         const TuneOptions &options);

/// The optimum over every feasible subset of at most maxBuckets
/// `candidates`, or an empty list when there are more than `maxSubsets`
/// subsets to try.
BucketList exhaustiveSearch(const Histogram &histogram,
                            llvm::ArrayRef<Tuple> candidates,
                            llvm::ArrayRef<int64_t> cover, CostCache &cost,
                            const TuneOptions &options,
                            uint64_t maxSubsets = 2000000);

/// The tuner: the exact DP for one dimension, searchBuckets for several.
BucketList tuneBuckets(const Histogram &histogram, CostCache &cost,
                       const TuneOptions &options);

/// Baselines with the same budget. For several dimensions each is a full
/// grid with floor(K^(1/d)) sizes per dimension.
enum class Baseline { PowersOfTwo, Percentiles, EqualWidth, TokenDP };
llvm::StringRef getBaselineName(Baseline baseline);
BucketList getBaselineBuckets(Baseline baseline, const Histogram &histogram,
                              const TuneOptions &options);

/// The bucket set as a `--buckets` specification: a list for one dimension,
/// explicit tuples for several (`batch,seq=1x512,4x128`).
std::string formatSpec(llvm::ArrayRef<std::string> dims,
                       llvm::ArrayRef<Tuple> buckets);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TUNE_OPTIMIZER_H
