//===- ModelLibraryTest.cpp - bucket_model_open/wrap/invoke ---------------===//
//
// The runtime's self-describing model API (runtime/lib/library.c) on a model
// written in C (AbiTables.c) with a fake trampoline, on a shared library that
// exports two tables as bucket-compile's objects do (ExportedModels.c), and
// the errors of bucket_model_open on files that are no model library.
// Libraries built by bucket-compile are exercised by test/e2e/model-export*
// and from Python (test/python).
//
//===----------------------------------------------------------------------===//

#include "bucket/runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

extern "C" const bucket_model_info_t bucket_test_c_model;

namespace {

/// The status's code name and message ("OK" for success), freeing it.
std::string describe(bucket_status_t status) {
  if (!status)
    return "OK";
  std::string text =
      std::string(bucket_status_code_name(bucket_status_code(status))) + ": " +
      bucket_status_message(status);
  bucket_status_free(status);
  return text;
}

int gCalls = 0;

/// Stands in for c_scale's generated code (f32[n] -> f32[n]): y = 3 x, in
/// storage it allocates, as generated code does.
void tripleTrampoline(void **ptrs) {
  ++gCalls;
  auto *result = static_cast<int64_t *>(ptrs[0]);
  auto *arg = static_cast<int64_t *>(ptrs[1]);
  int64_t n = arg[3];
  const float *x = reinterpret_cast<const float *>(arg[1]) + arg[2];
  auto *y = static_cast<float *>(std::malloc(sizeof(float) * n));
  for (int64_t i = 0; i < n; ++i)
    y[i] = 3 * x[i];
  result[0] = result[1] = reinterpret_cast<intptr_t>(y);
  result[2] = 0;
  result[3] = n;
  result[4] = 1;
}

const bucket_trampoline_t kTrampolines[] = {tripleTrampoline};
const bucket_model_export_t kExport = {BUCKET_RUNTIME_ABI_VERSION, "c_model",
                                       &bucket_test_c_model, kTrampolines};

class ModelLibrary : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(describe(bucket_model_wrap(&kExport, &model)), "OK");
  }
  void TearDown() override { bucket_model_release(model); }
  bucket_model_t *model = nullptr;
};

TEST_F(ModelLibrary, Describes) {
  EXPECT_STREQ(bucket_model_get_name(model), "c_model");
  EXPECT_EQ(bucket_model_get_info(model), &bucket_test_c_model);
  const bucket_function_info_t *fn = nullptr;
  EXPECT_EQ(describe(bucket_model_get_function(model, "c_scale", &fn)), "OK");
  EXPECT_EQ(fn, &bucket_test_c_model.functions[0]);
  EXPECT_EQ(describe(bucket_model_get_function(model, "nope", &fn)),
            "INVALID_ARGUMENT: bucket_model_get_function: model 'c_model' has "
            "no function 'nope' (it has: c_scale)");
  EXPECT_EQ(fn, &bucket_test_c_model.functions[0]) << "untouched on error";
}

TEST_F(ModelLibrary, InvokesByName) {
  float x[5] = {1, 2, 3, 4, 5};
  int64_t n = 5;
  bucket_tensor_t arg, result;
  std::memset(&result, 0, sizeof(result));
  ASSERT_EQ(describe(bucket_tensor_init(x, BUCKET_ELEMENT_F32, 1, &n, &arg)),
            "OK");
  const bucket_tensor_t *args[] = {&arg};
  bucket_tensor_t *results[] = {&result};
  gCalls = 0;
  ASSERT_EQ(
      describe(bucket_model_invoke(model, "c_scale", 1, args, 1, results)),
      "OK");
  EXPECT_EQ(gCalls, 1);
  ASSERT_EQ(result.shape[0], 5);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(static_cast<float *>(result.data)[i], 3 * x[i]);
  bucket_tensor_release(&result);
}

