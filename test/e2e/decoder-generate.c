/*===- decoder-generate.c - The state decoder against a growing cache -----===*
 *
 * The e2e harness of test/e2e/decoder-generate.test. It links two builds of
 * the example decoder (examples/decoder/gen_decoder.py) of the same sizes:
 *   - the state build (`bucket-compile`, symbol prefix b_): @prefill and
 *     @decode over one KV cache of capacity CAP that the caller owns;
 *   - the reference (upstream mlir-opt's lowering of the --cache concat
 *     variant): @ref_prefill and @ref_decode, whose cache grows by
 *     tensor.concat and has exactly the valid length.
 * For every prompt length given on the command line it prefills, then
 * decodes greedily (the reference's argmax, fed to both) up to the capacity,
 * and checks at every step:
 *   - the logits agree (|a - b| <= ATOL + RTOL |b|);
 *   - the state cache equals the reference cache on [0, len);
 *   - the state cache was poisoned (a NaN with a payload) everywhere past the
 *     valid length before the call, and after it every entry past the write
 *     window still holds the poison, bit for bit (a decode writes position
 *     len - 1 only; a prefill writes [0, P)).
 * Then one decode at len = CAP + 1 and, when given, a prefill one past the
 * largest prompt bucket: both must return OUT_OF_RANGE and leave the cache
 * and the logits buffer untouched.
 *
 *   decoder-generate P1,P2,...  [--oor-prompt N]
 *
 * Sizes come from -D: L, H, DH, V, CAP (the model's layers, heads, head
 * dimension, vocabulary and capacity).
 *===----------------------------------------------------------------------===*/

#include "decoder.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RTOL 1e-4
#define ATOL 1e-4

typedef struct {
  void *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} memref1_t;
typedef struct {
  void *allocated, *aligned;
  int64_t offset, sizes[5], strides[5];
} memref5_t;
typedef struct {
  memref1_t logits;
  memref5_t cache;
} ref_results_t;

void _mlir_ciface_ref_prefill(ref_results_t *results, memref1_t *ids);
void _mlir_ciface_ref_decode(ref_results_t *results, memref1_t *id,
                             memref5_t *past);

static const uint32_t kPoison = 0x7fc0dead; /* a quiet NaN with a payload */
static int failures = 0;
static double worstLogit = 0, worstCache = 0;

static memref1_t view1(void *data, int64_t n) {
  memref1_t m = {data, data, 0, {n}, {1}};
  return m;
}

/* Index of the cache entry (l, kv, h, position, d) in a [L,2,H,len,DH] cache.
 */
static size_t at(int64_t len, int64_t l, int64_t kv, int64_t h, int64_t p,
                 int64_t d) {
  return ((((size_t)l * 2 + kv) * H + h) * len + p) * DH + d;
}

/* Fills positions [from, CAP) of every (layer, k/v, head) with the poison. */
static void poison(float *cache, int64_t from) {
  for (int64_t r = 0; r < L * 2 * H; ++r)
    for (int64_t p = from; p < CAP; ++p)
      for (int64_t d = 0; d < DH; ++d)
        memcpy(&cache[((size_t)r * CAP + p) * DH + d], &kPoison, 4);
}

static int close_to(double a, double b, double *worst) {
  double diff = fabs(a - b);
  if (diff > *worst || isnan(diff))
    *worst = isnan(diff) ? INFINITY : diff;
  return diff <= ATOL + RTOL * fabs(b);
}

/* Compares the logits, the cache on [0, len) and the poison on
 * [windowEnd, CAP). Returns 0 on success. */
