//===- SpecFuzzer.cpp - libFuzzer target for the bucket specification -----===//
//
// Parses arbitrary text as a bucket specification and, when it parses,
// expands it over its own names (in order of appearance) and over one name
// it does not mention: a crash, a hang or an expansion that disagrees with
// the specification is a bug; an error is fine. The expansion is capped the
// way specialization caps it, by counting first.
//
//===----------------------------------------------------------------------===//

#include "bucket/Spec/BucketSpec.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace mlir::bucket;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::Expected<BucketSpec> spec = BucketSpec::parse(text);
  if (!spec) {
    llvm::consumeError(spec.takeError());
    return 0;
  }
  llvm::SmallVector<std::string> names;
  uint64_t count = 1;
  for (const BucketGroup &group : spec->groups) {
    for (const std::string &name : group.names)
      names.push_back(name);
    count *= group.tuples.size();
    // The check below selects every row, quadratic in the rows: 4096 rows
    // of 11 names took over 5 s under AddressSanitizer (a harness timeout;
    // specialization caps a function at --max-buckets, 256 by default).
    if (count > 1024)
      return 0;
  }
  llvm::Expected<BucketTable> table = BucketTable::expand(*spec, names);
  if (!table) {
    llvm::consumeError(table.takeError());
    return 0;
  }
  // Every row has one size per dimension, and select finds each row (or an
  // earlier one that also fits).
  for (const auto &row : table->rows) {
    if (row.size() != table->dims.size())
      abort();
    std::optional<size_t> chosen = table->select(row);
    if (!chosen)
      abort();
    for (size_t k = 0; k < row.size(); ++k)
      if (table->rows[*chosen][k] < row[k])
        abort();
  }
  names.push_back("not-a-dimension-of-the-spec");
  llvm::Expected<BucketTable> extra = BucketTable::expand(*spec, names);
  if (extra)
    abort(); // A dimension without buckets must be an error.
  llvm::consumeError(extra.takeError());
  return 0;
}
