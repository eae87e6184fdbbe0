// RUN: bucket-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(bucket-tile-and-vectorize{vector-bits=256}),canonicalize,cse)" | FileCheck %s
// RUN: bucket-opt %s -split-input-file -pass-pipeline="builtin.module(func.func(bucket-tile-and-vectorize{vector-bits=512}),canonicalize,cse)" | FileCheck %s --check-prefix=AVX512

// A static matmul: the right-hand side is packed into 16 contiguous
// 256 x 16 column panels (a vectorized transpose: it is an argument here; a
// constant is packed at compile time), then per panel 4 x 16 register tiles
// (8 x 32 with 512-bit vectors), a loop over k carrying the accumulator
// vector, one vector.contract per k.
// CHECK-LABEL: func.func @matmul(
// CHECK:         scf.for {{.*}} -> (tensor<16x256x16xf32>)
// CHECK:           vector.transfer_read
// CHECK:         scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (tensor<64x256xf32>)
// CHECK:           tensor.extract_slice {{.*}} : tensor<16x256x16xf32> to tensor<256x16xf32>
// CHECK:           scf.for %{{.*}} step %c4
// CHECK:             %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// CHECK:             %[[R:.*]] = scf.for {{.*}} iter_args(%[[A:.*]] = %[[ACC]]) -> (vector<4x16xf32>)
// CHECK:               vector.contract {{.*}} %[[A]] : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// CHECK:             vector.transfer_write %[[R]]
// AVX512-LABEL: func.func @matmul(
// AVX512:         scf.for {{.*}} -> (tensor<8x256x32xf32>)
// AVX512:         scf.for %{{.*}} = %c0 to %c8 step %c1
// AVX512:           scf.for %{{.*}} step %c8
// AVX512:             vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
func.func @matmul(%a: tensor<64x256xf32>, %b: tensor<256x256xf32>, %c: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<64x256xf32>, tensor<256x256xf32>) outs(%c : tensor<64x256xf32>) -> tensor<64x256xf32>
  return %r : tensor<64x256xf32>
}

// -----

// A long reduction is blocked by 256 (inside each panel), so the part of
// the panel a register tile streams stays in L1.
// CHECK-LABEL: func.func @long_k(
// CHECK:         scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK:           scf.for %{{.*}} = %c0 to %c1024 step %c256
// CHECK:             scf.for %{{.*}} step %c4
// CHECK:               vector.contract
func.func @long_k(%a: tensor<32x1024xf32>, %b: tensor<1024x256xf32>, %c: tensor<32x256xf32>) -> tensor<32x256xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<32x1024xf32>, tensor<1024x256xf32>) outs(%c : tensor<32x256xf32>) -> tensor<32x256xf32>
  return %r : tensor<32x256xf32>
}

// -----

// Batch matmul: batch by 1, then the same register tile.
// CHECK-LABEL: func.func @batch_matmul(
// CHECK:         scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK:           vector.contract {{.*}} into vector<1x4x16xf32>
func.func @batch_matmul(%a: tensor<4x32x64xf32>, %b: tensor<4x64x32xf32>, %c: tensor<4x32x32xf32>) -> tensor<4x32x32xf32> {
  %r = linalg.batch_matmul ins(%a, %b : tensor<4x32x64xf32>, tensor<4x64x32xf32>) outs(%c : tensor<4x32x32xf32>) -> tensor<4x32x32xf32>
  return %r : tensor<4x32x32xf32>
}

// -----

// Elementwise: rows by 1, up to four vectors (32 lanes) along the row; the
// vector exp becomes a polynomial (math.fma), not 32 libm calls.
// A row reduction is vectorized whole.
// CHECK-LABEL: func.func @elementwise_and_reduction(
// CHECK:         scf.for %{{.*}} step %c1
// CHECK:           scf.for %{{.*}} step %c32
// CHECK-NOT:         math.exp
// CHECK:             math.fma {{.*}} : vector<1x32xf32>
// CHECK:         scf.for %{{.*}} step %c1
// CHECK:           vector.multi_reduction <maximumf>, {{.*}} [1] : vector<1x64xf32> to vector<1xf32>
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
func.func @elementwise_and_reduction(%x: tensor<8x64xf32>, %m: tensor<8xf32>) -> (tensor<8x64xf32>, tensor<8xf32>) {
  %e = tensor.empty() : tensor<8x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  } -> tensor<8x64xf32>
  %mx = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<8x64xf32>) outs(%m : tensor<8xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.maximumf %acc, %v : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %y, %mx : tensor<8x64xf32>, tensor<8xf32>
}