static int check(const char *what, int64_t len, int64_t windowEnd,
                 const float *logits, const float *refLogits,
                 const float *cache, const float *refCache) {
  int bad = 0;
  for (int64_t i = 0; i < V; ++i)
    bad += !close_to(logits[i], refLogits[i], &worstLogit);
  int64_t badCache = 0, touched = 0;
  for (int64_t l = 0; l < L; ++l)
    for (int64_t kv = 0; kv < 2; ++kv)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t d = 0; d < DH; ++d) {
          for (int64_t p = 0; p < len; ++p)
            badCache +=
                !close_to(cache[at(CAP, l, kv, h, p, d)],
                          refCache[at(len, l, kv, h, p, d)], &worstCache);
          for (int64_t p = windowEnd; p < CAP; ++p)
            touched +=
                memcmp(&cache[at(CAP, l, kv, h, p, d)], &kPoison, 4) != 0;
        }
  if (bad || badCache || touched) {
    printf("FAILED %s len=%lld: %d logits, %lld cache entries differ, %lld "
           "entries past the write window changed\n",
           what, (long long)len, bad, (long long)badCache, (long long)touched);
    ++failures;
    return 1;
  }
  return 0;
}

static int64_t argmax(const float *x) {
  int64_t best = 0;
  for (int64_t i = 1; i < V; ++i)
    if (x[i] > x[best])
      best = i;
  return best;
}

static void freeRef(ref_results_t *r) {
  free(r->logits.allocated);
  free(r->cache.allocated);
}

/* Expects an OUT_OF_RANGE status and the buffers untouched. */
static void expectOutOfRange(const char *what, bucket_status_t status,
                             const float *cache, const float *cacheBefore,
                             const float *logits, const float *logitsBefore) {
  bucket_status_code_t code = bucket_status_code(status);
  int same =
      !memcmp(cache, cacheBefore, sizeof(float) * L * 2 * H * CAP * DH) &&
      !memcmp(logits, logitsBefore, sizeof(float) * V);
  printf("%s: %s, state %s\n", what, bucket_status_code_name(code),
         same ? "untouched" : "CHANGED");
  if (code != BUCKET_STATUS_OUT_OF_RANGE || !same)
    ++failures;
  bucket_status_free(status);
}

/* The state build's call with the cache as argument 1 and as result 1: the
 * caller's buffer is the state, in and out. */
static bucket_status_t callPrefill(int64_t *ids, int64_t n, float *cache,
                                   float *logits) {
  int64_t cacheShape[5] = {L, 2, H, CAP, DH}, vShape[1] = {V};
  bucket_tensor_t idsT, cacheT, logitsT, cacheOut;
  bucket_status_free(bucket_tensor_init(ids, BUCKET_ELEMENT_I64, 1, &n, &idsT));
  bucket_status_free(
      bucket_tensor_init(cache, BUCKET_ELEMENT_F32, 5, cacheShape, &cacheT));
  bucket_status_free(
      bucket_tensor_init(logits, BUCKET_ELEMENT_F32, 1, vShape, &logitsT));
  cacheOut = cacheT;
  return b_prefill_call(&idsT, &cacheT, &logitsT, &cacheOut);
}

static bucket_status_t callDecode(int64_t *id, int64_t *positions, int64_t len,
                                  float *cache, float *logits) {
  int64_t cacheShape[5] = {L, 2, H, CAP, DH}, vShape[1] = {V}, one = 1;
  bucket_tensor_t idT, cacheT, posT, logitsT, cacheOut;
  bucket_status_free(bucket_tensor_init(id, BUCKET_ELEMENT_I64, 1, &one, &idT));
  bucket_status_free(
      bucket_tensor_init(cache, BUCKET_ELEMENT_F32, 5, cacheShape, &cacheT));
  bucket_status_free(
      bucket_tensor_init(positions, BUCKET_ELEMENT_I64, 1, &len, &posT));
  bucket_status_free(
      bucket_tensor_init(logits, BUCKET_ELEMENT_F32, 1, vShape, &logitsT));
  cacheOut = cacheT;
  return b_decode_call(&idT, &cacheT, &posT, &logitsT, &cacheOut);
}

