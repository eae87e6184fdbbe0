// RUN: bucket-opt %s -bucket-bucketize="buckets=N=2" -verify-diagnostics -o /dev/null

// The error is at the op it describes. Canonicalizing before the analyses
// moved the reshape above the fill (collapse(fill(empty)) ->
// fill(collapse(empty))) under the fill's location, so the refusal of the
// reshape pointed at the fill.
func.func @located_at_the_reshape(%x: tensor<4x?xf32> {bucket.dims = ["", "N"]}) -> tensor<?xf32> {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c1 : tensor<4x?xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<4x?xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x?xf32>) -> tensor<4x?xf32>
  // expected-error @below {{cannot prove that padding dimension 'N' is safe: a reshape that merges a padded dimension with outer or dynamic dimensions}}
  %c = tensor.collapse_shape %f [[0, 1]] : tensor<4x?xf32> into tensor<?xf32>
  return %c : tensor<?xf32>
}
