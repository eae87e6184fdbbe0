// RUN: bucket-opt %s -split-input-file -bucket-verify-bucketized -verify-diagnostics | FileCheck %s

// A dispatcher with a static specialization, a fallback, and a static public
// function: the contract holds.
// CHECK-LABEL: func.func @f(
// CHECK-LABEL: func.func @already_static(
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> attributes {bucket.dispatcher} {
  return %x : tensor<?xf32>
}
func.func private @f_n4(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {bucket.specialization_of = @f, bucket.bucket = array<i64: 4>} {
  return %x : tensor<4xf32>
}
func.func private @f_fallback(%x: tensor<?xf32>) -> tensor<?xf32>
    attributes {bucket.fallback_of = @f} {
  return %x : tensor<?xf32>
}
func.func @already_static(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// expected-error @below {{public function 'not_bucketed' has dynamic arguments but was not bucketed}}
func.func @not_bucketed(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{dispatcher 'lonely' has no specialization}}
func.func @lonely(%x: tensor<?xf32>) -> tensor<?xf32> attributes {bucket.dispatcher} {
  return %x : tensor<?xf32>
}

// -----

func.func @g(%x: tensor<?xf32>) -> tensor<?xf32> attributes {bucket.dispatcher} {
  return %x : tensor<?xf32>
}
// expected-error @below {{specialization 'g_n4' has a dynamic signature '(tensor<?xf32>) -> tensor<4xf32>'}}
func.func private @g_n4(%x: tensor<?xf32>) -> tensor<4xf32>
    attributes {bucket.specialization_of = @g, bucket.bucket = array<i64: 4>} {
  %c = tensor.cast %x : tensor<?xf32> to tensor<4xf32>
  return %c : tensor<4xf32>
}

// -----

// expected-error @below {{'orphan_n4' must be a private function of a dispatcher (bucket.specialization_of = @missing)}}
func.func private @orphan_n4(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {bucket.specialization_of = @missing, bucket.bucket = array<i64: 4>} {
  return %x : tensor<4xf32>
}
