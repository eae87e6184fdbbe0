//===- Calibrate.cpp - Fitting the time model to measurements -------------===//

#include "bucket/Tune/Calibrate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

using namespace mlir::bucket;

/// The terms of the model: ops, bytes, the call, spill bytes.
constexpr int kNumTerms = 4;

/// The value of each term in `sample`.
static void getFeatures(const TimeSample &sample, double feature[kNumTerms]) {
  feature[0] = sample.ops;
  feature[1] = sample.bytes;
  feature[2] = 1;
  feature[3] = sample.spillBytes;
}

/// Solves the n x n system `m x = v` (n <= kNumTerms) by Gaussian
/// elimination with partial pivoting; false when it is singular.
static bool solve(double m[kNumTerms][kNumTerms], double v[kNumTerms], int n,
                  double x[kNumTerms]) {
  for (int col = 0; col < n; ++col) {
    int pivot = col;
    for (int row = col + 1; row < n; ++row)
      if (std::fabs(m[row][col]) > std::fabs(m[pivot][col]))
        pivot = row;
    if (std::fabs(m[pivot][col]) < 1e-300)
      return false;
    for (int k = 0; k < n; ++k)
      std::swap(m[col][k], m[pivot][k]);
    std::swap(v[col], v[pivot]);
    for (int row = col + 1; row < n; ++row) {
      double f = m[row][col] / m[col][col];
      for (int k = col; k < n; ++k)
        m[row][k] -= f * m[col][k];
      v[row] -= f * v[col];
    }
  }
  for (int row = n - 1; row >= 0; --row) {
    double sum = v[row];
    for (int k = row + 1; k < n; ++k)
      sum -= m[row][k] * x[k];
    x[row] = sum / m[row][row];
  }
  return true;
}

/// The sum of squared relative errors of `fit` over the samples.
static double getResidual(const TimeFit &fit,
                          llvm::ArrayRef<TimeSample> samples) {
  double residual = 0;
  for (const TimeSample &s : samples)
    if (s.micros > 0) {
      double e = (fit.predict(s) - s.micros) / s.micros;
      residual += e * e;
    }
  return residual;
}

/// The weighted least-squares fit on the terms of `mask` (bit t: term t),
/// weight 1 / time^2 (the relative error), features divided by `scale`.
/// Invalid when the system is singular or a coefficient is negative.
static TimeFit fitTerms(llvm::ArrayRef<TimeSample> samples, unsigned mask,
                        const double scale[kNumTerms]) {
  int terms[kNumTerms], n = 0;
  for (int t = 0; t < kNumTerms; ++t)
    if ((mask >> t & 1) && scale[t] > 0)
      terms[n++] = t;
  if (n == 0 || n != __builtin_popcount(mask) || (int)samples.size() < n)
    return {};
  double m[kNumTerms][kNumTerms] = {}, v[kNumTerms] = {}, x[kNumTerms] = {};
  for (const TimeSample &s : samples) {
    if (s.micros <= 0)
      continue;
    double feature[kNumTerms];
    getFeatures(s, feature);
    for (int t = 0; t < kNumTerms; ++t)
      feature[t] = scale[t] > 0 ? feature[t] / scale[t] : 0;
    double w = 1 / (s.micros * s.micros);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j)
        m[i][j] += w * feature[terms[i]] * feature[terms[j]];
      v[i] += w * feature[terms[i]] * s.micros;
    }
  }
  if (!solve(m, v, n, x))
    return {};
  double coef[kNumTerms] = {};
  for (int i = 0; i < n; ++i) {
    if (x[i] < 0)
      return {};
    coef[terms[i]] = x[i] / scale[terms[i]];
  }
  TimeFit fit;
  fit.perOp = coef[0];
  fit.perByte = coef[1];
  fit.perCall = coef[2];
  fit.perSpillByte = coef[3];
  fit.valid = true;
  return fit;
}

/// The best fit over every subset of the terms in `allowed` (bit t: term
/// t), and its residual.
static std::pair<TimeFit, double>
fitBestSubset(llvm::ArrayRef<TimeSample> samples, unsigned allowed,
              unsigned required) {
  // Features are scaled by their largest value so that the normal equations
  // stay well conditioned; a term no sample has (scale 0) is left out.
  double scale[kNumTerms] = {};
  for (const TimeSample &s : samples) {
    double feature[kNumTerms];
    getFeatures(s, feature);
    for (int t = 0; t < kNumTerms; ++t)
      scale[t] = std::max(scale[t], feature[t]);
  }
  TimeFit best;
  double bestResidual = std::numeric_limits<double>::infinity();
  for (unsigned mask = 1; mask < (1u << kNumTerms); ++mask) {
    if ((mask & ~allowed) || (mask & required) != required)
      continue;
    TimeFit fit = fitTerms(samples, mask, scale);
    if (!fit.valid)
      continue;
    double residual = getResidual(fit, samples);
    if (residual < bestResidual * (1 - 1e-12)) {
      bestResidual = residual;
      best = fit;
    }
  }
  return {best, bestResidual};
}

/// The overlapped form at the ratio r = perByte / perOp: the samples'
/// ops become sum of max(ops_i, r * bytes_i) and the rest is linear.
static std::pair<TimeFit, double>
fitOverlapped(llvm::ArrayRef<TimeSample> samples, double ratio) {
  llvm::SmallVector<TimeSample> folded;
  for (const TimeSample &s : samples) {
    TimeSample f;
    f.micros = s.micros;
    f.spillBytes = s.spillBytes;
    if (s.perOp.empty())
      f.ops = std::max(s.ops, ratio * s.bytes);
    for (auto [ops, bytes] : s.perOp)
      f.ops += std::max(ops, ratio * bytes);
    folded.push_back(f);
  }
  // Terms: the folded ops (required), the call, the spill bytes.
  auto [fit, residual] = fitBestSubset(folded, 0b1101, 0b0001);
  if (!fit.valid)
    return {fit, residual};
  fit.perByte = fit.perOp * ratio;
  fit.overlap = true;
  return {fit, getResidual(fit, samples)};
}

TimeFit mlir::bucket::fitTimeModel(llvm::ArrayRef<TimeSample> samples) {
  TimeFit best;
  double bestResidual;
  std::tie(best, bestResidual) = fitBestSubset(samples, 0b1111, 0);
  // The overlapped form: the ratio of a byte's time to an op's, searched
  // in steps of 10^(1/20) over eight decades around the samples' own ratio
  // of ops to bytes, then in steps of 10^(1/400) around the best.
  double ops = 0, bytes = 0;
  for (const TimeSample &s : samples) {
    ops += s.ops;
    bytes += s.bytes;
  }
  if (ops <= 0 || bytes <= 0)
    return best;
  double center = ops / bytes, bestLog = 0;
  bool found = false;
  auto tryRatio = [&](double log10Ratio) {
    auto [fit, residual] =
        fitOverlapped(samples, center * std::pow(10.0, log10Ratio));
    if (fit.valid && residual < bestResidual * (1 - 1e-9)) {
      best = fit;
      bestResidual = residual;
      bestLog = log10Ratio;
      found = true;
    }
  };
  for (int step = -80; step <= 80; ++step)
    tryRatio(step / 20.0);
  if (found) {
    double coarse = bestLog;
    for (int step = -20; step <= 20; ++step)
      tryRatio(coarse + step / 400.0);
  }
  return best;
}
