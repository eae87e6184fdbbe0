//===- BufferPlan.cpp - One arena for a function's static buffers ---------===//

#include "bucket/Transforms/BufferPlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::bucket;

namespace {
/// A buffer of the plan: its allocation, its one deallocation, the positions
/// in the body of its allocation and of its last use, and its place.
struct Buffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t start = 0;
  int64_t end = 0;
  int64_t bytes = 0;
  int64_t alignment = 0;
  int64_t offset = -1;

  bool overlaps(const Buffer &other) const {
    return start <= other.end && other.start <= end;
  }
};
} // namespace

/// Bytes of a statically shaped buffer with an identity layout in the
/// default memory space, or nothing. Element types must be whole bytes
/// (memref.view places a buffer at a byte offset).
static std::optional<int64_t> getStaticBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace())
    return std::nullopt;
  Type element = type.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  int64_t bytes = type.getNumElements() * (element.getIntOrFloatBitWidth() / 8);
  if (bytes <= 0)
    return std::nullopt;
  return bytes;
}

/// Follows `buffer`'s allocation through its views. Sets the buffer's last
/// use (the position of the outermost op in `body` that uses it or a view of
/// it) and its deallocation; fails if a view escapes the body's reach or if
/// the buffer is not freed exactly once, directly in the body.
static LogicalResult
analyzeUses(Buffer &buffer, Block &body,
            const DenseMap<Operation *, int64_t> &positions) {
  SmallVector<Value> worklist = {buffer.alloc.getResult()};
  buffer.end = buffer.start;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
        if (buffer.dealloc || dealloc->getBlock() != &body)
          return failure();
        buffer.dealloc = dealloc;
        continue;
      }
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if (view && view.getViewSource() == value) {
        // A view aliases the buffer: its uses are the buffer's uses.
        for (Value result : user->getResults())
          if (isa<BaseMemRefType>(result.getType()))
            worklist.push_back(result);
      } else if (llvm::any_of(user->getResultTypes(),
                              llvm::IsaPred<BaseMemRefType, TensorType>) ||
                 isa<CallOpInterface, memref::ExtractAlignedPointerAsIndexOp>(
                     user) ||
                 user->hasTrait<OpTrait::IsTerminator>()) {
        // Another memref or a tensor may alias it (a loop result, a call's
        // result, bufferization.to_tensor), or its address leaves the memref
        // world: its lifetime is unknown.
        return failure();
      }
      Operation *ancestor = body.findAncestorOpInBlock(*user);
      if (!ancestor)
        return failure();
      buffer.end = std::max(buffer.end, positions.lookup(ancestor));
    }
  }
  return success(buffer.dealloc != nullptr);
}

/// Greedy by size: the largest buffers are placed first, each at the lowest
/// aligned offset that does not overlap a placed buffer live at the same
/// time. Returns the arena's size.
static int64_t assignOffsets(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  // Ties in body order, so that the plan does not depend on the sort.
  llvm::sort(order, [](const Buffer *a, const Buffer *b) {
    return std::make_pair(-a->bytes, a->start) <
           std::make_pair(-b->bytes, b->start);
  });
  int64_t arenaBytes = 0;
  SmallVector<Buffer *> placed;
  for (Buffer *buffer : order) {
    SmallVector<Buffer *> live;
    for (Buffer *other : placed)
      if (buffer->overlaps(*other))
        live.push_back(other);
    llvm::sort(live, [](const Buffer *a, const Buffer *b) {
      return a->offset < b->offset;
    });
    int64_t offset = 0;
    for (Buffer *other : live) {
      if (offset + buffer->bytes <= other->offset)
        break;
      offset = std::max(offset, other->offset + other->bytes);
      offset = llvm::alignTo(offset, buffer->alignment);
    }
    buffer->offset = offset;
    arenaBytes = std::max(arenaBytes, offset + buffer->bytes);
    placed.push_back(buffer);
  }
  return arenaBytes;
}

BufferPlanResult mlir::bucket::planStaticBuffers(RewriterBase &rewriter,
                                                 func::FuncOp func) {
  BufferPlanResult result;
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return result;
  Block &body = func.getBody().front();
  DenseMap<Operation *, int64_t> positions;
  for (auto [index, op] : llvm::enumerate(body))
    positions[&op] = index;

  SmallVector<Buffer> buffers;
  for (Operation &op : body) {
    auto alloc = dyn_cast<memref::AllocOp>(&op);
    if (!alloc)
      continue;
    std::optional<int64_t> bytes = getStaticBytes(alloc.getType());
    if (!bytes || !alloc.getSymbolOperands().empty())
      continue;
    Buffer buffer;
    buffer.alloc = alloc;
    buffer.start = positions.lookup(alloc);
    buffer.bytes = *bytes;
    // Cache-line alignment at least: vector loads and stores of a row
    // should not straddle lines because of where the planner put it.
    buffer.alignment = std::max<int64_t>(64, alloc.getAlignment().value_or(1));
    if (succeeded(analyzeUses(buffer, body, positions)))
      buffers.push_back(buffer);
  }
  if (buffers.size() < 2)
    return result;

  int64_t arenaBytes = assignOffsets(buffers);
  int64_t arenaAlignment = 64;
  for (const Buffer &buffer : buffers) {
    arenaAlignment = std::max(arenaAlignment, buffer.alignment);
    result.separateBytes += buffer.bytes;
  }
  result.numBuffers = buffers.size();
  result.arenaBytes = arenaBytes;

  // The arena is allocated before anything else in the body and freed just
  // before its return, like any buffer of the body.
  Location loc = func.getLoc();
  rewriter.setInsertionPointToStart(&body);
  auto arenaType = MemRefType::get({arenaBytes}, rewriter.getI8Type());
  Value arena = memref::AllocOp::create(
      rewriter, loc, arenaType, rewriter.getI64IntegerAttr(arenaAlignment));
  for (Buffer &buffer : buffers) {
    rewriter.setInsertionPoint(buffer.alloc);
    Value offset = arith::ConstantIndexOp::create(
        rewriter, buffer.alloc.getLoc(), buffer.offset);
    rewriter.replaceOpWithNewOp<memref::ViewOp>(
        buffer.alloc, buffer.alloc.getType(), arena, offset, ValueRange{});
    rewriter.eraseOp(buffer.dealloc);
  }
  rewriter.setInsertionPoint(body.getTerminator());
  memref::DeallocOp::create(rewriter, loc, arena);
  return result;
}
