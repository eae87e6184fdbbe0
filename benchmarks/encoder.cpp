//===- encoder.cpp - The example encoder: bucketed vs its alternatives ----===//
//
// Runs the example encoder over real length distributions (histogram CSVs:
// `length,count`), each distinct length (clamped to 512) once per build, and
// weights the times by the counts. Builds, all in this program:
//   bucketed  8 buckets: the demo's (BUCKET_DEMO_BUCKETS, chosen for SQuAD),
//             or for a histogram whose file name names WNUT the buckets
//             chosen for WNUT-17 (BUCKET_BENCH_WNUT_BUCKETS)
//   padmax    one bucket of 512: every input padded to the maximum
//   generic   no bucketing: the dynamic function, generic lowering
//   oracle    one bucket per sampled length (BUCKET_BENCH_ORACLE_LENGTHS):
//             compared with bucketed on those lengths only, each standing for
//             the lengths of the histogram nearest to it
//   torch     PyTorch eager on the same weights (benchmarks/encoder_torch.py,
//             one thread), when --torch SCRIPT is given
// Before timing, every build's output is compared with the generic build's at
// every length it runs. Also measures the dispatcher (read the sizes, select,
// pad, crop) on a probe with the encoder's signature and buckets but no work
// (dispatch_probe.mlir): its entry point at length B-1 against its exported
// bucket B called directly, as a share of the encoder's call at B.
//
//   bucket-bench-encoder --csv squad.csv [--csv wnut.csv] [--torch SCRIPT]
//
//===----------------------------------------------------------------------===//

#include "bench_util.h"
#include "bucketed.h"
#include "generic.h"
#include "oracle.h"
#include "padmax.h"
#include "probe.h"
#include "prompts.h"
#include "wnut.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

using CallFn = bucket_status_t (*)(const bucket_tensor_t *,
                                   const bucket_tensor_t *, bucket_tensor_t *);

struct Inputs {
  std::vector<int64_t> ids, mask;
  bucket_tensor_t idsT, maskT;
  explicit Inputs(int64_t length) : ids(length), mask(length, 1) {
    for (int64_t i = 0; i < length; ++i)
      ids[i] = (i * 37 + 11) % 1000;
    bucket_status_free(
        bucket_tensor_init(ids.data(), BUCKET_ELEMENT_I64, 1, &length, &idsT));
    bucket_status_free(bucket_tensor_init(mask.data(), BUCKET_ELEMENT_I64, 1,
                                          &length, &maskT));
  }
};

void call(CallFn fn, const Inputs &in, std::vector<float> *out) {
  bucket_tensor_t result = {};
  if (bucket_status_t status = fn(&in.idsT, &in.maskT, &result)) {
    std::fprintf(stderr, "bench: call failed: %s\n",
                 bucket_status_message(status));
    std::exit(1);
  }
  if (out) {
    const float *data = static_cast<const float *>(result.data);
    out->assign(data, data + bucket_tensor_num_elements(&result));
  }
  bucket_tensor_release(&result);
}

double time(CallFn fn, const Inputs &in, double budget, int minReps) {
  return bench::bestOf([&] { call(fn, in, nullptr); }, budget, minReps, 50);
}

double maxDiff(const std::vector<float> &a, const std::vector<float> &b) {
  if (a.size() != b.size())
    return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
  return worst;
}

/// PyTorch's time per length from the script's output.
std::map<int64_t, double> runTorch(const std::string &script,
                                   const std::vector<int64_t> &lengths) {
  std::string list;
  for (int64_t l : lengths)
    list += (list.empty() ? "" : ",") + std::to_string(l);
  std::string command = "OMP_NUM_THREADS=1 /usr/bin/python3 " + script +
                        " --bench --lengths " + list;
  std::map<int64_t, double> times;
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return times;
  char line[512];
  while (std::fgets(line, sizeof line, pipe)) {
    long long length, count;
    double seconds;
    if (std::sscanf(line, "length %lld count %lld seconds %lf", &length, &count,
                    &seconds) == 3)
      times[length] = seconds;
    else if (line[0] == '#')
      std::printf("torch %s", line);
  }
  pclose(pipe);
  return times;
}

