// RUN: bucket-opt %s -split-input-file -bucket-generate-dispatch -verify-diagnostics -o /dev/null

// A specialization whose original function does not exist.
// expected-error @below {{specialization of unknown function "missing"}}
func.func private @orphan_seq4(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {bucket.specialization_of = @missing, bucket.bucket = array<i64: 4>} {
  return %x : tensor<4xf32>
}

// -----

// A function with specializations but without the table
// bucket-specialize-functions writes.
// expected-error @below {{missing or inconsistent bucket table; run bucket-specialize-functions first}}
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
func.func private @f_seq4(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {bucket.specialization_of = @f, bucket.bucket = array<i64: 4>} {
  return %x : tensor<4xf32>
}

// -----

// A table whose symbolic dimension no argument carries.
// expected-error @below {{a symbolic dimension has no argument to read it from}}
func.func @g(%x: tensor<?xf32>) -> tensor<?xf32>
    attributes {bucket.dim_names = ["seq"], bucket.bucket_table = [array<i64: 4>]} {
  return %x : tensor<?xf32>
}
func.func private @g_seq4(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {bucket.specialization_of = @g, bucket.bucket = array<i64: 4>} {
  return %x : tensor<4xf32>
}

// -----

// A fallback policy without the fallback function (which
// bucket-specialize-functions creates).
// expected-error @below {{the fallback policy and the self-check need a 'bucket.fallback' function}}
func.func @no_fallback(%x: tensor<?xf32> {bucket.dim_ids = array<i32: 0>}) -> tensor<?xf32>
    attributes {bucket.bucket_table = [array<i64: 4>], bucket.dim_names = ["n"],
                bucket.policies = ["fallback"]} {
  return %x : tensor<?xf32>
}
func.func private @no_fallback_n4(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {bucket.bucket = array<i64: 4>, bucket.specialization_of = @no_fallback} {
  return %x : tensor<4xf32>
}

// -----

// expected-error @below {{invalid out-of-range policy "wrap"}}
func.func @bad_policy(%x: tensor<?xf32> {bucket.dim_ids = array<i32: 0>}) -> tensor<?xf32>
    attributes {bucket.bucket_table = [array<i64: 4>], bucket.dim_names = ["n"],
                bucket.policies = ["wrap"]} {
  return %x : tensor<?xf32>
}
func.func private @bad_policy_n4(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {bucket.bucket = array<i64: 4>, bucket.specialization_of = @bad_policy} {
  return %x : tensor<4xf32>
}

// -----

// expected-error @below {{'bucket.policies' needs 1 entries}}
func.func @short_policies(%x: tensor<?xf32> {bucket.dim_ids = array<i32: 0>}) -> tensor<?xf32>
    attributes {bucket.bucket_table = [array<i64: 4>], bucket.dim_names = ["n"],
                bucket.policies = []} {
  return %x : tensor<?xf32>
}
func.func private @short_policies_n4(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {bucket.bucket = array<i64: 4>, bucket.specialization_of = @short_policies} {
  return %x : tensor<4xf32>
}

// -----

// expected-error @below {{unknown fallback function @missing}}
func.func @unknown_fallback(%x: tensor<?xf32> {bucket.dim_ids = array<i32: 0>}) -> tensor<?xf32>
    attributes {bucket.bucket_table = [array<i64: 4>], bucket.dim_names = ["n"],
                bucket.fallback = @missing} {
  return %x : tensor<?xf32>
}
func.func private @unknown_fallback_n4(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {bucket.bucket = array<i64: 4>, bucket.specialization_of = @unknown_fallback} {
  return %x : tensor<4xf32>
}

// -----

// A split concatenates the chunks' results: a scalar result has nothing to
// concatenate.
// expected-error @below {{the 'split' policy concatenates results along the split dimension, but result 1 is a scalar}}
func.func @split_scalar(%x: tensor<?xf32> {bucket.dim_ids = array<i32: 0>}, %s: f32) -> (tensor<?xf32>, f32)
    attributes {bucket.bucket_table = [array<i64: 4>], bucket.dim_names = ["n"], bucket.policies = ["split"]} {
  return %x, %s : tensor<?xf32>, f32
}
func.func private @split_scalar_n4(%x: tensor<4xf32>, %s: f32) -> (tensor<4xf32>, f32)
    attributes {bucket.specialization_of = @split_scalar, bucket.bucket = array<i64: 4>} {
  return %x, %s : tensor<4xf32>, f32
}

// -----

// Results other than ranked tensors and scalars cannot be cropped or
// returned out of range.
// expected-error @below {{result 0 has type 'vector<4xf32>'; a bucketed function returns ranked tensors and integer, index or float scalars}}
func.func @vector_result(%x: tensor<?xf32> {bucket.dim_ids = array<i32: 0>}, %v: vector<4xf32>) -> vector<4xf32>
    attributes {bucket.bucket_table = [array<i64: 4>], bucket.dim_names = ["n"]} {
  return %v : vector<4xf32>
}
func.func private @vector_result_n4(%x: tensor<4xf32>, %v: vector<4xf32>) -> vector<4xf32>
    attributes {bucket.specialization_of = @vector_result, bucket.bucket = array<i64: 4>} {
  return %v : vector<4xf32>
}
