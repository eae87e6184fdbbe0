//===- onnx_encoder.cpp - Imported vs hand-written example encoder --------===//
//
// The example encoder twice, with the same weights and the same buckets:
//   hand-written  examples/encoder/encoder.mlir.in (linalg written by hand)
//   imported      the same model written as a PyTorch module, exported to
//                 ONNX and imported by bucket-import-onnx
//                 (benchmarks/onnx_encoder_export.py)
// both self-describing shared libraries made by benchmarks/onnx_encoder.sh
// and loaded into this one process. First both builds' outputs are compared
// at every length (|d| <= --atol); then every (build, length) pair over
// every distinct length of the histogram (clamped to 512) is timed in
// shuffled rounds, interleaved, keeping each pair's best time in the
// thread's CPU time (bench_builds.h); the times are weighted by the
// histogram's counts. The core's FMA peak is measured in the same run,
// before and after the rounds. Exits 1 when the outputs differ.
//
//   bucket-bench-onnx-encoder --csv squad.csv --handwritten hand.so
//       --imported imported.so [--imported-function torch_jit]
//       [--handwritten-function forward]
//       [--buckets 32,64,...] [--rounds 3] [--atol 1e-3]
//
//===----------------------------------------------------------------------===//

#include "bench_builds.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace bench;

/// The demo's inputs (examples/encoder/demo.cpp) at `length`: token ids
/// (i * 37 + 11) % 1000 and an attention mask of ones, as int64 [length].
Inputs makeEncoderInputs(int64_t length) {
  Inputs in;
  in.storage.resize(2);
  in.tensors.resize(2);
  std::vector<int64_t> ids(length), mask(length, 1);
  for (int64_t i = 0; i < length; ++i)
    ids[i] = (i * 37 + 11) % 1000;
  for (int a = 0; a < 2; ++a) {
    const std::vector<int64_t> &values = a == 0 ? ids : mask;
    const char *bytes = reinterpret_cast<const char *>(values.data());
    in.storage[a].assign(bytes, bytes + length * sizeof(int64_t));
    check(bucket_tensor_init(in.storage[a].data(), BUCKET_ELEMENT_I64, 1,
                             &length, &in.tensors[a]),
          "inputs");
  }
  for (bucket_tensor_t &tensor : in.tensors)
    in.pointers.push_back(&tensor);
  return in;
}

/// `length,count` lines after a header; lengths clamped to `clamp`.
std::map<int64_t, double> readHistogram(const std::string &path,
                                        int64_t clamp) {
  std::ifstream in(path);
  if (!in)
    die("cannot read " + path);
  std::string line;
  std::getline(in, line);
  std::map<int64_t, double> counts;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string length, count;
    if (!std::getline(fields, length, ',') || !std::getline(fields, count))
      continue;
    int64_t l = std::min<int64_t>(std::atoll(length.c_str()), clamp);
    if (l > 0)
      counts[l] += std::atof(count.c_str());
  }
  if (counts.empty())
    die("no lengths in " + path);
  return counts;
}

/// The matmul FLOPs of the encoder at length `l` (benchmarks/encoder.cpp).
double encoderFlops(int64_t l) {
  double d = double(l);
  return 2 * (4 * 2 * d * 256 * 256 + 2 * 2 * d * 256 * 1024 +
              2 * 2 * 4 * d * d * 64);
}

double maxDiff(const std::vector<float> &a, const std::vector<float> &b) {
  if (a.size() != b.size() || a.empty())
    return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
  return worst;
}

struct Options {
  std::string csv, handwritten, imported;
  std::string handwrittenFunction = "forward", importedFunction = "torch_jit";
  std::vector<int64_t> buckets = {32, 64, 96, 128, 192, 256, 384, 512};
  int rounds = 3;
  double atol = 1e-3;
};

Options parseOptions(int argc, char **argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--csv")
      o.csv = value;
    else if (flag == "--handwritten")
      o.handwritten = value;
    else if (flag == "--imported")
      o.imported = value;
    else if (flag == "--imported-function")
      o.importedFunction = value;
    else if (flag == "--handwritten-function")
      o.handwrittenFunction = value;
    else if (flag == "--rounds")
      o.rounds = std::max(1, std::atoi(value.c_str()));
    else if (flag == "--atol")
      o.atol = std::atof(value.c_str());
    else if (flag == "--buckets") {
      o.buckets.clear();
      std::stringstream list(value);
      for (std::string item; std::getline(list, item, ',');)
        o.buckets.push_back(std::atoll(item.c_str()));
    } else
      die("unknown option " + flag);
  }
  if (argc % 2 == 0 || o.csv.empty() || o.handwritten.empty() ||
      o.imported.empty())
    die("usage: --csv FILE --handwritten LIB --imported LIB "
        "[--imported-function F] [--handwritten-function F] "
        "[--buckets LIST] [--rounds N] [--atol A]");
  return o;
}

