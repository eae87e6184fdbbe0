//===- OptimizerTest.cpp - The tuner's optimizers against brute force -----===//

#include "bucket/Tune/Optimizer.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mlir::bucket;

namespace {

/// A random one-dimensional histogram with `n` distinct sizes in 1..64.
Histogram randomHistogram1D(std::mt19937 &rng, unsigned n) {
  std::uniform_int_distribution<int64_t> size(1, 64);
  std::uniform_int_distribution<int> count(1, 20);
  llvm::SmallVector<Tuple> shapes;
  llvm::SmallVector<double> counts;
  while (shapes.size() < n) {
    Tuple shape = {size(rng)};
    if (llvm::is_contained(shapes, shape))
      continue;
    shapes.push_back(shape);
    counts.push_back(count(rng));
  }
  return Histogram::fromPairs({"seq"}, shapes, counts);
}

/// A cost that is not proportional to the size: quadratic plus a per-call
/// overhead, so that the optimum differs from the token-count one.
double quadraticCost(llvm::ArrayRef<int64_t> sizes) {
  double cost = 50;
  for (int64_t s : sizes)
    cost *= 1 + (double)s + 0.05 * (double)s * (double)s;
  return cost;
}

TEST(OptimizerTest, OneDimensionalDPMatchesBruteForce) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 60; ++trial) {
    Histogram histogram = randomHistogram1D(rng, 1 + trial % 9);
    CostCache cost(quadraticCost);
    TuneOptions options;
    options.maxBuckets = 1 + trial % 4;
    Tuple cover = getCoverSizes(histogram, 1.0);
    BucketList tuned = tuneBuckets(histogram, cost, options);
    ASSERT_LE(tuned.size(), options.maxBuckets);
    Evaluation got = evaluateBuckets(histogram, tuned, cover, cost, options);
    ASSERT_TRUE(got.feasible);
    // Brute force over every subset of the observed sizes (the optimum of
    // a non-decreasing cost uses observed sizes only).
    BucketList candidates;
    for (int64_t size : histogram.getMarginal(0))
      candidates.push_back({size});
    BucketList best =
        exhaustiveSearch(histogram, candidates, cover, cost, options);
    ASSERT_FALSE(best.empty());
    double expected =
        evaluateBuckets(histogram, best, cover, cost, options).inRangeCost;
    EXPECT_NEAR(got.inRangeCost, expected, 1e-9 * expected) << trial;
  }
}

TEST(OptimizerTest, OneDimensionalDPIndices) {
  // Weights 1,1,1,10 at sizes 1..4 with cost = size: one bucket costs
  // 4 * 13 = 52; {2, 4} cost 2 * 2 + 4 * 11 = 48, better than {3, 4}
  // (3 * 3 + 4 * 10 = 49) and {1, 4} (1 + 4 * 12 = 49).
  llvm::SmallVector<size_t> chosen =
      optimizeOneDimension({1, 1, 1, 10}, {1, 2, 3, 4}, 2);
  EXPECT_EQ(chosen, (llvm::SmallVector<size_t>{1, 3}));
  // A budget beyond the number of sizes uses each size once.
  chosen = optimizeOneDimension({1, 1}, {1, 2}, 5);
  EXPECT_EQ(chosen, (llvm::SmallVector<size_t>{0, 1}));
  // Equal costs: more buckets do not pay, so the fewest are used.
  chosen = optimizeOneDimension({1, 1, 1}, {5, 5, 5}, 3);
  EXPECT_EQ(chosen, (llvm::SmallVector<size_t>{2}));
}

TEST(OptimizerTest, CoverQuantileLeavesTheTail) {
  Histogram histogram =
      Histogram::fromPairs({"seq"}, {{1}, {2}, {3}, {100}}, {30, 30, 39, 1});
  CostCache cost(getElementCount);
  TuneOptions options;
  options.maxBuckets = 2;
  options.coverQuantile = 0.99;
  Tuple cover = getCoverSizes(histogram, options.coverQuantile);
  EXPECT_EQ(cover, Tuple{3});
  Evaluation e = evaluateBuckets(
      histogram, tuneBuckets(histogram, cost, options), cover, cost, options);
  EXPECT_NEAR(e.tailShare, 0.01, 1e-12);
  EXPECT_EQ(e.buckets.back(), Tuple{3});
  // Fallback: 2 x the exact cost; split: ceil(100 / 3) chunks of bucket 3.
  EXPECT_NEAR(e.tailCostFallback, 0.01 * 2 * 100, 1e-9);
  EXPECT_NEAR(e.tailCostSplit, 0.01 * 34 * 3, 1e-9);
}

