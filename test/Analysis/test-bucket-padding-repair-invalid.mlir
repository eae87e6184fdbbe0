// RUN: bucket-opt %s -split-input-file -test-bucket-padding=repair=true -verify-diagnostics -o /dev/null

// What --padding=repair still refuses: what no mask fixes, with the same
// located diagnostics as --padding=prove.

// Concatenating along a padded dimension puts the first input's padding in
// the middle of the result: no mask moves it.
func.func @concat(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @below {{'tensor.concat' concatenates along padded dimension 'arg0.0': the padding of the first input would land inside the result; compile without bucketing this dimension}}
  %r = tensor.concat dim(0) %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A padded reduction loop inside a window expression: the window reads
// padded positions at real iterations.
#win_in  = affine_map<(i, k) -> (i + k)>
#win_k   = affine_map<(i, k) -> (k)>
#win_out = affine_map<(i, k) -> (i)>
func.func @window_over_padded_reduction(%x: tensor<?xf32>, %w: tensor<?xf32>) -> tensor<4xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  // expected-error @below {{cannot prove that padding dimension 'arg1.0' is safe: a padded reduction loop in an indexing expression}}
  %r = linalg.generic {indexing_maps = [#win_in, #win_k, #win_out], iterator_types = ["parallel", "reduction"]}
      ins(%x, %w : tensor<?xf32>, tensor<?xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A named reduction whose combiner has no neutral element: no pad value and
// no mask value leaves its accumulator unchanged.
func.func @reduce_by_subtraction(%x: tensor<?xf32> {bucket.dims = ["n"]}) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  // expected-error @below {{'linalg.reduce' reduces over padded dimension 'n'}}
  %r = linalg.reduce ins(%x : tensor<?xf32>) outs(%f : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.subf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}

