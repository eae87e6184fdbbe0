/*===- runtime.c - C runtime for bucketed objects -----------------*- C -*-===*
 *
 * Implements bucket/runtime.h: statuses, tensor views, argument validation,
 * bucket selection, the generic invoke path that calls a generated trampoline
 * and delivers its results, and the thread-local out-of-range record that
 * generated dispatchers write.
 *
 * Nothing in here aborts: every problem becomes a status. Messages name the
 * compiled function first so that an application juggling several functions
 * can tell which call failed.
 *===----------------------------------------------------------------------===*/

/* malloc_usable_size (glibc) and POSIX threads for the buffer cache. */
#define _GNU_SOURCE 1

#include "bucket/runtime.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* MLIR memref descriptors mix pointers and 64-bit indices; the runtime builds
 * them as arrays of 64-bit words, which only matches on 64-bit targets. */
_Static_assert(sizeof(void *) == sizeof(int64_t),
               "the bucket runtime requires 64-bit pointers");

/*===----------------------------------------------------------------------===*
 * Status
 *===----------------------------------------------------------------------===*/

struct bucket_status_impl_t {
  bucket_status_code_t code;
  const char *message; /* Points just past the struct, or at a literal. */
};

/* Returned when a status itself cannot be allocated; never freed. */
static struct bucket_status_impl_t out_of_memory_status = {
    BUCKET_STATUS_RESOURCE_EXHAUSTED, "out of memory while reporting an error"};

bucket_status_t bucket_status_make(bucket_status_code_t code,
                                   const char *format, ...) {
  /* A non-NULL status must never read as success, or callers that test
   * `if (status)` and callers that test the code would disagree. */
  if ((int)code <= (int)BUCKET_STATUS_OK ||
      (int)code > (int)BUCKET_STATUS_INTERNAL)
    code = BUCKET_STATUS_INTERNAL;
  if (!format)
    format = "";

  va_list ap, ap_copy;
  va_start(ap, format);
  va_copy(ap_copy, ap);
  int length = vsnprintf(NULL, 0, format, ap);
  va_end(ap);
  if (length < 0)
    length = 0; /* Encoding error: keep the code, drop the message. */

  struct bucket_status_impl_t *status =
      malloc(sizeof(*status) + (size_t)length + 1);
  if (!status) {
    va_end(ap_copy);
    return &out_of_memory_status;
  }
  char *text = (char *)(status + 1);
  if (vsnprintf(text, (size_t)length + 1, format, ap_copy) < 0)
    text[0] = '\0';
  va_end(ap_copy);
  status->code = code;
  status->message = text;
  return status;
}

bucket_status_code_t bucket_status_code(bucket_status_t status) {
  return status ? status->code : BUCKET_STATUS_OK;
}

const char *bucket_status_message(bucket_status_t status) {
  return status ? status->message : "";
}

const char *bucket_status_code_name(bucket_status_code_t code) {
  /* No default label, so the compiler flags a newly added code. */
  switch (code) {
  case BUCKET_STATUS_OK:
    return "OK";
  case BUCKET_STATUS_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case BUCKET_STATUS_OUT_OF_RANGE:
    return "OUT_OF_RANGE";
  case BUCKET_STATUS_RESOURCE_EXHAUSTED:
    return "RESOURCE_EXHAUSTED";
  case BUCKET_STATUS_INTERNAL:
    return "INTERNAL";
  }
  return "UNKNOWN";
}

void bucket_status_free(bucket_status_t status) {
  if (status && status != &out_of_memory_status)
    free(status);
}

/*===----------------------------------------------------------------------===*
 * Small helpers
 *===----------------------------------------------------------------------===*/

/* Shorthand: every message below is built with bucket_status_make. */
#define INVALID(...)                                                           \
  bucket_status_make(BUCKET_STATUS_INVALID_ARGUMENT, __VA_ARGS__)
#define INTERNAL(...) bucket_status_make(BUCKET_STATUS_INTERNAL, __VA_ARGS__)

/* A bounded text buffer for messages that list shapes or dimensions.
 * Overlong text is truncated rather than failing the error path. */
typedef struct text_t {
  char text[512];
  size_t length;
} text_t;

#if defined(__GNUC__)
#define PRINTF_LIKE(format_index, first_arg)                                   \
  __attribute__((format(printf, format_index, first_arg)))
#else
#define PRINTF_LIKE(format_index, first_arg)
#endif

static void text_append(text_t *buffer, const char *format, ...)
    PRINTF_LIKE(2, 3);
static void text_append(text_t *buffer, const char *format, ...) {
  size_t room = sizeof(buffer->text) - buffer->length;
  if (room <= 1)
    return;
  va_list ap;
  va_start(ap, format);
  int written = vsnprintf(buffer->text + buffer->length, room, format, ap);
  va_end(ap);
  if (written > 0)
    buffer->length += (size_t)written < room ? (size_t)written : room - 1;
}

/* "[2, 3]" */
static void text_shape(text_t *buffer, const int64_t *shape, int32_t rank) {
  text_append(buffer, "[");
  for (int32_t d = 0; d < rank; ++d)
    text_append(buffer, "%s%" PRId64, d ? ", " : "", shape[d]);
  text_append(buffer, "]");
}

