// RUN: bucket-opt %s -split-input-file -bucket-specialize-functions -bucket-generate-dispatch -canonicalize -cse | FileCheck %s

// One dimension: select the first bucket that fits, pad, call, crop; report
// and return an empty result when nothing fits.
// CHECK-LABEL: func.func private @bucket_rt_report_out_of_range(i64, i64, i64)
// CHECK-LABEL: func.func @mlp(
// CHECK-SAME:    %[[X:.*]]: tensor<?x16xf32> {{.*}}, %[[W:.*]]: tensor<16x8xf32> {{.*}}) -> tensor<?x8xf32>
// CHECK-SAME:    bucket.dispatcher
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK:         %[[N:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK:         %[[FITS1:.*]] = arith.cmpi ule, %[[N]], %[[C16]]
// CHECK:         %[[SEL1:.*]] = arith.select %[[FITS1]], %{{.*}}, %{{.*}} : index
// CHECK:         %[[FITS0:.*]] = arith.cmpi ule, %[[N]], %[[C4]]
// CHECK:         %[[SEL:.*]] = arith.select %[[FITS0]], %{{.*}}, %[[SEL1]] : index
// CHECK:         %[[RES:.*]] = scf.index_switch %[[SEL]] -> tensor<?x8xf32>
// CHECK:         case 0 {
// CHECK:           %[[HIGH:.*]] = arith.subi %[[C4]], %[[N]] : index
// CHECK:           %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0] high[%[[HIGH]], 0]
// CHECK:             tensor.yield %{{.*}} : f32
// CHECK:           } : tensor<?x16xf32> to tensor<4x16xf32>
// CHECK:           %[[CALL:.*]] = func.call @mlp_batch4(%[[PAD]], %[[W]]) : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
// CHECK:           %[[CROP:.*]] = tensor.extract_slice %[[CALL]][0, 0] [%[[N]], 8] [1, 1] : tensor<4x8xf32> to tensor<?x8xf32>
// CHECK:           scf.yield %[[CROP]]
// CHECK:         case 1 {
// CHECK:           } : tensor<?x16xf32> to tensor<16x16xf32>
// CHECK:           func.call @mlp_batch16
// CHECK:         default {
// CHECK:           %[[BEYOND:.*]] = arith.cmpi ugt, %[[N]], %[[C16]]
// CHECK:           func.call @bucket_rt_report_out_of_range(
// CHECK:           tensor.empty() : tensor<0x8xf32>
// CHECK:         return %[[RES]] : tensor<?x8xf32>
func.func @mlp(%x: tensor<?x16xf32> {bucket.dims = ["batch", ""]},
               %w: tensor<16x8xf32>) -> tensor<?x8xf32>
    attributes {bucket.buckets = "batch=4,16"} {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%d) : tensor<?x8xf32>
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x16xf32>, tensor<16x8xf32>)
                     outs(%f : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %m : tensor<?x8xf32>
}

// -----

// Two results; the crop of a result one longer than the argument is
// computed with the original's own shape arithmetic. Integer inputs are
// padded with zero.
// CHECK-LABEL: func.func @two(
// CHECK-SAME:    %[[A:.*]]: tensor<?xi64> {{.*}}, %[[B:.*]]: tensor<?xi64> {{.*}}) -> (tensor<?xi64>, tensor<?xi64>)
// CHECK-DAG:     %[[LA:.*]] = tensor.dim %[[A]]
// CHECK-DAG:     %[[LB:.*]] = tensor.dim %[[B]]
// CHECK:         %[[SUM:.*]] = affine.apply {{.*}}()[%[[LA]]]
// CHECK:         scf.index_switch {{.*}} -> tensor<?xi64>, tensor<?xi64>
// CHECK:         case 0 {
// CHECK:           tensor.pad %[[A]]
// CHECK:             tensor.yield %{{.*}} : i64
// CHECK:           %[[R:.*]]:2 = func.call @two_a2_b3(
// CHECK:           %[[CROP0:.*]] = tensor.extract_slice %[[R]]#0[0] [%[[SUM]]] [1] : tensor<3xi64> to tensor<?xi64>
// CHECK:           %[[CROP1:.*]] = tensor.extract_slice %[[R]]#1[0] [%[[LB]]] [1] : tensor<3xi64> to tensor<?xi64>
// CHECK:           scf.yield %[[CROP0]], %[[CROP1]]
func.func @two(%a: tensor<?xi64> {bucket.dims = ["a"]},
               %b: tensor<?xi64> {bucket.dims = ["b"]})
    -> (tensor<?xi64>, tensor<?xi64>) attributes {bucket.buckets = "a=2;b=3"} {
  %zero = arith.constant 0 : i64
  %r = tensor.pad %a low[1] high[0] {
  ^bb0(%i: index):
    tensor.yield %zero : i64
  } : tensor<?xi64> to tensor<?xi64>
  return %r, %b : tensor<?xi64>, tensor<?xi64>
}