static void fail(const char *what, bucket_status_t status) {
  printf("FAILED %s: %s\n", what, bucket_status_message(status));
  bucket_status_free(status);
  ++failures;
}

/* Prefills `prompt` tokens, then decodes up to the capacity. */
static void generate(int64_t prompt, float *cache, float *logits) {
  int64_t ids[CAP + 1], positions[CAP + 1];
  for (int64_t i = 0; i <= CAP; ++i) {
    ids[i] = (i * 37 + 11) % V;
    positions[i] = i;
  }
  char what[64];
  snprintf(what, sizeof what, "prefill P=%lld", (long long)prompt);
  poison(cache, 0);
  bucket_status_t status = callPrefill(ids, prompt, cache, logits);
  if (status)
    return fail(what, status);
  ref_results_t ref;
  memref1_t idsRef = view1(ids, prompt);
  _mlir_ciface_ref_prefill(&ref, &idsRef);
  /* The write window of a prefill is [0, P): the bucket's padded prompt
   * positions must not reach the cache (examples/decoder/README.md). */
  int64_t written = 0;
  for (int64_t p = prompt; p < CAP; ++p)
    written += memcmp(&cache[at(CAP, 0, 0, 0, p, 0)], &kPoison, 4) != 0;
  int ok = !check(what, prompt, prompt, logits, ref.logits.aligned, cache,
                  ref.cache.aligned);
  printf("prefill P=%lld: %s, wrote %lld padded rows past P\n",
         (long long)prompt, ok ? "ok" : "differs", (long long)written);
  int64_t steps = 0, bad = 0;
  for (int64_t len = prompt + 1; len <= CAP; ++len) {
    int64_t token = argmax(ref.logits.aligned);
    poison(cache, len - 1);
    snprintf(what, sizeof what, "decode P=%lld", (long long)prompt);
    if ((status = callDecode(&token, positions, len, cache, logits))) {
      freeRef(&ref);
      return fail(what, status);
    }
    ref_results_t next;
    memref1_t idRef = view1(&token, 1);
    _mlir_ciface_ref_decode(&next, &idRef, &ref.cache);
    freeRef(&ref);
    ref = next;
    bad += check(what, len, len, logits, ref.logits.aligned, cache,
                 ref.cache.aligned);
    ++steps;
  }
  printf("decode P=%lld: %lld steps to len %d, %lld differ\n",
         (long long)prompt, (long long)steps, CAP, (long long)bad);
  freeRef(&ref);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s P1,P2,... [--oor-prompt N]\n", argv[0]);
    return 2;
  }
  size_t cacheSize = (size_t)L * 2 * H * CAP * DH;
  float *cache = malloc(sizeof(float) * cacheSize);
  float *before = malloc(sizeof(float) * cacheSize);
  float logits[V], logitsBefore[V];
  for (char *p = strtok(argv[1], ","); p; p = strtok(NULL, ","))
    generate(atoll(p), cache, logits);

  /* Out of range: one past the capacity, and a prompt past every bucket. */
  int64_t positions[CAP + 1], token = 1;
  for (int64_t i = 0; i <= CAP; ++i)
    positions[i] = i;
  memcpy(before, cache, sizeof(float) * cacheSize);
  memcpy(logitsBefore, logits, sizeof logits);
  expectOutOfRange("decode len=CAP+1",
                   callDecode(&token, positions, CAP + 1, cache, logits), cache,
                   before, logits, logitsBefore);
  if (argc == 4 && !strcmp(argv[2], "--oor-prompt"))
    expectOutOfRange("prefill past the largest bucket",
                     callPrefill(positions, atoll(argv[3]), cache, logits),
                     cache, before, logits, logitsBefore);

  printf("max abs diff: logits %.3g, cache %.3g\n", worstLogit, worstCache);
  printf("decoder-generate: %d failures\n", failures);
  free(cache);
  free(before);
  return failures != 0;
}
