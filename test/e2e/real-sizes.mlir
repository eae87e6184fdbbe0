// End-to-end: sizes of padded dimensions used as values read the real size
// in every bucket (--padding=repair, the default). A mean over the padded
// axis divides by the real length, not the bucket's; the last element is
// read at the real length - 1, not in the padding. Each bucket receives the
// real sizes from the dispatcher. Compared with upstream mlir-opt's lowering
// of the same module at every length 1..8 (buckets 4 and 8) and 9 out of
// range.

// RUN: bucket-compile %s --buckets 'seq=4,8' -o %t.b.o
// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: mlir-opt %s --pass-pipeline="$(bucket-compile --print-lowering-pipeline)" -o %t.ref.mlir
// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll
// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o
// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib -lbucket_runtime -Wl,-rpath,%bucket_lib -lm
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func mean_pool \
// RUN:   --args 'f32[seq,4]' --results 'f32[4]' --dims 'seq=1..8' \
// RUN:   --out-of-range 'seq=9' --rtol 1e-6 --atol 1e-6 | FileCheck %s
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func last_value \
// RUN:   --args 'f32[seq]' --results 'f32[1]' --dims 'seq=1..8' \
// RUN:   --out-of-range 'seq=9' | FileCheck %s

// CHECK-NOT: FAIL
// CHECK: compare: 9 passed, 0 failed

#rd   = affine_map<(r, d) -> (r, d)>
#d_rd = affine_map<(r, d) -> (d)>
#d    = affine_map<(d) -> (d)>

func.func @mean_pool(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<4xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %seq = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#rd, #d_rd], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %seq_i64 = arith.index_cast %seq : index to i64
  %seq_f32 = arith.sitofp %seq_i64 : i64 to f32
  %mean = linalg.generic {indexing_maps = [#d, #d], iterator_types = ["parallel"]}
      ins(%sum : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%s: f32, %o: f32):
    %m = arith.divf %s, %seq_f32 : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %mean : tensor<4xf32>
}

func.func @last_value(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<1xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %last = arith.subi %n, %c1 : index
  %v = tensor.extract %x[%last] : tensor<?xf32>
  %r = tensor.from_elements %v : tensor<1xf32>
  return %r : tensor<1xf32>
}

// The last row, taken with a slice at the real length - 1 (last-token
// pooling).
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func last_row \
// RUN:   --args 'f32[seq,4]' --results 'f32[1,4]' --dims 'seq=1..8' \
// RUN:   --out-of-range 'seq=9' | FileCheck %s

func.func @last_row(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<1x4xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %last = arith.subi %n, %c1 : index
  %row = tensor.extract_slice %x[%last, 0] [1, 4] [1, 1] : tensor<?x4xf32> to tensor<1x4xf32>
  return %row : tensor<1x4xf32>
}

// The mean of tanh(x) divided by the size of the intermediate tensor, not
// the argument's: its real extent is the argument's real size.
// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so --func mean_of_tanh \
// RUN:   --args 'f32[seq,4]' --results 'f32[4]' --dims 'seq=1..8' \
// RUN:   --out-of-range 'seq=9' --rtol 1e-6 --atol 1e-6 | FileCheck %s

func.func @mean_of_tanh(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<4xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %et = tensor.empty(%n) : tensor<?x4xf32>
  %t = linalg.generic {indexing_maps = [#rd, #rd], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%et : tensor<?x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %y = math.tanh %v : f32
    linalg.yield %y : f32
  } -> tensor<?x4xf32>
  %seq = tensor.dim %t, %c0 : tensor<?x4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#rd, #d_rd], iterator_types = ["reduction", "parallel"]}
      ins(%t : tensor<?x4xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %v, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %seq_i64 = arith.index_cast %seq : index to i64
  %seq_f32 = arith.sitofp %seq_i64 : i64 to f32
  %mean = linalg.generic {indexing_maps = [#d, #d], iterator_types = ["parallel"]}
      ins(%sum : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%s: f32, %o: f32):
    %m = arith.divf %s, %seq_f32 : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %mean : tensor<4xf32>
}
