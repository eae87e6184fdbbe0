/*===- AbiTables.c - A model written in C against runtime_abi.h ---*- C -*-===*
 *
 * The tables a generated header defines, written by hand and compiled as C
 * with bucket/runtime_abi.h alone: shows that the ABI header stands on its
 * own, and (read by RuntimeTest.cpp) that C and C++ lay the tables out alike.
 *===----------------------------------------------------------------------===*/

#include "bucket/runtime_abi.h"

/* c_scale(x: f32[n]) -> f32[n]; buckets n in {4, 16}; split beyond them. */
static const char *const c_scale_dim_names[] = {"n"};
static const int64_t c_scale_buckets[] = {4, 16};
static const int32_t c_scale_out_of_range[] = {BUCKET_OUT_OF_RANGE_SPLIT};
static const bucket_value_info_t c_scale_args[] = {
    {BUCKET_ELEMENT_F32, 1, {-1}, {0}},
};
static const bucket_value_info_t c_scale_results[] = {
    {BUCKET_ELEMENT_F32, 1, {-1}, {-1}},
};
static const bucket_function_info_t c_functions[] = {
    {"c_scale", 1, c_scale_args, 1, c_scale_results, 1, c_scale_dim_names, 2,
     c_scale_buckets, c_scale_out_of_range, NULL},
};

extern const bucket_model_info_t bucket_test_c_model;
const bucket_model_info_t bucket_test_c_model = {BUCKET_RUNTIME_ABI_VERSION, 1,
                                                 c_functions};
