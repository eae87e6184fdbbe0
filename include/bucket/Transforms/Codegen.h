//===- Codegen.h - Code generation strategy for static buckets --*- C++ -*-===//
//
// The library behind bucket-tile-and-vectorize: static-shape linalg ops are
// tiled to register-sized tiles derived from their shapes and the target's
// vector width, and vectorized. Contractions (matmul, batch matmul,
// contraction-like generics) get an MR x NR register tile over a loop on the
// reduction dimension whose accumulator is hoisted out of the loop (it stays
// in registers); other ops (elementwise, reductions, fills, transposes) are
// tiled to one row of a vector-friendly width and vectorized whole. A size
// the tile does not divide is split at the last whole tile (one op for the
// bulk, one for the remainder) rather than tiled by a small divisor. Dynamic
// ops are left to the generic lowering.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TRANSFORMS_CODEGEN_H
#define BUCKET_TRANSFORMS_CODEGEN_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace bucket {

struct CodegenOptions {
  /// The target's vector register width in bits (256 for AVX2, 512 for
  /// AVX-512).
  unsigned vectorBits = 256;
  /// Register tile of a contraction, in rows of the left-hand side and vector
  /// registers of the right-hand side; 0 derives them from vectorBits.
  unsigned tileRows = 0;
  unsigned tileVectors = 0;
  /// Pack the right-hand sides of matmuls into contiguous column panels (at
  /// compile time for constants).
  bool packRhs = true;
};

/// Rows of a contraction's full register tile: `options.tileRows`, or 8 with
/// AVX-512 and 4 otherwise.
int64_t getRegisterTileRows(const CodegenOptions &options);

/// A contraction's cache blocks along n and k hold at most this many.
constexpr int64_t kContractionCacheBlock = 256;

/// Where a contraction's `n` columns are split before cache blocking, or
/// nothing. Columns above kContractionCacheBlock are blocked by their largest
/// divisor up to it; when that divisor is not a whole number of full
/// register tile columns (368 = 2 x 184: 23-column tiles of partial
/// vectors), the columns are split at the last multiple of the block instead
/// (256 + 112), each part blocked and tiled on its own.
std::optional<int64_t> getColumnBlockSplit(int64_t n,
                                           const CodegenOptions &options);

/// The register tile (rows, columns) used for a contraction with `m` rows and
/// `n` columns: the largest divisors of m and n not above the options' tile.
/// (tileAndVectorize first splits m and n at the last multiple of the full
/// tile, so each part gets either the full tile or its own size.)
std::pair<int64_t, int64_t> getContractionTile(int64_t m, int64_t n,
                                               const CodegenOptions &options);

/// The columns of the panels a static f32 matmul's right-hand side is packed
/// into (`options.packRhs`: one matmul per K x NR panel), or nothing when it
/// stays unpacked (a transposed or broadcast operand, a tile of one column,
/// fewer than two panels or fewer than two register tiles of rows).
std::optional<int64_t> getPackedRhsColumns(linalg::MatmulOp matmul,
                                           const CodegenOptions &options);

/// What tileAndVectorize did, per linalg op it took.
struct CodegenResult {
  /// Ops tiled and vectorized by the strategy.
  unsigned numVectorized = 0;
  /// Ops a step of the strategy did not apply to: left (perhaps tiled) to
  /// the generic lowering, with the same results, only slower.
  unsigned numLeftToLoops = 0;
};

/// Tiles and vectorizes every statically shaped linalg op of `func` (tensor
/// level). Ops that do not vectorize are left, correct, to the generic
/// lowering and counted; `-debug-only=bucket-codegen` traces each decision
/// (tiles, splits, cache blocks, packing, constant fills).
CodegenResult tileAndVectorize(RewriterBase &rewriter, func::FuncOp func,
                               const CodegenOptions &options);

/// The vector width of the host CPU in bits (512 with AVX-512F, 256 with
/// AVX2 or AVX, 128 otherwise).
unsigned getHostVectorBits();

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TRANSFORMS_CODEGEN_H
