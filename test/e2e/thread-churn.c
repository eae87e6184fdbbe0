/* thread-churn.c: is the runtime's per-thread state released when a thread
 * exits? 10^5 calls of a generated model, each on a fresh thread (kThreads
 * at a time), through a self-checking dispatcher; in range with buffers
 * large enough for the per-thread buffer cache, and out of range (the
 * thread-local records). The process's memory is read after 10^3 (the
 * warm-up), 10^4 and 10^5 calls: the bytes malloc has handed out and not
 * had back (mallinfo2: uordblks + hblkhd) and the resident set
 * (/proc/self/statm), every 1000 calls after the warm-up so that a leak
 * stops the run early. Bounds (see thread-churn.test): live malloc bytes may
 * grow by at most kMaxHeapGrowth after the warm-up, the resident set by at
 * most kMaxRssGrowth; a thread that kept one cached block (80 KiB or more)
 * exceeds the first at the first measurement, a leak of one byte per thread
 * by 10^5 calls. Every call's result is checked against the model computed
 * in C. Exits non-zero on any failure. */
#define _GNU_SOURCE 1
#include "tiny.h" /* generated: scale_rows_call */

#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { kThreads = 8, kCalls = 100000, kMaxBatch = 9000 };
static const long long kMaxHeapGrowth = 64 * 1024;
static const long long kMaxRssGrowth = 4 * 1024 * 1024;

/* The batches the threads take in turn (buckets 'batch=2,16,8192'): a padded
 * small bucket, the middle one, the largest one (with 80 to 144 KiB
 * buffers, cached per thread), and beyond it (out of range). */
static const int64_t kBatches[4] = {1, 10, 5000, 9000};

static const float G[4] = {1.0f, -0.5f, 2.0f, 0.25f};
/* tiny_model.mlir's constants, for the reference. */
static const float W[4][3] = {{0.5f, -1.0f, 0.25f},
                              {2.0f, 0.75f, -0.5f},
                              {-1.5f, 0.125f, 1.0f},
                              {0.0625f, -2.0f, 0.375f}};
static const float Bias[3] = {0.1f, -0.2f, 0.3f};

static float X[kMaxBatch * 4];
static _Atomic int failures;

/* Whether y (batch x 3) is the model of the first `batch` rows of X. */
static int result_differs(const float *y, int64_t batch) {
  for (int64_t b = 0; b < batch; b += 1 + batch / 64)
    for (int j = 0; j < 3; ++j) {
      double want = Bias[j];
      for (int k = 0; k < 4; ++k)
        want += (double)X[b * 4 + k] * G[k] * W[k][j];
      if (fabs(y[b * 3 + j] - want) > 1e-5 + 1e-5 * fabs(want))
        return 1;
    }
  return 0;
}

static void *one_call(void *arg) {
  int64_t batch = kBatches[(size_t)arg % 4];
  int64_t x_shape[2] = {batch, 4}, g_shape[1] = {4};
  bucket_tensor_t x, g, y;
  memset(&y, 0, sizeof y);
  bucket_status_t status =
      bucket_tensor_init(X, BUCKET_ELEMENT_F32, 2, x_shape, &x);
  if (!status)
    status = bucket_tensor_init((void *)G, BUCKET_ELEMENT_F32, 1, g_shape, &g);
  if (!status)
    status = scale_rows_call(&x, &g, &y);
  bucket_status_code_t code = bucket_status_code(status);
  bucket_status_free(status);
  int bad =
      code != (batch <= 8192 ? BUCKET_STATUS_OK : BUCKET_STATUS_OUT_OF_RANGE);
  if (code == BUCKET_STATUS_OK) {
    bad |= result_differs((const float *)y.data, batch);
    bucket_tensor_release(&y);
  }
  bad |= bucket_take_self_check(NULL);
  if (bad)
    ++failures;
  return NULL;
}

typedef struct memory_t {
  long long heap; /* bytes malloc handed out, not freed */
  long long rss;  /* resident bytes */
} memory_t;

static memory_t measure(void) {
  struct mallinfo2 info = mallinfo2();
  memory_t m = {(long long)(info.uordblks + info.hblkhd), -1};
  long long size, resident;
  FILE *statm = fopen("/proc/self/statm", "r");
  if (statm && fscanf(statm, "%lld %lld", &size, &resident) == 2)
    m.rss = resident * sysconf(_SC_PAGESIZE);
  if (statm)
    fclose(statm);
  return m;
}

/* Runs `count` calls on fresh threads, kThreads at a time, from call
 * `first` on. */
static void churn(size_t first, size_t count) {
  for (size_t done = first; done < first + count; done += kThreads) {
    pthread_t threads[kThreads];
    for (size_t i = 0; i < kThreads; ++i)
      if (pthread_create(&threads[i], NULL, one_call, (void *)(done + i)))
        abort();
    for (size_t i = 0; i < kThreads; ++i)
      pthread_join(threads[i], NULL);
  }
}

/* argv[1]: the number of calls, a power of ten from 1000 (default 10^5). */
int main(int argc, char **argv) {
  long long calls = argc > 1 ? atoll(argv[1]) : kCalls;
  for (int i = 0; i < kMaxBatch * 4; ++i)
    X[i] = (float)((7 * i) % 11 - 5) / 4.0f;
  churn(0, 1000);
  memory_t warm = measure(), m = warm;
  long long done = 1000;
  printf("calls %lld: heap %lld bytes, rss %lld KiB\n", done, warm.heap,
         warm.rss / 1024);
  /* Measured every 1000 calls, so that a leak stops the run early. */
  int over = warm.rss < 0;
  for (long long mark = 10000; mark <= calls && !over; mark *= 10) {
    for (; done < mark && !over; done += 1000) {
      churn((size_t)done, 1000);
      m = measure();
      over = m.heap - warm.heap > kMaxHeapGrowth ||
             m.rss - warm.rss > kMaxRssGrowth;
    }
    printf("calls %lld: heap %lld bytes (%+lld), rss %lld KiB (%+lld)\n", done,
           m.heap, m.heap - warm.heap, m.rss / 1024, (m.rss - warm.rss) / 1024);
  }
  failures += over;
  printf("threads: %lld, %s, %d failures\n", done,
         over ? "memory grew beyond the bounds" : "memory within the bounds",
         failures);
  return failures ? 1 : 0;
}
