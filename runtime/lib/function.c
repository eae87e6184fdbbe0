/*===- function.c - Models, argument checks and bucket selection --*- C -*-===*
 *
 * Reading the tables a generated header defines: checking a model against
 * the runtime's ABI version, finding its functions, validating arguments
 * against a function's signature, and choosing the bucket for a shape.
 *===----------------------------------------------------------------------===*/

#include "internal.h"

#include <inttypes.h>
#include <string.h>

/*===----------------------------------------------------------------------===*
 * Function descriptions
 *===----------------------------------------------------------------------===*/

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

/* A state argument is static, and its tied result a distinct result of the
 * same type and shape. */
static bucket_status_t check_state_info(const bucket_function_info_t *fn,
                                        int32_t i) {
  const char *name = function_name(fn);
  int32_t r = fn->tied_results[i];
  if (r == -1)
    return NULL;
  if (r < 0 || r >= fn->num_results)
    return INTERNAL("%s: malformed function info: argument %" PRId32
                    " is tied to result %" PRId32,
                    name, i, r);
  const bucket_value_info_t *arg = &fn->args[i], *result = &fn->results[r];
  int same =
      arg->element_type == result->element_type && arg->rank == result->rank;
  for (int32_t d = 0; same && d < arg->rank; ++d)
    same = arg->shape[d] >= 0 && arg->shape[d] == result->shape[d];
  if (!same)
    return INTERNAL("%s: malformed function info: state argument %" PRId32
                    " and its result %" PRId32 " differ or are not static",
                    name, i, r);
  for (int32_t j = 0; j < i; ++j)
    if (fn->tied_results[j] == r)
      return INTERNAL("%s: malformed function info: arguments %" PRId32
                      " and %" PRId32 " are tied to result %" PRId32,
                      name, j, i, r);
  return NULL;
}

bucket_status_t bucket_check_function_info(const bucket_function_info_t *fn) {
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
  for (int32_t i = 0; fn->tied_results && i < fn->num_args; ++i) {
    bucket_status_t status = check_state_info(fn, i);
    if (status)
      return status;
  }
  return NULL;
}

/*===----------------------------------------------------------------------===*
 * Models
 *===----------------------------------------------------------------------===*/

/* Whether the runtime can read `model` at all: abi_version is the one field
 * every version lays out the same way, so nothing else is read before it has
 * been compared. */
static int model_is_compatible(const bucket_model_info_t *model) {
  return model->abi_version == (uint32_t)BUCKET_RUNTIME_ABI_VERSION;
}

/* The checks of bucket_model_check; messages start with `caller`. */
static bucket_status_t check_model(const char *caller,
                                   const bucket_model_info_t *model) {
  if (!model)
    return INVALID("%s: model is NULL", caller);
  if (!model_is_compatible(model))
    return bucket_status_make(
        BUCKET_STATUS_INCOMPATIBLE,
        "%s: the model was generated for bucket runtime ABI version %" PRIu32
        ", but this runtime implements version %d; compile the model with the "
        "bucket-compile that matches the runtime library, or link the runtime "
        "it was generated for",
        caller, model->abi_version, BUCKET_RUNTIME_ABI_VERSION);
  if (model->num_functions < 0)
    return INTERNAL("%s: malformed model info: %" PRId32 " functions", caller,
                    model->num_functions);
  if (model->num_functions > 0 && !model->functions)
    return INTERNAL("%s: malformed model info: missing function table", caller);
  for (int32_t i = 0; i < model->num_functions; ++i) {
    bucket_status_t status = bucket_check_function_info(&model->functions[i]);
    if (status)
      return status;
  }
  return NULL;
}

/* The function called `name` in a compatible `model`, or NULL. */
static const bucket_function_info_t *
find_function(const bucket_model_info_t *model, const char *name) {
  for (int32_t i = 0; model->functions && i < model->num_functions; ++i) {
    const bucket_function_info_t *fn = &model->functions[i];
    if (fn->name && !strcmp(fn->name, name))
      return fn;
  }
  return NULL;
}

bucket_status_t bucket_model_check(const bucket_model_info_t *model) {
  return check_model("bucket_model_check", model);
}

bucket_status_t
bucket_model_lookup_function(const bucket_model_info_t *model, const char *name,
                             const bucket_function_info_t **out_fn) {
  static const char caller[] = "bucket_model_lookup_function";
  bucket_status_t status = check_model(caller, model);
  if (status)
    return status;
  if (!name)
    return INVALID("%s: name is NULL", caller);
  if (!out_fn)
    return INVALID("%s: out_fn is NULL", caller);
  const bucket_function_info_t *fn = find_function(model, name);
  if (!fn) {
    bucket_text_t names = {{0}, 0};
    for (int32_t i = 0; i < model->num_functions; ++i)
      bucket_text_append(&names, "%s%s", i ? ", " : "",
                         function_name(&model->functions[i]));
    return INVALID("%s: the model has no function '%s' (it has: %s)", caller,
                   name, model->num_functions ? names.text : "none");
  }
  *out_fn = fn;
  return NULL;
}

