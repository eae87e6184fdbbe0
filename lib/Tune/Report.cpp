//===- Report.cpp - What bucket-tune prints -------------------------------===//

#include "bucket/Tune/Report.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace llvm;
using namespace mlir::bucket;

ArrayRef<Baseline> mlir::bucket::getAllBaselines() {
  static const Baseline all[] = {Baseline::PowersOfTwo, Baseline::Percentiles,
                                 Baseline::EqualWidth, Baseline::TokenDP};
  return all;
}

std::vector<KPoint> mlir::bucket::sweepBudgets(const Histogram &histogram,
                                               CostCache &cost,
                                               const TuneOptions &options,
                                               unsigned maxK) {
  Tuple cover = getCoverSizes(histogram, options.coverQuantile);
  std::vector<KPoint> sweep;
  for (unsigned k = 1; k <= maxK; ++k) {
    TuneOptions at = options;
    at.maxBuckets = k;
    KPoint point;
    point.k = k;
    point.tuned = evaluateBuckets(histogram, tuneBuckets(histogram, cost, at),
                                  cover, cost, at);
    for (Baseline baseline : getAllBaselines())
      point.baselines.push_back(evaluateBuckets(
          histogram, getBaselineBuckets(baseline, histogram, at), cover, cost,
          at));
    sweep.push_back(std::move(point));
  }
  return sweep;
}

unsigned mlir::bucket::getSaturationK(ArrayRef<double> costByK,
                                      double threshold) {
  for (size_t i = 0; i + 1 < costByK.size(); ++i)
    if (costByK[i + 1] > costByK[i] * (1 - threshold))
      return i + 1;
  return costByK.size();
}

static std::string formatTuple(ArrayRef<int64_t> tuple) {
  std::string text;
  raw_string_ostream os(text);
  interleave(tuple, os, "x");
  return text;
}

void mlir::bucket::printBucketTable(raw_ostream &os, const Histogram &histogram,
                                    const Evaluation &evaluation,
                                    StringRef unit) {
  os << format("%-16s %8s %8s %9s %12s\n", join(histogram.dims, "x").c_str(),
               "calls", "cost", "padding", unit.str().c_str());
  for (size_t i = 0; i < evaluation.buckets.size(); ++i) {
    double waste =
        evaluation.realElements[i] > 0
            ? evaluation.paddedElements[i] / evaluation.realElements[i] - 1
            : 0;
    os << format("%-16s %7.1f%% %7.1f%% %8.1f%% %12.4g\n",
                 formatTuple(evaluation.buckets[i]).c_str(),
                 100 * evaluation.hitShare[i], 100 * evaluation.costShare[i],
                 100 * waste,
                 evaluation.hitShare[i] > 0
                     ? evaluation.costShare[i] * evaluation.inRangeCost /
                           evaluation.hitShare[i]
                     : 0.0);
  }
  os << format("expected cost per call %.4g %s: %.3fx the exact-shape oracle; "
               "padding waste %.1f%%\n",
               evaluation.inRangeCost, unit.str().c_str(),
               evaluation.inRangeCost / evaluation.oracleCost,
               100 * evaluation.getPaddingWaste());
}

void mlir::bucket::printSweep(raw_ostream &os, ArrayRef<KPoint> sweep) {
  if (sweep.empty())
    return;
  double padToMax = sweep.front().tuned.inRangeCost;
  os << "expected cost relative to the exact-shape oracle (pad-to-max = "
     << format("%.3f", padToMax / sweep.front().tuned.oracleCost)
     << "x); 'vs max' is the tuned cost over pad-to-max\n";
  os << format("%3s %8s %8s", "K", "tuned", "vs max");
  for (Baseline baseline : getAllBaselines())
    os << format(" %15s", getBaselineName(baseline).str().c_str());
  os << "\n";
  for (const KPoint &point : sweep) {
    double oracle = point.tuned.oracleCost;
    os << format("%3u %7.3fx %7.3fx", point.k, point.tuned.inRangeCost / oracle,
                 point.tuned.inRangeCost / padToMax);
    for (const Evaluation &baseline : point.baselines)
      os << format(" %14.3fx", baseline.inRangeCost / oracle);
    os << "\n";
  }
}

void mlir::bucket::printTail(raw_ostream &os, const Evaluation &evaluation) {
  if (evaluation.tailShare <= 0)
    return;
  os << format("tail beyond the largest bucket: %.2f%% of the calls; expected "
               "cost per call with policy error %.4g (those calls fail), "
               "fallback %.4g, split %.4g\n",
               100 * evaluation.tailShare,
               evaluation.getTotalCost(TailPolicy::Error),
               evaluation.getTotalCost(TailPolicy::Fallback),
               evaluation.getTotalCost(TailPolicy::Split));
}