static const char *function_name(const bucket_function_info_t *fn) {
  return fn->name ? fn->name : "<unnamed>";
}

static const char *dim_name(const bucket_function_info_t *fn, int32_t dim) {
  if (fn->dim_names && dim >= 0 && dim < fn->num_dims && fn->dim_names[dim])
    return fn->dim_names[dim];
  return "?";
}

static int rank_in_range(int32_t rank) {
  return rank >= 0 && rank <= BUCKET_MAX_RANK;
}

/* The number of elements, or -1 for a negative size or when the product of
 * the non-zero sizes overflows. Bounding the non-zero product (not just the
 * total) also bounds every suffix product, which the stride code relies on. */
static int64_t count_elements(const int64_t *shape, int32_t rank) {
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

/* Writes row-major strides for `shape` (validated by count_elements). */
static void contiguous_strides(const int64_t *shape, int32_t rank,
                               int64_t *strides) {
  int64_t stride = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= shape[d];
  }
}

/* Returns -1 if `strides` are row-major for `shape` (validated by
 * count_elements), else the first offending dimension with the stride it
 * should have in *expected. A size-1 dimension is never indexed by anything
 * but 0, so its stride cannot matter and is not checked. */
static int32_t find_noncontiguous_dim(const int64_t *shape,
                                      const int64_t *strides, int32_t rank,
                                      int64_t *expected) {
  int64_t want[BUCKET_MAX_RANK];
  contiguous_strides(shape, rank, want);
  for (int32_t d = 0; d < rank; ++d) {
    if (shape[d] != 1 && strides[d] != want[d]) {
      *expected = want[d];
      return d;
    }
  }
  return -1;
}

/*===----------------------------------------------------------------------===*
 * Tensors
 *===----------------------------------------------------------------------===*/

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
  if (count_elements(shape, rank) < 0)
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
  contiguous_strides(tensor.shape, rank, tensor.strides);
  *out_tensor = tensor;
  return NULL;
}

int64_t bucket_tensor_num_elements(const bucket_tensor_t *tensor) {
  if (!tensor || !rank_in_range(tensor->rank))
    return -1;
  return count_elements(tensor->shape, tensor->rank);
}

void bucket_tensor_release(bucket_tensor_t *tensor) {
  if (!tensor || !tensor->allocation)
    return;
  free(tensor->allocation);
  tensor->allocation = NULL;
  tensor->data = NULL;
}

/*===----------------------------------------------------------------------===*
 * Function descriptions, argument checking and bucket selection
 *===----------------------------------------------------------------------===*/

const bucket_function_info_t *
bucket_model_find_function(const bucket_model_info_t *model, const char *name) {
  if (!model || !name || !model->functions)
    return NULL;
  for (int32_t i = 0; i < model->num_functions; ++i) {
    const bucket_function_info_t *fn = &model->functions[i];
    if (fn->name && !strcmp(fn->name, name))
      return fn;
  }
  return NULL;
}

static bucket_status_t check_value_info(const bucket_function_info_t *fn,
                                        const char *kind, int32_t index,
                                        const bucket_value_info_t *info,
                                        int is_arg) {
  const char *name = function_name(fn);
  if (!rank_in_range(info->rank))
    return INTERNAL("%s: malformed function info: %s %" PRId32
                    " has rank %" PRId32,
                    name, kind, index, info->rank);
  if (!bucket_element_size(info->element_type))
    return INTERNAL("%s: malformed function info: %s %" PRId32
                    " has unknown element type %d",
                    name, kind, index, (int)info->element_type);
  for (int32_t d = 0; is_arg && d < info->rank; ++d)
    if (info->shape[d] < 0 &&
        (info->dim_ids[d] < -1 || info->dim_ids[d] >= fn->num_dims))
      return INTERNAL("%s: malformed function info: %s %" PRId32
                      " dimension %" PRId32
                      " has symbolic dimension id %" PRId32,
                      name, kind, index, d, info->dim_ids[d]);
  return NULL;
}

/* The tables come from generated headers, so a problem here is a compiler
 * bug (INTERNAL), but it must still not crash the application. */
static bucket_status_t check_function_info(const bucket_function_info_t *fn) {
  const char *name = function_name(fn);
  if (fn->num_args < 0 || fn->num_results < 0 || fn->num_dims < 0 ||
      fn->num_buckets < 0)
    return INTERNAL("%s: malformed function info: negative count", name);
  if ((fn->num_args > 0 && !fn->args) ||
      (fn->num_results > 0 && !fn->results) ||
      (fn->num_buckets > 0 && fn->num_dims > 0 && !fn->buckets))
    return INTERNAL("%s: malformed function info: missing table", name);
  for (int32_t i = 0; i < fn->num_args; ++i) {
    bucket_status_t status =
        check_value_info(fn, "argument", i, &fn->args[i], 1);
    if (status)
      return status;
  }
  for (int32_t i = 0; i < fn->num_results; ++i) {
    bucket_status_t status =
        check_value_info(fn, "result", i, &fn->results[i], 0);
    if (status)
      return status;
  }
  return NULL;
}

