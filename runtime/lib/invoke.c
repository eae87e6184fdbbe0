/*===- invoke.c - Calling generated code and delivering results ---*- C -*-===*
 *
 * bucket_function_invoke: validates the arguments, selects the bucket, builds
 * the memref descriptors, calls the generated trampoline, then checks what
 * the generated code returned and delivers the results, handing over or
 * copying buffers so that every result the caller gets has one owner.
 *===----------------------------------------------------------------------===*/

#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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
  int32_t state;   /* The state argument this result returns, or -1. */
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
  if (bucket_find_noncontiguous_dim(sizes, strides, rank, &unused) < 0) {
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

/* The slot of a result tied to state argument `a`: empty, or the argument's
 * own buffer with its shape. The runtime never copies a state into other
 * memory, so other memory is refused before anything runs. */
static bucket_status_t check_state_slot(const bucket_function_info_t *fn,
                                        const bucket_tensor_t *const *args,
                                        const bucket_tensor_t *tensor,
                                        int32_t i, int32_t a) {
  const char *name = function_name(fn);
  if (tensor->data != args[a]->data)
    return INVALID("%s: result %" PRId32 " is state argument %" PRId32
                   " updated in place: pass it with data NULL or with the "
                   "argument's data, not other memory",
                   name, i, a);
  for (int32_t d = 0; d < fn->results[i].rank; ++d)
    if (tensor->shape[d] != args[a]->shape[d])
      return INVALID("%s: result %" PRId32 " has the data of state argument "
                     "%" PRId32 " but another shape",
                     name, i, a);
  return NULL;
}

/* Checks what can be checked about results[i] before the call. Result sizes
 * are known only afterwards, so a caller buffer's shape is checked there. */
static bucket_status_t check_result_slot(const bucket_function_info_t *fn,
                                         const bucket_tensor_t *const *args,
                                         bucket_tensor_t *const *results,
                                         int32_t i) {
  const char *name = function_name(fn);
  const bucket_value_info_t *info = &fn->results[i];
  const bucket_tensor_t *tensor = results[i];
  if (!tensor)
    return INVALID("%s: result %" PRId32 " is NULL", name, i);
  if (!tensor->data)
    return NULL; /* The runtime will hand over the generated storage. */
  bucket_status_t status = check_rank_and_type(fn, "result", i, tensor, info);
  if (status)
    return status;
  int32_t state = state_arg_of(fn, i);
  if (state >= 0)
    return check_state_slot(fn, args, tensor, i, state);
  if (bucket_count_elements(tensor->shape, tensor->rank) < 0)
    return INVALID("%s: result %" PRId32
                   " has a negative size or too many elements",
                   name, i);
  int64_t expected = 0;
  int32_t bad = bucket_find_noncontiguous_dim(tensor->shape, tensor->strides,
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
  state->count = bucket_count_elements(sizes, rank);
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
  if (state->state >= 0)
    return NULL; /* Delivered into the state argument, checked before. */
  if (tensor->data) {
    for (int32_t d = 0; d < rank; ++d) {
      if (tensor->shape[d] == sizes[d])
        continue;
      bucket_text_t expected = {{0}, 0}, actual = {{0}, 0};
      bucket_text_shape(&expected, sizes, rank);
      bucket_text_shape(&actual, tensor->shape, rank);
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

/* Delivers result i, tied to a state argument: the state is the argument's
 * memory, where generated code updated it in place. Should that code have
 * returned another buffer, the state is copied back (and counted: this is
 * what bucket_state_bytes_copied reports). Returns the bytes copied. */
static uint64_t deliver_state(const bucket_function_info_t *fn,
                              const bucket_tensor_t *const *args,
                              bucket_tensor_t *tensor, int32_t i,
                              const result_state_t *state, char *source) {
  const bucket_value_info_t *info = &fn->results[i];
  const bucket_tensor_t *arg = args[state->state];
  size_t element_size = bucket_element_size(info->element_type);
  uint64_t copied = 0;
  if (source != arg->data) {
    const int64_t *desc = state->desc;
    copy_strided((char *)arg->data, source, info->rank, desc + 3,
                 desc + 3 + info->rank, element_size, state->count);
    copied = (uint64_t)state->count * element_size;
  }
  if (tensor->data)
    return copied; /* The caller passed the argument's own buffer. */
  tensor->element_type = info->element_type;
  tensor->rank = info->rank;
  memset(tensor->shape, 0, sizeof(tensor->shape));
  memset(tensor->strides, 0, sizeof(tensor->strides));
  for (int32_t d = 0; d < info->rank; ++d)
    tensor->shape[d] = arg->shape[d];
  bucket_contiguous_strides(tensor->shape, info->rank, tensor->strides);
  tensor->data = arg->data;
  tensor->allocation = NULL; /* The caller's memory: nothing to release. */
  return copied;
}

/* Moves result i into results[i]; cannot fail (check_result ran first).
 * Returns the bytes of state copied. */
static uint64_t deliver_result(const bucket_function_info_t *fn,
                               const bucket_tensor_t *const *args,
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
  if (state->state >= 0)
    return deliver_state(fn, args, tensor, i, state, source);
  if (tensor->data) {
    copy_strided(tensor->data, source, rank, sizes, strides, element_size,
                 state->count);
    return 0;
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
    bucket_contiguous_strides(tensor->shape, rank, tensor->strides);
    tensor->data = state->copy;
    tensor->allocation = state->copy;
    state->copy = NULL;
  }
  return 0;
}

/* Whether some policy lets the dispatcher take a shape beyond the buckets. */
static int takes_out_of_range(const bucket_function_info_t *fn) {
  if (!fn->out_of_range)
    return 0;
  for (int32_t k = 0; k < fn->num_dims; ++k)
    if (fn->out_of_range[k] != BUCKET_OUT_OF_RANGE_ERROR)
      return 1;
  return 0;
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
    state->state = state_arg_of(fn, i);
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

/* What can be checked before the call: the arguments (writing the symbolic
 * dimension values to `dims`), that some bucket or policy takes the shape,
 * and the result slots. */
static bucket_status_t check_call(const bucket_function_info_t *fn,
                                  const bucket_tensor_t *const *args,
                                  bucket_tensor_t *const *results,
                                  int64_t *dims) {
  /* The dispatcher in the generated code selects the bucket again; selecting
   * here rejects out-of-range shapes before any work, with a full message. */
  int32_t bucket = -1;
  bucket_status_t status;
  if ((status = bucket_function_check_args(fn, args, dims)))
    return status;
  if ((status = bucket_function_select(fn, dims, &bucket))) {
    /* A policy may take the shape; the dispatcher reports it otherwise. */
    if (bucket_status_code(status) != BUCKET_STATUS_OUT_OF_RANGE ||
        !takes_out_of_range(fn)) {
      if (bucket_status_code(status) == BUCKET_STATUS_OUT_OF_RANGE)
        bucket_telemetry_out_of_range(fn, dims, /*taken=*/0);
      return status;
    }
    bucket_status_free(status);
    bucket = -1;
  }
  if (!results && fn->num_results > 0)
    return INVALID("%s: the result array is NULL", function_name(fn));
  for (int32_t i = 0; i < fn->num_results; ++i)
    if ((status = check_result_slot(fn, args, results, i)))
      return status;
  if (bucket >= 0)
    bucket_telemetry_call(fn, dims, bucket);
  else
    bucket_telemetry_out_of_range(fn, dims, /*taken=*/1);
  return NULL;
}

/* Writes the argument descriptors to `arg_descs` and points the trampoline's
 * `ptrs` at them and at `result_descs`, where each result's state finds the
 * descriptor the generated code will write. */
static void write_descriptors(const bucket_function_info_t *fn,
                              const bucket_tensor_t *const *args,
                              int64_t *arg_descs, int64_t *result_descs,
                              void **ptrs, result_state_t *states) {
  ptrs[0] = fn->num_results > 0 ? result_descs : NULL;
  int64_t *desc = arg_descs;
  for (int32_t i = 0; i < fn->num_args; ++i) {
    int32_t rank = args[i]->rank;
    bucket_memref_from_tensor(args[i], desc);
    /* Size-1 dimensions may carry any stride in the tensor; give generated
     * code canonical ones so it never sees an unusual layout. */
    bucket_contiguous_strides(args[i]->shape, rank, desc + 3 + rank);
    ptrs[1 + i] = desc;
    desc += BUCKET_MEMREF_WORDS(rank);
  }
  desc = result_descs;
  for (int32_t i = 0; i < fn->num_results; ++i) {
    states[i].desc = desc;
    desc += BUCKET_MEMREF_WORDS(fn->results[i].rank);
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
  bucket_status_t status = check_call(fn, args, results, dims);
  if (status)
    return status;
  write_descriptors(fn, args, arg_descs, result_descs, ptrs, states);

  bucket_take_out_of_range(NULL); /* Drop a stale record from earlier code. */
  trampoline(ptrs);
  classify_results(fn, args, states);

  bucket_out_of_range_t record;
  if (bucket_take_out_of_range(&record))
    return bucket_out_of_range_status(fn, dims, record.dim, record.value,
                                      record.max_size);
  /* Check everything before delivering anything, so that an error leaves
   * every output untouched. */
  for (int32_t i = 0; i < fn->num_results; ++i)
    if ((status = check_result(fn, results, i, &states[i])))
      return status;
  uint64_t state_bytes_copied = 0;
  for (int32_t i = 0; i < fn->num_results; ++i)
    state_bytes_copied += deliver_result(fn, args, results, i, &states[i]);
  if (fn->tied_results)
    bucket_telemetry_state(state_bytes_copied);
  return NULL;
}

bucket_status_t bucket_function_invoke(const bucket_function_info_t *fn,
                                       bucket_trampoline_t trampoline,
                                       const bucket_tensor_t *const *args,
                                       bucket_tensor_t *const *results) {
  if (!fn)
    return INVALID("bucket_function_invoke: fn is NULL");
  bucket_status_t status = bucket_check_function_info(fn);
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
