/*===- bucket/runtime.h - C runtime for bucketed objects ---------*- C -*-===*
 *
 * The runtime that objects produced by bucket-compile link against, and the
 * API that applications use to call them.
 *
 * Conventions (after IREE's C API):
 *  - Every fallible function returns a bucket_status_t. NULL means success; any
 *    other value carries a code and a message and must be released with
 *    bucket_status_free() (it is "must use").
 *  - Output parameters come last and are named out_*.
 *  - Nothing here aborts, exits or reads through a pointer it has not checked.
 *  - All functions are thread-safe and reentrant. The only mutable state is
 *    the thread-local out-of-range and self-check records written by
 *    generated code, and a process-wide count of self-check differences.
 *
 * ABI: BUCKET_RUNTIME_ABI_VERSION changes whenever a layout below changes. A
 * generated header records the version it was generated for and refuses to
 * compile against another one.
 *===----------------------------------------------------------------------===*/

#ifndef BUCKET_RUNTIME_H
#define BUCKET_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BUCKET_RUNTIME_ABI_VERSION 2

/// The largest tensor rank the runtime descriptors can hold.
#define BUCKET_MAX_RANK 8

/*===----------------------------------------------------------------------===*
 * Status
 *===----------------------------------------------------------------------===*/

typedef enum bucket_status_code_e {
  BUCKET_STATUS_OK = 0,
  /// A caller error: null pointer, wrong rank, element type or shape,
  /// non-positive dimension, non-contiguous strides.
  BUCKET_STATUS_INVALID_ARGUMENT = 1,
  /// A shape outside the compiled bucket range.
  BUCKET_STATUS_OUT_OF_RANGE = 2,
  /// An allocation failed.
  BUCKET_STATUS_RESOURCE_EXHAUSTED = 3,
  /// A broken invariant inside the runtime or the generated code.
  BUCKET_STATUS_INTERNAL = 4,
} bucket_status_code_t;

/// NULL on success; otherwise an owned error object.
typedef struct bucket_status_impl_t *bucket_status_t;

