/* state-runtime.c: calls the decode step of state-decode-step.mlir through
 * the header `bucket-compile --header` generates, with the key cache as a
 * state argument (docs/State.md), and checks at every length 1..16:
 *  - the output against a C computation in double precision;
 *  - that result 1 is the caller's cache (same data, no allocation), that
 *    row len-1 holds the new key and every other row is unchanged: the rows
 *    past the valid length hold NaN before each call and still do after;
 *  - that the runtime copied no byte of state (bucket_state_bytes_copied).
 * Then the statuses: length 17 (out of range: the cache untouched), a cache
 * of another capacity or element type, a result in other memory.
 * Prints one line per check for FileCheck; exits non-zero on a failure. */
#include "state.h" /* generated: decode_step_call, decode_step_info */

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { kCapacity = 16, kWidth = 4 };

static int failures = 0;

static void expect(int ok, const char *what, int len) {
  if (!ok) {
    ++failures;
    printf("FAILED: %s (len %d)\n", what, len);
  }
}

/* Deterministic values in [-1, 1). */
static float value(int i, int j, int salt) {
  return (float)((i * 7 + j * 3 + salt * 5) % 17 - 8) / 8.0f;
}

/* The module's computation over the updated cache rows [0, len). */
static void reference(const float cache[kCapacity][kWidth], const float *x,
                      int len, double *out) {
  double s[kCapacity], mx = -INFINITY, sum = 0;
  for (int j = 0; j < len; ++j) {
    s[j] = 0;
    for (int d = 0; d < kWidth; ++d)
      s[j] += (double)cache[j][d] * x[d];
    mx = s[j] > mx ? s[j] : mx;
  }
  for (int d = 0; d < kWidth; ++d)
    out[d] = 0;
  for (int j = 0; j < len; ++j) {
    double e = exp(s[j] - mx);
    sum += e;
    for (int d = 0; d < kWidth; ++d)
      out[d] += e * cache[j][d];
  }
  for (int d = 0; d < kWidth; ++d)
    out[d] /= sum;
}

static bucket_status_t call(float cache[kCapacity][kWidth], int64_t rows,
                            float *x, int64_t *positions, int64_t len, float *y,
                            bucket_tensor_t *state_out) {
  int64_t x_shape[] = {kWidth}, cache_shape[] = {rows, kWidth};
  int64_t pos_shape[] = {len};
  bucket_tensor_t tx, tcache, tpos, ty;
  bucket_status_t status =
      bucket_tensor_init(x, BUCKET_ELEMENT_F32, 1, x_shape, &tx);
  if (!status)
    status =
        bucket_tensor_init(cache, BUCKET_ELEMENT_F32, 2, cache_shape, &tcache);
  if (!status)
    status =
        bucket_tensor_init(positions, BUCKET_ELEMENT_I64, 1, pos_shape, &tpos);
  if (!status)
    status = bucket_tensor_init(y, BUCKET_ELEMENT_F32, 1, x_shape, &ty);
  if (!status)
    status = decode_step_call(&tx, &tcache, &tpos, &ty, state_out);
  return status;
}

/* One step at length `len` on a cache whose rows past len hold NaN. */
static void step(int len) {
  float cache[kCapacity][kWidth], before[kCapacity][kWidth];
  float x[kWidth], y[kWidth];
  int64_t positions[kCapacity];
  for (int j = 0; j < kCapacity; ++j)
    for (int d = 0; d < kWidth; ++d)
      cache[j][d] = j < len ? value(j, d, len) : NAN;
  for (int d = 0; d < kWidth; ++d)
    x[d] = value(len, d, 3);
  for (int j = 0; j < len; ++j)
    positions[j] = j;
  memcpy(before, cache, sizeof cache);
  bucket_tensor_t state = {0}; /* data NULL: a view of the cache */
  bucket_status_t status = call(cache, kCapacity, x, positions, len, y, &state);
  expect(!status, "call succeeds", len);
  bucket_status_free(status);
  expect(state.data == (void *)cache && !state.allocation &&
             state.shape[0] == kCapacity && state.shape[1] == kWidth,
         "the state result is the caller's cache", len);
  for (int j = 0; j < kCapacity; ++j)
    for (int d = 0; d < kWidth; ++d) {
      float want = j == len - 1 ? x[d] : before[j][d];
      expect(memcmp(&cache[j][d], &want, sizeof want) == 0,
             "row len-1 written, every other row unchanged", len);
    }
  double ref[kWidth];
  reference((const float (*)[kWidth])cache, x, len, ref);
  for (int d = 0; d < kWidth; ++d)
    expect(fabs(y[d] - ref[d]) <= 1e-6 + 1e-5 * fabs(ref[d]),
           "output equals the C reference", len);
}

