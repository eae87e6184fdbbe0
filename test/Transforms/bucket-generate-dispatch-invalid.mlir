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