/* The first argument dimension bound to symbolic dimension `dim`, for the
 * "is X in argument A but Y in argument B" message. */
static int32_t first_binding_arg(const bucket_function_info_t *fn,
                                 int32_t dim) {
  for (int32_t i = 0; i < fn->num_args; ++i)
    for (int32_t d = 0; d < fn->args[i].rank; ++d)
      if (fn->args[i].shape[d] < 0 && fn->args[i].dim_ids[d] == dim)
        return i;
  return -1;
}

static bucket_status_t check_arg(const bucket_function_info_t *fn,
                                 const bucket_tensor_t *const *args, int32_t i,
                                 int64_t *dims) {
  const char *name = function_name(fn);
  const bucket_value_info_t *info = &fn->args[i];
  const bucket_tensor_t *tensor = args[i];
  if (!tensor)
    return INVALID("%s: argument %" PRId32 " is NULL", name, i);
  if (!tensor->data)
    return INVALID("%s: argument %" PRId32 " has no data (data is NULL)", name,
                   i);
  if (!rank_in_range(tensor->rank))
    return INVALID("%s: argument %" PRId32 " has rank %" PRId32
                   ", outside [0, %d]",
                   name, i, tensor->rank, BUCKET_MAX_RANK);
  if (tensor->rank != info->rank)
    return INVALID("%s: argument %" PRId32 " has rank %" PRId32
                   ", expected %" PRId32,
                   name, i, tensor->rank, info->rank);
  if (tensor->element_type != info->element_type)
    return INVALID("%s: argument %" PRId32 " has element type %s, expected %s",
                   name, i, bucket_element_type_name(tensor->element_type),
                   bucket_element_type_name(info->element_type));

  for (int32_t d = 0; d < info->rank; ++d) {
    int64_t size = tensor->shape[d];
    if (size <= 0)
      return INVALID("%s: argument %" PRId32 " has size %" PRId64
                     " in dimension %" PRId32 "; sizes must be positive",
                     name, i, size, d);
    if (info->shape[d] >= 0) {
      if (size != info->shape[d])
        return INVALID("%s: argument %" PRId32 " has size %" PRId64
                       " in dimension %" PRId32 ", expected %" PRId64,
                       name, i, size, d, info->shape[d]);
      continue;
    }
    int32_t dim = info->dim_ids[d];
    if (dim < 0)
      continue; /* Dynamic but not bucketed: any positive size. */
    if (dims[dim] == 0) {
      dims[dim] = size;
    } else if (dims[dim] != size) {
      return INVALID("%s: dimension '%s' is %" PRId64 " in argument %" PRId32
                     " but %" PRId64 " in argument %" PRId32,
                     name, dim_name(fn, dim), dims[dim],
                     first_binding_arg(fn, dim), size, i);
    }
  }

  if (count_elements(tensor->shape, tensor->rank) < 0)
    return INVALID("%s: argument %" PRId32 " has too many elements", name, i);
  int64_t expected = 0;
  int32_t bad = find_noncontiguous_dim(tensor->shape, tensor->strides,
                                       tensor->rank, &expected);
  if (bad >= 0)
    return INVALID("%s: argument %" PRId32
                   " is not contiguous: dimension %" PRId32
                   " has stride %" PRId64 ", expected %" PRId64
                   " (inputs must be row-major)",
                   name, i, bad, tensor->strides[bad], expected);
  return NULL;
}

bucket_status_t bucket_function_check_args(const bucket_function_info_t *fn,
                                           const bucket_tensor_t *const *args,
                                           int64_t *out_dims) {
  if (!fn)
    return INVALID("bucket_function_check_args: fn is NULL");
  bucket_status_t status = check_function_info(fn);
  if (status)
    return status;
  const char *name = function_name(fn);
  if (!args && fn->num_args > 0)
    return INVALID("%s: the argument array is NULL", name);
  if (!out_dims && fn->num_dims > 0)
    return INVALID("%s: out_dims is NULL", name);

  /* 0 marks "not bound yet"; bound values are always positive. */
  for (int32_t k = 0; k < fn->num_dims; ++k)
    out_dims[k] = 0;
  for (int32_t i = 0; i < fn->num_args; ++i)
    if ((status = check_arg(fn, args, i, out_dims)))
      return status;
  for (int32_t k = 0; k < fn->num_dims; ++k)
    if (out_dims[k] == 0)
      return INTERNAL("%s: malformed function info: symbolic dimension '%s' "
                      "is not bound by any argument",
                      name, dim_name(fn, k));
  return NULL;
}

/* The OUT_OF_RANGE status for `dims`, which fit no bucket. `dim` >= 0 names a
 * dimension that is larger than every bucket (with its value and the largest
 * size); -1 means each fits some bucket but none fits all of them. */
