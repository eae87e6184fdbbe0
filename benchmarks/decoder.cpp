//===- decoder.cpp - Greedy generation with the example decoder -----------===//
//
// The example decoder (examples/decoder: 2 layers, d 256, 4 heads, vocab
// 2048, one KV cache of capacity 1024 as a state argument) generating text
// greedily from every prompt length of a real distribution (a `length,count`
// histogram: SQuAD v1.1 contexts, WNUT-17 sentences; lengths above the
// capacity minus the new tokens truncated), a fixed number of new tokens
// each, every length weighted by its count.
// Builds, linked into this program and timed interleaved:
//   bucketed  the module's buckets (BUCKET_DECODER_*_BUCKETS)
//   padmax    prompt=1024, len=1024: every call runs the full capacity
//   generic   no bucketing: the dynamic functions, generic lowering
//   oracle    prefill compiled at exactly a documented sample of prompt
//             lengths (BUCKET_BENCH_DECODER_ORACLE_PROMPTS), decode at a
//             sample of cache lengths (BUCKET_BENCH_DECODER_ORACLE_LENGTHS):
//             the exact-length time in between is interpolated (prefill:
//             time per FLOP, decode: time, both linear in the length)
//   torch     PyTorch eager, its own growing torch.cat cache, same weights
// Before timing, every build's logits are compared with the generic build's
// over one generation, and PyTorch's with the bucketed build's.
//
//   bucket-bench-decoder --csv squad.csv [--torch SCRIPT --mlir decoder.mlir]
//                        [--new-tokens 64] [--sample N] [--steps-csv FILE]
//
// --sample N times N evenly spaced quantiles of the distribution instead of
// every length (a quick look, not the benchmark); --steps-csv writes the
// per-step sweep (benchmarks/plot_decoder_steps.py draws it).
//
//===----------------------------------------------------------------------===//

#include "bench_util.h"
#include "bucketed.h"
#include "generic.h"
#include "oracle.h"
#include "padmax.h"
#include "prompts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr int64_t kL = 2, kH = 4, kDh = 64, kD = 256, kF = 1024, kV = 2048;
constexpr int64_t kCap = 1024;

using PrefillFn = bucket_status_t (*)(const bucket_tensor_t *,
                                      const bucket_tensor_t *,
                                      bucket_tensor_t *, bucket_tensor_t *);
using DecodeFn = bucket_status_t (*)(const bucket_tensor_t *,
                                     const bucket_tensor_t *,
                                     const bucket_tensor_t *, bucket_tensor_t *,
                                     bucket_tensor_t *);
struct Build {
  const char *name;
  PrefillFn prefill;
  DecodeFn decode;
};
const Build kBucketed = {"bucketed", bucketed_prefill_call,
                         bucketed_decode_call};
const Build kPadmax = {"padmax", padmax_prefill_call, padmax_decode_call};
const Build kGeneric = {"generic", generic_prefill_call, generic_decode_call};
const Build kOracle = {"oracle", oracle_prefill_call, oracle_decode_call};

void check(bucket_status_t status, const char *what) {
  if (!status)
    return;
  std::fprintf(stderr, "bench: %s: %s\n", what, bucket_status_message(status));
  std::exit(1);
}

bucket_tensor_t tensor(void *data, bucket_element_type_t type,
                       std::vector<int64_t> shape) {
  bucket_tensor_t t;
  check(bucket_tensor_init(data, type, int32_t(shape.size()), shape.data(), &t),
        "tensor");
  return t;
}

