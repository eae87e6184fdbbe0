/* header-call.c: calls a bucketed function through the header that
 * `bucket-compile --header` generates (see header-call.test), with runtime
 * tensors, and checks the results against a plain C computation of the same
 * model (Inputs/tiny_model.mlir):
 *
 *   y = (x * g) . W + bias         x: [batch, 4], g: [4], y: [batch, 3]
 *
 * compiled with buckets batch = 2, 4, 16. Prints one line per check for
 * FileCheck; exits non-zero if any check fails.
 */
#include "tiny.h" /* generated: scale_rows_call, scale_rows_info, tiny_model */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const float W[4][3] = {{0.5f, -1.0f, 0.25f},
                              {2.0f, 0.75f, -0.5f},
                              {-1.5f, 0.125f, 1.0f},
                              {0.0625f, -2.0f, 0.375f}};
static const float BIAS[3] = {0.1f, -0.2f, 0.3f};

static int failures = 0;

static void expect(int ok, const char *what) {
  if (!ok) {
    ++failures;
    printf("FAILED: %s\n", what);
  }
}

/* The reference, in the same operation order as the module. */
static void reference(const float *x, const float *g, int64_t batch, float *y) {
  for (int64_t b = 0; b < batch; ++b)
    for (int j = 0; j < 3; ++j) {
      float acc = BIAS[j];
      for (int k = 0; k < 4; ++k)
        acc += (x[b * 4 + k] * g[k]) * W[k][j];
      y[b * 3 + j] = acc;
    }
}

/* Deterministic inputs: x[b][k] = ((7 b + 3 k) mod 11 - 5) / 4. */
static void fill_x(float *x, int64_t batch) {
  for (int64_t b = 0; b < batch; ++b)
    for (int k = 0; k < 4; ++k)
      x[b * 4 + k] = (float)((7 * b + 3 * k) % 11 - 5) / 4.0f;
}

static const float G[4] = {1.0f, -0.5f, 2.0f, 0.25f};

/* Largest |y - ref| over a row-major batch x 3 result (strides honoured). */
static double max_error(const bucket_tensor_t *y, const float *ref,
                        int64_t batch) {
  double worst = 0;
  const float *data = (const float *)y->data;
  for (int64_t b = 0; b < batch; ++b)
    for (int j = 0; j < 3; ++j) {
      double d = fabs((double)data[b * y->strides[0] + j * y->strides[1]] -
                      (double)ref[b * 3 + j]);
      if (!(d <= worst)) /* also catches NaN */
        worst = d;
    }
  return worst;
}

/* Prints "<label>: <CODE> <message>" and frees the status. */
static bucket_status_code_t report(const char *label, bucket_status_t status) {
  bucket_status_code_t code = bucket_status_code(status);
  printf("%s: %s %s\n", label, bucket_status_code_name(code),
         bucket_status_message(status));
  bucket_status_free(status);
  return code;
}

