//===- Optimizer.cpp - Choosing buckets from a histogram ------------------===//

#include "bucket/Tune/Optimizer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace llvm;
using namespace mlir::bucket;

static constexpr double kInfinity = std::numeric_limits<double>::infinity();

double CostCache::operator()(ArrayRef<int64_t> sizes) {
  Tuple key(sizes.begin(), sizes.end());
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  double value = fn(sizes);
  cache.emplace(std::move(key), value);
  return value;
}

double mlir::bucket::getElementCount(ArrayRef<int64_t> sizes) {
  double product = 1;
  for (int64_t size : sizes)
    product *= (double)size;
  return product;
}

static bool fits(ArrayRef<int64_t> bucket, ArrayRef<int64_t> shape) {
  for (auto [b, s] : zip(bucket, shape))
    if (b < s)
      return false;
  return true;
}

double Evaluation::getTotalCost(TailPolicy policy) const {
  switch (policy) {
  case TailPolicy::Error:
    return inRangeCost;
  case TailPolicy::Fallback:
    return inRangeCost + tailCostFallback;
  case TailPolicy::Split:
    return inRangeCost + tailCostSplit;
  }
  return inRangeCost;
}

double Evaluation::getPaddingWaste() const {
  double real = 0, padded = 0;
  for (auto [r, p] : zip(realElements, paddedElements)) {
    real += r;
    padded += p;
  }
  return real > 0 ? padded / real - 1 : 0;
}

Tuple mlir::bucket::getCoverSizes(const Histogram &histogram,
                                  double coverQuantile) {
  Tuple cover;
  for (size_t d = 0; d < histogram.getNumDims(); ++d)
    cover.push_back(coverQuantile >= 1
                        ? histogram.getMax(d)
                        : histogram.getQuantile(d, coverQuantile));
  return cover;
}

BucketList mlir::bucket::sortForDispatch(ArrayRef<Tuple> buckets) {
  // Ascending product, ties in the given order.
  SmallVector<std::pair<double, size_t>> keys;
  for (auto [index, bucket] : enumerate(buckets))
    keys.push_back({getElementCount(bucket), index});
  llvm::sort(keys);
  BucketList sorted;
  for (auto &key : keys)
    sorted.push_back(buckets[key.second]);
  return sorted;
}

Evaluation mlir::bucket::evaluateBuckets(const Histogram &histogram,
                                         ArrayRef<Tuple> buckets,
                                         ArrayRef<int64_t> cover,
                                         CostCache &cost,
                                         const TuneOptions &options) {
  Evaluation result;
  result.buckets = sortForDispatch(buckets);
  size_t n = result.buckets.size();
  result.hitShare.assign(n, 0);
  result.realElements.assign(n, 0);
  result.paddedElements.assign(n, 0);
  result.costShare.assign(n, 0);
  Tuple largest(histogram.getNumDims(), 0);
  for (const Tuple &bucket : result.buckets)
    for (auto [l, b] : zip(largest, bucket))
      l = std::max(l, b);
  double total = histogram.getTotal(), inRangeShare = 0;
  for (auto [shape, count] : zip(histogram.shapes, histogram.counts)) {
    double weight = count / total;
    double exact = cost(shape);
    bool inRange = fits(cover, shape);
    inRangeShare += inRange ? weight : 0;
    const Tuple *selected = nullptr;
    size_t index = 0;
    if (inRange) {
      result.oracleCost += weight * exact;
      for (; index < n && !selected; ++index)
        if (fits(result.buckets[index], shape))
          selected = &result.buckets[index];
      --index;
    }
    if (!selected) {
      result.feasible &= !inRange;
      result.tailShare += weight;
      result.tailCostFallback += weight * options.fallbackFactor * exact;
      // Split: chunks of the largest bucket along every dimension it
      // exceeds, each chunk run in the bucket that fits it.
      double chunks = 1;
      Tuple chunk;
      for (auto [s, l] : zip(shape, largest)) {
        chunks *= l > 0 ? std::ceil((double)s / (double)l) : 0;
        chunk.push_back(std::min(s, l));
      }
      double chunkCost = kInfinity;
      for (const Tuple &bucket : result.buckets)
        if (fits(bucket, chunk)) {
          chunkCost = cost(bucket);
          break;
        }
      result.tailCostSplit += weight * chunks * chunkCost;
      continue;
    }
    double c = weight * cost(*selected);
    if (options.hasLatencyBudget() && cost(*selected) > options.maxLatency)
      result.slowShare += weight;
    result.inRangeCost += c;
    result.hitShare[index] += weight;
    result.realElements[index] += count * getElementCount(shape);
    result.paddedElements[index] += count * getElementCount(*selected);
    result.costShare[index] += c;
  }
  for (double &share : result.costShare)
    share = result.inRangeCost > 0 ? share / result.inRangeCost : 0;
  result.slowShare = inRangeShare > 0 ? result.slowShare / inRangeShare : 0;
  if (!result.feasible)
    result.inRangeCost = kInfinity;
  return result;
}

