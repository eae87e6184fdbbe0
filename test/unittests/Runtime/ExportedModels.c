/*===- ExportedModels.c - A library that exports two model tables -*- C -*-===*
 *
 * Built as a shared library that ModelLibraryTest.cpp opens with dlopen:
 * two models exported as bucket-compile's objects export them, each under
 * `<model>_model_export`, and the weak `bucket_model_export` aliasing the
 * first. Each has one function f32[n] -> f32[n] that multiplies by a
 * constant (2 for `first`, 5 for `second`) in storage it allocates, as
 * generated code does.
 *===----------------------------------------------------------------------===*/

#include "bucket/runtime_abi.h"

#include <stdlib.h>

static void scale(void **ptrs, float factor) {
  int64_t *result = (int64_t *)ptrs[0];
  const int64_t *arg = (const int64_t *)ptrs[1];
  int64_t n = arg[3];
  const float *x = (const float *)(intptr_t)arg[1] + arg[2];
  float *y = (float *)malloc(sizeof(float) * (size_t)n);
  for (int64_t i = 0; i < n; ++i)
    y[i] = factor * x[i];
  result[0] = result[1] = (int64_t)(intptr_t)y;
  result[2] = 0;
  result[3] = n;
  result[4] = 1;
}

static void twice(void **ptrs) { scale(ptrs, 2); }
static void five_times(void **ptrs) { scale(ptrs, 5); }

static const bucket_value_info_t kVector[] = {
    {BUCKET_ELEMENT_F32, 1, {-1}, {-1}},
};
static const bucket_function_info_t kFirst[] = {
    {"twice", 1, kVector, 1, kVector, 0, NULL, 1, NULL, NULL, NULL},
};
static const bucket_function_info_t kSecond[] = {
    {"five_times", 1, kVector, 1, kVector, 0, NULL, 1, NULL, NULL, NULL},
};
static const bucket_model_info_t kFirstModel = {BUCKET_RUNTIME_ABI_VERSION, 1,
                                                kFirst};
static const bucket_model_info_t kSecondModel = {BUCKET_RUNTIME_ABI_VERSION, 1,
                                                 kSecond};
static const bucket_trampoline_t kFirstTrampolines[] = {twice};
static const bucket_trampoline_t kSecondTrampolines[] = {five_times};

extern BUCKET_MODEL_EXPORT_ATTRIBUTES const bucket_model_export_t
    first_model_export;
const bucket_model_export_t first_model_export = {
    BUCKET_RUNTIME_ABI_VERSION, "first", &kFirstModel, kFirstTrampolines};
extern BUCKET_MODEL_EXPORT_ATTRIBUTES const bucket_model_export_t
    second_model_export;
const bucket_model_export_t second_model_export = {
    BUCKET_RUNTIME_ABI_VERSION, "second", &kSecondModel, kSecondTrampolines};
extern BUCKET_MODEL_EXPORT_ATTRIBUTES const bucket_model_export_t
    bucket_model_export __attribute__((weak, alias("first_model_export")));
