// End-to-end: two symbolic dimensions bucketed together, two arguments that
// share them, five results of different element types, ranks and layouts.
//
//   x: f32[b, s], y: f64[b, s]
//   z = x * truncf(y)                               f32[b, s]
//   r0 = extf(tanh(x)) * y                          f64[b, s]   elementwise, mixed types
//   r1 = transpose(x + truncf(y))                   f32[s, b]   dims swapped
//   r2 = z . transpose(z)                           f32[b, b]   contraction over the padded s
//   r3 = x > truncf(y)                              i1[b, s]
//   r4 = sum over s of fptosi(10 * x)               i32[b]      integer add-reduction over s
//
// Padding with zeros is neutral for every op here (the padded entries of z
// are 0, and fptosi(0) = 0), so the bucketed results match within 1e-5 (the static
// buckets' code contracts multiply-adds into FMAs and vectorizes exp with a
// polynomial; integer and boolean results match exactly).
//
// Grid: b = 1,4,8 x s = 8,16,32. Compared on every edge: per dimension 1,
// each bucket size, one past each (when still in range) and the largest
// (b: 1,2,4,5,8; s: 1,8,9,16,17,32 -> 30 shapes), plus out of range in each
// dimension and in both (5 shapes).

// RUN: bucket-compile %s --buckets 'b=1,4,8;s=8,16,32' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --rtol 1e-5 --atol 1e-6 --func grid \
// RUN:   --args 'f32[b,s]=-2..2;f64[b,s]=-2..2' \
// RUN:   --results 'f64[b,s];f32[s,b];f32[b,b];i1[b,s];i32[b]' \
// RUN:   --points 'b=1,2,4,5,8;s=1,8,9,16,17,32' --max 'b=8;s=32' \
// RUN:   --out-of-range 'b=9;s=1,32' --out-of-range 'b=1,8;s=33' \
// RUN:   --out-of-range 'b=9;s=33' \
// RUN:   | FileCheck %s --check-prefix=GRID

// GRID-NOT: FAIL
// GRID: compare: 35 passed, 0 failed

// Sparse grid: the same module with explicit (b, s) tuples 1x32, 4x16, 8x8.
// In range, per tuple: 1 and its sizes, one past the previous tuple's sizes
// (16 shapes). Out of range: one dimension above every tuple (dim 0 or 1), or
// each dimension fitting some tuple but no tuple fitting both (dim -1)
// (5 shapes).

// RUN: bucket-compile %s --buckets 'b,s=1x32,4x16,8x8' -o %t.sparse.o
// RUN: clang -shared %t.sparse.o -o %t.sparse.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.sparse.so --rtol 1e-5 --atol 1e-6 --func grid \
// RUN:   --args 'f32[b,s]=-2..2;f64[b,s]=-2..2' \
// RUN:   --results 'f64[b,s];f32[s,b];f32[b,b];i1[b,s];i32[b]' \
// RUN:   --points 'b=1;s=1,8,9,16,17,32' --points 'b=2,4;s=1,9,16' \
// RUN:   --points 'b=5,8;s=1,8' --max 'b=8;s=32' \
// RUN:   --out-of-range 'b=2,4;s=17' --out-of-range 'b=5;s=9' \
// RUN:   --out-of-range 'b=9;s=1' --out-of-range 'b=1;s=33' \
// RUN:   | FileCheck %s --check-prefix=SPARSE

// SPARSE-NOT: FAIL
// SPARSE: compare: 21 passed, 0 failed

#bs  = affine_map<(b, s) -> (b, s)>
#sb  = affine_map<(b, s) -> (s, b)>
#b_bs = affine_map<(b, s) -> (b)>
#ijk_ik = affine_map<(i, j, k) -> (i, k)>
#ijk_jk = affine_map<(i, j, k) -> (j, k)>
#ijk_ij = affine_map<(i, j, k) -> (i, j)>