SmallVector<size_t> mlir::bucket::optimizeOneDimension(
    ArrayRef<double> weights, ArrayRef<double> bucketCost, unsigned maxBuckets,
    std::optional<RequiredEdge> required) {
  size_t n = weights.size();
  if (n == 0 || maxBuckets == 0)
    return {};
  unsigned k = std::min<size_t>(maxBuckets, n);
  // Without a required range every bucket is in it.
  auto [first, last] = required.value_or(RequiredEdge{0, n - 1});
  auto isRequired = [&, first = first, last = last](size_t j) {
    return j >= first && j <= last;
  };
  // prefix[j] = weights[0] + ... + weights[j - 1].
  SmallVector<double> prefix(n + 1, 0);
  for (size_t j = 0; j < n; ++j)
    prefix[j + 1] = prefix[j] + weights[j];
  // best[f][b][j]: the least cost of sizes 0..j with b + 1 buckets, the last
  // at size j (which then takes sizes i + 1..j after the previous one at i),
  // f: whether one of them is in the required range. from[f][b][j]: the
  // previous bucket and its flag.
  using Step = std::pair<size_t, bool>;
  SmallVector<SmallVector<double>> best[2];
  SmallVector<SmallVector<Step>> from[2];
  for (bool f : {false, true}) {
    best[f].assign(k, SmallVector<double>(n, kInfinity));
    from[f].assign(k, SmallVector<Step>(n));
  }
  for (size_t j = 0; j < n; ++j)
    best[isRequired(j)][0][j] = bucketCost[j] * prefix[j + 1];
  for (unsigned b = 1; b < k; ++b)
    for (size_t j = b; j < n; ++j)
      for (size_t i = b - 1; i < j; ++i)
        for (bool f : {false, true}) {
          double value = best[f][b - 1][i] +
                         bucketCost[j] * (prefix[j + 1] - prefix[i + 1]);
          bool g = f || isRequired(j);
          if (value < best[g][b][j]) {
            best[g][b][j] = value;
            from[g][b][j] = {i, f};
          }
        }
  // At most K: the fewest buckets reaching the least cost.
  unsigned used = 0;
  for (unsigned b = 1; b < k; ++b)
    if (best[1][b][n - 1] < best[1][used][n - 1] * (1 - 1e-12))
      used = b;
  // Too few buckets for the required range: the unconstrained optimum.
  if (best[1][used][n - 1] == kInfinity)
    return optimizeOneDimension(weights, bucketCost, maxBuckets);
  SmallVector<size_t> chosen;
  Step at = {n - 1, true};
  for (unsigned b = used + 1; b-- > 0;) {
    chosen.push_back(at.first);
    at = from[at.second][b][at.first];
  }
  std::reverse(chosen.begin(), chosen.end());
  return chosen;
}

