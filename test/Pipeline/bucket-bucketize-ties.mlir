// RUN: bucket-opt %s -bucket-bucketize="buckets=A=2,4" | FileCheck %s

// The dimensions are tied before anything is canonicalized: the elementwise
// op that says A and B are equal is dead, and canonicalization would erase
// it, leaving two dimensions and a grid four times the size (and the spec
// above incomplete). Here A and B are one symbolic dimension with two names.
// CHECK-LABEL: func.func @tie(
// CHECK-SAME:    bucket.dim_ids = array<i32: 0>
// CHECK-SAME:    bucket.dim_ids = array<i32: 0>
// CHECK-SAME:    bucket.bucket_table = [array<i64: 2>, array<i64: 4>]
// CHECK-SAME:    bucket.dim_names = ["A"]
// CHECK:       func.func private @tie_A2(%{{.*}}: tensor<2xf32>, %{{.*}}: tensor<2xf32>)
// CHECK:       func.func private @tie_A4(%{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xf32>)
func.func @tie(%a: tensor<?xf32> {bucket.dims = ["A"]},
               %b: tensor<?xf32> {bucket.dims = ["B"]}) -> tensor<?xf32> {
  %dead = arith.addf %a, %b : tensor<?xf32>
  return %a : tensor<?xf32>
}
