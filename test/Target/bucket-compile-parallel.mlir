// Objects of several buckets are optimized and compiled in parallel parts
// (one per hardware thread) and linked into one relocatable object. The
// split makes module-local symbols (the weights) external and hidden; they
// must be local again in the object, or two models linked into one program
// would collide on them.
// RUN: bucket-compile %s --buckets 'n=2,4,8' --symbol-prefix a_ -o %t.a.o
// RUN: bucket-compile %s --buckets 'n=2,4,8' --symbol-prefix b_ -o %t.b.o
// RUN: llvm-readelf -s %t.a.o | FileCheck %s
// RUN: %host_cc -shared %t.a.o %t.b.o -o %t.so -L%bucket_lib -lbucket_runtime
// RUN: llvm-nm -D --defined-only %t.so | FileCheck %s --check-prefix=EXPORTS

// CHECK-NOT: GLOBAL {{.*}} __constant
// CHECK:     LOCAL {{.*}} __constant_4xf32
// CHECK-NOT: GLOBAL {{.*}} __constant
// EXPORTS-DAG: T _mlir_ciface_a_scale
// EXPORTS-DAG: T _mlir_ciface_b_scale

#n = affine_map<(n, d) -> (n, d)>
#d = affine_map<(n, d) -> (d)>
func.func @scale(%x: tensor<?x4xf32> {bucket.dims = ["n", ""]}) -> tensor<?x4xf32>
    attributes {llvm.emit_c_interface} {
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
