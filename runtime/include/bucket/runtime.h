/*===- bucket/runtime.h - C runtime for bucketed objects ---------*- C -*-===*
 *
 * The API applications use to call the functions in objects produced by
 * bucket-compile. What the generated code and generated headers themselves
 * rely on (the description tables, trampolines, the hooks generated code
 * calls, BUCKET_RUNTIME_ABI_VERSION and BUCKET_MAX_RANK) is in
 * bucket/runtime_abi.h, included here.
 *
 * Conventions (after IREE's C API):
 *  - Every fallible function returns a bucket_status_t and is marked
 *    BUCKET_MUST_USE_RESULT. NULL means success; any other value carries a
 *    code and a message and must be released with bucket_status_free().
 *  - Output parameters come last and are named out_*.
 *  - Nothing here aborts, exits or reads through a pointer it has not checked.
 *  - All functions are thread-safe and reentrant. The only mutable state is
 *    the thread-local out-of-range and self-check records written by
 *    generated code, a process-wide count of self-check differences, and the
 *    telemetry counters and shape recorder ("Telemetry" below).
 *===----------------------------------------------------------------------===*/

#ifndef BUCKET_RUNTIME_H
#define BUCKET_RUNTIME_H

#include "bucket/runtime_abi.h"

#include <stddef.h>
#include <stdint.h>

/// Marks a function whose result must not be ignored: every function that
/// returns a status (dropping one loses the error and leaks its message) and
/// the queries whose result is their only effect. To discard a status on
/// purpose, pass it to bucket_status_free (GCC does not accept a cast to
/// void as using the result).
#if defined(__cplusplus) && __cplusplus >= 201703L
#define BUCKET_MUST_USE_RESULT [[nodiscard]]
#elif defined(__GNUC__) || defined(__clang__)
#define BUCKET_MUST_USE_RESULT __attribute__((warn_unused_result))
#else
#define BUCKET_MUST_USE_RESULT
#endif

#ifdef __cplusplus
extern "C" {
#endif

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
  /// A model generated for another BUCKET_RUNTIME_ABI_VERSION than the
  /// runtime library's.
  BUCKET_STATUS_INCOMPATIBLE = 5,
} bucket_status_code_t;

/// NULL on success; otherwise an owned error object.
typedef struct bucket_status_impl_t *bucket_status_t;

/// Creates an error status with a printf-style message. `code` must not be
/// BUCKET_STATUS_OK (BUCKET_STATUS_OK or an unknown code becomes
/// BUCKET_STATUS_INTERNAL, so a non-NULL status never reads as success).
/// Never returns NULL: when memory is exhausted it returns a static
/// RESOURCE_EXHAUSTED status (freeing that one is a no-op).
BUCKET_MUST_USE_RESULT bucket_status_t
bucket_status_make(bucket_status_code_t code, const char *format, ...)
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

/// Bytes per element; 0 for an unknown value.
BUCKET_MUST_USE_RESULT size_t bucket_element_size(bucket_element_type_t type);
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
BUCKET_MUST_USE_RESULT bucket_status_t
bucket_tensor_init(void *data, bucket_element_type_t type, int32_t rank,
                   const int64_t *shape, bucket_tensor_t *out_tensor);
/// Number of elements (product of the shape; 1 for rank 0). -1 for NULL, a
/// rank outside [0, BUCKET_MAX_RANK], a negative size, or overflow.
BUCKET_MUST_USE_RESULT int64_t
bucket_tensor_num_elements(const bucket_tensor_t *tensor);
/// Frees runtime-owned storage and clears data/allocation; a no-op for NULL or
/// caller-owned tensors.
void bucket_tensor_release(bucket_tensor_t *tensor);

/*===----------------------------------------------------------------------===*
 * Models and functions
 *
 * The tables are defined in generated headers (bucket/runtime_abi.h).
 *===----------------------------------------------------------------------===*/

/// Checks that `model` can be used with this runtime library: its
/// abi_version must equal the BUCKET_RUNTIME_ABI_VERSION the library was
/// built with (INCOMPATIBLE otherwise, naming both versions), and its tables
/// must be well formed (INTERNAL otherwise). Call it once at start-up when
/// the runtime is a shared library that may be replaced independently of the
/// application; bucket_model_lookup_function checks too.
BUCKET_MUST_USE_RESULT bucket_status_t
bucket_model_check(const bucket_model_info_t *model);

/// Looks up the function called `name` in `model`, after the checks of
/// bucket_model_check. INVALID_ARGUMENT when there is no such function.
/// `*out_fn` points into `model`; it is left untouched on error.
BUCKET_MUST_USE_RESULT bucket_status_t
bucket_model_lookup_function(const bucket_model_info_t *model, const char *name,
                             const bucket_function_info_t **out_fn);

/// Looks up a function by name; NULL if absent, or if the model was
/// generated for another ABI version (bucket_model_lookup_function says
/// why).
BUCKET_MUST_USE_RESULT const bucket_function_info_t *
bucket_model_find_function(const bucket_model_info_t *model, const char *name);

