// RUN: bucket-opt %s -bucket-bucketize="buckets=seq=8,32" | FileCheck %s
// RUN: bucket-opt %s -bucket-bucketize="buckets=seq=8,32" -bucket-lower-to-llvm | FileCheck %s --check-prefix=LLVM

// Elementwise ops on tensors become linalg, the clones are static, and the
// public function becomes the dispatcher.
// CHECK-LABEL: func.func @scale(
// CHECK-SAME:    bucket.dispatcher
// CHECK:         scf.index_switch
// CHECK:         call @scale_seq8
// CHECK:         call @scale_seq32
// CHECK-LABEL: func.func private @scale_seq8(%{{.*}}: tensor<8xf32>, %{{.*}}: tensor<8xf32>) -> tensor<8xf32>
// CHECK:         linalg.generic
// CHECK-NOT:     arith.mulf {{.*}} : tensor
// CHECK-LABEL: func.func private @scale_seq32(

// Everything is in the LLVM dialect, with the C interface kept.
// LLVM-DAG: llvm.func @scale(
// LLVM-DAG: llvm.func @_mlir_ciface_scale(
// LLVM-DAG: llvm.func @bucket_rt_report_out_of_range(i64, i64, i64)
// LLVM-NOT: tensor.
// LLVM-NOT: memref.
func.func @scale(%x: tensor<?xf32> {bucket.dims = ["seq"]},
                 %y: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32>
    attributes {llvm.emit_c_interface} {
  %r = arith.mulf %x, %y : tensor<?xf32>
  return %r : tensor<?xf32>
}
