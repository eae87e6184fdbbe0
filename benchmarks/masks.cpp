//===- masks.cpp - What padding repair costs: masks on and off ------------===//
//
// Times builds of one model that the padding analysis repairs with masks
// (docs/Padding.md, "Repairs: masks"), self-describing shared libraries made
// by benchmarks/masks.sh, over every distinct shape of a histogram,
// interleaved in shuffled rounds in this one process (the minimum per job, in
// the thread's CPU time), and weights the times by the histogram's counts:
//   repaired  the buckets with their masks (--padding=repair, the default)
//   unsafe    the same buckets without the masks (--padding=unsafe-no-masks:
//             wrong results, measured for the masks' cost only)
//   padmax    one bucket at the largest shape, repaired
//   oracle    one bucket per shape of a documented sample (as
//             benchmarks/tune.cpp chooses and interpolates it)
//   torch     PyTorch eager, one thread, same weights and inputs (a script's
//             times, measured in its own process), when --torch is given
// Every build gets the same inputs for a shape (floats from one fixed
// sequence, integers 1). Before timing, every build's output is compared with
// the dynamic original's (--reference: bucket-compile --no-bucketing) at
// every shape it runs; builds named by --expect-wrong are only reported.
//
// Shapes: `--scale N` divides every dimension of the histogram by N
// (rounded, at least 1), `--clamp N` clamps them to N; equal shapes merge.
// The core's peak is measured in the same run, before and after the rounds.
//
//   bucket-bench-masks --shapes S.csv --function F --flops cnn|encoder
//       --reference generic.so --oracle oracle.so --build repaired=a.so
//       --build unsafe=b.so --build padmax=c.so --expect-wrong unsafe
//       [--scale 8] [--clamp 512] [--rounds 3] [--torch 'COMMAND']
//   bucket-bench-masks --print-oracle-shapes --shapes S.csv [--scale 8]
//
//===----------------------------------------------------------------------===//

#include "bench_builds.h"

#include "bucket/runtime.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace bench;

struct Histogram {
  std::vector<Shape> shapes;
  std::vector<double> counts;
};

/// A histogram CSV (a header, then the sizes and a `count` column last),
/// every size divided by `scale` and clamped to `clamp` (0: none).
Histogram readHistogram(const std::string &path, int64_t scale, int64_t clamp) {
  std::ifstream in(path);
  if (!in)
    die("cannot read " + path);
  std::string line;
  std::getline(in, line);
  std::map<Shape, double> merged;
  while (std::getline(in, line)) {
    std::vector<int64_t> fields;
    std::stringstream fieldStream(line);
    for (std::string field; std::getline(fieldStream, field, ',');)
      fields.push_back(std::atoll(field.c_str()));
    if (fields.size() < 2)
      continue;
    Shape shape(fields.begin(), fields.end() - 1);
    for (int64_t &size : shape) {
      size = std::max<int64_t>(1, std::llround(double(size) / scale));
      if (clamp > 0)
        size = std::min(size, clamp);
    }
    merged[shape] += fields.back();
  }
  Histogram h;
  for (auto &[shape, count] : merged) {
    h.shapes.push_back(shape);
    h.counts.push_back(count);
  }
  if (h.shapes.empty())
    die(path + ": no shapes");
  return h;
}

std::string formatShape(const Shape &shape) {
  std::string text;
  for (int64_t size : shape)
    text += (text.empty() ? "" : "x") + std::to_string(size);
  return text;
}

