//===- StateBuffers.h - State arguments updated in place --------*- C++ -*-===//
//
// A state argument (`bucket.state`, docs/State.md) is a caller-owned buffer
// that its function updates in place and returns as its tied result. One-shot
// bufferization writes into it when the argument is writable and nothing
// reads its old value after the write; what it cannot update in place it
// copies, silently. These functions run on the module right after one-shot
// bufferization (with function boundaries and identity layouts) and turn
// such a copy into an error at the op. They also keep buffer deallocation,
// which clones every function result it does not own, from cloning the
// state at the function boundary: the tied results are taken out of the
// functions before deallocation and put back after it.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TRANSFORMS_STATEBUFFERS_H
#define BUCKET_TRANSFORMS_STATEBUFFERS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Support/LLVM.h"

namespace mlir {
namespace bucket {

/// Checks that every state argument of every function in `module` was
/// bufferized in place: the function's tied result is the argument's own
/// buffer (through `memref.cast`, the tied results of calls, and the results
/// of `scf.if` / `scf.index_switch` whose every branch yields it), and no
/// `memref.copy` reads the whole state. Emits "state argument K is copied
/// here" at such a copy, or an error at the `func.return` whose tied operand
/// is another buffer, and fails. Precondition: `module` is bufferized.
LogicalResult verifyStatesInPlace(ModuleOp module);

/// Verifies (verifyStatesInPlace), then removes each function's tied state
/// results: from the function type, its `func.return`s and every call of it,
/// where the result's uses read the state operand passed to the call
/// instead. The state attributes move to `bucket.detached_states` on the
/// function. Buffer deallocation then has no state result to clone.
LogicalResult detachStateResults(RewriterBase &rewriter, ModuleOp module);

/// Undoes detachStateResults after deallocation: each function gets its tied
/// results back at their original positions, returning the state argument
/// itself, so the C interface of the function is unchanged and hands the
/// caller's buffer back. Calls of it get the results too (unused).
void attachStateResults(RewriterBase &rewriter, ModuleOp module);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TRANSFORMS_STATEBUFFERS_H
