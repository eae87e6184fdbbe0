// bucket-compile prepares the module only through the bucketize pipeline:
// bucket-opt with the same options prints the same module as
// `bucket-compile --emit=mlir`.

// RUN: bucket-compile %s --buckets 'seq=8,32' --symbol-prefix m1_ --out-of-range fallback --emit=mlir -o %t.compile.mlir
// RUN: bucket-opt %s --bucket-bucketize='buckets=seq=8,32 symbol-prefix=m1_ out-of-range=fallback c-interface=true' -o %t.opt.mlir
// RUN: diff %t.compile.mlir %t.opt.mlir
// RUN: FileCheck %s --input-file %t.opt.mlir

// RUN: bucket-compile %s --buckets 'seq=8' --export-buckets --emit=mlir -o %t.export1.mlir
// RUN: bucket-opt %s --bucket-bucketize='buckets=seq=8 c-interface=true export-buckets=true' -o %t.export2.mlir
// RUN: diff %t.export1.mlir %t.export2.mlir
// RUN: FileCheck %s --check-prefix=EXPORT --input-file %t.export2.mlir

// CHECK-LABEL: func.func @m1_scale(
// CHECK-SAME:    bucket.dispatcher
// CHECK-SAME:    llvm.emit_c_interface
// CHECK:       func.func private @m1_scale_fallback(
// CHECK:       func.func private @m1_scale_seq8(
// CHECK:       func.func private @m1_scale_seq32(

// EXPORT: func.func @scale_seq8({{.*}}) -> tensor<8xf32> attributes {{{.*}}llvm.emit_c_interface

func.func @scale(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32> {
  %c = arith.constant dense<2.0> : tensor<f32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d) -> (d)>, affine_map<(d) -> ()>, affine_map<(d) -> (d)>],
                       iterator_types = ["parallel"]}
      ins(%x, %c : tensor<?xf32>, tensor<f32>) outs(%e : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
