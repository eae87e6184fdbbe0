// RUN: bucket-opt %s -bucket-export-specializations | FileCheck %s

// Every bucket's static function becomes public with a C interface; other
// functions are left as they are.
// CHECK-LABEL: func.func @f(
// CHECK-NOT:     llvm.emit_c_interface
// CHECK-LABEL: func.func @f_n4(
// CHECK-SAME:    llvm.emit_c_interface
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT:     llvm.emit_c_interface
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> attributes {bucket.dispatcher} {
  return %x : tensor<?xf32>
}
func.func private @f_n4(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {bucket.specialization_of = @f, bucket.bucket = array<i64: 4>} {
  return %x : tensor<4xf32>
}
func.func private @helper(%x: f32) -> f32 {
  return %x : f32
}
