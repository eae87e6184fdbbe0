/*===- bucket/runtime_abi.h - What generated code relies on ------*- C -*-===*
 *
 * What objects and headers produced by bucket-compile rely on: the tables a
 * generated header fills and an object exports (bucket_model_info_t,
 * bucket_function_info_t, bucket_value_info_t and the enumerators they hold,
 * bucket_model_export_t and its symbols), the trampolines, the layout of MLIR
 * memref descriptors, and the functions generated code calls (bucket_rt_* and
 * MLIR's allocation functions). Applications include bucket/runtime.h, which
 * includes this header; they normally need nothing here but the tables' fields.
 *
 * Versioning: BUCKET_RUNTIME_ABI_VERSION changes whenever something here
 * changes in a way that code generated for the old version would misread: a
 * struct layout, an enumerator value, BUCKET_MAX_RANK, a hook's signature or
 * meaning. Additions to bucket/runtime.h alone do not change it. The version
 * is checked twice:
 *  - at compile time: a generated header refuses to compile against a
 *    runtime header of another version (`#if BUCKET_RUNTIME_ABI_VERSION != N`);
 *  - at run time: bucket_model_check and bucket_model_lookup_function compare
 *    bucket_model_info_t::abi_version with the version the runtime library
 *    was built with (an application built against one runtime and run with
 *    another shared library). abi_version stays the first field of
 *    bucket_model_info_t in every version so that any runtime can read it.
 *
 * bucket-compile (lib/Target/ModelDescription.cpp, ModelExport.cpp and
 * HeaderEmitter.cpp) takes the version, BUCKET_MAX_RANK, the enumerators and
 * the symbol names from this header: this is their only definition.
 *===----------------------------------------------------------------------===*/

#ifndef BUCKET_RUNTIME_ABI_H
#define BUCKET_RUNTIME_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The version of everything in this header. Version 2 added
/// bucket_function_info_t::out_of_range and bucket_rt_report_self_check;
/// version 3 added bucket_function_info_t::tied_results (state arguments,
/// which changed the struct's size). A runtime of version 3 refuses models
/// of version 2 (INCOMPATIBLE): their function tables have the old layout.
#define BUCKET_RUNTIME_ABI_VERSION 3

/// The largest tensor rank the runtime's descriptions and tensors can hold.
#define BUCKET_MAX_RANK 8

/*===----------------------------------------------------------------------===*
 * Function descriptions (filled by generated headers)
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
  /// Not a type: makes every int32_t value a valid value of the enum in C++
  /// too, so a runtime that checks what a caller passed does not itself
  /// read an out-of-range enum.
  BUCKET_ELEMENT_TYPE_MAX_ENUM = 0x7fffffff,
} bucket_element_type_t;

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
  /// num_args entries: for a state argument (docs/State.md), the index of
  /// the result that returns it updated, which is the same memory; -1 for
  /// every other argument. NULL when no argument is a state. A state has a
  /// static shape (its capacity) equal to its tied result's.
  const int32_t *tied_results;
} bucket_function_info_t;

/// Everything one object file holds. A generated header defines one as
/// `<model>_model`, with abi_version = BUCKET_RUNTIME_ABI_VERSION.
typedef struct bucket_model_info_t {
  /// The ABI version the header was generated for. Always the first field.
  uint32_t abi_version;
  int32_t num_functions;
  const bucket_function_info_t *functions;
} bucket_model_info_t;

/*===----------------------------------------------------------------------===*
 * Calling generated code
 *===----------------------------------------------------------------------===*/

/// A ranked MLIR memref descriptor is {allocated, aligned, offset,
/// sizes[rank], strides[rank]}: this many 64-bit words.
#define BUCKET_MEMREF_WORDS(rank) (3 + 2 * (rank))

/// Calls the MLIR C interface of a compiled function with type-erased
/// pointers: ptrs[0] points at the result storage (MLIR's memref descriptors
/// of all results, back to back; NULL when there are no results), ptrs[1 + i]
/// at the memref descriptor of argument i. Generated headers define one per
/// function, and objects export one per function in their table.
typedef void (*bucket_trampoline_t)(void **ptrs);

