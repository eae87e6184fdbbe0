// RUN: bucket-compile %s --buckets 'n=4' --emit=mlir --header %t.h -o /dev/null
// RUN: FileCheck %s --input-file %t.h

// The entry point's parameters take the model's own names of its inputs and
// outputs (onnx.name, as the ONNX importer keeps them), made C identifiers;
// a name that is reserved, empty or taken again falls back to arg<i> or
// result<i>.
// CHECK: static inline bucket_status_t f_call(const bucket_tensor_t *input_ids, const bucket_tensor_t *_0_mask, const bucket_tensor_t *arg2, const bucket_tensor_t *arg3, bucket_tensor_t *logits_out, bucket_tensor_t *result1) {
// CHECK:   const bucket_tensor_t *args[] = {input_ids, _0_mask, arg2, arg3};
// CHECK:   bucket_tensor_t *results[] = {logits_out, result1};
func.func @f(%a: tensor<?xf32> {bucket.dims = ["n"], onnx.name = "input_ids"},
             %b: tensor<?xf32> {bucket.dims = ["n"], onnx.name = "0.mask"},
             %c: tensor<?xf32> {bucket.dims = ["n"], onnx.name = "args"},
             %d: tensor<?xf32> {bucket.dims = ["n"], onnx.name = "input_ids"})
    -> (tensor<?xf32> {onnx.name = "logits/out"}, tensor<?xf32>) {
  %ab = arith.addf %a, %b : tensor<?xf32>
  %cd = arith.addf %c, %d : tensor<?xf32>
  %r = arith.addf %ab, %cd : tensor<?xf32>
  return %r, %a : tensor<?xf32>, tensor<?xf32>
}
