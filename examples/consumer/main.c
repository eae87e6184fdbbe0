/* consumer: calls a model compiled by bucket_add_model, two ways:
 *  - through its generated header (rows.h: rows_call), linked statically;
 *  - by name from the self-describing shared library (bucket_model_open),
 *    without its header.
 * Prints one line per check and exits non-zero if any fails. */
#include "rows.h"

#include <stdio.h>

static int failures = 0;

static void expect(int ok, const char *what) {
  printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  failures += !ok;
}

/* y = x . [[1, 2], [3, 4]] + 1 for x[b] = {b, 1}. */
static int check_rows(const bucket_tensor_t *y, int64_t batch) {
  const float *data = (const float *)y->data;
  for (int64_t b = 0; b < batch; ++b)
    if (data[2 * b] != (float)b + 3 + 1 || data[2 * b + 1] != 2.0f * b + 4 + 1)
      return 0;
  return y->shape[0] == batch && y->shape[1] == 2;
}

static void run(const char *how, int64_t batch, bucket_model_t *model) {
  float x[2 * 17];
  for (int64_t b = 0; b < batch; ++b) {
    x[2 * b] = (float)b;
    x[2 * b + 1] = 1;
  }
  int64_t shape[2] = {batch, 2};
  bucket_tensor_t arg, y = {0};
  bucket_status_t status =
      bucket_tensor_init(x, BUCKET_ELEMENT_F32, 2, shape, &arg);
  if (!status && model) {
    const bucket_tensor_t *args[] = {&arg};
    bucket_tensor_t *results[] = {&y};
    status = bucket_model_invoke(model, "rows", 1, args, 1, results);
  } else if (!status) {
    status = rows_call(&arg, &y);
  }
  char what[96];
  if (batch > 16) {
    snprintf(what, sizeof(what), "%s: batch %lld is out of range", how,
             (long long)batch);
    expect(bucket_status_code(status) == BUCKET_STATUS_OUT_OF_RANGE, what);
  } else {
    snprintf(what, sizeof(what), "%s: batch %lld", how, (long long)batch);
    expect(!status && check_rows(&y, batch), what);
  }
  bucket_status_free(status);
  bucket_tensor_release(&y);
}

int main(void) {
  static const int64_t sizes[] = {1, 2, 3, 4, 5, 16, 17};
  for (int i = 0; i < 7; ++i)
    run("header", sizes[i], NULL);

  bucket_model_t *model = NULL;
  bucket_status_t status = bucket_model_open(ROWS_LIBRARY, &model);
  expect(!status, "bucket_model_open");
  if (status) {
    printf("  %s\n", bucket_status_message(status));
    bucket_status_free(status);
    return 1;
  }
  const bucket_model_info_t *info = bucket_model_get_info(model);
  expect(info->num_functions == 1 && info->functions[0].num_buckets == 3 &&
             info->functions[0].buckets[2] == 16,
         "the library describes itself: rows, buckets 2, 4, 16");
  for (int i = 0; i < 7; ++i)
    run("by name", sizes[i], model);
  bucket_model_release(model);
  printf("consumer: %d failures\n", failures);
  return failures != 0;
}
