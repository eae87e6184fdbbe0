// RUN: bucket-opt %s -split-input-file -bucket-decompose-aggregates | FileCheck %s
// RUN: bucket-opt %s -split-input-file -bucket-decompose-aggregates -test-bucket-padding -o /dev/null | FileCheck %s --check-prefix=PAD

// linalg.softmax becomes a max reduction (maxnumf from NaN, its identity),
// exp(x - max), a sum and a division, on the same tensors; the padding analysis then sees the max
// and pads the softmax axis with -inf, and the batch axis stays splittable.
// CHECK-LABEL: func.func @softmax(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?xf32>
// CHECK-NOT:     linalg.softmax
// CHECK:         %[[NAN:.*]] = arith.constant 0xFFC00000 : f32
// CHECK:         %[[MAXINIT:.*]] = linalg.fill ins(%[[NAN]] : f32)
// CHECK:         %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]] : tensor<?x?xf32>) outs(%[[MAXINIT]] : tensor<?xf32>)
// CHECK:           arith.maxnumf
// CHECK:         %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[MAX]] :
// CHECK:           arith.subf
// CHECK:           math.exp
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[EXP]] :
// CHECK:           arith.addf
// CHECK:         %[[DIV:.*]] = linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] :
// CHECK:           arith.divf
// CHECK:         return %[[DIV]]

// PAD-LABEL: func @softmax
// PAD-NEXT:    arg0 pad 0xFF800000 : f32
// PAD-NEXT:    dim "batch" splittable
// PAD-NEXT:    dim "seq" not splittable: 'linalg.generic': it reduces over the dimension
func.func @softmax(%x: tensor<?x?xf32> {bucket.dims = ["batch", "seq"]}) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%b, %s) : tensor<?x?xf32>
  %r = linalg.softmax dimension(1) ins(%x : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