/// Compares the builds' outputs at every length; returns false on a
/// difference above `atol`.
bool compareOutputs(const std::vector<Build> &builds,
                    const std::vector<Inputs> &inputs,
                    const std::vector<int64_t> &lengths, double atol) {
  double worst = 0;
  bool ok = true;
  for (size_t s = 0; s < lengths.size(); ++s) {
    std::vector<float> hand, imported;
    call(builds[0], inputs[s], &hand);
    call(builds[1], inputs[s], &imported);
    double d = maxDiff(hand, imported);
    worst = std::max(worst, d);
    if (!(d <= atol)) {
      std::printf("FAIL length %lld: max abs diff %g\n", (long long)lengths[s],
                  d);
      ok = false;
    }
  }
  std::printf("# outputs: %zu lengths compared, max abs diff %.3g (atol %g)"
              "%s\n",
              lengths.size(), worst, atol, ok ? "" : ": FAILED");
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  Options o = parseOptions(argc, argv);
  std::map<int64_t, double> hist = readHistogram(o.csv, 512);
  std::vector<int64_t> lengths;
  double samples = 0;
  for (auto [l, c] : hist) {
    lengths.push_back(l);
    samples += c;
  }
  std::vector<Build> builds = {
      openBuild("hand-written", o.handwritten, o.handwrittenFunction),
      openBuild("imported", o.imported, o.importedFunction)};
  std::vector<Inputs> inputs;
  for (int64_t l : lengths)
    inputs.push_back(makeEncoderInputs(l));
  std::printf("# %s: %.0f samples, %zu distinct lengths (clamped to 512)\n",
              o.csv.c_str(), samples, lengths.size());
  if (!compareOutputs(builds, inputs, lengths, o.atol))
    return 1;

  std::string isa;
  double peakBefore = measurePeakGflops(&isa);
  std::vector<Job> jobs;
  for (size_t b = 0; b < builds.size(); ++b)
    for (size_t s = 0; s < lengths.size(); ++s)
      jobs.push_back({b, s});
  runRounds(jobs, builds, inputs, o.rounds);
  double peakAfter = measurePeakGflops();

  // Weighted totals, and per bucket (the lengths that run in it).
  double total[2] = {0, 0}, flops = 0;
  std::map<int64_t, std::array<double, 2>> perBucket;
  for (const Job &job : jobs) {
    int64_t l = lengths[job.shape];
    double count = hist[l];
    total[job.build] += count * job.best;
    int64_t bucket = o.buckets.back();
    for (int64_t size : o.buckets)
      if (size >= l) {
        bucket = size;
        break;
      }
    perBucket[bucket][job.build] += count * job.best;
    if (job.build == 0)
      flops += count * encoderFlops(bucket);
  }
  std::printf("# peak of this core: %.1f GFLOP/s before the rounds, %.1f "
              "after (%s FMA chains); %d shuffled rounds, best per "
              "(build, length), thread CPU time\n",
              peakBefore, peakAfter, isa.empty() ? "no FMA" : isa.c_str(),
              o.rounds);
  std::printf("%-8s %14s %14s %10s\n", "bucket", "hand-written s", "imported s",
              "imp/hand");
  for (auto &[bucket, t] : perBucket)
    std::printf("%-8lld %14.4f %14.4f %9.3fx\n", (long long)bucket, t[0], t[1],
                t[1] / t[0]);
  std::printf("%-8s %14.4f %14.4f %9.3fx\n", "all", total[0], total[1],
              total[1] / total[0]);
  std::printf("# padded matmul work at %.1f%% of peak (hand-written), %.1f%% "
              "(imported)\n",
              100 * flops / total[0] * 1e-9 / peakBefore,
              100 * flops / total[1] * 1e-9 / peakBefore);
  std::printf("imported / hand-written over the distribution: %.3fx\n",
              total[1] / total[0]);
  return 0;
}
