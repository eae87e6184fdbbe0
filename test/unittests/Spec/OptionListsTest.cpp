//===- OptionListsTest.cpp - Tests of the option list parsers -------------===//

#include "bucket/Spec/OptionLists.h"

#include "gtest/gtest.h"

using namespace mlir::bucket;

namespace {

std::string errorOf(llvm::Error error) {
  return llvm::toString(std::move(error));
}

TEST(PadValueList, ParsesArgumentsAndValues) {
  auto values = parsePadValueList(" 0=-inf, 2 = 1 ,,3=max");
  ASSERT_TRUE(static_cast<bool>(values));
  ASSERT_EQ(values->size(), 3u);
  EXPECT_EQ((*values)[0].argument, 0u);
  EXPECT_EQ((*values)[0].value, "-inf");
  EXPECT_EQ((*values)[1].argument, 2u);
  EXPECT_EQ((*values)[1].value, "1");
  EXPECT_EQ((*values)[2].argument, 3u);
  EXPECT_EQ((*values)[2].value, "max");
}

TEST(PadValueList, EmptyIsNothing) {
  auto values = parsePadValueList("");
  ASSERT_TRUE(static_cast<bool>(values));
  EXPECT_TRUE(values->empty());
}

TEST(PadValueList, RejectsEntriesWithoutValue) {
  for (const char *text : {"x", "0", "0=", "0= "}) {
    auto values = parsePadValueList(text);
    ASSERT_FALSE(static_cast<bool>(values)) << text;
    EXPECT_NE(errorOf(values.takeError()).find("expected <argument>=<value>"),
              std::string::npos)
        << text;
  }
}

TEST(PadValueList, RejectsArgumentsThatAreNotNumbers) {
  for (const char *text : {"a=1", "-1=0", "1.5=0", "=0"}) {
    auto values = parsePadValueList(text);
    ASSERT_FALSE(static_cast<bool>(values)) << text;
    EXPECT_NE(errorOf(values.takeError()).find("is not an argument number"),
              std::string::npos)
        << text;
  }
}

TEST(ArgumentList, ParsesNumbers) {
  auto arguments = parseArgumentList("1, 2,,7");
  ASSERT_TRUE(static_cast<bool>(arguments));
  EXPECT_EQ(*arguments, (llvm::SmallVector<unsigned>{1, 2, 7}));
}

TEST(ArgumentList, RejectsWhatIsNotANumber) {
  auto arguments = parseArgumentList("1,mask");
  ASSERT_FALSE(static_cast<bool>(arguments));
  EXPECT_EQ(errorOf(arguments.takeError()), "'mask' is not an argument number");
}

TEST(PolicyList, OnePolicyForEveryDimension) {
  auto policies = parsePolicyList(" fallback ");
  ASSERT_TRUE(static_cast<bool>(policies));
  ASSERT_EQ(policies->size(), 1u);
  EXPECT_EQ((*policies)[0].dim, "");
  EXPECT_EQ((*policies)[0].policy, "fallback");
}

TEST(PolicyList, PoliciesByDimension) {
  auto policies = parsePolicyList("seq=fallback, batch = split");
  ASSERT_TRUE(static_cast<bool>(policies));
  ASSERT_EQ(policies->size(), 2u);
  EXPECT_EQ((*policies)[0].dim, "seq");
  EXPECT_EQ((*policies)[0].policy, "fallback");
  EXPECT_EQ((*policies)[1].dim, "batch");
  EXPECT_EQ((*policies)[1].policy, "split");
}

TEST(PolicyList, RejectsEmptyNamesAndPolicies) {
  for (const char *text : {"=split", "seq=", "seq= "}) {
    auto policies = parsePolicyList(text);
    ASSERT_FALSE(static_cast<bool>(policies)) << text;
    EXPECT_NE(errorOf(policies.takeError())
                  .find("expected <policy> or <dimension>=<policy>"),
              std::string::npos)
        << text;
  }
}

} // namespace
