// When the parallel code generation cannot create or link its parts (here:
// no temporary directory), it warns and the module is compiled as a whole,
// as it was before the split: the split makes module-local symbols (the
// weights) external and hidden, and an object compiled from the split module
// would carry them as global symbols, on which two models linked into one
// program would collide.
// RUN: env TMPDIR=%t.missing-dir bucket-compile %s --buckets 'n=2,4,8' -o %t.o 2>&1 | FileCheck %s --check-prefix=WARN
// RUN: llvm-readelf -s %t.o | FileCheck %s

// WARN: warning: parallel code generation failed (cannot create a temporary file: {{.*}}); compiling the module as a whole
// CHECK-NOT: GLOBAL {{.*}} __constant
// CHECK:     GLOBAL {{.*}} scale
// CHECK-NOT: GLOBAL {{.*}} __constant

#n = affine_map<(n, d) -> (n, d)>
#d = affine_map<(n, d) -> (d)>
func.func @scale(%x: tensor<?x4xf32> {bucket.dims = ["n", ""]}) -> tensor<?x4xf32> {
  %w = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [#n, #d, #n], iterator_types = ["parallel", "parallel"]}
      ins(%x, %w : tensor<?x4xf32>, tensor<4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
