//===- BucketDialect.td - The bucket dialect ---------------*- tablegen -*-===//
//
// The bucket dialect has no operations: it owns the `bucket.*` attributes
// that users put on functions and arguments and that the passes record, and
// verifies where they appear and what they hold.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_IR_BUCKETDIALECT
#define BUCKET_IR_BUCKETDIALECT

include "mlir/IR/DialectBase.td"

def Bucket_Dialect : Dialect {
  let name = "bucket";
  let cppNamespace = "::mlir::bucket";
  let summary = "The attributes of bucket's ahead-of-time bucketing";
  let description = [{
    Discardable attributes, on `func.func` and its arguments:

    Written by users (or frontends):
    - `bucket.dims` (argument): one string per dimension naming its
      symbolic dimension ("" names nothing).
    - `bucket.buckets` (function): the bucket specification, a string in the
      syntax of docs/BucketSpec.md.
    - `bucket.pad_value` (argument): the value to pad with, a string
      ("-inf", "inf", "min", "max", a number) or a typed attribute.
    - `bucket.mask` (argument, unit): the argument masks padded positions.
    - `bucket.out_of_range` (function): out-of-range policies, a string.
    - `bucket.self_check` (function): unit, or an f64 tolerance.
    - `bucket.state` (argument, unit): a caller-owned buffer of static type
      updated in place; `bucket.tied_result` (argument, i64): the result
      that returns it (`tf.aliasing_output` is read as it). docs/State.md.

    Recorded by the passes:
    - `bucket.dim_ids` (argument): dense i32 array, the symbolic dimension of
      each tensor dimension (-1 for none).
    - `bucket.padding` (argument): the typed pad value the dispatcher uses.
    - `bucket.dim_names`, `bucket.bucket_table`, `bucket.policies`
      (function): the dispatcher's table.
    - `bucket.dispatcher` (unit), `bucket.fallback`, `bucket.fallback_of`,
      `bucket.specialization_of` (symbol references), `bucket.bucket` (dense
      i64 array): how the functions of a bucketed module relate.
    - `bucket.detached_states` (function, dense i64 array of (argument,
      result) pairs): state results taken out during buffer deallocation.

    Any other `bucket.*` attribute is an error, so that a misspelt
    declaration is not silently ignored.
  }];
  let hasRegionArgAttrVerify = 1;
  let hasOperationAttrVerify = 1;
}

#endif // BUCKET_IR_BUCKETDIALECT
