//===- Measure.cpp - Timing one bucket of a model -------------------------===//

#include "bucket/Tune/Measure.h"

#include "bucket/runtime.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <vector>

using namespace llvm;
using namespace mlir::bucket;

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// Runs a program; an error with its output when it fails.
static Error run(StringRef program, ArrayRef<StringRef> args,
                 StringRef logPath) {
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                          StringRef(logPath)};
  std::string message;
  int rc = sys::ExecuteAndWait(program, args, std::nullopt, redirects, 0, 0,
                               &message);
  if (rc == 0)
    return Error::success();
  auto log = MemoryBuffer::getFile(logPath);
  return makeError(
      "'" + program + "' failed (" +
      (message.empty() ? "exit code " + Twine(rc).str() : message) + ")" +
      (log ? ":\n" + (*log)->getBuffer().str() : ""));
}

namespace {
/// The argument tensors of one call, with storage.
struct CallInputs {
  std::vector<std::vector<char>> storage;
  std::vector<bucket_tensor_t> tensors;
  std::vector<const bucket_tensor_t *> pointers;
};
} // namespace

static Expected<CallInputs> makeInputs(const bucket_function_info_t *fn,
                                       ArrayRef<int64_t> sizes) {
  CallInputs inputs;
  inputs.storage.resize(fn->num_args);
  inputs.tensors.resize(fn->num_args);
  for (int32_t i = 0; i < fn->num_args; ++i) {
    const bucket_value_info_t &info = fn->args[i];
    int64_t shape[BUCKET_MAX_RANK];
    int64_t elements = 1;
    for (int32_t d = 0; d < info.rank; ++d) {
      shape[d] = info.shape[d];
      if (shape[d] < 0) {
        int32_t id = info.dim_ids[d];
        if (id < 0 || (size_t)id >= sizes.size())
          return makeError("argument " + Twine(i) +
                           " has a dynamic dimension that is no symbolic "
                           "dimension");
        shape[d] = sizes[id];
      }
      elements *= shape[d];
    }
    size_t width = bucket_element_size(info.element_type);
    std::vector<char> &data = inputs.storage[i];
    data.resize((size_t)elements * width + 1);
    for (int64_t e = 0; e < elements; ++e) {
      char *p = data.data() + e * width;
      switch (info.element_type) {
      case BUCKET_ELEMENT_F32: {
        float v = 0.5f;
        std::memcpy(p, &v, sizeof(v));
        break;
      }
      case BUCKET_ELEMENT_F64: {
        double v = 0.5;
        std::memcpy(p, &v, sizeof(v));
        break;
      }
      case BUCKET_ELEMENT_F16:
      case BUCKET_ELEMENT_BF16:
        std::memset(p, 0, width);
        break;
      default: // Integers: 1 (a valid id, an unmasked position).
        std::memset(p, 0, width);
        p[0] = 1;
        break;
      }
    }
    bucket_status_t status = bucket_tensor_init(
        data.data(), info.element_type, info.rank, shape, &inputs.tensors[i]);
    if (status) {
      std::string message = bucket_status_message(status);
      bucket_status_free(status);
      return makeError(message);
    }
  }
  for (bucket_tensor_t &tensor : inputs.tensors)
    inputs.pointers.push_back(&tensor);
  return inputs;
}

/// Calls `fn` once, releasing its results.
static Error callOnce(const bucket_model_t *model, const char *name,
                      const bucket_function_info_t *fn, CallInputs &inputs) {
  std::vector<bucket_tensor_t> results(fn->num_results);
  std::vector<bucket_tensor_t *> resultPointers;
  for (bucket_tensor_t &result : results) {
    std::memset(&result, 0, sizeof(result));
    resultPointers.push_back(&result);
  }
  bucket_status_t status =
      bucket_model_invoke(model, name, fn->num_args, inputs.pointers.data(),
                          fn->num_results, resultPointers.data());
  for (bucket_tensor_t &result : results)
    bucket_tensor_release(&result);
  if (!status)
    return Error::success();
  std::string message = bucket_status_message(status);
  bucket_status_free(status);
  return makeError(message);
}

/// The calling thread's CPU time in microseconds. The wall clock counts the
/// time the thread waits for a core: on a shared machine that inflates a
/// long call (preempted every time) far more than a short one, and the fit
/// then sees a growth the model does not have. The model's code runs on the
/// calling thread, so its CPU time is its run time.
static double threadMicros() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * 1e6 + now.tv_nsec * 1e-3;
}

