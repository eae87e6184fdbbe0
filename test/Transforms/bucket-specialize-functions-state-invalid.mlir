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

// -----

// A read past the valid length that no mask can repair: the prefix of the
// cache read at the bucket's length holds stale entries past `len`, and a
// concatenation along it would move them into the real part of the result.
func.func @stale_read(%cache: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64},
                      %positions: tensor<?xi64> {bucket.dims = ["len"]})
    -> (tensor<?x4xf32>, tensor<16x4xf32>) attributes {bucket.buckets = "len=4,8,16"} {
  %c0 = arith.constant 0 : index
  %len = tensor.dim %positions, %c0 : tensor<?xi64>
  %keys = tensor.extract_slice %cache[0, 0] [%len, 4] [1, 1] : tensor<16x4xf32> to tensor<?x4xf32>
  // expected-error @below {{'tensor.concat' concatenates along padded dimension 'len': the padding of the first input would land inside the result}}
  %both = tensor.concat dim(0) %keys, %keys : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %both, %cache : tensor<?x4xf32>, tensor<16x4xf32>
}

// -----

// A state with a batch of sequences, one cache row each, called with a
// bucketed batch: writing the bucket's batch rows at once would write the
// padded sequences' rows into rows of the state that belong to others (or
// to no one). Writing one sequence at a time in a loop to the batch size is
// accepted (test/e2e/state-batch-decode.mlir).
func.func @batch_rows(%x: tensor<?x4xf32> {bucket.dims = ["batch", ""]},
                      %cache: tensor<4x16x4xf32> {bucket.state, bucket.tied_result = 1 : i64},
                      %positions: tensor<?xi64> {bucket.dims = ["len"]})
    -> (tensor<?x4xf32>, tensor<4x16x4xf32>) attributes {bucket.buckets = "batch=1,2,4;len=4,8,16"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x4xf32>
  %len = tensor.dim %positions, %c0 : tensor<?xi64>
  %pos = arith.subi %len, %c1 : index
  // expected-error @below {{cannot prove that padding dimension 'batch' is safe: an insertion that would place padding inside the real part of the destination (insert one position at a time in an scf.for up to the size: each bucket runs it to the real size)}}
  %upd = tensor.insert_slice %x into %cache[0, %pos, 0] [%b, 1, 4] [1, 1, 1] : tensor<?x4xf32> into tensor<4x16x4xf32>
  return %x, %upd : tensor<?x4xf32>, tensor<4x16x4xf32>
}
