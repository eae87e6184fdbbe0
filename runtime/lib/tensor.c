/*===- tensor.c - Element types, tensor views and descriptors -----*- C -*-===*
 *
 * bucket_tensor_t and what the rest of the runtime needs to check one: the
 * element count (with overflow checks) and row-major strides. Also writes
 * MLIR memref descriptors for tensors.
 *===----------------------------------------------------------------------===*/

#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int64_t bucket_count_elements(const int64_t *shape, int32_t rank) {
  int64_t nonzero = 1;
  int has_zero = 0;
  for (int32_t d = 0; d < rank; ++d) {
    if (shape[d] < 0)
      return -1;
    if (shape[d] == 0) {
      has_zero = 1;
      continue;
    }
    if (nonzero > INT64_MAX / shape[d])
      return -1;
    nonzero *= shape[d];
  }
  return has_zero ? 0 : nonzero;
}

void bucket_contiguous_strides(const int64_t *shape, int32_t rank,
                               int64_t *strides) {
  int64_t stride = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= shape[d];
  }
}

int32_t bucket_find_noncontiguous_dim(const int64_t *shape,
                                      const int64_t *strides, int32_t rank,
                                      int64_t *expected) {
  int64_t want[BUCKET_MAX_RANK];
  bucket_contiguous_strides(shape, rank, want);
  for (int32_t d = 0; d < rank; ++d) {
    if (shape[d] != 1 && strides[d] != want[d]) {
      *expected = want[d];
      return d;
    }
  }
  return -1;
}

size_t bucket_element_size(bucket_element_type_t type) {
  switch (type) {
  case BUCKET_ELEMENT_I1:
  case BUCKET_ELEMENT_I8:
    return 1;
  case BUCKET_ELEMENT_I16:
  case BUCKET_ELEMENT_F16:
  case BUCKET_ELEMENT_BF16:
    return 2;
  case BUCKET_ELEMENT_F32:
  case BUCKET_ELEMENT_I32:
    return 4;
  case BUCKET_ELEMENT_F64:
  case BUCKET_ELEMENT_I64:
    return 8;
  case BUCKET_ELEMENT_TYPE_MAX_ENUM:
    break;
  }
  return 0;
}

const char *bucket_element_type_name(bucket_element_type_t type) {
  switch (type) {
  case BUCKET_ELEMENT_F32:
    return "f32";
  case BUCKET_ELEMENT_F64:
    return "f64";
  case BUCKET_ELEMENT_I1:
    return "i1";
  case BUCKET_ELEMENT_I8:
    return "i8";
  case BUCKET_ELEMENT_I16:
    return "i16";
  case BUCKET_ELEMENT_I32:
    return "i32";
  case BUCKET_ELEMENT_I64:
    return "i64";
  case BUCKET_ELEMENT_F16:
    return "f16";
  case BUCKET_ELEMENT_BF16:
    return "bf16";
  case BUCKET_ELEMENT_TYPE_MAX_ENUM:
    break;
  }
  return "?";
}

bucket_status_t bucket_tensor_init(void *data, bucket_element_type_t type,
                                   int32_t rank, const int64_t *shape,
                                   bucket_tensor_t *out_tensor) {
  if (!out_tensor)
    return INVALID("bucket_tensor_init: out_tensor is NULL");
  if (!bucket_element_size(type))
    return INVALID("bucket_tensor_init: unknown element type %d", (int)type);
  if (!rank_in_range(rank))
    return INVALID("bucket_tensor_init: rank %" PRId32 " is outside [0, %d]",
                   rank, BUCKET_MAX_RANK);
  if (!shape && rank > 0)
    return INVALID("bucket_tensor_init: shape is NULL");
  for (int32_t d = 0; d < rank; ++d)
    if (shape[d] < 0)
      return INVALID("bucket_tensor_init: dimension %" PRId32
                     " has negative size %" PRId64,
                     d, shape[d]);
  if (bucket_count_elements(shape, rank) < 0)
    return INVALID("bucket_tensor_init: the number of elements overflows");

  /* Build in a local so that *out_tensor is untouched on error. Zero sizes
   * are allowed: this only describes memory, and invoke rejects them where
   * they matter. */
  bucket_tensor_t tensor;
  memset(&tensor, 0, sizeof(tensor));
  tensor.data = data;
  tensor.element_type = type;
  tensor.rank = rank;
  for (int32_t d = 0; d < rank; ++d)
    tensor.shape[d] = shape[d];
  bucket_contiguous_strides(tensor.shape, rank, tensor.strides);
  *out_tensor = tensor;
  return NULL;
}

int64_t bucket_tensor_num_elements(const bucket_tensor_t *tensor) {
  if (!tensor || !rank_in_range(tensor->rank))
    return -1;
  return bucket_count_elements(tensor->shape, tensor->rank);
}

void bucket_tensor_release(bucket_tensor_t *tensor) {
  if (!tensor || !tensor->allocation)
    return;
  free(tensor->allocation);
  tensor->allocation = NULL;
  tensor->data = NULL;
}

void bucket_memref_from_tensor(const bucket_tensor_t *tensor, int64_t *desc) {
  if (!tensor || !desc || !rank_in_range(tensor->rank))
    return;
  int32_t rank = tensor->rank;
  desc[0] = (int64_t)(intptr_t)tensor->data; /* allocated */
  desc[1] = (int64_t)(intptr_t)tensor->data; /* aligned */
  desc[2] = 0;                               /* offset */
  for (int32_t d = 0; d < rank; ++d) {
    desc[3 + d] = tensor->shape[d];
    desc[3 + rank + d] = tensor->strides[d];
  }
}
