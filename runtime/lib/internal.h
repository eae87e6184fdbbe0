/*===- internal.h - Shared by the runtime's source files ----------*- C -*-===*
 *
 * Private to runtime/lib: what more than one of its source files needs. None
 * of it is part of the library's interface. Functions with external linkage
 * carry the bucket_ prefix (the static archive cannot hide them) and are
 * hidden from the shared library's symbol table.
 *
 * Nothing in the runtime aborts: every problem becomes a status. Messages
 * name the compiled function (or the API function) first, so that an
 * application juggling several functions can tell which call failed.
 *===----------------------------------------------------------------------===*/

#ifndef BUCKET_RUNTIME_INTERNAL_H
#define BUCKET_RUNTIME_INTERNAL_H

#include "bucket/runtime.h"

#include <stddef.h>
#include <stdint.h>

/* MLIR memref descriptors mix pointers and 64-bit indices; the runtime builds
 * them as arrays of 64-bit words, which only matches on 64-bit targets. */
_Static_assert(sizeof(void *) == sizeof(int64_t),
               "the bucket runtime requires 64-bit pointers");

#if defined(__GNUC__)
#define BUCKET_HIDDEN __attribute__((visibility("hidden")))
#define BUCKET_PRINTF_LIKE(format_index, first_arg)                            \
  __attribute__((format(printf, format_index, first_arg)))
#else
#define BUCKET_HIDDEN
#define BUCKET_PRINTF_LIKE(format_index, first_arg)
#endif

/*===----------------------------------------------------------------------===*
 * Messages (status.c)
 *===----------------------------------------------------------------------===*/

/* Shorthand: every message is built with bucket_status_make. */
#define INVALID(...)                                                           \
  bucket_status_make(BUCKET_STATUS_INVALID_ARGUMENT, __VA_ARGS__)
#define INTERNAL(...) bucket_status_make(BUCKET_STATUS_INTERNAL, __VA_ARGS__)

/* A bounded text buffer for messages that list shapes or dimensions.
 * Overlong text is truncated rather than failing the error path. Start with
 * {{0}, 0}. */
typedef struct bucket_text_t {
  char text[512];
  size_t length;
} bucket_text_t;

BUCKET_HIDDEN void bucket_text_append(bucket_text_t *buffer, const char *format,
                                      ...) BUCKET_PRINTF_LIKE(2, 3);

/* Appends "[2, 3]". */
BUCKET_HIDDEN void bucket_text_shape(bucket_text_t *buffer,
                                     const int64_t *shape, int32_t rank);

/*===----------------------------------------------------------------------===*
 * Shapes and strides (tensor.c)
 *===----------------------------------------------------------------------===*/

static inline int rank_in_range(int32_t rank) {
  return rank >= 0 && rank <= BUCKET_MAX_RANK;
}

/* The number of elements, or -1 for a negative size or when the product of
 * the non-zero sizes overflows. Bounding the non-zero product (not just the
 * total) also bounds every suffix product, which the stride code relies on. */
BUCKET_HIDDEN int64_t bucket_count_elements(const int64_t *shape, int32_t rank);

/* Writes row-major strides for `shape` (validated by bucket_count_elements). */
BUCKET_HIDDEN void bucket_contiguous_strides(const int64_t *shape, int32_t rank,
                                             int64_t *strides);

/* Returns -1 if `strides` are row-major for `shape` (validated by
 * bucket_count_elements), else the first offending dimension with the stride
 * it should have in *expected. A size-1 dimension is never indexed by
 * anything but 0, so its stride cannot matter and is not checked. */
BUCKET_HIDDEN int32_t bucket_find_noncontiguous_dim(const int64_t *shape,
                                                    const int64_t *strides,
                                                    int32_t rank,
                                                    int64_t *expected);

/*===----------------------------------------------------------------------===*
 * Function descriptions (function.c)
 *===----------------------------------------------------------------------===*/