// -----

// Contractions that accumulate into a constant fill start their register
// tiles from the constant: the fill, shared by two batch matmuls here (as
// CSE leaves the zero accumulator of every attention layer), is gone, so
// bufferization has nothing to copy; each result goes to the fill's
// destination.
// CHECK-LABEL: func.func @filled_accumulators(
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<1x4x16xf32>
// CHECK-DAG:     %[[EMPTY:.*]] = tensor.empty() : tensor<2x16x32xf32>
// CHECK-NOT:     linalg.fill
// CHECK:         scf.for {{.*}} iter_args(%{{.*}} = %[[EMPTY]])
// CHECK:           scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO]]) -> (vector<1x4x16xf32>)
// CHECK:         scf.for {{.*}} iter_args(%{{.*}} = %[[EMPTY]])
// CHECK:           scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO]]) -> (vector<1x4x16xf32>)
// CHECK-NOT:     linalg.fill
// A reduction blocked for the cache (k = 512) keeps the fill: its later
// blocks accumulate into what the earlier ones wrote.
// CHECK-LABEL: func.func @filled_long_k(
// CHECK:         vector.transfer_write {{.*}} : vector<1x1x32xf32>, tensor<1x1x32xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %c512 step %c256
func.func @filled_accumulators(%a: tensor<2x16x16xf32>, %b: tensor<2x16x32xf32>, %a2: tensor<2x16x16xf32>) -> (tensor<2x16x32xf32>, tensor<2x16x32xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %r = linalg.batch_matmul ins(%a, %b : tensor<2x16x16xf32>, tensor<2x16x32xf32>) outs(%f : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %r2 = linalg.batch_matmul ins(%a2, %b : tensor<2x16x16xf32>, tensor<2x16x32xf32>) outs(%f : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %r, %r2 : tensor<2x16x32xf32>, tensor<2x16x32xf32>
}
func.func @filled_long_k(%a: tensor<2x16x512xf32>, %b: tensor<2x512x32xf32>) -> tensor<2x16x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %r = linalg.batch_matmul ins(%a, %b : tensor<2x16x512xf32>, tensor<2x512x32xf32>) outs(%f : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %r : tensor<2x16x32xf32>
}

// -----

// With two reduction loops, the tile is filled outside both.
// CHECK-LABEL: func.func @filled_two_reductions(
// CHECK:         scf.for {{.*}} step %c4
// CHECK:           scf.for {{.*}} step %c16
// CHECK:             vector.transfer_write %{{.*}} : vector<4x16xf32>, tensor<4x16xf32>
// CHECK:             scf.for %{{.*}} = %c0 to %c4 step %c1 {{.*}} -> (tensor<4x16xf32>)
// CHECK:               scf.for %{{.*}} = %c0 to %c8 step %c1 {{.*}} -> (vector<4x16xf32>)
func.func @filled_two_reductions(%a: tensor<16x4x8xf32>, %b: tensor<4x8x32xf32>) -> tensor<16x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k1, k2) -> (m, k1, k2)>, affine_map<(m, n, k1, k2) -> (k1, k2, n)>, affine_map<(m, n, k1, k2) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : tensor<16x4x8xf32>, tensor<4x8x32xf32>) outs(%f : tensor<16x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// Sizes the register tile does not divide (13 rows, 20 columns with 4 x 16
// tiles of 8-lane vectors) are split at the last whole tile: 12 rows in
// 4-row tiles and one row, 16 columns in one 16-wide tile and 4 columns;
// not 1-row tiles of 13 rows' divisors.
// CHECK-LABEL: func.func @odd_sizes(
// CHECK:         tensor.extract_slice %{{.*}}[0, 0, 0] [2, 12, 16]
// CHECK:         vector.contract {{.*}} into vector<1x4x16xf32>
// CHECK:         vector.contract {{.*}} into vector<1x4x4xf32>
// CHECK:         tensor.extract_slice %{{.*}}[0, 12, 0] [2, 1, 16]
// CHECK:         vector.contract {{.*}} into vector<1x1x16xf32>
// CHECK:         vector.contract {{.*}} into vector<1x1x4xf32>
// AVX512-LABEL: func.func @odd_sizes(
// AVX512:         vector.contract {{.*}} into vector<1x8x16xf32>
// AVX512:         vector.contract {{.*}} into vector<1x8x4xf32>
// AVX512:         vector.contract {{.*}} into vector<1x5x16xf32>
// AVX512:         vector.contract {{.*}} into vector<1x5x4xf32>
func.func @odd_sizes(%a: tensor<2x13x16xf32>, %b: tensor<2x16x20xf32>, %c: tensor<2x13x20xf32>) -> tensor<2x13x20xf32> {
  %r = linalg.batch_matmul ins(%a, %b : tensor<2x13x16xf32>, tensor<2x16x20xf32>) outs(%c : tensor<2x13x20xf32>) -> tensor<2x13x20xf32>
  return %r : tensor<2x13x20xf32>
}

// -----

// A row of 127 (prime) has no divisor near a vector: split into 120
// elements in vectors of 30 (256-bit) or 112 in vectors of 56 (512-bit),
// and the rest.
// CHECK-LABEL: func.func @odd_rows(
// CHECK:         vector.transfer_read {{.*}} : tensor<1x30xf32>, vector<1x30xf32>
// CHECK:         vector.transfer_read {{.*}} : tensor<1x7xf32>, vector<1x7xf32>
// AVX512-LABEL: func.func @odd_rows(
// AVX512:         vector.transfer_read {{.*}} : tensor<1x56xf32>, vector<1x56xf32>
// AVX512:         vector.transfer_read {{.*}} : tensor<1x15xf32>, vector<1x15xf32>
func.func @odd_rows(%x: tensor<2x127xf32>) -> tensor<2x127xf32> {
  %init = tensor.empty() : tensor<2x127xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x127xf32>) outs(%init : tensor<2x127xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  } -> tensor<2x127xf32>
  return %r : tensor<2x127xf32>
}