std::optional<RequiredEdge>
mlir::bucket::getLatencyEdge(ArrayRef<double> weights,
                             ArrayRef<double> bucketCost,
                             const TuneOptions &options) {
  size_t n = weights.size();
  // fast: how many of the smallest sizes cost at most the budget, each with
  // every smaller one.
  size_t fast = 0;
  while (options.hasLatencyBudget() && fast < n &&
         bucketCost[fast] <= options.maxLatency)
    ++fast;
  // Every bucket meets the budget, or none does: nothing to require.
  if (!options.hasLatencyBudget() || fast == n || fast == 0)
    return std::nullopt;
  double total = 0;
  for (double weight : weights)
    total += weight;
  double allowed = options.getAllowedSlowShare() * total * (1 + 1e-12);
  // With the last fast bucket at e, the calls at sizes e + 1.. are slow.
  size_t last = fast - 1, e = last;
  double slow = 0;
  for (size_t j = fast; j < n; ++j)
    slow += weights[j];
  if (slow > allowed)
    return RequiredEdge{last, last};
  while (e > 0 && slow + weights[e] <= allowed)
    slow += weights[e--];
  return RequiredEdge{e, last};
}

double mlir::bucket::getLatencyQuantile(const Histogram &histogram,
                                        ArrayRef<Tuple> buckets,
                                        ArrayRef<int64_t> cover,
                                        CostCache &cost, double quantile) {
  BucketList order = sortForDispatch(buckets);
  SmallVector<std::pair<double, double>> calls; // (cost, count)
  double total = 0;
  for (auto [shape, count] : zip(histogram.shapes, histogram.counts)) {
    if (!fits(cover, shape))
      continue;
    const Tuple *selected = nullptr;
    for (const Tuple &bucket : order)
      if (!selected && fits(bucket, shape))
        selected = &bucket;
    calls.push_back({order.empty() ? cost(shape)
                     : selected    ? cost(*selected)
                                   : kInfinity,
                     count});
    total += count;
  }
  llvm::sort(calls);
  double seen = 0;
  for (auto [c, count] : calls) {
    seen += count;
    if (seen >= quantile * total * (1 - 1e-12))
      return c;
  }
  return calls.empty() ? 0 : calls.back().first;
}

/// The weighted quantile positions of the marginal of `dim` among its
/// in-range values: at most `perDim` values, always the cover.
static Tuple thinMarginal(const Histogram &histogram, size_t dim, int64_t cover,
                          unsigned perDim) {
  std::map<int64_t, double> marginal;
  for (auto [shape, count] : zip(histogram.shapes, histogram.counts))
    if (shape[dim] <= cover)
      marginal[shape[dim]] += count;
  Tuple values;
  if (marginal.size() <= perDim) {
    for (auto &entry : marginal)
      values.push_back(entry.first);
    return values;
  }
  double total = 0;
  for (auto &entry : marginal)
    total += entry.second;
  double seen = 0;
  unsigned next = 1;
  for (auto &[size, count] : marginal) {
    seen += count;
    if (seen >= total * next / perDim * (1 - 1e-12)) {
      values.push_back(size);
      while (next <= perDim && seen >= total * next / perDim * (1 - 1e-12))
        ++next;
    }
  }
  if (values.empty() || values.back() != cover)
    values.push_back(cover);
  return values;
}

SmallVector<Tuple> mlir::bucket::getCandidateSizes(const Histogram &histogram,
                                                   ArrayRef<int64_t> cover,
                                                   unsigned perDim) {
  SmallVector<Tuple> sizes;
  for (size_t d = 0; d < histogram.getNumDims(); ++d)
    sizes.push_back(thinMarginal(histogram, d, cover[d], std::max(perDim, 1u)));
  return sizes;
}

BucketList mlir::bucket::getCandidateTuples(const Histogram &histogram,
                                            ArrayRef<Tuple> candidateSizes,
                                            ArrayRef<int64_t> cover) {
  BucketList tuples;
  size_t dims = candidateSizes.size();
  SmallVector<size_t> index(dims, 0);
  while (true) {
    Tuple tuple;
    for (size_t d = 0; d < dims; ++d)
      tuple.push_back(candidateSizes[d][index[d]]);
    bool useful = false;
    for (const Tuple &shape : histogram.shapes)
      if (fits(cover, shape) && fits(tuple, shape)) {
        useful = true;
        break;
      }
    if (useful)
      tuples.push_back(tuple);
    size_t d = dims;
    while (d > 0 && ++index[d - 1] == candidateSizes[d - 1].size())
      index[--d] = 0;
    if (d == 0)
      break;
  }
  return tuples;
}

