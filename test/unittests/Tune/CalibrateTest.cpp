//===- CalibrateTest.cpp - Fitting the time model -------------------------===//

#include "bucket/Tune/Calibrate.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>

using namespace mlir::bucket;

namespace {

TEST(CalibrateTest, RecoversExactCoefficients) {
  // time = 2e-5 us/op + 1e-4 us/byte + 3 us.
  llvm::SmallVector<TimeSample> samples;
  for (double n : {1e4, 5e4, 2e5, 1e6, 3e6}) {
    double ops = n, bytes = 0.3 * n + 1e5 * (n > 1e5);
    samples.push_back({ops, bytes, 2e-5 * ops + 1e-4 * bytes + 3});
  }
  TimeFit fit = fitTimeModel(samples);
  ASSERT_TRUE(fit.valid);
  EXPECT_NEAR(fit.perOp, 2e-5, 1e-9);
  EXPECT_NEAR(fit.perByte, 1e-4, 1e-8);
  EXPECT_NEAR(fit.perCall, 3, 1e-6);
}

TEST(CalibrateTest, RecoversTheSpillRate) {
  // time = 1e-5 us per op + 2e-4 us/byte + 5e-4 us per spilled byte + 5 us;
  // the bytes spill from the fourth sample on (operands beyond the cache).
  llvm::SmallVector<TimeSample> samples;
  for (double n : {1.0, 3.0, 7.0, 12.0, 30.0, 105.0}) {
    TimeSample s;
    s.ops = 8e4 * std::ceil(n / 8) * 8; // rows rounded up to tiles of 8
    s.bytes = 1e5 + 2e3 * n * n;
    s.spillBytes = n > 10 ? 2e3 * n * n : 0;
    s.micros = 1e-5 * s.ops + 2e-4 * s.bytes + 5e-4 * s.spillBytes + 5;
    samples.push_back(s);
  }
  TimeFit fit = fitTimeModel(samples);
  ASSERT_TRUE(fit.valid);
  EXPECT_NEAR(fit.perOp, 1e-5, 1e-11);
  EXPECT_NEAR(fit.perByte, 2e-4, 1e-10);
  EXPECT_NEAR(fit.perSpillByte, 5e-4, 1e-10);
  EXPECT_NEAR(fit.perCall, 5, 1e-6);
  for (const TimeSample &s : samples)
    EXPECT_NEAR(fit.predict(s), s.micros, 1e-6 * s.micros);
}

TEST(CalibrateTest, TiledOpsFollowTheTiles) {
  // Times that follow rows rounded up to tiles of 8 (7 and 8 rows cost the
  // same, 9 costs 16): fitted on the tiled count the model is exact, fitted
  // on the exact count it cannot be.
  llvm::SmallVector<TimeSample> tiled, exact;
  for (double rows : {1.0, 7.0, 8.0, 9.0, 12.0, 16.0, 17.0, 40.0}) {
    double ops = 2 * rows * 256 * 256,
           tiledOps = 2 * std::ceil(rows / 8) * 8 * 256 * 256;
    double micros = 2e-5 * tiledOps + 10;
    tiled.push_back({tiledOps, 0, micros});
    exact.push_back({ops, 0, micros});
  }
  TimeFit fit = fitTimeModel(tiled);
  ASSERT_TRUE(fit.valid);
  EXPECT_NEAR(fit.perOp, 2e-5, 1e-11);
  EXPECT_NEAR(fit.perCall, 10, 1e-6);
  TimeFit linear = fitTimeModel(exact);
  ASSERT_TRUE(linear.valid);
  double worst = 0;
  for (const TimeSample &s : exact)
    worst = std::max(worst, std::fabs(linear.predict(s) / s.micros - 1));
  EXPECT_GT(worst, 0.2);
}

TEST(CalibrateTest, CoefficientsStayNonNegative) {
  // Times that fall with the bytes would need a negative coefficient: the
  // fit drops that term instead.
  llvm::SmallVector<TimeSample> samples = {
      {100, 1000, 10}, {200, 500, 20}, {400, 100, 40}};
  TimeFit fit = fitTimeModel(samples);
  ASSERT_TRUE(fit.valid);
  EXPECT_GE(fit.perOp, 0);
  EXPECT_GE(fit.perByte, 0);
  EXPECT_GE(fit.perCall, 0);
  EXPECT_NEAR(fit.predict(200, 500), 20, 1e-6);
}

TEST(CalibrateTest, RecoversTheOverlappedForm) {
  // Two ops per call: a weight-bound projection (its bytes do not grow with
  // the rows) and attention; each takes max(2e-5 us/op, 1e-4 us/byte), plus
  // 4 us. The time is flat while the projection is bound by its weights,
  // which no sum of the two terms follows.
  llvm::SmallVector<TimeSample> samples;
  for (double rows : {1.0, 4.0, 9.0, 16.0, 40.0, 100.0}) {
    TimeSample s;
    s.perOp = {{2 * rows * 256 * 256, 4 * (256 * 256 + 2 * rows * 256)},
               {4 * rows * rows * 64, 4 * (2 * rows * 64 + rows * rows)}};
    s.micros = 4;
    for (auto [ops, bytes] : s.perOp) {
      s.ops += ops;
      s.bytes += bytes;
      s.micros += std::max(2e-5 * ops, 1e-4 * bytes);
    }
    samples.push_back(s);
  }
  TimeFit fit = fitTimeModel(samples);
  ASSERT_TRUE(fit.valid);
  EXPECT_TRUE(fit.overlap);
  EXPECT_NEAR(fit.perOp, 2e-5, 2e-5 * 1e-2);
  EXPECT_NEAR(fit.perByte, 1e-4, 1e-4 * 1e-2);
  for (const TimeSample &s : samples)
    EXPECT_NEAR(fit.predict(s), s.micros, 1e-2 * s.micros);
  // The same samples with additive times keep the additive form.
  for (TimeSample &s : samples)
    s.micros = 2e-5 * s.ops + 1e-4 * s.bytes + 4;
  TimeFit additive = fitTimeModel(samples);
  ASSERT_TRUE(additive.valid);
  EXPECT_FALSE(additive.overlap);
  EXPECT_NEAR(additive.perOp, 2e-5, 1e-9);
}

TEST(CalibrateTest, NoSamplesNoFit) { EXPECT_FALSE(fitTimeModel({}).valid); }

} // namespace