// -----

// An embedding lookup: the row index is an input element. Each 1 x 32 tile
// reads one id, extracted once before the tile's vector code, so the row is
// a contiguous vector load instead of a gather.
// CHECK-LABEL: func.func @embedding(
// CHECK-NOT:     vector.gather
// CHECK:         scf.for
// CHECK:           %[[ID:.*]] = tensor.extract %{{.*}}[%c0] : tensor<1xi64>
// CHECK:           %[[ROW:.*]] = arith.index_cast %[[ID]] : i64 to index
// CHECK:           vector.transfer_read %{{.*}}[%[[ROW]], %{{.*}}], %{{.*}} {in_bounds = [true, true]} : tensor<100x64xf32>, vector<1x32xf32>
// CHECK-NOT:     vector.gather
func.func @embedding(%ids: tensor<8xi64>, %table: tensor<100x64xf32>) -> tensor<8x64xf32> {
  %init = tensor.empty() : tensor<8x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(s, d) -> (s)>, affine_map<(s, d) -> (s, d)>], iterator_types = ["parallel", "parallel"]}
      ins(%ids : tensor<8xi64>) outs(%init : tensor<8x64xf32>) {
  ^bb0(%id: i64, %out: f32):
    %row = arith.index_cast %id : i64 to index
    %d = linalg.index 1 : index
    %v = tensor.extract %table[%row, %d] : tensor<100x64xf32>
    linalg.yield %v : f32
  } -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// -----

// A transpose whose output rows are the input's columns: square tiles of
// lanes x lanes (8 x 8 for 256-bit vectors, 16 x 16 for 512-bit ones), each
// read along the input's rows and transposed in registers.
// CHECK-LABEL: func.func @transpose(
// CHECK:         scf.for %{{.*}} = %c0 to %c64 step %c8
// CHECK:           scf.for %{{.*}} = %c0 to %c128 step %c8
// CHECK:             vector.transfer_read {{.*}} permutation_map = {{.*}} : tensor<8x1x8xf32>, vector<1x8x8xf32>
// AVX512-LABEL: func.func @transpose(
// AVX512:             vector.transfer_read {{.*}} : tensor<16x1x16xf32>, vector<1x16x16xf32>
func.func @transpose(%x: tensor<128x4x64xf32>) -> tensor<4x64x128xf32> {
  %init = tensor.empty() : tensor<4x64x128xf32>
  %t = linalg.transpose ins(%x : tensor<128x4x64xf32>) outs(%init : tensor<4x64x128xf32>) permutation = [1, 2, 0]
  return %t : tensor<4x64x128xf32>
}

