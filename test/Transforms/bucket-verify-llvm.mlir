// RUN: bucket-opt %s -split-input-file -bucket-verify-llvm -verify-diagnostics | FileCheck %s

// CHECK-LABEL: llvm.func @ok(
llvm.func @ok(%x: i64) -> i64 {
  llvm.return %x : i64
}

// -----

// A cast the lowering left behind is reported at the op, not as a failure
// of the translation.
llvm.func @leftover(%x: i64) -> i64 {
  // expected-error @below {{'builtin.unrealized_conversion_cast' is left after lowering to the LLVM dialect; it cannot be translated to LLVM IR}}
  %i = builtin.unrealized_conversion_cast %x : i64 to index
  %y = builtin.unrealized_conversion_cast %i : index to i64
  llvm.return %y : i64
}
