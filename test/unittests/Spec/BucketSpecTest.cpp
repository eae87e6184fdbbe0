//===- BucketSpecTest.cpp - Bucket specification parsing and selection ----===//

#include "bucket/Spec/BucketSpec.h"

#include "gtest/gtest.h"

using namespace mlir::bucket;

namespace {

/// Parses `text`, expecting success.
BucketSpec parseOk(llvm::StringRef text) {
  llvm::Expected<BucketSpec> spec = BucketSpec::parse(text);
  if (!spec) {
    ADD_FAILURE() << "parse failed: " << llvm::toString(spec.takeError());
    return {};
  }
  return std::move(*spec);
}

/// Parses `text`, expecting an error, and returns its message.
std::string parseError(llvm::StringRef text) {
  llvm::Expected<BucketSpec> spec = BucketSpec::parse(text);
  if (spec) {
    ADD_FAILURE() << "'" << text.str() << "' parsed as " << spec->str();
    return "";
  }
  return llvm::toString(spec.takeError());
}

TEST(BucketSpecTest, ParsesOneDimension) {
  BucketSpec spec = parseOk("seq=64,128,512");
  ASSERT_EQ(spec.groups.size(), 1u);
  EXPECT_EQ(spec.groups[0].names, (llvm::SmallVector<std::string>{"seq"}));
  ASSERT_EQ(spec.groups[0].tuples.size(), 3u);
  EXPECT_EQ(spec.groups[0].tuples[2][0], 512);
  EXPECT_EQ(spec.str(), "seq=64,128,512");
}

TEST(BucketSpecTest, ParsesGridWithSpaces) {
  BucketSpec spec = parseOk(" batch = 1, 4 ,16 ; seq=64 ,128 ");
  ASSERT_EQ(spec.groups.size(), 2u);
  EXPECT_EQ(spec.str(), "batch=1,4,16;seq=64,128");
  EXPECT_EQ(spec.getNames(), (llvm::SmallVector<std::string>{"batch", "seq"}));
}

TEST(BucketSpecTest, ParsesTuples) {
  BucketSpec spec = parseOk("batch,seq=1x512,4x128,16x64");
  ASSERT_EQ(spec.groups.size(), 1u);
  ASSERT_EQ(spec.groups[0].tuples.size(), 3u);
  EXPECT_EQ(spec.groups[0].tuples[1], (llvm::SmallVector<int64_t>{4, 128}));
  EXPECT_EQ(spec.str(), "batch,seq=1x512,4x128,16x64");
  // Round trip.
  EXPECT_EQ(parseOk(spec.str()).str(), spec.str());
}

TEST(BucketSpecTest, NamesWithDotsAndDigits) {
  BucketSpec spec = parseOk("arg0.1=8,16");
  EXPECT_EQ(spec.groups[0].names[0], "arg0.1");
}

TEST(BucketSpecTest, RejectsMalformedText) {
  EXPECT_NE(parseError("").find("empty"), std::string::npos);
  EXPECT_NE(parseError("seq").find("expected '='"), std::string::npos);
  EXPECT_NE(parseError("seq=").find("expected a size"), std::string::npos);
  EXPECT_NE(parseError("=4").find("expected a dimension name"),
            std::string::npos);
  EXPECT_NE(parseError("seq=4;").find("expected a dimension name"),
            std::string::npos);
  EXPECT_NE(parseError("seq=4 8").find("expected ';'"), std::string::npos);
  EXPECT_NE(parseError("seq=abc").find("expected a size"), std::string::npos);
  EXPECT_NE(parseError("seq=99999999999999999999").find("too large"),
            std::string::npos);
}

TEST(BucketSpecTest, ErrorsNameTheColumn) {
  EXPECT_NE(parseError("seq=4,x").find("column 7"), std::string::npos);
}

TEST(BucketSpecTest, RejectsNonPositiveSizes) {
  EXPECT_NE(parseError("seq=0,4").find("must be positive, got '0'"),
            std::string::npos);
  EXPECT_NE(parseError("seq=4,-8").find("must be positive, got '-8'"),
            std::string::npos);
  EXPECT_NE(parseError("b,s=1x0").find("must be positive"), std::string::npos);
}

TEST(BucketSpecTest, RejectsUnsortedAndDuplicateSizes) {
  EXPECT_NE(
      parseError("seq=128,64").find("strictly ascending, but 64 follows 128"),
      std::string::npos);
  EXPECT_NE(parseError("seq=64,64").find("strictly ascending"),
            std::string::npos);
  EXPECT_NE(parseError("b,s=1x64,1x64").find("duplicate bucket"),
            std::string::npos);
}

TEST(BucketSpecTest, RejectsWrongArityAndRepeatedNames) {
  EXPECT_NE(parseError("b,s=1x64,4").find("expected 2 sizes"),
            std::string::npos);
  EXPECT_NE(parseError("b=1x64").find("expected ';'"), std::string::npos);
  EXPECT_NE(parseError("seq=1;seq=2").find("more than once"),
            std::string::npos);
  EXPECT_NE(parseError("seq,seq=1x2").find("more than once"),
            std::string::npos);
}

TEST(BucketTableTest, GridIsSortedByCost) {
  BucketSpec spec = parseOk("batch=1,4;seq=64,128");
  llvm::Expected<BucketTable> table =
      BucketTable::expand(spec, {"batch", "seq"});
  ASSERT_TRUE(bool(table)) << llvm::toString(table.takeError());
  // Costs: 1*64=64, 1*128=128, 4*64=256, 4*128=512.
  ASSERT_EQ(table->rows.size(), 4u);
  EXPECT_EQ(table->rows[0], (llvm::SmallVector<int64_t>{1, 64}));
  EXPECT_EQ(table->rows[1], (llvm::SmallVector<int64_t>{1, 128}));
  EXPECT_EQ(table->rows[2], (llvm::SmallVector<int64_t>{4, 64}));
  EXPECT_EQ(table->rows[3], (llvm::SmallVector<int64_t>{4, 128}));
}

TEST(BucketTableTest, DimensionOrderFollowsTheCaller) {
  BucketSpec spec = parseOk("seq=64,128;batch=2");
  llvm::Expected<BucketTable> table =
      BucketTable::expand(spec, {"batch", "seq"});
  ASSERT_TRUE(bool(table));
  EXPECT_EQ(table->rows[0], (llvm::SmallVector<int64_t>{2, 64}));
  EXPECT_EQ(table->rows[1], (llvm::SmallVector<int64_t>{2, 128}));
}

TEST(BucketTableTest, TiesKeepSpecOrder) {
  // 2x64 and 4x32 cost the same; the spec lists 4x32 first.
  BucketSpec spec = parseOk("b,s=4x32,2x64,1x16");
  llvm::Expected<BucketTable> table = BucketTable::expand(spec, {"b", "s"});
  ASSERT_TRUE(bool(table));
  EXPECT_EQ(table->rows[0], (llvm::SmallVector<int64_t>{1, 16}));
  EXPECT_EQ(table->rows[1], (llvm::SmallVector<int64_t>{4, 32}));
  EXPECT_EQ(table->rows[2], (llvm::SmallVector<int64_t>{2, 64}));
}

TEST(BucketTableTest, RejectsUnknownAndMissingNames) {
  BucketSpec spec = parseOk("seq=64");
  llvm::Expected<BucketTable> unknown = BucketTable::expand(spec, {"len"});
  ASSERT_FALSE(bool(unknown));
  EXPECT_NE(llvm::toString(unknown.takeError()).find("unknown dimension 'seq'"),
            std::string::npos);
  llvm::Expected<BucketTable> missing =
      BucketTable::expand(spec, {"seq", "batch"});
  ASSERT_FALSE(bool(missing));
  EXPECT_NE(llvm::toString(missing.takeError())
                .find("no buckets given for dimension 'batch'"),
            std::string::npos);
}

TEST(BucketTableTest, SelectsTheSmallestFittingBucket) {
  BucketSpec spec = parseOk("seq=64,128,512");
  BucketTable table = cantFail(BucketTable::expand(spec, {"seq"}));
  EXPECT_EQ(table.select({1}), 0u);
  EXPECT_EQ(table.select({64}), 0u);
  EXPECT_EQ(table.select({65}), 1u);
  EXPECT_EQ(table.select({128}), 1u);
  EXPECT_EQ(table.select({129}), 2u);
  EXPECT_EQ(table.select({512}), 2u);
  EXPECT_EQ(table.select({513}), std::nullopt);
  EXPECT_EQ(table.getMaxSize(0), 512);
}

TEST(BucketTableTest, SelectsInSparseGrids) {
  BucketSpec spec = parseOk("b,s=1x512,16x64");
  BucketTable table = cantFail(BucketTable::expand(spec, {"b", "s"}));
  // 16*64=1024 < 1*512? No: 512 < 1024, so 1x512 comes first.
  EXPECT_EQ(table.rows[0], (llvm::SmallVector<int64_t>{1, 512}));
  EXPECT_EQ(table.select({1, 100}), 0u);
  EXPECT_EQ(table.select({2, 10}), 1u);
  // Every dimension fits some bucket, but no bucket fits both.
  EXPECT_EQ(table.select({2, 100}), std::nullopt);
}

TEST(BucketTableTest, CostSaturates) {
  EXPECT_EQ(getBucketCost({}), 1);
  EXPECT_EQ(getBucketCost({4, 8}), 32);
  EXPECT_EQ(getBucketCost({INT64_MAX, 2}), INT64_MAX);
}

} // namespace
