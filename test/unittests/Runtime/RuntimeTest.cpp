//===- RuntimeTest.cpp - Tests for the bucket C runtime -------------------===//
//
// Exercises the runtime (runtime/lib) through its public headers. Compiled
// functions are simulated by fake trampolines written here: they read the
// argument descriptors, malloc result buffers and write result descriptors
// exactly as MLIR-generated code behind `_mlir_ciface_*` would. AbiTables.c
// holds a model written in C against bucket/runtime_abi.h alone.
//
// Run under valgrind to check that no path leaks or double-frees:
//   valgrind --leak-check=full --error-exitcode=1 ./BucketRuntimeTests
//
//===----------------------------------------------------------------------===//

#include "bucket/runtime.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Checks that `status` is an error with `code` and exactly `message`, and
/// frees it. Exact messages pin down the wording users see.
::testing::AssertionResult isError(bucket_status_t status,
                                   bucket_status_code_t code,
                                   const std::string &message) {
  if (!status)
    return ::testing::AssertionFailure()
           << "expected " << bucket_status_code_name(code) << " \"" << message
           << "\" but got success";
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
  auto failure = ::testing::AssertionFailure()
                 << bucket_status_code_name(bucket_status_code(status)) << ": "
                 << bucket_status_message(status);
  bucket_status_free(status);
  return failure;
}

