//===- BucketSpec.cpp - Parsing and expanding bucket specifications -------===//

#include "bucket/Spec/BucketSpec.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <numeric>

using namespace mlir::bucket;
using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::StringRef;

namespace {
/// A tiny recursive-descent parser that remembers where it is so errors can
/// point at the column the user has to fix.
class SpecParser {
public:
  explicit SpecParser(StringRef text) : text(text), rest(text) {}

  llvm::Expected<BucketSpec> parse() {
    BucketSpec spec;
    skipSpace();
    if (rest.empty())
      return error("empty bucket specification");
    while (true) {
      BucketGroup group;
      if (auto err = parseGroup(group))
        return std::move(err);
      spec.groups.push_back(std::move(group));
      skipSpace();
      if (rest.empty())
        break;
      if (!consume(';'))
        return error("expected ';' or end of specification");
    }
    llvm::StringSet<> seen;
    for (const BucketGroup &group : spec.groups)
      for (const std::string &name : group.names)
        if (!seen.insert(name).second)
          return llvm::createStringError("dimension '" + name +
                                         "' is given buckets more than once");
    return spec;
  }

private:
  size_t column() const { return text.size() - rest.size() + 1; }

  llvm::Error error(const llvm::Twine &message) const {
    return llvm::createStringError(
        message + " at column " + llvm::Twine(column()) + " of '" + text + "'");
  }

  void skipSpace() { rest = rest.ltrim(); }

  bool consume(char c) {
    skipSpace();
    if (!rest.starts_with(StringRef(&c, 1)))
      return false;
    rest = rest.drop_front();
    return true;
  }

  llvm::Error parseName(std::string &name) {
    skipSpace();
    size_t len = 0;
    auto isNameChar = [](char c, bool first) {
      return llvm::isAlpha(c) || c == '_' ||
             (!first && (llvm::isDigit(c) || c == '.'));
    };
    while (len < rest.size() && isNameChar(rest[len], len == 0))
      ++len;
    if (len == 0)
      return error("expected a dimension name");
    name = rest.take_front(len).str();
    rest = rest.drop_front(len);
    return llvm::Error::success();
  }

  llvm::Error parseSize(int64_t &size) {
    skipSpace();
    bool negative = rest.starts_with("-");
    StringRef digits = rest.drop_front(negative ? 1 : 0);
    size_t len = 0;
    while (len < digits.size() && llvm::isDigit(digits[len]))
      ++len;
    if (len == 0)
      return error("expected a size");
    uint64_t value;
    if (digits.take_front(len).getAsInteger(10, value) ||
        value > uint64_t(INT64_MAX))
      return error("size is too large");
    if (negative || value == 0)
      return error("sizes must be positive, got '" +
                   rest.take_front(len + negative) + "'");
    size = static_cast<int64_t>(value);
    rest = digits.drop_front(len);
    return llvm::Error::success();
  }

  llvm::Error parseGroup(BucketGroup &group) {
    do {
      std::string name;
      if (auto err = parseName(name))
        return err;
      group.names.push_back(std::move(name));
    } while (consume(','));
    if (!consume('='))
      return error("expected '=' after the dimension name");
    size_t arity = group.names.size();
    while (true) {
      size_t tupleColumn = column();
      SmallVector<int64_t> tuple;
      do {
        int64_t size;
        if (auto err = parseSize(size))
          return err;
        tuple.push_back(size);
        skipSpace();
      } while (tuple.size() < arity && consume('x'));
      if (tuple.size() != arity)
        return error("expected " + llvm::Twine(arity) +
                     " sizes separated by 'x' for (" +
                     llvm::join(group.names, ", ") + ")");
      if (arity == 1 && !group.tuples.empty() &&
          tuple[0] <= group.tuples.back()[0])
        return llvm::createStringError(
            "sizes of '" + group.names[0] +
            "' must be strictly ascending, but " + llvm::Twine(tuple[0]) +
            " follows " + llvm::Twine(group.tuples.back()[0]) + " at column " +
            llvm::Twine(tupleColumn) + " of '" + text + "'");
      if (llvm::is_contained(group.tuples, tuple))
        return llvm::createStringError("duplicate bucket at column " +
                                       llvm::Twine(tupleColumn) + " of '" +
                                       text + "'");
      group.tuples.push_back(std::move(tuple));
      skipSpace();
      // A ',' followed by a name starts no new tuple: names only come before
      // '=', so a ',' here always separates tuples.
      if (!consume(','))
        break;
    }
    return llvm::Error::success();
  }

