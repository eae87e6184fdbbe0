//===- BufferPlan.h - One arena for a function's static buffers -*- C++ -*-===//
//
// After bufferization, every intermediate tensor of a static bucket is a
// memref.alloc of a fixed size in the function's body, freed at the end of
// the body. Planning gives each of them an offset in one arena, by liveness,
// so that buffers whose lifetimes do not overlap share memory: one
// allocation per call instead of one per op, and a working set that fits in
// the caches instead of growing with the number of ops.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TRANSFORMS_BUFFERPLAN_H
#define BUCKET_TRANSFORMS_BUFFERPLAN_H

#include "mlir/Support/LLVM.h"

#include <cstdint>

namespace mlir {
class RewriterBase;
namespace func {
class FuncOp;
} // namespace func

namespace bucket {

/// What planning did to one function.
struct BufferPlanResult {
  /// Buffers placed in the arena.
  unsigned numBuffers = 0;
  /// The arena's size in bytes (0: no arena).
  int64_t arenaBytes = 0;
  /// What the same buffers took as separate allocations, in bytes.
  int64_t separateBytes = 0;
};

/// Places the statically sized `memref.alloc`s of `func`'s body that are
/// freed by a `memref.dealloc` in the same block, and whose views never
/// escape (returned, passed to a call, yielded from a region, or taken as a
/// pointer), at offsets of one arena allocated at the start of the body and
/// freed before its return. Two buffers share bytes only if no op of the
/// body (with everything nested in it) uses both. Allocations inside loops,
/// dynamically sized ones and results are left alone. Does nothing unless
/// the body is one block and at least two buffers qualify.
BufferPlanResult planStaticBuffers(RewriterBase &rewriter, func::FuncOp func);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TRANSFORMS_BUFFERPLAN_H
