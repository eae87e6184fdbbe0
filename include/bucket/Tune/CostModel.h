//===- CostModel.h - The compiler's cost of a bucket ------------*- C++ -*-===//
//
// The analytic cost model of bucket-tune: the work of a function compiled for
// one static shape, counted from its linalg ops. The function is specialized
// as bucket-specialize-functions does (static argument types, shapes refined
// by canonicalization; aggregated ops such as linalg.softmax decomposed),
// then every linalg op contributes
//
//   ops   = (product of its static loop ranges) x (ops in its body, but the
//            terminator, linalg.index and constants)
//   bytes = the sizes of its tensor operands (inputs and outputs), once each
//
// so a matmul MxNxK counts 2*M*N*K ops and 4*(M*K + K*N + M*N) bytes in f32.
// Contractions also count their ops as the code generator executes them
// (tiledContractionFlops): lib/Transforms/Codegen.cpp runs a contraction in
// MR x NR register tiles (MR = 8 rows with AVX-512, 4 with AVX2; NR = two
// vectors), splitting M (and N) at the last multiple of the full tile and
// giving the rest one narrower tile. A tile of r rows keeps r x 2
// accumulator chains; below 8 chains (4 rows) it waits on the FMA latency
// and runs as long as a tile of 4 rows. So each tile counts max(r, 4) rows
// (every AVX2 tile a full one: M rounded up to a multiple of 4; on AVX-512
// 9 rows count 12), and N is rounded up to whole vectors per column tile,
// following the code
// generator's splits, cache blocks and right-hand-side panels. Operands
// around and beyond the core's cache (L2) count a share of their bytes once
// more as spillBytes: they stream from the next level each time an op reads
// them. The share is 0 up to half the cache, 1 from one and a half caches,
// linear in between: a cache is no ideal store of its whole size (its sets,
// the other operands and the weights share it), and the measured cost rises
// gradually around its size, not at it.
// The counts are exact functions of the symbolic dimensions (polynomials for
// most models; the iteration domains themselves, not a fitted curve), and are
// cached per shape. A TimeModel turns them into a time:
//
//   time = (tiled contraction ops + other ops) / opsPerMicrosecond
//          + bytes / bytesPerMicrosecond
//          + spill bytes / spillBytesPerMicrosecond + callMicros
//
// whose defaults are a generic machine's, not a measurement. With `overlap`
// (chosen by the calibration when it fits the measurements better) each op
// takes the longer of its arithmetic and its memory traffic, as on a core
// that streams operands while it computes (a roofline per op):
//
//   time = sum over ops of max(ops / opsPerMicrosecond,
//                              bytes / bytesPerMicrosecond)
//          + spill bytes / spillBytesPerMicrosecond + callMicros
//
// A small batch through large weights is bound by the weights' bytes: its
// time stays flat while the rows grow, which a sum cannot follow.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TUNE_COSTMODEL_H
#define BUCKET_TUNE_COSTMODEL_H

#include "bucket/Transforms/Codegen.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>

namespace mlir {
namespace bucket {

/// The work of one linalg op.
struct OpWork {
  double flops = 0, tiledFlops = 0, bytes = 0;
};

/// The work of one call.
struct WorkCount {
  /// Arithmetic ops over the iteration domains of the linalg ops (FLOPs for
  /// floating-point models).
  double flops = 0;
  /// The part of `flops` in contractions (the ops the code generator runs
  /// in register tiles).
  double contractionFlops = 0;
  /// The contractions' ops over their executed domains: M rounded up to
  /// whole register tiles, N to whole vectors (see the file comment).
  double tiledContractionFlops = 0;
  /// Bytes of the linalg ops' tensor operands.
  double bytes = 0;
  /// The part of `bytes` that streams from beyond the target's cache (the
  /// file comment).
  double spillBytes = 0;
  /// Linalg ops counted.
  unsigned numOps = 0;
  /// Each op's work, in walk order (the overlapped time model's terms).
  SmallVector<OpWork, 0> perOp;

