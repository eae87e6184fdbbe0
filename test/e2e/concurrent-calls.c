/* concurrent-calls.c: 8 threads call the same generated model at once, with
 * different shapes (in range, on every bucket edge, and out of range), each
 * through its own runtime-allocated results; every result must equal the one
 * the same shape gave on a single thread first, bit for bit, and every
 * out-of-range call must report the same status and message (see
 * concurrent-calls.test, which builds this with ThreadSanitizer). Then
 * threads that live for one call each, to check that per-thread state is
 * released.
 *
 * With SELF_CHECK defined, both models are compiled with --self-check and a
 * second one (Inputs/wrong_mask_model.mlir, a mask declaration that does not
 * hold) makes the self-check report differences: each thread must read
 * exactly the reports its own calls produced (bucket_take_self_check), and
 * the process-wide count must equal their sum. In both modes the per-bucket
 * counters, and the shape recorder's file when BUCKET_RECORD is set, must
 * agree with the calls the threads made.
 *
 * Prints a summary for FileCheck; exits non-zero on any mismatch. */
#include "tiny.h" /* generated: scale_rows_call */
#ifdef SELF_CHECK
#include "wrong_mask.h" /* generated: masked_max_call */
#endif

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxBatch = 20, kThreads = 8, kRounds = 200, kWaves = 50 };

/* The bucket sizes of the RUN line ('batch=2,4,16'). */
static const int64_t kTinyBuckets[3] = {2, 4, 16};

static const float G[4] = {1.0f, -0.5f, 2.0f, 0.25f};
/* tiny_model.mlir's constants, for the reference below. */
static const float W[4][3] = {{0.5f, -1.0f, 0.25f},
                              {2.0f, 0.75f, -0.5f},
                              {-1.5f, 0.125f, 1.0f},
                              {0.0625f, -2.0f, 0.375f}};
static const float Bias[3] = {0.1f, -0.2f, 0.3f};

/* Expected results, status codes and messages per batch (1..kMaxBatch),
 * computed on one thread. */
static float expected[kMaxBatch + 1][kMaxBatch * 3];
static bucket_status_code_t expectedCode[kMaxBatch + 1];
static char expectedMessage[kMaxBatch + 1][256];

/* Calls of scale_rows per batch, from every thread (for the counters). */
static _Atomic uint64_t tinyCalls[kMaxBatch + 1];
static _Atomic int mismatches;

static void fill_x(float *x, int64_t batch) {
  for (int64_t b = 0; b < batch; ++b)
    for (int k = 0; k < 4; ++k)
      x[b * 4 + k] = (float)((7 * b + 3 * k) % 11 - 5) / 4.0f;
}

/* Runs one call of scale_rows; returns its status code and copies the
 * result, or the status message when it failed. */
static bucket_status_code_t call(int64_t batch, float *out, char *message) {
  float x_data[kMaxBatch * 4];
  fill_x(x_data, batch);
  int64_t x_shape[2] = {batch, 4}, g_shape[1] = {4};
  bucket_tensor_t x, g, y;
  memset(&y, 0, sizeof y);
  bucket_status_t status =
      bucket_tensor_init(x_data, BUCKET_ELEMENT_F32, 2, x_shape, &x);
  if (!status)
    status = bucket_tensor_init((void *)G, BUCKET_ELEMENT_F32, 1, g_shape, &g);
  if (!status)
    status = scale_rows_call(&x, &g, &y);
  ++tinyCalls[batch];
  bucket_status_code_t code = bucket_status_code(status);
  snprintf(message, 256, "%s", status ? bucket_status_message(status) : "");
  bucket_status_free(status);
  if (code == BUCKET_STATUS_OK) {
    memcpy(out, y.data, (size_t)batch * 3 * sizeof(float));
    bucket_tensor_release(&y);
  }
  return code;
}

/* Checks one scale_rows call against the single-threaded one. */
static void call_and_compare(int64_t batch) {
  float out[kMaxBatch * 3];
  char message[256];
  bucket_status_code_t code = call(batch, out, message);
  int bad = code != expectedCode[batch];
  if (code == BUCKET_STATUS_OK)
    bad |= memcmp(out, expected[batch], (size_t)batch * 3 * sizeof(float));
  else
    bad |= strcmp(message, expectedMessage[batch]) != 0;
#ifdef SELF_CHECK
  /* The tiny model is correct: its self-check never reports. */
  bad |= bucket_take_self_check(NULL);
#endif
  if (bad)
    ++mismatches;
}

