//===- BucketDialect.h - The bucket dialect and its attributes --*- C++ -*-===//
//
// The bottom layer of bucket: the dialect that owns every `bucket.*`
// attribute (their names, their verifiers) and the small facts about them
// that every other layer shares. It depends on MLIR only.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_IR_BUCKETDIALECT_H
#define BUCKET_IR_BUCKETDIALECT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Support/LLVM.h"

#include <optional>

#include "bucket/IR/BucketDialect.h.inc"

namespace mlir {
namespace bucket {

//===----------------------------------------------------------------------===//
// Attribute names (see BucketDialect.td for what each holds)
//===----------------------------------------------------------------------===//

// Written by users.
constexpr StringLiteral kDimsAttrName = "bucket.dims";
constexpr StringLiteral kBucketsAttrName = "bucket.buckets";
constexpr StringLiteral kPadValueAttrName = "bucket.pad_value";
constexpr StringLiteral kMaskAttrName = "bucket.mask";
constexpr StringLiteral kOutOfRangeAttrName = "bucket.out_of_range";
constexpr StringLiteral kSelfCheckAttrName = "bucket.self_check";
constexpr StringLiteral kStateAttrName = "bucket.state";
constexpr StringLiteral kTiedResultAttrName = "bucket.tied_result";
/// What JAX and TensorFlow write for a donated argument aliasing a result;
/// read as bucket.tied_result on a state argument.
constexpr StringLiteral kTfAliasingOutputAttrName = "tf.aliasing_output";
/// The name a frontend gave an argument or a result (the ONNX importer keeps
/// graph inputs' and outputs' names here): options may name an argument by
/// it, and the generated header uses it.
constexpr StringLiteral kSourceNameAttrName = "onnx.name";

// Recorded by the passes.
constexpr StringLiteral kDimIdsAttrName = "bucket.dim_ids";
constexpr StringLiteral kPaddingAttrName = "bucket.padding";
constexpr StringLiteral kDimNamesAttrName = "bucket.dim_names";
constexpr StringLiteral kBucketTableAttrName = "bucket.bucket_table";
constexpr StringLiteral kPoliciesAttrName = "bucket.policies";
constexpr StringLiteral kDispatcherAttrName = "bucket.dispatcher";
constexpr StringLiteral kFallbackAttrName = "bucket.fallback";
constexpr StringLiteral kFallbackOfAttrName = "bucket.fallback_of";
constexpr StringLiteral kSpecializationOfAttrName = "bucket.specialization_of";
constexpr StringLiteral kBucketAttrName = "bucket.bucket";
/// Pairs (argument, result) of the state results taken out of a bufferized
/// function for buffer deallocation (StateBuffers.h).
constexpr StringLiteral kDetachedStatesAttrName = "bucket.detached_states";

/// The runtime hook a dispatcher calls for a shape that fits no bucket.
constexpr StringLiteral kOutOfRangeHookName = "bucket_rt_report_out_of_range";
/// The runtime hook a self-checking dispatcher calls on a difference.
constexpr StringLiteral kSelfCheckHookName = "bucket_rt_report_self_check";

/// Buckets and the fallback round differently (FMA contraction, vector
/// reduction order): the default tolerance of the self-check.
constexpr double kDefaultSelfCheckTolerance = 1e-5;

//===----------------------------------------------------------------------===//
// Shared facts
//===----------------------------------------------------------------------===//

/// What to do with a shape larger than every bucket along a dimension.
enum class OutOfRangePolicy { Error, Fallback, Split, Truncate };
std::optional<OutOfRangePolicy> parseOutOfRangePolicy(StringRef text);
StringRef stringifyOutOfRangePolicy(OutOfRangePolicy policy);

/// Whether `func` should be bucketed: public, with a body, with a ranked
/// tensor argument that has a dynamic dimension.
bool isBucketCandidate(func::FuncOp func);

/// A state argument (`bucket.state`) and the result that returns it updated.
struct StateArgument {
  unsigned argument;
  unsigned result;
};

/// The result tied to state argument `argIndex` of `func`
/// (`bucket.tied_result`, or `tf.aliasing_output` read as it); nullopt when
/// the argument is not a state. The dialect verifier guarantees that a
/// verified state has one.
std::optional<unsigned> getTiedResult(FunctionOpInterface func,
                                      unsigned argIndex);

/// The state arguments of `func`, in argument order.
SmallVector<StateArgument> getStateArguments(FunctionOpInterface func);

/// Adds the bucket dialect to `registry`, loaded together with the func
/// dialect: `bucket.*` attributes are discardable attributes of func ops,
/// which the parser does not load a dialect for, so without this they would
/// not be verified after parsing.
void registerBucketDialect(DialectRegistry &registry);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_IR_BUCKETDIALECT_H