/// One generator: the cache (the state), the logits, the positions.
struct Session {
  std::vector<float> cache = std::vector<float>(kL * 2 * kH * kCap * kDh);
  std::vector<float> logits = std::vector<float>(kV);
  std::vector<int64_t> positions = std::vector<int64_t>(kCap);
  Session() {
    for (int64_t i = 0; i < kCap; ++i)
      positions[i] = i;
  }
  void prefill(const Build &b, int64_t prompt) {
    std::vector<int64_t> ids(prompt);
    for (int64_t i = 0; i < prompt; ++i)
      ids[i] = (i * 37 + prompt) % kV;
    bucket_tensor_t idsT = tensor(ids.data(), BUCKET_ELEMENT_I64, {prompt});
    bucket_tensor_t c = cacheT(), l = logitsT(), out = c;
    check(b.prefill(&idsT, &c, &l, &out), b.name);
  }
  void decode(const Build &b, int64_t token, int64_t len) {
    bucket_tensor_t idT = tensor(&token, BUCKET_ELEMENT_I64, {1});
    bucket_tensor_t posT = tensor(positions.data(), BUCKET_ELEMENT_I64, {len});
    bucket_tensor_t c = cacheT(), l = logitsT(), out = c;
    check(b.decode(&idT, &c, &posT, &l, &out), b.name);
  }
  int64_t argmax() const {
    return std::max_element(logits.begin(), logits.end()) - logits.begin();
  }
  /// Prefill and `steps` greedy decode steps; the logits of every call are
  /// appended to `trace` when given.
  void generate(const Build &b, int64_t prompt, int64_t steps,
                std::vector<float> *trace = nullptr) {
    prefill(b, prompt);
    for (int64_t len = prompt + 1; len <= prompt + steps; ++len) {
      if (trace)
        trace->insert(trace->end(), logits.begin(), logits.end());
      decode(b, argmax(), len);
    }
    if (trace)
      trace->insert(trace->end(), logits.begin(), logits.end());
  }

private:
  bucket_tensor_t cacheT() {
    return tensor(cache.data(), BUCKET_ELEMENT_F32, {kL, 2, kH, kCap, kDh});
  }
  bucket_tensor_t logitsT() {
    return tensor(logits.data(), BUCKET_ELEMENT_F32, {kV});
  }
};

/// The smallest bucket of `spec` ("name=a,b,c") that holds `n`.
int64_t bucketOf(const char *spec, int64_t n) {
  for (int64_t b : bench::parseList(std::strchr(spec, '=') + 1))
    if (b >= n)
      return b;
  return -1;
}

/// The prompt lengths of a `length,count` histogram with their counts,
/// lengths above `maxLength` counted at `maxLength`. With `sample` > 0, that
/// many lengths at evenly spaced quantiles instead, each counted once.
std::map<int64_t, int64_t> readPrompts(const std::string &path,
                                       int64_t maxLength, int sample) {
  std::map<int64_t, int64_t> hist =
      decoder::readLengthHistogram(path, maxLength);
  if (sample <= 0)
    return hist;
  std::map<int64_t, int64_t> sampled;
  for (int64_t length : decoder::quantileLengths(hist, sample))
    sampled[length] += 1;
  return sampled;
}

double maxDiff(const std::vector<float> &a, const std::vector<float> &b) {
  if (a.size() != b.size())
    return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
  return worst;
}

//===----------------------------------------------------------------------===//
// The work model of one decode step at cache length `len` run in a bucket of
// `bucket`: it reads every weight once (Q, K, V, O, the MLP, the LM head and
// one row of each embedding), reads `bucket` positions of the cache (K and V
// of every layer and head) and writes one; FLOPs are the multiply-adds of
// those matmuls plus the attention's over `bucket` positions.
//===----------------------------------------------------------------------===//
double stepBytes(int64_t bucket) {
  double weights = kL * (4.0 * kD * kD + 2.0 * kD * kF + 9.0 * kD + kF) +
                   1.0 * kD * kV + 4.0 * kD;
  double cacheRow = 2.0 * kL * kH * kDh;
  return 4 * (weights + cacheRow * (bucket + 1));
}

double stepFlops(int64_t bucket) {
  return 2.0 * (kL * (4.0 * kD * kD + 2.0 * kD * kF) + 1.0 * kD * kV) +
         2.0 * 2.0 * kL * kH * kDh * bucket;
}