  /// The ops as the code generator executes them: the contractions' tiled
  /// ops and the other ops exactly.
  double getTiledFlops() const {
    return tiledContractionFlops + flops - contractionFlops;
  }
};

/// The ops a contraction's register tiles execute per op of its body: the
/// product of its loop ranges with the rows rounded up to whole register
/// tiles and the columns to whole vectors of `options.vectorBits`, as
/// tileAndVectorize splits and tiles it. Nothing when `op` is no linalg
/// contraction the code generator tiles as one, or not static.
std::optional<double> getTiledContractionDomain(Operation *op,
                                                const CodegenOptions &options);

/// What the cost model knows of the target.
struct CostTarget {
  /// The code generator's options (its register tiles).
  CodegenOptions codegen;
  /// The cache of one core (L2): operands around and beyond it spill.
  double cacheBytes = 2 << 20;
};

/// The host: its vector width (as bucket-compile's default) and the size
/// of its L2 cache from /sys/devices/system/cpu/cpu0/cache (2 MiB when it
/// cannot be read).
CostTarget getHostCostTarget();

/// Adds up the work of the linalg ops under `root` on `target`. Fails with
/// an error at the first linalg op whose loop ranges are not static.
FailureOr<WorkCount> countLinalgWork(Operation *root, const CostTarget &target);

/// time = ops / opsPerMicrosecond + bytes / bytesPerMicrosecond
///        + spillBytes / spillBytesPerMicrosecond + callMicros
/// where ops are the tiled ones (WorkCount::getTiledFlops). With `tiled` off
/// (the model before register tiles were counted) ops are the exact ones.
struct TimeModel {
  double opsPerMicrosecond = 50e3;        // 50 GFLOP/s
  double bytesPerMicrosecond = 20e3;      // 20 GB/s
  double spillBytesPerMicrosecond = 20e3; // 20 GB/s more beyond the cache
  double callMicros = 2.0;
  bool tiled = true;
  /// Each op takes max(its ops' time, its bytes' time) (file comment).
  bool overlap = false;
  double getOps(const WorkCount &work) const {
    return tiled ? work.getTiledFlops() : work.flops;
  }
  double getOps(const OpWork &op) const {
    return tiled ? op.tiledFlops : op.flops;
  }
  double operator()(const WorkCount &work) const {
    double fixed = work.spillBytes / spillBytesPerMicrosecond + callMicros;
    if (!overlap)
      return getOps(work) / opsPerMicrosecond +
             work.bytes / bytesPerMicrosecond + fixed;
    for (const OpWork &op : work.perOp)
      fixed += std::max(getOps(op) / opsPerMicrosecond,
                        op.bytes / bytesPerMicrosecond);
    return fixed;
  }
};

/// Counts the work of one function specialized to static sizes of its
/// symbolic dimensions (in the order of DimensionAnalysis::getDims()).
class LinalgCostModel {
public:
  /// Analyzes `func` (its symbolic dimensions) for `target`. Emits located
  /// errors and fails when the dimension analysis does. `func` is never
  /// changed.
  static FailureOr<std::unique_ptr<LinalgCostModel>>
  create(func::FuncOp func, const CostTarget &target);

  /// The names of the symbolic dimensions (each with its aliases).
  ArrayRef<SmallVector<std::string>> getDimNames() const { return dimNames; }

  /// The work of `func` specialized to `sizes` (cached). Emits an error and
  /// fails when the specialized function does not become static.
  FailureOr<WorkCount> count(ArrayRef<int64_t> sizes);

private:
  LinalgCostModel(func::FuncOp func, const CostTarget &target)
      : func(func), target(target) {}
  func::FuncOp func;
  CostTarget target;
  SmallVector<SmallVector<std::string>> dimNames;
  /// For each argument dimension: its symbolic dimension, or -1.
  SmallVector<SmallVector<int>> argDimIds;
  std::map<SmallVector<int64_t>, WorkCount> cache;
};

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TUNE_COSTMODEL_H
