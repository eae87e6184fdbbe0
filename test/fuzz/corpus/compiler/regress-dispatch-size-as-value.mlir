// bucket-bucketize: buckets=seq=4,8
func.func @last(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<1xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %i = arith.subi %n, %c1 : index
  %r = tensor.extract_slice %x[%i] [1] [1] : tensor<?xf32> to tensor<1xf32>
  return %r : tensor<1xf32>
}