/// The FLOPs of a prefill of `n` positions: the projections and the MLP of
/// every position, the attention over n x n, the LM head at the last one.
double prefillFlops(int64_t n) {
  return 2.0 * n * kL * (4.0 * kD * kD + 2.0 * kD * kF) +
         2.0 * 2.0 * kL * kD * n * n + 2.0 * kD * kV;
}

} // namespace

namespace {

/// Runs the PyTorch script; returns its lines "prompt P seconds S
/// decode_seconds D" as {P: {S, D}}, and prints its comments.
std::map<int64_t, std::pair<double, double>>
runTorch(const std::string &command) {
  std::map<int64_t, std::pair<double, double>> times;
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return times;
  char line[512];
  while (std::fgets(line, sizeof line, pipe)) {
    long long prompt;
    double seconds, decode;
    if (std::sscanf(line, "prompt %lld seconds %lf decode_seconds %lf", &prompt,
                    &seconds, &decode) == 3)
      times[prompt] = {seconds, decode};
    else if (line[0] == '#')
      std::printf("torch %s", line);
  }
  pclose(pipe);
  return times;
}

/// Every build's logits over one generation against the generic build's,
/// and PyTorch's against the bucketed build's. Returns false on a mismatch.
bool compareBuilds(int64_t prompt, int64_t steps, const std::string &torch) {
  std::vector<float> ref, out;
  Session().generate(kGeneric, prompt, steps, &ref);
  bool ok = true;
  for (const Build *b : {&kBucketed, &kPadmax, &kOracle}) {
    out.clear();
    Session().generate(*b, prompt, steps, &out);
    double d = maxDiff(out, ref);
    std::printf("check: %-8s logits of prefill(%lld) + %lld steps, max abs "
                "diff %.3g against generic\n",
                b->name, (long long)prompt, (long long)steps, d);
    ok &= d <= 1e-3;
    if (b == &kBucketed)
      ref.swap(out); // PyTorch is compared with the bucketed build
  }
  if (torch.empty())
    return ok;
  std::string path = "/tmp/bucket-bench-decoder-torch.bin";
  std::string command = torch + " --dump " + path + " --prompt " +
                        std::to_string(prompt) + " --new-tokens " +
                        std::to_string(steps);
  runTorch(command);
  std::ifstream in(path, std::ios::binary);
  std::vector<float> t(ref.size());
  in.read(reinterpret_cast<char *>(t.data()), t.size() * sizeof(float));
  double d = in ? maxDiff(t, ref) : INFINITY;
  std::printf("check: torch    logits of the same generation, max abs diff "
              "%.3g against bucketed\n",
              d);
  return ok && d <= 1e-3;
}

/// One decode step's time at cache length `len` (the cache holds finite
/// values everywhere).
double stepTime(Session &s, const Build &b, int64_t len, double budget) {
  return bench::bestOf([&] { s.decode(b, 7, len); }, budget, 3, 200);
}

/// Best-of step times per cache length, from the sweep.
struct StepTimes {
  std::map<int64_t, double> bucketed, padmax, oracle;
};

/// Per-step time against the cache length, every build interleaved, at
/// every multiple of 16, each bucket size and each oracle length; written
/// to `csvPath` when given.
StepTimes stepSweep(const std::string &csvPath) {
  Session s;
  for (size_t i = 0; i < s.cache.size(); ++i)
    s.cache[i] = float((i * 2654435761u) % 1000) * 1e-3f - 0.5f;
  std::vector<int64_t> oracle =
      bench::parseList(BUCKET_BENCH_DECODER_ORACLE_LENGTHS);
  StepTimes times;
  std::set<int64_t> lengths(oracle.begin(), oracle.end());
  for (int64_t len = 16; len <= kCap; len += 16)
    lengths.insert(len);
  for (int64_t b :
       bench::parseList(std::strchr(BUCKET_DECODER_DECODE_BUCKETS, '=') + 1))
    lengths.insert(b);
  FILE *csv = csvPath.empty() ? nullptr : std::fopen(csvPath.c_str(), "w");
  if (csv)
    std::fprintf(csv, "len,bucket,bucketed_ms,padmax_ms,generic_ms,exact_ms,"
                      "mb_bucketed,mb_padmax,mb_exact\n");
  std::printf("\n## decode: time per step against the cache length (ms); "
              "work model per step: MB read, MFLOP\n");
  std::printf("%5s %6s %9s %9s %9s %9s | %8s %8s %8s | %7s %7s\n", "len",
              "bucket", "bucketed", "padmax", "generic", "exact", "MB b",
              "MB pad", "MB exact", "MFLOP b", "MF pad");
  for (int64_t len : lengths) {
    double tb = 1e30, tp = 1e30, tg = NAN, to = NAN;
    bool exact = std::count(oracle.begin(), oracle.end(), len);
    for (int round = 0; round < 2; ++round) {
      tb = std::min(tb, stepTime(s, kBucketed, len, 0.02));
      tp = std::min(tp, stepTime(s, kPadmax, len, 0.02));
      if (exact)
        to = std::min(std::isnan(to) ? 1e30 : to,
                      stepTime(s, kOracle, len, 0.02));
    }
    if (len % 64 == 0)
      tg = stepTime(s, kGeneric, len, 0.01);
    if (exact)
      times.oracle[len] = to;
    times.bucketed[len] = tb;
    times.padmax[len] = tp;
    int64_t b = bucketOf(BUCKET_DECODER_DECODE_BUCKETS, len);
    std::printf("%5lld %6lld %9.3f %9.3f %9.3f %9.3f | %8.2f %8.2f %8.2f | "
                "%7.2f %7.2f\n",
                (long long)len, (long long)b, tb * 1e3, tp * 1e3, tg * 1e3,
                to * 1e3, stepBytes(b) * 1e-6, stepBytes(kCap) * 1e-6,
                stepBytes(len) * 1e-6, stepFlops(b) * 1e-6,
                stepFlops(kCap) * 1e-6);
    if (csv)
      std::fprintf(csv, "%lld,%lld,%.4f,%.4f,%.4f,%.4f,%.3f,%.3f,%.3f\n",
                   (long long)len, (long long)b, tb * 1e3, tp * 1e3, tg * 1e3,
                   to * 1e3, stepBytes(b) * 1e-6, stepBytes(kCap) * 1e-6,
                   stepBytes(len) * 1e-6);
  }
  if (csv)
    std::fclose(csv);
  return times;
}

/// `t` (measured at a few lengths) at `len`: linear between the nearest
/// measured lengths, and along the line through the first (last) two below
/// (above) them.
double interpolate(const std::map<int64_t, double> &t, int64_t len) {
  if (t.size() == 1)
    return t.begin()->second;
  auto hi = t.lower_bound(len);
  if (hi != t.end() && hi->first == len)
    return hi->second;
  if (hi == t.begin())
    ++hi;
  if (hi == t.end())
    --hi;
  auto lo = std::prev(hi);
  double f = double(len - lo->first) / double(hi->first - lo->first);
  return lo->second + f * (hi->second - lo->second);
}

/// Seconds summed over the prompts of a run, each weighted by its count:
/// prefill alone, and prefill plus the decode steps.
struct Totals {
  double prefill = 0, generate = 0;
};

/// Decode seconds of a run summed from the sweep's step times.
struct SweepSums {
  double bucketed, padmax, oracle;
};

/// What the work model predicts over a run: decode bytes (bucketed, padmax,
/// exact length) and prefill FLOPs (bucketed, padmax, exact).
struct WorkModel {
  double bytesB, bytesPad, bytesExact, prefillFlopsB, prefillFlopsPad,
      prefillFlopsExact;
};

/// PyTorch's weighted totals over the prompts, or false if it did not run
/// every prompt.
bool torchTotals(const std::string &torch,
                 const std::map<int64_t, int64_t> &prompts, int64_t newTokens,
                 Totals &out) {
  std::string list;
  for (auto [p, count] : prompts)
    list += (list.empty() ? "" : ",") + std::to_string(p);
  auto times = runTorch(torch + " --bench --reps 2 --prompts " + list +
                        " --new-tokens " + std::to_string(newTokens));
  if (times.size() != prompts.size())
    return false;
  for (auto [p, count] : prompts) {
    out.generate += count * times[p].first;
    out.prefill += count * (times[p].first - times[p].second);
  }
  return true;
}

bool report(std::map<std::string, Totals> &t,
            const std::map<int64_t, int64_t> &prompts, int64_t newTokens,
            const SweepSums &d, const WorkModel &w, double copiedPerCall,
            double peakGflops, const std::string &torch) {
  double calls = 0, promptTokens = 0;
  for (auto [p, count] : prompts) {
    calls += count;
    promptTokens += double(p) * count;
  }
  double tokens = calls * newTokens;
  if (!torch.empty() && !torchTotals(torch, prompts, newTokens, t["torch"]))
    t.erase("torch");
  std::printf("\n## greedy generation: %zu prompt lengths, %.0f prompts "
              "(mean %.1f tokens, %lld..%lld), %lld new tokens each\n",
              prompts.size(), calls, promptTokens / calls,
              (long long)prompts.begin()->first,
              (long long)prompts.rbegin()->first, (long long)newTokens);
  std::printf("%-10s %10s %10s %12s %12s %11s\n", "build", "prefill s",
              "total s", "tokens/s", "decode tok/s", "bucketed is");
  const Totals &b = t["bucketed"];
  for (auto name : {"bucketed", "padmax", "generic", "torch"}) {
    if (!t.count(name))
      continue;
    const Totals &x = t[name];
    std::printf("%-10s %10.3f %10.3f %12.1f %12.1f %10.2fx\n", name, x.prefill,
                x.generate, tokens / x.generate,
                tokens / (x.generate - x.prefill), x.generate / b.generate);
  }
  // Decode from the sweep's best-of times: the same statistic for every
  // build, and the only one the oracle has.
  double oracleTotal = t["oracle"].prefill + d.oracle;
  double bucketedTotal = b.prefill + d.bucketed;
  const Totals &pad = t["padmax"];
  double decodeGain = d.padmax / d.bucketed;
  double decodePredicted = w.bytesPad / w.bytesB;
  std::printf("oracle (exact lengths interpolated; decode steps from the "
              "sweep): bucketed / oracle = %.3fx (target <= 1.15x): prefill "
              "%.3fx, decode %.3fx\n",
              bucketedTotal / oracleTotal, b.prefill / t["oracle"].prefill,
              d.bucketed / d.oracle);
  std::printf("physical limit (prefill FLOPs of the exact lengths at the "
              "peak): bucketed %.1f%%, oracle %.1f%%\n",
              100 * w.prefillFlopsExact / (peakGflops * 1e9) / b.prefill,
              100 * w.prefillFlopsExact / (peakGflops * 1e9) /
                  t["oracle"].prefill);
  std::printf("decode work model (bytes read per step): padmax %.3fx "
              "bucketed, bucketed %.4fx exact; measured (sweep) padmax / "
              "bucketed %.3fx = %.0f%% of the predicted speed-up (target >= "
              "90%%; of the gain above 1x: %.0f%%)\n",
              decodePredicted, w.bytesB / w.bytesExact, decodeGain,
              100 * decodeGain / decodePredicted,
              100 * (decodeGain - 1) / (decodePredicted - 1));
  std::printf("prefill work model (FLOPs): padmax %.2fx bucketed, bucketed "
              "%.3fx exact; measured padmax / bucketed %.2fx\n",
              w.prefillFlopsPad / w.prefillFlopsB,
              w.prefillFlopsB / w.prefillFlopsExact, pad.prefill / b.prefill);
  if (t.count("torch"))
    std::printf("bucketed tokens/s over PyTorch eager's: %.2fx (target >= "
                "1.5x)\n",
                t["torch"].generate / b.generate);
  std::printf("state bytes copied per call (runtime counter): %.0f (target "
              "0)\n",
              copiedPerCall);
  return copiedPerCall == 0;
}

/// The time of one call of `fn`.
double timeOnce(const std::function<void()> &fn) {
  double t0 = bench::now();
  fn();
  return bench::now() - t0;
}

/// The exact-length prefill time of `p` positions from the oracle's times at
/// its compiled lengths around it: the time per FLOP interpolated linearly
/// between them, times p's FLOPs.
double exactPrefill(int64_t p, const std::map<int64_t, double> &around) {
  std::map<int64_t, double> perFlop;
  for (auto [len, t] : around)
    perFlop[len] = t / prefillFlops(len);
  return interpolate(perFlop, p) * prefillFlops(p);
}

/// One prompt's prefill in every build, interleaved: the bucketed build and
/// the oracle at its compiled lengths around `p` (the same statistic: best
/// of a few calls), the pad-to-max and generic builds (5-25x slower) one
/// call each. Returns the bucketed and the exact-length time.
std::pair<double, double> prefillOne(Session *sessions,
                                     const Build *const *builds, int64_t p,
                                     int64_t count,
                                     std::map<std::string, Totals> &t) {
  double bucketed = 0;
  for (int i = 0; i < 3; ++i) {
    Session &s = sessions[i];
    auto run = [&] { s.prefill(*builds[i], p); };
    double tp = i == 0 ? bench::bestOf(run, 0.05, 2, 20) : timeOnce(run);
    t[builds[i]->name].prefill += count * tp;
    t[builds[i]->name].generate += count * tp;
    if (i == 0)
      bucketed = tp;
  }
  std::vector<int64_t> exact =
      bench::parseList(BUCKET_BENCH_DECODER_ORACLE_PROMPTS);
  auto hi = std::lower_bound(exact.begin(), exact.end(), p);
  std::map<int64_t, double> around;
  for (auto it : {hi == exact.begin() ? hi : std::prev(hi), hi})
    if (it != exact.end() && (*it == p || *hi != p))
      around[*it] = bench::bestOf([&] { sessions[0].prefill(kOracle, *it); },
                                  0.05, 2, 20);
  double oracle = exactPrefill(p, around);
  t["oracle"].prefill += count * oracle;
  return {bucketed, oracle};
}

/// One prompt's generation in every build, interleaved: the prefill
/// (prefillOne), then each decode step of the bucketed build's greedy
/// sequence in every build in turn, best of 3 calls each (a decode step can
/// be repeated: it writes the same entry and returns the same logits). Sums,
/// weighted by `count`, go to `t`.
void generateOne(int64_t p, int64_t count, int64_t newTokens,
                 std::map<std::string, Totals> &t) {
  static Session sessions[3];
  static const Build *const builds[3] = {&kBucketed, &kPadmax, &kGeneric};
  auto [bucketed, exact] = prefillOne(sessions, builds, p, count, t);
  if (std::getenv("BUCKET_BENCH_VERBOSE"))
    std::printf("prefill %lld: bucketed %.3f ms, exact %.3f ms, %.3fx\n",
                (long long)p, bucketed * 1e3, exact * 1e3, bucketed / exact);
  sessions[0].prefill(kBucketed, p);
  for (int64_t len = p + 1; len <= p + newTokens; ++len) {
    int64_t token = sessions[0].argmax();
    for (int i = 0; i < 3; ++i) {
      Session &s = sessions[i];
      auto step = [&] { s.decode(*builds[i], token, len); };
      t[builds[i]->name].generate +=
          count * (i == 2 ? timeOnce(step) : bench::bestOf(step, 0.0, 2, 3));
    }
  }
}

/// Greedy generation from every prompt length (generateOne); prints
/// tokens/s, the ratios and the targets of the issue. Returns false if a
/// state buffer was not updated in place (state bytes copied).
bool generationRun(const std::map<int64_t, int64_t> &prompts, int64_t newTokens,
                   const StepTimes &sweep, double peak,
                   const std::string &torch) {
  std::map<std::string, Totals> t;
  SweepSums d = {0, 0, 0};
  WorkModel w = {0, 0, 0, 0, 0, 0};
  uint64_t copied0 = bucket_state_bytes_copied(), calls0 = bucket_state_calls();
  for (auto [p, count] : prompts) {
    generateOne(p, count, newTokens, t);
    for (int64_t len = p + 1; len <= p + newTokens; ++len) {
      // From the sweep (best of many calls each): the bucketed build at its
      // bucket, the exact length and pad-to-max interpolated.
      int64_t bucket = bucketOf(BUCKET_DECODER_DECODE_BUCKETS, len);
      d.bucketed += count * sweep.bucketed.at(bucket);
      d.padmax += count * interpolate(sweep.padmax, len);
      d.oracle += count * interpolate(sweep.oracle, len);
      w.bytesB += count * stepBytes(bucket);
      w.bytesPad += count * stepBytes(kCap);
      w.bytesExact += count * stepBytes(len);
    }
    w.prefillFlopsB +=
        count * prefillFlops(bucketOf(BUCKET_DECODER_PREFILL_BUCKETS, p));
    w.prefillFlopsPad += count * prefillFlops(kCap);
    w.prefillFlopsExact += count * prefillFlops(p);
  }
  double copiedPerCall = double(bucket_state_bytes_copied() - copied0) /
                         double(bucket_state_calls() - calls0);
  return report(t, prompts, newTokens, d, w, copiedPerCall, peak, torch);
}
} // namespace

