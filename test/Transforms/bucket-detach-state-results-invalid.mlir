// RUN: bucket-opt %s -split-input-file -verify-diagnostics \
// RUN:   -one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   -bucket-detach-state-results

// The old cache is read after the write: bufferization cannot write in
// place and copies the whole state first.
func.func @read_after_write(%x: tensor<1x4xf32>, %cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64, bufferization.writable = true})
    -> (tensor<1x4xf32>, tensor<16x4xf32>) {
  %c3 = arith.constant 3 : index
  // expected-error @below {{state argument 1 is copied here: bufferization cannot update it in place (is its old value read after it is written?)}}
  %u = tensor.insert_slice %x into %cache[%c3, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<16x4xf32>
  %old = tensor.extract_slice %cache[%c3, 0] [1, 4] [1, 1] : tensor<16x4xf32> to tensor<1x4xf32>
  return %old, %u : tensor<1x4xf32>, tensor<16x4xf32>
}

// -----

// The state is not writable (as for any argument marked read-only):
// bufferization copies it before the write.
func.func @read_only(%x: tensor<1x4xf32>, %cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 0 : i64, bufferization.writable = false})
    -> tensor<16x4xf32> {
  %c0 = arith.constant 0 : index
  // expected-error @below {{state argument 1 is copied here}}
  %u = tensor.insert_slice %x into %cache[%c0, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<16x4xf32>
  return %u : tensor<16x4xf32>
}

// -----

// The tied result is a new tensor, not the updated state.
func.func @fresh(%cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 0 : i64, bufferization.writable = true})
    -> tensor<16x4xf32> {
  %zero = arith.constant 0.0 : f32
  // expected-note @below {{the returned buffer comes from here}}
  %e = tensor.empty() : tensor<16x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16x4xf32>) -> tensor<16x4xf32>
  // expected-error @below {{result 0 is tied to state argument 0 but is not its buffer: the state would be reallocated}}
  return %f : tensor<16x4xf32>
}

// -----

// The callee returns a view of the state as another result: the caller's
// bufferization copies the state before the call.
func.func private @view(%cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64, bufferization.writable = true})
    -> (tensor<4xf32>, tensor<16x4xf32>) {
  %c0 = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %u = tensor.insert %c0 into %cache[%c1, %c1] : tensor<16x4xf32>
  %r = tensor.extract_slice %u[0, 0] [1, 4] [1, 1] : tensor<16x4xf32> to tensor<4xf32>
  return %r, %u : tensor<4xf32>, tensor<16x4xf32>
}
func.func @caller(%cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64, bufferization.writable = true}, %in: i1)
    -> (tensor<4xf32>, tensor<16x4xf32>) {
  %r:2 = scf.if %in -> (tensor<4xf32>, tensor<16x4xf32>) {
    // expected-error @below {{state argument 0 is copied here}}
    // expected-note @below {{the copy is passed to 'view': does another of its results alias the state (a slice of it returned as is)? Return a computed value instead}}
    %c:2 = func.call @view(%cache) : (tensor<16x4xf32>) -> (tensor<4xf32>, tensor<16x4xf32>)
    scf.yield %c#0, %c#1 : tensor<4xf32>, tensor<16x4xf32>
  } else {
    %e = tensor.empty() : tensor<4xf32>
    scf.yield %e, %cache : tensor<4xf32>, tensor<16x4xf32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<16x4xf32>
}