/// The oracle's exact shapes, chosen as benchmarks/tune.cpp does: the
/// weighted quantiles 0, 0.1, ..., 1 of the element count, plus the observed
/// shapes nearest to ten evenly spread element counts (for one dimension,
/// those counts themselves).
std::vector<Shape> getOracleShapes(const Histogram &h) {
  std::vector<size_t> order(h.shapes.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    double ea = elements(h.shapes[a]), eb = elements(h.shapes[b]);
    return ea != eb ? ea < eb : h.shapes[a] < h.shapes[b];
  });
  double total = 0, seen = 0;
  for (double count : h.counts)
    total += count;
  std::vector<std::pair<Shape, double>> cdf;
  for (size_t i : order) {
    seen += h.counts[i];
    cdf.push_back({h.shapes[i], seen / total});
  }
  std::vector<Shape> shapes;
  for (int i = 0; i <= 10; ++i) {
    size_t j = 0;
    while (j + 1 < cdf.size() && cdf[j].second < i / 10.0 - 1e-12)
      ++j;
    shapes.push_back(cdf[j].first);
  }
  double lo = elements(cdf.front().first), hi = elements(cdf.back().first);
  for (int i = 1; i <= 10; ++i) {
    double target = lo + (hi - lo) * i / 11;
    if (cdf.front().first.size() == 1) {
      shapes.push_back({int64_t(std::llround(target))});
      continue;
    }
    auto nearest = std::min_element(
        cdf.begin(), cdf.end(), [&](const auto &a, const auto &b) {
          return std::fabs(elements(a.first) - target) <
                 std::fabs(elements(b.first) - target);
        });
    shapes.push_back(nearest->first);
  }
  std::sort(shapes.begin(), shapes.end(), [](const Shape &a, const Shape &b) {
    return elements(a) != elements(b) ? elements(a) < elements(b) : a < b;
  });
  shapes.erase(std::unique(shapes.begin(), shapes.end()), shapes.end());
  return shapes;
}

/// The contractions' FLOPs of one call at an exact shape.
double getFlops(const std::string &model, const Shape &shape) {
  if (model == "encoder") {
    // Per layer: Q, K, V, O (256x256), the FFN (256x1024 and back),
    // attention's QK^T and PV (4 heads of 64); 2 layers.
    double s = shape[0];
    return 2 * (4 * 2 * s * 256 * 256 + 2 * 2 * s * 256 * 1024 +
                2 * 2 * 4 * s * s * 64);
  }
  if (model == "cnn") {
    // Four 3x3 "same" convolutions, 3 -> 16 -> 16 -> 32 -> 32 channels.
    return 2.0 * elements(shape) * 9 * (3 * 16 + 16 * 16 + 16 * 32 + 32 * 32);
  }
  die("unknown --flops model '" + model + "'");
}

/// The largest absolute difference, relative to the reference's largest
/// magnitude (at least 1).
double relativeDiff(const std::vector<float> &actual,
                    const std::vector<float> &expected) {
  if (actual.size() != expected.size())
    return INFINITY;
  double worst = 0, scale = 1;
  for (size_t i = 0; i < actual.size(); ++i) {
    worst = std::max(worst, std::fabs(double(actual[i]) - expected[i]));
    scale = std::max(scale, std::fabs(double(expected[i])));
  }
  return std::isnan(worst) ? INFINITY : worst / scale;
}

struct Options {
  std::string shapes, function, flops = "cnn", reference, oracle, torch;
  std::vector<std::pair<std::string, std::string>> builds;
  std::set<std::string> expectWrong;
  int64_t scale = 1, clamp = 0;
  int rounds = 3;
  bool printOracle = false;
};

Options parseOptions(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--shapes")
      o.shapes = value();
    else if (arg == "--function")
      o.function = value();
    else if (arg == "--flops")
      o.flops = value();
    else if (arg == "--reference")
      o.reference = value();
    else if (arg == "--oracle")
      o.oracle = value();
    else if (arg == "--torch")
      o.torch = value();
    else if (arg == "--expect-wrong")
      o.expectWrong.insert(value());
    else if (arg == "--scale")
      o.scale = std::max(1LL, std::atoll(value().c_str()));
    else if (arg == "--clamp")
      o.clamp = std::atoll(value().c_str());
    else if (arg == "--rounds")
      o.rounds = std::atoi(value().c_str());
    else if (arg == "--print-oracle-shapes")
      o.printOracle = true;
    else if (arg == "--build") {
      std::string spec = value();
      size_t eq = spec.find('=');
      if (eq == std::string::npos)
        die("--build takes NAME=LIBRARY");
      o.builds.push_back({spec.substr(0, eq), spec.substr(eq + 1)});
    } else
      die("unknown option " + arg);
  }
  if (o.shapes.empty())
    die("give --shapes");
  return o;
}