#define EXPECT_OK(expr) EXPECT_TRUE(isOk(expr))
#define ASSERT_OK(expr) ASSERT_TRUE(isOk(expr))
#define EXPECT_ERROR(expr, code, message)                                      \
  EXPECT_TRUE(isError((expr), BUCKET_STATUS_##code, (message)))

bucket_tensor_t makeTensor(void *data, bucket_element_type_t type,
                           std::vector<int64_t> shape) {
  bucket_tensor_t tensor;
  std::memset(&tensor, 0, sizeof(tensor));
  EXPECT_OK(bucket_tensor_init(data, type, static_cast<int32_t>(shape.size()),
                               shape.data(), &tensor));
  return tensor;
}

/// Writes a memref descriptor {allocated, aligned, offset, sizes, strides}.
void writeDesc(int64_t *desc, void *allocated, void *aligned, int64_t offset,
               std::vector<int64_t> sizes, std::vector<int64_t> strides) {
  desc[0] = reinterpret_cast<intptr_t>(allocated);
  desc[1] = reinterpret_cast<intptr_t>(aligned);
  desc[2] = offset;
  size_t rank = sizes.size();
  for (size_t d = 0; d < rank; ++d) {
    desc[3 + d] = sizes[d];
    desc[3 + rank + d] = strides[d];
  }
}

//===----------------------------------------------------------------------===//
// Function descriptions
//===----------------------------------------------------------------------===//

// forward(x: f32[batch, seq, 4], mask: i32[batch, seq]) -> f32[batch, seq]
const char *const kForwardDims[] = {"batch", "seq"};
const bucket_value_info_t kForwardArgs[] = {
    {BUCKET_ELEMENT_F32, 3, {-1, -1, 4}, {0, 1, -1}},
    {BUCKET_ELEMENT_I32, 2, {-1, -1}, {0, 1}},
};
const bucket_value_info_t kForwardResults[] = {
    {BUCKET_ELEMENT_F32, 2, {-1, -1}, {-1, -1}},
};
// Ascending padded cost, ties in spec order.
const int64_t kForwardBuckets[] = {1, 128, 1, 512, 4, 128, 4, 512, 16, 128};
const bucket_function_info_t kForward = {
    "forward",    2, kForwardArgs,    1,       kForwardResults, 2,
    kForwardDims, 5, kForwardBuckets, nullptr, nullptr};

// scale(x: f32[n]) -> (f32[n], f64[n, 2]); buckets n in {4, 16}.
const char *const kScaleDims[] = {"n"};
const bucket_value_info_t kScaleArgs[] = {
    {BUCKET_ELEMENT_F32, 1, {-1}, {0}},
};
const bucket_value_info_t kScaleResults[] = {
    {BUCKET_ELEMENT_F32, 1, {-1}, {-1}},
    {BUCKET_ELEMENT_F64, 2, {-1, 2}, {-1, -1}},
};
const int64_t kScaleBuckets[] = {4, 16};
const bucket_function_info_t kScale = {"scale",       1,       kScaleArgs, 2,
                                       kScaleResults, 1,       kScaleDims, 2,
                                       kScaleBuckets, nullptr, nullptr};

// Word offsets of scale's two result descriptors in the result storage.
constexpr int kR0 = 0;
constexpr int kR1 = BUCKET_MEMREF_WORDS(1);

//===----------------------------------------------------------------------===//
// Fake compiled functions
//===----------------------------------------------------------------------===//

int gCalls = 0;
std::vector<int64_t> gArgDesc; // The argument descriptor the last call saw.

struct ScaleInput {
  const float *x;
  int64_t n;
  int64_t *results;
};

ScaleInput readScaleInput(void **ptrs) {
  ++gCalls;
  const int64_t *arg = static_cast<const int64_t *>(ptrs[1]);
  gArgDesc.assign(arg, arg + BUCKET_MEMREF_WORDS(1));
  ScaleInput in;
  in.x = reinterpret_cast<const float *>(arg[1]) + arg[2];
  in.n = arg[3];
  in.results = static_cast<int64_t *>(ptrs[0]);
  return in;
}

/// r0 = 2 * x; r1[i][j] = x[i] * (j + 1). Fresh contiguous buffers.
void scaleTrampoline(void **ptrs) {
  ScaleInput in = readScaleInput(ptrs);
  float *r0 = static_cast<float *>(std::malloc(in.n * sizeof(float)));
  double *r1 = static_cast<double *>(std::malloc(in.n * 2 * sizeof(double)));
  for (int64_t i = 0; i < in.n; ++i) {
    r0[i] = 2 * in.x[i];
    r1[2 * i] = in.x[i];
    r1[2 * i + 1] = 2.0 * in.x[i];
  }
  writeDesc(in.results + kR0, r0, r0, 0, {in.n}, {1});
  writeDesc(in.results + kR1, r1, r1, 0, {in.n, 2}, {2, 1});
}

/// Same values, but r0 is every other element of a buffer starting at
/// offset 1, and r1 is stored column-major.
void stridedScaleTrampoline(void **ptrs) {
  ScaleInput in = readScaleInput(ptrs);
  float *r0 = static_cast<float *>(std::malloc((2 * in.n + 1) * sizeof(float)));
  double *r1 = static_cast<double *>(std::malloc(in.n * 2 * sizeof(double)));
  for (int64_t i = 0; i < in.n; ++i) {
    r0[1 + 2 * i] = 2 * in.x[i];
    r0[2 * i] = -1;
    r1[i] = in.x[i];
    r1[in.n + i] = 2.0 * in.x[i];
  }
  writeDesc(in.results + kR0, r0, r0, 1, {in.n}, {2});
  writeDesc(in.results + kR1, r1, r1, 0, {in.n, 2}, {1, in.n});
}

double gConstant[32];

/// r0 is the argument itself (as `return %x` would give); r1 is a constant
/// global, whose descriptor MLIR marks with allocated = 0xdeadbeef. Neither
/// may be freed by the runtime.
void aliasingTrampoline(void **ptrs) {
  ScaleInput in = readScaleInput(ptrs);
  for (int i = 0; i < 32; ++i)
    gConstant[i] = i;
  void *x = const_cast<float *>(in.x);
  writeDesc(in.results + kR0, x, x, 0, {in.n}, {1});
  writeDesc(in.results + kR1, reinterpret_cast<void *>(0xdeadbeef), gConstant,
            0, {in.n, 2}, {2, 1});
}

/// Both results view one malloc'ed buffer: it must be freed exactly once.
void sharedBufferTrampoline(void **ptrs) {
  ScaleInput in = readScaleInput(ptrs);
  double *buffer =
      static_cast<double *>(std::malloc(in.n * 2 * sizeof(double)));
  for (int64_t i = 0; i < in.n * 2; ++i)
    buffer[i] = static_cast<double>(i);
  writeDesc(in.results + kR0, buffer, buffer, 0, {in.n}, {1});
  writeDesc(in.results + kR1, buffer, buffer, 0, {in.n, 2}, {2, 1});
}

/// What a dispatcher does for a shape outside its buckets: report, then
/// return results whose dynamic dimensions are zero.
int64_t gReportDim = 0;
void outOfRangeTrampoline(void **ptrs) {
  ScaleInput in = readScaleInput(ptrs);
  bucket_rt_report_out_of_range(gReportDim, 900, 16);
  void *r0 = std::malloc(0);
  void *r1 = std::malloc(0);
  writeDesc(in.results + kR0, r0, r0, 0, {0}, {1});
  writeDesc(in.results + kR1, r1, r1, 0, {0, 2}, {2, 1});
}

/// Broken generated code: r1's static dimension is 3 instead of 2.
void wrongStaticDimTrampoline(void **ptrs) {
  ScaleInput in = readScaleInput(ptrs);
  void *r0 = std::malloc(in.n * sizeof(float));
  void *r1 = std::malloc(in.n * 3 * sizeof(double));
  writeDesc(in.results + kR0, r0, r0, 0, {in.n}, {1});
  writeDesc(in.results + kR1, r1, r1, 0, {in.n, 3}, {3, 1});
}

/// Broken generated code: a negative size.
void negativeSizeTrampoline(void **ptrs) {
  ScaleInput in = readScaleInput(ptrs);
  void *r0 = std::malloc(sizeof(float));
  void *r1 = std::malloc(in.n * 2 * sizeof(double));
  writeDesc(in.results + kR0, r0, r0, 0, {-1}, {1});
  writeDesc(in.results + kR1, r1, r1, 0, {in.n, 2}, {2, 1});
}

//===----------------------------------------------------------------------===//
// Status
//===----------------------------------------------------------------------===//

TEST(Status, MakeFormatsMessageAndKeepsCode) {
  bucket_status_t status = bucket_status_make(
      BUCKET_STATUS_OUT_OF_RANGE, "%s = %d of %lld", "seq", 900, 512LL);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(bucket_status_code(status), BUCKET_STATUS_OUT_OF_RANGE);
  EXPECT_STREQ(bucket_status_message(status), "seq = 900 of 512");
  bucket_status_free(status);
}

TEST(Status, LongMessageIsNotTruncated) {
  std::string longText(10000, 'x');
  bucket_status_t status =
      bucket_status_make(BUCKET_STATUS_INTERNAL, "<%s>", longText.c_str());
  EXPECT_EQ(std::string(bucket_status_message(status)), "<" + longText + ">");
  bucket_status_free(status);
}

TEST(Status, NullIsSuccess) {
  EXPECT_EQ(bucket_status_code(nullptr), BUCKET_STATUS_OK);
  EXPECT_STREQ(bucket_status_message(nullptr), "");
  bucket_status_free(nullptr); // Must be a no-op.
}

TEST(Status, OkOrUnknownCodeBecomesInternal) {
  EXPECT_ERROR(bucket_status_make(BUCKET_STATUS_OK, "oops"), INTERNAL, "oops");
  EXPECT_ERROR(
      bucket_status_make(static_cast<bucket_status_code_t>(42), "odd code"),
      INTERNAL, "odd code");
}

TEST(Status, CodeNames) {
  EXPECT_STREQ(bucket_status_code_name(BUCKET_STATUS_OK), "OK");
  EXPECT_STREQ(bucket_status_code_name(BUCKET_STATUS_INVALID_ARGUMENT),
               "INVALID_ARGUMENT");
  EXPECT_STREQ(bucket_status_code_name(BUCKET_STATUS_OUT_OF_RANGE),
               "OUT_OF_RANGE");
  EXPECT_STREQ(bucket_status_code_name(BUCKET_STATUS_RESOURCE_EXHAUSTED),
               "RESOURCE_EXHAUSTED");
  EXPECT_STREQ(bucket_status_code_name(BUCKET_STATUS_INTERNAL), "INTERNAL");
  EXPECT_STREQ(bucket_status_code_name(BUCKET_STATUS_INCOMPATIBLE),
               "INCOMPATIBLE");
  EXPECT_STREQ(bucket_status_code_name(static_cast<bucket_status_code_t>(42)),
               "UNKNOWN");
}

//===----------------------------------------------------------------------===//
// Element types and tensors
//===----------------------------------------------------------------------===//

TEST(ElementType, SizesAndNames) {
  struct Case {
    bucket_element_type_t type;
    size_t size;
    const char *name;
  } cases[] = {
      {BUCKET_ELEMENT_F32, 4, "f32"},   {BUCKET_ELEMENT_F64, 8, "f64"},
      {BUCKET_ELEMENT_I1, 1, "i1"},     {BUCKET_ELEMENT_I8, 1, "i8"},
      {BUCKET_ELEMENT_I16, 2, "i16"},   {BUCKET_ELEMENT_I32, 4, "i32"},
      {BUCKET_ELEMENT_I64, 8, "i64"},   {BUCKET_ELEMENT_F16, 2, "f16"},
      {BUCKET_ELEMENT_BF16, 2, "bf16"},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(bucket_element_size(c.type), c.size) << c.name;
    EXPECT_STREQ(bucket_element_type_name(c.type), c.name);
  }
  auto unknown = static_cast<bucket_element_type_t>(99);
  EXPECT_EQ(bucket_element_size(unknown), 0u);
  EXPECT_STREQ(bucket_element_type_name(unknown), "?");
}

TEST(Tensor, InitFillsRowMajorStrides) {
  float data[24];
  bucket_tensor_t tensor = makeTensor(data, BUCKET_ELEMENT_F32, {2, 3, 4});
  EXPECT_EQ(tensor.data, data);
  EXPECT_EQ(tensor.element_type, BUCKET_ELEMENT_F32);
  EXPECT_EQ(tensor.rank, 3);
  EXPECT_EQ(tensor.shape[0], 2);
  EXPECT_EQ(tensor.shape[1], 3);
  EXPECT_EQ(tensor.shape[2], 4);
  EXPECT_EQ(tensor.strides[0], 12);
  EXPECT_EQ(tensor.strides[1], 4);
  EXPECT_EQ(tensor.strides[2], 1);
  EXPECT_EQ(tensor.allocation, nullptr);
  EXPECT_EQ(bucket_tensor_num_elements(&tensor), 24);
}

TEST(Tensor, InitAllowsRankZeroAndZeroSizes) {
  float scalar = 1;
  bucket_tensor_t tensor = makeTensor(&scalar, BUCKET_ELEMENT_F32, {});
  EXPECT_EQ(tensor.rank, 0);
  EXPECT_EQ(bucket_tensor_num_elements(&tensor), 1);

  tensor = makeTensor(nullptr, BUCKET_ELEMENT_I8, {2, 0, 3});
  EXPECT_EQ(bucket_tensor_num_elements(&tensor), 0);
  EXPECT_EQ(tensor.strides[0], 0);
  EXPECT_EQ(tensor.strides[1], 3);
  EXPECT_EQ(tensor.strides[2], 1);
}

TEST(Tensor, InitRejectsBadInputAndLeavesOutputUntouched) {
  int64_t shape[BUCKET_MAX_RANK + 1] = {2, 3, 4, 1, 1, 1, 1, 1, 1};
  bucket_tensor_t tensor, before;
  std::memset(&tensor, 0xAB, sizeof(tensor));
  before = tensor;

  EXPECT_ERROR(
      bucket_tensor_init(nullptr, BUCKET_ELEMENT_F32, 1, shape, nullptr),
      INVALID_ARGUMENT, "bucket_tensor_init: out_tensor is NULL");
  EXPECT_ERROR(
      bucket_tensor_init(nullptr, BUCKET_ELEMENT_F32, 9, shape, &tensor),
      INVALID_ARGUMENT, "bucket_tensor_init: rank 9 is outside [0, 8]");
  EXPECT_ERROR(
      bucket_tensor_init(nullptr, BUCKET_ELEMENT_F32, -1, shape, &tensor),
      INVALID_ARGUMENT, "bucket_tensor_init: rank -1 is outside [0, 8]");
  EXPECT_ERROR(
      bucket_tensor_init(nullptr, BUCKET_ELEMENT_F32, 2, nullptr, &tensor),
      INVALID_ARGUMENT, "bucket_tensor_init: shape is NULL");
  EXPECT_ERROR(bucket_tensor_init(nullptr,
                                  static_cast<bucket_element_type_t>(99), 1,
                                  shape, &tensor),
               INVALID_ARGUMENT, "bucket_tensor_init: unknown element type 99");
  int64_t negative[] = {2, -3};
  EXPECT_ERROR(
      bucket_tensor_init(nullptr, BUCKET_ELEMENT_F32, 2, negative, &tensor),
      INVALID_ARGUMENT, "bucket_tensor_init: dimension 1 has negative size -3");
  int64_t huge[] = {int64_t(1) << 62, 4};
  EXPECT_ERROR(
      bucket_tensor_init(nullptr, BUCKET_ELEMENT_F32, 2, huge, &tensor),
      INVALID_ARGUMENT, "bucket_tensor_init: the number of elements overflows");
  EXPECT_EQ(std::memcmp(&tensor, &before, sizeof(tensor)), 0);
}

TEST(Tensor, NumElementsOfInvalidTensorsIsMinusOne) {
  EXPECT_EQ(bucket_tensor_num_elements(nullptr), -1);
  bucket_tensor_t tensor = makeTensor(nullptr, BUCKET_ELEMENT_F32, {2});
  tensor.rank = 9;
  EXPECT_EQ(bucket_tensor_num_elements(&tensor), -1);
  tensor.rank = 1;
  tensor.shape[0] = -2;
  EXPECT_EQ(bucket_tensor_num_elements(&tensor), -1);
}

TEST(Tensor, ReleaseFreesOnlyRuntimeOwnedStorage) {
  float owned[2];
  bucket_tensor_t callerOwned = makeTensor(owned, BUCKET_ELEMENT_F32, {2});
  bucket_tensor_release(&callerOwned);
  EXPECT_EQ(callerOwned.data, owned); // A no-op for caller-owned data.

  bucket_tensor_t runtimeOwned =
      makeTensor(std::malloc(8), BUCKET_ELEMENT_F32, {2});
  runtimeOwned.allocation = runtimeOwned.data;
  bucket_tensor_release(&runtimeOwned); // valgrind checks it was freed.
  EXPECT_EQ(runtimeOwned.data, nullptr);
  EXPECT_EQ(runtimeOwned.allocation, nullptr);
  bucket_tensor_release(&runtimeOwned); // Releasing twice is harmless.
  bucket_tensor_release(nullptr);
}

TEST(Memref, DescriptorFromTensor) {
  float data[6];
  bucket_tensor_t tensor = makeTensor(data, BUCKET_ELEMENT_F32, {2, 3});
  int64_t desc[BUCKET_MEMREF_WORDS(2)] = {0};
  bucket_memref_from_tensor(&tensor, desc);
  EXPECT_EQ(desc[0], reinterpret_cast<intptr_t>(data));
  EXPECT_EQ(desc[1], reinterpret_cast<intptr_t>(data));
  EXPECT_EQ(desc[2], 0);
  EXPECT_EQ(desc[3], 2);
  EXPECT_EQ(desc[4], 3);
  EXPECT_EQ(desc[5], 3);
  EXPECT_EQ(desc[6], 1);

  int64_t untouched[BUCKET_MEMREF_WORDS(2)] = {7, 7, 7, 7, 7, 7, 7};
  bucket_memref_from_tensor(nullptr, untouched);
  tensor.rank = 9;
  bucket_memref_from_tensor(&tensor, untouched);
  for (int64_t word : untouched)
    EXPECT_EQ(word, 7);
  bucket_memref_from_tensor(&tensor, nullptr);
}

TEST(Model, FindFunction) {
  const bucket_function_info_t functions[] = {kForward, kScale};
  bucket_model_info_t model = {BUCKET_RUNTIME_ABI_VERSION, 2, functions};
  EXPECT_EQ(bucket_model_find_function(&model, "scale"), &functions[1]);
  EXPECT_EQ(bucket_model_find_function(&model, "forward"), &functions[0]);
  EXPECT_EQ(bucket_model_find_function(&model, "backward"), nullptr);
  EXPECT_EQ(bucket_model_find_function(&model, nullptr), nullptr);
  EXPECT_EQ(bucket_model_find_function(nullptr, "scale"), nullptr);
}

TEST(Model, CheckAcceptsWellFormedModels) {
  const bucket_function_info_t functions[] = {kForward, kScale};
  bucket_model_info_t model = {BUCKET_RUNTIME_ABI_VERSION, 2, functions};
  EXPECT_OK(bucket_model_check(&model));
  bucket_model_info_t empty = {BUCKET_RUNTIME_ABI_VERSION, 0, nullptr};
  EXPECT_OK(bucket_model_check(&empty));
}

TEST(Model, LookupFunction) {
  const bucket_function_info_t functions[] = {kForward, kScale};
  bucket_model_info_t model = {BUCKET_RUNTIME_ABI_VERSION, 2, functions};
  const bucket_function_info_t *fn = nullptr;
  EXPECT_OK(bucket_model_lookup_function(&model, "scale", &fn));
  EXPECT_EQ(fn, &functions[1]);
  EXPECT_OK(bucket_model_lookup_function(&model, "forward", &fn));
  EXPECT_EQ(fn, &functions[0]);

  EXPECT_ERROR(bucket_model_lookup_function(&model, "backward", &fn),
               INVALID_ARGUMENT,
               "bucket_model_lookup_function: the model has no function "
               "'backward' (it has: forward, scale)");
  EXPECT_EQ(fn, &functions[0]); // Untouched on error.
  bucket_model_info_t empty = {BUCKET_RUNTIME_ABI_VERSION, 0, nullptr};
  EXPECT_ERROR(bucket_model_lookup_function(&empty, "forward", &fn),
               INVALID_ARGUMENT,
               "bucket_model_lookup_function: the model has no function "
               "'forward' (it has: none)");
  EXPECT_ERROR(bucket_model_lookup_function(nullptr, "forward", &fn),
               INVALID_ARGUMENT, "bucket_model_lookup_function: model is NULL");
  EXPECT_ERROR(bucket_model_lookup_function(&model, nullptr, &fn),
               INVALID_ARGUMENT, "bucket_model_lookup_function: name is NULL");
  EXPECT_ERROR(bucket_model_lookup_function(&model, "forward", nullptr),
               INVALID_ARGUMENT,
               "bucket_model_lookup_function: out_fn is NULL");
  EXPECT_ERROR(bucket_model_check(nullptr), INVALID_ARGUMENT,
               "bucket_model_check: model is NULL");
}

/// The message for a model generated for ABI version `version`.
std::string incompatibleMessage(const char *function, uint32_t version) {
  return std::string(function) +
         ": the model was generated for bucket runtime ABI version " +
         std::to_string(version) + ", but this runtime implements version " +
         std::to_string(BUCKET_RUNTIME_ABI_VERSION) +
         "; compile the model with the bucket-compile that matches the "
         "runtime library, or link the runtime it was generated for";
}

TEST(Model, OtherAbiVersionIsIncompatible) {
  const bucket_function_info_t functions[] = {kForward, kScale};
  for (uint32_t version :
       {uint32_t(BUCKET_RUNTIME_ABI_VERSION - 1),
        uint32_t(BUCKET_RUNTIME_ABI_VERSION + 1), uint32_t(0)}) {
    SCOPED_TRACE(version);
    bucket_model_info_t model = {version, 2, functions};
    EXPECT_ERROR(bucket_model_check(&model), INCOMPATIBLE,
                 incompatibleMessage("bucket_model_check", version));
    const bucket_function_info_t *fn = &kScale;
    EXPECT_ERROR(bucket_model_lookup_function(&model, "forward", &fn),
                 INCOMPATIBLE,
                 incompatibleMessage("bucket_model_lookup_function", version));
    EXPECT_EQ(fn, &kScale); // Untouched on error.
    EXPECT_EQ(bucket_model_find_function(&model, "forward"), nullptr);
  }
}

TEST(Model, NothingButTheAbiVersionIsReadFromAnIncompatibleModel) {
  // Another version may lay out the rest of the model differently; reading
  // these fields would crash.
  bucket_model_info_t model = {
      BUCKET_RUNTIME_ABI_VERSION + 1, INT32_MAX,
      reinterpret_cast<const bucket_function_info_t *>(uintptr_t{8})};
  EXPECT_ERROR(bucket_model_check(&model), INCOMPATIBLE,
               incompatibleMessage("bucket_model_check",
                                   BUCKET_RUNTIME_ABI_VERSION + 1));
  EXPECT_EQ(bucket_model_find_function(&model, "forward"), nullptr);
}

TEST(Model, CheckRejectsMalformedTables) {
  bucket_model_info_t negative = {BUCKET_RUNTIME_ABI_VERSION, -1, nullptr};
  EXPECT_ERROR(bucket_model_check(&negative), INTERNAL,
               "bucket_model_check: malformed model info: -1 functions");
  bucket_model_info_t missing = {BUCKET_RUNTIME_ABI_VERSION, 2, nullptr};
  EXPECT_ERROR(bucket_model_check(&missing), INTERNAL,
               "bucket_model_check: malformed model info: missing function "
               "table");
  bucket_function_info_t broken = kScale;
  broken.num_args = -1;
  const bucket_function_info_t functions[] = {kForward, broken};
  bucket_model_info_t model = {BUCKET_RUNTIME_ABI_VERSION, 2, functions};
  EXPECT_ERROR(bucket_model_check(&model), INTERNAL,
               "scale: malformed function info: negative count");
  const bucket_function_info_t *fn = nullptr;
  EXPECT_ERROR(bucket_model_lookup_function(&model, "forward", &fn), INTERNAL,
               "scale: malformed function info: negative count");
}

} // namespace

// A model written in C (AbiTables.c), as a generated header would define it.
extern "C" const bucket_model_info_t bucket_test_c_model;

namespace {

TEST(Model, TablesWrittenInCAgreeWithTheRuntime) {
  const bucket_function_info_t *fn = nullptr;
  ASSERT_OK(bucket_model_lookup_function(&bucket_test_c_model, "c_scale", &fn));
  EXPECT_EQ(bucket_model_find_function(&bucket_test_c_model, "c_scale"), fn);
  EXPECT_EQ(fn->num_args, 1);
  EXPECT_EQ(fn->args[0].dim_ids[0], 0);
  EXPECT_EQ(fn->out_of_range[0], BUCKET_OUT_OF_RANGE_SPLIT);
  int64_t n = 5;
  int32_t bucket = -1;
  EXPECT_OK(bucket_function_select(fn, &n, &bucket));
  EXPECT_EQ(bucket, 1);
}

//===----------------------------------------------------------------------===//
// Selection
//===----------------------------------------------------------------------===//

int32_t selectOrMinusOne(const bucket_function_info_t &fn,
                         std::vector<int64_t> dims) {
  int32_t bucket = -1;
  EXPECT_OK(bucket_function_select(&fn, dims.data(), &bucket));
  return bucket;
}

TEST(Select, FirstFittingRowInOrder) {
  EXPECT_EQ(selectOrMinusOne(kForward, {1, 100}), 0);
  EXPECT_EQ(selectOrMinusOne(kForward, {1, 128}), 0); // Exact fit.
  EXPECT_EQ(selectOrMinusOne(kForward, {1, 129}), 1); // One past.
  EXPECT_EQ(selectOrMinusOne(kForward, {2, 100}), 2);
  EXPECT_EQ(selectOrMinusOne(kForward, {4, 128}), 2);
  EXPECT_EQ(selectOrMinusOne(kForward, {5, 128}), 4);
  EXPECT_EQ(selectOrMinusOne(kForward, {2, 300}), 3);
  EXPECT_EQ(selectOrMinusOne(kForward, {4, 512}), 3);
  EXPECT_EQ(selectOrMinusOne(kForward, {16, 1}), 4);

  // The table order decides, not the row sizes.
  const char *const names[] = {"n"};
  const int64_t rows[] = {8, 4};
  bucket_function_info_t fn = {"f",   0, nullptr, 0,       nullptr, 1,
                               names, 2, rows,    nullptr, nullptr};
  EXPECT_EQ(selectOrMinusOne(fn, {2}), 0);
  EXPECT_EQ(selectOrMinusOne(fn, {8}), 0);
}

TEST(Select, OutOfRangeNamesTheDimension) {
  int32_t bucket = 123;
  int64_t seq[] = {1, 900};
  EXPECT_ERROR(bucket_function_select(&kForward, seq, &bucket), OUT_OF_RANGE,
               "forward: dimension 'seq' = 900 exceeds the largest bucket "
               "size 512");
  int64_t batch[] = {17, 1};
  EXPECT_ERROR(bucket_function_select(&kForward, batch, &bucket), OUT_OF_RANGE,
               "forward: dimension 'batch' = 17 exceeds the largest bucket "
               "size 16");
  int64_t both[] = {17, 900}; // The first dimension is blamed.
  EXPECT_ERROR(bucket_function_select(&kForward, both, &bucket), OUT_OF_RANGE,
               "forward: dimension 'batch' = 17 exceeds the largest bucket "
               "size 16");
  int64_t onePast[] = {1, 513};
  EXPECT_ERROR(bucket_function_select(&kForward, onePast, &bucket),
               OUT_OF_RANGE,
               "forward: dimension 'seq' = 513 exceeds the largest bucket "
               "size 512");
  EXPECT_EQ(bucket, 123); // Untouched on error.
}

TEST(Select, NoSingleRowFits) {
  int32_t bucket;
  int64_t dims[] = {16, 512};
  EXPECT_ERROR(bucket_function_select(&kForward, dims, &bucket), OUT_OF_RANGE,
               "forward: no bucket fits (batch=16, seq=512)");
  int64_t dims2[] = {5, 129};
  EXPECT_ERROR(bucket_function_select(&kForward, dims2, &bucket), OUT_OF_RANGE,
               "forward: no bucket fits (batch=5, seq=129)");
}

TEST(Select, GridAndSparseTables) {
  const char *const names[] = {"a", "b"};
  // The full grid {1, 2, 4} x {8, 16} by ascending cost, ties in spec order.
  const int64_t grid[] = {1, 8, 1, 16, 2, 8, 2, 16, 4, 8, 4, 16};
  bucket_function_info_t gridFn = {"grid", 0, nullptr, 0,       nullptr, 2,
                                   names,  6, grid,    nullptr, nullptr};
  EXPECT_EQ(selectOrMinusOne(gridFn, {1, 1}), 0);
  EXPECT_EQ(selectOrMinusOne(gridFn, {1, 9}), 1);
  EXPECT_EQ(selectOrMinusOne(gridFn, {2, 8}), 2);
  EXPECT_EQ(selectOrMinusOne(gridFn, {3, 8}), 4);
  EXPECT_EQ(selectOrMinusOne(gridFn, {3, 9}), 5);
  EXPECT_EQ(selectOrMinusOne(gridFn, {4, 16}), 5);

  // Only tall-thin and short-wide shapes.
  const int64_t sparse[] = {8, 1, 1, 8};
  bucket_function_info_t sparseFn = {"sparse", 0, nullptr, 0,       nullptr, 2,
                                     names,    2, sparse,  nullptr, nullptr};
  EXPECT_EQ(selectOrMinusOne(sparseFn, {8, 1}), 0);
  EXPECT_EQ(selectOrMinusOne(sparseFn, {1, 8}), 1);
  EXPECT_EQ(selectOrMinusOne(sparseFn, {1, 1}), 0);
  int32_t bucket;
  int64_t square[] = {2, 2};
  EXPECT_ERROR(bucket_function_select(&sparseFn, square, &bucket), OUT_OF_RANGE,
               "sparse: no bucket fits (a=2, b=2)");
  int64_t tooTall[] = {9, 1};
  EXPECT_ERROR(bucket_function_select(&sparseFn, tooTall, &bucket),
               OUT_OF_RANGE,
               "sparse: dimension 'a' = 9 exceeds the largest bucket size 8");
}

TEST(Select, NoBucketsIsOutOfRange) {
  bucket_function_info_t fn = kForward;
  fn.num_buckets = 0;
  int32_t bucket;
  int64_t dims[] = {1, 1};
  EXPECT_ERROR(bucket_function_select(&fn, dims, &bucket), OUT_OF_RANGE,
               "forward: the function has no buckets");
}

TEST(Select, NoSymbolicDimensions) {
  bucket_function_info_t fn = {"plain", 0, nullptr, 0,       nullptr, 0,
                               nullptr, 1, nullptr, nullptr, nullptr};
  int32_t bucket = -1;
  EXPECT_OK(bucket_function_select(&fn, nullptr, &bucket));
  EXPECT_EQ(bucket, 0);
}

TEST(Select, RejectsBadInput) {
  int32_t bucket;
  int64_t dims[] = {1, 1};
  EXPECT_ERROR(bucket_function_select(nullptr, dims, &bucket), INVALID_ARGUMENT,
               "bucket_function_select: fn is NULL");
  EXPECT_ERROR(bucket_function_select(&kForward, nullptr, &bucket),
               INVALID_ARGUMENT, "forward: dims is NULL");
  EXPECT_ERROR(bucket_function_select(&kForward, dims, nullptr),
               INVALID_ARGUMENT, "forward: out_bucket is NULL");
  int64_t zero[] = {1, 0};
  EXPECT_ERROR(bucket_function_select(&kForward, zero, &bucket),
               INVALID_ARGUMENT,
               "forward: dimension 'seq' = 0 is not positive");
}

TEST(Select, RejectsMalformedFunctionInfo) {
  bucket_value_info_t badArgs[] = {kForwardArgs[0], kForwardArgs[1]};
  badArgs[1].rank = 9;
  bucket_function_info_t fn = kForward;
  fn.args = badArgs;
  int32_t bucket;
  int64_t dims[] = {1, 1};
  EXPECT_ERROR(bucket_function_select(&fn, dims, &bucket), INTERNAL,
               "forward: malformed function info: argument 1 has rank 9");
  badArgs[1].rank = 2;
  badArgs[1].dim_ids[1] = 2; // Only two symbolic dimensions exist.
  EXPECT_ERROR(bucket_function_select(&fn, dims, &bucket), INTERNAL,
               "forward: malformed function info: argument 1 dimension 1 has "
               "symbolic dimension id 2");
  fn = kForward;
  fn.buckets = nullptr;
  EXPECT_ERROR(bucket_function_select(&fn, dims, &bucket), INTERNAL,
               "forward: malformed function info: missing table");
}

//===----------------------------------------------------------------------===//
// Argument checking
//===----------------------------------------------------------------------===//

class CheckArgs : public ::testing::Test {
protected:
  void SetUp() override {
    x = makeTensor(xData, BUCKET_ELEMENT_F32, {2, 100, 4});
    mask = makeTensor(maskData, BUCKET_ELEMENT_I32, {2, 100});
  }

  bucket_status_t check() {
    const bucket_tensor_t *args[] = {&x, &mask};
    return bucket_function_check_args(&kForward, args, dims);
  }

  float xData[16 * 512 * 4];
  int32_t maskData[16 * 512];
  bucket_tensor_t x, mask;
  int64_t dims[2] = {-7, -7};
};

TEST_F(CheckArgs, WritesSymbolicDimensions) {
  EXPECT_OK(check());
  EXPECT_EQ(dims[0], 2);
  EXPECT_EQ(dims[1], 100);
}

TEST_F(CheckArgs, NullPointers) {
  const bucket_tensor_t *args[] = {&x, &mask};
  EXPECT_ERROR(bucket_function_check_args(nullptr, args, dims),
               INVALID_ARGUMENT, "bucket_function_check_args: fn is NULL");
  EXPECT_ERROR(bucket_function_check_args(&kForward, nullptr, dims),
               INVALID_ARGUMENT, "forward: the argument array is NULL");
  EXPECT_ERROR(bucket_function_check_args(&kForward, args, nullptr),
               INVALID_ARGUMENT, "forward: out_dims is NULL");
  const bucket_tensor_t *withNull[] = {&x, nullptr};
  EXPECT_ERROR(bucket_function_check_args(&kForward, withNull, dims),
               INVALID_ARGUMENT, "forward: argument 1 is NULL");
  x.data = nullptr;
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: argument 0 has no data (data is NULL)");
}

TEST_F(CheckArgs, WrongRank) {
  x = makeTensor(xData, BUCKET_ELEMENT_F32, {2, 100});
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: argument 0 has rank 2, expected 3");
  x.rank = 9;
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: argument 0 has rank 9, outside [0, 8]");
  x.rank = -1;
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: argument 0 has rank -1, outside [0, 8]");
}

TEST_F(CheckArgs, WrongElementType) {
  mask.element_type = BUCKET_ELEMENT_I64;
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: argument 1 has element type i64, expected i32");
}

TEST_F(CheckArgs, WrongStaticDimension) {
  x = makeTensor(xData, BUCKET_ELEMENT_F32, {2, 100, 5});
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: argument 0 has size 5 in dimension 2, expected 4");
}

TEST_F(CheckArgs, NonPositiveSizes) {
  x = makeTensor(xData, BUCKET_ELEMENT_F32, {2, 0, 4});
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: argument 0 has size 0 in dimension 1; sizes must be "
               "positive");
  x = makeTensor(xData, BUCKET_ELEMENT_F32, {2, 100, 4});
  mask.shape[0] = -3;
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: argument 1 has size -3 in dimension 0; sizes must be "
               "positive");
}