  StringRef text;
  StringRef rest;
};
} // namespace

llvm::Expected<BucketSpec> BucketSpec::parse(StringRef text) {
  return SpecParser(text).parse();
}

SmallVector<std::string> BucketSpec::getNames() const {
  SmallVector<std::string> names;
  for (const BucketGroup &group : groups)
    llvm::append_range(names, group.names);
  return names;
}

std::string BucketSpec::str() const {
  std::string result;
  llvm::raw_string_ostream os(result);
  llvm::interleave(
      groups, os,
      [&](const BucketGroup &group) {
        os << llvm::join(group.names, ",") << "=";
        llvm::interleave(
            group.tuples, os,
            [&](ArrayRef<int64_t> tuple) { llvm::interleave(tuple, os, "x"); },
            ",");
      },
      ";");
  return result;
}

int64_t mlir::bucket::getBucketCost(ArrayRef<int64_t> sizes) {
  // Sizes are positive; saturate instead of overflowing on absurd grids.
  uint64_t cost = 1;
  for (int64_t size : sizes)
    cost = llvm::SaturatingMultiply(cost, uint64_t(size));
  return int64_t(std::min<uint64_t>(cost, INT64_MAX));
}

llvm::Expected<BucketTable> BucketTable::expand(const BucketSpec &spec,
                                                ArrayRef<std::string> dims) {
  // Where each dimension of the table comes from: (group, position).
  SmallVector<std::pair<size_t, size_t>> source(dims.size(), {~size_t(0), 0});
  for (auto [groupIndex, group] : llvm::enumerate(spec.groups)) {
    for (auto [position, name] : llvm::enumerate(group.names)) {
      auto it = llvm::find(dims, name);
      if (it == dims.end())
        return llvm::createStringError(
            "unknown dimension '" + name +
            "'; known dimensions: " + llvm::join(dims, ", "));
      source[it - dims.begin()] = {groupIndex, position};
    }
  }
  for (auto [dim, src] : llvm::zip(dims, source))
    if (src.first == ~size_t(0))
      return llvm::createStringError("no buckets given for dimension '" + dim +
                                     "'");

  BucketTable table;
  table.dims.assign(dims.begin(), dims.end());
  // Enumerate the cartesian product of the groups, first group outermost.
  SmallVector<size_t> choice(spec.groups.size(), 0);
  while (true) {
    SmallVector<int64_t> row;
    for (auto [groupIndex, position] : source)
      row.push_back(
          spec.groups[groupIndex].tuples[choice[groupIndex]][position]);
    table.rows.push_back(std::move(row));
    size_t g = spec.groups.size();
    while (g > 0 && ++choice[g - 1] == spec.groups[g - 1].tuples.size())
      choice[--g] = 0;
    if (g == 0)
      break;
  }
  // Cheapest first; rows of equal cost keep the order they were listed in.
  SmallVector<std::pair<int64_t, size_t>> order;
  for (auto [index, row] : llvm::enumerate(table.rows))
    order.push_back({getBucketCost(row), index});
  llvm::sort(order);
  SmallVector<SmallVector<int64_t>> sorted;
  for (auto [cost, index] : order)
    sorted.push_back(std::move(table.rows[index]));
  table.rows = std::move(sorted);
  return table;
}

std::optional<size_t> BucketTable::select(ArrayRef<int64_t> values) const {
  for (auto [index, row] : llvm::enumerate(rows))
    if (llvm::all_of(llvm::zip_equal(row, values), [](auto pair) {
          return std::get<1>(pair) <= std::get<0>(pair);
        }))
      return index;
  return std::nullopt;
}

int64_t BucketTable::getMaxSize(size_t dim) const {
  int64_t max = 0;
  for (ArrayRef<int64_t> row : rows)
    max = std::max(max, row[dim]);
  return max;
}
