// A one-head attention over a dynamic sequence: the cost grows as seq^2.
func.func @attention(%q: tensor<?x64xf32> {bucket.dims = ["seq", ""]},
                     %k: tensor<?x64xf32>, %v: tensor<?x64xf32>)
    -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %s = tensor.dim %q, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%s, %s) : tensor<?x?xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %scores = linalg.generic {
      indexing_maps = [affine_map<(i, j, d) -> (i, d)>,
                       affine_map<(i, j, d) -> (j, d)>,
                       affine_map<(i, j, d) -> (i, j)>],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<?x64xf32>, tensor<?x64xf32>)
      outs(%f : tensor<?x?xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %p = arith.mulf %a, %b : f32
      %r = arith.addf %c, %p : f32
      linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %e2 = tensor.empty(%s) : tensor<?x64xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %o = linalg.matmul ins(%scores, %v : tensor<?x?xf32>, tensor<?x64xf32>)
                     outs(%f2 : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %o : tensor<?x64xf32>
}
