// RUN: bucket-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(bucket-plan-buffers))" | FileCheck %s

// A chain: %a dies before %c is allocated, so %c reuses %a's bytes; %b is
// live across both and gets its own. 3 x 4 KiB of buffers, 8 KiB arena.
// CHECK-LABEL: func.func @chain(
// CHECK-SAME:      %[[IN:.*]]: memref<32x32xf32>, %[[OUT:.*]]: memref<32x32xf32>)
// CHECK:         %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8192xi8>
// CHECK:         %[[OFF_A:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[A:.*]] = memref.view %[[ARENA]][%[[OFF_A]]][] : memref<8192xi8> to memref<32x32xf32>
// CHECK:         %[[OFF_B:.*]] = arith.constant 4096 : index
// CHECK-NEXT:    %[[B:.*]] = memref.view %[[ARENA]][%[[OFF_B]]][] : memref<8192xi8> to memref<32x32xf32>
// CHECK:         memref.copy %[[IN]], %[[A]]
// CHECK:         memref.copy %[[A]], %[[B]]
// CHECK:         %[[OFF_C:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[C:.*]] = memref.view %[[ARENA]][%[[OFF_C]]][] : memref<8192xi8> to memref<32x32xf32>
// CHECK:         memref.copy %[[B]], %[[C]]
// CHECK:         memref.copy %[[C]], %[[OUT]]
// CHECK-NOT:     memref.dealloc %[[A]]
// CHECK:         memref.dealloc %[[ARENA]] : memref<8192xi8>
// CHECK-NEXT:    return
func.func @chain(%in: memref<32x32xf32>, %out: memref<32x32xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<32x32xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<32x32xf32>
  memref.copy %in, %a : memref<32x32xf32> to memref<32x32xf32>
  memref.copy %a, %b : memref<32x32xf32> to memref<32x32xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<32x32xf32>
  memref.copy %b, %c : memref<32x32xf32> to memref<32x32xf32>
  memref.copy %c, %out : memref<32x32xf32> to memref<32x32xf32>
  memref.dealloc %a : memref<32x32xf32>
  memref.dealloc %b : memref<32x32xf32>
  memref.dealloc %c : memref<32x32xf32>
  return
}

// -----

// A use of a view, inside a loop, keeps the buffer alive until the loop
// ends: %b may not take %a's bytes. Different sizes and an alignment of 256
// for %b: %a (the larger) is placed first, %b after it, aligned.
// CHECK-LABEL: func.func @views_in_loops(
// CHECK:         %[[ARENA:.*]] = memref.alloc() {alignment = 256 : i64} : memref<4352xi8>
// CHECK:         %[[OFF_A:.*]] = arith.constant 0 : index
// CHECK-NEXT:    memref.view %[[ARENA]][%[[OFF_A]]][] : memref<4352xi8> to memref<16x64xf32>
// CHECK:         %[[OFF_B:.*]] = arith.constant 4096 : index
// CHECK-NEXT:    memref.view %[[ARENA]][%[[OFF_B]]][] : memref<4352xi8> to memref<64xf32>
func.func @views_in_loops(%in: memref<16x64xf32>, %out: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %a = memref.alloc() {alignment = 64 : i64} : memref<16x64xf32>
  memref.copy %in, %a : memref<16x64xf32> to memref<16x64xf32>
  %flat = memref.collapse_shape %a [[0, 1]] : memref<16x64xf32> into memref<1024xf32>
  %b = memref.alloc() {alignment = 256 : i64} : memref<64xf32>
  scf.for %i = %c1 to %c16 step %c1 {
    %row = memref.subview %flat[0] [64] [1] : memref<1024xf32> to memref<64xf32, strided<[1]>>
    memref.copy %row, %b : memref<64xf32, strided<[1]>> to memref<64xf32>
  }
  memref.copy %b, %out : memref<64xf32> to memref<64xf32>
  memref.dealloc %a : memref<16x64xf32>
  memref.dealloc %b : memref<64xf32>
  return
}

// -----

