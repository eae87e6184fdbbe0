/*===- IgnoredResults.c - Results that must not be ignored --------*- C -*-===*
 *
 * Never linked: MustUseResult.cmake compiles this file and expects one
 * unused-result warning per line marked MUST WARN, i.e. one for every
 * function marked BUCKET_MUST_USE_RESULT in bucket/runtime.h.
 *===----------------------------------------------------------------------===*/

#include "bucket/runtime.h"

void ignore_results(const bucket_model_info_t *model,
                    const bucket_function_info_t *fn, bucket_tensor_t *tensor,
                    bucket_trampoline_t trampoline,
                    const bucket_tensor_t *const *args,
                    bucket_tensor_t *const *results);

void ignore_results(const bucket_model_info_t *model,
                    const bucket_function_info_t *fn, bucket_tensor_t *tensor,
                    bucket_trampoline_t trampoline,
                    const bucket_tensor_t *const *args,
                    bucket_tensor_t *const *results) {
  int64_t dims[1] = {1};
  int32_t bucket = 0;
  const bucket_function_info_t *found = NULL;
  bucket_status_make(BUCKET_STATUS_INTERNAL, "dropped");         /* MUST WARN */
  bucket_element_size(BUCKET_ELEMENT_F32);                       /* MUST WARN */
  bucket_tensor_init(NULL, BUCKET_ELEMENT_F32, 1, dims, tensor); /* MUST WARN */
  bucket_tensor_num_elements(tensor);                            /* MUST WARN */
  bucket_model_check(model);                                     /* MUST WARN */
  bucket_model_lookup_function(model, "f", &found);              /* MUST WARN */
  bucket_model_find_function(model, "f");                        /* MUST WARN */
  bucket_function_select(fn, dims, &bucket);                     /* MUST WARN */
  bucket_function_check_args(fn, args, dims);                    /* MUST WARN */
  bucket_function_invoke(fn, trampoline, args, results);         /* MUST WARN */
}
