// The reference for out-of-range-truncate-two.mlir: the column sums of x * y
// over the first min(seq, 8) rows of both, written out by hand.

#rd = affine_map<(r, d) -> (r, d)>
#d  = affine_map<(r, d) -> (d)>

func.func @coldot(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> tensor<4xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %m = arith.minui %n, %c8 : index
  %xt = tensor.extract_slice %x[0, 0] [%m, 4] [1, 1] : tensor<?x4xf32> to tensor<?x4xf32>
  %yt = tensor.extract_slice %y[0, 0] [%m, 4] [1, 1] : tensor<?x4xf32> to tensor<?x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#rd, #rd, #d], iterator_types = ["reduction", "parallel"]}
      ins(%xt, %yt : tensor<?x4xf32>, tensor<?x4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