/// Which bucket the symbolic dimension values `dims[fn->num_dims]` take: the
/// first row of fn->buckets whose sizes are all >= the values. OUT_OF_RANGE
/// (naming the dimension, its value and the largest bucket size) when none
/// fits; INVALID_ARGUMENT for a value <= 0.
BUCKET_MUST_USE_RESULT bucket_status_t bucket_function_select(
    const bucket_function_info_t *fn, const int64_t *dims, int32_t *out_bucket);

/// Validates `args[fn->num_args]` against fn (null pointers, rank, element
/// type, static sizes, non-positive sizes, contiguity, and that dimensions of
/// one symbolic dimension agree) and writes the symbolic dimension values to
/// `out_dims[fn->num_dims]`.
BUCKET_MUST_USE_RESULT bucket_status_t bucket_function_check_args(
    const bucket_function_info_t *fn, const bucket_tensor_t *const *args,
    int64_t *out_dims);

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
///  - a result tied to a state argument (fn->tied_results) is that
///    argument's memory, updated in place: results[i]->data is NULL (on
///    success it becomes a view of the argument, with no allocation to
///    release) or the argument's data; anything else is INVALID_ARGUMENT.
///    The state argument must have exactly its declared shape (capacity).
/// On any error every result tensor is left untouched and nothing the call
/// allocated survives it.
BUCKET_MUST_USE_RESULT bucket_status_t bucket_function_invoke(
    const bucket_function_info_t *fn, bucket_trampoline_t trampoline,
    const bucket_tensor_t *const *args, bucket_tensor_t *const *results);

/*===----------------------------------------------------------------------===*
 * Self-describing model libraries
 *
 * A shared library that exports a bucket_model_export_t (bucket/runtime_abi.h:
 * every object bucket-compile writes exports one, so `cc -shared model.o
 * -lbucket_runtime` builds such a library, as bucket_add_model(... SHARED)
 * and bucket.compile do) can be opened by path and called by function name,
 * without its header.
 *
 * Thread safety: a bucket_model_t is immutable once opened; every function
 * below may be called concurrently on one handle, except
 * bucket_model_release, which must not race with any other use of it.
 *===----------------------------------------------------------------------===*/

/// An opened model. Opaque; owned by the caller of bucket_model_open.
typedef struct bucket_model_t bucket_model_t;

/// Loads the shared library at `path` (dlopen with RTLD_NOW | RTLD_LOCAL; a
/// path without '/' is searched as dlopen searches) and reads the table it
/// exports. INVALID_ARGUMENT when the file cannot be loaded (with the
/// loader's message) or exports no table, INCOMPATIBLE when the table was
/// generated for another BUCKET_RUNTIME_ABI_VERSION, INTERNAL when it is
/// malformed. The library should link the shared runtime (libbucket_runtime)
/// so that it and the caller share one runtime. On success `*out_model` is
/// a new handle to release with bucket_model_release; on error it is left
/// untouched and the library is unloaded.
BUCKET_MUST_USE_RESULT bucket_status_t
bucket_model_open(const char *path, bucket_model_t **out_model);

/// As bucket_model_open, for the model called `model_name` (bucket-compile
/// --model-name): reads the table exported as `<model_name>_model_export`,
/// which tells apart the models of a library linked from several model
/// objects. INVALID_ARGUMENT also when `model_name` is not a C identifier
/// (of at most 242 characters) or the library has no such model.
BUCKET_MUST_USE_RESULT bucket_status_t bucket_model_open_named(
    const char *path, const char *model_name, bucket_model_t **out_model);

/// Wraps a table linked into the program (no library is loaded). `exported`
/// must outlive the handle. Same checks as bucket_model_open.
BUCKET_MUST_USE_RESULT bucket_status_t bucket_model_wrap(
    const bucket_model_export_t *exported, bucket_model_t **out_model);

/// Releases `model` and unloads its library: the tables obtained from it
/// become invalid. Result tensors delivered by bucket_model_invoke are
/// runtime memory and stay valid (release them with bucket_tensor_release).
/// NULL is allowed.
void bucket_model_release(bucket_model_t *model);

/// The model name; "" for NULL. Valid while `model` is.
const char *bucket_model_get_name(const bucket_model_t *model);

/// The model's tables; NULL for NULL. Valid while `model` is.
const bucket_model_info_t *bucket_model_get_info(const bucket_model_t *model);

/// Looks up the function called `name` (INVALID_ARGUMENT, listing the
/// functions, when there is none). `*out_fn` is valid while `model` is.
BUCKET_MUST_USE_RESULT bucket_status_t
bucket_model_get_function(const bucket_model_t *model, const char *name,
                          const bucket_function_info_t **out_fn);

/// Calls the function called `name` as bucket_function_invoke does, after
/// checking that the caller passes as many arguments and results as it has
/// (`num_args`, `num_results`; INVALID_ARGUMENT otherwise).
BUCKET_MUST_USE_RESULT bucket_status_t
bucket_model_invoke(const bucket_model_t *model, const char *name,
                    int32_t num_args, const bucket_tensor_t *const *args,
                    int32_t num_results, bucket_tensor_t *const *results);

