/*===- library.c - Self-describing model libraries -----------------------===*
 *
 * bucket_model_open and friends: a model's tables and trampolines read from
 * the bucket_model_export_t a shared library exports (every object
 * bucket-compile writes defines one), so that a loader (an application, the
 * Python package) describes and calls a model by function name without its
 * header.
 *===----------------------------------------------------------------------===*/

/* dlopen and dlsym are POSIX.1-2008, outside strict C11. */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct bucket_model_t {
  /* The dlopen handle; NULL for a wrapped table. */
  void *library;
  const bucket_model_export_t *exported;
};

/* The checks of bucket_model_open on the table found in a library (or given
 * to bucket_model_wrap); messages start with `caller`. */
static bucket_status_t check_export(const char *caller,
                                    const bucket_model_export_t *exported) {
  if (!exported)
    return INVALID("%s: the model table is NULL", caller);
  /* abi_version is first in every version: compare it before reading on. */
  if (exported->abi_version != (uint32_t)BUCKET_RUNTIME_ABI_VERSION)
    return bucket_status_make(
        BUCKET_STATUS_INCOMPATIBLE,
        "%s: the model was generated for bucket runtime ABI version %" PRIu32
        ", but this runtime implements version %d; recompile the model with "
        "the bucket-compile that matches this runtime",
        caller, exported->abi_version, BUCKET_RUNTIME_ABI_VERSION);
  if (!exported->name || !exported->model)
    return INTERNAL("%s: malformed model table: missing %s", caller,
                    exported->name ? "model info" : "name");
  bucket_status_t status = bucket_model_check(exported->model);
  if (status)
    return status;
  const bucket_model_info_t *model = exported->model;
  if (model->num_functions > 0 && !exported->trampolines)
    return INTERNAL("%s: malformed model table: missing trampolines", caller);
  for (int32_t i = 0; i < model->num_functions; ++i)
    if (!exported->trampolines[i])
      return INTERNAL("%s: malformed model table: no trampoline for '%s'",
                      caller, function_name(&model->functions[i]));
  return NULL;
}

static bucket_status_t new_model(void *library,
                                 const bucket_model_export_t *exported,
                                 bucket_model_t **out_model) {
  bucket_model_t *model = (bucket_model_t *)malloc(sizeof(*model));
  if (!model)
    return bucket_status_make(BUCKET_STATUS_RESOURCE_EXHAUSTED,
                              "bucket_model_open: out of memory");
  model->library = library;
  model->exported = exported;
  *out_model = model;
  return NULL;
}

/* Loads `path` and opens the table it exports under `symbol`, for
 * `caller`. */
static bucket_status_t open_symbol(const char *caller, const char *path,
                                   const char *symbol,
                                   bucket_model_t **out_model) {
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    return INVALID("%s: cannot load '%s': %s", caller, path,
                   why ? why : "unknown error");
  }
  const bucket_model_export_t *exported =
      (const bucket_model_export_t *)dlsym(library, symbol);
  bucket_status_t status;
  if (!exported)
    status = INVALID("%s: '%s' exports no model table (%s): link it from an "
                     "object compiled by bucket-compile (without "
                     "--model-export=false)",
                     caller, path, symbol);
  else
    status = check_export(caller, exported);
  if (!status)
    status = new_model(library, exported, out_model);
  if (status)
    dlclose(library);
  return status;
}

bucket_status_t bucket_model_open(const char *path,
                                  bucket_model_t **out_model) {
  static const char caller[] = "bucket_model_open";
  if (!path)
    return INVALID("%s: path is NULL", caller);
  if (!out_model)
    return INVALID("%s: out_model is NULL", caller);
  return open_symbol(caller, path, BUCKET_MODEL_EXPORT_SYMBOL, out_model);
}

/* Whether `c` may start a C identifier (ASCII, whatever the locale). */
static int is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* Whether `name` is a C identifier. */
static int is_c_identifier(const char *name) {
  if (!is_identifier_start(name[0]))
    return 0;
  for (const char *c = name; *c; ++c)
    if (!is_identifier_start(*c) && !(*c >= '0' && *c <= '9'))
      return 0;
  return 1;
}