/* The model computed in C (tolerance for the order of the sums). */
static int reference_differs(int64_t batch) {
  float x[kMaxBatch * 4];
  fill_x(x, batch);
  for (int64_t b = 0; b < batch; ++b)
    for (int j = 0; j < 3; ++j) {
      double want = Bias[j];
      for (int k = 0; k < 4; ++k)
        want += (double)x[b * 4 + k] * G[k] * W[k][j];
      if (fabs(expected[batch][b * 3 + j] - want) > 1e-5 + 1e-5 * fabs(want))
        return 1;
    }
  return 0;
}

#ifdef SELF_CHECK
/*===--- The self-checked model with a mask that does not hold -----------===*/

enum { kMaxSeq = 6 }; /* buckets 'seq=2,4': 5 and 6 are out of range */

/* What a call of masked_max with `seq` real positions must give, computed
 * from the model: the scores are x * 20000 <= -40000, a padded position
 * scores -10000, so a bucket with padding returns -10000 and one without
 * the real maximum, -40000. The check runs the next bucket (or the generic
 * fallback after the largest): it reports when exactly one side pads. */
typedef struct masked_expectation_t {
  bucket_status_code_t code;
  float value;
  int reports;
  int64_t bucket, other;
} masked_expectation_t;

static masked_expectation_t masked_expected(int64_t seq) {
  masked_expectation_t e = {BUCKET_STATUS_OUT_OF_RANGE, 0, 0, 0, 0};
  if (seq > 4)
    return e;
  int64_t bucket = seq <= 2 ? 0 : 1, size = seq <= 2 ? 2 : 4;
  int64_t checkSize = bucket == 0 ? 4 : seq; /* the fallback does not pad */
  e.code = BUCKET_STATUS_OK;
  e.value = seq < size ? -10000.0f : -40000.0f;
  e.reports = (seq < size) != (seq < checkSize);
  e.bucket = bucket;
  e.other = bucket == 0 ? 1 : -1;
  return e;
}

static _Atomic uint64_t maskedReports;

/* Calls masked_max with `seq` real positions and checks the result, the
 * status and this thread's self-check record against masked_expected. */
static void masked_call_and_compare(int64_t seq) {
  float x_data[kMaxSeq];
  int64_t mask_data[kMaxSeq];
  for (int64_t i = 0; i < seq; ++i) {
    x_data[i] = -2.0f - (float)(i % 3) / 4.0f; /* max -2: score -40000 */
    mask_data[i] = 1;
  }
  int64_t shape[1] = {seq};
  bucket_tensor_t x, mask, y;
  memset(&y, 0, sizeof y);
  bucket_status_t status =
      bucket_tensor_init(x_data, BUCKET_ELEMENT_F32, 1, shape, &x);
  if (!status)
    status = bucket_tensor_init(mask_data, BUCKET_ELEMENT_I64, 1, shape, &mask);
  if (!status)
    status = masked_max_call(&x, &mask, &y);
  masked_expectation_t want = masked_expected(seq);
  int bad = bucket_status_code(status) != want.code;
  bucket_status_free(status);
  if (!bad && want.code == BUCKET_STATUS_OK) {
    bad |= *(const float *)y.data != want.value;
    bucket_tensor_release(&y);
  }
  bucket_self_check_t record;
  int reported = bucket_take_self_check(&record);
  bad |= reported != want.reports;
  if (reported) {
    ++maskedReports;
    bad |= record.bucket != want.bucket || record.other != want.other ||
           record.result != 0 || !(record.max_abs_diff == 30000.0);
  }
  if (bad)
    ++mismatches;
}
#endif

/*===--- Threads ---------------------------------------------------------===*/

static void *worker(void *arg) {
  unsigned seed = (unsigned)(size_t)arg;
  for (int round = 0; round < kRounds; ++round) {
    seed = seed * 1103515245u + 12345u;
    call_and_compare(1 + (int64_t)((seed >> 16) % kMaxBatch));
#ifdef SELF_CHECK
    masked_call_and_compare(1 + (int64_t)((seed >> 8) % kMaxSeq));
#endif
  }
  return NULL;
}

static void *one_call(void *arg) {
  size_t i = (size_t)arg;
  call_and_compare(1 + (int64_t)(i % kMaxBatch));
#ifdef SELF_CHECK
  masked_call_and_compare(1 + (int64_t)(i % kMaxSeq));
#endif
  return NULL;
}

static void run_threads(void *(*body)(void *), size_t first) {
  pthread_t threads[kThreads];
  for (size_t i = 0; i < kThreads; ++i)
    if (pthread_create(&threads[i], NULL, body, (void *)(first + i)))
      abort();
  for (size_t i = 0; i < kThreads; ++i)
    pthread_join(threads[i], NULL);
}

/*===--- Telemetry -------------------------------------------------------===*/

