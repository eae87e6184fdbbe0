//===- StateBuffers.cpp - State arguments updated in place ----------------===//

#include "bucket/Transforms/StateBuffers.h"
#include "bucket/IR/BucketDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/BitVector.h"

using namespace mlir;
using namespace mlir::bucket;

/// The (argument, result) pairs of `func`'s states.
using StatePairs = SmallVector<StateArgument>;

/// The entry-block argument of `func` whose buffer `value` is, or null. Follows
/// `memref.cast`, the tied results of calls (each callee is checked on its
/// own), and results of ops with regions whose every branch yields the same
/// argument (`scf.if`, `scf.index_switch`, `scf.for` whose iteration
/// argument starts as the argument). Anything else, an allocation included,
/// is another buffer.
static BlockArgument traceToArgument(Value value, func::FuncOp func,
                                     SymbolTableCollection &symbols) {
  while (true) {
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      if (arg.getOwner() == &func.getBody().front())
        return arg;
      // A loop's iteration argument is the buffer its initial value is
      // when the loop yields it back (checked at the loop's results).
      auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
      OpOperand *init = loop ? loop.getTiedLoopInit(arg) : nullptr;
      if (!init)
        return {};
      value = init->get();
      continue;
    }
    Operation *op = value.getDefiningOp();
    unsigned index = cast<OpResult>(value).getResultNumber();
    if (auto cast = dyn_cast<memref::CastOp>(op)) {
      value = cast.getSource();
      continue;
    }
    if (auto call = dyn_cast<func::CallOp>(op)) {
      auto callee = symbols.lookupNearestSymbolFrom<func::FuncOp>(
          call, call.getCalleeAttr());
      if (!callee)
        return {};
      SmallVector<StateArgument> states = getStateArguments(callee);
      auto tied = llvm::find_if(
          states, [&](StateArgument state) { return state.result == index; });
      if (tied == states.end())
        return {};
      value = call.getOperand(tied->argument);
      continue;
    }
    if (op->getNumRegions() == 0)
      return {};
    BlockArgument common;
    for (Region &region : op->getRegions()) {
      if (region.empty())
        continue;
      Operation *yield = region.front().getTerminator();
      if (!yield || yield->getNumOperands() != op->getNumResults())
        return {};
      BlockArgument arg =
          traceToArgument(yield->getOperand(index), func, symbols);
      if (!arg || (common && arg != common))
        return {};
      common = arg;
    }
    return common;
  }
}

/// Checks the states of one bufferized function (see verifyStatesInPlace).
static LogicalResult verifyFunction(func::FuncOp func,
                                    SymbolTableCollection &symbols) {
  bool failedAny = false;
  for (StateArgument state : getStateArguments(func)) {
    BlockArgument arg = func.getArgument(state.argument);
    bool copied = false;
    func.walk([&](memref::CopyOp copy) {
      if (traceToArgument(copy.getSource(), func, symbols) != arg)
        return;
      InFlightDiagnostic diag =
          copy.emitError() << "state argument " << state.argument
                           << " is copied here: bufferization cannot update "
                              "it in place (is its old value read after it "
                              "is written?)";
      for (Operation *user : copy.getTarget().getUsers())
        if (auto call = dyn_cast<func::CallOp>(user))
          diag.attachNote(call.getLoc())
              << "the copy is passed to '" << call.getCallee()
              << "': does another of its results alias the state (a slice "
                 "of it returned as is)? Return a computed value instead";
      copied = true;
    });
    failedAny |= copied;
    // A copy is the cause of a wrong return too; report it alone.
    if (copied)
      continue;
    func.walk([&](func::ReturnOp ret) {
      if (traceToArgument(ret.getOperand(state.result), func, symbols) == arg)
        return;
      InFlightDiagnostic diag =
          ret.emitError() << "result " << state.result
                          << " is tied to state argument " << state.argument
                          << " but is not its buffer: the state would be "
                             "reallocated";
      if (Operation *def = ret.getOperand(state.result).getDefiningOp())
        diag.attachNote(def->getLoc()) << "the returned buffer comes from here";
      failedAny = true;
    });
  }
  return failure(failedAny);
}

LogicalResult mlir::bucket::verifyStatesInPlace(ModuleOp module) {
  SymbolTableCollection symbols;
  bool failedAny = false;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isExternal())
      failedAny |= failed(verifyFunction(func, symbols));
  return failure(failedAny);
}

