// A model with a mean over the sequence axis: with --padding=prove it is
// refused, at the op that divides by the padded length; by default
// (--padding=repair) each bucket divides by the real length the dispatcher
// passes it (docs/Padding.md; test/e2e/real-sizes.mlir runs it).
// RUN: not bucket-compile %s --buckets 'seq=8,16' --padding=prove -o /dev/null 2>&1 | FileCheck %s
// RUN: bucket-compile %s --buckets 'seq=8,16' --emit=mlir | FileCheck %s --check-prefix=REPAIR
// RUN: not bucket-compile %s --buckets 'seq=8,16' --padding=guess -o /dev/null 2>&1 | FileCheck %s --check-prefix=MODE

// REPAIR-LABEL: func.func @mean_pool(
// REPAIR:         %[[SEQ:.*]] = tensor.dim %arg0, %c0
// REPAIR:         func.call @mean_pool_seq8(%{{.*}}, %[[SEQ]]) : (tensor<8x4xf32>, index) -> tensor<4xf32>
// REPAIR-LABEL: func.func private @mean_pool_seq8(
// REPAIR-SAME:    %{{.*}}: tensor<8x4xf32>, %[[REAL:.*]]: index)
// REPAIR:         %[[I:.*]] = arith.index_cast %[[REAL]] : index to i64
// REPAIR:         %[[F:.*]] = arith.sitofp %[[I]] : i64 to f32
// REPAIR:         arith.divf %{{.*}}, %[[F]] : f32

// MODE: error: invalid padding mode 'guess'; expected repair or prove

// CHECK: bucket-compile-mean.mlir:[[@LINE+19]]:11: error: 'linalg.generic' uses the size of padded dimension 'seq' (argument 0, dimension 0) as a value (in 'arith.divf')
// CHECK: bucket-compile-mean.mlir:[[@LINE+6]]:10: note: the size is read here
#sd = affine_map<(s, d) -> (s, d)>
#d_ = affine_map<(s, d) -> (d)>
#d  = affine_map<(d) -> (d)>
func.func @mean_pool(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %seq = tensor.dim %x, %c0 : tensor<?x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#sd, #d_], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %acc, %v : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %n = arith.index_cast %seq : index to i64
  %nf = arith.sitofp %n : i64 to f32
  %mean = linalg.generic {indexing_maps = [#d, #d], iterator_types = ["parallel"]}
      ins(%sum : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%s: f32, %o: f32):
    %m = arith.divf %s, %nf : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %mean : tensor<4xf32>
}
