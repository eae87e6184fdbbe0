//===- BucketDialect.cpp - The bucket dialect and its attributes ----------===//

#include "bucket/IR/BucketDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::bucket;

#include "bucket/IR/BucketDialect.cpp.inc"

void BucketDialect::initialize() {}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

/// Checks that `attr` is an array of strings.
static bool isStringArray(Attribute attr) {
  auto array = dyn_cast<ArrayAttr>(attr);
  return array && llvm::all_of(array, llvm::IsaPred<StringAttr>);
}

/// Checks a tied result (`bucket.tied_result`, or `tf.aliasing_output` on
/// a state): a result of the argument's type that no other state returns.
static LogicalResult verifyTiedResult(FunctionOpInterface func,
                                      unsigned argIndex, StringRef name,
                                      Attribute attr) {
  auto error = [&]() {
    return emitError(func->getLoc())
           << "'" << name << "' of argument " << argIndex;
  };
  auto index = dyn_cast<IntegerAttr>(attr);
  ArrayRef<Type> results = func.getResultTypes();
  if (!index || index.getInt() < 0 || index.getInt() >= int64_t(results.size()))
    return error() << " must be the number of a result";
  Type type = func.getArgumentTypes()[argIndex];
  Type resultType = results[index.getInt()];
  if (resultType != type)
    return error() << " ties result " << index.getInt() << " of type "
                   << resultType << " to an argument of type " << type;
  for (unsigned other = 0; other < argIndex; ++other)
    if (getTiedResult(func, other) == uint64_t(index.getInt()))
      return error() << " ties result " << index.getInt() << ", which argument "
                     << other << " already returns";
  return success();
}

/// Checks that state argument `argIndex` names the result that returns it,
/// and that its two possible names agree.
static LogicalResult verifyStateArgument(FunctionOpInterface func,
                                         unsigned argIndex) {
  Attribute tied = func.getArgAttr(argIndex, kTiedResultAttrName);
  Attribute alias = func.getArgAttr(argIndex, kTfAliasingOutputAttrName);
  if (!tied && !alias)
    return emitError(func->getLoc())
           << "state argument " << argIndex
           << " is not returned: name the result that returns it updated "
              "with 'bucket.tied_result'";
  if (!tied)
    return verifyTiedResult(func, argIndex, kTfAliasingOutputAttrName, alias);
  auto tiedIndex = dyn_cast<IntegerAttr>(tied);
  auto aliasIndex = dyn_cast_or_null<IntegerAttr>(alias);
  if (alias &&
      (!tiedIndex || !aliasIndex || tiedIndex.getInt() != aliasIndex.getInt()))
    return emitError(func->getLoc())
           << "state argument " << argIndex << " has 'bucket.tied_result' "
           << tied << " but 'tf.aliasing_output' " << alias;
  return success();
}

LogicalResult BucketDialect::verifyRegionArgAttribute(Operation *op,
                                                      unsigned regionIndex,
                                                      unsigned argIndex,
                                                      NamedAttribute named) {
  StringRef name = named.getName().strref();
  Attribute attr = named.getValue();
  auto func = dyn_cast<FunctionOpInterface>(op);
  if (!func || regionIndex != 0)
    return op->emitError() << "'" << name
                           << "' is an attribute of function arguments";
  Type type = func.getArgumentTypes()[argIndex];
  auto error = [&]() {
    return emitError(op->getLoc())
           << "'" << name << "' of argument " << argIndex;
  };
  // The attributes describe a ranked tensor, which bufferization turns into
  // a memref; after lowering to LLVM they no longer describe the arguments
  // and are not checked.
  auto tensor = dyn_cast<ShapedType>(type);
  if (!tensor || !tensor.hasRank()) {
    if (isa<func::FuncOp>(op) && !isa<ShapedType>(type))
      return error() << " is on an argument of type " << type
                     << ", not a ranked tensor";
    return success();
  }
  if (name == kDimsAttrName) {
    if (!isStringArray(attr))
      return error() << " must hold strings";
    if (int64_t size = cast<ArrayAttr>(attr).size(); size != tensor.getRank())
      return error() << " has " << size << " entries but the argument has rank "
                     << tensor.getRank();
    return success();
  }
  if (name == kDimIdsAttrName) {
    auto ids = dyn_cast<DenseI32ArrayAttr>(attr);
    if (!ids || ids.size() != tensor.getRank())
      return error() << " must be an array<i32> with one entry per dimension";
    return success();
  }
  if (name == kPadValueAttrName) {
    if (!isa<StringAttr>(attr) && !isa<TypedAttr>(attr))
      return emitError(op->getLoc())
             << "invalid pad value for argument " << argIndex
             << ": expected a string or a typed constant";
    return success();
  }
  if (name == kPaddingAttrName) {
    auto typed = dyn_cast<TypedAttr>(attr);
    if (!typed || typed.getType() != tensor.getElementType())
      return error() << " must be a constant of the element type "
                     << tensor.getElementType();
    return success();
  }
  if (name == kMaskAttrName || name == kStateAttrName) {
    if (!isa<UnitAttr>(attr))
      return error() << " is a unit attribute";
    if (name == kMaskAttrName)
      return success();
    // A state is a buffer of fixed capacity: never padded or cropped.
    if (!tensor.hasStaticShape())
      return error() << " is on an argument of type " << type
                     << "; a state has a static capacity";
    return verifyStateArgument(func, argIndex);
  }
  if (name == kTiedResultAttrName)
    return verifyTiedResult(func, argIndex, name, attr);
  return error() << ": unknown bucket attribute on a function argument";
}