static void print_status(const char *what, bucket_status_t status) {
  printf("%s: %s %s\n", what,
         bucket_status_code_name(bucket_status_code(status)),
         bucket_status_message(status));
  bucket_status_free(status);
}

int main(void) {
  bucket_stats_reset();
  for (int len = 1; len <= kCapacity; ++len)
    step(len);
  printf("steps: lengths 1..16 checked, %d failures\n", failures);
  printf("state: %llu calls, %llu bytes copied\n",
         (unsigned long long)bucket_state_calls(),
         (unsigned long long)bucket_state_bytes_copied());

  float cache[kCapacity][kWidth], before[kCapacity][kWidth];
  float x[kWidth] = {1, 2, 3, 4}, y[kWidth];
  int64_t positions[kCapacity + 1] = {0};
  for (int j = 0; j < kCapacity; ++j)
    for (int d = 0; d < kWidth; ++d)
      cache[j][d] = value(j, d, 1);
  memcpy(before, cache, sizeof cache);
  bucket_tensor_t state = {0};
  print_status("len 17",
               call(cache, kCapacity, x, positions, kCapacity + 1, y, &state));
  expect(!memcmp(cache, before, sizeof cache) && !state.data,
         "out of range leaves the cache and the result untouched", 17);
  print_status("capacity 8", call(cache, 8, x, positions, 4, y, &state));

  double wide[kCapacity][kWidth] = {{0}};
  int64_t x_shape[] = {kWidth}, cache_shape[] = {kCapacity, kWidth};
  int64_t pos_shape[] = {4};
  bucket_tensor_t tx, tcache, tpos, ty, other;
  bucket_status_t status =
      bucket_tensor_init(x, BUCKET_ELEMENT_F32, 1, x_shape, &tx);
  if (!status)
    status =
        bucket_tensor_init(wide, BUCKET_ELEMENT_F64, 2, cache_shape, &tcache);
  if (!status)
    status =
        bucket_tensor_init(positions, BUCKET_ELEMENT_I64, 1, pos_shape, &tpos);
  if (!status)
    status = bucket_tensor_init(y, BUCKET_ELEMENT_F32, 1, x_shape, &ty);
  expect(!status, "tensor_init", 0);
  bucket_status_free(status);
  print_status("f64 cache", decode_step_call(&tx, &tcache, &tpos, &ty, &state));

  float copy[kCapacity][kWidth];
  status =
      bucket_tensor_init(cache, BUCKET_ELEMENT_F32, 2, cache_shape, &tcache);
  if (!status)
    status =
        bucket_tensor_init(copy, BUCKET_ELEMENT_F32, 2, cache_shape, &other);
  expect(!status, "tensor_init", 0);
  bucket_status_free(status);
  print_status("result elsewhere",
               decode_step_call(&tx, &tcache, &tpos, &ty, &other));
  expect(!memcmp(cache, before, sizeof cache),
         "refused calls leave the cache untouched", 0);
  printf("state-runtime: %d failures\n", failures);
  fflush(stdout); /* Before BUCKET_STATS prints to stderr at exit. */
  return failures != 0;
}