/// Creates an error status with a printf-style message. `code` must not be
/// BUCKET_STATUS_OK (BUCKET_STATUS_OK or an unknown code becomes
/// BUCKET_STATUS_INTERNAL, so a non-NULL status never reads as success).
/// Never returns NULL: when memory is exhausted it returns a static
/// RESOURCE_EXHAUSTED status (freeing that one is a no-op).
bucket_status_t bucket_status_make(bucket_status_code_t code, const char *format,
                                   ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/// The code of `status`; BUCKET_STATUS_OK for NULL.
bucket_status_code_t bucket_status_code(bucket_status_t status);
/// The message of `status` ("" for NULL). Valid until the status is freed.
const char *bucket_status_message(bucket_status_t status);
/// A stable name such as "OUT_OF_RANGE"; "UNKNOWN" for an unknown value.
const char *bucket_status_code_name(bucket_status_code_t code);
/// Releases `status`; NULL is allowed.
void bucket_status_free(bucket_status_t status);

/*===----------------------------------------------------------------------===*
 * Tensors
 *===----------------------------------------------------------------------===*/

typedef enum bucket_element_type_e {
  BUCKET_ELEMENT_F32 = 0,
  BUCKET_ELEMENT_F64 = 1,
  BUCKET_ELEMENT_I1 = 2, /* one byte per element, as MLIR stores i1 */
  BUCKET_ELEMENT_I8 = 3,
  BUCKET_ELEMENT_I16 = 4,
  BUCKET_ELEMENT_I32 = 5,
  BUCKET_ELEMENT_I64 = 6,
  BUCKET_ELEMENT_F16 = 7,
  BUCKET_ELEMENT_BF16 = 8,
} bucket_element_type_t;

/// Bytes per element; 0 for an unknown value.
size_t bucket_element_size(bucket_element_type_t type);
/// "f32", "i64", ...; "?" for an unknown value.
const char *bucket_element_type_name(bucket_element_type_t type);

/// A strided view of a tensor. Strides count elements, not bytes. Inputs must
/// be contiguous row-major (the runtime checks). For outputs, see
/// bucket_function_invoke.
typedef struct bucket_tensor_t {
  void *data;
  bucket_element_type_t element_type;
  int32_t rank;
  int64_t shape[BUCKET_MAX_RANK];
  int64_t strides[BUCKET_MAX_RANK];
  /// Storage owned by this tensor (set by the runtime when it allocates an
  /// output); release it with bucket_tensor_release. NULL when the caller owns
  /// `data`.
  void *allocation;
} bucket_tensor_t;

/// Fills `out_tensor` as a contiguous row-major view of caller-owned `data`
/// (allocation = NULL). Sizes may be zero here; `data` may be NULL. On error
/// `out_tensor` is left untouched.
bucket_status_t bucket_tensor_init(void *data, bucket_element_type_t type,
                                   int32_t rank, const int64_t *shape,
                                   bucket_tensor_t *out_tensor);
/// Number of elements (product of the shape; 1 for rank 0). -1 for NULL, a
/// rank outside [0, BUCKET_MAX_RANK], a negative size, or overflow.
int64_t bucket_tensor_num_elements(const bucket_tensor_t *tensor);
/// Frees runtime-owned storage and clears data/allocation; a no-op for NULL or
/// caller-owned tensors.
void bucket_tensor_release(bucket_tensor_t *tensor);

/*===----------------------------------------------------------------------===*
 * Compiled-function descriptions (emitted into generated headers)
 *===----------------------------------------------------------------------===*/

/// One argument or result of a compiled function.
typedef struct bucket_value_info_t {
  bucket_element_type_t element_type;
  int32_t rank;
  /// Static sizes; -1 for a dynamic dimension.
  int64_t shape[BUCKET_MAX_RANK];
  /// For a dynamic dimension of an argument: the index of its symbolic
  /// dimension in bucket_function_info_t::dim_names. -1 otherwise: static
  /// dimensions, result dimensions, and the dynamic dimensions of a function
  /// compiled without bucketing (which accept any positive size).
  int32_t dim_ids[BUCKET_MAX_RANK];
} bucket_value_info_t;

/// Out-of-range policies (docs/Padding.md).
typedef enum bucket_out_of_range_policy_t {
  /// Report OUT_OF_RANGE (the default).
  BUCKET_OUT_OF_RANGE_ERROR = 0,
  /// Call the generic dynamic-shape version compiled into the object.
  BUCKET_OUT_OF_RANGE_FALLBACK = 1,
  /// Run chunks of the largest bucket and concatenate the results.
  BUCKET_OUT_OF_RANGE_SPLIT = 2,
  /// Crop the input to the largest bucket (results are those of the
  /// truncated input).
  BUCKET_OUT_OF_RANGE_TRUNCATE = 3,
} bucket_out_of_range_policy_t;

/// A compiled function: its signature, symbolic dimensions and buckets.
typedef struct bucket_function_info_t {
  const char *name;
  int32_t num_args;
  const bucket_value_info_t *args;
  int32_t num_results;
  const bucket_value_info_t *results;
  int32_t num_dims;
  const char *const *dim_names;
  /// num_buckets rows of num_dims sizes, in the order the dispatcher tries
  /// them: ascending padded cost (the product of the sizes), ties in spec
  /// order. The first row that fits a shape is the one it runs.
  int32_t num_buckets;
  const int64_t *buckets;
  /// num_dims entries: what the dispatcher does with a value larger than
  /// every bucket along that dimension (NULL: BUCKET_OUT_OF_RANGE_ERROR for
  /// all). bucket_function_invoke only rejects shapes no policy takes.
  const int32_t *out_of_range;
} bucket_function_info_t;

/// Everything one object file holds.
typedef struct bucket_model_info_t {
  uint32_t abi_version;
  int32_t num_functions;
  const bucket_function_info_t *functions;
} bucket_model_info_t;

/// Looks up a function by name; NULL if absent.
const bucket_function_info_t *
bucket_model_find_function(const bucket_model_info_t *model, const char *name);

/// Which bucket the symbolic dimension values `dims[fn->num_dims]` take: the
/// first row of fn->buckets whose sizes are all >= the values. OUT_OF_RANGE
/// (naming the dimension, its value and the largest bucket size) when none
/// fits; INVALID_ARGUMENT for a value <= 0.
bucket_status_t bucket_function_select(const bucket_function_info_t *fn,
                                       const int64_t *dims,
                                       int32_t *out_bucket);

/// Validates `args[fn->num_args]` against fn (null pointers, rank, element
/// type, static sizes, non-positive sizes, contiguity, and that dimensions of
/// one symbolic dimension agree) and writes the symbolic dimension values to
/// `out_dims[fn->num_dims]`.
bucket_status_t bucket_function_check_args(const bucket_function_info_t *fn,
                                           const bucket_tensor_t *const *args,
                                           int64_t *out_dims);

/*===----------------------------------------------------------------------===*
 * Calling generated code
 *===----------------------------------------------------------------------===*/

/// Calls the MLIR C interface of a compiled function with type-erased
/// pointers: ptrs[0] points at the result storage (MLIR's memref descriptors
/// of all results, back to back; NULL when there are no results), ptrs[1 + i]
/// at the memref descriptor of argument i. Generated headers define one per
/// function.
typedef void (*bucket_trampoline_t)(void **ptrs);

/// Validates the arguments, selects the bucket, calls `trampoline`, and
/// delivers each result into `results[i]`:
///  - results[i]->data == NULL: the runtime hands over the storage the
///    generated code allocated; the caller releases it with
///    bucket_tensor_release. The strides are the generated code's (in
///    practice row-major). A result whose buffer the generated code does not
///    own (it aliases an argument, a constant or another result) is copied
///    into fresh contiguous storage instead.
///  - otherwise the caller supplied a contiguous buffer whose element type,
///    rank and shape must equal the result's; the result is copied into it.
/// On any error every result tensor is left untouched and nothing the call
/// allocated survives it.
bucket_status_t bucket_function_invoke(const bucket_function_info_t *fn,
                                       bucket_trampoline_t trampoline,
                                       const bucket_tensor_t *const *args,
                                       bucket_tensor_t *const *results);

/*===----------------------------------------------------------------------===*
 * MLIR memref descriptors
 *
 * A ranked memref descriptor is {allocated, aligned, offset, sizes[rank],
 * strides[rank]}: 3 + 2 * rank 64-bit words.
 *===----------------------------------------------------------------------===*/

#define BUCKET_MEMREF_WORDS(rank) (3 + 2 * (rank))

/// Writes a descriptor of BUCKET_MEMREF_WORDS(tensor->rank) words viewing
/// `tensor` (which the caller keeps owning). Writes nothing if either pointer
/// is NULL or the rank is outside [0, BUCKET_MAX_RANK].
void bucket_memref_from_tensor(const bucket_tensor_t *tensor, int64_t *desc);

/*===----------------------------------------------------------------------===*
 * The hook generated dispatchers call
 *===----------------------------------------------------------------------===*/

/// What a dispatcher recorded when a shape fit no bucket.
typedef struct bucket_out_of_range_t {
  /// Index of the first symbolic dimension larger than every bucket's size
  /// for it, or -1 when each dimension fits some bucket but no single bucket
  /// fits them all.
  int64_t dim;
  int64_t value;
  int64_t max_size;
} bucket_out_of_range_t;

/// Called by generated dispatchers (through the MLIR C ABI) when a shape fits
/// no bucket; the dispatcher then returns results whose dynamic dimensions are
/// zero. Records the event in a thread-local slot (a later report overwrites
/// an earlier one). bucket_function_invoke clears the slot before calling
/// generated code and consumes it afterwards.
void bucket_rt_report_out_of_range(int64_t dim, int64_t value, int64_t max_size);

/// Reads and clears the calling thread's record. Returns 1 and fills
/// `out_record` (which may be NULL) if a dispatcher reported since the last
/// call, else 0. For callers of the `_mlir_ciface_*` entry points.
int bucket_take_out_of_range(bucket_out_of_range_t *out_record);

/// What a self-checking dispatcher (bucket-compile --self-check) found.
typedef struct bucket_self_check_t {
  /// The bucket that produced the result (an index into the bucket table).
  int64_t bucket;
  /// The bucket it was checked against; -1 for the generic fallback.
  int64_t other;
  /// Which result differed.
  int64_t result;
  /// The largest absolute difference (inf where only one side is NaN).
  double max_abs_diff;
} bucket_self_check_t;

/// Called by self-checking dispatchers when a result differs from the next
/// larger bucket's (or the fallback's). Records the difference in a
/// thread-local slot, counts it, and prints one line to stderr unless the
/// environment variable BUCKET_SELF_CHECK_QUIET is set.
void bucket_rt_report_self_check(int64_t bucket, int64_t other, int64_t result,
                                 double max_abs_diff);

/// Reads and clears the calling thread's last self-check difference; returns
/// 1 if there was one since the last call, else 0.
int bucket_take_self_check(bucket_self_check_t *out_record);

/// The number of self-check differences reported in this process.
uint64_t bucket_self_check_count(void);

/*===----------------------------------------------------------------------===*
 * Memory of generated code
 *===----------------------------------------------------------------------===*/

/// Generated code allocates and frees its buffers through these (MLIR's
/// generic allocation functions). Blocks are malloc memory, so result
/// buffers are released with free() (or bucket_tensor_release). Large freed
/// blocks are kept per thread (up to 16) and reused by later calls of the
/// same sizes, so a static bucket's buffers do not come back from the kernel
/// as fresh pages on every call; they are released when the thread exits.
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // BUCKET_RUNTIME_H
