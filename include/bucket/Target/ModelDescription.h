//===- ModelDescription.h - What a compiled model exports ------*- C++ -*-===//
//
// The description of a compiled model's C entry points: for each public
// function its signature, symbolic dimensions, bucket table and out-of-range
// policies, read once from the bucketized tensor-level module. Both outputs
// that describe the model to the runtime are printed from it: the C header
// (HeaderEmitter.h) and the tables the object file itself exports
// (ModelExport.h), so the two cannot disagree.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TARGET_MODELDESCRIPTION_H
#define BUCKET_TARGET_MODELDESCRIPTION_H

#include "bucket/IR/BucketDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace mlir {
namespace bucket {

/// One argument or result: bucket_value_info_t (bucket/runtime_abi.h).
struct ValueDescription {
  /// The runtime's bucket_element_type_t value.
  int32_t elementType = 0;
  /// Static sizes; -1 for a dynamic dimension.
  SmallVector<int64_t> shape;
  /// Per dimension, the index of its symbolic dimension or -1 (see
  /// bucket_value_info_t::dim_ids); as many entries as `shape`.
  SmallVector<int32_t> dimIds;
  /// The model's own name of the value (`onnx.name`), or empty.
  std::string sourceName;
};

/// One function with a C entry point: bucket_function_info_t.
struct FunctionDescription {
  /// The symbol name, a C identifier.
  std::string name;
  /// The tensor-level function type as MLIR prints it (for comments).
  std::string signature;
  std::vector<ValueDescription> args;
  std::vector<ValueDescription> results;
  /// Empty for a function compiled without bucketing, which has one bucket
  /// over zero dimensions (it fits every shape).
  SmallVector<std::string> dimNames;
  /// numBuckets rows of dimNames.size() sizes, in dispatch order.
  SmallVector<int64_t> buckets;
  int32_t numBuckets = 1;
  /// One policy per symbolic dimension, or empty (all `error`).
  SmallVector<OutOfRangePolicy> outOfRange;
  /// Per argument, the result tied to it when it is a state (docs/State.md),
  /// else -1 (bucket_function_info_t::tied_results); empty when no argument
  /// is a state.
  SmallVector<int32_t> tiedResults;

  bool isBucketed() const { return !dimNames.empty(); }
};

/// Everything one object file describes: bucket_model_info_t.
struct ModelDescription {
  /// The model name (bucket-compile --model-name), a C identifier.
  std::string name;
  std::vector<FunctionDescription> functions;
};

/// Describes the public functions of `module`, a tensor-level module after
/// bucket-bucketize (or bucket-prepare-entry-points without bucketing), as
/// the model `modelName`. Functions that cannot have a C entry point (a name
/// that is not a C identifier, a non-tensor argument, a rank above
/// BUCKET_MAX_RANK, an element type the runtime does not know) are left out
/// with a warning. Fails with an error when `modelName` is not a C
/// identifier.
FailureOr<ModelDescription> describeModel(ModuleOp module, StringRef modelName);

/// The runtime's enumerator name for the bucket_element_type_t value
/// `elementType` ("BUCKET_ELEMENT_F32").
StringRef getElementTypeEnumName(int32_t elementType);

/// The runtime's bucket_out_of_range_policy_t value of `policy`.
int32_t getOutOfRangePolicyValue(OutOfRangePolicy policy);

/// The name of the symbol under which the object exports the
/// bucket_model_export_t of the model `modelName`: `<modelName>_model_export`.
std::string getModelExportSymbol(StringRef modelName);

/// Whether `name` is a C identifier.
bool isCIdentifier(StringRef name);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TARGET_MODELDESCRIPTION_H
