//===- BudgetTest.cpp - Object size and compile time budgets --------------===//

#include "bucket/Tune/Measure.h"

#include "gtest/gtest.h"

using namespace mlir::bucket;

namespace {

TEST(BudgetTest, LinearInTheNumberOfBuckets) {
  // 1000 bytes of weights + 300 per bucket: K buckets take 1000 + 300 K.
  BuildCost one{1300, 2.0}, two{1600, 3.0};
  // 1000 + 300 * 5 = 2500 <= 2600 < 1000 + 300 * 6.
  EXPECT_EQ(getBudgetBucketCount(one, two, {2600, 0}, 16), 5u);
  // Compile time 1 + 1 K: 4.5 s allows 3 buckets.
  EXPECT_EQ(getBudgetBucketCount(one, two, {0, 4.5}, 16), 3u);
  // Both budgets: the tighter wins.
  EXPECT_EQ(getBudgetBucketCount(one, two, {2600, 4.5}, 16), 3u);
  // The number of buckets caps it.
  EXPECT_EQ(getBudgetBucketCount(one, two, {1e9, 0}, 8), 8u);
  // No budget: the cap.
  EXPECT_EQ(getBudgetBucketCount(one, two, {0, 0}, 8), 8u);
}

TEST(BudgetTest, OneBucketOverBudget) {
  BuildCost one{1300, 2.0}, two{1600, 3.0};
  EXPECT_EQ(getBudgetBucketCount(one, two, {1299, 0}, 8), 0u);
  EXPECT_EQ(getBudgetBucketCount(one, two, {1300, 0}, 8), 1u);
}

TEST(BudgetTest, NoisyIncrementFallsBackToATenth) {
  // The second compile was faster than the first (noise): each bucket is
  // taken as a tenth of the one-bucket time, 0.2 s on a base of 1.8 s.
  BuildCost one{1300, 2.0}, two{1600, 1.9};
  // 1.8 + 0.2 * 6 = 3.0 <= 3.05 < 1.8 + 0.2 * 7.
  EXPECT_EQ(getBudgetBucketCount(one, two, {0, 3.05}, 16), 6u);
}

} // namespace