static bucket_status_t out_of_range_status(const bucket_function_info_t *fn,
                                           const int64_t *dims, int64_t dim,
                                           int64_t value, int64_t max_size) {
  const char *name = function_name(fn);
  if (fn->num_buckets == 0)
    return bucket_status_make(BUCKET_STATUS_OUT_OF_RANGE,
                              "%s: the function has no buckets", name);
  if (dim >= 0 && dim < fn->num_dims)
    return bucket_status_make(BUCKET_STATUS_OUT_OF_RANGE,
                              "%s: dimension '%s' = %" PRId64
                              " exceeds the largest bucket size %" PRId64,
                              name, dim_name(fn, (int32_t)dim), value,
                              max_size);
  text_t list = {{0}, 0};
  for (int32_t k = 0; k < fn->num_dims; ++k)
    text_append(&list, "%s%s=%" PRId64, k ? ", " : "", dim_name(fn, k),
                dims[k]);
  return bucket_status_make(BUCKET_STATUS_OUT_OF_RANGE,
                            "%s: no bucket fits (%s)", name, list.text);
}

bucket_status_t bucket_function_select(const bucket_function_info_t *fn,
                                       const int64_t *dims,
                                       int32_t *out_bucket) {
  if (!fn)
    return INVALID("bucket_function_select: fn is NULL");
  bucket_status_t status = check_function_info(fn);
  if (status)
    return status;
  const char *name = function_name(fn);
  if (!dims && fn->num_dims > 0)
    return INVALID("%s: dims is NULL", name);
  if (!out_bucket)
    return INVALID("%s: out_bucket is NULL", name);
  for (int32_t k = 0; k < fn->num_dims; ++k)
    if (dims[k] <= 0)
      return INVALID("%s: dimension '%s' = %" PRId64 " is not positive", name,
                     dim_name(fn, k), dims[k]);

  for (int32_t b = 0; b < fn->num_buckets; ++b) {
    const int64_t *row = fn->buckets + (size_t)b * (size_t)fn->num_dims;
    int32_t k = 0;
    while (k < fn->num_dims && row[k] >= dims[k])
      ++k;
    if (k == fn->num_dims) {
      *out_bucket = b;
      return NULL;
    }
  }

  /* Nothing fits. Blame the first dimension that no bucket can hold. */
  for (int32_t k = 0; k < fn->num_dims && fn->num_buckets > 0; ++k) {
    int64_t max_size = fn->buckets[k];
    for (int32_t b = 1; b < fn->num_buckets; ++b) {
      int64_t size = fn->buckets[(size_t)b * (size_t)fn->num_dims + (size_t)k];
      if (size > max_size)
        max_size = size;
    }
    if (dims[k] > max_size)
      return out_of_range_status(fn, dims, k, dims[k], max_size);
  }
  return out_of_range_status(fn, dims, -1, 0, 0);
}

/*===----------------------------------------------------------------------===*
 * MLIR memref descriptors and the out-of-range record
 *===----------------------------------------------------------------------===*/

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

static _Thread_local int out_of_range_pending;
static _Thread_local bucket_out_of_range_t out_of_range_record;

void bucket_rt_report_out_of_range(int64_t dim, int64_t value,
                                   int64_t max_size) {
  out_of_range_record.dim = dim;
  out_of_range_record.value = value;
  out_of_range_record.max_size = max_size;
  out_of_range_pending = 1;
}

int bucket_take_out_of_range(bucket_out_of_range_t *out_record) {
  if (!out_of_range_pending)
    return 0;
  if (out_record)
    *out_record = out_of_range_record;
  out_of_range_pending = 0;
  return 1;
}

static _Thread_local int self_check_pending;
static _Thread_local bucket_self_check_t self_check_record;
static _Atomic uint64_t self_check_total;

void bucket_rt_report_self_check(int64_t bucket, int64_t other, int64_t result,
                                 double max_abs_diff) {
  self_check_record.bucket = bucket;
  self_check_record.other = other;
  self_check_record.result = result;
  self_check_record.max_abs_diff = max_abs_diff;
  self_check_pending = 1;
  self_check_total++;
  if (!getenv("BUCKET_SELF_CHECK_QUIET"))
    fprintf(stderr,
            "bucket self-check: result %" PRId64 " of bucket %" PRId64
            " differs from %s%" PRId64 " by up to %g\n",
            result, bucket, other < 0 ? "the fallback " : "bucket ",
            other < 0 ? (int64_t)0 : other, max_abs_diff);
}

int bucket_take_self_check(bucket_self_check_t *out_record) {
  if (!self_check_pending)
    return 0;
  if (out_record)
    *out_record = self_check_record;
  self_check_pending = 0;
  return 1;
}

uint64_t bucket_self_check_count(void) { return self_check_total; }

/* Whether some policy lets the dispatcher take a shape beyond the buckets. */
static int takes_out_of_range(const bucket_function_info_t *fn) {
  if (!fn->out_of_range)
    return 0;
  for (int32_t k = 0; k < fn->num_dims; ++k)
    if (fn->out_of_range[k] != BUCKET_OUT_OF_RANGE_ERROR)
      return 1;
  return 0;
}

/*===----------------------------------------------------------------------===*
 * Invoke
 *===----------------------------------------------------------------------===*/

/* MLIR lowers memref.get_global to a descriptor whose allocated pointer is
 * this sentinel; such a buffer is static and must never be freed. */