/// The best time of one call of `name` in `model`.
static Expected<double> timeCalls(const bucket_model_t *model,
                                  const std::string &name,
                                  ArrayRef<int64_t> sizes,
                                  const MeasureOptions &options) {
  const bucket_function_info_t *fn = nullptr;
  if (bucket_status_t status =
          bucket_model_get_function(model, name.c_str(), &fn)) {
    std::string message = bucket_status_message(status);
    bucket_status_free(status);
    return makeError(message);
  }
  Expected<CallInputs> inputs = makeInputs(fn, sizes);
  if (!inputs)
    return inputs.takeError();
  using Clock = std::chrono::steady_clock;
  double best = 1e300;
  auto start = Clock::now();
  if (Error error = callOnce(model, name.c_str(), fn, *inputs)) // Warm-up.
    return std::move(error);
  for (unsigned rep = 0;; ++rep) {
    double before = threadMicros();
    if (Error error = callOnce(model, name.c_str(), fn, *inputs))
      return std::move(error);
    best = std::min(best, threadMicros() - before);
    auto after = Clock::now();
    double elapsed = std::chrono::duration<double>(after - start).count();
    if (rep + 1 >= options.minReps && elapsed >= options.budgetSeconds)
      return best;
  }
}

Expected<double> mlir::bucket::measureBucket(StringRef modelPath,
                                             StringRef function, StringRef spec,
                                             ArrayRef<int64_t> sizes,
                                             const MeasureOptions &options) {
  if (std::error_code ec = sys::fs::create_directories(options.workDir))
    return makeError("cannot create '" + options.workDir +
                     "': " + ec.message());
  SmallString<256> base(options.workDir);
  sys::path::append(base, "bucket");
  std::string object = (base + ".o").str();
  std::string library = (base + ".so").str(), log = (base + ".log").str();
  if (Error error = run(options.bucketCompile,
                        {options.bucketCompile, modelPath, "--buckets", spec,
                         "-o", object, "--model-name", "bucket_tune_model"},
                        log))
    return std::move(error);
  // The object exports the model's table: linked alone, the library is
  // self-describing.
  std::string runtimeLib = "-L" + options.runtimeLib;
  std::string rpath = "-Wl,-rpath," + options.runtimeLib;
  if (Error error = run(options.cc,
                        {options.cc, "-shared", "-Wl,-Bsymbolic", object, "-o",
                         library, runtimeLib, "-lbucket_runtime", rpath, "-lm"},
                        log))
    return std::move(error);

  bucket_model_t *model = nullptr;
  if (bucket_status_t status = bucket_model_open(library.c_str(), &model)) {
    std::string message = bucket_status_message(status);
    bucket_status_free(status);
    return makeError(message);
  }
  std::string name = function.str();
  Expected<double> result = timeCalls(model, name, sizes, options);
  bucket_model_release(model);
  return result;
}

Expected<BuildCost> mlir::bucket::measureBuild(StringRef modelPath,
                                               StringRef spec,
                                               const MeasureOptions &options) {
  if (std::error_code ec = sys::fs::create_directories(options.workDir))
    return makeError("cannot create '" + options.workDir +
                     "': " + ec.message());
  SmallString<256> base(options.workDir);
  sys::path::append(base, "build");
  std::string object = (base + ".o").str(), log = (base + ".log").str();
  auto start = std::chrono::steady_clock::now();
  if (Error error = run(options.bucketCompile,
                        {options.bucketCompile, modelPath, "--buckets", spec,
                         "-o", object, "--model-name", "bucket_tune_model"},
                        log))
    return std::move(error);
  BuildCost cost;
  cost.compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  uint64_t size = 0;
  if (std::error_code ec = sys::fs::file_size(object, size))
    return makeError("cannot read '" + object + "': " + ec.message());
  cost.objectBytes = (double)size;
  return cost;
}

/// The largest K with base + perBucket * K <= limit (no limit: maxBuckets).
static unsigned fitCount(double one, double two, double limit,
                         unsigned maxBuckets) {
  if (limit <= 0)
    return maxBuckets;
  double perBucket = two - one > 0 ? two - one : one / 10;
  double base = one - perBucket;
  if (one > limit)
    return 0;
  double count = std::floor((limit - base) / perBucket);
  return count >= maxBuckets ? maxBuckets : (unsigned)count;
}

unsigned mlir::bucket::getBudgetBucketCount(const BuildCost &oneBucket,
                                            const BuildCost &twoBuckets,
                                            const BuildBudget &budget,
                                            unsigned maxBuckets) {
  return std::min(fitCount(oneBucket.objectBytes, twoBuckets.objectBytes,
                           budget.maxObjectBytes, maxBuckets),
                  fitCount(oneBucket.compileSeconds, twoBuckets.compileSeconds,
                           budget.maxCompileSeconds, maxBuckets));
}
