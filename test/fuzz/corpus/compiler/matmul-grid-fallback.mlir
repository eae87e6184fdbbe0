// bucket-bucketize: buckets=b=1,4;s=8,16 out-of-range=fallback self-check=true
func.func @mm(%a: tensor<?x?xf32> {bucket.dims = ["b", "s"]},
              %w: tensor<?x8xf32> {bucket.dims = ["s", ""]}) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %a, %c0 : tensor<?x?xf32>
  %e = tensor.empty(%b) : tensor<?x8xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %r = linalg.matmul ins(%a, %w : tensor<?x?xf32>, tensor<?x8xf32>)
                     outs(%f : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}