bucket_status_t bucket_model_open_named(const char *path,
                                        const char *model_name,
                                        bucket_model_t **out_model) {
  static const char caller[] = "bucket_model_open_named";
  if (!path)
    return INVALID("%s: path is NULL", caller);
  if (!model_name)
    return INVALID("%s: model_name is NULL", caller);
  if (!out_model)
    return INVALID("%s: out_model is NULL", caller);
  static const char suffix[] = BUCKET_MODEL_EXPORT_SUFFIX;
  char symbol[256];
  size_t length = strlen(model_name);
  if (!is_c_identifier(model_name) || length + sizeof(suffix) > sizeof(symbol))
    return INVALID("%s: model name '%.64s%s' is not a C identifier of at most "
                   "%zu characters",
                   caller, model_name, length > 64 ? "..." : "",
                   sizeof(symbol) - sizeof(suffix));
  memcpy(symbol, model_name, length);
  memcpy(symbol + length, suffix, sizeof(suffix));
  return open_symbol(caller, path, symbol, out_model);
}

bucket_status_t bucket_model_wrap(const bucket_model_export_t *exported,
                                  bucket_model_t **out_model) {
  static const char caller[] = "bucket_model_wrap";
  if (!out_model)
    return INVALID("%s: out_model is NULL", caller);
  bucket_status_t status = check_export(caller, exported);
  if (status)
    return status;
  return new_model(NULL, exported, out_model);
}

void bucket_model_release(bucket_model_t *model) {
  if (!model)
    return;
  if (model->library) {
    bucket_telemetry_forget(model->exported->model);
    dlclose(model->library);
  }
  free(model);
}

const char *bucket_model_get_name(const bucket_model_t *model) {
  return model ? model->exported->name : "";
}

const bucket_model_info_t *bucket_model_get_info(const bucket_model_t *model) {
  return model ? model->exported->model : NULL;
}

/* The index of the function called `name`, or -1. */
static int32_t find_index(const bucket_model_t *model, const char *name) {
  const bucket_model_info_t *info = model->exported->model;
  for (int32_t i = 0; i < info->num_functions; ++i)
    if (!strcmp(function_name(&info->functions[i]), name))
      return i;
  return -1;
}

/* Finds `name` in `model` for `caller`: the index, or an error listing the
 * model's functions. */
static bucket_status_t lookup(const char *caller, const bucket_model_t *model,
                              const char *name, int32_t *out_index) {
  if (!model)
    return INVALID("%s: model is NULL", caller);
  if (!name)
    return INVALID("%s: function name is NULL", caller);
  int32_t index = find_index(model, name);
  if (index < 0) {
    const bucket_model_info_t *info = model->exported->model;
    bucket_text_t names = {{0}, 0};
    for (int32_t i = 0; i < info->num_functions; ++i)
      bucket_text_append(&names, "%s%s", i ? ", " : "",
                         function_name(&info->functions[i]));
    return INVALID("%s: model '%s' has no function '%s' (it has: %s)", caller,
                   model->exported->name, name,
                   info->num_functions ? names.text : "none");
  }
  *out_index = index;
  return NULL;
}

bucket_status_t
bucket_model_get_function(const bucket_model_t *model, const char *name,
                          const bucket_function_info_t **out_fn) {
  static const char caller[] = "bucket_model_get_function";
  if (!out_fn)
    return INVALID("%s: out_fn is NULL", caller);
  int32_t index;
  bucket_status_t status = lookup(caller, model, name, &index);
  if (status)
    return status;
  *out_fn = &model->exported->model->functions[index];
  return NULL;
}

bucket_status_t bucket_model_invoke(const bucket_model_t *model,
                                    const char *name, int32_t num_args,
                                    const bucket_tensor_t *const *args,
                                    int32_t num_results,
                                    bucket_tensor_t *const *results) {
  int32_t index;
  bucket_status_t status = lookup("bucket_model_invoke", model, name, &index);
  if (status)
    return status;
  const bucket_function_info_t *fn = &model->exported->model->functions[index];
  if (num_args != fn->num_args || num_results != fn->num_results)
    return INVALID("%s: expects %" PRId32 " arguments and %" PRId32
                   " results, got %" PRId32 " and %" PRId32,
                   fn->name, fn->num_args, fn->num_results, num_args,
                   num_results);
  if (num_args > 0 && !args)
    return INVALID("%s: args is NULL", fn->name);
  if (num_results > 0 && !results)
    return INVALID("%s: results is NULL", fn->name);
  return bucket_function_invoke(fn, model->exported->trampolines[index], args,
                                results);
}
