//===- Histogram.h - Observed shapes for bucket tuning ----------*- C++ -*-===//
//
// A histogram of observed shapes: one column per named symbolic dimension and
// an optional `count` column, as in /work/shared/data/shapes and as the
// runtime's shape recorder (BUCKET_RECORD) writes it:
//
//   height,width,count
//   480,640,1221
//   640,480,310
//
// Rows may repeat a shape (the recorder writes one row per call); their
// counts add up. Blank lines and lines starting with '#' are ignored. Every
// malformed input is an error naming the line (and the column) at fault.
//
// Plain LLVM Support: no MLIR, so tests and tools link it cheaply.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TUNE_HISTOGRAM_H
#define BUCKET_TUNE_HISTOGRAM_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mlir {
namespace bucket {

/// A weighted set of distinct shapes over named dimensions.
struct Histogram {
  /// The dimension names, in column order (without `count`).
  llvm::SmallVector<std::string> dims;
  /// Distinct shapes, one size per dimension, sorted lexicographically.
  llvm::SmallVector<llvm::SmallVector<int64_t>> shapes;
  /// How often each shape was observed (> 0), parallel to `shapes`.
  llvm::SmallVector<double> counts;

  /// Parses CSV text. `bufferName` prefixes error messages
  /// (`<bufferName>:<line>: ...`).
  static llvm::Expected<Histogram> parse(llvm::StringRef text,
                                         llvm::StringRef bufferName);
  /// Reads and parses a file.
  static llvm::Expected<Histogram> readFile(llvm::StringRef path);

  /// Builds a histogram from (shape, count) pairs; merges duplicates and
  /// drops zero counts.
  static Histogram fromPairs(llvm::ArrayRef<std::string> dims,
                             llvm::ArrayRef<llvm::SmallVector<int64_t>> shapes,
                             llvm::ArrayRef<double> counts);

  size_t getNumDims() const { return dims.size(); }
  /// The index of dimension `name`, or -1.
  int findDim(llvm::StringRef name) const;
  /// The sum of the counts.
  double getTotal() const;
  /// The distinct sizes of dimension `dim`, ascending.
  llvm::SmallVector<int64_t> getMarginal(size_t dim) const;
  /// The smallest size s of dimension `dim` such that at least a share `q`
  /// (0 < q <= 1) of the calls have a size <= s.
  int64_t getQuantile(size_t dim, double q) const;
  /// The largest size of dimension `dim`.
  int64_t getMax(size_t dim) const;
  /// Prints the histogram in its CSV form.
  std::string str() const;
};

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TUNE_HISTOGRAM_H
