// RUN: bucket-opt %s -split-input-file -verify-diagnostics

// The bucket dialect verifies its attributes as soon as a module is parsed.

// expected-error @below {{'bucket.dims' of argument 0 has 1 entries but the argument has rank 2}}
func.func @dims_rank(%x: tensor<?x?xf32> {bucket.dims = ["seq"]}) -> tensor<?x?xf32> {
  return %x : tensor<?x?xf32>
}

// -----

// expected-error @below {{'bucket.dims' of argument 0 must hold strings}}
func.func @dims_not_strings(%x: tensor<?xf32> {bucket.dims = [1]}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{'bucket.dims' of argument 1 is on an argument of type 'f32', not a ranked tensor}}
func.func @dims_on_scalar(%x: tensor<?xf32>, %s: f32 {bucket.dims = ["n"]}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// A misspelt declaration is not silently ignored.
// expected-error @below {{'bucket.pad' of argument 0: unknown bucket attribute on a function argument}}
func.func @misspelt(%x: tensor<?xf32> {bucket.pad = "-inf"}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{invalid pad value for argument 0: expected a string or a typed constant}}
func.func @pad_value_array(%x: tensor<?xf32> {bucket.pad_value = [1.0]}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{'bucket.mask' of argument 0 is a unit attribute}}
func.func @mask_not_unit(%x: tensor<?xf32> {bucket.mask = 1 : i32}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{'bucket.dim_ids' of argument 0 must be an array<i32> with one entry per dimension}}
func.func @dim_ids_size(%x: tensor<?x?xf32> {bucket.dim_ids = array<i32: 0>}) -> tensor<?x?xf32> {
  return %x : tensor<?x?xf32>
}

// -----

// expected-error @below {{'bucket.padding' of argument 0 must be a constant of the element type 'f32'}}
func.func @padding_type(%x: tensor<?xf32> {bucket.padding = 0 : i32}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{'bucket.buckets' must be a string}}
func.func @buckets_not_string(%x: tensor<?xf32>) -> tensor<?xf32> attributes {bucket.buckets = [4, 8]} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{'bucket.self_check' must be a unit attribute or a tolerance (f64)}}
func.func @self_check(%x: tensor<?xf32>) -> tensor<?xf32> attributes {bucket.self_check = "yes"} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{invalid out-of-range policy "sometimes"}}
func.func @policy(%x: tensor<?xf32>) -> tensor<?xf32> attributes {bucket.dim_names = ["n"], bucket.policies = ["sometimes"]} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{'bucket.bucket_table' has a row of 1 sizes for 2 dimensions}}
func.func @table(%x: tensor<?x?xf32>) -> tensor<?x?xf32> attributes {bucket.dim_names = ["a", "b"], bucket.bucket_table = [array<i64: 4>]} {
  return %x : tensor<?x?xf32>
}

// -----

// expected-error @below {{'bucket.fallback' must be a symbol reference}}
func.func @fallback(%x: tensor<?xf32>) -> tensor<?xf32> attributes {bucket.fallback = "f"} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{'bucket.bucketz': unknown bucket attribute on a function}}
func.func @unknown(%x: tensor<?xf32>) -> tensor<?xf32> attributes {bucket.bucketz = "n=4"} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{'bucket.buckets' is an attribute of functions}}
module attributes {bucket.buckets = "n=4"} {
}

// -----

// expected-error @below {{'bucket.state' of argument 0 is on an argument of type 'tensor<?x4xf32>'; a state has a static capacity}}
func.func @state_dynamic(%s: tensor<?x4xf32> {bucket.state}) -> tensor<?x4xf32> {
  return %s : tensor<?x4xf32>
}

// -----

// expected-error @below {{'bucket.state' of argument 0 is a unit attribute}}
func.func @state_not_unit(%s: tensor<8x4xf32> {bucket.state = 1 : i32}) -> tensor<8x4xf32> {
  return %s : tensor<8x4xf32>
}

// -----

// expected-error @below {{'bucket.tied_result' of argument 0 must be the number of a result}}
func.func @tied_out_of_range(%s: tensor<8x4xf32> {bucket.state, bucket.tied_result = 1 : i64}) -> tensor<8x4xf32> {
  return %s : tensor<8x4xf32>
}

// -----

// expected-error @below {{'bucket.tied_result' of argument 0 ties result 0 of type 'tensor<4xf32>' to an argument of type 'tensor<8x4xf32>'}}
func.func @tied_other_type(%s: tensor<8x4xf32> {bucket.state, bucket.tied_result = 0 : i64}) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %r = tensor.extract_slice %s[0, 0] [1, 4] [1, 1] : tensor<8x4xf32> to tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// expected-error @below {{state argument 0 is not returned: name the result that returns it updated with 'bucket.tied_result'}}
func.func @state_not_returned(%s: tensor<8x4xf32> {bucket.state}) -> tensor<8x4xf32> {
  return %s : tensor<8x4xf32>
}

// -----

// tf.aliasing_output is read as bucket.tied_result, with the same checks.
// expected-error @below {{'tf.aliasing_output' of argument 0 ties result 0 of type 'tensor<4xf32>' to an argument of type 'tensor<8x4xf32>'}}
func.func @alias_other_type(%s: tensor<8x4xf32> {bucket.state, tf.aliasing_output = 0 : i64}) -> tensor<4xf32> {
  %r = tensor.extract_slice %s[0, 0] [1, 4] [1, 1] : tensor<8x4xf32> to tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// expected-error @below {{state argument 0 has 'bucket.tied_result' 0 : i64 but 'tf.aliasing_output' 1 : i64}}
func.func @alias_disagrees(%s: tensor<8x4xf32> {bucket.state, bucket.tied_result = 0 : i64, tf.aliasing_output = 1 : i64}) -> (tensor<8x4xf32>, tensor<8x4xf32>) {
  return %s, %s : tensor<8x4xf32>, tensor<8x4xf32>
}

// -----

// expected-error @below {{'bucket.tied_result' of argument 1 ties result 0, which argument 0 already returns}}
func.func @two_states_one_result(%a: tensor<8x4xf32> {bucket.state, bucket.tied_result = 0 : i64}, %b: tensor<8x4xf32> {bucket.state, bucket.tied_result = 0 : i64}) -> tensor<8x4xf32> {
  return %a : tensor<8x4xf32>
}