int main(void) {
  bucket_status_t status;

  /* Introspection through the generated descriptions. */
  const bucket_function_info_t *fn =
      bucket_model_find_function(&tiny_model, "scale_rows");
  expect(fn != NULL, "find scale_rows");
  if (!fn)
    return 1;
  printf("info: %s args=%d results=%d dims=%d dim0=%s buckets=%d\n", fn->name,
         fn->num_args, fn->num_results, fn->num_dims, fn->dim_names[0],
         fn->num_buckets);
  static const int64_t probes[] = {1, 2, 3, 4, 5, 16, 17};
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; ++i) {
    int64_t batch = probes[i];
    int32_t bucket = -1;
    status = bucket_function_select(fn, &batch, &bucket);
    if (status)
      report("select", status);
    else
      printf("select: batch=%lld -> bucket %d (size %lld)\n", (long long)batch,
             bucket, (long long)fn->buckets[bucket]);
  }

  int64_t g_shape[1] = {4};
  bucket_tensor_t g;
  status = bucket_tensor_init((void *)G, BUCKET_ELEMENT_F32, 1, g_shape, &g);
  expect(status == NULL, "init g");
  bucket_status_free(status);

  /* 1. Every in-range batch, runtime-allocated result. */
  {
    int ok = 1;
    double worst = 0;
    for (int64_t batch = 1; batch <= 16; ++batch) {
      float x_data[16 * 4], ref[16 * 3];
      fill_x(x_data, batch);
      reference(x_data, G, batch, ref);
      int64_t x_shape[2] = {batch, 4};
      bucket_tensor_t x, y;
      memset(&y, 0, sizeof y); /* data == NULL: the runtime allocates */
      status = bucket_tensor_init(x_data, BUCKET_ELEMENT_F32, 2, x_shape, &x);
      if (!status)
        status = scale_rows_call(&x, &g, &y);
      if (status) {
        char label[64];
        snprintf(label, sizeof label, "alloc batch=%lld", (long long)batch);
        report(label, status);
        ok = 0;
        continue;
      }
      if (y.rank != 2 || y.shape[0] != batch || y.shape[1] != 3 ||
          y.element_type != BUCKET_ELEMENT_F32 || y.allocation == NULL) {
        printf("alloc batch=%lld: bad result rank=%d shape=[%lld,%lld]\n",
               (long long)batch, y.rank, (long long)y.shape[0],
               (long long)y.shape[1]);
        ok = 0;
      } else {
        double e = max_error(&y, ref, batch);
        if (!(e <= worst))
          worst = e;
      }
      bucket_tensor_release(&y);
      expect(y.data == NULL && y.allocation == NULL, "release clears");
    }
    int match = ok && worst <= 1e-5;
    printf("alloc: batches 1..16 %s (max error %g)\n",
           match ? "match" : "MISMATCH", worst);
    expect(match, "runtime-allocated results match the C reference");
  }

  /* 2. Caller-supplied result buffer, at the largest bucket (batch 16) and
   * at a padded shape (batch 3). */
  for (int64_t batch = 3; batch <= 16; batch += 13) {
    float x_data[16 * 4], ref[16 * 3], out[16 * 3];
    fill_x(x_data, batch);
    reference(x_data, G, batch, ref);
    for (int i = 0; i < 16 * 3; ++i)
      out[i] = NAN;
    int64_t x_shape[2] = {batch, 4}, y_shape[2] = {batch, 3};
    bucket_tensor_t x, y;
    status = bucket_tensor_init(x_data, BUCKET_ELEMENT_F32, 2, x_shape, &x);
    if (!status)
      status = bucket_tensor_init(out, BUCKET_ELEMENT_F32, 2, y_shape, &y);
    if (!status)
      status = scale_rows_call(&x, &g, &y);
    if (status) {
      report("caller", status);
      expect(0, "caller-supplied buffer call");
      continue;
    }
    double e = max_error(&y, ref, batch);
    int untouched = 1; /* nothing written past the result */
    for (int64_t i = batch * 3; i < 16 * 3; ++i)
      untouched = untouched && isnan(out[i]);
    printf("caller: batch=%lld %s, allocation %s, tail %s\n", (long long)batch,
           e <= 1e-5 ? "match" : "MISMATCH", y.allocation ? "set" : "null",
           untouched ? "untouched" : "WRITTEN");
    expect(e <= 1e-5 && y.data == out && !y.allocation && untouched,
           "caller-supplied buffer");
  }

  /* 3. Out of range: batch 17 > 16. The result must be left untouched. */
  {
    float x_data[17 * 4];
    fill_x(x_data, 17);
    int64_t x_shape[2] = {17, 4};
    bucket_tensor_t x, y;
    memset(&y, 0, sizeof y);
    status = bucket_tensor_init(x_data, BUCKET_ELEMENT_F32, 2, x_shape, &x);
    expect(status == NULL, "init x(17)");
    bucket_status_free(status);
    bucket_status_code_t code = report("oor", scale_rows_call(&x, &g, &y));
    expect(code == BUCKET_STATUS_OUT_OF_RANGE, "out of range code");
    expect(y.data == NULL && y.allocation == NULL, "oor result untouched");
  }

  /* 4. Bad inputs: INVALID_ARGUMENT, never a crash. */
  {
    float x_data[3 * 5] = {0};
    fill_x(x_data, 3);
    int64_t x_shape[2] = {3, 4};
    bucket_tensor_t x, y;
    memset(&y, 0, sizeof y);
    status = bucket_tensor_init(x_data, BUCKET_ELEMENT_F32, 2, x_shape, &x);
    expect(status == NULL, "init x(3)");
    bucket_status_free(status);

    expect(report("null arg", scale_rows_call(NULL, &g, &y)) ==
               BUCKET_STATUS_INVALID_ARGUMENT,
           "null arg");
    expect(report("null result", scale_rows_call(&x, &g, NULL)) ==
               BUCKET_STATUS_INVALID_ARGUMENT,
           "null result");

    bucket_tensor_t flat;
    int64_t flat_shape[1] = {12};
    status =
        bucket_tensor_init(x_data, BUCKET_ELEMENT_F32, 1, flat_shape, &flat);
    bucket_status_free(status);
    expect(report("wrong rank", scale_rows_call(&flat, &g, &y)) ==
               BUCKET_STATUS_INVALID_ARGUMENT,
           "wrong rank");

    bucket_tensor_t wide;
    int64_t wide_shape[2] = {3, 5};
    status =
        bucket_tensor_init(x_data, BUCKET_ELEMENT_F32, 2, wide_shape, &wide);
    bucket_status_free(status);
    expect(report("wrong static size", scale_rows_call(&wide, &g, &y)) ==
               BUCKET_STATUS_INVALID_ARGUMENT,
           "wrong static size");

    bucket_tensor_t as_int = x;
    as_int.element_type = BUCKET_ELEMENT_I32;
    expect(report("wrong type", scale_rows_call(&as_int, &g, &y)) ==
               BUCKET_STATUS_INVALID_ARGUMENT,
           "wrong type");

    bucket_tensor_t null_data = x;
    null_data.data = NULL;
    expect(report("null data", scale_rows_call(&null_data, &g, &y)) ==
               BUCKET_STATUS_INVALID_ARGUMENT,
           "null data");

    float small[2 * 3];
    int64_t small_shape[2] = {2, 3};
    bucket_tensor_t wrong_out;
    for (int i = 0; i < 6; ++i)
      small[i] = 42.0f;
    status = bucket_tensor_init(small, BUCKET_ELEMENT_F32, 2, small_shape,
                                &wrong_out);
    bucket_status_free(status);
    expect(report("wrong result shape", scale_rows_call(&x, &g, &wrong_out)) ==
               BUCKET_STATUS_INVALID_ARGUMENT,
           "wrong result shape");
    int kept = 1;
    for (int i = 0; i < 6; ++i)
      kept = kept && small[i] == 42.0f;
    printf("wrong result shape: buffer %s\n", kept ? "untouched" : "WRITTEN");
    expect(kept, "wrong-shape buffer untouched");
    expect(y.data == NULL && y.allocation == NULL,
           "bad-input result untouched");
  }

  printf("header-call: %d failures\n", failures);
  return failures ? 1 : 0;
}