// -----

// Left alone: dynamic shapes (the generic fallback) and boolean tensors
// (vectors of i1 are bit-packed, memrefs of i1 are not).
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT:     vector.
// CHECK:         linalg.matmul
// CHECK-NOT:     vector.
// CHECK:         linalg.generic
// CHECK-NOT:     vector.
func.func @left_alone(%a: tensor<?x16xf32>, %b: tensor<16x16xf32>, %c: tensor<?x16xf32>,
                      %x: tensor<8x8xf32>, %e: tensor<8x8xi1>) -> (tensor<?x16xf32>, tensor<8x8xi1>) {
  %r = linalg.matmul ins(%a, %b : tensor<?x16xf32>, tensor<16x16xf32>) outs(%c : tensor<?x16xf32>) -> tensor<?x16xf32>
  %zero = arith.constant 0.0 : f32
  %p = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x8xf32>) outs(%e : tensor<8x8xi1>) {
  ^bb0(%v: f32, %o: i1):
    %gt = arith.cmpf ogt, %v, %zero : f32
    linalg.yield %gt : i1
  } -> tensor<8x8xi1>
  return %r, %p : tensor<?x16xf32>, tensor<8x8xi1>
}

// -----

// Columns above the cache block whose largest divisor up to the block is not
// a whole number of register tile columns (368 = 2 x 184: 23-column tiles
// with 512-bit vectors, 8-column ones with 256-bit) are split at the block
// instead (256 + 112), each part with whole-vector tiles.
// CHECK-LABEL: func.func @wide_columns(
// CHECK-NOT:     vector<1x4x8xf32>
// CHECK:         scf.for {{.*}} -> (tensor<2x16x256xf32>)
// CHECK:           vector.contract {{.*}} into vector<1x4x16xf32>
// CHECK:         scf.for {{.*}} -> (tensor<2x16x112xf32>)
// CHECK:           vector.contract {{.*}} into vector<1x4x16xf32>
// CHECK:       return
// AVX512-LABEL: func.func @wide_columns(
// AVX512-NOT:     x23xf32>
// AVX512:         scf.for {{.*}} -> (tensor<2x16x256xf32>)
// AVX512:           vector.contract {{.*}} into vector<1x8x32xf32>
// AVX512:         scf.for {{.*}} -> (tensor<2x16x112xf32>)
// AVX512:           vector.contract {{.*}} into vector<1x8x16xf32>
// AVX512:       return
func.func @wide_columns(%a: tensor<2x16x64xf32>, %b: tensor<2x64x368xf32>, %c: tensor<2x16x368xf32>) -> tensor<2x16x368xf32> {
  %r = linalg.batch_matmul ins(%a, %b : tensor<2x16x64xf32>, tensor<2x64x368xf32>) outs(%c : tensor<2x16x368xf32>) -> tensor<2x16x368xf32>
  return %r : tensor<2x16x368xf32>
}

// -----

// A reduction above the cache block without a large divisor (263 is prime)
// is not blocked: blocks of one would store and reload the accumulators at
// every step. The register tile's accumulator is carried over all of k.
// CHECK-LABEL: func.func @prime_reduction(
// CHECK-NOT:     %c263 step %c1 iter_args({{.*}}) -> (tensor
// CHECK:         scf.for %{{.*}} = %c0 to %c263 step %c1 iter_args({{.*}}) -> (vector<1x4x16xf32>)
// CHECK:           vector.contract {{.*}} into vector<1x4x16xf32>
// AVX512-LABEL: func.func @prime_reduction(
// AVX512-NOT:     %c263 step %c1 iter_args({{.*}}) -> (tensor
// AVX512:         scf.for %{{.*}} = %c0 to %c263 step %c1 iter_args({{.*}}) -> (vector<1x8x32xf32>)
// AVX512:           vector.contract {{.*}} into vector<1x8x32xf32>
func.func @prime_reduction(%a: tensor<2x16x263xf32>, %b: tensor<2x263x32xf32>, %c: tensor<2x16x32xf32>) -> tensor<2x16x32xf32> {
  %r = linalg.batch_matmul ins(%a, %b : tensor<2x16x263xf32>, tensor<2x263x32xf32>) outs(%c : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %r : tensor<2x16x32xf32>
}
