// bucket-bucketize: buckets=seq=8,32
func.func @scale(%x: tensor<?xf32> {bucket.dims = ["seq"]},
                 %y: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32> {
  %r = arith.mulf %x, %y : tensor<?xf32>
  return %r : tensor<?xf32>
}
