//===- decoder.cpp - Greedy generation with the example decoder -----------===//
//
// The example decoder (examples/decoder: 2 layers, d 256, 4 heads, vocab
// 2048, one KV cache of capacity 1024 as a state argument) generating text
// greedily from prompts whose lengths are evenly spaced quantiles of a real
// distribution (SQuAD v1.1 contexts), a fixed number of new tokens each.
// Builds, linked into this program and timed interleaved:
//   bucketed  the module's buckets (BUCKET_DECODER_*_BUCKETS)
//   padmax    prompt=1024, len=1024: every call runs the full capacity
//   generic   no bucketing: the dynamic functions, generic lowering
//   oracle    prefill compiled at exactly the sampled prompt lengths, decode
//             at every multiple of 64 (BUCKET_BENCH_DECODER_ORACLE_LENGTHS):
//             the exact-length step time in between is interpolated
//             linearly (it is linear in the length in the work model)
//   torch     PyTorch eager, its own growing torch.cat cache, same weights
// Before timing, every build's logits are compared with the generic build's
// over one generation, and PyTorch's with the bucketed build's.
//
//   bucket-bench-decoder --csv squad.csv [--torch SCRIPT --mlir decoder.mlir]
//                        [--prompts 16] [--new-tokens 64]
//
//===----------------------------------------------------------------------===//

#include "bench_util.h"
#include "bucketed.h"
#include "generic.h"
#include "oracle.h"
#include "padmax.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
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

std::vector<int64_t> parseList(const char *text) {
  std::vector<int64_t> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    values.push_back(std::atoll(item.c_str()));
  return values;
}

/// The smallest bucket of `spec` ("name=a,b,c") that holds `n`.
int64_t bucketOf(const char *spec, int64_t n) {
  for (int64_t b : parseList(std::strchr(spec, '=') + 1))
    if (b >= n)
      return b;
  return -1;
}

/// `count` lengths at evenly spaced quantiles of a `length,count` histogram.
std::vector<int64_t> quantiles(const std::string &path, int count,
                               int64_t maxLength) {
  std::vector<std::pair<int64_t, int64_t>> hist;
  std::ifstream in(path);
  std::string line;
  int64_t total = 0;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string length, n;
    if (std::getline(fields, length, ',') && std::getline(fields, n)) {
      hist.push_back({std::atoll(length.c_str()), std::atoll(n.c_str())});
      total += hist.back().second;
    }
  }
  std::vector<int64_t> lengths;
  for (int i = 0; i < count; ++i) {
    int64_t rank = (2 * i + 1) * total / (2 * count), seen = 0;
    for (auto [length, n] : hist)
      if ((seen += n) > rank) {
        lengths.push_back(std::min(length, maxLength));
        break;
      }
  }
  return lengths;
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

/// Per-step time against the cache length, every build interleaved;
/// returns the oracle's times at its lengths (for the interpolation).
/// Best-of step times per cache length, from the sweep.
struct StepTimes {
  std::map<int64_t, double> bucketed, padmax, oracle;
};

StepTimes stepSweep() {
  Session s;
  for (size_t i = 0; i < s.cache.size(); ++i)
    s.cache[i] = float((i * 2654435761u) % 1000) * 1e-3f - 0.5f;
  std::vector<int64_t> oracle = parseList(BUCKET_BENCH_DECODER_ORACLE_LENGTHS);
  StepTimes times;
  std::set<int64_t> lengths;
  for (int64_t len = 16; len <= kCap; len += 16)
    lengths.insert(len);
  for (int64_t b :
       parseList(std::strchr(BUCKET_DECODER_DECODE_BUCKETS, '=') + 1))
    lengths.insert(b);
  std::printf("\n## decode: time per step against the cache length (ms); "
              "work model per step: MB read, MFLOP\n");
  std::printf("%5s %6s %9s %9s %9s %9s | %8s %8s %8s | %7s %7s\n", "len",
              "bucket", "bucketed", "padmax", "generic", "exact", "MB b",
              "MB pad", "MB exact", "MFLOP b", "MF pad");
  for (int64_t len : lengths) {
    double tb = 1e30, tp = 1e30, tg = 1e30, to = NAN;
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
                (long long)len, (long long)b, tb * 1e3, tp * 1e3,
                tg < 1e29 ? tg * 1e3 : NAN, to * 1e3, stepBytes(b) * 1e-6,
                stepBytes(kCap) * 1e-6, stepBytes(len) * 1e-6,
                stepFlops(b) * 1e-6, stepFlops(kCap) * 1e-6);
  }
  return times;
}