#define MLIR_GLOBAL_ALLOCATED ((intptr_t)0xdeadbeef)

/* What invoke knows about one result while delivering it. */
typedef struct result_state_t {
  const int64_t *desc;
  void *allocated; /* From the descriptor. */
  int owned;       /* This call must free `allocated` (or hand it over). */
  int handed_over; /* `allocated` now belongs to the caller's tensor. */
  void *copy;      /* Fresh storage for a result we may not hand over. */
  int64_t count;   /* Number of elements. */
} result_state_t;

/* Copies a strided view into contiguous `dst`. Strides come from generated
 * code and are normally row-major already (one memcpy), but the descriptor
 * allows anything, including views of larger buffers. */
static void copy_strided(char *dst, const char *src, int32_t rank,
                         const int64_t *sizes, const int64_t *strides,
                         size_t element_size, int64_t count) {
  int64_t unused;
  if (count == 0)
    return;
  if (find_noncontiguous_dim(sizes, strides, rank, &unused) < 0) {
    memcpy(dst, src, (size_t)count * element_size);
    return;
  }
  int64_t index[BUCKET_MAX_RANK] = {0};
  int64_t offset = 0; /* In elements, relative to src; may go negative. */
  ptrdiff_t step = (ptrdiff_t)element_size;
  for (int64_t n = 0; n < count; ++n) {
    memcpy(dst + (ptrdiff_t)n * step, src + (ptrdiff_t)offset * step,
           element_size);
    for (int32_t d = rank - 1; d >= 0; --d) { /* Odometer increment. */
      offset += strides[d];
      if (++index[d] < sizes[d])
        break;
      offset -= strides[d] * sizes[d];
      index[d] = 0;
    }
  }
}

/* Checks what can be checked about results[i] before the call. Result sizes
 * are known only afterwards, so a caller buffer's shape is checked there. */
static bucket_status_t check_result_slot(const bucket_function_info_t *fn,
                                         bucket_tensor_t *const *results,
                                         int32_t i) {
  const char *name = function_name(fn);
  const bucket_value_info_t *info = &fn->results[i];
  const bucket_tensor_t *tensor = results[i];
  if (!tensor)
    return INVALID("%s: result %" PRId32 " is NULL", name, i);
  if (!tensor->data)
    return NULL; /* The runtime will hand over the generated storage. */
  if (!rank_in_range(tensor->rank))
    return INVALID("%s: result %" PRId32 " has rank %" PRId32
                   ", outside [0, %d]",
                   name, i, tensor->rank, BUCKET_MAX_RANK);
  if (tensor->rank != info->rank)
    return INVALID("%s: result %" PRId32 " has rank %" PRId32
                   ", expected %" PRId32,
                   name, i, tensor->rank, info->rank);
  if (tensor->element_type != info->element_type)
    return INVALID("%s: result %" PRId32 " has element type %s, expected %s",
                   name, i, bucket_element_type_name(tensor->element_type),
                   bucket_element_type_name(info->element_type));
  if (count_elements(tensor->shape, tensor->rank) < 0)
    return INVALID("%s: result %" PRId32
                   " has a negative size or too many elements",
                   name, i);
  int64_t expected = 0;
  int32_t bad = find_noncontiguous_dim(tensor->shape, tensor->strides,
                                       tensor->rank, &expected);
  if (bad >= 0)
    return INVALID("%s: result %" PRId32
                   " is not contiguous: dimension %" PRId32
                   " has stride %" PRId64 ", expected %" PRId64
                   " (caller buffers must be row-major)",
                   name, i, bad, tensor->strides[bad], expected);
  return NULL;
}

/* Checks the descriptor generated code wrote for result i, and how it fits
 * results[i]. Allocates the copy for results that cannot be handed over. */
static bucket_status_t check_result(const bucket_function_info_t *fn,
                                    bucket_tensor_t *const *results, int32_t i,
                                    result_state_t *state) {
  const char *name = function_name(fn);
  const bucket_value_info_t *info = &fn->results[i];
  int32_t rank = info->rank;
  const int64_t *desc = state->desc;
  const int64_t *sizes = desc + 3;
  size_t element_size = bucket_element_size(info->element_type);

  if (desc[2] < 0)
    return INTERNAL("%s: generated code returned result %" PRId32
                    " with offset %" PRId64,
                    name, i, desc[2]);
  state->count = count_elements(sizes, rank);
  if (state->count < 0 || (uint64_t)state->count > SIZE_MAX / element_size)
    return INTERNAL("%s: generated code returned result %" PRId32
                    " with a negative size or too many elements",
                    name, i);
  if (state->count > 0 && !desc[1])
    return INTERNAL(
        "%s: generated code returned result %" PRId32 " without data", name, i);
  for (int32_t d = 0; d < rank; ++d)
    if (info->shape[d] >= 0 && sizes[d] != info->shape[d])
      return INTERNAL("%s: generated code returned result %" PRId32
                      " with size %" PRId64 " in static dimension %" PRId32
                      ", expected %" PRId64,
                      name, i, sizes[d], d, info->shape[d]);

  const bucket_tensor_t *tensor = results[i];
  if (tensor->data) {
    for (int32_t d = 0; d < rank; ++d) {
      if (tensor->shape[d] == sizes[d])
        continue;
      text_t expected = {{0}, 0}, actual = {{0}, 0};
      text_shape(&expected, sizes, rank);
      text_shape(&actual, tensor->shape, rank);
      return INVALID("%s: result %" PRId32 " has shape %s but the caller's "
                     "tensor has shape %s",
                     name, i, expected.text, actual.text);
    }
  } else if (!state->owned) {
    /* malloc(0) may return NULL; ask for one byte so NULL means failure. */
    size_t bytes = (size_t)state->count * element_size;
    state->copy = malloc(bytes ? bytes : 1);
    if (!state->copy)
      return bucket_status_make(BUCKET_STATUS_RESOURCE_EXHAUSTED,
                                "%s: out of memory copying result %" PRId32,
                                name, i);
  }
  return NULL;
}

