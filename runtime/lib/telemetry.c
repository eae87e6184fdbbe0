/*===- telemetry.c - Per-bucket counters and the shape recorder ---*- C -*-===*
 *
 * bucket_function_invoke reports each call here once it knows the symbolic
 * dimension values and the bucket (or the out-of-range policy) that takes
 * them. The counters live in a fixed table of functions, registered on their
 * first call under a spin lock and read without it; the recorder appends
 * CSV rows (bucket/runtime.h, "Telemetry").
 *===----------------------------------------------------------------------===*/

#include "internal.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxFunctions = 64, kNumPolicies = 4 };

typedef struct function_stats_t {
  /* The function's table, the key of the entry. Set last, with release
   * order: a reader that sees fn sees the rest. `released` once the table's
   * library is unloaded (bucket_telemetry_forget): a table loaded later at
   * the same address is another function. */
  _Atomic(const bucket_function_info_t *) fn;
  /* num_buckets * 3 counters (calls, real, padded), then one per policy. */
  _Atomic uint64_t *counters;
  /* What bucket_stats_print shows, copied at registration: the table may be
   * unloaded before the counters are printed at exit. The name, then one
   * label per bucket ("batch=2,seq=64"), each NUL-terminated. */
  char *labels;
  int32_t num_buckets;
} function_stats_t;

/* The key of a released entry: no table has its address. */
static const bucket_function_info_t released;

static function_stats_t functions[kMaxFunctions];
static _Atomic uint64_t state_calls, state_bytes_copied;
static atomic_flag registry_lock = ATOMIC_FLAG_INIT;

static void lock(atomic_flag *flag) {
  while (atomic_flag_test_and_set_explicit(flag, memory_order_acquire))
    ;
}

static void unlock(atomic_flag *flag) {
  atomic_flag_clear_explicit(flag, memory_order_release);
}

/* The name of `fn` and a label per bucket, as function_stats_t::labels. */
static char *copy_labels(const bucket_function_info_t *fn) {
  const char *name = fn->name ? fn->name : "<unnamed>";
  size_t size = strlen(name) + 1;
  bucket_text_t *rows = calloc((size_t)fn->num_buckets + 1, sizeof(*rows));
  if (!rows)
    return NULL;
  for (int32_t b = 0; b < fn->num_buckets; ++b) {
    for (int32_t k = 0; k < fn->num_dims; ++k)
      bucket_text_append(
          &rows[b], "%s%s=%" PRId64, k ? "," : "", fn->dim_names[k],
          fn->buckets[(size_t)b * (size_t)fn->num_dims + (size_t)k]);
    size += rows[b].length + 1;
  }
  char *labels = malloc(size), *at = labels;
  if (labels) {
    at += strlen(strcpy(at, name)) + 1;
    for (int32_t b = 0; b < fn->num_buckets; ++b)
      at += strlen(strcpy(at, rows[b].text)) + 1;
  }
  free(rows);
  return labels;
}

/* The counters of `fn`, registering it on first use; NULL when the table is
 * full or memory is short. */
static _Atomic uint64_t *find_counters(const bucket_function_info_t *fn,
                                       int create) {
  for (int i = 0; i < kMaxFunctions; ++i) {
    const bucket_function_info_t *seen =
        atomic_load_explicit(&functions[i].fn, memory_order_acquire);
    if (seen == fn)
      return functions[i].counters;
    if (!seen)
      break;
  }
  if (!create)
    return NULL;
  _Atomic uint64_t *result = NULL;
  lock(&registry_lock);
  for (int i = 0; i < kMaxFunctions; ++i) {
    const bucket_function_info_t *seen =
        atomic_load_explicit(&functions[i].fn, memory_order_relaxed);
    if (seen == fn) {
      result = functions[i].counters;
      break;
    }
    if (seen)
      continue;
    size_t count = 3 * (size_t)fn->num_buckets + kNumPolicies;
    result = calloc(count, sizeof(*result));
    char *labels = copy_labels(fn);
    if (result && labels) {
      functions[i].counters = result;
      functions[i].labels = labels;
      functions[i].num_buckets = fn->num_buckets;
      atomic_store_explicit(&functions[i].fn, fn, memory_order_release);
    } else {
      free(result);
      free(labels);
      result = NULL;
    }
    break;
  }
  unlock(&registry_lock);
  return result;
}

static void add(_Atomic uint64_t *counter, uint64_t value) {
  atomic_fetch_add_explicit(counter, value, memory_order_relaxed);
}

static uint64_t product(const int64_t *sizes, int32_t count) {
  uint64_t result = 1;
  for (int32_t k = 0; k < count; ++k)
    result *= (uint64_t)sizes[k];
  return result;
}

/*===----------------------------------------------------------------------===*
 * The shape recorder
 *===----------------------------------------------------------------------===*/

static atomic_flag recorder_lock = ATOMIC_FLAG_INIT;
static atomic_int initialized;
static FILE *record_file;
static const char *record_function;
static const bucket_function_info_t *recorded_fn;
static uint64_t record_max = 1000000;
static _Atomic uint64_t records_written, records_dropped;

