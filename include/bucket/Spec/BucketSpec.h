//===- BucketSpec.h - Parsing and expanding bucket specifications -*- C++
//-*-===//
//
// A bucket specification says which static sizes each symbolic dimension is
// compiled for. It is plain text, the same on the command line
// (`--buckets`) and in the `bucket.buckets` function attribute:
//
//   spec   ::= group (';' group)*
//   group  ::= names '=' tuple (',' tuple)*
//   names  ::= name (',' name)*
//   tuple  ::= int ('x' int)*          (one int per name of the group)
//
// A group with one name is a list of sizes (`seq=64,128,512`); a group with
// several names is an explicit list of tuples, a sparse grid
// (`batch,seq=1x512,4x128,16x64`). The buckets are the cartesian product of
// the groups, so `batch=1,4;seq=64,128` is a full 2x2 grid.
//
// This library knows nothing about IR: it maps names to sizes. Matching names
// with a function's symbolic dimensions happens in the specialization pass.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_SPEC_BUCKETSPEC_H
#define BUCKET_SPEC_BUCKETSPEC_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir {
namespace bucket {

/// One `names = tuples` group of a specification.
struct BucketGroup {
  llvm::SmallVector<std::string> names;
  /// Each tuple has one size per name.
  llvm::SmallVector<llvm::SmallVector<int64_t>> tuples;
};

/// A parsed specification: groups whose cartesian product is the bucket set.
struct BucketSpec {
  llvm::SmallVector<BucketGroup> groups;

  /// Parses `text`. Rejects malformed text, non-positive sizes, sizes that
  /// are not strictly ascending in a one-name group, duplicate tuples, tuples
  /// of the wrong arity and names given twice. Error messages quote the
  /// offending part and its column.
  static llvm::Expected<BucketSpec> parse(llvm::StringRef text);

  /// All names, in the order they appear.
  llvm::SmallVector<std::string> getNames() const;

  /// Prints the spec in its canonical text form (parse(str()) round-trips).
  std::string str() const;
};

/// The padded cost of running in a bucket: the number of elements of the
/// iteration space the bucket sizes span, i.e. the product of the sizes.
/// Dispatch prefers the cheapest bucket that fits.
int64_t getBucketCost(llvm::ArrayRef<int64_t> sizes);

/// Concrete buckets over an ordered list of dimensions: one row of sizes per
/// bucket, sorted by ascending cost (ties keep specification order). This
/// order is the dispatch order: the first row that fits a shape is taken.
struct BucketTable {
  llvm::SmallVector<std::string> dims;
  llvm::SmallVector<llvm::SmallVector<int64_t>> rows;

  /// Expands `spec` over `dims` (each dimension must be named by exactly one
  /// group of the spec and every name of the spec must be in `dims`).
  static llvm::Expected<BucketTable> expand(const BucketSpec &spec,
                                            llvm::ArrayRef<std::string> dims);

  /// The index of the first row whose sizes are all >= `values`, or nullopt
  /// when no bucket fits.
  std::optional<size_t> select(llvm::ArrayRef<int64_t> values) const;

  /// The largest size of dimension `dim` over all rows.
  int64_t getMaxSize(size_t dim) const;
};

} // namespace bucket
} // namespace mlir

#endif // BUCKET_SPEC_BUCKETSPEC_H
