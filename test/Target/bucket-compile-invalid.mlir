// RUN: not bucket-compile %s --buckets 'seq=16,8' -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNSORTED
// RUN: not bucket-compile %s --buckets 'len=8' -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not bucket-compile %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOSPEC
// RUN: not bucket-compile %s --buckets 'seq=8' --header %t.h --model-name 9lives -o /dev/null 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not bucket-compile %s.missing -o /dev/null 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: bucket-compile %s --buckets 'seq=8' --header %t.h -o /dev/null 2>&1 | FileCheck %s --check-prefix=WARN
// RUN: not bucket-compile %s --buckets 'seq=8' --out-of-range=wrap -o /dev/null 2>&1 | FileCheck %s --check-prefix=POLICY
// RUN: not bucket-compile %s --buckets 'seq=8' --pad-values=x -o /dev/null 2>&1 | FileCheck %s --check-prefix=PADVALUE
// RUN: not bucket-compile %s --buckets 'seq=8' --masks=3 -o /dev/null 2>&1 | FileCheck %s --check-prefix=MASKS

// UNSORTED: error: invalid buckets for 'f': sizes of 'seq' must be strictly ascending, but 8 follows 16 at column 8 of 'seq=16,8'
// UNKNOWN: error: unknown dimension 'len' in the buckets of 'f'; its dimensions are: seq
// NOSPEC: error: function 'f' has dynamic dimensions but no buckets
// NAME: error: model name '9lives' is not a C identifier
// MISSING: bucket-compile: cannot open input file
// POLICY: error: unknown out-of-range policy 'wrap'; expected error, fallback, split or truncate
// PADVALUE: error: invalid pad value 'x'; expected <argument>=<value>
// MASKS: error: 3 is not an argument of 'f' (it has 1 arguments)
// WARN: warning: no C entry point is generated for 'scalar': argument 0 is not a ranked tensor
func.func @f(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
func.func @scalar(%x: f32) -> f32 {
  return %x : f32
}

// RUN: not bucket-compile %s --buckets 'n=4' --static n=4 -o /dev/null 2>&1 | FileCheck %s --check-prefix=ONNX-ONLY
// ONNX-ONLY: bucket-compile: --dims and --static apply to ONNX models; name dimensions of MLIR input with bucket.dims
