// bucket-bucketize: buckets=seq=4,8 pad-values=1=-10000 masks=1 vector-bits=512
func.func @attn(%x: tensor<?xf32> {bucket.dims = ["seq"]},
                %bias: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %s = arith.addf %x, %bias : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.softmax dimension(0) ins(%s : tensor<?xf32>)
                      outs(%e : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}
