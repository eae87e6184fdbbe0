// RUN: bucket-opt %s -split-input-file -bucket-specialize-functions -verify-diagnostics -o /dev/null

// expected-error @below {{function 'no_spec' has dynamic dimensions but no buckets; give them with --buckets or a 'bucket.buckets' attribute}}
func.func @no_spec(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{unknown dimension 'len' in the buckets of 'unknown'; its dimensions are: seq}}
func.func @unknown(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "len=4"} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{invalid buckets for 'unsorted': sizes of 'seq' must be strictly ascending, but 8 follows 16 at column 8 of 'seq=16,8'}}
func.func @unsorted(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "seq=16,8"} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{invalid buckets for 'duplicate': sizes of 'seq' must be strictly ascending, but 8 follows 8}}
func.func @duplicate(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "seq=8,8"} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{invalid buckets for 'duplicate_tuple': duplicate bucket at column 9 of 'b,s=1x8,1x8'}}
func.func @duplicate_tuple(%x: tensor<?x?xf32> {bucket.dims = ["b", "s"]}) -> tensor<?x?xf32>
    attributes {bucket.buckets = "b,s=1x8,1x8"} {
  return %x : tensor<?x?xf32>
}

// -----

// expected-error @below {{invalid buckets for 'zero': sizes must be positive, got '0' at column 5 of 'seq=0,8'}}
func.func @zero(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "seq=0,8"} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{invalid buckets for 'negative': sizes must be positive, got '-8'}}
func.func @negative(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "seq=4,-8"} {
  return %x : tensor<?xf32>
}

// -----

// Two names of one dimension (equal through the addition) given different
// buckets.
// expected-error @below {{'seq' and 'len' are the same dimension of 'aliases' but are given different buckets}}
func.func @aliases(%a: tensor<?xf32> {bucket.dims = ["seq"]},
                   %b: tensor<?xf32> {bucket.dims = ["len"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "seq=4,8;len=4,16"} {
  %r = arith.addf %a, %b : tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// expected-error @below {{invalid buckets for 'missing': no buckets given for dimension 'b'}}
func.func @missing(%x: tensor<?x?xf32> {bucket.dims = ["b", "s"]}) -> tensor<?x?xf32>
    attributes {bucket.buckets = "s=8"} {
  return %x : tensor<?x?xf32>
}

// -----

// expected-error @below {{invalid buckets for 'malformed': expected '=' after the dimension name at column 4 of 'seq'}}
func.func @malformed(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "seq"} {
  return %x : tensor<?xf32>
}

// -----

// Aliases given the same buckets are fine.
func.func @aliases_agree(%a: tensor<?xf32> {bucket.dims = ["seq"]},
                         %b: tensor<?xf32> {bucket.dims = ["len"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "seq=4,8;len=4,8"} {
  %r = arith.addf %a, %b : tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// expected-error @below {{unknown out-of-range policy 'wrap'; expected error, fallback, split or truncate}}
func.func @bad_policy(%x: tensor<?xf32>) -> tensor<?xf32>
    attributes {bucket.buckets = "arg0.0=4", bucket.out_of_range = "wrap"} {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{unknown dimension 'seq' in the out-of-range policies of 'bad_policy_dim'}}
func.func @bad_policy_dim(%x: tensor<?xf32>) -> tensor<?xf32>
    attributes {bucket.buckets = "arg0.0=4", bucket.out_of_range = "seq=fallback"} {
  return %x : tensor<?xf32>
}

// -----

// Splitting a reduced dimension would change the result.
#rc = affine_map<(r, c) -> (r, c)>
#c  = affine_map<(r, c) -> (c)>
func.func @split_reduced(%x: tensor<?x4xf32> {bucket.dims = ["rows", ""]}) -> tensor<4xf32>
    attributes {bucket.buckets = "rows=4", bucket.out_of_range = "rows=split"} {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  // expected-error @below {{cannot split 'split_reduced' along 'rows' because of 'linalg.generic': it reduces over the dimension; split is only for dimensions that are never reduced or mixed (such as a batch); use fallback instead}}
  %r = linalg.generic {indexing_maps = [#rc, #c], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// expected-error @below {{at most one dimension of 'two_splits' can have the split policy}}
func.func @two_splits(%x: tensor<?x?xf32> {bucket.dims = ["a", "b"]}) -> tensor<?x?xf32>
    attributes {bucket.buckets = "a=4;b=4", bucket.out_of_range = "split"} {
  return %x : tensor<?x?xf32>
}

// -----

// When every bucket contradicts an op, nothing is left to dispatch to.
// expected-error @below {{no bucket of 'conv_all_impossible' has sizes that its ops accept; the first, (W=4, OW=6): 'linalg.conv_1d' op inferred input/output operand #0 has shape's dimension #0 to be greater than or equal to 8, but found 4}}
func.func @conv_all_impossible(%x: tensor<?xf32> {bucket.dims = ["W"]},
                               %out: tensor<?xf32> {bucket.dims = ["OW"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "W=4;OW=6"} {
  %k = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %r = linalg.conv_1d ins(%x, %k : tensor<?xf32>, tensor<3xf32>) outs(%out : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}
