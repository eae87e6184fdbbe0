//===- kernels.cpp - Static matmul kernels: bucket vs OpenBLAS vs generic -===//
//
// Every matmul and batch-matmul shape the example encoder runs at the demo's
// buckets (seq = 32 ... 512), as static functions compiled by bucket's
// lowering ("ours") and by MLIR's generic lowering, and OpenBLAS's
// cblas_sgemm on the same shapes. Each result is checked against OpenBLAS
// before timing. Prints GFLOP/s and ratios, best of several runs, one core.
//
//   bash benchmarks/kernels.sh    (or: OPENBLAS_NUM_THREADS=1
//   bucket-bench-kernels)
//
//===----------------------------------------------------------------------===//

#include "bench_util.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#ifdef BUCKET_HAVE_OPENBLAS
extern "C" {
enum CBLAS_ORDER { CblasRowMajor = 101 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111 };
void cblas_sgemm(CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, int m, int n,
                 int k, float alpha, const float *a, int lda, const float *b,
                 int ldb, float beta, float *c, int ldc);
}
#endif

using bench::Memref;
using bench::view;

// The generated entry points: void _mlir_ciface_<prefix>_<kind>_<shape>(
//   Memref<R> *result, Memref<R> *a, Memref<R> *b).
#define DECLARE_MM(prefix, m, k, n)                                            \
  extern "C" void _mlir_ciface_##prefix##_mm_##m##x##k##x##n(                  \
      Memref<2> *, Memref<2> *, Memref<2> *);
#define DECLARE_ATT(prefix, m)                                                 \
  extern "C" void _mlir_ciface_##prefix##_qk_##m(Memref<3> *, Memref<3> *,     \
                                                 Memref<3> *);                 \
  extern "C" void _mlir_ciface_##prefix##_pv_##m(Memref<3> *, Memref<3> *,     \
                                                 Memref<3> *);
// clang-format off: its layout of these lists is not stable.
#define FOR_SIZES(X, prefix)                                                   \
  X(prefix, 32) X(prefix, 64) X(prefix, 96) X(prefix, 128) X(prefix, 192)     \
  X(prefix, 256) X(prefix, 384) X(prefix, 512)
#define DECLARE_ALL_MM(prefix, m)                                              \
  DECLARE_MM(prefix, m, 256, 256) DECLARE_MM(prefix, m, 256, 1024)             \
  DECLARE_MM(prefix, m, 1024, 256)
// clang-format on
FOR_SIZES(DECLARE_ALL_MM, ours)
FOR_SIZES(DECLARE_ALL_MM, generic)
FOR_SIZES(DECLARE_ATT, ours)
FOR_SIZES(DECLARE_ATT, generic)