const bucket_function_info_t *
bucket_model_find_function(const bucket_model_info_t *model, const char *name) {
  if (!model || !name || !model_is_compatible(model))
    return NULL;
  return find_function(model, name);
}

/*===----------------------------------------------------------------------===*
 * Arguments
 *===----------------------------------------------------------------------===*/

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

/* Checks the sizes of argument i (whose rank matches) against its static
 * sizes, and binds its symbolic dimensions in `dims` (0: not bound yet). */
bucket_status_t check_rank_and_type(const bucket_function_info_t *fn,
                                    const char *what, int32_t i,
                                    const bucket_tensor_t *tensor,
                                    const bucket_value_info_t *info) {
  const char *name = function_name(fn);
  if (!rank_in_range(tensor->rank))
    return INVALID("%s: %s %" PRId32 " has rank %" PRId32 ", outside [0, %d]",
                   name, what, i, tensor->rank, BUCKET_MAX_RANK);
  if (tensor->rank != info->rank)
    return INVALID("%s: %s %" PRId32 " has rank %" PRId32 ", expected %" PRId32,
                   name, what, i, tensor->rank, info->rank);
  if (tensor->element_type != info->element_type)
    return INVALID("%s: %s %" PRId32 " has element type %s, expected %s", name,
                   what, i, bucket_element_type_name(tensor->element_type),
                   bucket_element_type_name(info->element_type));
  return NULL;
}

static bucket_status_t check_arg_sizes(const bucket_function_info_t *fn,
                                       const bucket_tensor_t *tensor, int32_t i,
                                       int64_t *dims) {
  const char *name = function_name(fn);
  const bucket_value_info_t *info = &fn->args[i];
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
  return NULL;
}

/* A state is the caller's buffer of the declared capacity, updated in place:
 * any other shape is refused with both shapes (never truncated or padded). */
static bucket_status_t check_state_capacity(const bucket_function_info_t *fn,
                                            const bucket_tensor_t *tensor,
                                            int32_t i) {
  const bucket_value_info_t *info = &fn->args[i];
  for (int32_t d = 0; d < info->rank; ++d) {
    if (tensor->shape[d] == info->shape[d])
      continue;
    bucket_text_t expected = {{0}, 0}, actual = {{0}, 0};
    bucket_text_shape(&expected, info->shape, info->rank);
    bucket_text_shape(&actual, tensor->shape, tensor->rank);
    return INVALID("%s: state argument %" PRId32
                   " has shape %s, expected its capacity %s",
                   function_name(fn), i, actual.text, expected.text);
  }
  return NULL;
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
  int state = tied_result_of(fn, i) >= 0;
  bucket_status_t status = check_rank_and_type(
      fn, state ? "state argument" : "argument", i, tensor, info);
  if (status)
    return status;
  if (state && (status = check_state_capacity(fn, tensor, i)))
    return status;
  status = check_arg_sizes(fn, tensor, i, dims);
  if (status)
    return status;

  if (bucket_count_elements(tensor->shape, tensor->rank) < 0)
    return INVALID("%s: argument %" PRId32 " has too many elements", name, i);
  int64_t expected = 0;
  int32_t bad = bucket_find_noncontiguous_dim(tensor->shape, tensor->strides,
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
  bucket_status_t status = bucket_check_function_info(fn);
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

/*===----------------------------------------------------------------------===*
 * Bucket selection
 *===----------------------------------------------------------------------===*/

bucket_status_t bucket_out_of_range_status(const bucket_function_info_t *fn,
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
  bucket_text_t list = {{0}, 0};
  for (int32_t k = 0; k < fn->num_dims; ++k)
    bucket_text_append(&list, "%s%s=%" PRId64, k ? ", " : "", dim_name(fn, k),
                       dims[k]);
  return bucket_status_make(BUCKET_STATUS_OUT_OF_RANGE,
                            "%s: no bucket fits (%s)", name, list.text);
}

/* The OUT_OF_RANGE status for `dims`, which no row of the table fits: blames
 * the first dimension that no bucket can hold, if there is one. */
static bucket_status_t no_bucket_fits(const bucket_function_info_t *fn,
                                      const int64_t *dims) {
  for (int32_t k = 0; k < fn->num_dims && fn->num_buckets > 0; ++k) {
    int64_t max_size = fn->buckets[k];
    for (int32_t b = 1; b < fn->num_buckets; ++b) {
      int64_t size = fn->buckets[(size_t)b * (size_t)fn->num_dims + (size_t)k];
      if (size > max_size)
        max_size = size;
    }
    if (dims[k] > max_size)
      return bucket_out_of_range_status(fn, dims, k, dims[k], max_size);
  }
  return bucket_out_of_range_status(fn, dims, -1, 0, 0);
}

bucket_status_t bucket_function_select(const bucket_function_info_t *fn,
                                       const int64_t *dims,
                                       int32_t *out_bucket) {
  if (!fn)
    return INVALID("bucket_function_select: fn is NULL");
  bucket_status_t status = bucket_check_function_info(fn);
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
  return no_bucket_fits(fn, dims);
}