/*===----------------------------------------------------------------------===*
 * Self-describing model libraries
 *===----------------------------------------------------------------------===*/

/// Every object bucket-compile writes exports its model's
/// bucket_model_export_t (unless compiled with --model-export=false), so a
/// shared library linked from the object alone (`cc -shared model.o
/// -lbucket_runtime`) is self-describing (docs/Using.md). Under two names,
/// both with default visibility:
///  - `<model>` BUCKET_MODEL_EXPORT_SUFFIX (`<model>_model_export`, where
///    <model> is bucket-compile --model-name): a strong definition.
///    bucket_model_open_named finds it by the model's name. The generated
///    header declares it, so bucket_model_wrap(&<model>_model_export, ...)
///    opens a model linked into the program.
///  - BUCKET_MODEL_EXPORT_SYMBOL (`bucket_model_export`): a weak alias of the
///    former, which bucket_model_open finds without the name. Weak, so that
///    several model objects link into one program or library; there the
///    first one linked wins, and the others are opened by name.
/// The tables are laid out for the target the object was compiled for, as
/// its C compiler lays out the structs above.
#define BUCKET_MODEL_EXPORT_SYMBOL "bucket_model_export"
#define BUCKET_MODEL_EXPORT_SUFFIX "_model_export"

/// What a model object exports: the model's tables and one trampoline per
/// function, so that a loader can describe and call the model without its
/// header. An addition to version 2 (no earlier layout changed).
typedef struct bucket_model_export_t {
  /// The ABI version the object was compiled for. Always the first field:
  /// a runtime compares it before it reads anything else.
  uint32_t abi_version;
  /// The model name (bucket-compile --model-name), a C identifier.
  const char *name;
  const bucket_model_info_t *model;
  /// model->num_functions trampolines, in the order of model->functions.
  const bucket_trampoline_t *trampolines;
} bucket_model_export_t;

/// BUCKET_DEFINE_MODEL_EXPORT: earlier versions exported the table from a C
/// file that defined this macro before including the generated header.
/// Objects export it themselves now, and a generated header defines nothing
/// for the macro: such a file still compiles and links, and adds nothing.

/// The attributes that make a bucket_model_export_t defined in C visible
/// even when the library is compiled with -fvisibility=hidden (for tables
/// written by hand, as bucket_model_wrap accepts).
#if defined(__GNUC__)
#define BUCKET_MODEL_EXPORT_ATTRIBUTES __attribute__((visibility("default")))
#else
#define BUCKET_MODEL_EXPORT_ATTRIBUTES
#endif

/*===----------------------------------------------------------------------===*
 * Hooks: functions generated code calls
 *
 * Besides these, the runtime defines `memrefCopy` (weak), which MLIR's
 * generic lowering calls for copies between non-contiguous memrefs. It is
 * not declared here because MLIR's runner utilities declare it with C++
 * types of their own.
 *===----------------------------------------------------------------------===*/

/// Called by generated dispatchers (through the MLIR C ABI) when a shape fits
/// no bucket; the dispatcher then returns results whose dynamic dimensions are
/// zero. `dim` is the index of the first symbolic dimension larger than every
/// bucket's size for it (`value` its size, `max_size` the largest bucket size
/// for it), or -1 when each dimension fits some bucket but no single bucket
/// fits them all. Records the event in a thread-local slot (a later report
/// overwrites an earlier one), which bucket_take_out_of_range reads.
void bucket_rt_report_out_of_range(int64_t dim, int64_t value,
                                   int64_t max_size);

/// Called by self-checking dispatchers (bucket-compile --self-check) when
/// result `result` of bucket `bucket` differs from the next larger bucket's
/// (`other`; -1 for the generic fallback) by up to `max_abs_diff`. Records
/// the difference in a thread-local slot (bucket_take_self_check reads it),
/// counts it, and prints one line to stderr unless the environment variable
/// BUCKET_SELF_CHECK_QUIET is set.
void bucket_rt_report_self_check(int64_t bucket, int64_t other, int64_t result,
                                 double max_abs_diff);

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

#endif // BUCKET_RUNTIME_ABI_H