/// Replaces `call` by a call of the same callee with `resultTypes`; result i
/// of the old call becomes result `map[i]` of the new one (none for -1, whose
/// uses must be gone).
static void rebuildCall(RewriterBase &rewriter, func::CallOp call,
                        TypeRange resultTypes, ArrayRef<int> map) {
  rewriter.setInsertionPoint(call);
  auto replacement =
      func::CallOp::create(rewriter, call.getLoc(), call.getCalleeAttr(),
                           resultTypes, call.getOperands());
  replacement->setDiscardableAttrs(call->getDiscardableAttrDictionary());
  for (auto [i, target] : llvm::enumerate(map))
    if (target >= 0)
      rewriter.replaceAllUsesWith(call.getResult(i),
                                  replacement.getResult(target));
  rewriter.eraseOp(call);
}

/// Removes the tied results of `func` from its calls in `module`.
static void detachFromCalls(RewriterBase &rewriter, ModuleOp module,
                            func::FuncOp func, const StatePairs &states) {
  SmallVector<func::CallOp> calls;
  module.walk([&](func::CallOp call) {
    if (call.getCallee() == func.getSymName())
      calls.push_back(call);
  });
  for (func::CallOp call : calls) {
    SmallVector<int> map(call.getNumResults(), 0);
    for (StateArgument state : states) {
      rewriter.replaceAllUsesWith(call.getResult(state.result),
                                  call.getOperand(state.argument));
      map[state.result] = -1;
    }
    SmallVector<Type> types;
    for (unsigned i = 0; i < map.size(); ++i)
      if (map[i] >= 0) {
        map[i] = types.size();
        types.push_back(call.getResult(i).getType());
      }
    rebuildCall(rewriter, call, types, map);
  }
}

LogicalResult mlir::bucket::detachStateResults(RewriterBase &rewriter,
                                               ModuleOp module) {
  if (failed(verifyStatesInPlace(module)))
    return failure();
  for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
    StatePairs states = getStateArguments(func);
    if (states.empty())
      continue;
    detachFromCalls(rewriter, module, func, states);
    llvm::BitVector dropped(func.getNumResults());
    SmallVector<int64_t> pairs;
    for (StateArgument state : states) {
      dropped.set(state.result);
      pairs.append({state.argument, state.result});
      for (StringRef name :
           {kStateAttrName, kTiedResultAttrName, kTfAliasingOutputAttrName})
        func.removeArgAttr(state.argument, name);
    }
    if (!func.isExternal())
      func.walk([&](func::ReturnOp ret) { ret->eraseOperands(dropped); });
    (void)func.eraseResults(dropped);
    func->setAttr(kDetachedStatesAttrName,
                  rewriter.getDenseI64ArrayAttr(pairs));
  }
  return success();
}

/// Gives the calls of `func` in `module` its restored result types.
static void attachToCalls(RewriterBase &rewriter, ModuleOp module,
                          func::FuncOp func, ArrayRef<bool> restored) {
  SmallVector<func::CallOp> calls;
  module.walk([&](func::CallOp call) {
    if (call.getCallee() == func.getSymName())
      calls.push_back(call);
  });
  SmallVector<int> map;
  for (auto [i, isRestored] : llvm::enumerate(restored))
    if (!isRestored)
      map.push_back(i);
  for (func::CallOp call : calls)
    rebuildCall(rewriter, call, func.getResultTypes(), map);
}

void mlir::bucket::attachStateResults(RewriterBase &rewriter, ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
    auto pairs =
        func->getAttrOfType<DenseI64ArrayAttr>(kDetachedStatesAttrName);
    if (!pairs)
      continue;
    // Ascending result positions, so each insertion lands where it was.
    SmallVector<StateArgument> states;
    for (unsigned i = 0; i + 1 < pairs.size(); i += 2)
      states.push_back({unsigned(pairs[i]), unsigned(pairs[i + 1])});
    llvm::sort(states, [](StateArgument a, StateArgument b) {
      return a.result < b.result;
    });
    SmallVector<bool> restored(func.getNumResults() + states.size(), false);
    for (StateArgument state : states) {
      Type type = func.getArgumentTypes()[state.argument];
      (void)func.insertResult(state.result, type, DictionaryAttr::get(ctx));
      restored[state.result] = true;
      if (!func.isExternal())
        func.walk([&](func::ReturnOp ret) {
          ret->insertOperands(state.result, func.getArgument(state.argument));
        });
      func.setArgAttr(state.argument, kStateAttrName, UnitAttr::get(ctx));
      func.setArgAttr(state.argument, kTiedResultAttrName,
                      rewriter.getI64IntegerAttr(state.result));
    }
    func->removeAttr(kDetachedStatesAttrName);
    attachToCalls(rewriter, module, func, restored);
  }
}