TEST(OptimizerTest, DispatchOrderIsByProduct) {
  // 1x8 (product 8) comes before 4x4 (16): a 1x3 shape takes 1x8 even
  // though 4x4 is listed first.
  Histogram histogram = Histogram::fromPairs({"b", "s"}, {{1, 3}}, {1});
  CostCache cost(getElementCount);
  Evaluation e =
      evaluateBuckets(histogram, {{4, 4}, {1, 8}}, {1, 3}, cost, TuneOptions());
  EXPECT_EQ(e.buckets.front(), (Tuple{1, 8}));
  EXPECT_EQ(e.hitShare[0], 1.0);
  EXPECT_EQ(e.inRangeCost, 8.0);
}

TEST(OptimizerTest, MultiDimensionalSearchNearExhaustive) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int64_t> batch(1, 8), seq(1, 48);
  std::uniform_int_distribution<int> count(1, 30);
  double worstGap = 0;
  for (int trial = 0; trial < 25; ++trial) {
    llvm::SmallVector<Tuple> shapes;
    llvm::SmallVector<double> counts;
    for (int i = 0; i < 12; ++i) {
      shapes.push_back({batch(rng), seq(rng)});
      counts.push_back(count(rng));
    }
    Histogram histogram =
        Histogram::fromPairs({"batch", "seq"}, shapes, counts);
    CostCache cost(quadraticCost);
    TuneOptions options;
    options.maxBuckets = 1 + trial % 4;
    Tuple cover = getCoverSizes(histogram, 1.0);
    BucketList candidates = getCandidateTuples(
        histogram, getCandidateSizes(histogram, cover, 4), cover);
    BucketList found =
        searchBuckets(histogram, candidates, cover, cost, options);
    BucketList best =
        exhaustiveSearch(histogram, candidates, cover, cost, options);
    ASSERT_FALSE(best.empty());
    ASSERT_LE(found.size(), options.maxBuckets);
    double f =
        evaluateBuckets(histogram, found, cover, cost, options).inRangeCost;
    double b =
        evaluateBuckets(histogram, best, cover, cost, options).inRangeCost;
    ASSERT_GE(f, b * (1 - 1e-9));
    worstGap = std::max(worstGap, f / b - 1);
  }
  // Local search is not exact; on these grids it stays within 5%.
  EXPECT_LT(worstGap, 0.05);
  RecordProperty("worst_gap", std::to_string(worstGap));
}

TEST(OptimizerTest, BaselinesHaveTheBudget) {
  std::mt19937 rng(3);
  Histogram histogram = randomHistogram1D(rng, 40);
  TuneOptions options;
  options.maxBuckets = 4;
  int64_t max = histogram.getMax(0);
  for (Baseline baseline : {Baseline::PowersOfTwo, Baseline::Percentiles,
                            Baseline::EqualWidth, Baseline::TokenDP}) {
    BucketList buckets = getBaselineBuckets(baseline, histogram, options);
    EXPECT_LE(buckets.size(), 4u) << getBaselineName(baseline).str();
    EXPECT_GE(buckets.back()[0], max) << getBaselineName(baseline).str();
  }
  BucketList pow2 =
      getBaselineBuckets(Baseline::PowersOfTwo, histogram, options);
  EXPECT_EQ(pow2.back()[0] & (pow2.back()[0] - 1), 0);
}

TEST(OptimizerTest, TunedNeverWorseThanBaselines) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    Histogram histogram = randomHistogram1D(rng, 30);
    CostCache cost(quadraticCost);
    TuneOptions options;
    options.maxBuckets = 1 + trial % 8;
    Tuple cover = getCoverSizes(histogram, 1.0);
    double tuned =
        evaluateBuckets(histogram, tuneBuckets(histogram, cost, options), cover,
                        cost, options)
            .inRangeCost;
    for (Baseline baseline : {Baseline::PowersOfTwo, Baseline::Percentiles,
                              Baseline::EqualWidth, Baseline::TokenDP}) {
      BucketList buckets = getBaselineBuckets(baseline, histogram, options);
      // Baselines may use sizes beyond the observed maximum (powers of two):
      // evaluate them with their own cover.
      double other =
          evaluateBuckets(histogram, buckets, cover, cost, options).inRangeCost;
      EXPECT_LE(tuned, other * (1 + 1e-12)) << getBaselineName(baseline).str();
    }
  }
}

TEST(OptimizerTest, FormatSpec) {
  EXPECT_EQ(formatSpec({"seq"}, {{128}, {32}}), "seq=32,128");
  // Tuples in dispatch order: ascending product, ties as given.
  EXPECT_EQ(formatSpec({"batch", "seq"}, {{4, 128}, {1, 64}, {1, 512}}),
            "batch,seq=1x64,4x128,1x512");
}

} // namespace