int main(int argc, char **argv) {
  std::string csv, torchScript, mlir, stepsCsv;
  int sample = 0;
  int64_t newTokens = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--csv")
      csv = argv[i + 1];
    else if (flag == "--torch")
      torchScript = argv[i + 1];
    else if (flag == "--mlir")
      mlir = argv[i + 1];
    else if (flag == "--sample")
      sample = std::atoi(argv[i + 1]);
    else if (flag == "--new-tokens")
      newTokens = std::atoll(argv[i + 1]);
    else if (flag == "--steps-csv")
      stepsCsv = argv[i + 1];
  }
  if (csv.empty() || newTokens < 1 || newTokens >= kCap) {
    std::fprintf(stderr,
                 "usage: %s --csv FILE [--torch SCRIPT --mlir FILE] "
                 "[--new-tokens N] [--sample N] [--steps-csv FILE]\n",
                 argv[0]);
    return 2;
  }
  std::map<int64_t, int64_t> prompts =
      readPrompts(csv, kCap - newTokens, sample);
  if (prompts.empty()) {
    std::fprintf(stderr, "%s: no prompt lengths in %s\n", argv[0], csv.c_str());
    return 2;
  }
  std::string torch;
  if (!torchScript.empty())
    torch =
        "OMP_NUM_THREADS=1 /usr/bin/python3 " + torchScript + " --mlir " + mlir;
  std::string isa;
  double peak = bench::measurePeakGflops(&isa);
  std::printf("# example decoder (2 layers, d 256, 4 heads, vocab 2048, KV "
              "cache capacity 1024), one core, peak %.1f GFLOP/s (%s)\n",
              peak, isa.c_str());
  std::printf("# bucketed: %s; %s\n# oracle: prompt = %s; len = %s\n",
              BUCKET_DECODER_PREFILL_BUCKETS, BUCKET_DECODER_DECODE_BUCKETS,
              BUCKET_BENCH_DECODER_ORACLE_PROMPTS,
              BUCKET_BENCH_DECODER_ORACLE_LENGTHS);
  bool ok = compareBuilds(137, 16, torch);
  StepTimes sweep = stepSweep(stepsCsv);
  ok &= generationRun(prompts, newTokens, sweep, peak, torch);
  peak = std::max(peak, bench::measurePeakGflops());
  std::printf("# peak after the run: %.1f GFLOP/s\n", peak);
  return ok ? 0 : 1;
}