func.func @grid(%x: tensor<?x?xf32> {bucket.dims = ["b", "s"]},
                %y: tensor<?x?xf64> {bucket.dims = ["b", "s"]})
    -> (tensor<?x?xf64>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xi1>, tensor<?xi32>)
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %ten = arith.constant 10.0 : f32
  %zero_i32 = arith.constant 0 : i32
  %b = tensor.dim %x, %c0 : tensor<?x?xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?xf32>

  %e_bs_f32 = tensor.empty(%b, %s) : tensor<?x?xf32>
  %e_bs_f64 = tensor.empty(%b, %s) : tensor<?x?xf64>
  %e_bs_i1 = tensor.empty(%b, %s) : tensor<?x?xi1>
  %e_sb = tensor.empty(%s, %b) : tensor<?x?xf32>
  %e_bb = tensor.empty(%b, %b) : tensor<?x?xf32>
  %e_b = tensor.empty(%b) : tensor<?xi32>

  // z = x * truncf(y)
  %z = linalg.generic {indexing_maps = [#bs, #bs, #bs], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<?x?xf32>, tensor<?x?xf64>) outs(%e_bs_f32 : tensor<?x?xf32>) {
  ^bb0(%a: f32, %c: f64, %out: f32):
    %ct = arith.truncf %c : f64 to f32
    %m = arith.mulf %a, %ct : f32
    linalg.yield %m : f32
  } -> tensor<?x?xf32>

  // r0 = extf(tanh(x)) * y
  %r0 = linalg.generic {indexing_maps = [#bs, #bs, #bs], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<?x?xf32>, tensor<?x?xf64>) outs(%e_bs_f64 : tensor<?x?xf64>) {
  ^bb0(%a: f32, %c: f64, %out: f64):
    %t = math.tanh %a : f32
    %te = arith.extf %t : f32 to f64
    %m = arith.mulf %te, %c : f64
    linalg.yield %m : f64
  } -> tensor<?x?xf64>

  // r1 = transpose(x + truncf(y))
  %sum = linalg.generic {indexing_maps = [#bs, #bs, #bs], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<?x?xf32>, tensor<?x?xf64>) outs(%e_bs_f32 : tensor<?x?xf32>) {
  ^bb0(%a: f32, %c: f64, %out: f32):
    %ct = arith.truncf %c : f64 to f32
    %p = arith.addf %a, %ct : f32
    linalg.yield %p : f32
  } -> tensor<?x?xf32>
  %r1 = linalg.transpose ins(%sum : tensor<?x?xf32>) outs(%e_sb : tensor<?x?xf32>) permutation = [1, 0]

  // r2 = z . transpose(z), contracting over s.
  %zeros_bb = linalg.fill ins(%zero : f32) outs(%e_bb : tensor<?x?xf32>) -> tensor<?x?xf32>
  %r2 = linalg.generic {indexing_maps = [#ijk_ik, #ijk_jk, #ijk_ij],
                        iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%z, %z : tensor<?x?xf32>, tensor<?x?xf32>) outs(%zeros_bb : tensor<?x?xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %a = arith.addf %acc, %m : f32
    linalg.yield %a : f32
  } -> tensor<?x?xf32>

  // r3 = x > truncf(y)
  %r3 = linalg.generic {indexing_maps = [#bs, #bs, #bs], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<?x?xf32>, tensor<?x?xf64>) outs(%e_bs_i1 : tensor<?x?xi1>) {
  ^bb0(%a: f32, %c: f64, %out: i1):
    %ct = arith.truncf %c : f64 to f32
    %gt = arith.cmpf ogt, %a, %ct : f32
    linalg.yield %gt : i1
  } -> tensor<?x?xi1>

  // r4 = sum over s of fptosi(10 * x)
  %zeros_b = linalg.fill ins(%zero_i32 : i32) outs(%e_b : tensor<?xi32>) -> tensor<?xi32>
  %r4 = linalg.generic {indexing_maps = [#bs, #b_bs], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x?xf32>) outs(%zeros_b : tensor<?xi32>) {
  ^bb0(%a: f32, %acc: i32):
    %scaled = arith.mulf %a, %ten : f32
    %q = arith.fptosi %scaled : f32 to i32
    %r = arith.addi %acc, %q : i32
    linalg.yield %r : i32
  } -> tensor<?xi32>

  return %r0, %r1, %r2, %r3, %r4
      : tensor<?x?xf64>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xi1>, tensor<?xi32>
}