TEST_F(CheckArgs, NonContiguousStrides) {
  x.strides[1] = 8;
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: argument 0 is not contiguous: dimension 1 has stride "
               "8, expected 4 (inputs must be row-major)");
  x = makeTensor(xData, BUCKET_ELEMENT_F32, {2, 100, 4});
  mask.strides[0] = 1;
  mask.strides[1] = 2; // Column-major.
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: argument 1 is not contiguous: dimension 0 has stride "
               "1, expected 100 (inputs must be row-major)");
}

TEST_F(CheckArgs, SizeOneDimensionsMayHaveAnyStride) {
  x = makeTensor(xData, BUCKET_ELEMENT_F32, {1, 100, 4});
  mask = makeTensor(maskData, BUCKET_ELEMENT_I32, {1, 100});
  x.strides[0] = 12345;
  mask.strides[0] = -1;
  EXPECT_OK(check());
  EXPECT_EQ(dims[0], 1);
}

TEST_F(CheckArgs, SymbolicDimensionsMustAgree) {
  x = makeTensor(xData, BUCKET_ELEMENT_F32, {2, 12, 4});
  mask = makeTensor(maskData, BUCKET_ELEMENT_I32, {2, 13});
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: dimension 'seq' is 12 in argument 0 but 13 in "
               "argument 1");
  mask = makeTensor(maskData, BUCKET_ELEMENT_I32, {3, 12});
  EXPECT_ERROR(check(), INVALID_ARGUMENT,
               "forward: dimension 'batch' is 2 in argument 0 but 3 in "
               "argument 1");
}