static void at_exit(void) {
  const char *stats = getenv("BUCKET_STATS");
  if (stats && strcmp(stats, "0") != 0)
    bucket_stats_print();
  lock(&recorder_lock);
  if (record_file)
    fclose(record_file);
  record_file = NULL;
  unlock(&recorder_lock);
}

/* Reads the environment once. */
static void initialize(void) {
  if (atomic_load_explicit(&initialized, memory_order_acquire))
    return;
  lock(&recorder_lock);
  if (!atomic_load_explicit(&initialized, memory_order_relaxed)) {
    const char *path = getenv("BUCKET_RECORD");
    if (path && *path) {
      record_file = fopen(path, "a");
      if (!record_file)
        fprintf(stderr, "bucket: cannot open BUCKET_RECORD file '%s'\n", path);
    }
    record_function = getenv("BUCKET_RECORD_FUNCTION");
    const char *max = getenv("BUCKET_RECORD_MAX");
    if (max && *max)
      record_max = strtoull(max, NULL, 10);
    atexit(at_exit);
    atomic_store_explicit(&initialized, 1, memory_order_release);
  }
  unlock(&recorder_lock);
}

static void record(const bucket_function_info_t *fn, const int64_t *dims) {
  if (!record_file)
    return;
  /* Format outside the lock; one fwrite per row under it. */
  char row[BUCKET_MAX_RANK * 24 + 512];
  size_t length = 0;
  for (int32_t k = 0; k < fn->num_dims && length < sizeof(row) - 24; ++k)
    length += (size_t)snprintf(row + length, sizeof(row) - length, "%s%" PRId64,
                               k ? "," : "", dims[k]);
  row[length++] = '\n';
  lock(&recorder_lock);
  if (!recorded_fn && record_file &&
      (!record_function || strcmp(record_function, fn->name) == 0)) {
    recorded_fn = fn;
    if (ftell(record_file) == 0) {
      for (int32_t k = 0; k < fn->num_dims; ++k)
        fprintf(record_file, "%s%s", k ? "," : "", fn->dim_names[k]);
      fputc('\n', record_file);
    }
  }
  if (recorded_fn == fn && record_file) {
    if (atomic_load_explicit(&records_written, memory_order_relaxed) <
            record_max &&
        fwrite(row, 1, length, record_file) == length)
      add(&records_written, 1);
    else
      add(&records_dropped, 1);
  }
  unlock(&recorder_lock);
}

/*===----------------------------------------------------------------------===*
 * What bucket_function_invoke reports
 *===----------------------------------------------------------------------===*/

void bucket_telemetry_call(const bucket_function_info_t *fn,
                           const int64_t *dims, int32_t bucket) {
  initialize();
  record(fn, dims);
  _Atomic uint64_t *counters = find_counters(fn, 1);
  if (!counters || bucket < 0 || bucket >= fn->num_buckets)
    return;
  const int64_t *row = fn->buckets + (size_t)bucket * (size_t)fn->num_dims;
  add(&counters[3 * bucket], 1);
  add(&counters[3 * bucket + 1], product(dims, fn->num_dims));
  add(&counters[3 * bucket + 2], product(row, fn->num_dims));
}

void bucket_telemetry_out_of_range(const bucket_function_info_t *fn,
                                   const int64_t *dims, int taken) {
  initialize();
  record(fn, dims);
  _Atomic uint64_t *counters = find_counters(fn, 1);
  if (!counters)
    return;
  /* The policy of the first dimension beyond every bucket; a combination
   * that only a sparse grid lacks is an error unless a policy takes it. */
  int32_t policy = BUCKET_OUT_OF_RANGE_ERROR;
  for (int32_t k = 0; k < fn->num_dims; ++k) {
    int64_t max_size = 0;
    for (int32_t b = 0; b < fn->num_buckets; ++b) {
      int64_t size = fn->buckets[(size_t)b * (size_t)fn->num_dims + (size_t)k];
      max_size = size > max_size ? size : max_size;
    }
    if (dims[k] > max_size) {
      policy =
          fn->out_of_range ? fn->out_of_range[k] : BUCKET_OUT_OF_RANGE_ERROR;
      break;
    }
  }
  if (!taken || policy < 0 || policy >= kNumPolicies)
    policy = BUCKET_OUT_OF_RANGE_ERROR;
  add(&counters[3 * (size_t)fn->num_buckets + (size_t)policy], 1);
}

/*===----------------------------------------------------------------------===*
 * The application API
 *===----------------------------------------------------------------------===*/

bucket_status_t
bucket_function_get_bucket_stats(const bucket_function_info_t *fn,
                                 int32_t bucket,
                                 bucket_bucket_stats_t *out_stats) {
  if (!fn || !out_stats)
    return INVALID("bucket_function_get_bucket_stats: %s is NULL",
                   fn ? "out_stats" : "fn");
  if (bucket < 0 || bucket >= fn->num_buckets)
    return INVALID("%s: bucket %" PRId32 " is not in [0, %" PRId32 ")",
                   fn->name ? fn->name : "<unnamed>", bucket, fn->num_buckets);
  memset(out_stats, 0, sizeof(*out_stats));
  _Atomic uint64_t *counters = find_counters(fn, 0);
  if (counters) {
    out_stats->calls = atomic_load(&counters[3 * bucket]);
    out_stats->real_elements = atomic_load(&counters[3 * bucket + 1]);
    out_stats->padded_elements = atomic_load(&counters[3 * bucket + 2]);
  }
  return NULL;
}