namespace {
/// Evaluates subsets of candidate tuples quickly: which candidate fits which
/// in-range shape is computed once.
class SubsetEvaluator {
public:
  SubsetEvaluator(const Histogram &histogram, ArrayRef<Tuple> candidates,
                  ArrayRef<int64_t> cover, CostCache &cost,
                  const TuneOptions &options)
      : candidates(candidates), options(options) {
    double total = histogram.getTotal();
    for (auto [shape, count] : zip(histogram.shapes, histogram.counts))
      if (fits(cover, shape)) {
        weights.push_back(count / total);
        inRangeShare += count / total;
      }
    for (const Tuple &candidate : candidates) {
      costs.push_back(cost(candidate));
      maxCost = std::max(maxCost, costs.back());
      products.push_back(getElementCount(candidate));
      SmallVector<bool> row;
      for (const Tuple &shape : histogram.shapes)
        if (fits(cover, shape))
          row.push_back(fits(candidate, shape));
      fitTable.push_back(std::move(row));
    }
  }

  /// The in-range cost of a subset (indices into the candidates), infinite
  /// when some in-range shape fits none of them. With a latency budget, the
  /// share of calls beyond it comes first: a set that exceeds the budget
  /// costs more than any that meets it, and more the more it exceeds it.
  double operator()(ArrayRef<size_t> subset) {
    // Dispatch order: ascending product, ties in subset order.
    keys.clear();
    for (auto [position, index] : enumerate(subset))
      keys.push_back({products[index], position});
    llvm::sort(keys);
    order.clear();
    for (auto &key : keys)
      order.push_back(subset[key.second]);
    double total = 0, slow = 0;
    for (size_t s = 0; s < weights.size(); ++s) {
      size_t k = 0;
      while (k < order.size() && !fitTable[order[k]][s])
        ++k;
      if (k == order.size())
        return kInfinity;
      total += weights[s] * costs[order[k]];
      if (options.hasLatencyBudget() && costs[order[k]] > options.maxLatency)
        slow += weights[s];
    }
    double excess = inRangeShare > 0 ? slow / inRangeShare -
                                           options.getAllowedSlowShare() - 1e-12
                                     : 0;
    return excess > 0 ? total + excess * maxCost * 1e9 : total;
  }

  BucketList getBuckets(ArrayRef<size_t> subset) const {
    BucketList buckets;
    for (size_t index : subset)
      buckets.push_back(candidates[index]);
    return sortForDispatch(buckets);
  }

private:
  ArrayRef<Tuple> candidates;
  const TuneOptions &options;
  double inRangeShare = 0, maxCost = 0;
  SmallVector<double> weights, costs, products;
  SmallVector<SmallVector<bool>> fitTable;
  SmallVector<size_t> order;
  SmallVector<std::pair<double, size_t>> keys;
};
} // namespace

/// Whether `a` is a real improvement over `b`.
static bool improves(double a, double b) { return a < b * (1 - 1e-12); }