/* Moves result i into results[i]; cannot fail (check_result ran first). */
static void deliver_result(const bucket_function_info_t *fn,
                           bucket_tensor_t *const *results, int32_t i,
                           result_state_t *state) {
  const bucket_value_info_t *info = &fn->results[i];
  int32_t rank = info->rank;
  const int64_t *desc = state->desc;
  const int64_t *sizes = desc + 3, *strides = desc + 3 + rank;
  size_t element_size = bucket_element_size(info->element_type);
  char *source = (char *)(intptr_t)desc[1];
  if (source)
    source += (size_t)desc[2] * element_size;

  bucket_tensor_t *tensor = results[i];
  if (tensor->data) {
    copy_strided(tensor->data, source, rank, sizes, strides, element_size,
                 state->count);
    return;
  }
  tensor->element_type = info->element_type;
  tensor->rank = rank;
  memset(tensor->shape, 0, sizeof(tensor->shape));
  memset(tensor->strides, 0, sizeof(tensor->strides));
  for (int32_t d = 0; d < rank; ++d)
    tensor->shape[d] = sizes[d];
  if (state->owned) {
    /* Hand over the generated code's malloc'ed buffer as it is. */
    for (int32_t d = 0; d < rank; ++d)
      tensor->strides[d] = strides[d];
    tensor->data = source;
    tensor->allocation = state->allocated;
    state->handed_over = 1;
  } else {
    copy_strided(state->copy, source, rank, sizes, strides, element_size,
                 state->count);
    contiguous_strides(tensor->shape, rank, tensor->strides);
    tensor->data = state->copy;
    tensor->allocation = state->copy;
    state->copy = NULL;
  }
}

/* Decides which result buffers this call owns. Generated code mallocs its
 * results, but a result may also alias an argument (the caller's memory), a
 * constant global, or another result; freeing those would be fatal, so they
 * are copied instead. The first result with a given buffer owns it. */
static void classify_results(const bucket_function_info_t *fn,
                             const bucket_tensor_t *const *args,
                             result_state_t *states) {
  for (int32_t i = 0; i < fn->num_results; ++i) {
    result_state_t *state = &states[i];
    state->allocated = (void *)(intptr_t)state->desc[0];
    state->owned =
        state->allocated && (intptr_t)state->allocated != MLIR_GLOBAL_ALLOCATED;
    for (int32_t j = 0; state->owned && j < fn->num_args; ++j)
      if (args[j]->data == state->allocated)
        state->owned = 0;
    for (int32_t j = 0; state->owned && j < i; ++j)
      if (states[j].allocated == state->allocated)
        state->owned = 0;
  }
}

/* The body of bucket_function_invoke once its scratch memory exists. The
 * caller frees the scratch memory and every buffer `states` still owns. */
static bucket_status_t invoke(const bucket_function_info_t *fn,
                              bucket_trampoline_t trampoline,
                              const bucket_tensor_t *const *args,
                              bucket_tensor_t *const *results, int64_t *dims,
                              int64_t *arg_descs, int64_t *result_descs,
                              void **ptrs, result_state_t *states) {
  const char *name = function_name(fn);
  /* The dispatcher in the generated code selects the bucket again; selecting
   * here rejects out-of-range shapes before any work, with a full message. */
  int32_t bucket = 0;
  bucket_status_t status;
  if ((status = bucket_function_check_args(fn, args, dims)))
    return status;
  if ((status = bucket_function_select(fn, dims, &bucket))) {
    /* A policy may take the shape; the dispatcher reports it otherwise. */
    if (bucket_status_code(status) != BUCKET_STATUS_OUT_OF_RANGE ||
        !takes_out_of_range(fn))
      return status;
    bucket_status_free(status);
  }
  if (!results && fn->num_results > 0)
    return INVALID("%s: the result array is NULL", name);
  for (int32_t i = 0; i < fn->num_results; ++i)
    if ((status = check_result_slot(fn, results, i)))
      return status;

  ptrs[0] = fn->num_results > 0 ? result_descs : NULL;
  int64_t *desc = arg_descs;
  for (int32_t i = 0; i < fn->num_args; ++i) {
    int32_t rank = args[i]->rank;
    bucket_memref_from_tensor(args[i], desc);
    /* Size-1 dimensions may carry any stride in the tensor; give generated
     * code canonical ones so it never sees an unusual layout. */
    contiguous_strides(args[i]->shape, rank, desc + 3 + rank);
    ptrs[1 + i] = desc;
    desc += BUCKET_MEMREF_WORDS(rank);
  }
  desc = result_descs;
  for (int32_t i = 0; i < fn->num_results; ++i) {
    states[i].desc = desc;
    desc += BUCKET_MEMREF_WORDS(fn->results[i].rank);
  }

  bucket_take_out_of_range(NULL); /* Drop a stale record from earlier code. */
  trampoline(ptrs);
  classify_results(fn, args, states);

  bucket_out_of_range_t record;
  if (bucket_take_out_of_range(&record))
    return out_of_range_status(fn, dims, record.dim, record.value,
                               record.max_size);
  /* Check everything before delivering anything, so that an error leaves
   * every output untouched. */
  for (int32_t i = 0; i < fn->num_results; ++i)
    if ((status = check_result(fn, results, i, &states[i])))
      return status;
  for (int32_t i = 0; i < fn->num_results; ++i)
    deliver_result(fn, results, i, &states[i]);
  return NULL;
}