TEST_F(CheckArgs, UnboundSymbolicDimensionIsInternal) {
  const char *const names[] = {"batch", "seq", "ghost"};
  bucket_function_info_t fn = kForward;
  fn.num_dims = 3;
  fn.dim_names = names;
  const int64_t rows[] = {16, 512, 8};
  fn.num_buckets = 1;
  fn.buckets = rows;
  const bucket_tensor_t *args[] = {&x, &mask};
  int64_t three[3];
  EXPECT_ERROR(bucket_function_check_args(&fn, args, three), INTERNAL,
               "forward: malformed function info: symbolic dimension 'ghost' "
               "is not bound by any argument");
}

//===----------------------------------------------------------------------===//
// Invoke
//===----------------------------------------------------------------------===//

class Invoke : public ::testing::Test {
protected:
  void SetUp() override {
    gCalls = 0;
    gReportDim = 0;
    gArgDesc.clear();
    x = makeTensor(xData, BUCKET_ELEMENT_F32, {3});
    std::memset(&r0, 0, sizeof(r0));
    std::memset(&r1, 0, sizeof(r1));
  }
  void TearDown() override {
    bucket_tensor_release(&r0);
    bucket_tensor_release(&r1);
  }

  bucket_status_t invoke(bucket_trampoline_t trampoline) {
    const bucket_tensor_t *args[] = {&x};
    bucket_tensor_t *results[] = {&r0, &r1};
    return bucket_function_invoke(&kScale, trampoline, args, results);
  }

