// RUN: bucket-opt %s -split-input-file -bucket-verify-static-shapes -verify-diagnostics | FileCheck %s

// Static specializations pass; functions that are not specializations are
// not checked.
// CHECK-LABEL: func.func private @f_seq4
// CHECK-LABEL: func.func @f
func.func private @f_seq4(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {bucket.specialization_of = @f, bucket.bucket = array<i64: 4>} {
  return %x : tensor<4xf32>
}
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

func.func private @g_seq4(%x: tensor<4xf32>, %n: index) -> tensor<4xf32>
    attributes {bucket.specialization_of = @g, bucket.bucket = array<i64: 4>} {
  // expected-error @below {{result 0 is still dynamically shaped ('tensor<?xf32>') in the specialization 'g_seq4'; this op's shape could not be refined from the bucket sizes}}
  %e = tensor.empty(%n) : tensor<?xf32>
  return %x : tensor<4xf32>
}

// -----

// expected-error @below {{specialized function 'h_seq4' still has a dynamic signature '(tensor<?xf32>) -> tensor<?xf32>'}}
func.func private @h_seq4(%x: tensor<?xf32>) -> tensor<?xf32>
    attributes {bucket.specialization_of = @h, bucket.bucket = array<i64: 4>} {
  return %x : tensor<?xf32>
}
