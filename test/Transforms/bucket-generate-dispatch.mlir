// RUN: bucket-opt %s -split-input-file -bucket-specialize-functions -bucket-generate-dispatch -canonicalize -cse | FileCheck %s

// One dimension: select the first bucket that fits, pad, call, crop; report
// and return an empty result when nothing fits.
// CHECK-LABEL: func.func private @bucket_rt_report_out_of_range(i64, i64, i64)
// CHECK-LABEL: func.func @mlp(
// CHECK-SAME:    %[[X:.*]]: tensor<?x16xf32> {{.*}}, %[[W:.*]]: tensor<16x8xf32> {{.*}}) -> tensor<?x8xf32>
// CHECK-SAME:    bucket.dispatcher
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK:         %[[N:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK:         %[[FITS1:.*]] = arith.cmpi ule, %[[N]], %[[C16]]
// CHECK:         %[[SEL1:.*]] = arith.select %[[FITS1]], %{{.*}}, %{{.*}} : index
// CHECK:         %[[FITS0:.*]] = arith.cmpi ule, %[[N]], %[[C4]]
// CHECK:         %[[SEL:.*]] = arith.select %[[FITS0]], %{{.*}}, %[[SEL1]] : index
// CHECK:         %[[RES:.*]] = scf.index_switch %[[SEL]] -> tensor<?x8xf32>
// CHECK:         case 0 {
// CHECK:           %[[HIGH:.*]] = arith.subi %[[C4]], %[[N]] : index
// CHECK:           %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0] high[%[[HIGH]], 0]
// CHECK:             tensor.yield %{{.*}} : f32
// CHECK:           } : tensor<?x16xf32> to tensor<4x16xf32>
// CHECK:           %[[CALL:.*]] = func.call @mlp_batch4(%[[PAD]], %[[W]]) : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
// CHECK:           %[[CROP:.*]] = tensor.extract_slice %[[CALL]][0, 0] [%[[N]], 8] [1, 1] : tensor<4x8xf32> to tensor<?x8xf32>
// CHECK:           scf.yield %[[CROP]]
// CHECK:         case 1 {
// CHECK:           } : tensor<?x16xf32> to tensor<16x16xf32>
// CHECK:           func.call @mlp_batch16
// CHECK:         default {
// CHECK:           %[[BEYOND:.*]] = arith.cmpi ugt, %[[N]], %[[C16]]
// CHECK:           func.call @bucket_rt_report_out_of_range(
// CHECK:           tensor.empty() : tensor<0x8xf32>
// CHECK:         return %[[RES]] : tensor<?x8xf32>
func.func @mlp(%x: tensor<?x16xf32> {bucket.dims = ["batch", ""]},
               %w: tensor<16x8xf32>) -> tensor<?x8xf32>
    attributes {bucket.buckets = "batch=4,16"} {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%d) : tensor<?x8xf32>
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x16xf32>, tensor<16x8xf32>)
                     outs(%f : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %m : tensor<?x8xf32>
}

// -----

// Two results; the crop of a result one longer than the argument is
// computed with the original's own shape arithmetic. Integer inputs are
// padded with zero.
// CHECK-LABEL: func.func @two(
// CHECK-SAME:    %[[A:.*]]: tensor<?xi64> {{.*}}, %[[B:.*]]: tensor<?xi64> {{.*}}) -> (tensor<?xi64>, tensor<?xi64>)
// CHECK-DAG:     %[[LA:.*]] = tensor.dim %[[A]]
// CHECK-DAG:     %[[LB:.*]] = tensor.dim %[[B]]
// CHECK:         %[[SUM:.*]] = affine.apply {{.*}}()[%[[LA]]]
// CHECK:         scf.index_switch {{.*}} -> tensor<?xi64>, tensor<?xi64>
// CHECK:         case 0 {
// CHECK:           tensor.pad %[[A]]
// CHECK:             tensor.yield %{{.*}} : i64
// CHECK:           %[[R:.*]]:2 = func.call @two_a2_b3(
// CHECK:           %[[CROP0:.*]] = tensor.extract_slice %[[R]]#0[0] [%[[SUM]]] [1] : tensor<3xi64> to tensor<?xi64>
// CHECK:           %[[CROP1:.*]] = tensor.extract_slice %[[R]]#1[0] [%[[LB]]] [1] : tensor<3xi64> to tensor<?xi64>
// CHECK:           scf.yield %[[CROP0]], %[[CROP1]]
func.func @two(%a: tensor<?xi64> {bucket.dims = ["a"]},
               %b: tensor<?xi64> {bucket.dims = ["b"]})
    -> (tensor<?xi64>, tensor<?xi64>) attributes {bucket.buckets = "a=2;b=3"} {
  %zero = arith.constant 0 : i64
  %r = tensor.pad %a low[1] high[0] {
  ^bb0(%i: index):
    tensor.yield %zero : i64
  } : tensor<?xi64> to tensor<?xi64>
  return %r, %b : tensor<?xi64>, tensor<?xi64>
}

// -----

// Out-of-range policies. `fallback` calls the generic clone of the original.
// CHECK-LABEL: func.func @fallback(
// CHECK-SAME:    bucket.fallback = @fallback_fallback
// CHECK-SAME:    bucket.policies = ["fallback"]
// CHECK:         scf.index_switch
// CHECK:         default {
// CHECK-NEXT:      %[[R:.*]] = func.call @fallback_fallback(%{{.*}}) : (tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK-NEXT:      scf.yield %[[R]]
// CHECK-LABEL: func.func private @fallback_fallback(
// CHECK-SAME:    %{{.*}}: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {bucket.fallback_of = @fallback}
// CHECK:         math.tanh
#bd = affine_map<(b, d) -> (b, d)>
func.func @fallback(%x: tensor<?x4xf32> {bucket.dims = ["batch", ""]}) -> tensor<?x4xf32>
    attributes {bucket.buckets = "batch=2,4", bucket.out_of_range = "fallback"} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [#bd, #bd], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = math.tanh %v : f32
    linalg.yield %t : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// `split` runs chunks of the largest bucket through the dispatcher itself
// and inserts each result at its offset.
// CHECK-LABEL: func.func @split(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4xf32>
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[N:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK:         default {
// CHECK:           %[[BEYOND:.*]] = arith.cmpi ugt, %[[N]], %[[C4]]
// CHECK:           case 2 {
// CHECK:             %[[INIT:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK:             scf.for %[[OFF:.*]] = %[[C0]] to %[[N]] step %[[C4]] iter_args(%[[ACC:.*]] = %[[INIT]])
// CHECK:               %[[LEFT:.*]] = arith.subi %[[N]], %[[OFF]]
// CHECK:               %[[LEN:.*]] = arith.minui %[[LEFT]], %[[C4]]
// CHECK:               %[[PIECE:.*]] = tensor.extract_slice %[[X]][%[[OFF]], 0] [%[[LEN]], 4] [1, 1]
// CHECK:               %[[R:.*]] = func.call @split(%[[PIECE]])
// CHECK:               tensor.insert_slice %[[R]] into %[[ACC]][%[[OFF]], 0]
#bd2 = affine_map<(b, d) -> (b, d)>
func.func @split(%x: tensor<?x4xf32> {bucket.dims = ["batch", ""]}) -> tensor<?x4xf32>
    attributes {bucket.buckets = "batch=2,4", bucket.out_of_range = "batch=split"} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [#bd2, #bd2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = math.tanh %v : f32
    linalg.yield %t : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// `truncate` crops the input to the largest bucket before selecting.
// CHECK-LABEL: func.func @truncate(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<?x4xf32>
// CHECK:         %[[N:.*]] = tensor.dim %[[X]]
// CHECK:         %[[T:.*]] = arith.minui %[[N]], %{{.*}} : index
// CHECK:         %[[XT:.*]] = tensor.extract_slice %[[X]][0, 0] [%[[T]], 4] [1, 1]
// CHECK:         tensor.pad %[[XT]]
#bd3 = affine_map<(b, d) -> (b, d)>
func.func @truncate(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<?x4xf32>
    attributes {bucket.buckets = "seq=2,4", bucket.out_of_range = "seq=truncate"} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [#bd3, #bd3], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = math.tanh %v : f32
    linalg.yield %t : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// Self-check: bucket 0 is checked against bucket 1, the largest against the
// fallback; a difference calls the runtime hook.
// CHECK-LABEL: func.func @checked(
// CHECK:         case 0 {
// CHECK:           %[[A:.*]] = func.call @checked_n2(
// CHECK:           %[[B:.*]] = func.call @checked_n4(
// CHECK:           linalg.generic
// CHECK:           scf.if
// CHECK-NEXT:        func.call @bucket_rt_report_self_check(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (i64, i64, i64, f64) -> ()
// CHECK:         case 1 {
// CHECK:           func.call @checked_n4(
// CHECK:           func.call @checked_fallback(
// CHECK:           func.call @bucket_rt_report_self_check
#n = affine_map<(n) -> (n)>
func.func @checked(%x: tensor<?xf32> {bucket.dims = ["n"]}) -> tensor<?xf32>
    attributes {bucket.buckets = "n=2,4", bucket.self_check} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#n, #n], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = math.tanh %v : f32
    linalg.yield %t : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A scalar result is returned as the bucket returns it, and as 0 out of
// range; a dynamic result dimension of a constant size keeps its size out
// of range, the others are 0.
// CHECK-LABEL: func.func @scalar_and_constant(
// CHECK-SAME:    -> (f32, tensor<?xf32>, tensor<?xf32>)
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         scf.index_switch {{.*}} -> f32, tensor<?xf32>, tensor<?xf32>
// CHECK:         case 0 {
// CHECK:           %[[CALL:.*]]:3 = func.call @scalar_and_constant_N4(
// CHECK-SAME:        -> (f32, tensor<5xf32>, tensor<4xf32>)
// CHECK:           %[[FIVE:.*]] = tensor.cast %[[CALL]]#1 : tensor<5xf32> to tensor<?xf32>
// CHECK:           %[[CROP:.*]] = tensor.extract_slice %[[CALL]]#2
// CHECK:           scf.yield %[[CALL]]#0, %[[FIVE]], %[[CROP]]
// CHECK:         default {
// CHECK:           func.call @bucket_rt_report_out_of_range(
// CHECK-DAG:       %[[E5:.*]] = tensor.empty() : tensor<5xf32>
// CHECK-DAG:       %[[C5:.*]] = tensor.cast %[[E5]] : tensor<5xf32> to tensor<?xf32>
// CHECK-DAG:       %[[E0:.*]] = tensor.empty() : tensor<0xf32>
// CHECK-DAG:       %[[C0:.*]] = tensor.cast %[[E0]] : tensor<0xf32> to tensor<?xf32>
// CHECK:           scf.yield %[[ZERO]], %[[C5]], %[[C0]]
func.func @scalar_and_constant(%x: tensor<?xf32> {bucket.dims = ["N"]})
    -> (f32, tensor<?xf32>, tensor<?xf32>) attributes {bucket.buckets = "N=4"} {
  %c0 = arith.constant 0 : index
  %c5 = arith.constant 5 : index
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%x : tensor<?xf32>) outs(%f : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  %v = tensor.extract %r[] : tensor<f32>
  %five = tensor.empty(%c5) : tensor<?xf32>
  %ones = linalg.fill ins(%z : f32) outs(%five : tensor<?xf32>) -> tensor<?xf32>
  return %v, %ones, %x : f32, tensor<?xf32>, tensor<?xf32>
}

// -----

// Self-check on a grid: each bucket is checked against the next one in
// dispatch order that contains it in every dimension. Rows b x s:
// 1x8, 1x16, 4x8, 4x16; 1x16 is checked against 4x16 (4x8 is shorter in s),
// 4x8 against 4x16, and 4x16 against the fallback.
// CHECK-LABEL: func.func @checked_grid(
// CHECK:         case 0 {
// CHECK:           func.call @checked_grid_b1_s8(
// CHECK-NOT:       case
// CHECK:           func.call @checked_grid_b1_s16(
// CHECK:         case 1 {
// CHECK:           func.call @checked_grid_b1_s16(
// CHECK-NOT:       case
// CHECK:           func.call @checked_grid_b4_s16(
// CHECK:         case 2 {
// CHECK:           func.call @checked_grid_b4_s8(
// CHECK-NOT:       case
// CHECK:           func.call @checked_grid_b4_s16(
// CHECK:         case 3 {
// CHECK:           func.call @checked_grid_b4_s16(
// CHECK-NOT:       case
// CHECK:           func.call @checked_grid_fallback(
#bs = affine_map<(b, s) -> (b, s)>
func.func @checked_grid(%x: tensor<?x?xf32> {bucket.dims = ["b", "s"]}) -> tensor<?x?xf32>
    attributes {bucket.buckets = "b=1,4;s=8,16", bucket.self_check} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%b, %s) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#bs, #bs], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = math.tanh %v : f32
    linalg.yield %t : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
