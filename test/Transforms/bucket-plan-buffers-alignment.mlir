// RUN: bucket-opt %s -pass-pipeline="builtin.module(func.func(bucket-plan-buffers))" | FileCheck %s

// Buffers whose sizes are not multiples of a cache line, all live at once:
// each is placed at an offset aligned to the larger of 64 bytes and its own
// alignment, and the arena takes the largest alignment. Greedy by size:
// %a (100 bytes) at 0; %b (40 bytes) after %a, at alignTo(100, 64) = 128;
// %c (20 bytes, alignment 128) after %b, at alignTo(168, 128) = 256; the
// arena is 256 + 20 = 276 bytes.
// CHECK-LABEL: func.func @unaligned_sizes(
// CHECK:         %[[ARENA:.*]] = memref.alloc() {alignment = 128 : i64} : memref<276xi8>
// CHECK:         %[[OFF_A:.*]] = arith.constant 0 : index
// CHECK-NEXT:    memref.view %[[ARENA]][%[[OFF_A]]][] : memref<276xi8> to memref<25xf32>
// CHECK:         %[[OFF_B:.*]] = arith.constant 128 : index
// CHECK-NEXT:    memref.view %[[ARENA]][%[[OFF_B]]][] : memref<276xi8> to memref<10xf32>
// CHECK:         %[[OFF_C:.*]] = arith.constant 256 : index
// CHECK-NEXT:    memref.view %[[ARENA]][%[[OFF_C]]][] : memref<276xi8> to memref<5xf32>
func.func @unaligned_sizes(%in: memref<25xf32>, %x: memref<10xf32>,
                           %y: memref<5xf32>, %out: memref<25xf32>) {
  %a = memref.alloc() : memref<25xf32>
  %b = memref.alloc() : memref<10xf32>
  %c = memref.alloc() {alignment = 128 : i64} : memref<5xf32>
  memref.copy %in, %a : memref<25xf32> to memref<25xf32>
  memref.copy %x, %b : memref<10xf32> to memref<10xf32>
  memref.copy %y, %c : memref<5xf32> to memref<5xf32>
  memref.copy %a, %out : memref<25xf32> to memref<25xf32>
  memref.copy %b, %x : memref<10xf32> to memref<10xf32>
  memref.copy %c, %y : memref<5xf32> to memref<5xf32>
  memref.dealloc %a : memref<25xf32>
  memref.dealloc %b : memref<10xf32>
  memref.dealloc %c : memref<5xf32>
  return
}