namespace {

using Kernel2 = void (*)(Memref<2> *, Memref<2> *, Memref<2> *);
using Kernel3 = void (*)(Memref<3> *, Memref<3> *, Memref<3> *);

/// One shape: batch x (m x k) . (k x n).
struct Shape {
  std::string name;
  int batch, m, k, n;
  Kernel2 ours2 = nullptr, generic2 = nullptr;
  Kernel3 ours3 = nullptr, generic3 = nullptr;
};

std::vector<Shape> shapes() {
  std::vector<Shape> s;
#define ADD_MM(prefix, m, k, n)                                                \
  s.push_back({"matmul " #m "x" #k "x" #n, 1, m, k, n,                         \
               _mlir_ciface_ours_mm_##m##x##k##x##n,                           \
               _mlir_ciface_generic_mm_##m##x##k##x##n});
#define ADD_ALL(prefix, m)                                                     \
  ADD_MM(prefix, m, 256, 256)                                                  \
  ADD_MM(prefix, m, 256, 1024)                                                 \
  ADD_MM(prefix, m, 1024, 256)                                                 \
  s.push_back({"batch_matmul 4x" #m "x64x" #m, 4, m, 64, m, nullptr, nullptr,  \
               _mlir_ciface_ours_qk_##m, _mlir_ciface_generic_qk_##m});        \
  s.push_back({"batch_matmul 4x" #m "x" #m "x64", 4, m, m, 64, nullptr,        \
               nullptr, _mlir_ciface_ours_pv_##m,                              \
               _mlir_ciface_generic_pv_##m});
  FOR_SIZES(ADD_ALL, unused)
  return s;
}

/// Runs a generated kernel on a, b and returns the result buffer (which the
/// generated code allocated; freed here after copying into `out`).
void runGenerated(const Shape &s, bool ours, float *a, float *b,
                  std::vector<float> &out) {
  if (s.batch == 1) {
    Memref<2> ma = view<2>(a, {s.m, s.k}), mb = view<2>(b, {s.k, s.n}), r;
    (ours ? s.ours2 : s.generic2)(&r, &ma, &mb);
    out.assign(r.aligned + r.offset, r.aligned + r.offset + s.m * s.n);
    std::free(r.allocated);
  } else {
    Memref<3> ma = view<3>(a, {s.batch, s.m, s.k}),
              mb = view<3>(b, {s.batch, s.k, s.n}), r;
    (ours ? s.ours3 : s.generic3)(&r, &ma, &mb);
    out.assign(r.aligned + r.offset,
               r.aligned + r.offset + int64_t(s.batch) * s.m * s.n);
    std::free(r.allocated);
  }
}

void callGenerated(const Shape &s, bool ours, float *a, float *b) {
  if (s.batch == 1) {
    Memref<2> ma = view<2>(a, {s.m, s.k}), mb = view<2>(b, {s.k, s.n}), r;
    (ours ? s.ours2 : s.generic2)(&r, &ma, &mb);
    std::free(r.allocated);
  } else {
    Memref<3> ma = view<3>(a, {s.batch, s.m, s.k}),
              mb = view<3>(b, {s.batch, s.k, s.n}), r;
    (ours ? s.ours3 : s.generic3)(&r, &ma, &mb);
    std::free(r.allocated);
  }
}

void reference(const Shape &s, const float *a, const float *b, float *c) {
  for (int p = 0; p < s.batch; ++p) {
    const float *pa = a + size_t(p) * s.m * s.k;
    const float *pb = b + size_t(p) * s.k * s.n;
    float *pc = c + size_t(p) * s.m * s.n;
#ifdef BUCKET_HAVE_OPENBLAS
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.m, s.n, s.k, 1.0f,
                pa, s.k, pb, s.n, 0.0f, pc, s.n);
#else
    for (int i = 0; i < s.m; ++i)
      for (int j = 0; j < s.n; ++j) {
        float acc = 0;
        for (int q = 0; q < s.k; ++q)
          acc += pa[i * s.k + q] * pb[q * s.n + j];
        pc[i * s.n + j] = acc;
      }
#endif
  }
}

/// Largest |x - ref| / (1 + |ref|).
double maxError(const std::vector<float> &x, const std::vector<float> &ref) {
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i)
    worst = std::max(worst, std::fabs(double(x[i]) - ref[i]) /
                                (1.0 + std::fabs(double(ref[i]))));
  return worst;
}

} // namespace

int main(int argc, char **argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
#ifdef BUCKET_HAVE_OPENBLAS
  // benchmarks/kernels.sh sets OPENBLAS_CORETYPE=SkylakeX on AVX-512 CPUs
  // (OpenBLAS 0.3.21 does not recognise recent ones) and leaves OpenBLAS's
  // own detection elsewhere.
  const char *coretype = std::getenv("OPENBLAS_CORETYPE");
  std::string blasName = std::string("OpenBLAS (OPENBLAS_CORETYPE=") +
                         (coretype ? coretype : "auto") + ")";
  const char *blas = blasName.c_str();
#else
  const char *blas = "naive (no OpenBLAS found)";
#endif
  std::printf("# static kernels, one core, GFLOP/s (best of runs); reference "
              "%s\n",
              blas);
  std::string isa;
  double peak = bench::measurePeakGflops(&isa);
  std::printf("# peak of this core: %.1f GFLOP/s (%s FMA chains, measured)\n",
              peak, isa.empty() ? "no FMA" : isa.c_str());
  std::printf("%-28s %9s %9s %9s %12s %12s %9s\n", "shape", "ours", "openblas",
              "generic", "ours/blas", "ours/generic", "ours/peak");
  double logSum = 0, logSumGeneric = 0, worstRatio = 1e9;
  int count = 0;
  bool failed = false;
  for (const Shape &s : shapes()) {
    size_t na = size_t(s.batch) * s.m * s.k, nb = size_t(s.batch) * s.k * s.n,
           nc = size_t(s.batch) * s.m * s.n;
    std::vector<float> a(na), b(nb), ref(nc), out;
    for (size_t i = 0; i < na; ++i)
      a[i] = float((i * 7919) % 1000) / 1000.0f - 0.5f;
    for (size_t i = 0; i < nb; ++i)
      b[i] = float((i * 104729) % 997) / 997.0f - 0.5f;
    reference(s, a.data(), b.data(), ref.data());
    for (bool ours : {true, false}) {
      runGenerated(s, ours, a.data(), b.data(), out);
      double err = maxError(out, ref);
      if (err > 1e-4) {
        std::printf("FAIL %s (%s): max relative error %g\n", s.name.c_str(),
                    ours ? "ours" : "generic", err);
        failed = true;
      }
    }
    double flops = 2.0 * s.batch * s.m * s.k * s.n;
    double budget = quick ? 0.02 : 0.3;
    double tOurs = bench::bestOf(
        [&] { callGenerated(s, true, a.data(), b.data()); }, budget);
    double tBlas = bench::bestOf(
        [&] { reference(s, a.data(), b.data(), ref.data()); }, budget);
    double tGeneric = bench::bestOf(
        [&] { callGenerated(s, false, a.data(), b.data()); }, budget, 1, 5);
    double gOurs = flops / tOurs * 1e-9, gBlas = flops / tBlas * 1e-9,
           gGeneric = flops / tGeneric * 1e-9;
    std::printf("%-28s %9.1f %9.1f %9.1f %11.2fx %11.1fx %8.0f%%\n",
                s.name.c_str(), gOurs, gBlas, gGeneric, gOurs / gBlas,
                gOurs / gGeneric, peak > 0 ? 100 * gOurs / peak : 0.0);
    logSum += std::log(gOurs / gBlas);
    logSumGeneric += std::log(gOurs / gGeneric);
    worstRatio = std::min(worstRatio, gOurs / gBlas);
    ++count;
  }
  std::printf("geomean ours/openblas %.2fx (worst %.2fx), ours/generic %.1fx "
              "over %d shapes\n",
              std::exp(logSum / count), worstRatio,
              std::exp(logSumGeneric / count), count);
  return failed ? 1 : 0;
}
