//===- prompts.h - Prompt lengths from a histogram -------------*- C++ -*-===//
//
// The prompt lengths of the decoder's generation app and benchmark, read
// from a `length,count` histogram (shared/data/shapes/): the whole
// distribution with its counts, or a few lengths at evenly spaced quantiles.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_EXAMPLES_DECODER_PROMPTS_H
#define BUCKET_EXAMPLES_DECODER_PROMPTS_H

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace decoder {

/// The lengths of a `length,count` histogram (a header line first) with
/// their counts, each length clamped to [1, maxLength] (the counts of the
/// lengths clamped together add up). Empty when the file cannot be read or
/// holds no row.
inline std::map<int64_t, int64_t> readLengthHistogram(const std::string &path,
                                                      int64_t maxLength) {
  std::map<int64_t, int64_t> hist;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string length, count;
    if (std::getline(fields, length, ',') && std::getline(fields, count))
      hist[std::clamp<int64_t>(std::atoll(length.c_str()), 1, maxLength)] +=
          std::atoll(count.c_str());
  }
  return hist;
}

/// `count` lengths at evenly spaced quantiles of `hist` (the midpoints of
/// `count` equal shares of the calls), shortest first.
inline std::vector<int64_t>
quantileLengths(const std::map<int64_t, int64_t> &hist, int count) {
  int64_t total = 0;
  for (auto [length, n] : hist)
    total += n;
  std::vector<int64_t> lengths;
  for (int i = 0; i < count && total > 0; ++i) {
    int64_t rank = (2 * i + 1) * total / (2 * count), seen = 0;
    for (auto [length, n] : hist)
      if ((seen += n) > rank) {
        lengths.push_back(length);
        break;
      }
  }
  return lengths;
}

} // namespace decoder

#endif // BUCKET_EXAMPLES_DECODER_PROMPTS_H