BucketList mlir::bucket::searchBuckets(const Histogram &histogram,
                                       ArrayRef<Tuple> candidates,
                                       ArrayRef<int64_t> cover, CostCache &cost,
                                       const TuneOptions &options) {
  SubsetEvaluator evaluate(histogram, candidates, cover, cost, options);
  auto coverIt = llvm::find(candidates, Tuple(cover.begin(), cover.end()));
  if (coverIt == candidates.end() || options.maxBuckets == 0)
    return {};
  SmallVector<size_t> set = {(size_t)(coverIt - candidates.begin())};
  double current = evaluate(set);
  // Greedy: add the candidate that lowers the cost most, while under budget
  // and while some addition pays. Then local search: replace one bucket by
  // one candidate, best improvement first, then try additions again.
  SmallVector<size_t> trial;
  auto bestMove = [&](bool add, double &bestValue) {
    SmallVector<size_t> bestSet;
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (is_contained(set, c))
        continue;
      for (size_t i = 0; i < (add ? 1 : set.size()); ++i) {
        trial = set;
        if (add)
          trial.push_back(c);
        else
          trial[i] = c;
        double value = evaluate(trial);
        if (improves(value, bestValue)) {
          bestValue = value;
          bestSet = trial;
        }
      }
    }
    return bestSet;
  };
  // When single moves are stuck: replace two buckets at once, if that many
  // trials stay cheap (small grids; large ones rely on single moves).
  auto bestPairMove = [&](double &bestValue) {
    SmallVector<size_t> bestSet;
    double pairs = 0.5 * set.size() * (set.size() - 1);
    if (set.size() < 2 ||
        pairs * candidates.size() * candidates.size() > options.maxPairTrials)
      return bestSet;
    for (size_t i = 0; i < set.size(); ++i)
      for (size_t j = i + 1; j < set.size(); ++j)
        for (size_t c = 0; c < candidates.size(); ++c)
          for (size_t d = c + 1; d < candidates.size(); ++d) {
            if (is_contained(set, c) || is_contained(set, d))
              continue;
            trial = set;
            trial[i] = c;
            trial[j] = d;
            double value = evaluate(trial);
            if (improves(value, bestValue)) {
              bestValue = value;
              bestSet = trial;
            }
          }
    return bestSet;
  };
  for (unsigned round = 0; round < options.maxRounds + options.maxBuckets;
       ++round) {
    double bestValue = current;
    SmallVector<size_t> next;
    if (set.size() < options.maxBuckets)
      next = bestMove(/*add=*/true, bestValue);
    if (next.empty())
      next = bestMove(/*add=*/false, bestValue);
    if (next.empty())
      next = bestPairMove(bestValue);
    if (next.empty())
      break;
    set = std::move(next);
    current = bestValue;
  }
  return evaluate.getBuckets(set);
}

static uint64_t countSubsets(size_t n, unsigned k, uint64_t limit) {
  uint64_t total = 0, binomial = 1;
  for (unsigned i = 1; i <= k && i <= n; ++i) {
    binomial = binomial * (n - i + 1) / i;
    total += binomial;
    if (total > limit)
      return limit + 1;
  }
  return total;
}

BucketList mlir::bucket::exhaustiveSearch(const Histogram &histogram,
                                          ArrayRef<Tuple> candidates,
                                          ArrayRef<int64_t> cover,
                                          CostCache &cost,
                                          const TuneOptions &options,
                                          uint64_t maxSubsets) {
  if (countSubsets(candidates.size(), options.maxBuckets, maxSubsets) >
      maxSubsets)
    return {};
  SubsetEvaluator evaluate(histogram, candidates, cover, cost, options);
  double bestValue = kInfinity;
  SmallVector<size_t> bestSet, set;
  std::function<void(size_t)> recurse = [&](size_t start) {
    if (!set.empty()) {
      double value = evaluate(set);
      if (improves(value, bestValue) ||
          (bestSet.empty() && value < kInfinity)) {
        bestValue = value;
        bestSet = set;
      }
    }
    if (set.size() == options.maxBuckets)
      return;
    for (size_t c = start; c < candidates.size(); ++c) {
      set.push_back(c);
      recurse(c + 1);
      set.pop_back();
    }
  };
  recurse(0);
  return evaluate.getBuckets(bestSet);
}

BucketList mlir::bucket::tuneBuckets(const Histogram &histogram,
                                     CostCache &cost,
                                     const TuneOptions &options) {
  Tuple cover = getCoverSizes(histogram, options.coverQuantile);
  if (histogram.getNumDims() == 1) {
    std::map<int64_t, double> marginal;
    for (auto [shape, count] : zip(histogram.shapes, histogram.counts))
      if (shape[0] <= cover[0])
        marginal[shape[0]] += count;
    SmallVector<double> weights, costs;
    Tuple sizes;
    for (auto &[size, count] : marginal) {
      sizes.push_back(size);
      weights.push_back(count);
      costs.push_back(cost({size}));
    }
    BucketList buckets;
    for (size_t index :
         optimizeOneDimension(weights, costs, options.maxBuckets,
                              getLatencyEdge(weights, costs, options)))
      buckets.push_back({sizes[index]});
    return buckets;
  }
  unsigned perDim = options.maxCandidatesPerDim;
  if (perDim == 0)
    perDim =
        std::max(2u, (unsigned)std::floor(
                         std::pow(256.0, 1.0 / histogram.getNumDims()) + 1e-9));
  SmallVector<Tuple> sizes = getCandidateSizes(histogram, cover, perDim);
  BucketList candidates = getCandidateTuples(histogram, sizes, cover);
  return searchBuckets(histogram, candidates, cover, cost, options);
}