/// Compares every build with the reference at every shape it runs (the
/// oracle at its own shapes); returns false when a build that must be exact
/// is not. The last build is the oracle.
bool compareOutputs(const Options &o, const Build &reference,
                    const std::vector<Build> &builds, const Histogram &h,
                    const std::vector<Shape> &oracleShapes) {
  size_t oracle = builds.size() - 1;
  std::vector<double> worst(builds.size(), 0);
  std::vector<Shape> worstAt(builds.size());
  std::vector<int> wrongShapes(builds.size(), 0);
  auto compare = [&](size_t b, const Shape &shape) {
    Inputs in = makeInputs(builds.front().fn, shape);
    std::vector<float> expected, actual;
    call(reference, in, &expected);
    call(builds[b], in, &actual);
    double d = relativeDiff(actual, expected);
    wrongShapes[b] += d > 1e-4;
    if (d > worst[b] || worstAt[b].empty()) {
      worst[b] = std::max(worst[b], d);
      worstAt[b] = shape;
    }
  };
  for (size_t b = 0; b < oracle; ++b)
    for (const Shape &shape : h.shapes)
      compare(b, shape);
  for (const Shape &shape : oracleShapes)
    compare(oracle, shape);
  bool ok = true;
  for (size_t b = 0; b < builds.size(); ++b) {
    bool expected = o.expectWrong.count(builds[b].name);
    bool exact = worst[b] <= 1e-4;
    std::printf("# %-9s vs the dynamic original: max |diff| / max(1, "
                "max |ref|) = %.2g (at %s), %d of %zu shapes above 1e-4%s\n",
                builds[b].name.c_str(), worst[b],
                formatShape(worstAt[b]).c_str(), wrongShapes[b],
                b == oracle ? oracleShapes.size() : h.shapes.size(),
                expected ? " (expected: no masks)" : (exact ? "" : "  FAIL"));
    ok &= exact || expected;
  }
  return ok;
}

/// PyTorch's time per shape from the script's lines `shape AxB seconds S out
/// V,V,...`, each output compared with the reference's at that shape.
std::map<Shape, double> runTorch(const std::string &command,
                                 const Build &reference, const Build &shaped,
                                 const std::vector<Shape> &shapes, bool *ok) {
  std::string list;
  for (const Shape &shape : shapes)
    list += (list.empty() ? "" : ",") + formatShape(shape);
  std::map<Shape, double> times;
  FILE *pipe = popen((command + " --shapes " + list).c_str(), "r");
  if (!pipe)
    die("cannot run " + command);
  double worst = 0;
  std::string line;
  for (int c; (c = std::fgetc(pipe)) != EOF;) {
    if (c != '\n') {
      line += char(c);
      continue;
    }
    std::istringstream fields(line);
    std::string tag, shapeText, secondsTag, outTag, values;
    double seconds;
    if (line.rfind("shape ", 0) == 0 &&
        (fields >> tag >> shapeText >> secondsTag >> seconds >> outTag >>
         values)) {
      Shape shape;
      std::stringstream sizes(shapeText);
      for (std::string size; std::getline(sizes, size, 'x');)
        shape.push_back(std::atoll(size.c_str()));
      std::vector<float> actual, expected;
      std::stringstream valueStream(values);
      for (std::string v; std::getline(valueStream, v, ',');)
        actual.push_back(std::strtof(v.c_str(), nullptr));
      call(reference, makeInputs(shaped.fn, shape), &expected);
      worst = std::max(worst, relativeDiff(actual, expected));
      times[shape] = seconds;
    } else if (!line.empty() && line[0] == '#') {
      std::printf("# torch: %s\n", line.c_str() + 1);
    }
    line.clear();
  }
  pclose(pipe);
  bool exact = worst <= 1e-4 && times.size() == shapes.size();
  std::printf("# torch     vs the dynamic original: max |diff| / max(1, max "
              "|ref|) = %.2g over %zu of %zu shapes%s\n",
              worst, times.size(), shapes.size(), exact ? "" : "  FAIL");
  *ok &= exact;
  return times;
}

