//===- CalibrateTest.cpp - Fitting the time model -------------------------===//

#include "bucket/Tune/Calibrate.h"

#include "gtest/gtest.h"

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

TEST(CalibrateTest, NoSamplesNoFit) { EXPECT_FALSE(fitTimeModel({}).valid); }

} // namespace