/// The exact-length step time at `len`: the oracle's, interpolated.
double oracleStep(const std::map<int64_t, double> &t, int64_t len) {
  auto hi = t.lower_bound(len);
  if (hi == t.end())
    return std::prev(hi)->second;
  if (hi->first == len || hi == t.begin())
    return hi->second;
  auto lo = std::prev(hi);
  double f = double(len - lo->first) / double(hi->first - lo->first);
  return lo->second + f * (hi->second - lo->second);
}

/// Seconds summed over the prompts of a run: prefill alone, and prefill
/// plus the decode steps.
struct Totals {
  double prefill = 0, generate = 0;
};

/// Decode seconds of a run summed from the sweep's step times.
struct SweepSums {
  double bucketed, padmax, oracle;
};

/// What the work model predicts over a run: decode bytes (bucketed, padmax,
/// exact length) and prefill FLOPs (bucketed, padmax).
struct WorkModel {
  double bytesB, bytesPad, bytesExact, prefillFlopsB, prefillFlopsPad;
};

bool report(std::map<std::string, Totals> &t,
            const std::vector<int64_t> &prompts, int64_t newTokens,
            const SweepSums &d, const WorkModel &w, double copiedPerCall,
            const std::string &torch) {
  double tokens = double(prompts.size()) * newTokens;
  int64_t promptTokens = 0;
  std::string list;
  for (int64_t p : prompts) {
    promptTokens += p;
    list += (list.empty() ? "" : ",") + std::to_string(p);
  }
  if (!torch.empty()) {
    auto times = runTorch(torch + " --bench --reps 2 --prompts " + list +
                          " --new-tokens " + std::to_string(newTokens));
    for (auto &[p, st] : times) {
      t["torch"].generate += st.first;
      t["torch"].prefill += st.first - st.second;
    }
    if (times.size() != prompts.size())
      t.erase("torch");
  }
  std::printf("\n## greedy generation: %zu prompts (quantiles of the "
              "distribution, mean %.1f tokens: %s), %lld new tokens each\n",
              prompts.size(), double(promptTokens) / prompts.size(),
              list.c_str(), (long long)newTokens);
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
  std::printf("oracle (exact lengths; decode steps from the sweep): "
              "bucketed / oracle = %.3fx (target <= 1.15x): prefill %.3fx, "
              "decode %.3fx\n",
              bucketedTotal / oracleTotal, b.prefill / t["oracle"].prefill,
              d.bucketed / d.oracle);
  std::printf("decode work model (bytes read per step): padmax %.3fx "
              "bucketed, bucketed %.4fx exact; measured (sweep) padmax / "
              "bucketed %.3fx = %.0f%% of the predicted speed-up (target >= "
              "90%%; of the gain above 1x: %.0f%%)\n",
              decodePredicted, w.bytesB / w.bytesExact, decodeGain,
              100 * decodeGain / decodePredicted,
              100 * (decodeGain - 1) / (decodePredicted - 1));
  std::printf("prefill work model (FLOPs): padmax %.2fx bucketed; measured "
              "%.2fx\n",
              w.prefillFlopsPad / w.prefillFlopsB, pad.prefill / b.prefill);
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

/// One prompt's generation in every build, interleaved: the prefill (best of
/// a few calls per build), then each decode step of the bucketed build's
/// greedy sequence in every build in turn, best of 3 calls each (a decode
/// step can be repeated: it writes the same entry and returns the same
/// logits). Sums go to `t`. The generic build is 5-10x slower in prefill:
/// one call each.
void generateOne(int64_t p, int64_t newTokens,
                 std::map<std::string, Totals> &t) {
  static Session sessions[3];
  const Build *builds[3] = {&kBucketed, &kPadmax, &kGeneric};
  for (int i = 0; i < 3; ++i) {
    const Build &b = *builds[i];
    Session &s = sessions[i];
    double tp = i == 2 ? timeOnce([&] { s.prefill(b, p); })
                       : bench::bestOf([&] { s.prefill(b, p); }, 0.05, 2, 20);
    t[b.name].prefill += tp;
    t[b.name].generate += tp;
  }
  Session &oracle = sessions[0];
  t["oracle"].prefill +=
      bench::bestOf([&] { oracle.prefill(kOracle, p); }, 0.05, 2, 20);
  sessions[0].prefill(kBucketed, p);
  for (int64_t len = p + 1; len <= p + newTokens; ++len) {
    int64_t token = sessions[0].argmax();
    for (int i = 0; i < 3; ++i) {
      Session &s = sessions[i];
      auto step = [&] { s.decode(*builds[i], token, len); };
      t[builds[i]->name].generate +=
          i == 2 ? timeOnce(step) : bench::bestOf(step, 0.0, 2, 3);
    }
  }
}

/// Greedy generation from every prompt (generateOne); prints tokens/s, the
/// ratios and the targets of the issue. Returns false if no state buffer
/// was updated in place (state bytes copied).
bool generationRun(const std::vector<int64_t> &prompts, int64_t newTokens,
                   const StepTimes &sweep, const std::string &torch) {
  std::map<std::string, Totals> t;
  double oracleDecode = 0, bytesB = 0, bytesPad = 0, bytesExact = 0;
  double prefillFlopsB = 0, prefillFlopsPad = 0, sweepB = 0, sweepPad = 0;
  uint64_t copied0 = bucket_state_bytes_copied(), calls0 = bucket_state_calls();
  for (int64_t p : prompts) {
    generateOne(p, newTokens, t);
    for (int64_t len = p + 1; len <= p + newTokens; ++len) {
      // From the sweep (best of many calls each): the exact length
      // interpolated, the bucketed build at its bucket, pad-to-max
      // interpolated.
      oracleDecode += oracleStep(sweep.oracle, len);
      sweepB += sweep.bucketed.at(bucketOf(BUCKET_DECODER_DECODE_BUCKETS, len));
      sweepPad += oracleStep(sweep.padmax, len);
      bytesB += stepBytes(bucketOf(BUCKET_DECODER_DECODE_BUCKETS, len));
      bytesPad += stepBytes(kCap);
      bytesExact += stepBytes(len);
    }
    int64_t pb = bucketOf(BUCKET_DECODER_PREFILL_BUCKETS, p);
    prefillFlopsB += 2.0 * pb * (kL * (4.0 * kD * kD + 2.0 * kD * kF)) +
                     2.0 * 2.0 * kL * kD * pb * pb;
    prefillFlopsPad += 2.0 * kCap * (kL * (4.0 * kD * kD + 2.0 * kD * kF)) +
                       2.0 * 2.0 * kL * kD * kCap * kCap;
  }
  double copiedPerCall = double(bucket_state_bytes_copied() - copied0) /
                         double(bucket_state_calls() - calls0);
  WorkModel w = {bytesB, bytesPad, bytesExact, prefillFlopsB, prefillFlopsPad};
  return report(t, prompts, newTokens, {sweepB, sweepPad, oracleDecode}, w,
                copiedPerCall, torch);
}
} // namespace