static inline const char *function_name(const bucket_function_info_t *fn) {
  return fn->name ? fn->name : "<unnamed>";
}

/* INVALID_ARGUMENT if `tensor`, argument or result (`what`) number `i` of
 * `fn`, has a rank outside [0, BUCKET_MAX_RANK], or another rank or element
 * type than `info`. */
BUCKET_HIDDEN bucket_status_t check_rank_and_type(
    const bucket_function_info_t *fn, const char *what, int32_t i,
    const bucket_tensor_t *tensor, const bucket_value_info_t *info);

/* The result tied to argument `i` of `fn` when it is a state (docs/State.md),
 * else -1. */
static inline int32_t tied_result_of(const bucket_function_info_t *fn,
                                     int32_t i) {
  return fn->tied_results ? fn->tied_results[i] : -1;
}

/* The state argument that result `r` of `fn` returns, else -1. */
static inline int32_t state_arg_of(const bucket_function_info_t *fn,
                                   int32_t r) {
  for (int32_t i = 0; fn->tied_results && i < fn->num_args; ++i)
    if (fn->tied_results[i] == r)
      return i;
  return -1;
}

static inline const char *dim_name(const bucket_function_info_t *fn,
                                   int32_t dim) {
  if (fn->dim_names && dim >= 0 && dim < fn->num_dims && fn->dim_names[dim])
    return fn->dim_names[dim];
  return "?";
}

/* INTERNAL if the tables of `fn` are malformed. They come from generated
 * headers, so a problem is a compiler bug, but it must not crash the
 * application. */
BUCKET_HIDDEN bucket_status_t
bucket_check_function_info(const bucket_function_info_t *fn);

/* The OUT_OF_RANGE status for `dims`, which fit no bucket. `dim` >= 0 names a
 * dimension that is larger than every bucket (with its value and the largest
 * size); -1 means each fits some bucket but none fits all of them. */
BUCKET_HIDDEN bucket_status_t bucket_out_of_range_status(
    const bucket_function_info_t *fn, const int64_t *dims, int64_t dim,
    int64_t value, int64_t max_size);

/*===----------------------------------------------------------------------===*
 * The per-thread cache of generated code's buffers (memory.c)
 *===----------------------------------------------------------------------===*/

/* The cached block that fits `size` bytes aligned to `alignment` (nonzero)
 * best, removed from the calling thread's cache; NULL if none fits. */
BUCKET_HIDDEN void *bucket_cache_take(size_t size, size_t alignment);

/* Takes malloc'ed `ptr` (not NULL): keeps it in the calling thread's cache if
 * it is large enough to be worth it, else frees it. */
BUCKET_HIDDEN void bucket_cache_release(void *ptr);

/*===----------------------------------------------------------------------===*
 * Telemetry (telemetry.c)
 *===----------------------------------------------------------------------===*/

/* A call of `fn` with symbolic dimension values `dims` that runs in bucket
 * `bucket`: counts it and records its shape. */
BUCKET_HIDDEN void bucket_telemetry_call(const bucket_function_info_t *fn,
                                         const int64_t *dims, int32_t bucket);

/* A call that fits no bucket: counts it under the policy that takes it
 * (`taken`) or as an error, and records its shape. */
BUCKET_HIDDEN void
bucket_telemetry_out_of_range(const bucket_function_info_t *fn,
                              const int64_t *dims, int taken);

/* A call with a state argument, which had to copy `bytes_copied` bytes of
 * state (0 when everything stayed in place). */
BUCKET_HIDDEN void bucket_telemetry_state(uint64_t bytes_copied);

/* Before the library holding `model` is unloaded: its functions' counters
 * stay (and are printed at exit from copies), but no longer belong to any
 * table, so a table loaded later at the same address starts its own. */
BUCKET_HIDDEN void bucket_telemetry_forget(const bucket_model_info_t *model);

#endif /* BUCKET_RUNTIME_INTERNAL_H */
