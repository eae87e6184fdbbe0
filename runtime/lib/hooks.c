/*===- hooks.c - Functions generated code calls -------------------*- C -*-===*
 *
 * The runtime side of bucket/runtime_abi.h's hooks: the thread-local records
 * that dispatchers write when a shape is out of range or a self-check finds
 * a difference (and the application API that reads them), MLIR's generic
 * allocation functions, and memrefCopy.
 *===----------------------------------------------------------------------===*/

#include "internal.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*===----------------------------------------------------------------------===*
 * Out-of-range and self-check reports
 *===----------------------------------------------------------------------===*/

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

/*===----------------------------------------------------------------------===*
 * Buffers of generated code
 *
 * Generated code allocates its intermediate buffers and results through
 * these (finalize-memref-to-llvm with generic functions). They go through the
 * per-thread cache of memory.c; every block is plain malloc memory, so a
 * result buffer handed to a caller is released with free() as usual.
 *===----------------------------------------------------------------------===*/

void *_mlir_memref_to_llvm_alloc(size_t size) {
  void *cached = bucket_cache_take(size, 1);
  return cached ? cached : malloc(size);
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  void *cached = bucket_cache_take(size, alignment ? alignment : 1);
  if (cached)
    return cached;
  /* aligned_alloc wants a size that is a multiple of the alignment. */
  if (alignment && size % alignment)
    size += alignment - size % alignment;
  return aligned_alloc(alignment, size);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (ptr)
    bucket_cache_release(ptr);
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
