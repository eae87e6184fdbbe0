//===- bench_util.h - Timing and memrefs for the benchmarks -*- C++ -*-===//
//
// Header-only helpers shared by the benchmark programs: a monotonic clock,
// "best of" timing with a time budget (the machines are shared and noisy:
// the minimum is the most repeatable statistic), and MLIR memref
// descriptors for calling `_mlir_ciface_` entry points.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_BENCHMARKS_BENCH_UTIL_H
#define BUCKET_BENCHMARKS_BENCH_UTIL_H

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>

namespace bench {

inline double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// The fastest of at least `minReps` runs of `fn`, running until `budget`
/// seconds have passed (after one warm-up run).
inline double bestOf(const std::function<void()> &fn, double budget = 0.2,
                     int minReps = 3, int maxReps = 1000) {
  fn();
  double best = 1e30, start = now();
  for (int i = 0; i < maxReps && (i < minReps || now() - start < budget); ++i) {
    double t0 = now();
    fn();
    best = std::min(best, now() - t0);
  }
  return best;
}

/// An MLIR ranked memref descriptor.
template <int Rank>
struct Memref {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

template <int Rank>
Memref<Rank> view(float *data, const int64_t (&sizes)[Rank]) {
  Memref<Rank> m{data, data, 0, {}, {}};
  int64_t stride = 1;
  for (int d = Rank - 1; d >= 0; --d) {
    m.sizes[d] = sizes[d];
    m.strides[d] = stride;
    stride *= sizes[d];
  }
  return m;
}

} // namespace bench

#endif // BUCKET_BENCHMARKS_BENCH_UTIL_H