StringRef mlir::bucket::getBaselineName(Baseline baseline) {
  switch (baseline) {
  case Baseline::PowersOfTwo:
    return "powers of two";
  case Baseline::Percentiles:
    return "percentiles";
  case Baseline::EqualWidth:
    return "equal width";
  case Baseline::TokenDP:
    return "token-count DP";
  }
  return "";
}

/// The sizes of one dimension a spacing rule picks, ascending, at most k,
/// the largest covering `cover`.
static Tuple getBaselineSizes(Baseline baseline, const Histogram &histogram,
                              size_t dim, int64_t cover, unsigned k) {
  Tuple sizes;
  switch (baseline) {
  case Baseline::PowersOfTwo: {
    int64_t top = 1;
    while (top < cover)
      top *= 2;
    for (unsigned i = 0; i < k && top >= 1; ++i, top /= 2)
      sizes.push_back(top);
    break;
  }
  case Baseline::Percentiles: {
    // Quantiles of the in-range calls: q_j = j / k of the share at or below
    // the cover.
    std::map<int64_t, double> marginal;
    for (auto [shape, count] : zip(histogram.shapes, histogram.counts))
      if (shape[dim] <= cover)
        marginal[shape[dim]] += count;
    double total = 0, seen = 0;
    for (auto &entry : marginal)
      total += entry.second;
    unsigned next = 1;
    for (auto &[size, count] : marginal) {
      seen += count;
      bool reached = false;
      while (next <= k && seen >= total * next / k * (1 - 1e-12)) {
        reached = true;
        ++next;
      }
      if (reached)
        sizes.push_back(size);
    }
    break;
  }
  case Baseline::EqualWidth:
    for (unsigned j = 1; j <= k; ++j)
      sizes.push_back((cover * j + k - 1) / k);
    break;
  case Baseline::TokenDP:
    break;
  }
  llvm::sort(sizes);
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  if (sizes.empty() || sizes.back() < cover)
    sizes.push_back(cover);
  return sizes;
}

BucketList mlir::bucket::getBaselineBuckets(Baseline baseline,
                                            const Histogram &histogram,
                                            const TuneOptions &options) {
  if (baseline == Baseline::TokenDP) {
    CostCache tokens(getElementCount);
    return sortForDispatch(tuneBuckets(histogram, tokens, options));
  }
  Tuple cover = getCoverSizes(histogram, options.coverQuantile);
  size_t dims = histogram.getNumDims();
  unsigned perDim = std::max(
      1u, (unsigned)std::floor(
              std::pow((double)options.maxBuckets, 1.0 / dims) + 1e-9));
  SmallVector<Tuple> sizes;
  for (size_t d = 0; d < dims; ++d)
    sizes.push_back(getBaselineSizes(baseline, histogram, d, cover[d], perDim));
  BucketList grid = {{}};
  for (const Tuple &values : sizes) {
    BucketList next;
    for (const Tuple &prefix : grid)
      for (int64_t value : values) {
        Tuple tuple = prefix;
        tuple.push_back(value);
        next.push_back(tuple);
      }
    grid = std::move(next);
  }
  return sortForDispatch(grid);
}

std::string mlir::bucket::formatSpec(ArrayRef<std::string> dims,
                                     ArrayRef<Tuple> buckets) {
  std::string text;
  raw_string_ostream os(text);
  os << join(dims, ",") << "=";
  if (dims.size() == 1) {
    Tuple sizes;
    for (const Tuple &bucket : buckets)
      sizes.push_back(bucket[0]);
    llvm::sort(sizes);
    interleave(sizes, os, ",");
    return text;
  }
  interleave(
      sortForDispatch(buckets), os,
      [&](const Tuple &tuple) { interleave(tuple, os, "x"); }, ",");
  return text;
}
