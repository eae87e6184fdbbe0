// The dispatcher's cost, isolated: the encoder's signature (token ids and a
// mask of [seq], a [seq, 256] result) around almost no work, compiled with
// the encoder's buckets. The dispatcher's work (read the sizes, select, pad
// both inputs, crop and copy out the result) is the encoder's; the bucket's
// own work is a fill. encoder.cpp times the dispatcher against the exported
// bucket called directly.
func.func @forward(%ids: tensor<?xi64> {bucket.dims = ["seq"]},
                   %mask: tensor<?xi64> {bucket.dims = ["seq"]})
    -> tensor<?x256xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %ids, %c0 : tensor<?xi64>
  %e = tensor.empty(%n) : tensor<?x256xf32>
  %r = linalg.generic {
      indexing_maps = [affine_map<(s, d) -> (s)>, affine_map<(s, d) -> (s)>,
                       affine_map<(s, d) -> (s, d)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%ids, %mask : tensor<?xi64>, tensor<?xi64>) outs(%e : tensor<?x256xf32>) {
  ^bb0(%i: i64, %m: i64, %o: f32):
    %s = arith.addi %i, %m : i64
    %f = arith.sitofp %s : i64 to f32
    linalg.yield %f : f32
  } -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}
