//===- HistogramFuzzer.cpp - libFuzzer target for shape histograms --------===//
//
// Parses arbitrary text as a shape histogram (Histogram::parse, the reader of
// bucket-tune --histogram). A crash, a hang or a sanitizer report is a bug;
// an error is fine. When the text parses, the result must keep the promises
// of Histogram.h and of the reader:
//   - at least one dimension, all distinct names of the form
//     [A-Za-z_][A-Za-z0-9_.]*, none of them `count`;
//   - at least one shape, one count per shape;
//   - every shape has one size per dimension, each in [1, 2^31];
//   - every count is a positive integer (zero counts are dropped) of at
//     most 2^53 (a row's count is at most that, and merged counts saturate
//     there);
//   - the shapes are distinct and sorted lexicographically;
//   - the queries bucket-tune makes are consistent: each quantile and the
//     maximum are sizes of the marginal, and the marginal is ascending.
// Printing the histogram (str) and parsing it again gives the same
// histogram.
//
//===----------------------------------------------------------------------===//

#include "bucket/Tune/Histogram.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace mlir::bucket;

static bool isNameChar(char c, bool first) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
         (!first && ((c >= '0' && c <= '9') || c == '.'));
}

/// Checks the invariants above; aborts on a violation.
static void checkHistogram(const Histogram &h) {
  if (h.dims.empty() || h.shapes.empty() || h.shapes.size() != h.counts.size())
    abort();
  for (size_t i = 0; i < h.dims.size(); ++i) {
    const std::string &name = h.dims[i];
    if (name.empty() || name == "count" || h.findDim(name) != (int)i)
      abort();
    for (size_t k = 0; k < name.size(); ++k)
      if (!isNameChar(name[k], k == 0))
        abort();
  }
  const double maxCount = double(int64_t(1) << 53);
  for (size_t s = 0; s < h.shapes.size(); ++s) {
    if (h.shapes[s].size() != h.dims.size())
      abort();
    for (int64_t size : h.shapes[s])
      if (size < 1 || size > (int64_t(1) << 31))
        abort();
    double count = h.counts[s];
    if (!std::isfinite(count) || count <= 0 || count > maxCount ||
        count != std::floor(count))
      abort();
    if (s > 0 && !(h.shapes[s - 1] < h.shapes[s]))
      abort();
  }
  if (!(h.getTotal() > 0))
    abort();
  for (size_t d = 0; d < h.getNumDims(); ++d) {
    llvm::SmallVector<int64_t> marginal = h.getMarginal(d);
    for (size_t k = 1; k < marginal.size(); ++k)
      if (marginal[k - 1] >= marginal[k])
        abort();
    if (h.getMax(d) != marginal.back())
      abort();
    for (double q : {0.01, 0.5, 0.9, 1.0})
      if (!llvm::is_contained(marginal, h.getQuantile(d, q)))
        abort();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::Expected<Histogram> histogram = Histogram::parse(text, "fuzz");
  if (!histogram) {
    std::string message = llvm::toString(histogram.takeError());
    // Every error names the buffer.
    if (!llvm::StringRef(message).starts_with("fuzz"))
      abort();
    return 0;
  }
  checkHistogram(*histogram);
  // The printed form reads back as the same histogram (counts are integers
  // of at most 2^53 here, so printing them loses nothing).
  llvm::Expected<Histogram> again = Histogram::parse(histogram->str(), "str");
  if (!again)
    abort();
  if (again->dims != histogram->dims || again->shapes != histogram->shapes ||
      again->counts != histogram->counts)
    abort();
  return 0;
}
