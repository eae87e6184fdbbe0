//===- bench_builds.h - Builds of a model timed side by side ---*- C++ -*-===//
//
// Header-only helpers of the benchmark programs that load several builds of
// one model (self-describing shared libraries, docs/Using.md) into one
// process and time them interleaved: opening a build, the same inputs for
// every build at a shape, a call, the thread's CPU time, shuffled rounds of
// jobs keeping each job's best time, and the oracle's time interpolated in
// the element count (benchmarks/tune.cpp, benchmarks/masks.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_BENCHMARKS_BENCH_BUILDS_H
#define BUCKET_BENCHMARKS_BENCH_BUILDS_H

#include "bench_util.h"

#include "bucket/runtime.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace bench {

using Shape = std::vector<int64_t>;

[[noreturn]] inline void die(const std::string &message) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name,
               message.c_str());
  std::exit(1);
}

inline void check(bucket_status_t status, const std::string &what) {
  if (!status)
    return;
  std::string message = bucket_status_message(status);
  bucket_status_free(status);
  die(what + ": " + message);
}

inline double elements(const Shape &shape) {
  double product = 1;
  for (int64_t size : shape)
    product *= size;
  return product;
}

/// A loaded build and its function.
struct Build {
  std::string name;
  bucket_model_t *model = nullptr;
  const bucket_function_info_t *fn = nullptr;
};

inline Build openBuild(const std::string &name, const std::string &path,
                       const std::string &function) {
  Build build;
  build.name = name;
  check(bucket_model_open(path.c_str(), &build.model), "opening " + path);
  check(bucket_model_get_function(build.model, function.c_str(), &build.fn),
        path);
  return build;
}

/// The arguments of one call at one shape, the same for every build.
struct Inputs {
  std::vector<std::vector<char>> storage;
  std::vector<bucket_tensor_t> tensors;
  std::vector<const bucket_tensor_t *> pointers;
};

inline Inputs makeInputs(const bucket_function_info_t *fn, const Shape &shape) {
  Inputs in;
  in.storage.resize(fn->num_args);
  in.tensors.resize(fn->num_args);
  for (int32_t i = 0; i < fn->num_args; ++i) {
    const bucket_value_info_t &info = fn->args[i];
    int64_t sizes[BUCKET_MAX_RANK];
    int64_t count = 1;
    for (int32_t d = 0; d < info.rank; ++d) {
      sizes[d] = info.shape[d] >= 0 ? info.shape[d] : shape[info.dim_ids[d]];
      count *= sizes[d];
    }
    size_t width = bucket_element_size(info.element_type);
    std::vector<char> &data = in.storage[i];
    data.assign(count * width + 1, 0);
    for (int64_t e = 0; e < count; ++e) {
      char *p = data.data() + e * width;
      if (info.element_type == BUCKET_ELEMENT_F32) {
        float v = float((e * 7919 + i * 104729) % 2001) / 1000.0f - 1.0f;
        std::memcpy(p, &v, sizeof(v));
      } else if (info.element_type != BUCKET_ELEMENT_F64 &&
                 info.element_type != BUCKET_ELEMENT_F16 &&
                 info.element_type != BUCKET_ELEMENT_BF16) {
        p[0] = 1; // Integers: a valid token id, an unmasked position.
      }
    }
    check(bucket_tensor_init(data.data(), info.element_type, info.rank, sizes,
                             &in.tensors[i]),
          "inputs");
  }
  for (bucket_tensor_t &tensor : in.tensors)
    in.pointers.push_back(&tensor);
  return in;
}

/// Calls the build once; keeps the first result's values when asked.
inline void call(const Build &build, const Inputs &in,
                 std::vector<float> *out) {
  const bucket_function_info_t *fn = build.fn;
  std::vector<bucket_tensor_t> results(fn->num_results);
  std::vector<bucket_tensor_t *> pointers;
  for (bucket_tensor_t &result : results) {
    std::memset(&result, 0, sizeof(result));
    pointers.push_back(&result);
  }
  check(bucket_model_invoke(build.model, fn->name, fn->num_args,
                            in.pointers.data(), fn->num_results,
                            pointers.data()),
        build.name);
  if (out && !results.empty() &&
      results[0].element_type == BUCKET_ELEMENT_F32) {
    const float *data = static_cast<const float *>(results[0].data);
    out->assign(data, data + bucket_tensor_num_elements(&results[0]));
  }
  for (bucket_tensor_t &result : results)
    bucket_tensor_release(&result);
}

/// The calling thread's CPU time in seconds. The builds run on the calling
/// thread, so this is a call's run time without the time it waited for the
/// core: on a shared machine the wall clock inflates long calls (preempted
/// every time) more than short ones, and so every ratio between builds that
/// pad differently.
inline double threadSeconds() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec * 1e-9;
}

/// One (build, shape) pair: its best time in seconds.
struct Job {
  size_t build, shape;
  int reps = 1;
  double best = 1e30;
};

/// Untimed calls of a job before its timed ones in each round. A build's
/// first calls after another build ran are slow until its weights are back
/// in cache, and one call is not enough: the example encoder at 7 tokens
/// took 1230, 440, 375, 370 us in its first four calls after the untimed
/// one. Timing those flattered whichever build more often followed itself.
/// So a job warms up with at least two calls, and three unless those took
/// 10 ms (long calls re-read their weights within the call).
inline void warmUp(const Build &build, const Inputs &inputs) {
  double start = bench::now();
  for (int calls = 0; calls < 3; ++calls) {
    if (calls == 2 && bench::now() - start >= 10e-3)
      break;
    call(build, inputs, nullptr);
  }
}

/// Runs every job once per round, in a new random order each round, and
/// keeps the best time of each. In each round a job warms up (warmUp), then
/// makes timed calls lasting about 1 ms (at least one).
inline void runRounds(std::vector<Job> &jobs, const std::vector<Build> &builds,
                      const std::vector<Inputs> &inputs, int rounds) {
  std::mt19937 random(12345);
  // The number of timed calls, from a warm call's time.
  for (Job &job : jobs) {
    warmUp(builds[job.build], inputs[job.shape]);
    double t0 = bench::now();
    call(builds[job.build], inputs[job.shape], nullptr);
    job.reps = std::clamp(int(1e-3 / std::max(bench::now() - t0, 1e-7)), 1, 50);
  }
  std::vector<size_t> order(jobs.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  for (int round = 0; round < rounds; ++round) {
    std::shuffle(order.begin(), order.end(), random);
    for (size_t i : order) {
      Job &job = jobs[i];
      warmUp(builds[job.build], inputs[job.shape]);
      for (int rep = 0; rep < job.reps; ++rep) {
        double t0 = threadSeconds();
        call(builds[job.build], inputs[job.shape], nullptr);
        job.best = std::min(job.best, threadSeconds() - t0);
      }
    }
  }
}

/// The oracle's time at `shape`: linear in the element count between the
/// nearest oracle shapes (their times averaged per element count).
inline double interpolate(const std::map<double, double> &oracle,
                          const Shape &shape) {
  double x = elements(shape);
  auto upper = oracle.lower_bound(x);
  if (upper == oracle.end())
    return std::prev(upper)->second * x / std::prev(upper)->first;
  if (upper->first == x || upper == oracle.begin())
    return upper->second * x / upper->first;
  auto lower = std::prev(upper);
  double t = (x - lower->first) / (upper->first - lower->first);
  return lower->second + t * (upper->second - lower->second);
}

} // namespace bench

#endif // BUCKET_BENCHMARKS_BENCH_BUILDS_H
