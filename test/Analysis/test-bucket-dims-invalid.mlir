// RUN: bucket-opt %s -split-input-file -test-bucket-dims -verify-diagnostics -o /dev/null

// A result whose size is read from the data cannot be bucketed.
func.func @data_dependent(%x: tensor<?xf32>, %n: tensor<i64>) -> tensor<?xf32> {
  // expected-error @below {{a result dimension of 'data_dependent' depends on the data this op reads; data-dependent result shapes cannot be bucketed}}
  %v = tensor.extract %n[] : tensor<i64>
  %i = arith.index_cast %v : i64 to index
  %e = tensor.empty(%i) : tensor<?xf32>
  return %e : tensor<?xf32>
}

// -----

// One name for two dimensions that nothing says are equal.
// expected-error @below {{the name 'seq' is given to two dimensions that are not provably equal}}
func.func @name_clash(%a: tensor<?xf32> {bucket.dims = ["seq"]},
                      %b: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32> {
  return %a : tensor<?xf32>
}

// -----

// A dynamic argument dimension the ops pin to a static size.
// expected-error @below {{dynamic dimension 0 of argument 0 can only be 8; declare it static}}
func.func @tied_to_static(%a: tensor<?xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  // expected-note @below {{tied to 8 here}}
  %r = linalg.add ins(%a, %b : tensor<?xf32>, tensor<8xf32>)
                  outs(%b : tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// expected-error @below {{'bucket.dims' of argument 0 has 1 entries but the argument has rank 2}}
func.func @bad_names(%a: tensor<?x?xf32> {bucket.dims = ["seq"]}) -> tensor<?x?xf32> {
  return %a : tensor<?x?xf32>
}

// -----

// expected-error @below {{'bucket.dims' of argument 0 must hold strings}}
func.func @bad_names_type(%a: tensor<?xf32> {bucket.dims = [1]}) -> tensor<?xf32> {
  return %a : tensor<?xf32>
}

// -----

// A callee's result shape cannot be followed back to the arguments.
func.func private @opaque(tensor<?xf32>) -> tensor<?xf32>
func.func @through_call(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @below {{cannot compute the shape of this value from the argument shapes, and a result dimension of 'through_call' depends on it}}
  %r = func.call @opaque(%x) : (tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// The index of tensor.dim is an operand, so an out-of-range constant passes
// the verifier; it is an error here, not a crash.
func.func @dim_index_negative(%x: tensor<?xf32> {bucket.dims = ["N"]}) -> tensor<?xf32> {
  %c = arith.constant -1 : index
  // expected-error @below {{reads dimension -1 of a tensor of rank 1 ('tensor<?xf32>'): no such dimension}}
  %d = tensor.dim %x, %c : tensor<?xf32>
  %e = tensor.empty(%d) : tensor<?xf32>
  %r = linalg.copy ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

func.func @dim_index_too_large(%x: tensor<?x4xf32>) -> index {
  %c = arith.constant 99999999 : index
  // expected-error @below {{reads dimension 99999999 of a tensor of rank 2 ('tensor<?x4xf32>'): no such dimension}}
  %d = tensor.dim %x, %c : tensor<?x4xf32>
  return %d : index
}

// -----

// Two ops tie one dynamic dimension to 4 and to 8: no size satisfies both,
// so the function is invalid (each op verifies on its own).
func.func @static_conflict(%a: tensor<?xf32>, %b: tensor<4xf32>, %c: tensor<8xf32>) -> tensor<8xf32> {
  %s = linalg.add ins(%a, %b : tensor<?xf32>, tensor<4xf32>)
                  outs(%b : tensor<4xf32>) -> tensor<4xf32>
  // expected-error @below {{this op requires two different static sizes to be equal; the function is invalid}}
  %r = linalg.add ins(%a, %c : tensor<?xf32>, tensor<8xf32>)
                  outs(%c : tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}
