//===- tune.cpp - bucket-tune's buckets against the alternatives ----------===//
//
// Times several builds of one model (self-describing shared libraries, one
// per bucket set: bucket-tune's choice, pad-to-max, powers of two,
// percentiles, ...) over every distinct shape of a histogram, interleaved in
// shuffled rounds in this one process (the minimum per job, in the thread's
// CPU time), and weights the
// times by the histogram's counts. Every build gets the same inputs for a
// shape (integers 1, floats from one fixed sequence).
//
// The exact-shape oracle is a build whose buckets are a documented sample of
// the distribution (`--print-oracle-shapes`: the weighted quantiles 0, 0.1,
// ..., 1 of the element count, plus ten evenly spread sizes, or for several
// dimensions the observed shapes nearest to ten evenly spread element
// counts); every shape of the histogram is costed by interpolating its time
// linearly in the element count between the two nearest oracle shapes. The
// other builds are timed at every shape of the histogram, so the comparison
// covers the whole distribution, not only sizes where a bucket pads nothing.
//
// For one dimension it also prints the best possible K buckets costed by the
// oracle's own times (a bucket of size B runs what the oracle's exact build
// at B runs): a bound from measurements that no bucket set can beat.
//
// The physical limit: the matmul (or convolution) FLOPs of the exact shapes
// (`--flops encoder|image`, the example encoder's and the image model's
// contractions) at the core's peak, measured in the same run, over the
// build's measured time.
//
//   bucket-bench-tune --print-oracle-shapes --shapes S.csv
//   bucket-bench-tune --shapes S.csv --function F --flops encoder
//       --oracle oracle.so --build tuned=a.so --build padmax=b.so ...
//       [--rounds N] [--per-shape] [--predicted NAME=SHAPE:US,...]
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
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace bench;

/// A histogram CSV: a header of dimension names and an optional `count`
/// column (bucket-tune's format); rows in the file's column order.
struct Histogram {
  std::vector<std::string> dims;
  std::vector<Shape> shapes;
  std::vector<double> counts;
};

Histogram readHistogram(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    die("cannot read " + path);
  Histogram h;
  std::string line;
  int countColumn = -1;
  std::map<Shape, double> merged;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    std::vector<std::string> fields;
    std::stringstream fieldStream(line);
    for (std::string field; std::getline(fieldStream, field, ',');)
      fields.push_back(field);
    if (h.dims.empty() && countColumn < 0) {
      for (size_t i = 0; i < fields.size(); ++i)
        if (fields[i] == "count")
          countColumn = i;
        else
          h.dims.push_back(fields[i]);
      continue;
    }
    Shape shape;
    double count = 1;
    for (size_t i = 0; i < fields.size(); ++i)
      if ((int)i == countColumn)
        count = std::atof(fields[i].c_str());
      else
        shape.push_back(std::atoll(fields[i].c_str()));
    merged[shape] += count;
  }
  for (auto &[shape, count] : merged) {
    h.shapes.push_back(shape);
    h.counts.push_back(count);
  }
  if (h.shapes.empty())
    die(path + ": no shapes");
  return h;
}

/// The histogram's shapes sorted by element count (ties by shape), with
/// their cumulative share of the calls.
std::vector<std::pair<Shape, double>> cumulative(const Histogram &h) {
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
  std::vector<std::pair<Shape, double>> result;
  for (size_t i : order) {
    seen += h.counts[i];
    result.push_back({h.shapes[i], seen / total});
  }
  return result;
}

