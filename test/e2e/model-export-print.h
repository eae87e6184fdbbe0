/* model-export-print.h: prints what a model's exported table describes and
 * calls its scale_rows function (Inputs/tiny_model.mlir), for the
 * model-export tests (model-export-open.c, model-export-linked.c). Reads
 * nothing but the bucket_model_t: no generated header. */
#ifndef MODEL_EXPORT_PRINT_H
#define MODEL_EXPORT_PRINT_H

#include "bucket/runtime.h"

#include <stdio.h>
#include <string.h>

static const char *const kPolicyNames[] = {"error", "fallback", "split",
                                           "truncate"};

/* `f32[batch,4]`: dynamic argument dimensions by their symbolic names, other
 * dynamic dimensions as '?'. */
static void print_value(const bucket_function_info_t *fn,
                        const bucket_value_info_t *value) {
  printf("%s[", bucket_element_type_name(value->element_type));
  for (int32_t d = 0; d < value->rank; ++d) {
    if (d)
      printf(",");
    if (value->shape[d] >= 0)
      printf("%lld", (long long)value->shape[d]);
    else if (value->dim_ids[d] >= 0 && value->dim_ids[d] < fn->num_dims)
      printf("%s", fn->dim_names[value->dim_ids[d]]);
    else
      printf("?");
  }
  printf("]");
}

static void print_function(const bucket_function_info_t *fn) {
  printf("function %s(", fn->name);
  for (int32_t i = 0; i < fn->num_args; ++i) {
    fputs(i ? ", " : "", stdout);
    print_value(fn, &fn->args[i]);
  }
  printf(") -> (");
  for (int32_t i = 0; i < fn->num_results; ++i) {
    fputs(i ? ", " : "", stdout);
    print_value(fn, &fn->results[i]);
  }
  printf(")\n  dims:");
  for (int32_t d = 0; d < fn->num_dims; ++d)
    printf(" %s", fn->dim_names[d]);
  printf("\n  buckets:");
  for (int32_t b = 0; b < fn->num_buckets && fn->buckets; ++b) {
    printf(" (");
    for (int32_t d = 0; d < fn->num_dims; ++d)
      printf("%s%lld", d ? "," : "",
             (long long)fn->buckets[b * fn->num_dims + d]);
    printf(")");
  }
  printf("\n  out_of_range:");
  for (int32_t d = 0; d < fn->num_dims; ++d) {
    int32_t policy = fn->out_of_range ? fn->out_of_range[d] : 0;
    printf(" %s=%s", fn->dim_names[d],
           policy >= 0 && policy < 4 ? kPolicyNames[policy] : "?");
  }
  printf("\n");
}

static void print_model(const bucket_model_t *model) {
  const bucket_model_info_t *info = bucket_model_get_info(model);
  printf("model %s: abi %u, %d functions\n", bucket_model_get_name(model),
         (unsigned)info->abi_version, (int)info->num_functions);
  for (int32_t i = 0; i < info->num_functions; ++i)
    print_function(&info->functions[i]);
}

/* Prints the status (and frees it); returns whether it was an error. */
static int report(const char *what, bucket_status_t status) {
  if (!status)
    return 0;
  printf("%s: %s: %s\n", what,
         bucket_status_code_name(bucket_status_code(status)),
         bucket_status_message(status));
  bucket_status_free(status);
  return 1;
}

/* Calls `name` (x: f32[batch, 4], g: f32[4]) -> f32[batch, 3] by name with
 * x[b][k] = b + 1 and g = 1, and prints the result rows. Returns non-zero on
 * error. */
static int call_rows(const bucket_model_t *model, const char *name,
                     int64_t batch) {
  static float x[64 * 4];
  static const float g[4] = {1, 1, 1, 1};
  if (batch > 64)
    return 1;
  for (int64_t b = 0; b < batch; ++b)
    for (int k = 0; k < 4; ++k)
      x[b * 4 + k] = (float)(b + 1);
  int64_t xShape[2] = {batch, 4}, gShape[1] = {4};
  bucket_tensor_t xt, gt, yt;
  memset(&yt, 0, sizeof(yt)); /* data NULL: the runtime allocates */
  if (report("init",
             bucket_tensor_init(x, BUCKET_ELEMENT_F32, 2, xShape, &xt)) ||
      report("init",
             bucket_tensor_init((void *)g, BUCKET_ELEMENT_F32, 1, gShape, &gt)))
    return 1;
  const bucket_tensor_t *args[] = {&xt, &gt};
  bucket_tensor_t *results[] = {&yt};
  if (report(name, bucket_model_invoke(model, name, 2, args, 1, results)))
    return 1;
  printf("%s batch %lld: shape [%lld, %lld]\n", name, (long long)batch,
         (long long)yt.shape[0], (long long)yt.shape[1]);
  const float *y = (const float *)yt.data;
  for (int64_t b = 0; b < yt.shape[0]; ++b)
    printf("  row %lld: %.4f %.4f %.4f\n", (long long)b, y[b * yt.strides[0]],
           y[b * yt.strides[0] + yt.strides[1]],
           y[b * yt.strides[0] + 2 * yt.strides[1]]);
  bucket_tensor_release(&yt);
  return 0;
}

#endif /* MODEL_EXPORT_PRINT_H */
