//===- bench_util.h - Timing and memrefs for the benchmarks -*- C++ -*-===//
//
// Header-only helpers shared by the benchmark programs: a monotonic clock,
// "best of" timing with a time budget (the machines are shared and noisy:
// the minimum is the most repeatable statistic), and MLIR memref
// descriptors for calling `_mlir_ciface_` entry points, and the core's peak
// fp32 FMA throughput, the ceiling every GFLOP/s figure is read against.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_BENCHMARKS_BENCH_UTIL_H
#define BUCKET_BENCHMARKS_BENCH_UTIL_H

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <immintrin.h>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

/// The integers of a ','-separated list ("32,64,128").
inline std::vector<int64_t> parseList(const char *text) {
  std::vector<int64_t> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    values.push_back(std::atoll(item.c_str()));
  return values;
}

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

namespace detail {
// Twelve independent chains of fused multiply-adds: more than FMA latency x
// FMA pipes on current x86 cores (4 x 2), so the pipes never wait. Each
// function is compiled for its instruction set and only called where the CPU
// has it; the benchmarks themselves are built for the baseline ISA.
#define BUCKET_BENCH_FMA_CHAINS(VEC, SET1, FMA, ADD, REDUCE)                   \
  VEC acc[12];                                                                 \
  for (int j = 0; j < 12; ++j)                                                 \
    acc[j] = SET1(1.0f + j * 1e-3f);                                           \
  VEC a = SET1(0.999999f), b = SET1(1e-7f);                                    \
  for (long i = 0; i < iterations; ++i)                                        \
    for (int j = 0; j < 12; ++j)                                               \
      acc[j] = FMA(acc[j], a, b);                                              \
  VEC sum = acc[0];                                                            \
  for (int j = 1; j < 12; ++j)                                                 \
    sum = ADD(sum, acc[j]);                                                    \
  return REDUCE(sum);

__attribute__((target("avx512f"))) inline float fmaChains512(long iterations) {
  BUCKET_BENCH_FMA_CHAINS(__m512, _mm512_set1_ps, _mm512_fmadd_ps,
                          _mm512_add_ps, _mm512_reduce_add_ps)
}

__attribute__((target("avx2,fma"))) inline float reduce256(__m256 v) {
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, v);
  float sum = 0;
  for (float x : lanes)
    sum += x;
  return sum;
}

__attribute__((target("avx2,fma"))) inline float fmaChains256(long iterations) {
  BUCKET_BENCH_FMA_CHAINS(__m256, _mm256_set1_ps, _mm256_fmadd_ps,
                          _mm256_add_ps, reduce256)
}
#undef BUCKET_BENCH_FMA_CHAINS
} // namespace detail

/// The core's peak fp32 throughput in GFLOP/s, measured: the best of a few
/// runs of independent FMA chains at the widest vector width the CPU has
/// (AVX-512 or AVX2+FMA; 0 if neither). `isa` receives the width used.
inline double measurePeakGflops(std::string *isa = nullptr) {
  const long iterations = 2000000;
  volatile float sink = 0;
  int lanes = 0;
  std::function<void()> run;
  if (__builtin_cpu_supports("avx512f")) {
    lanes = 16;
    run = [&] { sink = sink + detail::fmaChains512(iterations); };
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    lanes = 8;
    run = [&] { sink = sink + detail::fmaChains256(iterations); };
  } else {
    return 0;
  }
  if (isa)
    *isa = lanes == 16 ? "AVX-512" : "AVX2+FMA";
  double seconds = bestOf(run, 0.3, 5);
  return 2.0 * lanes * 12 * iterations / seconds * 1e-9;
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
