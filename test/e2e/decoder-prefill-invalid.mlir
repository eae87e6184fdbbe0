// How a prefill may store a padded prompt's rows into a state (the example
// decoder, examples/decoder/README.md): one position at a time, in a loop
// from 0 to the prompt length, which each bucket runs to the real length.
// Every other way writes or reads the bucket's padded positions and is
// refused at the op.

// RUN: bucket-opt %s -split-input-file -verify-diagnostics \
// RUN:   -bucket-specialize-functions -o /dev/null

#id = affine_map<(i, j) -> (i, j)>

// The accepted form: the loop's bound gets the real size (run end to end in
// decoder-generate.test).
func.func @rows(%x: tensor<?x4xf32> {bucket.dims = ["prompt", ""]},
                %cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64})
    -> (tensor<1x4xf32>, tensor<16x4xf32>) attributes {bucket.buckets = "prompt=4,8"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %k = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    linalg.yield %t : f32
  } -> tensor<?x4xf32>
  %stored = scf.for %i = %c0 to %n step %c1 iter_args(%c = %cache) -> (tensor<16x4xf32>) {
    %row = tensor.extract_slice %k[%i, 0] [1, 4] [1, 1] : tensor<?x4xf32> to tensor<1x4xf32>
    %put = tensor.insert_slice %row into %c[%i, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<16x4xf32>
    scf.yield %put : tensor<16x4xf32>
  }
  %last = arith.subi %n, %c1 : index
  %r = tensor.extract_slice %k[%last, 0] [1, 4] [1, 1] : tensor<?x4xf32> to tensor<1x4xf32>
  return %r, %stored : tensor<1x4xf32>, tensor<16x4xf32>
}

// -----

// The whole block at once writes the bucket's rows past the valid length.
func.func @block(%x: tensor<?x4xf32> {bucket.dims = ["prompt", ""]},
                 %cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 0 : i64})
    -> tensor<16x4xf32> attributes {bucket.buckets = "prompt=4,8"} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  // expected-error @below {{cannot prove that padding dimension 'prompt' is safe: an insertion that would place padding inside the real part of the destination}}
  %r = tensor.insert_slice %x into %cache[0, 0] [%n, 4] [1, 1] : tensor<?x4xf32> into tensor<16x4xf32>
  return %r : tensor<16x4xf32>
}

// -----

// Two positions per iteration: the second one is padding at the last.
func.func @two_rows(%x: tensor<?x4xf32> {bucket.dims = ["prompt", ""]},
                    %cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 0 : i64})
    -> tensor<16x4xf32> attributes {bucket.buckets = "prompt=4,8"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  // expected-error @below {{cannot prove that padding dimension 'prompt' is safe: 'scf.for' reads a padded tensor other than one position at its induction variable, in a loop from 0 to the real size}}
  %stored = scf.for %i = %c0 to %n step %c1 iter_args(%c = %cache) -> (tensor<16x4xf32>) {
    %rows = tensor.extract_slice %x[%i, 0] [2, 4] [1, 1] : tensor<?x4xf32> to tensor<2x4xf32>
    %put = tensor.insert_slice %rows into %c[%i, 0] [2, 4] [1, 1] : tensor<2x4xf32> into tensor<16x4xf32>
    scf.yield %put : tensor<16x4xf32>
  }
  return %stored : tensor<16x4xf32>
}

// -----

// A loop to a constant reads the padded positions of a short prompt.
func.func @fixed_bound(%x: tensor<?x4xf32> {bucket.dims = ["prompt", ""]},
                       %cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 0 : i64})
    -> tensor<16x4xf32> attributes {bucket.buckets = "prompt=4,8"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error @below {{cannot prove that padding dimension 'prompt' is safe: 'scf.for' reads a padded tensor other than one position at its induction variable, in a loop from 0 to the real size}}
  %stored = scf.for %i = %c0 to %c4 step %c1 iter_args(%c = %cache) -> (tensor<16x4xf32>) {
    %row = tensor.extract_slice %x[%i, 0] [1, 4] [1, 1] : tensor<?x4xf32> to tensor<1x4xf32>
    %put = tensor.insert_slice %row into %c[%i, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<16x4xf32>
    scf.yield %put : tensor<16x4xf32>
  }
  return %stored : tensor<16x4xf32>
}
