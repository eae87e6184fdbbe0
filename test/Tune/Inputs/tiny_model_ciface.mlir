// test/e2e/Inputs/tiny_model.mlir with the C interface for the reference
// compile of record-tune-recompile.test (upstream mlir-opt exports
// _mlir_ciface_scale_rows only with llvm.emit_c_interface).

#bd = affine_map<(b, d) -> (b, d)>
#d_bd = affine_map<(b, d) -> (d)>

func.func @scale_rows(%x: tensor<?x4xf32> {bucket.dims = ["batch", ""]},
                      %g: tensor<4xf32>) -> tensor<?x3xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %batch = tensor.dim %x, %c0 : tensor<?x4xf32>
  %w = arith.constant dense<[[0.5, -1.0, 0.25],
                             [2.0, 0.75, -0.5],
                             [-1.5, 0.125, 1.0],
                             [0.0625, -2.0, 0.375]]> : tensor<4x3xf32>
  %bias = arith.constant dense<[0.1, -0.2, 0.3]> : tensor<3xf32>

  %e_x = tensor.empty(%batch) : tensor<?x4xf32>
  %xg = linalg.generic {indexing_maps = [#bd, #d_bd, #bd], iterator_types = ["parallel", "parallel"]}
      ins(%x, %g : tensor<?x4xf32>, tensor<4xf32>) outs(%e_x : tensor<?x4xf32>) {
  ^bb0(%a: f32, %s: f32, %out: f32):
    %m = arith.mulf %a, %s : f32
    linalg.yield %m : f32
  } -> tensor<?x4xf32>

  %e_y = tensor.empty(%batch) : tensor<?x3xf32>
  %init = linalg.broadcast ins(%bias : tensor<3xf32>) outs(%e_y : tensor<?x3xf32>) dimensions = [0]
  %y = linalg.matmul ins(%xg, %w : tensor<?x4xf32>, tensor<4x3xf32>)
                     outs(%init : tensor<?x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