  void expectScaleValues(const float *out0, const double *out1) {
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(out0[i], 2 * xData[i]) << i;
      EXPECT_EQ(out1[2 * i], xData[i]) << i;
      EXPECT_EQ(out1[2 * i + 1], 2.0 * xData[i]) << i;
    }
  }

  float xData[3] = {1.5f, -2.0f, 4.0f};
  bucket_tensor_t x, r0, r1;
};

TEST_F(Invoke, HandsOverGeneratedStorage) {
  ASSERT_OK(invoke(scaleTrampoline));
  EXPECT_EQ(gCalls, 1);

  // What the generated code saw for the argument.
  std::vector<int64_t> expectedArg = {reinterpret_cast<intptr_t>(xData),
                                      reinterpret_cast<intptr_t>(xData), 0, 3,
                                      1};
  EXPECT_EQ(gArgDesc, expectedArg);

  EXPECT_EQ(r0.element_type, BUCKET_ELEMENT_F32);
  EXPECT_EQ(r0.rank, 1);
  EXPECT_EQ(r0.shape[0], 3);
  EXPECT_EQ(r0.strides[0], 1);
  EXPECT_NE(r0.allocation, nullptr);
  EXPECT_EQ(r0.data, r0.allocation);
  EXPECT_EQ(r1.element_type, BUCKET_ELEMENT_F64);
  EXPECT_EQ(r1.rank, 2);
  EXPECT_EQ(r1.shape[0], 3);
  EXPECT_EQ(r1.shape[1], 2);
  EXPECT_EQ(r1.strides[0], 2);
  EXPECT_EQ(r1.strides[1], 1);
  EXPECT_EQ(r1.data, r1.allocation);
  expectScaleValues(static_cast<float *>(r0.data),
                    static_cast<double *>(r1.data));
  // TearDown releases both; valgrind checks nothing else is left.
}

