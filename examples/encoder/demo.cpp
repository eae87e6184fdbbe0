//===- demo.cpp - The bucketed encoder against pad-to-max on real lengths -===//
//
// Links two builds of examples/encoder: one with several buckets
// (encoder_bucketed.h, functions prefixed "bucketed_") and one padded to the
// maximum length (encoder_padmax.h, prefixed "padmax_"). For every distinct
// length of a histogram (CSV "length,count"), clamped to the largest bucket,
// it runs both once, checks they agree, and reports per-bucket calls and
// padding waste and the count-weighted time of each build.
//
//===----------------------------------------------------------------------===//

#include "encoder_bucketed.h"
#include "encoder_padmax.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {
struct Sample {
  int64_t length;
  int64_t count;
};

bool readHistogram(const char *path, std::vector<Sample> &samples) {
  std::ifstream in(path);
  if (!in)
    return false;
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string length, count;
    if (!std::getline(fields, length, ',') || !std::getline(fields, count))
      continue;
    samples.push_back({std::atoll(length.c_str()), std::atoll(count.c_str())});
  }
  return !samples.empty();
}

/// Runs one build on `length` tokens and returns seconds, filling `out`.
using CallFn = bucket_status_t (*)(const bucket_tensor_t *,
                                   const bucket_tensor_t *, bucket_tensor_t *);
double run(CallFn call, int64_t length, std::vector<float> &out) {
  std::vector<int64_t> ids(length), mask(length, 1);
  for (int64_t i = 0; i < length; ++i)
    ids[i] = (i * 37 + 11) % 1000;
  bucket_tensor_t idsT, maskT, result = {};
  bucket_status_free(
      bucket_tensor_init(ids.data(), BUCKET_ELEMENT_I64, 1, &length, &idsT));
  bucket_status_free(
      bucket_tensor_init(mask.data(), BUCKET_ELEMENT_I64, 1, &length, &maskT));
  auto start = std::chrono::steady_clock::now();
  bucket_status_t status = call(&idsT, &maskT, &result);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (status) {
    std::fprintf(stderr, "demo: length %lld failed: %s\n", (long long)length,
                 bucket_status_message(status));
    bucket_status_free(status);
    std::exit(1);
  }
  const float *data = static_cast<const float *>(result.data);
  out.assign(data, data + bucket_tensor_num_elements(&result));
  bucket_tensor_release(&result);
  return seconds;
}
} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s lengths.csv\n", argv[0]);
    return 2;
  }
  std::vector<Sample> samples;
  if (!readHistogram(argv[1], samples)) {
    std::fprintf(stderr, "demo: cannot read '%s'\n", argv[1]);
    return 1;
  }
  const bucket_function_info_t &info = bucketed_forward_info;
  int64_t maxLength = 0;
  for (int32_t b = 0; b < info.num_buckets; ++b)
    maxLength = std::max(maxLength, info.buckets[b]);

  // Clamp to the largest bucket, merging counts per length.
  std::map<int64_t, int64_t> lengths;
  int64_t total = 0, clamped = 0;
  for (const Sample &s : samples) {
    lengths[std::min(s.length, maxLength)] += s.count;
    total += s.count;
    if (s.length > maxLength)
      clamped += s.count;
  }

  struct Row {
    int64_t calls = 0, real = 0, padded = 0;
    double seconds = 0;
  };
  std::vector<Row> rows(info.num_buckets);
  Row padmax;
  double maxDiff = 0;
  std::vector<float> outBucketed, outPadmax;
  for (auto [length, count] : lengths) {
    int32_t bucket = -1;
    bucket_status_free(bucket_function_select(&info, &length, &bucket));
    double tb = run(bucketed_forward_call, length, outBucketed);
    double tp = run(padmax_forward_call, length, outPadmax);
    for (size_t i = 0; i < outBucketed.size(); ++i)
      maxDiff =
          std::max<double>(maxDiff, std::fabs(outBucketed[i] - outPadmax[i]));
    if (outBucketed.size() != outPadmax.size() || !(maxDiff <= 1e-4)) {
      std::fprintf(stderr,
                   "demo: builds disagree at length %lld (max diff %g)\n",
                   (long long)length, maxDiff);
      return 1;
    }
    Row &row = rows[bucket];
    row.calls += count;
    row.real += count * length;
    row.padded += count * info.buckets[bucket];
    row.seconds += count * tb;
    padmax.calls += count;
    padmax.real += count * length;
    padmax.padded += count * maxLength;
    padmax.seconds += count * tp;
  }

  std::printf("bucket demo: examples/encoder (2 layers, d_model 256, 4 heads, "
              "FFN 1024)\n");
  std::printf("lengths: %s: %lld samples, %zu distinct lengths after "
              "clamping %lld longer than %lld\n",
              argv[1], (long long)total, lengths.size(), (long long)clamped,
              (long long)maxLength);
  std::printf("each distinct length runs once per build; times are weighted "
              "by the histogram's counts\n\n");
  std::printf("%-12s %8s %12s %12s %8s %12s\n", "bucket (seq)", "calls",
              "real tokens", "padded", "waste", "time (s)");
  Row sum;
  for (int32_t b = 0; b < info.num_buckets; ++b) {
    const Row &r = rows[b];
    std::printf("%-12lld %8lld %12lld %12lld %7.1f%% %12.2f\n",
                (long long)info.buckets[b], (long long)r.calls,
                (long long)r.real, (long long)r.padded,
                r.real ? 100.0 * (r.padded - r.real) / r.real : 0.0, r.seconds);
    sum.calls += r.calls;
    sum.real += r.real;
    sum.padded += r.padded;
    sum.seconds += r.seconds;
  }
  auto printTotal = [](const char *name, const Row &r) {
    std::printf("%-12s %8lld %12lld %12lld %7.1f%% %12.2f\n", name,
                (long long)r.calls, (long long)r.real, (long long)r.padded,
                100.0 * (r.padded - r.real) / r.real, r.seconds);
  };
  std::printf("\n");
  printTotal("bucketed", sum);
  printTotal("pad-to-max", padmax);
  std::printf("\nbucketed vs pad-to-max: %.2fx faster (max |difference| of "
              "outputs %.3g)\n",
              padmax.seconds / sum.seconds, maxDiff);
  return 0;
}