int main(int argc, char **argv) {
  std::string csv, torchScript, mlir;
  int prompts = 16;
  int64_t newTokens = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--csv")
      csv = argv[i + 1];
    else if (flag == "--torch")
      torchScript = argv[i + 1];
    else if (flag == "--mlir")
      mlir = argv[i + 1];
    else if (flag == "--prompts")
      prompts = std::atoi(argv[i + 1]);
    else if (flag == "--new-tokens")
      newTokens = std::atoll(argv[i + 1]);
  }
  if (csv.empty()) {
    std::fprintf(stderr,
                 "usage: %s --csv FILE [--torch SCRIPT --mlir FILE] "
                 "[--prompts N] [--new-tokens N]\n",
                 argv[0]);
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
  std::printf("# bucketed: %s; %s\n# oracle: prefill at each sampled prompt "
              "length, decode at len = %s\n",
              BUCKET_DECODER_PREFILL_BUCKETS, BUCKET_DECODER_DECODE_BUCKETS,
              BUCKET_BENCH_DECODER_ORACLE_LENGTHS);
  std::vector<int64_t> lengths = quantiles(csv, prompts, kCap - newTokens);
  int64_t median = lengths[lengths.size() / 2];
  bool ok = compareBuilds(median, 16, torch);
  StepTimes sweep = stepSweep();
  ok &= generationRun(lengths, newTokens, sweep, torch);
  return ok ? 0 : 1;
}
