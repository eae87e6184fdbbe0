// End-to-end: a window of 3 rows read at an offset that comes from the data
// (an index the caller passes), not from the padded length. The original
// only reads rows [o, o + 3) of its real rows, and so does every bucket.
//
// Buckets n = 6,9; the offset is drawn from 0..2, so every shape has at
// least 5 rows: edges 5, 6, 7, 9, and 10 out of range.

// RUN: bucket-compile %s --buckets 'n=6,9' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func window \
// RUN:   --args 'f32[n,4];i64[1]=0..2' --results 'f32[3,4]' \
// RUN:   --dims 'n=5,6,7,8,9' --out-of-range 'n=10' | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 6 passed, 0 failed

func.func @window(%x: tensor<?x4xf32> {bucket.dims = ["n", ""]}, %offset: tensor<1xi64>)
    -> tensor<3x4xf32> attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %o64 = tensor.extract %offset[%c0] : tensor<1xi64>
  %o = arith.index_cast %o64 : i64 to index
  %w = tensor.extract_slice %x[%o, 0] [3, 4] [1, 1] : tensor<?x4xf32> to tensor<3x4xf32>
  return %w : tensor<3x4xf32>
}