TEST_F(ModelLibrary, RejectsBadCalls) {
  float x[2] = {1, 2};
  int64_t n = 2;
  bucket_tensor_t arg, result;
  std::memset(&result, 0, sizeof(result));
  ASSERT_EQ(describe(bucket_tensor_init(x, BUCKET_ELEMENT_F32, 1, &n, &arg)),
            "OK");
  const bucket_tensor_t *args[] = {&arg};
  bucket_tensor_t *results[] = {&result};
  gCalls = 0;
  EXPECT_EQ(
      describe(bucket_model_invoke(model, "c_scale", 2, args, 1, results)),
      "INVALID_ARGUMENT: c_scale: expects 1 arguments and 1 results, got "
      "2 and 1");
  EXPECT_EQ(
      describe(bucket_model_invoke(model, "c_scale", 1, args, 0, results)),
      "INVALID_ARGUMENT: c_scale: expects 1 arguments and 1 results, got "
      "1 and 0");
  EXPECT_EQ(
      describe(bucket_model_invoke(model, "c_scale", 1, nullptr, 1, results)),
      "INVALID_ARGUMENT: c_scale: args is NULL");
  EXPECT_EQ(
      describe(bucket_model_invoke(model, "c_scale", 1, args, 1, nullptr)),
      "INVALID_ARGUMENT: c_scale: results is NULL");
  EXPECT_EQ(describe(bucket_model_invoke(model, nullptr, 1, args, 1, results)),
            "INVALID_ARGUMENT: bucket_model_invoke: function name is NULL");
  EXPECT_EQ(
      describe(bucket_model_invoke(nullptr, "c_scale", 1, args, 1, results)),
      "INVALID_ARGUMENT: bucket_model_invoke: model is NULL");
  EXPECT_EQ(gCalls, 0);
  EXPECT_EQ(result.data, nullptr);
}

TEST(ModelLibraryErrors, NullHandles) {
  EXPECT_STREQ(bucket_model_get_name(nullptr), "");
  EXPECT_EQ(bucket_model_get_info(nullptr), nullptr);
  bucket_model_release(nullptr);
  const bucket_function_info_t *fn = nullptr;
  EXPECT_EQ(describe(bucket_model_get_function(nullptr, "f", &fn)),
            "INVALID_ARGUMENT: bucket_model_get_function: model is NULL");
  bucket_model_t *model = nullptr;
  EXPECT_EQ(describe(bucket_model_wrap(nullptr, &model)),
            "INVALID_ARGUMENT: bucket_model_wrap: the model table is NULL");
  EXPECT_EQ(describe(bucket_model_wrap(&kExport, nullptr)),
            "INVALID_ARGUMENT: bucket_model_wrap: out_model is NULL");
  EXPECT_EQ(describe(bucket_model_open(nullptr, &model)),
            "INVALID_ARGUMENT: bucket_model_open: path is NULL");
  EXPECT_EQ(describe(bucket_model_open("libm.so.6", nullptr)),
            "INVALID_ARGUMENT: bucket_model_open: out_model is NULL");
  EXPECT_EQ(model, nullptr);
}

TEST(ModelLibraryErrors, MalformedTables) {
  bucket_model_t *model = nullptr;
  bucket_model_export_t wrongVersion = kExport;
  wrongVersion.abi_version = BUCKET_RUNTIME_ABI_VERSION + 1;
  std::string message = describe(bucket_model_wrap(&wrongVersion, &model));
  EXPECT_EQ(message.rfind("INCOMPATIBLE: bucket_model_wrap: the model was "
                          "generated for bucket runtime ABI version " +
                              std::to_string(BUCKET_RUNTIME_ABI_VERSION + 1),
                          0),
            0u)
      << message;
  bucket_model_export_t noTrampolines = kExport;
  noTrampolines.trampolines = nullptr;
  EXPECT_EQ(describe(bucket_model_wrap(&noTrampolines, &model)),
            "INTERNAL: bucket_model_wrap: malformed model table: missing "
            "trampolines");
  const bucket_trampoline_t nullTrampoline[] = {nullptr};
  bucket_model_export_t nullEntry = kExport;
  nullEntry.trampolines = nullTrampoline;
  EXPECT_EQ(describe(bucket_model_wrap(&nullEntry, &model)),
            "INTERNAL: bucket_model_wrap: malformed model table: no "
            "trampoline for 'c_scale'");
  bucket_model_export_t noModel = kExport;
  noModel.model = nullptr;
  EXPECT_EQ(describe(bucket_model_wrap(&noModel, &model)),
            "INTERNAL: bucket_model_wrap: malformed model table: missing "
            "model info");
  EXPECT_EQ(model, nullptr);
}

TEST(ModelLibraryErrors, OpenNonModels) {
  bucket_model_t *model = nullptr;
  std::string missing =
      describe(bucket_model_open("/nonexistent/libmodel.so", &model));
  EXPECT_EQ(missing.rfind("INVALID_ARGUMENT: bucket_model_open: cannot load "
                          "'/nonexistent/libmodel.so': ",
                          0),
            0u)
      << missing;
  // A real shared library, but no model library.
  std::string notModel = describe(bucket_model_open("libm.so.6", &model));
  EXPECT_EQ(notModel.rfind("INVALID_ARGUMENT: bucket_model_open: 'libm.so.6' "
                           "exports no model table (bucket_model_export)",
                           0),
            0u)
      << notModel;
  EXPECT_EQ(model, nullptr);
}

