//===- Calibrate.h - Fitting the time model to measurements -----*- C++ -*-===//
//
// bucket-tune --measure compiles a few buckets, times them, and fits
//
//   time = a * ops + b * bytes + c          (a, b, c >= 0)
//
// to the measurements by least squares on the relative error (times span
// orders of magnitude across buckets), trying every subset of the three
// terms and keeping the best fit whose coefficients are all non-negative.
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
};

/// The fitted coefficients; `valid` is false when no fit exists (fewer than
/// one sample, or no positive time).
struct TimeFit {
  double perOp = 0, perByte = 0, perCall = 0;
  bool valid = false;
  double predict(double ops, double bytes) const {
    return perOp * ops + perByte * bytes + perCall;
  }
};

/// Fits the samples (see the file comment).
TimeFit fitTimeModel(llvm::ArrayRef<TimeSample> samples);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TUNE_CALIBRATE_H
