//===- ModelDescription.cpp - What a compiled model exports ---------------===//

#include "bucket/Target/ModelDescription.h"

// The enumerator values, the ABI version and the maximum rank come from the
// runtime's ABI header, the only place they are defined.
#include "bucket/runtime_abi.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::bucket;

namespace {
/// An element type the runtime knows.
struct ElementKind {
  bool (*matches)(Type);
  int32_t value;
  const char *enumName;
};
} // namespace

#define BUCKET_ELEMENT(PRED, ENUM)                                             \
  {[](Type type) -> bool { return PRED; }, ENUM, #ENUM}
static const ElementKind kElementKinds[] = {
    BUCKET_ELEMENT(type.isF32(), BUCKET_ELEMENT_F32),
    BUCKET_ELEMENT(type.isF64(), BUCKET_ELEMENT_F64),
    BUCKET_ELEMENT(type.isF16(), BUCKET_ELEMENT_F16),
    BUCKET_ELEMENT(type.isBF16(), BUCKET_ELEMENT_BF16),
    BUCKET_ELEMENT(type.isSignlessInteger(1), BUCKET_ELEMENT_I1),
    BUCKET_ELEMENT(type.isSignlessInteger(8), BUCKET_ELEMENT_I8),
    BUCKET_ELEMENT(type.isSignlessInteger(16), BUCKET_ELEMENT_I16),
    BUCKET_ELEMENT(type.isSignlessInteger(32), BUCKET_ELEMENT_I32),
    BUCKET_ELEMENT(type.isSignlessInteger(64), BUCKET_ELEMENT_I64),
};
#undef BUCKET_ELEMENT

static const ElementKind *getElementKind(Type type) {
  for (const ElementKind &kind : kElementKinds)
    if (kind.matches(type))
      return &kind;
  return nullptr;
}

StringRef mlir::bucket::getElementTypeEnumName(int32_t elementType) {
  for (const ElementKind &kind : kElementKinds)
    if (kind.value == elementType)
      return kind.enumName;
  llvm_unreachable("not an element type of the runtime");
}

int32_t mlir::bucket::getOutOfRangePolicyValue(OutOfRangePolicy policy) {
  switch (policy) {
  case OutOfRangePolicy::Error:
    return BUCKET_OUT_OF_RANGE_ERROR;
  case OutOfRangePolicy::Fallback:
    return BUCKET_OUT_OF_RANGE_FALLBACK;
  case OutOfRangePolicy::Split:
    return BUCKET_OUT_OF_RANGE_SPLIT;
  case OutOfRangePolicy::Truncate:
    return BUCKET_OUT_OF_RANGE_TRUNCATE;
  }
  llvm_unreachable("unknown policy");
}

std::string mlir::bucket::getModelExportSymbol(StringRef modelName) {
  return (modelName + BUCKET_MODEL_EXPORT_SUFFIX).str();
}

bool mlir::bucket::isCIdentifier(StringRef name) {
  return !name.empty() && (llvm::isAlpha(name[0]) || name[0] == '_') &&
         llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// Why `func` cannot have a C entry point, or an empty string.
static std::string getUnsupportedReason(func::FuncOp func) {
  if (!isCIdentifier(func.getName()))
    return "its name is not a C identifier";
  auto check = [](Type type, StringRef what, unsigned index) -> std::string {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      return (what + " " + Twine(index) + " is not a ranked tensor").str();
    if (tensor.getRank() > BUCKET_MAX_RANK)
      return (what + " " + Twine(index) + " has rank above " +
              Twine(BUCKET_MAX_RANK))
          .str();
    if (!getElementKind(tensor.getElementType()))
      return (what + " " + Twine(index) +
              " has an element type the runtime "
              "does not know")
          .str();
    return "";
  };
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes()))
    if (std::string why = check(type, "argument", i); !why.empty())
      return why;
  for (auto [i, type] : llvm::enumerate(func.getResultTypes()))
    if (std::string why = check(type, "result", i); !why.empty())
      return why;
  return "";
}

/// Describes a value of (checked) ranked tensor type `type`; `dimIds` may be
/// shorter than its rank (the rest are -1).
static ValueDescription describeValue(Type type, ArrayRef<int32_t> dimIds,
                                      StringAttr sourceName) {
  auto tensor = cast<RankedTensorType>(type);
  ValueDescription value;
  value.elementType = getElementKind(tensor.getElementType())->value;
  for (auto [d, size] : llvm::enumerate(tensor.getShape())) {
    value.shape.push_back(ShapedType::isDynamic(size) ? -1 : size);
    value.dimIds.push_back(d < dimIds.size() ? dimIds[d] : -1);
  }
  if (sourceName)
    value.sourceName = sourceName.getValue().str();
  return value;
}

/// The bucket table and policies of a bucketed function.
static void describeBuckets(func::FuncOp func, FunctionDescription &fn) {
  auto dimNames = func->getAttrOfType<ArrayAttr>(kDimNamesAttrName);
  auto table = func->getAttrOfType<ArrayAttr>(kBucketTableAttrName);
  if (!dimNames || dimNames.empty() || !table)
    return;
  for (Attribute name : dimNames)
    fn.dimNames.push_back(cast<StringAttr>(name).getValue().str());
  for (Attribute row : table)
    llvm::append_range(fn.buckets, cast<DenseI64ArrayAttr>(row).asArrayRef());
  fn.numBuckets = table.size();
  if (auto policies = func->getAttrOfType<ArrayAttr>(kPoliciesAttrName))
    for (Attribute policy : policies)
      fn.outOfRange.push_back(
          parseOutOfRangePolicy(cast<StringAttr>(policy).getValue())
              .value_or(OutOfRangePolicy::Error));
}

static FunctionDescription describeFunction(func::FuncOp func) {
  FunctionDescription fn;
  fn.name = func.getName().str();
  llvm::raw_string_ostream(fn.signature) << func.getFunctionType();
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    ArrayRef<int32_t> ids;
    if (auto attr =
            func.getArgAttrOfType<DenseI32ArrayAttr>(i, kDimIdsAttrName))
      ids = attr.asArrayRef();
    fn.args.push_back(describeValue(
        type, ids, func.getArgAttrOfType<StringAttr>(i, "onnx.name")));
  }
  // Result dimensions follow from the arguments': they have no dim ids.
  for (auto [i, type] : llvm::enumerate(func.getResultTypes()))
    fn.results.push_back(describeValue(
        type, {}, func.getResultAttrOfType<StringAttr>(i, "onnx.name")));
  describeBuckets(func, fn);
  for (StateArgument state : getStateArguments(func)) {
    fn.tiedResults.resize(fn.args.size(), -1);
    fn.tiedResults[state.argument] = state.result;
  }
  return fn;
}

FailureOr<ModelDescription> mlir::bucket::describeModel(ModuleOp module,
                                                        StringRef modelName) {
  if (!isCIdentifier(modelName))
    return module.emitError("model name '")
           << modelName << "' is not a C identifier";
  ModelDescription model;
  model.name = modelName.str();
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    if (std::string why = getUnsupportedReason(func); !why.empty()) {
      // At the location only: the function's body is no help here.
      emitWarning(func.getLoc(), "no C entry point is generated for '")
          << func.getName() << "': " << why;
      continue;
    }
    model.functions.push_back(describeFunction(func));
  }
  return model;
}