/// The oracle's exact shapes (see the file comment).
std::vector<Shape> getOracleShapes(const Histogram &h) {
  std::vector<std::pair<Shape, double>> cdf = cumulative(h);
  std::vector<Shape> shapes;
  for (int i = 0; i <= 10; ++i) {
    double q = i / 10.0;
    size_t j = 0;
    while (j + 1 < cdf.size() && cdf[j].second < q - 1e-12)
      ++j;
    shapes.push_back(cdf[j].first);
  }
  // Evenly spread sizes (several dimensions: the observed shapes nearest to
  // evenly spread element counts), so that sparse tails are sampled too.
  double lo = elements(cdf.front().first), hi = elements(cdf.back().first);
  for (int i = 1; i <= 10; ++i) {
    double target = lo + (hi - lo) * i / 11;
    if (h.dims.size() == 1) {
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
double getMatmulFlops(const std::string &model, const Shape &shape) {
  if (model == "encoder") {
    // Per layer: Q, K, V, O projections (256x256), the FFN (256x1024 and
    // back), and attention's QK^T and PV (4 heads of 64); 2 layers.
    double s = shape[0];
    double layer =
        4 * 2 * s * 256 * 256 + 2 * 2 * s * 256 * 1024 + 2 * 2 * 4 * s * s * 64;
    return 2 * layer;
  }
  if (model == "image") {
    // A 3x3 convolution 3 -> 8 and a 1x1 convolution 8 -> 8, valid.
    double pixels = double(shape[0] - 2) * double(shape[1] - 2);
    return 2 * pixels * 8 * (3 * 3 * 3 + 8);
  }
  die("unknown --flops model '" + model + "'");
}

std::string formatShape(const Shape &shape) {
  std::string text;
  for (int64_t size : shape)
    text += (text.empty() ? "" : "x") + std::to_string(size);
  return text;
}

struct Options {
  std::string shapes, function, flops = "encoder", oracle;
  std::vector<std::pair<std::string, std::string>> builds;
  /// A build's buckets and the time bucket-tune predicted for each.
  std::string predictedBuild;
  std::vector<std::pair<Shape, double>> predicted;
  int rounds = 5;
  bool printOracle = false;
  /// Print every shape's time per build and the oracle's (interpolated).
  bool perShape = false;
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
    else if (arg == "--oracle")
      o.oracle = value();
    else if (arg == "--rounds")
      o.rounds = std::atoi(value().c_str());
    else if (arg == "--predicted") {
      // NAME=SHAPE:US,SHAPE:US,... (SHAPE as 12 or 480x640).
      std::string spec = value();
      size_t eq = spec.find('=');
      if (eq == std::string::npos)
        die("--predicted takes NAME=SHAPE:US,...");
      o.predictedBuild = spec.substr(0, eq);
      std::stringstream items(spec.substr(eq + 1));
      for (std::string item; std::getline(items, item, ',');) {
        size_t colon = item.find(':');
        if (colon == std::string::npos)
          die("--predicted: '" + item + "' is not SHAPE:US");
        Shape shape;
        std::stringstream sizes(item.substr(0, colon));
        for (std::string size; std::getline(sizes, size, 'x');)
          shape.push_back(std::atoll(size.c_str()));
        o.predicted.push_back({shape, std::atof(item.c_str() + colon + 1)});
      }
    } else if (arg == "--per-shape")
      o.perShape = true;
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

/// The oracle must run each of its shapes exactly: one bucket per shape.
void checkOracle(const Build &build, const std::vector<Shape> &shapes) {
  const bucket_function_info_t *fn = build.fn;
  for (const Shape &shape : shapes) {
    bool found = false;
    for (int32_t b = 0; b < fn->num_buckets && !found; ++b)
      found = std::equal(shape.begin(), shape.end(),
                         fn->buckets + b * fn->num_dims);
    if (!found || (int32_t)shape.size() != fn->num_dims)
      die("the oracle has no bucket " + formatShape(shape) +
          " (compile it with the buckets --print-oracle-shapes prints)");
  }
}

/// Compares every build with the oracle at the oracle's shapes (which every
/// build runs too); returns the largest absolute difference.
double compareOutputs(const std::vector<Build> &builds, size_t oracle,
                      const std::vector<Shape> &shapes) {
  double worst = 0;
  for (const Shape &shape : shapes) {
    Inputs in = makeInputs(builds[oracle].fn, shape);
    std::vector<float> expected, actual;
    call(builds[oracle], in, &expected);
    for (size_t b = 0; b < builds.size(); ++b) {
      if (b == oracle)
        continue;
      call(builds[b], in, &actual);
      if (actual.size() != expected.size())
        die(builds[b].name + ": wrong result size at " + formatShape(shape));
      for (size_t i = 0; i < actual.size(); ++i)
        worst = std::max(worst, (double)std::fabs(actual[i] - expected[i]));
    }
  }
  return worst;
}

/// Every histogram shape's time (us) per build, then the oracle's there
/// (measured at its own shapes, interpolated in between).
void printPerShape(const Histogram &h, const std::vector<Build> &builds,
                   const std::vector<Job> &jobs,
                   const std::map<double, double> &oracleTimes) {
  size_t oracle = builds.size() - 1;
  std::vector<std::vector<double>> t(h.shapes.size(),
                                     std::vector<double>(oracle, 0));
  for (const Job &job : jobs)
    if (job.build < oracle)
      t[job.shape][job.build] = job.best;
  std::printf("%-12s %6s", "shape", "count");
  for (size_t b = 0; b < oracle; ++b)
    std::printf(" %14s", builds[b].name.c_str());
  std::printf(" %14s\n", "oracle");
  for (size_t s = 0; s < h.shapes.size(); ++s) {
    std::printf("%-12s %6.0f", formatShape(h.shapes[s]).c_str(), h.counts[s]);
    for (size_t b = 0; b < oracle; ++b)
      std::printf(" %14.1f", 1e6 * t[s][b]);
    std::printf(" %14.1f\n", 1e6 * interpolate(oracleTimes, h.shapes[s]));
  }
}

/// The best `k` buckets that any build could have, costed by the oracle's
/// own measured times (one dimension): a bucket of size B runs the code an
/// exact-shape build at B runs, so its time is the oracle's time at B. An
/// exact dynamic program over the histogram's sizes (the optimal buckets
/// lie on them) under the dispatcher's rule (the smallest bucket that
/// fits), the largest bucket covering every shape. Returns the cost and
/// the sizes.
std::pair<double, std::vector<int64_t>>
getMeasuredBound(const Histogram &h, const std::map<double, double> &oracle,
                 int k) {
  size_t n = h.shapes.size(); // Sorted ascending (std::map in readHistogram).
  std::vector<double> time(n), prefix(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    time[i] = interpolate(oracle, h.shapes[i]);
    prefix[i + 1] = prefix[i] + h.counts[i];
  }
  // best[j][i]: the cheapest cost of shapes 0..i with j buckets, the last
  // at size i.
  const double inf = 1e300;
  std::vector<std::vector<double>> best(k + 1, std::vector<double>(n, inf));
  std::vector<std::vector<size_t>> from(k + 1, std::vector<size_t>(n, 0));
  for (size_t i = 0; i < n; ++i)
    best[1][i] = prefix[i + 1] * time[i];
  for (int j = 2; j <= k; ++j)
    for (size_t i = 0; i < n; ++i)
      for (size_t p = 0; p < i; ++p) {
        double cost =
            best[j - 1][p] + (prefix[i + 1] - prefix[p + 1]) * time[i];
        if (cost < best[j][i]) {
          best[j][i] = cost;
          from[j][i] = p;
        }
      }
  int used = std::min<int>(k, n);
  std::vector<int64_t> sizes;
  for (size_t i = n - 1, j = used; j >= 1; --j) {
    sizes.insert(sizes.begin(), h.shapes[i][0]);
    i = from[j][i];
  }
  return {best[used][n - 1], sizes};
}

/// bucket-tune's predicted time of each bucket of a build next to the time
/// measured for that build at the bucket's own size (no padding).
void printPredicted(const Options &o, const Histogram &h,
                    const std::vector<Build> &builds,
                    const std::vector<Job> &jobs) {
  if (o.predicted.empty())
    return;
  std::printf("# %s: predicted (bucket-tune) against measured at each "
              "bucket's size:\n",
              o.predictedBuild.c_str());
  for (auto &[bucket, micros] : o.predicted) {
    const Job *found = nullptr;
    for (const Job &job : jobs)
      if (builds[job.build].name == o.predictedBuild &&
          job.shape < h.shapes.size() && h.shapes[job.shape] == bucket)
        found = &job;
    if (!found) {
      std::printf("#   %s: predicted %.0f us, not timed (no shape of the "
                  "histogram)\n",
                  formatShape(bucket).c_str(), micros);
      continue;
    }
    double measured = 1e6 * found->best;
    std::printf("#   %s: predicted %.0f us, measured %.0f us (%+.1f%%)\n",
                formatShape(bucket).c_str(), micros, measured,
                100 * (micros / measured - 1));
  }
}

/// Prints each build's mean time per call over the histogram, against the
/// oracle (interpolated), pad-to-max and the physical limit.
void report(const Options &o, const Histogram &h,
            const std::vector<Build> &builds, const std::vector<Job> &jobs,
            const std::vector<Shape> &shapes, double peak) {
  size_t oracle = builds.size() - 1;
  std::map<double, std::vector<double>> oracleSamples;
  std::vector<double> weighted(oracle, 0);
  for (const Job &job : jobs) {
    if (job.build == oracle)
      oracleSamples[elements(shapes[job.shape])].push_back(job.best);
    else
      weighted[job.build] += h.counts[job.shape] * job.best;
  }
  std::map<double, double> oracleTimes;
  for (auto &entry : oracleSamples) {
    double sum = 0;
    for (double t : entry.second)
      sum += t;
    oracleTimes[entry.first] = sum / entry.second.size();
  }
  double total = 0, oracleCost = 0, flops = 0;
  for (size_t s = 0; s < h.shapes.size(); ++s) {
    total += h.counts[s];
    oracleCost += h.counts[s] * interpolate(oracleTimes, h.shapes[s]);
    flops += h.counts[s] * getMatmulFlops(o.flops, h.shapes[s]);
  }
  double limit = flops / (peak * 1e9); // Seconds at the peak, all calls.
  if (o.perShape)
    printPerShape(h, builds, jobs, oracleTimes);
  std::printf("%-16s %12s %10s %10s %15s\n", "build", "us/call", "vs oracle",
              "vs padmax", "physical limit");
  double padmax = 0;
  for (size_t b = 0; b < oracle; ++b)
    if (builds[b].name == "padmax")
      padmax = weighted[b];
  for (size_t b = 0; b < oracle; ++b)
    std::printf("%-16s %12.1f %9.3fx %9.3fx %14.1f%%\n", builds[b].name.c_str(),
                1e6 * weighted[b] / total, weighted[b] / oracleCost,
                padmax > 0 ? weighted[b] / padmax : 0.0,
                100 * limit / weighted[b]);
  std::printf("%-16s %12.1f %9.3fx %10s %14.1f%%\n", "oracle",
              1e6 * oracleCost / total, 1.0, "", 100 * limit / oracleCost);
  printPredicted(o, h, builds, jobs);
  if (h.dims.size() != 1)
    return;
  // What no set of K buckets can beat on this machine, from the oracle's
  // measured times: whether a target is out of reach is then a
  // measurement, not a prediction of the tuner's model.
  std::printf("# the best possible K buckets, costed by the oracle's measured "
              "times:\n");
  for (int k : {4, 6, 8, 10, 12, 16}) {
    auto [cost, sizes] = getMeasuredBound(h, oracleTimes, k);
    std::string spec;
    for (int64_t size : sizes)
      spec += (spec.empty() ? "" : ",") + std::to_string(size);
    std::printf("#   K = %2d: %.3fx the oracle (%s=%s)\n", k, cost / oracleCost,
                h.dims[0].c_str(), spec.c_str());
  }
}

} // namespace

int main(int argc, char **argv) {
  Options o = parseOptions(argc, argv);
  Histogram h = readHistogram(o.shapes);
  std::vector<Shape> oracleShapes = getOracleShapes(h);
  if (o.printOracle) {
    std::string spec;
    for (const Shape &shape : oracleShapes)
      spec += (spec.empty() ? "" : ",") + formatShape(shape);
    std::printf("%s\n", spec.c_str());
    return 0;
  }
  if (o.oracle.empty() || o.function.empty() || o.builds.empty())
    die("give --function, --oracle and at least one --build");

  std::vector<Build> builds;
  for (auto &[name, path] : o.builds)
    builds.push_back(openBuild(name, path, o.function));
  size_t oracle = builds.size();
  builds.push_back(openBuild("oracle", o.oracle, o.function));
  checkOracle(builds[oracle], oracleShapes);
  std::printf("# %s: %zu distinct shapes; oracle: %zu exact shapes; outputs "
              "match the oracle's within %.2g\n",
              o.shapes.c_str(), h.shapes.size(), oracleShapes.size(),
              compareOutputs(builds, oracle, oracleShapes));

  // Jobs: every build at every shape of the histogram, the oracle at its
  // own shapes.
  std::vector<Shape> shapes = h.shapes;
  shapes.insert(shapes.end(), oracleShapes.begin(), oracleShapes.end());
  std::vector<Inputs> inputs;
  for (const Shape &shape : shapes)
    inputs.push_back(makeInputs(builds[oracle].fn, shape));
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

  report(o, h, builds, jobs, shapes, peak);
  return 0;
}