// Buffers whose lifetime is not known stay separate: a returned one, one
// passed to a call, one whose pointer is taken, one yielded from a loop, one
// seen as a tensor, a dynamically sized one and one of i1. With fewer than
// two buffers left, nothing changes.
// CHECK-LABEL: func.func @escapes(
// CHECK-NOT:     memref.view
// CHECK-COUNT-8: memref.alloc
// CHECK-NOT:     memref.view
func.func private @consume(memref<8xf32>)
func.func @escapes(%n: index, %in: memref<8xf32>) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %returned = memref.alloc() : memref<8xf32>
  memref.copy %in, %returned : memref<8xf32> to memref<8xf32>
  %called = memref.alloc() : memref<8xf32>
  func.call @consume(%called) : (memref<8xf32>) -> ()
  %pointer = memref.alloc() : memref<8xf32>
  %p = memref.extract_aligned_pointer_as_index %pointer : memref<8xf32> -> index
  %yielded = memref.alloc() : memref<8xf32>
  %r = scf.for %i = %c0 to %c1 step %c1 iter_args(%x = %yielded) -> (memref<8xf32>) {
    scf.yield %x : memref<8xf32>
  }
  %tensor = memref.alloc() : memref<8xf32>
  %t = bufferization.to_tensor %tensor : memref<8xf32> to tensor<8xf32>
  %dynamic = memref.alloc(%n) : memref<?xf32>
  %bits = memref.alloc() : memref<64xi1>
  %kept = memref.alloc() : memref<8xf32>
  memref.copy %in, %kept : memref<8xf32> to memref<8xf32>
  memref.dealloc %called : memref<8xf32>
  memref.dealloc %pointer : memref<8xf32>
  memref.dealloc %yielded : memref<8xf32>
  memref.dealloc %tensor : memref<8xf32>
  memref.dealloc %dynamic : memref<?xf32>
  memref.dealloc %bits : memref<64xi1>
  memref.dealloc %kept : memref<8xf32>
  return %returned : memref<8xf32>
}

// -----

// A buffer freed conditionally (inside a region) is not planned either.
// CHECK-LABEL: func.func @conditional_dealloc(
// CHECK-NOT:     memref.view
func.func @conditional_dealloc(%cond: i1, %in: memref<8xf32>) {
  %a = memref.alloc() : memref<8xf32>
  %b = memref.alloc() : memref<8xf32>
  memref.copy %in, %a : memref<8xf32> to memref<8xf32>
  memref.copy %in, %b : memref<8xf32> to memref<8xf32>
  scf.if %cond {
    memref.dealloc %a : memref<8xf32>
  }
  memref.dealloc %b : memref<8xf32>
  return
}

// -----

// A lifetime ends at the last use, not the first: %a is written, then %b is
// allocated and written, then %a is read again. They are live together, so
// %b may not take %a's bytes (a plan that ended %a at its first use would put
// both at offset 0 in a 4 KiB arena and %b's copy would overwrite %a).
// CHECK-LABEL: func.func @last_use(
// CHECK:         %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8192xi8>
// CHECK:         %[[OFF_A:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[A:.*]] = memref.view %[[ARENA]][%[[OFF_A]]][] : memref<8192xi8> to memref<32x32xf32>
// CHECK:         memref.copy %{{.*}}, %[[A]]
// CHECK:         %[[OFF_B:.*]] = arith.constant 4096 : index
// CHECK-NEXT:    %[[B:.*]] = memref.view %[[ARENA]][%[[OFF_B]]][] : memref<8192xi8> to memref<32x32xf32>
// CHECK:         memref.copy %{{.*}}, %[[B]]
// CHECK:         memref.copy %[[A]], %{{.*}}
// CHECK:         memref.copy %[[B]], %{{.*}}
func.func @last_use(%in: memref<32x32xf32>, %out1: memref<32x32xf32>, %out2: memref<32x32xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<32x32xf32>
  memref.copy %in, %a : memref<32x32xf32> to memref<32x32xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<32x32xf32>
  memref.copy %in, %b : memref<32x32xf32> to memref<32x32xf32>
  memref.copy %a, %out1 : memref<32x32xf32> to memref<32x32xf32>
  memref.copy %b, %out2 : memref<32x32xf32> to memref<32x32xf32>
  memref.dealloc %a : memref<32x32xf32>
  memref.dealloc %b : memref<32x32xf32>
  return
}
