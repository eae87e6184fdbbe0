// y[b, j] = sum_k x[b, k] * w[k, j] + 1, with a dynamic batch: the model of
// the consumer example (examples/consumer/main.c recomputes it).
func.func @rows(%x: tensor<?x2xf32> {bucket.dims = ["batch", ""]})
    -> tensor<?x2xf32> {
  %c0 = arith.constant 0 : index
  %batch = tensor.dim %x, %c0 : tensor<?x2xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %one = arith.constant 1.0 : f32
  %e = tensor.empty(%batch) : tensor<?x2xf32>
  %init = linalg.fill ins(%one : f32) outs(%e : tensor<?x2xf32>) -> tensor<?x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x2xf32>, tensor<2x2xf32>)
                     outs(%init : tensor<?x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
