//===- Calibrate.cpp - Fitting the time model to measurements -------------===//

#include "bucket/Tune/Calibrate.h"

#include <cmath>
#include <limits>

using namespace mlir::bucket;

/// Solves the n x n system `m x = v` (n <= 3) by Gaussian elimination with
/// partial pivoting; false when it is singular.
static bool solve(double m[3][3], double v[3], int n, double x[3]) {
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

TimeFit mlir::bucket::fitTimeModel(llvm::ArrayRef<TimeSample> samples) {
  TimeFit best;
  double bestResidual = std::numeric_limits<double>::infinity();
  // Each subset of {ops, bytes, call} (bit 0, 1, 2), weighted least squares
  // with weight 1 / time^2 (the relative error). Features are scaled by
  // their largest value so that the normal equations stay well conditioned.
  double scale[3] = {0, 0, 1};
  for (const TimeSample &s : samples) {
    scale[0] = std::max(scale[0], s.ops);
    scale[1] = std::max(scale[1], s.bytes);
  }
  for (unsigned mask = 1; mask < 8; ++mask) {
    int terms[3], n = 0;
    for (int t = 0; t < 3; ++t)
      if ((mask >> t & 1) && scale[t] > 0)
        terms[n++] = t;
    if (n == 0 || n != __builtin_popcount(mask) || (int)samples.size() < n)
      continue;
    double m[3][3] = {}, v[3] = {}, x[3] = {};
    for (const TimeSample &s : samples) {
      if (s.micros <= 0)
        continue;
      double feature[3] = {s.ops / scale[0], s.bytes / scale[1], 1.0};
      double w = 1 / (s.micros * s.micros);
      for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j)
          m[i][j] += w * feature[terms[i]] * feature[terms[j]];
        v[i] += w * feature[terms[i]] * s.micros;
      }
    }
    if (!solve(m, v, n, x))
      continue;
    TimeFit fit;
    double coef[3] = {0, 0, 0};
    bool negative = false;
    for (int i = 0; i < n; ++i) {
      coef[terms[i]] = x[i] / scale[terms[i]];
      negative |= x[i] < 0;
    }
    if (negative)
      continue;
    fit.perOp = coef[0];
    fit.perByte = coef[1];
    fit.perCall = coef[2];
    fit.valid = true;
    double residual = 0;
    for (const TimeSample &s : samples)
      if (s.micros > 0) {
        double e = (fit.predict(s.ops, s.bytes) - s.micros) / s.micros;
        residual += e * e;
      }
    if (residual < bestResidual * (1 - 1e-12)) {
      bestResidual = residual;
      best = fit;
    }
  }
  return best;
}