/*===----------------------------------------------------------------------===*
 * Calling `_mlir_ciface_<name>` directly
 *===----------------------------------------------------------------------===*/

/// Writes a descriptor of BUCKET_MEMREF_WORDS(tensor->rank) words viewing
/// `tensor` (which the caller keeps owning). Writes nothing if either pointer
/// is NULL or the rank is outside [0, BUCKET_MAX_RANK].
void bucket_memref_from_tensor(const bucket_tensor_t *tensor, int64_t *desc);

/// What a dispatcher recorded when a shape fit no bucket
/// (bucket_rt_report_out_of_range).
typedef struct bucket_out_of_range_t {
  /// Index of the first symbolic dimension larger than every bucket's size
  /// for it, or -1 when each dimension fits some bucket but no single bucket
  /// fits them all.
  int64_t dim;
  int64_t value;
  int64_t max_size;
} bucket_out_of_range_t;

/// Reads and clears the calling thread's out-of-range record. Returns 1 and
/// fills `out_record` (which may be NULL) if a dispatcher reported since the
/// last call, else 0. For callers of the `_mlir_ciface_*` entry points;
/// bucket_function_invoke clears the record before calling generated code
/// and consumes it afterwards.
int bucket_take_out_of_range(bucket_out_of_range_t *out_record);

/// What a self-checking dispatcher (bucket-compile --self-check) found
/// (bucket_rt_report_self_check).
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

/// Reads and clears the calling thread's last self-check difference; returns
/// 1 if there was one since the last call, else 0.
int bucket_take_self_check(bucket_self_check_t *out_record);

/// The number of self-check differences reported in this process.
uint64_t bucket_self_check_count(void);

/*===----------------------------------------------------------------------===*
 * Telemetry (docs/Tune.md)
 *
 * Every call made through bucket_function_invoke (so every entry point of a
 * generated header) is counted per function and bucket; calls of the
 * `_mlir_ciface_*` functions directly are not. Counters are process-wide,
 * updated with relaxed atomics, and kept for up to 64 distinct functions
 * (calls of further functions are not counted).
 *
 * Environment, read at the first call:
 *  - BUCKET_STATS=1: print every function's counters to stderr at exit.
 *  - BUCKET_RECORD=shapes.csv: append each call's symbolic dimension values
 *    to that file as CSV rows (a header line of the dimension names when the
 *    file is empty), the histogram format bucket-tune reads. Only one
 *    function is recorded: BUCKET_RECORD_FUNCTION=<name>, by default the
 *    first function called. At most BUCKET_RECORD_MAX rows (default
 *    1000000) are written per process; later calls are counted as dropped.
 *    Rows are written whole under a lock and flushed at exit.
 *===----------------------------------------------------------------------===*/

/// The counters of one bucket.
typedef struct bucket_bucket_stats_t {
  /// Calls that ran in this bucket.
  uint64_t calls;
  /// The sum over those calls of the product of the symbolic dimension
  /// values (the real elements) and of the bucket's sizes (the padded
  /// elements): padded / real - 1 is the padding waste.
  uint64_t real_elements;
  uint64_t padded_elements;
} bucket_bucket_stats_t;

/// The calls of a function that fit no bucket, by the out-of-range policy
/// that took them (bucket_out_of_range_policy_t; BUCKET_OUT_OF_RANGE_ERROR
/// counts the calls that failed with OUT_OF_RANGE).
typedef struct bucket_out_of_range_stats_t {
  uint64_t calls[4];
} bucket_out_of_range_stats_t;

/// Copies the counters of bucket `bucket` (an index into fn->buckets) of
/// `fn`; zeros when the function was never called.
BUCKET_MUST_USE_RESULT bucket_status_t bucket_function_get_bucket_stats(
    const bucket_function_info_t *fn, int32_t bucket,
    bucket_bucket_stats_t *out_stats);

/// Copies the out-of-range counters of `fn`.
BUCKET_MUST_USE_RESULT bucket_status_t bucket_function_get_out_of_range_stats(
    const bucket_function_info_t *fn, bucket_out_of_range_stats_t *out_stats);

/// State arguments (docs/State.md) are updated in place and their tied
/// results handed back as the caller's own buffer: the runtime copies a state
/// only if generated code returned it in another buffer (which the compiler
/// rejects). These count, process-wide, the calls that had a state argument
/// and the bytes of state copied; the latter must stay 0.
uint64_t bucket_state_calls(void);
uint64_t bucket_state_bytes_copied(void);

/// Sets every counter to zero, the state counters included (the recorder is
/// not affected).
void bucket_stats_reset(void);

/// Prints every counted function's counters to stderr (what BUCKET_STATS=1
/// prints at exit).
void bucket_stats_print(void);

/// Writes the shape recorder's buffered rows to its file.
void bucket_record_flush(void);

/// Rows the shape recorder wrote and dropped (beyond BUCKET_RECORD_MAX or
/// after a write error) in this process.
void bucket_record_counts(uint64_t *out_written, uint64_t *out_dropped);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // BUCKET_RUNTIME_H
