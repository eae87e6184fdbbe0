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
