// RUN: bucket-opt %s -split-input-file -verify-diagnostics -bucket-specialize-functions

// A state is updated once per call: policies that run the function several
// times on one call are refused. Split cannot concatenate the state result,
// which has no bucketed dimension.

// expected-error @below {{cannot split 'split' along 'n': result 1 does not have the dimension, so the chunks' results cannot be concatenated; use fallback instead}}
func.func @split(%cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64}, %x: tensor<?x4xf32> {bucket.dims = ["n", ""]})
    -> (tensor<?x4xf32>, tensor<16x4xf32>) attributes {bucket.buckets = "n=4", bucket.out_of_range = "n=split"} {
  return %x, %cache : tensor<?x4xf32>, tensor<16x4xf32>
}

// -----

// expected-error @below {{--self-check runs two buckets of 'checked' per call, but state argument 0 must be updated once per call}}
func.func @checked(%cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64}, %x: tensor<?x4xf32> {bucket.dims = ["n", ""]})
    -> (tensor<?x4xf32>, tensor<16x4xf32>) attributes {bucket.buckets = "n=4", bucket.self_check} {
  return %x, %cache : tensor<?x4xf32>, tensor<16x4xf32>
}
