// Found by scripts/difftest.py (seed 200, model 658): the split policy on a
// function with a result that does not have the split dimension (a static
// tensor<2xf32>). The split loop inserts every chunk's copy of that result
// into the same tensor, and bufferization fails inside bucket-compile with
// "Yield operand #0 is not equivalent to the corresponding iter bbArg"
// instead of compiling (any chunk's value is the result) or refusing the
// split with a diagnostic that names the result.
//
// XFAIL: *
// (Remove the XFAIL line once the split compiles such results or refuses
// them with its own diagnostic.)

// RUN: bucket-compile %s --buckets 'B=1,10' --out-of-range 'B=split' -o %t.b.o 2> %t.err || true
// RUN: FileCheck %s --input-file=%t.err --allow-empty
// CHECK-NOT: Yield operand
// CHECK-NOT: PLEASE submit a bug report

func.func @f(%a0: tensor<?x2xf32> {bucket.dims = ["B", ""]}, %a1: tensor<2xf32> {bucket.dims = [""]}) -> (tensor<?x2xf32>, tensor<2xf32>)
    attributes {llvm.emit_c_interface} {
  %ci0 = arith.constant 0 : index
  %ci1 = arith.constant 1 : index
  %d1 = tensor.dim %a0, %ci0 : tensor<?x2xf32>
  %e2 = tensor.empty(%d1) : tensor<?x2xf32>
  %v1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%a0, %a1 : tensor<?x2xf32>, tensor<2xf32>) outs(%e2 : tensor<?x2xf32>) {
    ^bb0(%in0: f32, %in1: f32, %acc: f32):
      %r = arith.subf %in0, %in1 : f32
      linalg.yield %r : f32
    } -> tensor<?x2xf32>
  %e3 = tensor.empty() : tensor<2xf32>
  %v2 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%a1 : tensor<2xf32>) outs(%e3 : tensor<2xf32>) {
    ^bb0(%in0: f32, %acc: f32):
      %r = math.sin %in0 : f32
      linalg.yield %r : f32
    } -> tensor<2xf32>
  return %v1, %v2 : tensor<?x2xf32>, tensor<2xf32>
}