/* The per-bucket counters of scale_rows against the calls made. */
static int stats_differ(uint64_t *total, uint64_t *outOfRange) {
  int bad = 0;
  *total = *outOfRange = 0;
  for (int32_t b = 0; b < 3; ++b) {
    uint64_t calls = 0, real = 0, padded = 0;
    for (int64_t n = b ? kTinyBuckets[b - 1] + 1 : 1; n <= kTinyBuckets[b];
         ++n) {
      calls += tinyCalls[n];
      real += tinyCalls[n] * (uint64_t)n;
      padded += tinyCalls[n] * (uint64_t)kTinyBuckets[b];
    }
    bucket_bucket_stats_t stats;
    bucket_status_t status =
        bucket_function_get_bucket_stats(&scale_rows_info, b, &stats);
    bad |= status || stats.calls != calls || stats.real_elements != real ||
           stats.padded_elements != padded;
    bucket_status_free(status);
    *total += calls;
  }
  for (int64_t n = kTinyBuckets[2] + 1; n <= kMaxBatch; ++n)
    *outOfRange += tinyCalls[n];
  bucket_out_of_range_stats_t oor;
  bucket_status_t status =
      bucket_function_get_out_of_range_stats(&scale_rows_info, &oor);
  bad |= status || oor.calls[BUCKET_OUT_OF_RANGE_ERROR] != *outOfRange;
  bucket_status_free(status);
  *total += *outOfRange;
  return bad;
}

/* The recorder's file: a header line "batch", then one row per call of
 * scale_rows (the first function called), in range or not. */
static int record_differs(const char *path, uint64_t *rows) {
  bucket_record_flush();
  FILE *file = fopen(path, "r");
  if (!file)
    return 1;
  uint64_t seen[kMaxBatch + 1] = {0};
  char line[64];
  int bad = !fgets(line, sizeof line, file) || strcmp(line, "batch\n") != 0;
  *rows = 0;
  while (fgets(line, sizeof line, file)) {
    long n = strtol(line, NULL, 10);
    if (n < 1 || n > kMaxBatch)
      bad = 1;
    else
      ++seen[n];
    ++*rows;
  }
  fclose(file);
  for (int64_t n = 1; n <= kMaxBatch; ++n)
    bad |= seen[n] != tinyCalls[n];
  uint64_t written, dropped;
  bucket_record_counts(&written, &dropped);
  return bad || written != *rows || dropped != 0;
}

static void report_telemetry(void) {
  uint64_t total, outOfRange, rows;
  int bad = stats_differ(&total, &outOfRange);
  printf("stats: %llu calls, %llu out of range: %s\n",
         (unsigned long long)total, (unsigned long long)outOfRange,
         bad ? "DIFFER" : "equal to the calls made");
  mismatches += bad;
  const char *path = getenv("BUCKET_RECORD");
  if (path && *path) {
    bad = record_differs(path, &rows);
    printf("record: %llu rows: %s\n", (unsigned long long)rows,
           bad ? "DIFFER" : "equal to the calls made");
    mismatches += bad;
  }
}

int main(void) {
  char message[256];
  int wrong = 0;
  for (int64_t batch = 1; batch <= kMaxBatch; ++batch) {
    expectedCode[batch] = call(batch, expected[batch], message);
    memcpy(expectedMessage[batch], message, sizeof message);
    wrong +=
        (expectedCode[batch] == BUCKET_STATUS_OK) != (batch <= kTinyBuckets[2]);
    wrong +=
        expectedCode[batch] == BUCKET_STATUS_OK && reference_differs(batch);
  }
  printf("single: batch 16 %s, batch 17 %s, %d differ from the reference\n",
         bucket_status_code_name(expectedCode[16]),
         bucket_status_code_name(expectedCode[17]), wrong);
  mismatches += wrong;
#ifdef SELF_CHECK
  for (int64_t seq = 1; seq <= kMaxSeq; ++seq)
    masked_call_and_compare(seq);
  printf("self-check single: %d mismatches, %llu reports\n", mismatches,
         (unsigned long long)maskedReports);
#endif

  int before = mismatches;
  run_threads(worker, 1);
  printf("concurrent: %d rounds on %d threads, %d mismatches\n",
         kThreads * kRounds, kThreads, mismatches - before);

  /* Short-lived threads: one round each, kThreads at a time. */
  before = mismatches;
  for (int wave = 0; wave < kWaves; ++wave)
    run_threads(one_call, (size_t)wave * kThreads);
  printf("short-lived: %d threads, %d mismatches\n", kWaves * kThreads,
         mismatches - before);
#ifdef SELF_CHECK
  printf("self-check: %llu reports, the runtime counted %s\n",
         (unsigned long long)maskedReports,
         bucket_self_check_count() == maskedReports ? "as many" : "OTHERWISE");
  mismatches += bucket_self_check_count() != maskedReports;
#endif
  report_telemetry();
  return mismatches ? 1 : 0;
}
