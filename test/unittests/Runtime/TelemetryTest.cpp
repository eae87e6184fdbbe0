//===- TelemetryTest.cpp - Per-bucket counters and the shape recorder -----===//
//
// A separate executable: the recorder reads BUCKET_RECORD at the first call
// of the process, so the environment is set before any test runs.

#include "bucket/runtime.h"

#include "gtest/gtest.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

std::string recordPath() {
  static std::string path =
      "bucket-telemetry-test-" + std::to_string(getpid()) + ".csv";
  return path;
}

// Before main: the runtime reads the environment at the first call.
const bool kEnvironment = [] {
  std::remove(recordPath().c_str());
  setenv("BUCKET_RECORD", recordPath().c_str(), 1);
  setenv("BUCKET_RECORD_FUNCTION", "tele", 1);
  setenv("BUCKET_RECORD_MAX", "5000", 1);
  return true;
}();

// tele(x: f32[n]) -> (); buckets n in {4, 16}.
const char *const kDims[] = {"n"};
const bucket_value_info_t kArgs[] = {{BUCKET_ELEMENT_F32, 1, {-1}, {0}}};
const int64_t kBuckets[] = {4, 16};
const bucket_function_info_t kTele = {"tele", 1, kArgs,    0,       nullptr, 1,
                                      kDims,  2, kBuckets, nullptr, nullptr};
// other(x: f32[n]) -> (); counted but not recorded.
const bucket_function_info_t kOther = {
    "other", 1, kArgs, 0, nullptr, 1, kDims, 2, kBuckets, nullptr, nullptr};

bucket_status_t call(const bucket_function_info_t *fn, int64_t n) {
  std::vector<float> data((size_t)n, 1.0f);
  bucket_tensor_t x;
  int64_t shape[1] = {n};
  bucket_status_t status =
      bucket_tensor_init(data.data(), BUCKET_ELEMENT_F32, 1, shape, &x);
  if (status)
    return status;
  const bucket_tensor_t *args[] = {&x};
  return bucket_function_invoke(fn, [](void **) {}, args, nullptr);
}

bucket_bucket_stats_t stats(const bucket_function_info_t *fn, int32_t b) {
  bucket_bucket_stats_t s;
  bucket_status_t status = bucket_function_get_bucket_stats(fn, b, &s);
  EXPECT_EQ(status, nullptr);
  bucket_status_free(status);
  return s;
}

TEST(Telemetry, CountsRecordsAndResets) {
  ASSERT_TRUE(kEnvironment);
  bucket_stats_reset();
  for (int64_t n : {3, 10, 10, 16})
    ASSERT_EQ(call(&kTele, n), nullptr);
  bucket_status_t status = call(&kTele, 20);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(bucket_status_code(status), BUCKET_STATUS_OUT_OF_RANGE);
  bucket_status_free(status);
  ASSERT_EQ(call(&kOther, 2), nullptr);

  bucket_bucket_stats_t b0 = stats(&kTele, 0), b1 = stats(&kTele, 1);
  EXPECT_EQ(b0.calls, 1u);
  EXPECT_EQ(b0.real_elements, 3u);
  EXPECT_EQ(b0.padded_elements, 4u);
  EXPECT_EQ(b1.calls, 3u);
  EXPECT_EQ(b1.real_elements, 36u);
  EXPECT_EQ(b1.padded_elements, 48u);
  bucket_out_of_range_stats_t oor;
  ASSERT_EQ(bucket_function_get_out_of_range_stats(&kTele, &oor), nullptr);
  EXPECT_EQ(oor.calls[BUCKET_OUT_OF_RANGE_ERROR], 1u);
  EXPECT_EQ(oor.calls[BUCKET_OUT_OF_RANGE_FALLBACK], 0u);
  EXPECT_EQ(stats(&kOther, 0).calls, 1u);

  // The recording: a header, then one row per call of `tele` (out-of-range
  // calls too: they are part of the distribution), none of `other`.
  bucket_record_flush();
  std::ifstream file(recordPath());
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(), "n\n3\n10\n10\n16\n20\n");

  bucket_stats_reset();
  EXPECT_EQ(stats(&kTele, 1).calls, 0u);

  bucket_bucket_stats_t unused;
  status = bucket_function_get_bucket_stats(&kTele, 2, &unused);
  EXPECT_EQ(bucket_status_code(status), BUCKET_STATUS_INVALID_ARGUMENT);
  bucket_status_free(status);
  status = bucket_function_get_bucket_stats(nullptr, 0, &unused);
  EXPECT_EQ(bucket_status_code(status), BUCKET_STATUS_INVALID_ARGUMENT);
  bucket_status_free(status);
}

TEST(Telemetry, ThreadSafeAndBounded) {
  bucket_stats_reset();
  uint64_t writtenBefore = 0, droppedBefore = 0;
  bucket_record_counts(&writtenBefore, &droppedBefore);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([] {
      for (int i = 0; i < 2000; ++i) {
        bucket_status_t status = call(&kTele, 1 + i % 16);
        EXPECT_EQ(status, nullptr);
        bucket_status_free(status);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(stats(&kTele, 0).calls + stats(&kTele, 1).calls, 8000u);
  uint64_t written = 0, dropped = 0;
  bucket_record_counts(&written, &dropped);
  // BUCKET_RECORD_MAX = 5000 rows per process.
  EXPECT_EQ(written, 5000u);
  EXPECT_EQ(written + dropped, writtenBefore + droppedBefore + 8000u);
  // Every row is whole: a number in 1..20.
  bucket_record_flush();
  std::ifstream file(recordPath());
  std::string line;
  std::getline(file, line);
  EXPECT_EQ(line, "n");
  size_t rows = 0;
  while (std::getline(file, line)) {
    int value = std::atoi(line.c_str());
    EXPECT_TRUE(value >= 1 && value <= 20) << line;
    ++rows;
  }
  EXPECT_EQ(rows, written);
}

TEST(Telemetry, RecorderOverheadPerCall) {
  // The cost of counting and recording one call, against a call that does
  // nothing: printed, not asserted (machines differ).
  auto timeCalls = [](const bucket_function_info_t *fn) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20000; ++i)
      bucket_status_free(call(fn, 8));
    return std::chrono::duration<double, std::nano>(
               std::chrono::steady_clock::now() - start)
               .count() /
           20000;
  };
  double recorded = timeCalls(&kTele), counted = timeCalls(&kOther);
  std::printf("invoke with telemetry: %.0f ns/call (recorded function, rows "
              "beyond the bound are dropped), %.0f ns/call (counted only)\n",
              recorded, counted);
}

/// Removes the recording when the process's tests are done.
class RemoveRecording : public ::testing::Environment {
  void TearDown() override { std::remove(recordPath().c_str()); }
};
::testing::Environment *const kRemoveRecording =
    ::testing::AddGlobalTestEnvironment(new RemoveRecording);

} // namespace
