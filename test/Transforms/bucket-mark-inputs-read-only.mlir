// RUN: bucket-opt %s -bucket-mark-inputs-read-only | FileCheck %s

// CHECK-LABEL: func.func @f(
// CHECK-SAME:    %{{.*}}: tensor<?xf32> {bufferization.writable = false}, %{{.*}}: f32)
// CHECK-LABEL: func.func private @decl(tensor<4xf32>)
func.func @f(%x: tensor<?xf32>, %s: f32) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
func.func private @decl(tensor<4xf32>)