/// The masks' cost: repaired over unsafe, over the whole histogram and per
/// bucket of the repaired build.
void reportMaskCost(const Histogram &h, const std::vector<Build> &builds,
                    const std::vector<double> &times, size_t repaired,
                    size_t unsafe) {
  const bucket_function_info_t *fn = builds[repaired].fn;
  std::map<int32_t, std::pair<double, double>> perBucket;
  std::map<int32_t, double> calls;
  for (size_t s = 0; s < h.shapes.size(); ++s) {
    int32_t bucket = -1;
    check(bucket_function_select(fn, h.shapes[s].data(), &bucket), "select");
    perBucket[bucket].first +=
        h.counts[s] * times[repaired * h.shapes.size() + s];
    perBucket[bucket].second +=
        h.counts[s] * times[unsafe * h.shapes.size() + s];
    calls[bucket] += h.counts[s];
  }
  double r = 0, u = 0, lo = 1e30, hi = 0;
  std::printf("\nmask cost per bucket (repaired / unsafe - 1, time-weighted "
              "over its shapes):\n%-12s %8s %12s %12s %8s\n",
              "bucket", "calls", "repaired us", "unsafe us", "cost");
  for (auto &[bucket, t] : perBucket) {
    Shape size(fn->buckets + bucket * fn->num_dims,
               fn->buckets + (bucket + 1) * fn->num_dims);
    double cost = t.first / t.second - 1;
    lo = std::min(lo, cost);
    hi = std::max(hi, cost);
    r += t.first;
    u += t.second;
    std::printf("%-12s %8.0f %12.1f %12.1f %7.2f%%\n",
                formatShape(size).c_str(), calls[bucket],
                1e6 * t.first / calls[bucket], 1e6 * t.second / calls[bucket],
                100 * cost);
  }
  std::printf("masks cost %.2f%% of a call over the distribution (per bucket "
              "%.2f%% .. %.2f%%); target <= 5%%: %s\n",
              100 * (r / u - 1), 100 * lo, 100 * hi,
              r / u - 1 <= 0.05 ? "met" : "NOT met");
}

/// Each build's mean time per call over the histogram, against the repaired
/// build, the oracle (interpolated) and the physical limit.
void report(const Options &o, const Histogram &h,
            const std::vector<Build> &builds, const std::vector<Job> &jobs,
            const std::vector<Shape> &shapes,
            const std::map<Shape, double> &torch, double peak) {
  size_t oracle = builds.size() - 1, n = h.shapes.size();
  std::map<double, std::vector<double>> oracleSamples;
  std::vector<double> times(oracle * n, 0);
  for (const Job &job : jobs) {
    if (job.build == oracle)
      oracleSamples[elements(shapes[job.shape])].push_back(job.best);
    else
      times[job.build * n + job.shape] = job.best;
  }
  std::map<double, double> oracleTimes;
  for (auto &[count, samples] : oracleSamples) {
    double sum = 0;
    for (double t : samples)
      sum += t;
    oracleTimes[count] = sum / samples.size();
  }
  std::vector<std::pair<std::string, double>> rows;
  double total = 0, oracleCost = 0, torchCost = 0, flops = 0;
  for (size_t s = 0; s < n; ++s) {
    total += h.counts[s];
    oracleCost += h.counts[s] * interpolate(oracleTimes, h.shapes[s]);
    auto it = torch.find(h.shapes[s]);
    torchCost += h.counts[s] * (it == torch.end() ? NAN : it->second);
    flops += h.counts[s] * getFlops(o.flops, h.shapes[s]);
  }
  size_t repaired = 0, unsafe = oracle;
  for (size_t b = 0; b < oracle; ++b) {
    double sum = 0;
    for (size_t s = 0; s < n; ++s)
      sum += h.counts[s] * times[b * n + s];
    rows.push_back({builds[b].name, sum});
    if (builds[b].name == "unsafe")
      unsafe = b;
  }
  rows.push_back({"oracle (interp.)", oracleCost});
  if (!torch.empty())
    rows.push_back({"torch (1 thread)", torchCost});
  double limit = flops / (peak * 1e9);
  std::printf("\n%-18s %12s %12s %10s %14s\n", "build", "us/call",
              "vs repaired", "vs oracle", "of the limit");
  for (auto &[name, seconds] : rows)
    std::printf("%-18s %12.1f %11.3fx %9.3fx %13.1f%%\n", name.c_str(),
                1e6 * seconds / total, seconds / rows[repaired].second,
                seconds / oracleCost, 100 * limit / seconds);
  std::printf("(limit: the exact shapes' contraction FLOPs at the measured "
              "peak, %.1f us/call)\n",
              1e6 * limit / total);
  if (unsafe != oracle)
    reportMaskCost(h, builds, times, repaired, unsafe);
}

} // namespace

