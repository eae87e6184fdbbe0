/* cross-run.c: calls the MLP of mlp.mlir through its generated header
 * (mlp.h, model name "mlp", buckets batch = 2, 4, 16) at every batch 1..16
 * and at 17, out of range; see cross-aarch64.test. The same source is built
 * for the host and for the cross target, each with its own object:
 *
 *   cross-run          prints every result exactly (hexadecimal floats), one
 *                      line per batch: the reference
 *   cross-run REF      compares every result with REF, the output of a
 *                      reference run, within |got - ref| <= 1e-6 + 1e-5 |ref|
 *                      (another target may order or fuse operations
 *                      differently); prints one line per batch and a summary
 *
 * Exits non-zero if a call fails or anything differs.
 */
#include "mlp.h" /* generated: mlp_call */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxBatch = 16, kIn = 16, kOut = 8 };

/* Deterministic inputs, exact in binary:
 * x[b][k] = ((7 b + 3 k) mod 23 - 11) / 8. */
static void fill_x(float *x, int64_t batch) {
  for (int64_t b = 0; b < batch; ++b)
    for (int k = 0; k < kIn; ++k)
      x[b * kIn + k] = (float)((7 * b + 3 * k) % 23 - 11) / 8.0f;
}

/* Runs batch `batch` into `y` (batch x kOut, row-major). */
static bucket_status_t run(int64_t batch, float *y) {
  float x_data[(kMaxBatch + 1) * kIn];
  fill_x(x_data, batch);
  int64_t x_shape[2] = {batch, kIn}, y_shape[2] = {batch, kOut};
  bucket_tensor_t x, out;
  bucket_status_t status =
      bucket_tensor_init(x_data, BUCKET_ELEMENT_F32, 2, x_shape, &x);
  if (!status)
    status = bucket_tensor_init(y, BUCKET_ELEMENT_F32, 2, y_shape, &out);
  if (!status)
    status = mlp_call(&x, &out);
  return status;
}

int main(int argc, char **argv) {
  FILE *ref = NULL;
  if (argc > 1 && !(ref = fopen(argv[1], "r"))) {
    printf("cannot open %s\n", argv[1]);
    return 1;
  }
  int matched = 0, failed = 0;
  for (int64_t batch = 1; batch <= kMaxBatch; ++batch) {
    float y[kMaxBatch * kOut];
    bucket_status_t status = run(batch, y);
    if (status) {
      printf("batch %lld: FAILED %s\n", (long long)batch,
             bucket_status_message(status));
      bucket_status_free(status);
      ++failed;
      continue;
    }
    if (!ref) {
      printf("batch %lld:", (long long)batch);
      for (int64_t i = 0; i < batch * kOut; ++i)
        printf(" %a", y[i]);
      printf("\n");
      continue;
    }
    long long refBatch = -1;
    if (fscanf(ref, " batch %lld:", &refBatch) != 1 || refBatch != batch) {
      printf("batch %lld: MISMATCH, not in the reference\n", (long long)batch);
      ++failed;
      continue;
    }
    double worst = 0;
    int64_t bad = -1;
    float expected = 0;
    for (int64_t i = 0; i < batch * kOut; ++i) {
      float r;
      if (fscanf(ref, " %a", &r) != 1) {
        bad = i;
        expected = NAN;
        break;
      }
      double diff = fabs((double)y[i] - (double)r);
      if (!(diff <= 1e-6 + 1e-5 * fabs((double)r)) && bad < 0) {
        bad = i;
        expected = r;
      }
      if (diff > worst)
        worst = diff;
    }
    if (bad >= 0) {
      printf("batch %lld: MISMATCH at %lld: reference %a, got %a\n",
             (long long)batch, (long long)bad, expected, y[bad]);
      ++failed;
    } else {
      printf("batch %lld: match (max difference %g)\n", (long long)batch,
             worst);
      ++matched;
    }
  }

  /* One past the largest bucket: an error status, not a result. */
  float y[(kMaxBatch + 1) * kOut];
  bucket_status_t status = run(kMaxBatch + 1, y);
  printf("batch %d: %s\n", kMaxBatch + 1,
         bucket_status_code_name(bucket_status_code(status)));
  if (bucket_status_code(status) != BUCKET_STATUS_OUT_OF_RANGE)
    ++failed;
  bucket_status_free(status);

  if (ref) {
    printf("cross-run: %d batches match, %d failed\n", matched, failed);
    fclose(ref);
  }
  return failed ? 1 : 0;
}