/// Calls `function` of `model` on {1, 2, 3} and returns the result as text.
std::string callOnVector(const bucket_model_t *model, const char *function) {
  float x[3] = {1, 2, 3};
  int64_t n = 3;
  bucket_tensor_t arg, result;
  std::memset(&result, 0, sizeof(result));
  std::string status =
      describe(bucket_tensor_init(x, BUCKET_ELEMENT_F32, 1, &n, &arg));
  if (status != "OK")
    return status;
  const bucket_tensor_t *args[] = {&arg};
  bucket_tensor_t *results[] = {&result};
  status = describe(bucket_model_invoke(model, function, 1, args, 1, results));
  if (status != "OK")
    return status;
  std::string text;
  for (int i = 0; i < 3; ++i)
    text += (i ? " " : "") + std::to_string(static_cast<int>(
                                 static_cast<const float *>(result.data)[i]));
  bucket_tensor_release(&result);
  return text;
}

TEST(ModelLibraryOpen, FirstModelWithoutName) {
  bucket_model_t *model = nullptr;
  ASSERT_EQ(describe(bucket_model_open(BUCKET_TEST_EXPORTED_MODELS, &model)),
            "OK");
  EXPECT_STREQ(bucket_model_get_name(model), "first");
  EXPECT_EQ(callOnVector(model, "twice"), "2 4 6");
  bucket_model_release(model);
}

TEST(ModelLibraryOpen, ModelByName) {
  bucket_model_t *model = nullptr;
  ASSERT_EQ(describe(bucket_model_open_named(BUCKET_TEST_EXPORTED_MODELS,
                                             "second", &model)),
            "OK");
  EXPECT_STREQ(bucket_model_get_name(model), "second");
  EXPECT_EQ(callOnVector(model, "five_times"), "5 10 15");
  EXPECT_EQ(callOnVector(model, "twice"),
            "INVALID_ARGUMENT: bucket_model_invoke: model 'second' has no "
            "function 'twice' (it has: five_times)");
  bucket_model_release(model);
  ASSERT_EQ(describe(bucket_model_open_named(BUCKET_TEST_EXPORTED_MODELS,
                                             "first", &model)),
            "OK");
  EXPECT_EQ(callOnVector(model, "twice"), "2 4 6");
  bucket_model_release(model);
}

TEST(ModelLibraryOpen, NamedErrors) {
  bucket_model_t *model = nullptr;
  const char *lib = BUCKET_TEST_EXPORTED_MODELS;
  EXPECT_EQ(describe(bucket_model_open_named(nullptr, "first", &model)),
            "INVALID_ARGUMENT: bucket_model_open_named: path is NULL");
  EXPECT_EQ(describe(bucket_model_open_named(lib, nullptr, &model)),
            "INVALID_ARGUMENT: bucket_model_open_named: model_name is NULL");
  EXPECT_EQ(describe(bucket_model_open_named(lib, "first", nullptr)),
            "INVALID_ARGUMENT: bucket_model_open_named: out_model is NULL");
  for (const char *bad : {"", "9lives", "a-b", "a b", "caf\xc3\xa9"})
    EXPECT_EQ(describe(bucket_model_open_named(lib, bad, &model)),
              std::string("INVALID_ARGUMENT: bucket_model_open_named: model "
                          "name '") +
                  bad + "' is not a C identifier of at most 242 characters");
  // The longest name that fits, and one more character.
  std::string longest(242, 'a');
  std::string message =
      describe(bucket_model_open_named(lib, longest.c_str(), &model));
  EXPECT_EQ(message.rfind("INVALID_ARGUMENT: bucket_model_open_named: '", 0),
            0u)
      << message;
  EXPECT_NE(
      message.find("exports no model table (" + longest + "_model_export)"),
      std::string::npos)
      << message;
  std::string tooLong(243, 'a');
  EXPECT_EQ(describe(bucket_model_open_named(lib, tooLong.c_str(), &model)),
            "INVALID_ARGUMENT: bucket_model_open_named: model name '" +
                std::string(64, 'a') +
                "...' is not a C identifier of at most 242 characters");
  message = describe(bucket_model_open_named(lib, "third", &model));
  EXPECT_NE(message.find("exports no model table (third_model_export): link "
                         "it from an object compiled by bucket-compile"),
            std::string::npos)
      << message;
  EXPECT_EQ(model, nullptr);
}

} // namespace