TEST_F(Invoke, CopiesIntoCallerBuffers) {
  float out0[3] = {0};
  double out1[6] = {0};
  r0 = makeTensor(out0, BUCKET_ELEMENT_F32, {3});
  r1 = makeTensor(out1, BUCKET_ELEMENT_F64, {3, 2});
  ASSERT_OK(invoke(scaleTrampoline));
  EXPECT_EQ(r0.data, out0);
  EXPECT_EQ(r0.allocation, nullptr);
  EXPECT_EQ(r1.data, out1);
  EXPECT_EQ(r1.allocation, nullptr);
  expectScaleValues(out0, out1);
}

TEST_F(Invoke, MixesHandOverAndCallerBuffer) {
  double out1[6] = {0};
  r1 = makeTensor(out1, BUCKET_ELEMENT_F64, {3, 2});
  ASSERT_OK(invoke(scaleTrampoline));
  EXPECT_NE(r0.allocation, nullptr);
  EXPECT_EQ(r1.allocation, nullptr);
  expectScaleValues(static_cast<float *>(r0.data), out1);
}

TEST_F(Invoke, CopiesStridedResultsIntoCallerBuffers) {
  float out0[3] = {0};
  double out1[6] = {0};
  r0 = makeTensor(out0, BUCKET_ELEMENT_F32, {3});
  r1 = makeTensor(out1, BUCKET_ELEMENT_F64, {3, 2});
  ASSERT_OK(invoke(stridedScaleTrampoline));
  expectScaleValues(out0, out1);
}

TEST_F(Invoke, HandsOverStridedResultsAsTheyAre) {
  ASSERT_OK(invoke(stridedScaleTrampoline));
  // data honours the descriptor's offset; allocation is what gets freed.
  EXPECT_EQ(r0.data, static_cast<float *>(r0.allocation) + 1);
  EXPECT_EQ(r0.strides[0], 2);
  EXPECT_EQ(r1.strides[0], 1);
  EXPECT_EQ(r1.strides[1], 3);
  const float *v0 = static_cast<const float *>(r0.data);
  const double *v1 = static_cast<const double *>(r1.data);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(v0[i * r0.strides[0]], 2 * xData[i]);
    EXPECT_EQ(v1[i * r1.strides[0]], xData[i]);
    EXPECT_EQ(v1[i * r1.strides[0] + r1.strides[1]], 2.0 * xData[i]);
  }
}

TEST_F(Invoke, CopiesResultsThatAliasArgumentsOrConstants) {
  ASSERT_OK(invoke(aliasingTrampoline));
  // Neither buffer may be handed over (or freed): both are copies.
  EXPECT_NE(r0.data, static_cast<void *>(xData));
  EXPECT_NE(r1.data, static_cast<void *>(gConstant));
  EXPECT_EQ(r0.data, r0.allocation);
  EXPECT_EQ(r1.data, r1.allocation);
  EXPECT_EQ(r1.strides[0], 2);
  EXPECT_EQ(r1.strides[1], 1);
  const float *v0 = static_cast<const float *>(r0.data);
  const double *v1 = static_cast<const double *>(r1.data);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(v0[i], xData[i]);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(v1[i], i);
  EXPECT_EQ(xData[0], 1.5f); // The argument is untouched.
}

TEST_F(Invoke, ResultsSharingABufferAreFreedOnce) {
  ASSERT_OK(invoke(sharedBufferTrampoline));
  EXPECT_NE(r0.allocation, nullptr);
  EXPECT_NE(r1.allocation, nullptr);
  EXPECT_NE(r0.allocation, r1.allocation);
  // r0 took the buffer, r1 got a copy of the same bytes.
  EXPECT_EQ(std::memcmp(r0.data, r1.data, 6 * sizeof(double)), 0);
}

TEST_F(Invoke, NoArgumentsNoResults) {
  static void *seen = reinterpret_cast<void *>(1);
  bucket_function_info_t fn = {"noop",  0, nullptr, 0,       nullptr, 0,
                               nullptr, 1, nullptr, nullptr, nullptr};
  ASSERT_OK(bucket_function_invoke(
      &fn, [](void **ptrs) { seen = ptrs[0]; }, nullptr, nullptr));
  EXPECT_EQ(seen, nullptr);
}