bucket_status_t
bucket_function_get_out_of_range_stats(const bucket_function_info_t *fn,
                                       bucket_out_of_range_stats_t *out_stats) {
  if (!fn || !out_stats)
    return INVALID("bucket_function_get_out_of_range_stats: %s is NULL",
                   fn ? "out_stats" : "fn");
  memset(out_stats, 0, sizeof(*out_stats));
  _Atomic uint64_t *counters = find_counters(fn, 0);
  for (int p = 0; counters && p < kNumPolicies; ++p)
    out_stats->calls[p] =
        atomic_load(&counters[3 * (size_t)fn->num_buckets + (size_t)p]);
  return NULL;
}

void bucket_telemetry_forget(const bucket_model_info_t *model) {
  if (!model)
    return;
  lock(&registry_lock);
  for (int32_t f = 0; f < model->num_functions; ++f)
    for (int i = 0; i < kMaxFunctions; ++i)
      if (atomic_load_explicit(&functions[i].fn, memory_order_relaxed) ==
          &model->functions[f])
        atomic_store_explicit(&functions[i].fn, &released,
                              memory_order_release);
  unlock(&registry_lock);
  lock(&recorder_lock);
  for (int32_t f = 0; f < model->num_functions; ++f)
    if (recorded_fn == &model->functions[f])
      recorded_fn = &released; /* Keeps recording to this function only. */
  unlock(&recorder_lock);
}

void bucket_telemetry_state(uint64_t bytes_copied) {
  add(&state_calls, 1);
  add(&state_bytes_copied, bytes_copied);
}

uint64_t bucket_state_calls(void) { return atomic_load(&state_calls); }

uint64_t bucket_state_bytes_copied(void) {
  return atomic_load(&state_bytes_copied);
}

void bucket_stats_reset(void) {
  atomic_store_explicit(&state_calls, 0, memory_order_relaxed);
  atomic_store_explicit(&state_bytes_copied, 0, memory_order_relaxed);
  for (int i = 0; i < kMaxFunctions; ++i) {
    if (!atomic_load_explicit(&functions[i].fn, memory_order_acquire))
      break;
    size_t count = 3 * (size_t)functions[i].num_buckets + kNumPolicies;
    for (size_t j = 0; j < count; ++j)
      atomic_store_explicit(&functions[i].counters[j], 0, memory_order_relaxed);
  }
}

void bucket_stats_print(void) {
  static const char *policy_names[kNumPolicies] = {"error", "fallback", "split",
                                                   "truncate"};
  for (int i = 0; i < kMaxFunctions; ++i) {
    if (!atomic_load_explicit(&functions[i].fn, memory_order_acquire))
      break;
    /* Only the copies: the table itself may be unloaded by now. */
    _Atomic uint64_t *counters = functions[i].counters;
    const char *label = functions[i].labels;
    int32_t num_buckets = functions[i].num_buckets;
    fprintf(stderr, "bucket stats: %s\n", label);
    for (int32_t b = 0; b < num_buckets; ++b) {
      label += strlen(label) + 1;
      uint64_t calls = atomic_load(&counters[3 * b]);
      uint64_t real = atomic_load(&counters[3 * b + 1]);
      uint64_t padded = atomic_load(&counters[3 * b + 2]);
      fprintf(stderr,
              "  bucket %" PRId32 " (%s): %" PRIu64 " calls, %" PRIu64
              " real / %" PRIu64 " padded elements (waste %.1f%%)\n",
              b, label, calls, real, padded,
              real ? 100.0 * ((double)padded / (double)real - 1) : 0.0);
    }
    for (int p = 0; p < kNumPolicies; ++p) {
      uint64_t calls = atomic_load(&counters[3 * num_buckets + p]);
      if (calls)
        fprintf(stderr, "  out of range (%s): %" PRIu64 " calls\n",
                policy_names[p], calls);
    }
  }
  uint64_t calls = atomic_load(&state_calls);
  if (calls)
    fprintf(stderr,
            "bucket state: %" PRIu64 " calls with a state, %" PRIu64
            " bytes of state copied\n",
            calls, atomic_load(&state_bytes_copied));
  uint64_t written = atomic_load(&records_written);
  uint64_t dropped = atomic_load(&records_dropped);
  if (written || dropped)
    fprintf(stderr,
            "bucket record: %" PRIu64 " rows written, %" PRIu64 " dropped\n",
            written, dropped);
}

void bucket_record_flush(void) {
  lock(&recorder_lock);
  if (record_file)
    fflush(record_file);
  unlock(&recorder_lock);
}

void bucket_record_counts(uint64_t *out_written, uint64_t *out_dropped) {
  if (out_written)
    *out_written = atomic_load(&records_written);
  if (out_dropped)
    *out_dropped = atomic_load(&records_dropped);
}
