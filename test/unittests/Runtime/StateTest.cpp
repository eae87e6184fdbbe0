//===- StateTest.cpp - State arguments in the bucket C runtime ------------===//
//
// A state argument (docs/State.md) is the caller's buffer, updated in place
// by generated code and handed back as its tied result. Fake trampolines
// stand in for generated code: one updates the state in place and returns
// the argument's descriptor, as bucket-compile's code does; one returns a
// fresh copy, as code that bufferization made copy the state would.
//
//===----------------------------------------------------------------------===//

#include "bucket/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

/// Checks that `status` is an error with `code` and exactly `message`, and
/// frees it.
::testing::AssertionResult isError(bucket_status_t status,
                                   bucket_status_code_t code,
                                   const std::string &message) {
  if (!status)
    return ::testing::AssertionFailure() << "expected an error, got success";
  bucket_status_code_t actualCode = bucket_status_code(status);
  std::string actual = bucket_status_message(status);
  bucket_status_free(status);
  if (actualCode == code && actual == message)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << bucket_status_code_name(code) << " \"" << message
         << "\"\n     got " << bucket_status_code_name(actualCode) << " \""
         << actual << "\"";
}

::testing::AssertionResult isOk(bucket_status_t status) {
  if (!status)
    return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure() << bucket_status_message(status);
  bucket_status_free(status);
  return failure;
}

// step(x: f32[2], cache: f32[4, 2] state tied to result 1)
//     -> (y: f32[2], cache: f32[4, 2])
// writes x into row 0 of the cache and returns y = 2 * x.
const bucket_value_info_t kArgs[] = {
    {BUCKET_ELEMENT_F32, 1, {2}, {-1}},
    {BUCKET_ELEMENT_F32, 2, {4, 2}, {-1, -1}},
};
const int32_t kTied[] = {-1, 1};
const bucket_function_info_t kStep = {"step",  2, kArgs,   2,       kArgs, 0,
                                      nullptr, 1, nullptr, nullptr, kTied};

int gCalls = 0;

/// Writes y (malloc'ed, like generated results) and updates `cache` in place.
void writeStep(void **ptrs, float *cache) {
  ++gCalls;
  const int64_t *xDesc = static_cast<const int64_t *>(ptrs[1]);
  const float *x = reinterpret_cast<const float *>(xDesc[1]);
  int64_t *results = static_cast<int64_t *>(ptrs[0]);
  float *y = static_cast<float *>(std::malloc(2 * sizeof(float)));
  for (int i = 0; i < 2; ++i) {
    y[i] = 2 * x[i];
    cache[i] = x[i];
  }
  int64_t yDesc[5] = {reinterpret_cast<intptr_t>(y),
                      reinterpret_cast<intptr_t>(y), 0, 2, 1};
  std::memcpy(results, yDesc, sizeof yDesc);
}

/// What bucket-compile's code does: the state result is the argument.
void inPlaceTrampoline(void **ptrs) {
  const int64_t *cacheDesc = static_cast<const int64_t *>(ptrs[2]);
  writeStep(ptrs, reinterpret_cast<float *>(cacheDesc[1]));
  std::memcpy(static_cast<int64_t *>(ptrs[0]) + 5, cacheDesc,
              7 * sizeof(int64_t));
}

/// Code that copied the state: the result is a fresh buffer.
void copyingTrampoline(void **ptrs) {
  const int64_t *cacheDesc = static_cast<const int64_t *>(ptrs[2]);
  float *copy = static_cast<float *>(std::malloc(8 * sizeof(float)));
  std::memcpy(copy, reinterpret_cast<const float *>(cacheDesc[1]),
              8 * sizeof(float));
  writeStep(ptrs, copy);
  int64_t desc[7] = {reinterpret_cast<intptr_t>(copy),
                     reinterpret_cast<intptr_t>(copy),
                     0,
                     4,
                     2,
                     2,
                     1};
  std::memcpy(static_cast<int64_t *>(ptrs[0]) + 5, desc, sizeof desc);
}

class State : public ::testing::Test {
protected:
  void SetUp() override {
    gCalls = 0;
    // The counters are process-wide, and other tests' functions may be gone
    // (bucket_stats_reset would read them): compare differences.
    callsBefore = bucket_state_calls();
    copiedBefore = bucket_state_bytes_copied();
    for (int i = 0; i < 8; ++i)
      cacheData[i] = 10.0f + i;
    int64_t two[] = {2}, capacity[] = {4, 2};
    ASSERT_TRUE(
        isOk(bucket_tensor_init(xData, BUCKET_ELEMENT_F32, 1, two, &x)));
    ASSERT_TRUE(isOk(bucket_tensor_init(cacheData, BUCKET_ELEMENT_F32, 2,
                                        capacity, &cache)));
    std::memset(&y, 0, sizeof y);
    std::memset(&state, 0, sizeof state);
  }
  void TearDown() override { bucket_tensor_release(&y); }

  bucket_status_t invoke(bucket_trampoline_t trampoline,
                         const bucket_function_info_t *fn = &kStep) {
    const bucket_tensor_t *args[] = {&x, &cache};
    bucket_tensor_t *results[] = {&y, &state};
    return bucket_function_invoke(fn, trampoline, args, results);
  }

