// The reference for out-of-range-truncate-grid.mlir: the sum of
// x[0:min(b, 4), 0:min(s, 8)], cropped by hand in both dimensions.

#bs = affine_map<(b, s) -> (b, s)>
#s0 = affine_map<(b, s) -> ()>

func.func @gridsum(%x: tensor<?x?xf32>) -> tensor<f32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %b = tensor.dim %x, %c0 : tensor<?x?xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?xf32>
  %bt = arith.minui %b, %c4 : index
  %st = arith.minui %s, %c8 : index
  %xt = tensor.extract_slice %x[0, 0] [%bt, %st] [1, 1] : tensor<?x?xf32> to tensor<?x?xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.generic {indexing_maps = [#bs, #s0], iterator_types = ["reduction", "reduction"]}
      ins(%xt : tensor<?x?xf32>) outs(%init : tensor<f32>) {
  ^bb0(%v: f32, %acc: f32):
    %a = arith.addf %acc, %v : f32
    linalg.yield %a : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}