TEST_F(Invoke, ReportedOutOfRangeFreesEverything) {
  ASSERT_EQ(bucket_take_out_of_range(nullptr), 0);
  EXPECT_ERROR(invoke(outOfRangeTrampoline), OUT_OF_RANGE,
               "scale: dimension 'n' = 900 exceeds the largest bucket size 16");
  EXPECT_EQ(gCalls, 1);
  EXPECT_EQ(r0.data, nullptr);
  EXPECT_EQ(r0.allocation, nullptr);
  EXPECT_EQ(r1.data, nullptr);
  EXPECT_EQ(r1.allocation, nullptr);
  // invoke consumed the record.
  EXPECT_EQ(bucket_take_out_of_range(nullptr), 0);

  gReportDim = -1;
  EXPECT_ERROR(invoke(outOfRangeTrampoline), OUT_OF_RANGE,
               "scale: no bucket fits (n=3)");
}

TEST_F(Invoke, ReportedOutOfRangeLeavesCallerBuffersAlone) {
  float out0[3] = {7, 7, 7};
  r0 = makeTensor(out0, BUCKET_ELEMENT_F32, {3});
  EXPECT_ERROR(invoke(outOfRangeTrampoline), OUT_OF_RANGE,
               "scale: dimension 'n' = 900 exceeds the largest bucket size 16");
  EXPECT_EQ(out0[0], 7);
  EXPECT_EQ(r1.data, nullptr);
}

TEST_F(Invoke, StaleOutOfRangeRecordIsIgnored) {
  bucket_rt_report_out_of_range(0, 1, 2); // Not from this call.
  EXPECT_OK(invoke(scaleTrampoline));
  EXPECT_EQ(bucket_take_out_of_range(nullptr), 0);
}

TEST_F(Invoke, ShapeOutsideBucketsFailsBeforeTheCall) {
  float big[17] = {0};
  x = makeTensor(big, BUCKET_ELEMENT_F32, {17});
  EXPECT_ERROR(invoke(scaleTrampoline), OUT_OF_RANGE,
               "scale: dimension 'n' = 17 exceeds the largest bucket size 16");
  EXPECT_EQ(gCalls, 0);
}

TEST_F(Invoke, OutOfRangePolicyLetsTheDispatcherDecide) {
  // With a fallback policy the shape reaches the generated code, which
  // computes it (here: scale's trampoline) or reports it.
  static const int32_t policies[] = {BUCKET_OUT_OF_RANGE_FALLBACK};
  bucket_function_info_t fn = kScale;
  fn.out_of_range = policies;
  float big[17] = {0};
  x = makeTensor(big, BUCKET_ELEMENT_F32, {17});
  const bucket_tensor_t *args[] = {&x};
  bucket_tensor_t *results[] = {&r0, &r1};
  EXPECT_OK(bucket_function_invoke(&fn, scaleTrampoline, args, results));
  EXPECT_EQ(gCalls, 1);
  EXPECT_EQ(r0.shape[0], 17);
  bucket_tensor_release(&r0);
  bucket_tensor_release(&r1);
  EXPECT_ERROR(bucket_function_invoke(&fn, outOfRangeTrampoline, args, results),
               OUT_OF_RANGE,
               "scale: dimension 'n' = 900 exceeds the largest bucket size 16");
  // An explicit error policy still rejects before the call.
  static const int32_t errors[] = {BUCKET_OUT_OF_RANGE_ERROR};
  fn.out_of_range = errors;
  EXPECT_ERROR(bucket_function_invoke(&fn, scaleTrampoline, args, results),
               OUT_OF_RANGE,
               "scale: dimension 'n' = 17 exceeds the largest bucket size 16");
  EXPECT_EQ(gCalls, 2);
}

TEST(GeneratedCodeMemory, LargeBlocksAreReusedSmallOnesAreNot) {
  // A large block freed by generated code comes back for the same size.
  const size_t big = 1 << 20;
  void *a = _mlir_memref_to_llvm_alloc(big);
  ASSERT_NE(a, nullptr);
  std::memset(a, 1, big);
  _mlir_memref_to_llvm_free(a);
  void *b = _mlir_memref_to_llvm_alloc(big);
  EXPECT_EQ(a, b);
  // Not for a request much smaller than the cached block.
  _mlir_memref_to_llvm_free(b);
  void *c = _mlir_memref_to_llvm_alloc(big / 4);
  EXPECT_NE(c, b);
  _mlir_memref_to_llvm_free(c);
  // Aligned requests honour the alignment, cached or not.
  void *d = _mlir_memref_to_llvm_aligned_alloc(64, big);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(d) % 64, 0u);
  // Blocks are malloc memory: a caller may release one with free().
  std::free(d);
  _mlir_memref_to_llvm_free(nullptr);
}

TEST(SelfCheck, RecordsCountsAndClears) {
  setenv("BUCKET_SELF_CHECK_QUIET", "1", 1);
  uint64_t before = bucket_self_check_count();
  bucket_self_check_t record;
  EXPECT_EQ(bucket_take_self_check(&record), 0);
  bucket_rt_report_self_check(2, -1, 1, 0.5);
  EXPECT_EQ(bucket_self_check_count(), before + 1);
  ASSERT_EQ(bucket_take_self_check(&record), 1);
  EXPECT_EQ(record.bucket, 2);
  EXPECT_EQ(record.other, -1);
  EXPECT_EQ(record.result, 1);
  EXPECT_EQ(record.max_abs_diff, 0.5);
  EXPECT_EQ(bucket_take_self_check(nullptr), 0);
}

TEST_F(Invoke, BadArgumentsFailBeforeTheCall) {
  x.element_type = BUCKET_ELEMENT_F64;
  EXPECT_ERROR(invoke(scaleTrampoline), INVALID_ARGUMENT,
               "scale: argument 0 has element type f64, expected f32");
  x.element_type = BUCKET_ELEMENT_F32;
  bucket_tensor_t *results[] = {&r0, &r1};
  EXPECT_ERROR(
      bucket_function_invoke(&kScale, scaleTrampoline, nullptr, results),
      INVALID_ARGUMENT, "scale: the argument array is NULL");
  EXPECT_EQ(gCalls, 0);
}

TEST_F(Invoke, NullPointers) {
  const bucket_tensor_t *args[] = {&x};
  bucket_tensor_t *results[] = {&r0, &r1};
  EXPECT_ERROR(bucket_function_invoke(nullptr, scaleTrampoline, args, results),
               INVALID_ARGUMENT, "bucket_function_invoke: fn is NULL");
  EXPECT_ERROR(bucket_function_invoke(&kScale, nullptr, args, results),
               INVALID_ARGUMENT, "scale: trampoline is NULL");
  EXPECT_ERROR(bucket_function_invoke(&kScale, scaleTrampoline, args, nullptr),
               INVALID_ARGUMENT, "scale: the result array is NULL");
  bucket_tensor_t *withNull[] = {&r0, nullptr};
  EXPECT_ERROR(bucket_function_invoke(&kScale, scaleTrampoline, args, withNull),
               INVALID_ARGUMENT, "scale: result 1 is NULL");
  EXPECT_EQ(gCalls, 0);
}

TEST_F(Invoke, CallerBufferWithWrongTypeOrRankFailsBeforeTheCall) {
  double wrong[3];
  r0 = makeTensor(wrong, BUCKET_ELEMENT_F64, {3});
  EXPECT_ERROR(invoke(scaleTrampoline), INVALID_ARGUMENT,
               "scale: result 0 has element type f64, expected f32");
  r0 = bucket_tensor_t{};
  double flat[6];
  r1 = makeTensor(flat, BUCKET_ELEMENT_F64, {6});
  EXPECT_ERROR(invoke(scaleTrampoline), INVALID_ARGUMENT,
               "scale: result 1 has rank 1, expected 2");
  r1 = makeTensor(flat, BUCKET_ELEMENT_F64, {3, 2});
  r1.strides[0] = 1;
  r1.strides[1] = 3;
  EXPECT_ERROR(invoke(scaleTrampoline), INVALID_ARGUMENT,
               "scale: result 1 is not contiguous: dimension 0 has stride 1, "
               "expected 2 (caller buffers must be row-major)");
  EXPECT_EQ(gCalls, 0);
}