LogicalResult BucketDialect::verifyOperationAttribute(Operation *op,
                                                      NamedAttribute named) {
  StringRef name = named.getName().strref();
  Attribute attr = named.getValue();
  if (!isa<FunctionOpInterface>(op))
    return op->emitError() << "'" << name << "' is an attribute of functions";
  auto error = [&]() { return op->emitError() << "'" << name << "'"; };
  if (name == kBucketsAttrName || name == kOutOfRangeAttrName) {
    if (!isa<StringAttr>(attr))
      return error() << " must be a string";
    return success();
  }
  if (name == kSelfCheckAttrName) {
    if (!isa<UnitAttr, FloatAttr>(attr))
      return error() << " must be a unit attribute or a tolerance (f64)";
    return success();
  }
  if (name == kDimNamesAttrName) {
    if (!isStringArray(attr))
      return error() << " must be an array of strings";
    return success();
  }
  if (name == kPoliciesAttrName) {
    if (!isStringArray(attr))
      return error() << " must be an array of strings";
    for (Attribute policy : cast<ArrayAttr>(attr))
      if (!parseOutOfRangePolicy(cast<StringAttr>(policy).getValue()))
        return op->emitError("invalid out-of-range policy ") << policy;
    return success();
  }
  if (name == kBucketTableAttrName) {
    auto rows = dyn_cast<ArrayAttr>(attr);
    if (!rows || !llvm::all_of(rows, llvm::IsaPred<DenseI64ArrayAttr>))
      return error() << " must be an array of array<i64>";
    auto dimNames = op->getAttrOfType<ArrayAttr>(kDimNamesAttrName);
    for (Attribute row : rows)
      if (dimNames && cast<DenseI64ArrayAttr>(row).size() !=
                          static_cast<int64_t>(dimNames.size()))
        return error() << " has a row of "
                       << cast<DenseI64ArrayAttr>(row).size() << " sizes for "
                       << dimNames.size() << " dimensions";
    return success();
  }
  if (name == kBucketAttrName) {
    if (!isa<DenseI64ArrayAttr>(attr))
      return error() << " must be an array<i64>";
    return success();
  }
  if (name == kDetachedStatesAttrName) {
    auto pairs = dyn_cast<DenseI64ArrayAttr>(attr);
    if (!pairs || pairs.size() % 2 != 0)
      return error() << " must be an array<i64> of (argument, result) pairs";
    return success();
  }
  if (name == kDispatcherAttrName) {
    if (!isa<UnitAttr>(attr))
      return error() << " is a unit attribute";
    return success();
  }
  if (name == kFallbackAttrName || name == kFallbackOfAttrName ||
      name == kSpecializationOfAttrName) {
    if (!isa<FlatSymbolRefAttr>(attr))
      return error() << " must be a symbol reference";
    return success();
  }
  return error() << ": unknown bucket attribute on a function";
}

//===----------------------------------------------------------------------===//
// Shared facts
//===----------------------------------------------------------------------===//

std::optional<OutOfRangePolicy>
mlir::bucket::parseOutOfRangePolicy(StringRef text) {
  return llvm::StringSwitch<std::optional<OutOfRangePolicy>>(text.trim())
      .Case("error", OutOfRangePolicy::Error)
      .Case("fallback", OutOfRangePolicy::Fallback)
      .Case("split", OutOfRangePolicy::Split)
      .Case("truncate", OutOfRangePolicy::Truncate)
      .Default(std::nullopt);
}

StringRef mlir::bucket::stringifyOutOfRangePolicy(OutOfRangePolicy policy) {
  switch (policy) {
  case OutOfRangePolicy::Error:
    return "error";
  case OutOfRangePolicy::Fallback:
    return "fallback";
  case OutOfRangePolicy::Split:
    return "split";
  case OutOfRangePolicy::Truncate:
    return "truncate";
  }
  llvm_unreachable("unknown policy");
}

bool mlir::bucket::isBucketCandidate(func::FuncOp func) {
  if (!func.isPublic() || func.isExternal())
    return false;
  return llvm::any_of(func.getArgumentTypes(), [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && !tensor.hasStaticShape();
  });
}

std::optional<unsigned> mlir::bucket::getTiedResult(FunctionOpInterface func,
                                                    unsigned argIndex) {
  if (!func.getArgAttr(argIndex, kStateAttrName))
    return std::nullopt;
  for (StringRef name : {kTiedResultAttrName, kTfAliasingOutputAttrName})
    if (auto index = func.getArgAttrOfType<IntegerAttr>(argIndex, name))
      if (index.getInt() >= 0 &&
          index.getInt() < int64_t(func.getResultTypes().size()))
        return unsigned(index.getInt());
  return std::nullopt;
}

SmallVector<StateArgument>
mlir::bucket::getStateArguments(FunctionOpInterface func) {
  SmallVector<StateArgument> states;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (std::optional<unsigned> result = getTiedResult(func, i))
      states.push_back({i, *result});
  return states;
}

void mlir::bucket::registerBucketDialect(DialectRegistry &registry) {
  registry.insert<BucketDialect, func::FuncDialect>();
  registry.addExtension(+[](MLIRContext *ctx, func::FuncDialect *) {
    ctx->getOrLoadDialect<BucketDialect>();
  });
}