// The exported buckets, for the dispatcher measurement.
struct Bucket {
  int64_t size;
  CallFn direct;
  CallFn probeDirect;
};
#define BUCKETED_BUCKET(n)                                                     \
  {n, bucketed_forward_seq##n##_call, probe_forward_seq##n##_call},
const Bucket kBuckets[] = {
    BUCKETED_BUCKET(32) BUCKETED_BUCKET(64) BUCKETED_BUCKET(96)
        BUCKETED_BUCKET(128) BUCKETED_BUCKET(192) BUCKETED_BUCKET(256)
            BUCKETED_BUCKET(384) BUCKETED_BUCKET(512)};

/// The multiply-add FLOPs of the encoder's matmuls at length `l` (2 layers):
/// Q, K, V, O projections (l x 256 x 256 each), the FFN (l x 256 x 1024 and
/// l x 1024 x 256), and attention scores and context (4 heads, l x 64 x l and
/// l x l x 64). Everything else (softmax, layer norm, GELU) is O(l) per
/// element and left out: a lower bound on the work.
double encoderFlops(int64_t l) {
  double d = double(l);
  return 2 * (4 * 2 * d * 256 * 256 + 2 * 2 * d * 256 * 1024 +
              2 * 2 * 4 * d * d * 64);
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> csvs;
  std::string torchScript;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--csv") && i + 1 < argc)
      csvs.push_back(argv[++i]);
    else if (!std::strcmp(argv[i], "--torch") && i + 1 < argc)
      torchScript = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: %s --csv FILE [--csv FILE] [--torch SCRIPT]\n",
                   argv[0]);
      return 2;
    }
  }
  if (csvs.empty()) {
    std::fprintf(stderr, "bench: no --csv given\n");
    return 2;
  }
  std::printf("# example encoder (2 layers, d 256, 4 heads, FFN 1024), one "
              "core; bucketed: %s; oracle lengths: %s\n",
              BUCKET_DEMO_BUCKETS, BUCKET_BENCH_ORACLE_LENGTHS);
  std::vector<int64_t> oracleLengths =
      bench::parseList(BUCKET_BENCH_ORACLE_LENGTHS);
  bool failed = false;

  for (const std::string &csv : csvs) {
    bool isWnut = csv.find("wnut") != std::string::npos;
    CallFn bucketedFn = isWnut ? wnut_forward_call : bucketed_forward_call;
    const char *bucketSpec =
        isWnut ? BUCKET_BENCH_WNUT_BUCKETS : BUCKET_DEMO_BUCKETS;
    std::map<int64_t, int64_t> hist = decoder::readLengthHistogram(csv, 512);
    int64_t samples = 0;
    for (auto [l, c] : hist)
      samples += c;
    std::vector<int64_t> lengths;
    for (auto [l, c] : hist)
      lengths.push_back(l);
    std::map<int64_t, double> torch;
    if (!torchScript.empty())
      torch = runTorch(torchScript, lengths);

    // The work each build does over the histogram, in matmul FLOPs: what
    // the measured ratios are read against.
    std::vector<int64_t> buckets =
        bench::parseList(std::strchr(bucketSpec, '=') + 1);
    double wExact = 0, wBucketed = 0, wPadmax = 0;
    for (auto [length, count] : hist) {
      int64_t bucket =
          *std::lower_bound(buckets.begin(), buckets.end(), length);
      wExact += count * encoderFlops(length);
      wBucketed += count * encoderFlops(bucket);
      wPadmax += count * encoderFlops(512);
    }

    double tBucketed = 0, tPadmax = 0, tGeneric = 0, tTorch = 0;
    bool torchComplete = !torchScript.empty();
    for (auto [length, count] : hist) {
      Inputs in(length);
      std::vector<float> ref, out;
      call(generic_forward_call, in, &ref);
      for (CallFn fn : {bucketedFn, padmax_forward_call}) {
        call(fn, in, &out);
        double d = maxDiff(out, ref);
        if (!(d <= 1e-3)) {
          std::printf("FAIL length %lld: max abs diff %g against generic\n",
                      (long long)length, d);
          failed = true;
        }
      }
      tBucketed += count * time(bucketedFn, in, 0.05, 2);
      tPadmax += count * time(padmax_forward_call, in, 0.05, 2);
      tGeneric += count * time(generic_forward_call, in, 0.05, 2);
      auto it = torch.find(length);
      if (it != torch.end())
        tTorch += count * it->second;
      else
        torchComplete = false;
    }

    // The oracle on its sample: each sampled length stands for the lengths
    // nearest to it.
    std::map<int64_t, int64_t> weight;
    for (auto [l, c] : hist) {
      int64_t best = oracleLengths.front();
      for (int64_t o : oracleLengths)
        if (std::llabs(o - l) < std::llabs(best - l))
          best = o;
      weight[best] += c;
    }
    double oBucketed = 0, oOracle = 0;
    for (auto [length, w] : weight) {
      Inputs in(length);
      std::vector<float> ref, out;
      call(generic_forward_call, in, &ref);
      call(oracle_forward_call, in, &out);
      if (!(maxDiff(out, ref) <= 1e-3)) {
        std::printf("FAIL oracle length %lld\n", (long long)length);
        failed = true;
      }
      oBucketed += w * time(bucketedFn, in, 0.05, 2);
      oOracle += w * time(oracle_forward_call, in, 0.05, 2);
    }

    std::printf(
        "\n## %s: %lld samples, %zu distinct lengths (clamped to 512)\n",
        csv.c_str(), (long long)samples, lengths.size());
    std::printf("%-34s %12s %12s\n", "build", "seconds", "bucketed is");
    std::printf("bucketed: %s\n", bucketSpec);
    std::printf("%-34s %12.3f %12s\n", "bucketed (8 buckets)", tBucketed,
                "1.00x");
    std::printf("%-34s %12.3f %11.2fx\n", "padded to 512", tPadmax,
                tPadmax / tBucketed);
    std::printf("%-34s %12.3f %11.2fx\n", "generic dynamic (no bucketing)",
                tGeneric, tGeneric / tBucketed);
    if (torchComplete)
      std::printf("%-34s %12.3f %11.2fx\n", "PyTorch eager (1 thread)", tTorch,
                  tTorch / tBucketed);
    else if (!torchScript.empty())
      std::printf("PyTorch: missing lengths in the script's output\n");
    std::printf("%-34s %12.3f %11.2fx   (bucketed on the sample: %.3f s)\n",
                "oracle (sampled lengths)", oOracle, oOracle / oBucketed,
                oBucketed);
    std::printf("work (matmul FLOPs): padded to 512 does %.2fx the bucketed "
                "build's and %.2fx the exact lengths'\n",
                wPadmax / wBucketed, wPadmax / wExact);
  }

  // Per bucket: the encoder at exactly the bucket length, bucketed vs
  // PyTorch, and the dispatcher's cost.
  std::vector<int64_t> bucketLengths;
  for (const Bucket &b : kBuckets)
    bucketLengths.push_back(b.size);
  std::map<int64_t, double> torch;
  if (!torchScript.empty())
    torch = runTorch(torchScript, bucketLengths);
  std::printf("\n## per bucket length B: one call at B, seconds; dispatch = "
              "read sizes + select + pad + crop, measured on the probe "
              "(dispatch_probe.mlir: same signature and buckets, no work) at "
              "length B-1 against its bucket B called directly\n");
  // What "2x PyTorch" asks of this core: the matmul FLOPs at B in half of
  // PyTorch's time, against the peak of the core's FMA units.
  std::string isa;
  double peak = bench::measurePeakGflops(&isa);
  std::printf("# GFLOP/s = matmul FLOPs at B / time; 2x-torch = the GFLOP/s "
              "a call at half of PyTorch's time would need; peak of this "
              "core: %.1f GFLOP/s (%s FMA chains, measured)\n",
              peak, isa.empty() ? "no FMA" : isa.c_str());
  std::printf("%6s %11s %11s %9s %9s %10s %14s %9s\n", "seq", "bucketed",
              "torch", "torch/b", "GFLOP/s", "2x-torch", "dispatch ns",
              "share");
  for (const Bucket &b : kBuckets) {
    Inputs exact(b.size), below(b.size - 1);
    double tExact = time(bucketed_forward_call, exact, 0.1, 3);
    // Interleave the probe's two calls to share the machine's noise.
    double tDirect = 1e30, tDispatch = 1e30;
    for (int round = 0; round < 20; ++round) {
      tDirect = std::min(tDirect, time(b.probeDirect, exact, 0.01, 20));
      tDispatch =
          std::min(tDispatch, time(probe_forward_call, below, 0.01, 20));
    }
    double overhead = tDispatch - tDirect;
    auto it = torch.find(b.size);
    double tTorch = it == torch.end() ? NAN : it->second;
    double flops = encoderFlops(b.size);
    std::printf("%6lld %11.6f %11.6f %8.2fx %9.1f %10.1f %14.0f %8.3f%%\n",
                (long long)b.size, tExact, tTorch, tTorch / tExact,
                flops / tExact * 1e-9, flops / (tTorch / 2) * 1e-9,
                overhead * 1e9, 100.0 * overhead / tExact);
  }
  return failed ? 1 : 0;
}
