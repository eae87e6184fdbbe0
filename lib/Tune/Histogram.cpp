//===- Histogram.cpp - Reading shape histograms ---------------------------===//

#include "bucket/Tune/Histogram.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace llvm;
using namespace mlir::bucket;

/// Sizes above this are refused: products of a few of them must not overflow
/// the 64-bit arithmetic of the cost models.
static constexpr int64_t kMaxSize = int64_t(1) << 31;
/// Counts are doubles: integers are exact up to 2^53. A row's count above it
/// is refused, and merged counts saturate there, so that every histogram
/// prints (str()) as a file its own reader accepts.
static constexpr int64_t kMaxCount = int64_t(1) << 53;

static bool isName(StringRef name) {
  if (name.empty() || !(isAlpha(name[0]) || name[0] == '_'))
    return false;
  return all_of(name,
                [](char c) { return isAlnum(c) || c == '_' || c == '.'; });
}

static Error lineError(StringRef buffer, size_t line, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           buffer + ":" + Twine(line) + ": " + message);
}

/// Parses a decimal integer in [0, max].
static bool parseInteger(StringRef text, int64_t max, int64_t &value) {
  if (text.empty() || !all_of(text, isDigit) || text.size() > 18)
    return false;
  text.getAsInteger(10, value);
  return value <= max;
}

namespace {
/// The state of Histogram::parse: the header's columns, then the rows.
struct HistogramParser {
  StringRef bufferName;
  SmallVector<std::string> dims;
  int countColumn = -1;
  size_t numColumns = 0;
  bool haveHeader = false;
  std::map<SmallVector<int64_t>, double> merged;

  Error parseHeader(ArrayRef<StringRef> fields, size_t lineNo);
  Error parseRow(ArrayRef<StringRef> fields, size_t lineNo);
};
} // namespace

/// The header: one dimension name per column, and at most one `count`.
Error HistogramParser::parseHeader(ArrayRef<StringRef> fields, size_t lineNo) {
  haveHeader = true;
  numColumns = fields.size();
  for (auto [column, field] : enumerate(fields)) {
    if (field == "count") {
      if (countColumn >= 0)
        return lineError(bufferName, lineNo,
                         "the column 'count' appears twice");
      countColumn = column;
      continue;
    }
    if (!isName(field))
      return lineError(bufferName, lineNo,
                       "column " + Twine(column + 1) + ": '" + field +
                           "' is not a dimension name "
                           "([A-Za-z_][A-Za-z0-9_.]*)");
    if (is_contained(dims, field.str()))
      return lineError(bufferName, lineNo,
                       "dimension '" + field + "' appears twice");
    dims.push_back(field.str());
  }
  if (dims.empty())
    return lineError(bufferName, lineNo,
                     "the header names no dimension (only 'count')");
  return Error::success();
}

/// A row: a positive size per dimension and a non-negative count; rows of
/// the same shape add up.
Error HistogramParser::parseRow(ArrayRef<StringRef> fields, size_t lineNo) {
  if (fields.size() != numColumns)
    return lineError(bufferName, lineNo,
                     "expected " + Twine(numColumns) + " fields (" +
                         join(dims, ",") + (countColumn >= 0 ? ",count" : "") +
                         "), found " + Twine(fields.size()));
  SmallVector<int64_t> shape;
  double count = 1;
  for (auto [column, field] : enumerate(fields)) {
    int64_t value = 0;
    bool isCount = (int)column == countColumn;
    if (!parseInteger(field, isCount ? kMaxCount : kMaxSize, value))
      return lineError(bufferName, lineNo,
                       "column " + Twine(column + 1) + ": '" + field +
                           "' is not a non-negative integer below " +
                           (isCount ? "2^53" : "2^31"));
    if (isCount) {
      count = (double)value;
      continue;
    }
    if (value == 0)
      return lineError(bufferName, lineNo,
                       "column " + Twine(column + 1) + ": size of '" +
                           dims[shape.size()] + "' must be positive");
    shape.push_back(value);
  }
  if (count > 0) {
    double &total = merged[shape];
    total = std::min(total + count, (double)kMaxCount);
  }
  return Error::success();
}

Expected<Histogram> Histogram::parse(StringRef text, StringRef bufferName) {
  HistogramParser parser;
  parser.bufferName = bufferName;
  SmallVector<StringRef> lines;
  text.split(lines, '\n');
  for (auto [index, rawLine] : enumerate(lines)) {
    StringRef line = rawLine.trim();
    if (line.empty() || line.starts_with("#"))
      continue;
    SmallVector<StringRef> fields;
    line.split(fields, ',');
    for (StringRef &field : fields)
      field = field.trim();
    if (Error error = parser.haveHeader ? parser.parseRow(fields, index + 1)
                                        : parser.parseHeader(fields, index + 1))
      return std::move(error);
  }
  if (!parser.haveHeader)
    return createStringError(inconvertibleErrorCode(),
                             bufferName + ": empty histogram (no header)");
  if (parser.merged.empty())
    return createStringError(inconvertibleErrorCode(),
                             bufferName + ": no shape with a positive count");
  Histogram result;
  result.dims = std::move(parser.dims);
  for (auto &[shape, count] : parser.merged) {
    result.shapes.push_back(shape);
    result.counts.push_back(count);
  }
  return result;
}

Expected<Histogram> Histogram::readFile(StringRef path) {
  auto buffer = MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer)
    return createStringError(buffer.getError(),
                             "cannot read '" + path +
                                 "': " + buffer.getError().message());
  return parse((*buffer)->getBuffer(), path);
}

Histogram Histogram::fromPairs(ArrayRef<std::string> dims,
                               ArrayRef<SmallVector<int64_t>> shapes,
                               ArrayRef<double> counts) {
  std::map<SmallVector<int64_t>, double> merged;
  for (auto [shape, count] : zip(shapes, counts))
    if (count > 0)
      merged[shape] += count;
  Histogram result;
  result.dims.assign(dims.begin(), dims.end());
  for (auto &[shape, count] : merged) {
    result.shapes.push_back(shape);
    result.counts.push_back(count);
  }
  return result;
}

int Histogram::findDim(StringRef name) const {
  for (auto [index, dim] : enumerate(dims))
    if (dim == name)
      return index;
  return -1;
}

double Histogram::getTotal() const {
  double total = 0;
  for (double count : counts)
    total += count;
  return total;
}

SmallVector<int64_t> Histogram::getMarginal(size_t dim) const {
  SmallVector<int64_t> values;
  for (const auto &shape : shapes)
    values.push_back(shape[dim]);
  llvm::sort(values);
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

int64_t Histogram::getQuantile(size_t dim, double q) const {
  std::map<int64_t, double> marginal;
  for (auto [shape, count] : zip(shapes, counts))
    marginal[shape[dim]] += count;
  double target = q * getTotal(), seen = 0;
  for (auto &[size, count] : marginal) {
    seen += count;
    // A relative tolerance: q * total may round just above the exact sum.
    if (seen >= target * (1 - 1e-12))
      return size;
  }
  return marginal.rbegin()->first;
}

int64_t Histogram::getMax(size_t dim) const {
  int64_t max = 0;
  for (const auto &shape : shapes)
    max = std::max(max, shape[dim]);
  return max;
}

std::string Histogram::str() const {
  std::string text;
  raw_string_ostream os(text);
  os << join(dims, ",") << ",count\n";
  for (auto [shape, count] : zip(shapes, counts)) {
    for (int64_t size : shape)
      os << size << ",";
    os << (int64_t)std::llround(count) << "\n";
  }
  return text;
}