void mlir::bucket::printDynamicity(raw_ostream &os, const Histogram &histogram,
                                   ArrayRef<KPoint> sweep, double threshold) {
  os << format("calls %.0f, distinct shapes %zu (an exact-shape compiler "
               "needs %zu static compiles)\n",
               histogram.getTotal(), histogram.shapes.size(),
               histogram.shapes.size());
  static const double quantiles[] = {0.5, 0.9, 0.95, 0.99, 1.0};
  os << format("%-16s %8s %6s", "dimension", "distinct", "min");
  for (double q : quantiles)
    os << format(" %6s",
                 q < 1 ? ("p" + Twine((int)std::lround(q * 100))).str().c_str()
                       : "max");
  os << "\n";
  for (size_t d = 0; d < histogram.getNumDims(); ++d) {
    os << format("%-16s %8zu %6lld", histogram.dims[d].c_str(),
                 histogram.getMarginal(d).size(),
                 (long long)histogram.getMarginal(d).front());
    for (double q : quantiles)
      os << format(" %6lld", (long long)histogram.getQuantile(d, q));
    os << "\n";
  }
  if (sweep.empty())
    return;
  SmallVector<double> costs;
  for (const KPoint &point : sweep)
    costs.push_back(point.tuned.inRangeCost);
  unsigned k = getSaturationK(costs, threshold);
  os << format("more buckets stop paying at K = %u (one more bucket gains "
               "less than %.1f%%); the tuned K = %u costs %.3fx the oracle, "
               "pad-to-max %.3fx\n",
               k, 100 * threshold, k,
               sweep[k - 1].tuned.inRangeCost / sweep[k - 1].tuned.oracleCost,
               sweep[0].tuned.inRangeCost / sweep[0].tuned.oracleCost);
}

void mlir::bucket::writeSvg(raw_ostream &os, const Histogram &histogram,
                            const Evaluation &chosen, ArrayRef<KPoint> sweep) {
  const double width = 640, height = 240, margin = 40;
  std::map<int64_t, double> marginal;
  for (auto [shape, count] : zip(histogram.shapes, histogram.counts))
    marginal[shape[0]] += count;
  double maxSize = (double)marginal.rbegin()->first, maxCount = 0;
  for (auto &entry : marginal)
    maxCount = std::max(maxCount, entry.second);
  double totalHeight = 2 * height + 3 * margin;
  os << format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
               "height=\"%.0f\" font-family=\"sans-serif\" font-size=\"11\">\n",
               width + 2 * margin, totalHeight);
  // Top: the histogram of the first dimension with the bucket edges.
  auto x = [&](double size) { return margin + width * size / maxSize; };
  os << format("<text x=\"%.0f\" y=\"%.0f\">histogram of %s with the chosen "
               "bucket edges</text>\n",
               margin, margin - 10, histogram.dims[0].c_str());
  for (auto &[size, count] : marginal) {
    double h = height * count / maxCount;
    os << format("<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                 "fill=\"steelblue\"/>\n",
                 x((double)size) - 1, margin + height - h,
                 std::max(1.0, width / maxSize), h);
  }
  for (const Tuple &bucket : chosen.buckets)
    os << format("<line x1=\"%.2f\" y1=\"%.0f\" x2=\"%.2f\" y2=\"%.0f\" "
                 "stroke=\"crimson\"/><text x=\"%.2f\" y=\"%.0f\" "
                 "fill=\"crimson\">%lld</text>\n",
                 x((double)bucket[0]), margin, x((double)bucket[0]),
                 margin + height, x((double)bucket[0]) + 2, margin + 10,
                 (long long)bucket[0]);
  if (sweep.empty()) {
    os << "</svg>\n";
    return;
  }
  // Bottom: cost over the oracle versus K, per method.
  double top = 2 * margin + height;
  double maxRatio = 1;
  for (const KPoint &point : sweep) {
    maxRatio =
        std::max(maxRatio, point.tuned.inRangeCost / point.tuned.oracleCost);
    for (const Evaluation &e : point.baselines)
      maxRatio = std::max(maxRatio, e.inRangeCost / e.oracleCost);
  }
  maxRatio = std::min(maxRatio, 4.0);
  auto px = [&](unsigned k) {
    return margin + width * (k - 1) / std::max<size_t>(1, sweep.size() - 1);
  };
  auto py = [&](double ratio) {
    ratio = std::min(ratio, maxRatio);
    return top + height - height * (ratio - 1) / std::max(1e-9, maxRatio - 1);
  };
  os << format("<text x=\"%.0f\" y=\"%.0f\">expected cost / oracle versus K "
               "(clipped at %.2fx)</text>\n",
               margin, top - 10, maxRatio);
  static const char *colors[] = {"black", "orange", "green", "purple", "gray"};
  for (size_t method = 0; method <= getAllBaselines().size(); ++method) {
    os << "<polyline fill=\"none\" stroke=\"" << colors[method]
       << "\" points=\"";
    for (const KPoint &point : sweep) {
      const Evaluation &e =
          method == 0 ? point.tuned : point.baselines[method - 1];
      os << format("%.1f,%.1f ", px(point.k), py(e.inRangeCost / e.oracleCost));
    }
    os << "\"/>\n";
    os << format(
        "<text x=\"%.0f\" y=\"%.0f\" fill=\"%s\">%s</text>\n", width - 60,
        top + 14 * (method + 1), colors[method],
        method == 0
            ? "tuned"
            : getBaselineName(getAllBaselines()[method - 1]).str().c_str());
  }
  os << "</svg>\n";
}
