/* concurrent-calls.c: 8 threads call the same generated model at once, with
 * different shapes (in range, on every bucket edge, and out of range), each
 * through its own runtime-allocated results; every result must equal the one
 * the same shape gave on a single thread first, bit for bit, and every
 * out-of-range call must report the same status (see concurrent-calls.test,
 * which builds this with ThreadSanitizer). Then threads that live for one
 * call each, to check that per-thread state is released. Prints a summary
 * for FileCheck; exits non-zero on any mismatch. */
#include "tiny.h" /* generated: scale_rows_call */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxBatch = 20, kThreads = 8, kRounds = 200 };

static const float G[4] = {1.0f, -0.5f, 2.0f, 0.25f};
/* Expected results per batch (1..kMaxBatch), computed on one thread. */
static float expected[kMaxBatch + 1][kMaxBatch * 3];
static bucket_status_code_t expectedCode[kMaxBatch + 1];

static void fill_x(float *x, int64_t batch) {
  for (int64_t b = 0; b < batch; ++b)
    for (int k = 0; k < 4; ++k)
      x[b * 4 + k] = (float)((7 * b + 3 * k) % 11 - 5) / 4.0f;
}

/* Runs one call; returns its status code and copies the result. */
static bucket_status_code_t call(int64_t batch, float *out) {
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
  bucket_status_code_t code = bucket_status_code(status);
  bucket_status_free(status);
  if (code == BUCKET_STATUS_OK) {
    memcpy(out, y.data, (size_t)batch * 3 * sizeof(float));
    bucket_tensor_release(&y);
  }
  return code;
}

static int mismatches = 0;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg) {
  unsigned seed = (unsigned)(size_t)arg;
  float out[kMaxBatch * 3];
  for (int round = 0; round < kRounds; ++round) {
    seed = seed * 1103515245u + 12345u;
    int64_t batch = 1 + (int64_t)((seed >> 16) % kMaxBatch);
    bucket_status_code_t code = call(batch, out);
    int bad = code != expectedCode[batch] ||
              (code == BUCKET_STATUS_OK &&
               memcmp(out, expected[batch], (size_t)batch * 3 * sizeof(float)));
    if (bad) {
      pthread_mutex_lock(&lock);
      ++mismatches;
      pthread_mutex_unlock(&lock);
    }
  }
  return NULL;
}

static void *one_call(void *arg) {
  float out[kMaxBatch * 3];
  int64_t batch = 1 + (int64_t)((size_t)arg % 16);
  if (call(batch, out) != BUCKET_STATUS_OK ||
      memcmp(out, expected[batch], (size_t)batch * 3 * sizeof(float))) {
    pthread_mutex_lock(&lock);
    ++mismatches;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

int main(void) {
  for (int64_t batch = 1; batch <= kMaxBatch; ++batch)
    expectedCode[batch] = call(batch, expected[batch]);
  printf("single: batch 16 %s, batch 17 %s\n",
         bucket_status_code_name(expectedCode[16]),
         bucket_status_code_name(expectedCode[17]));

  pthread_t threads[kThreads];
  for (size_t i = 0; i < kThreads; ++i)
    pthread_create(&threads[i], NULL, worker, (void *)(i + 1));
  for (size_t i = 0; i < kThreads; ++i)
    pthread_join(threads[i], NULL);
  printf("concurrent: %d calls on %d threads, %d mismatches\n",
         kThreads * kRounds, kThreads, mismatches);

  /* Short-lived threads: one call each, 8 at a time. */
  int before = mismatches;
  for (int wave = 0; wave < 50; ++wave) {
    for (size_t i = 0; i < kThreads; ++i)
      pthread_create(&threads[i], NULL, one_call,
                     (void *)(wave * kThreads + i));
    for (size_t i = 0; i < kThreads; ++i)
      pthread_join(threads[i], NULL);
  }
  printf("short-lived: %d threads, %d mismatches\n", 50 * kThreads,
         mismatches - before);
  return mismatches ? 1 : 0;
}
