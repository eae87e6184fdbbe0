// A model whose mask declaration does not hold (self-check.mlir's): the
// scores are far below -10000, so in every bucket with padding the -10000 of
// a padded position wins the max. With --self-check, a call whose bucket
// has no padding but whose check bucket has (or the reverse) reports a
// difference; concurrent-calls.c predicts which calls do.

#s  = affine_map<(s) -> (s)>
#s0 = affine_map<(s) -> ()>

func.func @masked_max(%x: tensor<?xf32> {bucket.dims = ["seq"]},
                      %mask: tensor<?xi64> {bucket.dims = ["seq"], bucket.mask})
    -> tensor<f32> {
  %one = arith.constant 1.0 : f32
  %big = arith.constant -10000.0 : f32
  %scale = arith.constant 20000.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [#s, #s, #s0], iterator_types = ["reduction"]}
      ins(%x, %mask : tensor<?xf32>, tensor<?xi64>) outs(%init : tensor<f32>) {
  ^bb0(%v: f32, %m: i64, %acc: f32):
    %mf = arith.sitofp %m : i64 to f32
    %p = arith.subf %one, %mf : f32
    %b = arith.mulf %p, %big : f32
    %sv = arith.mulf %v, %scale : f32
    %sc = arith.addf %sv, %b : f32
    %mx = arith.maximumf %acc, %sc : f32
    linalg.yield %mx : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