bucket_status_t bucket_function_invoke(const bucket_function_info_t *fn,
                                       bucket_trampoline_t trampoline,
                                       const bucket_tensor_t *const *args,
                                       bucket_tensor_t *const *results) {
  if (!fn)
    return INVALID("bucket_function_invoke: fn is NULL");
  bucket_status_t status = check_function_info(fn);
  if (status)
    return status;
  if (!trampoline)
    return INVALID("%s: trampoline is NULL", function_name(fn));

  /* One zeroed block holds the symbolic dimension values, the argument
   * descriptors and the result descriptors (back to back, as MLIR lays out
   * a struct of memref descriptors). Zeroing means a trampoline that fails
   * to write a result shows up as a NULL, empty result rather than garbage. */
  size_t arg_words = 0, result_words = 0;
  for (int32_t i = 0; i < fn->num_args; ++i)
    arg_words += BUCKET_MEMREF_WORDS((size_t)fn->args[i].rank);
  for (int32_t i = 0; i < fn->num_results; ++i)
    result_words += BUCKET_MEMREF_WORDS((size_t)fn->results[i].rank);
  size_t words = (size_t)fn->num_dims + arg_words + result_words;
  int64_t *block = calloc(words ? words : 1, sizeof(int64_t));
  void **ptrs = calloc(1 + (size_t)fn->num_args, sizeof(void *));
  result_state_t *states =
      calloc(fn->num_results ? (size_t)fn->num_results : 1, sizeof(*states));
  if (block && ptrs && states) {
    int64_t *arg_descs = block + fn->num_dims;
    status = invoke(fn, trampoline, args, results, block, arg_descs,
                    arg_descs + arg_words, ptrs, states);
  } else {
    status = bucket_status_make(BUCKET_STATUS_RESOURCE_EXHAUSTED,
                                "%s: out of memory", function_name(fn));
  }

  /* Free what was not handed over; on error that is every buffer the
   * generated code returned. (Before the call nothing is owned.) */
  for (int32_t i = 0; states && i < fn->num_results; ++i) {
    if (states[i].owned && !states[i].handed_over)
      free(states[i].allocated);
    free(states[i].copy);
  }
  free(states);
  free(ptrs);
  free(block);
  return status;
}

/*===----------------------------------------------------------------------===*
 * Support for MLIR's generic lowering
 *===----------------------------------------------------------------------===*/

/* MLIR's unranked memref: a rank and a pointer to a ranked descriptor. */
typedef struct bucket_unranked_memref_t {
  int64_t rank;
  int64_t *descriptor;
} bucket_unranked_memref_t;

/* `memref.copy` between non-contiguous memrefs lowers to a call to
 * memrefCopy, which upstream ships in libmlir_c_runner_utils. Objects from
 * bucket-compile must not need that library, so the runtime provides the
 * same function. It is weak so that an application that also links MLIR's
 * runner utilities gets one definition. */
__attribute__((weak)) void memrefCopy(int64_t element_size,
                                      bucket_unranked_memref_t *src,
                                      bucket_unranked_memref_t *dst);

