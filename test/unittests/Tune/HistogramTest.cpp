//===- HistogramTest.cpp - Reading shape histograms -----------------------===//

#include "bucket/Tune/Histogram.h"

#include "gtest/gtest.h"

using namespace mlir::bucket;

namespace {

std::string parseError(llvm::StringRef text) {
  llvm::Expected<Histogram> histogram = Histogram::parse(text, "h.csv");
  if (histogram)
    return "";
  return llvm::toString(histogram.takeError());
}

TEST(HistogramTest, ParsesCountsAndMergesDuplicates) {
  auto histogram = Histogram::parse("# a comment\nheight,width,count\n"
                                    "480,640,3\r\n\n640,480,1\n480,640,2\n",
                                    "h.csv");
  ASSERT_TRUE(!!histogram) << llvm::toString(histogram.takeError());
  EXPECT_EQ(histogram->dims,
            (llvm::SmallVector<std::string>{"height", "width"}));
  ASSERT_EQ(histogram->shapes.size(), 2u);
  EXPECT_EQ(histogram->shapes[0], (llvm::SmallVector<int64_t>{480, 640}));
  EXPECT_EQ(histogram->counts[0], 5);
  EXPECT_EQ(histogram->getTotal(), 6);
  EXPECT_EQ(histogram->getQuantile(0, 0.5), 480);
  EXPECT_EQ(histogram->getQuantile(0, 1.0), 640);
  EXPECT_EQ(histogram->getMax(1), 640);
}

TEST(HistogramTest, CountColumnIsOptionalAndMayComeFirst) {
  auto recorded = Histogram::parse("seq\n5\n7\n5\n", "r.csv");
  ASSERT_TRUE(!!recorded);
  EXPECT_EQ(recorded->counts[0], 2);
  auto first = Histogram::parse("count, seq\n4, 9\n", "r.csv");
  ASSERT_TRUE(!!first);
  EXPECT_EQ(first->dims.front(), "seq");
  EXPECT_EQ(first->shapes[0][0], 9);
  EXPECT_EQ(first->counts[0], 4);
  // Zero counts are dropped.
  auto zero = Histogram::parse("seq,count\n4,0\n5,1\n", "r.csv");
  ASSERT_TRUE(!!zero);
  EXPECT_EQ(zero->shapes.size(), 1u);
}

TEST(HistogramTest, BadInputsNameTheLine) {
  EXPECT_EQ(parseError(""), "h.csv: empty histogram (no header)");
  EXPECT_EQ(parseError("seq,count\n"), "h.csv: no shape with a positive count");
  EXPECT_EQ(parseError("seq,count\n3,0\n"),
            "h.csv: no shape with a positive count");
  EXPECT_EQ(parseError("count\n3\n"),
            "h.csv:1: the header names no dimension (only 'count')");
  EXPECT_EQ(parseError("seq,seq\n"), "h.csv:1: dimension 'seq' appears twice");
  EXPECT_EQ(parseError("seq,count,count\n"),
            "h.csv:1: the column 'count' appears twice");
  EXPECT_EQ(parseError("1seq\n"),
            "h.csv:1: column 1: '1seq' is not a dimension name "
            "([A-Za-z_][A-Za-z0-9_.]*)");
  EXPECT_EQ(parseError("seq,\n"),
            "h.csv:1: column 2: '' is not a dimension name "
            "([A-Za-z_][A-Za-z0-9_.]*)");
  EXPECT_EQ(parseError("seq,count\n3,1\n4\n"),
            "h.csv:3: expected 2 fields (seq,count), found 1");
  EXPECT_EQ(parseError("seq,count\n3,1,2\n"),
            "h.csv:2: expected 2 fields (seq,count), found 3");
  EXPECT_EQ(parseError("seq,count\n-3,1\n"),
            "h.csv:2: column 1: '-3' is not a non-negative integer below 2^31");
  EXPECT_EQ(
      parseError("seq,count\nabc,1\n"),
      "h.csv:2: column 1: 'abc' is not a non-negative integer below 2^31");
  EXPECT_EQ(
      parseError("seq,count\n3.5,1\n"),
      "h.csv:2: column 1: '3.5' is not a non-negative integer below 2^31");
  EXPECT_EQ(parseError("seq,count\n3,x\n"),
            "h.csv:2: column 2: 'x' is not a non-negative integer below 2^53");
  EXPECT_EQ(parseError("seq,count\n3,9007199254740993\n"),
            "h.csv:2: column 2: '9007199254740993' is not a non-negative "
            "integer below 2^53");
  EXPECT_EQ(parseError("seq,count\n99999999999,1\n"),
            "h.csv:2: column 1: '99999999999' is not a non-negative integer "
            "below 2^31");
  EXPECT_EQ(parseError("seq,count\n0,1\n"),
            "h.csv:2: column 1: size of 'seq' must be positive");
  EXPECT_EQ(parseError("a,b\n1,2\n\n# c\n1,0\n"),
            "h.csv:5: column 2: size of 'b' must be positive");
}

TEST(HistogramTest, MissingFile) {
  auto histogram = Histogram::readFile("/nonexistent/shapes.csv");
  ASSERT_FALSE(!!histogram);
  EXPECT_NE(llvm::toString(histogram.takeError()).find("cannot read"),
            std::string::npos);
}

TEST(HistogramTest, RoundTrip) {
  auto histogram = Histogram::parse("b,s,count\n1,5,2\n2,3,1\n", "h.csv");
  ASSERT_TRUE(!!histogram);
  EXPECT_EQ(histogram->str(), "b,s,count\n1,5,2\n2,3,1\n");
}

TEST(HistogramTest, LargeCountsRoundTrip) {
  // Counts beyond 2^31 (a long recording) are read, and merged rows add up
  // beyond any one row's count; what prints reads back the same. At 2^53,
  // where doubles stop counting every integer, the count saturates.
  auto histogram = Histogram::parse(
      "s,count\n4,3000000000\n4,3000000000\n7,9007199254740992\n7,5\n",
      "h.csv");
  ASSERT_TRUE(!!histogram);
  EXPECT_EQ(histogram->str(), "s,count\n4,6000000000\n7,9007199254740992\n");
  auto again = Histogram::parse(histogram->str(), "again.csv");
  ASSERT_TRUE(!!again);
  EXPECT_EQ(again->str(), histogram->str());
}

} // namespace
