/*===- c_path.c - The example encoder called from C, for test_bucket.py ===*
 *
 *   bucket-python-c-path SEQ OUT
 *
 * Calls `forward` of the encoder library through its generated header
 * (encoder_call) on the deterministic inputs test_bucket.py also builds
 * (ids[i] = (37 i + 11) mod 1000; mask 1, except the last SEQ / 4 positions)
 * and writes the [SEQ, 256] f32 result to OUT, raw. On an error status it
 * prints "<CODE>: <message>" and exits 2.
 *===----------------------------------------------------------------------===*/

#include "encoder.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s SEQ OUT\n", argv[0]);
    return 1;
  }
  int64_t seq = strtoll(argv[1], NULL, 10);
  if (seq <= 0) {
    fprintf(stderr, "bad SEQ '%s'\n", argv[1]);
    return 1;
  }
  int64_t *ids = (int64_t *)malloc((size_t)seq * sizeof(int64_t));
  int64_t *mask = (int64_t *)malloc((size_t)seq * sizeof(int64_t));
  if (!ids || !mask)
    return 1;
  for (int64_t i = 0; i < seq; ++i) {
    ids[i] = (37 * i + 11) % 1000;
    mask[i] = i < seq - seq / 4 ? 1 : 0;
  }
  bucket_tensor_t ids_tensor, mask_tensor, result = {0};
  bucket_status_t status =
      bucket_tensor_init(ids, BUCKET_ELEMENT_I64, 1, &seq, &ids_tensor);
  if (!status)
    status =
        bucket_tensor_init(mask, BUCKET_ELEMENT_I64, 1, &seq, &mask_tensor);
  if (!status)
    status = forward_call(&ids_tensor, &mask_tensor, &result);
  if (status) {
    printf("%s: %s\n", bucket_status_code_name(bucket_status_code(status)),
           bucket_status_message(status));
    bucket_status_free(status);
    return 2;
  }
  FILE *out = fopen(argv[2], "wb");
  int64_t n = bucket_tensor_num_elements(&result);
  int ok = out && result.strides[1] == 1 && result.strides[0] == 256 &&
           fwrite(result.data, sizeof(float), (size_t)n, out) == (size_t)n;
  if (out)
    fclose(out);
  bucket_tensor_release(&result);
  free(ids);
  free(mask);
  return ok ? 0 : 1;
}
