//===- Calibrate.h - Fitting the time model to measurements -----*- C++ -*-===//
//
// bucket-tune --measure compiles a few buckets, times them, and fits
//
//   time = a * ops + b * bytes + b2 * spillBytes + c   (a, b, b2, c >= 0)
//
// to the measurements by least squares on the relative error (times span
// orders of magnitude across buckets), trying every subset of the terms and
// keeping the best fit whose coefficients are all non-negative (the
// non-negative least-squares optimum: it is the unconstrained optimum on
// its own support). A term that is 0 in every sample is left out: samples
// without spill bytes fit the three-term model `a * ops + b * bytes + c`.
//
// It also fits the overlapped form, where each op takes the longer of its
// arithmetic and its memory traffic:
//
//   time = sum over ops of max(a * ops_i, b * bytes_i) + b2 * spillBytes + c
//
// For a fixed ratio r = b / a the sum is a * (sum of max(ops_i, r * bytes_i)),
// linear again, so the fit searches r (a grid in log r, then a finer one
// around the best) and solves the rest as above. The form with the smaller
// relative error on the samples is the fit.
//
// No MLIR: LLVM Support only.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TUNE_CALIBRATE_H
#define BUCKET_TUNE_CALIBRATE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <utility>

namespace mlir {
namespace bucket {

/// One measured bucket.
struct TimeSample {
  double ops = 0, bytes = 0;
  /// The measured time of one call.
  double micros = 0;
  /// Bytes that cost again, at a rate of their own (0: none).
  double spillBytes = 0;
  /// Each op's (ops, bytes), for the overlapped form; empty: the sample is
  /// one op of (ops, bytes).
  llvm::SmallVector<std::pair<double, double>, 0> perOp = {};
};

/// The fitted coefficients; `valid` is false when no fit exists (fewer than
/// one sample, or no positive time).
struct TimeFit {
  double perOp = 0, perByte = 0, perCall = 0, perSpillByte = 0;
  /// The overlapped form (the file comment): each op's max, not the sum.
  bool overlap = false;
  bool valid = false;
  double predict(double ops, double bytes, double spillBytes = 0) const {
    return (overlap ? std::max(perOp * ops, perByte * bytes)
                    : perOp * ops + perByte * bytes) +
           perSpillByte * spillBytes + perCall;
  }
  double predict(const TimeSample &sample) const {
    if (!overlap || sample.perOp.empty())
      return predict(sample.ops, sample.bytes, sample.spillBytes);
    double time = perSpillByte * sample.spillBytes + perCall;
    for (auto [ops, bytes] : sample.perOp)
      time += std::max(perOp * ops, perByte * bytes);
    return time;
  }
};

/// Fits the samples (see the file comment).
TimeFit fitTimeModel(llvm::ArrayRef<TimeSample> samples);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TUNE_CALIBRATE_H
