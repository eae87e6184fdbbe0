// RUN: bucket-compile %s --buckets 'N=2,4' --emit=mlir --header %t.h -o /dev/null 2>&1 | FileCheck %s
// RUN: echo 'module {}' > %t.empty.mlir
// RUN: bucket-compile %t.empty.mlir -o %t.empty.o 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: python3 -c "print(','.join(str(i) for i in range(1, 3001)))" > %t.sizes
// RUN: not bucket-compile %s --buckets "N=$(cat %t.sizes)" -o /dev/null 2>&1 | FileCheck %s --check-prefix=LIMIT
// RUN: bucket-compile %s --buckets 'N=1,2,3' --max-buckets 3 --emit=mlir -o /dev/null

// An object that exports nothing is almost always a mistake.
// EMPTY: warning: the module has no public function with a body: the object will export nothing

// 3,000 sizes are refused at once, not compiled for minutes.
// LIMIT: error: the buckets of 'sum' make more than 256 specializations

// Warnings and errors carry their location and notes only, not a dump of
// the op they are about (here, a whole function).
// CHECK: warning: no C entry point is generated for 'sum': result 0 is not a ranked tensor
// CHECK-NOT: see current operation
func.func @sum(%x: tensor<?xf32> {bucket.dims = ["N"]}) -> f32 attributes {llvm.emit_c_interface} {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%x : tensor<?xf32>) outs(%f : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  %v = tensor.extract %r[] : tensor<f32>
  return %v : f32
}
