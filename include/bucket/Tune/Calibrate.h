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
// No MLIR: LLVM Support only.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TUNE_CALIBRATE_H
#define BUCKET_TUNE_CALIBRATE_H

#include "llvm/ADT/ArrayRef.h"

namespace mlir {
namespace bucket {

/// One measured bucket.
struct TimeSample {
  double ops = 0, bytes = 0;
  /// The measured time of one call.
  double micros = 0;
  /// Bytes that cost again, at a rate of their own (0: none).
  double spillBytes = 0;
};

/// The fitted coefficients; `valid` is false when no fit exists (fewer than
/// one sample, or no positive time).
struct TimeFit {
  double perOp = 0, perByte = 0, perCall = 0, perSpillByte = 0;
  bool valid = false;
  double predict(double ops, double bytes, double spillBytes = 0) const {
    return perOp * ops + perByte * bytes + perSpillByte * spillBytes + perCall;
  }
  double predict(const TimeSample &sample) const {
    return predict(sample.ops, sample.bytes, sample.spillBytes);
  }
};

/// Fits the samples (see the file comment).
TimeFit fitTimeModel(llvm::ArrayRef<TimeSample> samples);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TUNE_CALIBRATE_H