TEST_F(Invoke, CallerBufferWithWrongShapeFailsAfterTheCall) {
  float out0[4] = {7, 7, 7, 7};
  r0 = makeTensor(out0, BUCKET_ELEMENT_F32, {4});
  EXPECT_ERROR(invoke(scaleTrampoline), INVALID_ARGUMENT,
               "scale: result 0 has shape [3] but the caller's tensor has "
               "shape [4]");
  EXPECT_EQ(gCalls, 1);
  EXPECT_EQ(out0[0], 7);
  // Nothing was handed over to the other result; both generated buffers were
  // freed (valgrind checks).
  EXPECT_EQ(r1.data, nullptr);
  EXPECT_EQ(r1.allocation, nullptr);

  double out1[8];
  r0 = bucket_tensor_t{};
  r1 = makeTensor(out1, BUCKET_ELEMENT_F64, {4, 2});
  EXPECT_ERROR(invoke(scaleTrampoline), INVALID_ARGUMENT,
               "scale: result 1 has shape [3, 2] but the caller's tensor has "
               "shape [4, 2]");
  EXPECT_EQ(r0.data, nullptr);
  EXPECT_EQ(r0.allocation, nullptr);
}

TEST_F(Invoke, BrokenGeneratedCodeIsInternal) {
  EXPECT_ERROR(invoke(wrongStaticDimTrampoline), INTERNAL,
               "scale: generated code returned result 1 with size 3 in static "
               "dimension 1, expected 2");
  EXPECT_EQ(r0.data, nullptr);
  EXPECT_ERROR(invoke(negativeSizeTrampoline), INTERNAL,
               "scale: generated code returned result 0 with a negative size "
               "or too many elements");
  EXPECT_EQ(r1.data, nullptr);
}

TEST_F(Invoke, SizeOneArgumentGetsCanonicalStrides) {
  x = makeTensor(xData, BUCKET_ELEMENT_F32, {1});
  x.strides[0] = 77;
  ASSERT_OK(invoke(scaleTrampoline));
  ASSERT_EQ(gArgDesc.size(), 5u);
  EXPECT_EQ(gArgDesc[3], 1); // size
  EXPECT_EQ(gArgDesc[4], 1); // stride
  EXPECT_EQ(static_cast<float *>(r0.data)[0], 3.0f);
}

//===----------------------------------------------------------------------===//
// Out-of-range record
//===----------------------------------------------------------------------===//

TEST(OutOfRange, TakeReadsAndClears) {
  bucket_take_out_of_range(nullptr);
  EXPECT_EQ(bucket_take_out_of_range(nullptr), 0);
  bucket_rt_report_out_of_range(1, 900, 512);
  bucket_out_of_range_t record = {0, 0, 0};
  EXPECT_EQ(bucket_take_out_of_range(&record), 1);
  EXPECT_EQ(record.dim, 1);
  EXPECT_EQ(record.value, 900);
  EXPECT_EQ(record.max_size, 512);
  EXPECT_EQ(bucket_take_out_of_range(&record), 0);

  bucket_rt_report_out_of_range(-1, 0, 0);
  EXPECT_EQ(bucket_take_out_of_range(nullptr), 1); // NULL is allowed.
  EXPECT_EQ(bucket_take_out_of_range(nullptr), 0);
}

TEST(OutOfRange, RecordIsThreadLocal) {
  bucket_take_out_of_range(nullptr);
  std::atomic<int> reported{0};
  bucket_out_of_range_t seen[2] = {{0, 0, 0}, {0, 0, 0}};
  int took[2] = {0, 0}, tookAgain[2] = {1, 1};
  auto worker = [&](int id) {
    bucket_rt_report_out_of_range(id, 100 + id, 200 + id);
    // Wait until both threads have reported before either reads.
    ++reported;
    while (reported.load() < 2)
      std::this_thread::yield();
    took[id] = bucket_take_out_of_range(&seen[id]);
    tookAgain[id] = bucket_take_out_of_range(nullptr);
  };
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  for (int id = 0; id < 2; ++id) {
    EXPECT_EQ(took[id], 1);
    EXPECT_EQ(tookAgain[id], 0);
    EXPECT_EQ(seen[id].dim, id);
    EXPECT_EQ(seen[id].value, 100 + id);
    EXPECT_EQ(seen[id].max_size, 200 + id);
  }
  // Neither thread's report is visible here.
  EXPECT_EQ(bucket_take_out_of_range(nullptr), 0);
}

//===----------------------------------------------------------------------===//
// memrefCopy, which the generic lowering calls for non-contiguous copies
//===----------------------------------------------------------------------===//

struct UnrankedMemRef {
  int64_t rank;
  int64_t *descriptor;
};
extern "C" void memrefCopy(int64_t elementSize, UnrankedMemRef *src,
                           UnrankedMemRef *dst);

TEST(MemrefCopy, CopiesAStridedViewIntoAPaddedBuffer) {
  // Source: a 2x3 view with row stride 4 of a 2x4 buffer; destination: the
  // top-left 2x3 corner of a 3x5 buffer (what padding bufferizes to).
  float src[8] = {1, 2, 3, -1, 4, 5, 6, -1};
  float dst[15];
  std::fill(std::begin(dst), std::end(dst), 0.0f);
  int64_t srcDesc[7] = {
      (int64_t)(intptr_t)src, (int64_t)(intptr_t)src, 0, 2, 3, 4, 1};
  int64_t dstDesc[7] = {
      (int64_t)(intptr_t)dst, (int64_t)(intptr_t)dst, 0, 2, 3, 5, 1};
  UnrankedMemRef s{2, srcDesc}, d{2, dstDesc};
  memrefCopy(sizeof(float), &s, &d);
  float expected[15] = {1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 15; ++i)
    EXPECT_EQ(dst[i], expected[i]) << "at " << i;
}

TEST(MemrefCopy, HonoursOffsetsAndNonUnitInnerStrides) {
  // Every other element of the source, starting at offset 1, into a
  // column of the destination (inner stride 3).
  int32_t src[8] = {0, 10, 0, 11, 0, 12, 0, 13};
  int32_t dst[12] = {};
  int64_t srcDesc[5] = {(int64_t)(intptr_t)src, (int64_t)(intptr_t)src, 1, 4,
                        2};
  int64_t dstDesc[5] = {(int64_t)(intptr_t)dst, (int64_t)(intptr_t)dst, 2, 4,
                        3};
  UnrankedMemRef s{1, srcDesc}, d{1, dstDesc};
  memrefCopy(sizeof(int32_t), &s, &d);
  int32_t expected[12] = {0, 0, 10, 0, 0, 11, 0, 0, 12, 0, 0, 13};
  for (int i = 0; i < 12; ++i)
    EXPECT_EQ(dst[i], expected[i]) << "at " << i;
}

TEST(MemrefCopy, IgnoresMismatchedOrEmptyCopies) {
  float src[2] = {1, 2}, dst[2] = {0, 0};
  int64_t srcDesc[5] = {(int64_t)(intptr_t)src, (int64_t)(intptr_t)src, 0, 2,
                        1};
  int64_t dstDesc[7] = {
      (int64_t)(intptr_t)dst, (int64_t)(intptr_t)dst, 0, 1, 2, 2, 1};
  UnrankedMemRef s{1, srcDesc}, d{2, dstDesc};
  memrefCopy(sizeof(float), &s, &d); // Rank mismatch: nothing happens.
  memrefCopy(sizeof(float), nullptr, &d);
  int64_t emptyDesc[5] = {(int64_t)(intptr_t)src, (int64_t)(intptr_t)src, 0, 0,
                          1};
  UnrankedMemRef e{1, emptyDesc}, d1{1, srcDesc};
  memrefCopy(sizeof(float), &e, &d1);
  EXPECT_EQ(dst[0], 0.0f);
  EXPECT_EQ(dst[1], 0.0f);
}

} // namespace
