// RUN: bucket-opt %s -bucket-bucketize | FileCheck %s

// A state argument keeps its marking on every bucket (tf.aliasing_output
// spelled as bucket.tied_result), is passed to the bucket as it is (no pad,
// no crop), and an out-of-range shape returns it as it came.
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<1x4xf32>
// CHECK-SAME:    %[[CACHE:[^:]*]]: tensor<16x4xf32> {{{.*}}bucket.state, {{.*}}tf.aliasing_output = 1 : i64}
// CHECK-SAME:    %[[POS:[^:]*]]: tensor<?xi64>
// CHECK:         scf.index_switch
// CHECK:           %[[P4:.*]] = tensor.pad %[[POS]]
// CHECK:           %[[R4:.*]]:2 = func.call @step_len4(%[[X]], %[[CACHE]], %[[P4]]
// CHECK:           scf.yield %[[R4]]#0, %[[R4]]#1
// CHECK:         default {
// CHECK:           func.call @bucket_rt_report_out_of_range
// CHECK:           scf.yield %{{.*}}, %[[CACHE]] : tensor<4xf32>, tensor<16x4xf32>
// CHECK-LABEL: func.func private @step_len4(
// CHECK-SAME:    %{{.*}}: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64}
// CHECK-SAME:    -> (tensor<4xf32>, tensor<16x4xf32>)
// CHECK-LABEL: func.func private @step_len8(
// CHECK-SAME:    %{{.*}}: tensor<16x4xf32> {bucket.state, bucket.tied_result = 1 : i64}
func.func @step(%x: tensor<1x4xf32>, %cache: tensor<16x4xf32> {bucket.state, tf.aliasing_output = 1 : i64},
                %positions: tensor<?xi64> {bucket.dims = ["len"]}) -> (tensor<4xf32>, tensor<16x4xf32>)
    attributes {bucket.buckets = "len=4,8"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %len = tensor.dim %positions, %c0 : tensor<?xi64>
  %pos = arith.subi %len, %c1 : index
  %u = tensor.insert_slice %x into %cache[%pos, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<16x4xf32>
  %r = tensor.extract_slice %u[%pos, 0] [1, 4] [1, 1] : tensor<16x4xf32> to tensor<4xf32>
  return %r, %u : tensor<4xf32>, tensor<16x4xf32>
}
