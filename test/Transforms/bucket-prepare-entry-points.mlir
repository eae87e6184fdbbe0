// RUN: bucket-opt %s -split-input-file -bucket-prepare-entry-points='symbol-prefix=m1_ c-interface=true' | FileCheck %s
// RUN: not bucket-opt %s -split-input-file -bucket-prepare-entry-points='symbol-prefix=1m' -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD

// Public functions with a body are renamed (with their callers) and get a C
// interface; private functions and declarations are left alone.
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT:     llvm.emit_c_interface
// CHECK-LABEL: func.func private @external(
// CHECK-LABEL: func.func @m1_f(
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// CHECK:         call @m1_g(
// CHECK-LABEL: func.func @m1_g(
func.func private @helper(%x: f32) -> f32 {
  return %x : f32
}
func.func private @external(%x: f32) -> f32
func.func @f(%x: f32) -> f32 {
  %y = func.call @g(%x) : (f32) -> f32
  return %y : f32
}
func.func @g(%x: f32) -> f32 {
  return %x : f32
}

// BAD: error: symbol prefix '1m' is not a C identifier