void memrefCopy(int64_t element_size, bucket_unranked_memref_t *src,
                bucket_unranked_memref_t *dst) {
  enum { kMaxCopyRank = 64 };
  if (!src || !dst || !src->descriptor || !dst->descriptor ||
      src->rank != dst->rank || src->rank < 0 || src->rank > kMaxCopyRank ||
      element_size <= 0)
    return;
  int64_t rank = src->rank;
  const int64_t *s = src->descriptor, *d = dst->descriptor;
  const int64_t *sizes = s + 3;
  const int64_t *src_strides = s + 3 + rank, *dst_strides = d + 3 + rank;
  char *src_base = (char *)(intptr_t)s[1] + s[2] * element_size;
  char *dst_base = (char *)(intptr_t)d[1] + d[2] * element_size;
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] <= 0)
      return;
  /* Copy whole rows when the innermost dimension is contiguous on both
   * sides: this is the common case (padding a tensor into a larger one). */
  int64_t row = 1;
  int64_t outer_rank = rank;
  if (rank > 0 && src_strides[rank - 1] == 1 && dst_strides[rank - 1] == 1) {
    row = sizes[rank - 1];
    outer_rank = rank - 1;
  }
  size_t row_bytes = (size_t)(row * element_size);
  int64_t index[kMaxCopyRank] = {0};
  int64_t src_offset = 0, dst_offset = 0;
  while (1) {
    memcpy(dst_base + dst_offset * element_size,
           src_base + src_offset * element_size, row_bytes);
    int64_t dim = outer_rank - 1;
    for (; dim >= 0; --dim) { /* Odometer increment. */
      src_offset += src_strides[dim];
      dst_offset += dst_strides[dim];
      if (++index[dim] < sizes[dim])
        break;
      src_offset -= src_strides[dim] * sizes[dim];
      dst_offset -= dst_strides[dim] * sizes[dim];
      index[dim] = 0;
    }
    if (dim < 0)
      return;
  }
}

/*===----------------------------------------------------------------------===*
 * Buffers of generated code
 *
 * Generated code allocates its intermediate buffers through
 * _mlir_memref_to_llvm_alloc/_free (finalize-memref-to-llvm with generic
 * functions). A static bucket allocates the same sizes on every call; the
 * megabyte-sized ones would otherwise go to mmap and come back as fresh
 * zeroed pages each time (page faults are a sizable share of a call). Each
 * thread keeps a few freed large blocks and hands them out again for
 * requests that fit. Blocks are plain malloc memory: a result buffer handed
 * to a caller is released with free() as usual.
 *===----------------------------------------------------------------------===*/

enum { CACHE_SLOTS = 16, CACHE_MIN_BYTES = 64 * 1024 };

typedef struct buffer_cache_t {
  void *ptr[CACHE_SLOTS];
  size_t size[CACHE_SLOTS];
} buffer_cache_t;

#ifdef __GLIBC__
#include <malloc.h>
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_destroy(void *p) {
  buffer_cache_t *cache = (buffer_cache_t *)p;
  for (int i = 0; i < CACHE_SLOTS; ++i)
    free(cache->ptr[i]);
  free(cache);
}

static void cache_key_init(void) { pthread_key_create(&cache_key, cache_destroy); }

static buffer_cache_t *thread_cache(int create) {
  pthread_once(&cache_once, cache_key_init);
  buffer_cache_t *cache = (buffer_cache_t *)pthread_getspecific(cache_key);
  if (!cache && create) {
    cache = (buffer_cache_t *)calloc(1, sizeof(buffer_cache_t));
    if (cache && pthread_setspecific(cache_key, cache)) {
      free(cache);
      cache = NULL;
    }
  }
  return cache;
}

/* The cached block that fits `size` bytes (aligned to `alignment`) with the
 * least waste, at most twice the size; NULL if none. */
static void *cache_take(size_t size, size_t alignment) {
  if (size < CACHE_MIN_BYTES)
    return NULL;
  buffer_cache_t *cache = thread_cache(0);
  if (!cache)
    return NULL;
  int best = -1;
  for (int i = 0; i < CACHE_SLOTS; ++i)
    if (cache->ptr[i] && cache->size[i] >= size &&
        cache->size[i] / 2 <= size &&
        (uintptr_t)cache->ptr[i] % alignment == 0 &&
        (best < 0 || cache->size[i] < cache->size[best]))
      best = i;
  if (best < 0)
    return NULL;
  void *ptr = cache->ptr[best];
  cache->ptr[best] = NULL;
  return ptr;
}
#endif

void *_mlir_memref_to_llvm_alloc(size_t size) {
#ifdef __GLIBC__
  void *cached = cache_take(size, 1);
  if (cached)
    return cached;
#endif
  return malloc(size);
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
#ifdef __GLIBC__
  void *cached = cache_take(size, alignment ? alignment : 1);
  if (cached)
    return cached;
#endif
  /* aligned_alloc wants a size that is a multiple of the alignment. */
  if (alignment && size % alignment)
    size += alignment - size % alignment;
  return aligned_alloc(alignment, size);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
#ifdef __GLIBC__
  size_t size = malloc_usable_size(ptr);
  buffer_cache_t *cache = size >= CACHE_MIN_BYTES ? thread_cache(1) : NULL;
  if (cache) {
    /* An empty slot, else evict the smallest block if this one is larger. */
    int slot = -1;
    for (int i = 0; i < CACHE_SLOTS && slot < 0; ++i)
      if (!cache->ptr[i])
        slot = i;
    if (slot < 0) {
      slot = 0;
      for (int i = 1; i < CACHE_SLOTS; ++i)
        if (cache->size[i] < cache->size[slot])
          slot = i;
      if (cache->size[slot] >= size) {
        free(ptr);
        return;
      }
      free(cache->ptr[slot]);
    }
    cache->ptr[slot] = ptr;
    cache->size[slot] = size;
    return;
  }
#endif
  free(ptr);
}
