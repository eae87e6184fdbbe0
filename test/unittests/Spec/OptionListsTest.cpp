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
  EXPECT_EQ((*values)[0].argument.index, 0u);
  EXPECT_EQ((*values)[0].value, "-inf");
  EXPECT_EQ((*values)[1].argument.index, 2u);
  EXPECT_EQ((*values)[1].value, "1");
  EXPECT_EQ((*values)[2].argument.index, 3u);
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

TEST(PadValueList, RejectsArgumentsThatAreNotNumbersOrNames) {
  for (const char *text : {"-1=0", "1.5=0", "+2=0", "4x=0"}) {
    auto values = parsePadValueList(text);
    ASSERT_FALSE(static_cast<bool>(values)) << text;
    EXPECT_NE(errorOf(values.takeError()).find("is not an argument number"),
              std::string::npos)
        << text;
  }
  auto values = parsePadValueList("=0");
  ASSERT_FALSE(static_cast<bool>(values));
  EXPECT_EQ(errorOf(values.takeError()), "expected an argument number or name");
}

TEST(PadValueList, ArgumentsByName) {
  // ONNX input names hold dots, colons and slashes.
  auto values = parsePadValueList("x=-inf, onnx::Add_3 = 1,input.1=0");
  ASSERT_TRUE(static_cast<bool>(values));
  ASSERT_EQ(values->size(), 3u);
  EXPECT_EQ((*values)[0].argument, (ArgumentRef{std::nullopt, "x"}));
  EXPECT_EQ((*values)[1].argument, (ArgumentRef{std::nullopt, "onnx::Add_3"}));
  EXPECT_EQ((*values)[1].value, "1");
  EXPECT_EQ((*values)[2].argument, (ArgumentRef{std::nullopt, "input.1"}));
}

TEST(ArgumentList, ParsesNumbersAndNames) {
  auto arguments = parseArgumentList("1, attention_mask,,7");
  ASSERT_TRUE(static_cast<bool>(arguments));
  EXPECT_EQ(*arguments,
            (llvm::SmallVector<ArgumentRef>{
                {1u, ""}, {std::nullopt, "attention_mask"}, {7u, ""}}));
  EXPECT_EQ((*arguments)[1].str(), "'attention_mask'");
  EXPECT_EQ((*arguments)[2].str(), "7");
}

TEST(ArgumentList, RejectsWhatStartsLikeANumber) {
  auto arguments = parseArgumentList("1,2mask");
  ASSERT_FALSE(static_cast<bool>(arguments));
  EXPECT_EQ(errorOf(arguments.takeError()),
            "'2mask' is not an argument number");
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