int main(int argc, char **argv) {
  Options o = parseOptions(argc, argv);
  Histogram h = readHistogram(o.shapes, o.scale, o.clamp);
  std::vector<Shape> oracleShapes = getOracleShapes(h);
  if (o.printOracle) {
    std::string spec;
    for (const Shape &shape : oracleShapes)
      spec += (spec.empty() ? "" : ",") + formatShape(shape);
    std::printf("%s\n", spec.c_str());
    return 0;
  }
  if (o.function.empty() || o.reference.empty() || o.oracle.empty() ||
      o.builds.empty() || o.builds.front().first != "repaired")
    die("give --function, --reference, --oracle and --build repaired=... "
        "first");

  Build reference = openBuild("reference", o.reference, o.function);
  std::vector<Build> builds;
  for (auto &[name, path] : o.builds)
    builds.push_back(openBuild(name, path, o.function));
  size_t oracle = builds.size();
  builds.push_back(openBuild("oracle", o.oracle, o.function));
  double total = 0;
  for (double count : h.counts)
    total += count;
  std::printf("# %s (sizes / %lld%s): %.0f samples, %zu distinct shapes; "
              "oracle: %zu exact shapes\n",
              o.shapes.c_str(), (long long)o.scale,
              o.clamp ? (", clamped to " + std::to_string(o.clamp)).c_str()
                      : "",
              total, h.shapes.size(), oracleShapes.size());
  bool ok = compareOutputs(o, reference, builds, h, oracleShapes);
  std::map<Shape, double> torch;
  if (!o.torch.empty())
    torch = runTorch(o.torch, reference, builds.front(), h.shapes, &ok);

  // Jobs: every build at every shape of the histogram, the oracle at its
  // own shapes.
  std::vector<Shape> shapes = h.shapes;
  shapes.insert(shapes.end(), oracleShapes.begin(), oracleShapes.end());
  std::vector<Inputs> inputs;
  for (const Shape &shape : shapes)
    inputs.push_back(makeInputs(builds.front().fn, shape));
  std::vector<Job> jobs;
  for (size_t b = 0; b < oracle; ++b)
    for (size_t s = 0; s < h.shapes.size(); ++s)
      jobs.push_back({b, s});
  for (size_t s = h.shapes.size(); s < shapes.size(); ++s)
    jobs.push_back({oracle, s});

  std::string isa;
  double peak = bench::measurePeakGflops(&isa);
  double start = bench::now();
  runRounds(jobs, builds, inputs, o.rounds);
  double seconds = bench::now() - start;
  peak = std::max(peak, bench::measurePeakGflops());
  std::printf("# peak %.1f GFLOP/s (%s, measured before and after, best); "
              "%d rounds in %.1f s\n",
              peak, isa.c_str(), o.rounds, seconds);
  report(o, h, builds, jobs, shapes, torch, peak);
  return ok ? 0 : 1;
}