  /// Row 0 holds x, rows 1..3 their old values.
  void expectUpdated() {
    EXPECT_EQ(cacheData[0], xData[0]);
    EXPECT_EQ(cacheData[1], xData[1]);
    for (int i = 2; i < 8; ++i)
      EXPECT_EQ(cacheData[i], 10.0f + i) << i;
  }
  void expectUntouched() {
    for (int i = 0; i < 8; ++i)
      EXPECT_EQ(cacheData[i], 10.0f + i) << i;
  }

  uint64_t calls() { return bucket_state_calls() - callsBefore; }
  uint64_t copied() { return bucket_state_bytes_copied() - copiedBefore; }

  uint64_t callsBefore = 0, copiedBefore = 0;
  float xData[2] = {1.5f, -2.0f};
  float cacheData[8];
  bucket_tensor_t x, cache, y, state;
};

TEST_F(State, EmptyResultBecomesAViewOfTheState) {
  ASSERT_TRUE(isOk(invoke(inPlaceTrampoline)));
  expectUpdated();
  EXPECT_EQ(state.data, cacheData);
  EXPECT_EQ(state.allocation, nullptr); // The caller's memory.
  EXPECT_EQ(state.element_type, BUCKET_ELEMENT_F32);
  ASSERT_EQ(state.rank, 2);
  EXPECT_EQ(state.shape[0], 4);
  EXPECT_EQ(state.shape[1], 2);
  EXPECT_EQ(state.strides[0], 2);
  EXPECT_EQ(state.strides[1], 1);
  EXPECT_EQ(static_cast<float *>(y.data)[1], -4.0f);
  EXPECT_EQ(calls(), 1u);
  EXPECT_EQ(copied(), 0u);
  // A view without allocation: releasing it frees nothing (valgrind would
  // see a free of the caller's stack) and leaves the cache as it is.
  bucket_tensor_release(&state);
  expectUpdated();
}

TEST_F(State, ResultMayBeTheStateItself) {
  state = cache;
  ASSERT_TRUE(isOk(invoke(inPlaceTrampoline)));
  expectUpdated();
  EXPECT_EQ(state.data, cacheData);
  EXPECT_EQ(state.allocation, nullptr);
  EXPECT_EQ(copied(), 0u);
}

TEST_F(State, ResultInOtherMemoryIsRefused) {
  float other[8] = {0};
  int64_t capacity[] = {4, 2};
  ASSERT_TRUE(
      isOk(bucket_tensor_init(other, BUCKET_ELEMENT_F32, 2, capacity, &state)));
  EXPECT_TRUE(isError(invoke(inPlaceTrampoline), BUCKET_STATUS_INVALID_ARGUMENT,
                      "step: result 1 is state argument 1 updated in place: "
                      "pass it with data NULL or with the argument's data, "
                      "not other memory"));
  EXPECT_EQ(gCalls, 0);
  expectUntouched();
  EXPECT_EQ(other[0], 0.0f);
  EXPECT_EQ(calls(), 0u);
}

TEST_F(State, OtherCapacityIsRefused) {
  int64_t smaller[] = {3, 2};
  ASSERT_TRUE(isOk(
      bucket_tensor_init(cacheData, BUCKET_ELEMENT_F32, 2, smaller, &cache)));
  EXPECT_TRUE(isError(invoke(inPlaceTrampoline), BUCKET_STATUS_INVALID_ARGUMENT,
                      "step: state argument 1 has shape [3, 2], expected its "
                      "capacity [4, 2]"));
  EXPECT_EQ(gCalls, 0);
  expectUntouched();
}

TEST_F(State, OtherElementTypeIsRefused) {
  double wide[8] = {0};
  int64_t capacity[] = {4, 2};
  ASSERT_TRUE(
      isOk(bucket_tensor_init(wide, BUCKET_ELEMENT_F64, 2, capacity, &cache)));
  EXPECT_TRUE(isError(invoke(inPlaceTrampoline), BUCKET_STATUS_INVALID_ARGUMENT,
                      "step: state argument 1 has element type f64, expected "
                      "f32"));
  EXPECT_EQ(gCalls, 0);
}

TEST_F(State, ACopyIsDeliveredIntoTheStateAndCounted) {
  ASSERT_TRUE(isOk(invoke(copyingTrampoline)));
  expectUpdated(); // The copy came back into the caller's buffer.
  EXPECT_EQ(state.data, cacheData);
  EXPECT_EQ(state.allocation, nullptr);
  EXPECT_EQ(calls(), 1u);
  EXPECT_EQ(copied(), 8 * sizeof(float));
}

TEST_F(State, MalformedTiesAreInternal) {
  bucket_function_info_t fn = kStep;
  const int32_t toOtherType[] = {-1, 0};
  fn.tied_results = toOtherType;
  EXPECT_TRUE(isError(invoke(inPlaceTrampoline, &fn), BUCKET_STATUS_INTERNAL,
                      "step: malformed function info: state argument 1 and "
                      "its result 0 differ or are not static"));
  const int32_t outOfRange[] = {-1, 2};
  fn.tied_results = outOfRange;
  EXPECT_TRUE(isError(invoke(inPlaceTrampoline, &fn), BUCKET_STATUS_INTERNAL,
                      "step: malformed function info: argument 1 is tied to "
                      "result 2"));
  EXPECT_EQ(gCalls, 0);
}

} // namespace
