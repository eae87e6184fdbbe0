// RUN: bucket-opt %s -split-input-file -test-bucket-padding -o /dev/null | FileCheck %s

// A contraction over the padded dimension: zero in either operand makes the
// padded products zero.
// CHECK-LABEL: func @matmul
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    arg1 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "m" splittable
// CHECK-NEXT:    dim "k" not splittable: 'linalg.matmul': it reduces over the dimension
func.func @matmul(%a: tensor<?x?xf32> {bucket.dims = ["m", "k"]}, %b: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %r = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x16xf32>) outs(%f : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %r : tensor<?x16xf32>
}

// -----

// Only one operand is an argument: the other's padded rows are computed
// (tanh of zero-padded rows, finite), and zero times finite is zero.
// CHECK-LABEL: func @contraction_with_computed_operand
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
#km = affine_map<(k, n) -> (k, n)>
#n  = affine_map<(k, n) -> (n)>
#k  = affine_map<(k, n) -> (k)>
func.func @contraction_with_computed_operand(%x: tensor<?xf32>) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %w = arith.constant dense<0.5> : tensor<8xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %t = linalg.generic {indexing_maps = [#k, #n, #km], iterator_types = ["parallel", "parallel"]}
      ins(%x, %w : tensor<?xf32>, tensor<8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %h = math.tanh %p : f32
    linalg.yield %h : f32
  } -> tensor<?x8xf32>
  %e8 = tensor.empty() : tensor<8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e8 : tensor<8xf32>) -> tensor<8xf32>
  %r = linalg.generic {indexing_maps = [#k, #km, #n], iterator_types = ["reduction", "parallel"]}
      ins(%x, %t : tensor<?xf32>, tensor<?x8xf32>) outs(%f : tensor<8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// Reductions get their neutral elements: 1 for a product, -inf for a max,
// +inf for a min, the smallest integer for a signed integer max.
// CHECK-LABEL: func @product
// CHECK-NEXT:    arg0 pad 1.000000e+00 : f32
// CHECK-LABEL: func @maximum
// CHECK-NEXT:    arg0 pad 0xFF800000 : f32
// CHECK-LABEL: func @minimum
// CHECK-NEXT:    arg0 pad 0x7F800000 : f32
// CHECK-LABEL: func @int_max
// CHECK-NEXT:    arg0 pad -2147483648 : i32
#rc = affine_map<(r, c) -> (r, c)>
#c  = affine_map<(r, c) -> (c)>
func.func @product(%x: tensor<?x4xf32>) -> tensor<4xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%one : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#rc, #c], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %p = arith.mulf %acc, %v : f32
    linalg.yield %p : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
func.func @maximum(%x: tensor<?x4xf32>) -> tensor<4xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#rc, #c], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %p = arith.maximumf %acc, %v : f32
    linalg.yield %p : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
func.func @minimum(%x: tensor<?x4xf32>) -> tensor<4xf32> {
  %inf = arith.constant 0x7F800000 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%inf : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#rc, #c], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %p = arith.minimumf %v, %acc : f32
    linalg.yield %p : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
func.func @int_max(%x: tensor<?x4xi32>) -> tensor<4xi32> {
  %min = arith.constant -2147483648 : i32
  %e = tensor.empty() : tensor<4xi32>
  %f = linalg.fill ins(%min : i32) outs(%e : tensor<4xi32>) -> tensor<4xi32>
  %r = linalg.generic {indexing_maps = [#rc, #c], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xi32>) outs(%f : tensor<4xi32>) {
  ^bb0(%v: i32, %acc: i32):
    %p = arith.maxsi %acc, %v : i32
    linalg.yield %p : i32
  } -> tensor<4xi32>
  return %r : tensor<4xi32>
}

// -----

// Softmax over the padded axis: -inf padding makes the max ignore the
// padding and exp(-inf - max) = 0 leaves the sum alone.
// CHECK-LABEL: func @softmax
// CHECK-NEXT:    arg0 pad 0xFF800000 : f32
// CHECK-NEXT:    dim "batch" splittable
// CHECK-NEXT:    dim "seq" not splittable: 'linalg.generic': it reduces over the dimension
#bs = affine_map<(b, s) -> (b, s)>
#b  = affine_map<(b, s) -> (b)>
func.func @softmax(%x: tensor<?x?xf32> {bucket.dims = ["batch", "seq"]}) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %nb = tensor.dim %x, %c0 : tensor<?x?xf32>
  %ns = tensor.dim %x, %c1 : tensor<?x?xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %z = arith.constant 0.0 : f32
  %e1 = tensor.empty(%nb) : tensor<?xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%e1 : tensor<?xf32>) -> tensor<?xf32>
  %max = linalg.generic {indexing_maps = [#bs, #b], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x?xf32>) outs(%mi : tensor<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  %e2 = tensor.empty(%nb, %ns) : tensor<?x?xf32>
  %ex = linalg.generic {indexing_maps = [#bs, #b, #bs], iterator_types = ["parallel", "parallel"]}
      ins(%x, %max : tensor<?x?xf32>, tensor<?xf32>) outs(%e2 : tensor<?x?xf32>) {
  ^bb0(%v: f32, %m: f32, %o: f32):
    %d = arith.subf %v, %m : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %zi = linalg.fill ins(%z : f32) outs(%e1 : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.generic {indexing_maps = [#bs, #b], iterator_types = ["parallel", "reduction"]}
      ins(%ex : tensor<?x?xf32>) outs(%zi : tensor<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %a = arith.addf %acc, %v : f32
    linalg.yield %a : f32
  } -> tensor<?xf32>
  %p = linalg.generic {indexing_maps = [#bs, #b, #bs], iterator_types = ["parallel", "parallel"]}
      ins(%ex, %sum : tensor<?x?xf32>, tensor<?xf32>) outs(%e2 : tensor<?x?xf32>) {
  ^bb0(%v: f32, %t: f32, %o: f32):
    %r = arith.divf %v, %t : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  return %p : tensor<?x?xf32>
}

// -----

// Masked attention: scores + (1 - mask) * -10000 with the mask declared.
// The mask is padded with zero, the bias of padded keys is -10000, which the
// declaration lets the analysis treat as -inf in the softmax; the padded
// probabilities are then exactly 0 and P.V is safe.
// CHECK-LABEL: func @masked_attention
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    arg1 pad 0 : i64
// CHECK-NEXT:    arg2 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "seq" not splittable
#qk  = affine_map<(q, k) -> (q, k)>
#kk  = affine_map<(q, k) -> (k)>
#qq  = affine_map<(q, k) -> (q)>
#s1  = affine_map<(s) -> (s)>
func.func @masked_attention(%scores: tensor<?x?xf32> {bucket.dims = ["seq", "seq"]},
                            %mask: tensor<?xi64> {bucket.dims = ["seq"], bucket.mask},
                            %v: tensor<?x8xf32> {bucket.dims = ["seq", ""]}) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %mask, %c0 : tensor<?xi64>
  %one = arith.constant 1.0 : f32
  %big = arith.constant -10000.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %z = arith.constant 0.0 : f32
  %es = tensor.empty(%n) : tensor<?xf32>
  %bias = linalg.generic {indexing_maps = [#s1, #s1], iterator_types = ["parallel"]}
      ins(%mask : tensor<?xi64>) outs(%es : tensor<?xf32>) {
  ^bb0(%m: i64, %o: f32):
    %mf = arith.sitofp %m : i64 to f32
    %p = arith.subf %one, %mf : f32
    %b = arith.mulf %p, %big : f32
    linalg.yield %b : f32
  } -> tensor<?xf32>
  %ess = tensor.empty(%n, %n) : tensor<?x?xf32>
  %sc = linalg.generic {indexing_maps = [#qk, #kk, #qk], iterator_types = ["parallel", "parallel"]}
      ins(%scores, %bias : tensor<?x?xf32>, tensor<?xf32>) outs(%ess : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%es : tensor<?xf32>) -> tensor<?xf32>
  %max = linalg.generic {indexing_maps = [#qk, #qq], iterator_types = ["parallel", "reduction"]}
      ins(%sc : tensor<?x?xf32>) outs(%mi : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  %ex = linalg.generic {indexing_maps = [#qk, #qq, #qk], iterator_types = ["parallel", "parallel"]}
      ins(%sc, %max : tensor<?x?xf32>, tensor<?xf32>) outs(%ess : tensor<?x?xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %zi = linalg.fill ins(%z : f32) outs(%es : tensor<?xf32>) -> tensor<?xf32>
  %den = linalg.generic {indexing_maps = [#qk, #qq], iterator_types = ["parallel", "reduction"]}
      ins(%ex : tensor<?x?xf32>) outs(%zi : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  %pr = linalg.generic {indexing_maps = [#qk, #qq, #qk], iterator_types = ["parallel", "parallel"]}
      ins(%ex, %den : tensor<?x?xf32>, tensor<?xf32>) outs(%ess : tensor<?x?xf32>) {
  ^bb0(%a: f32, %d: f32, %o: f32):
    %r = arith.divf %a, %d : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %e8 = tensor.empty(%n) : tensor<?x8xf32>
  %f8 = linalg.fill ins(%z : f32) outs(%e8 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %ctx = linalg.matmul ins(%pr, %v : tensor<?x?xf32>, tensor<?x8xf32>) outs(%f8 : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %ctx : tensor<?x8xf32>
}

// -----

// Mean pooling with a mask needs no declaration: sum(x * mask) / sum(mask)
// divides by the real count, and zero-padded masks zero the padded rows.
// CHECK-LABEL: func @masked_mean
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    arg1 pad 0.000000e+00 : f32
#sd = affine_map<(s, d) -> (s, d)>
#s_ = affine_map<(s, d) -> (s)>
#d_ = affine_map<(s, d) -> (d)>
func.func @masked_mean(%x: tensor<?x4xf32>, %mask: tensor<?xf32>) -> tensor<4xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#sd, #s_, #d_], iterator_types = ["reduction", "parallel"]}
      ins(%x, %mask : tensor<?x4xf32>, tensor<?xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%v: f32, %m: f32, %acc: f32):
    %p = arith.mulf %v, %m : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %e0 = tensor.empty() : tensor<f32>
  %f0 = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %cnt = linalg.generic {indexing_maps = [affine_map<(s) -> (s)>, affine_map<(s) -> ()>], iterator_types = ["reduction"]}
      ins(%mask : tensor<?xf32>) outs(%f0 : tensor<f32>) {
  ^bb0(%m: f32, %acc: f32):
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d) -> (d)>, affine_map<(d) -> ()>, affine_map<(d) -> (d)>], iterator_types = ["parallel"]}
      ins(%sum, %cnt : tensor<4xf32>, tensor<f32>) outs(%e : tensor<4xf32>) {
  ^bb0(%s: f32, %c: f32, %o: f32):
    %r = arith.divf %s, %c : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %mean : tensor<4xf32>
}

// -----

// A cumulative sum along the padded axis (padding at the end):
// out[i] = sum over j <= i of x[j]. Padded j never satisfy j <= i for a real
// i, and the padding is zero anyway.
// CHECK-LABEL: func @cumsum
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "seq" not splittable
#ij_j = affine_map<(i, j) -> (j)>
#ij_i = affine_map<(i, j) -> (i)>
func.func @cumsum(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#ij_j, #ij_i], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?xf32>) outs(%f : tensor<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %in = arith.cmpi ule, %j, %i : index
    %s = arith.addf %acc, %v : f32
    %r = arith.select %in, %s, %acc : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A cumulative product: the select keeps padded iterations out, whatever
// the pad value (so zero is kept).
// CHECK-LABEL: func @cumprod
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
#ij_j2 = affine_map<(i, j) -> (j)>
#ij_i2 = affine_map<(i, j) -> (i)>
func.func @cumprod(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %one = arith.constant 1.0 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %f = linalg.fill ins(%one : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#ij_j2, #ij_i2], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?xf32>) outs(%f : tensor<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %out = arith.cmpi ugt, %j, %i : index
    %p = arith.mulf %acc, %v : f32
    %r = arith.select %out, %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Max pooling with "same" padding: the model pads with -inf itself, so the
// bucket's padding must be -inf too, or the last real window would see it.
// CHECK-LABEL: func @max_pool_same
// CHECK-NEXT:    arg0 pad 0xFF800000 : f32
// CHECK-NEXT:    dim "w" not splittable: 'tensor.pad': it pads the dimension
#pool_in  = affine_map<(o, k) -> (o + k)>
#pool_k   = affine_map<(o, k) -> (k)>
#pool_out = affine_map<(o, k) -> (o)>
func.func @max_pool_same(%x: tensor<?xf32> {bucket.dims = ["w"]}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %ninf = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %p = tensor.pad %x low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %ninf : f32
  } : tensor<?xf32> to tensor<?xf32>
  %win = tensor.empty() : tensor<3xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#pool_in, #pool_k, #pool_out], iterator_types = ["parallel", "reduction"]}
      ins(%p, %win : tensor<?xf32>, tensor<3xf32>) outs(%f : tensor<?xf32>) {
  ^bb0(%v: f32, %w: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Valid max pooling never reads past the real input: any padding is safe,
// and zero is kept.
// CHECK-LABEL: func @max_pool_valid
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "w" not splittable: 'linalg.generic': it reads neighbouring positions
#vin  = affine_map<(o, k) -> (o + k)>
#vk   = affine_map<(o, k) -> (k)>
#vout = affine_map<(o, k) -> (o)>
func.func @max_pool_valid(%x: tensor<?xf32> {bucket.dims = ["w"]}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %ninf = arith.constant 0xFF800000 : f32
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %no = arith.subi %n, %c2 : index
  %win = tensor.empty() : tensor<3xf32>
  %e = tensor.empty(%no) : tensor<?xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#vin, #vk, #vout], iterator_types = ["parallel", "reduction"]}
      ins(%x, %win : tensor<?xf32>, tensor<3xf32>) outs(%f : tensor<?xf32>) {
  ^bb0(%v: f32, %w: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Declared pad values are kept when they are safe; elementwise maps and
// position-independent ops leave a batch dimension splittable.
// CHECK-LABEL: func @declared
// CHECK-NEXT:    arg0 pad 2.500000e+00 : f32
// CHECK-NEXT:    dim "batch" splittable
#e2 = affine_map<(b, d) -> (b, d)>
func.func @declared(%x: tensor<?x4xf32> {bucket.dims = ["batch", ""], bucket.pad_value = "2.5"}) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [#e2, #e2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = math.tanh %v : f32
    linalg.yield %t : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// A loop declared "parallel" that the output does not depend on reduces into
// it: zero padding is safe for the sum, but 'T' cannot be split.
// CHECK-LABEL: func @hidden_reduction_sum
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    arg1 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "S" splittable
// CHECK-NEXT:    dim "T" not splittable: 'linalg.generic': it reduces over the dimension
func.func @hidden_reduction_sum(%acc: tensor<?xf32> {bucket.dims = ["S"]},
                                %x: tensor<?x?xf32> {bucket.dims = ["S", "T"]}) -> tensor<?xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x?xf32>) outs(%acc : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %out, %in : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// PyTorch's head split and merge: [seq, batch, 8] -> [seq, batch * 2, 4] ->
// [seq, batch, 2, 4]. Merging the padded batch dimension with the static
// heads keeps its padding at the end of the merged dimension, and splitting
// it back undoes the merge.
// CHECK-LABEL: func @merge_heads
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "seq" splittable
// CHECK-NEXT:    dim "batch" not splittable: 'tensor.collapse_shape': it merges the dimension with others
func.func @merge_heads(%x: tensor<?x?x8xf32> {bucket.dims = ["seq", "batch", ""]}) -> tensor<?x?x2x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %s = tensor.dim %x, %c0 : tensor<?x?x8xf32>
  %b = tensor.dim %x, %c1 : tensor<?x?x8xf32>
  %bh = arith.muli %b, %c2 : index
  %heads = tensor.expand_shape %x [[0], [1], [2, 3]] output_shape [%s, %b, 2, 4] : tensor<?x?x8xf32> into tensor<?x?x2x4xf32>
  %merged = tensor.collapse_shape %heads [[0], [1, 2], [3]] : tensor<?x?x2x4xf32> into tensor<?x?x4xf32>
  %e = tensor.empty(%s, %bh) : tensor<?x?x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (i, j, k)>],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%merged : tensor<?x?x4xf32>) outs(%e : tensor<?x?x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    linalg.yield %t : f32
  } -> tensor<?x?x4xf32>
  %split = tensor.expand_shape %y [[0], [1, 2], [3]] output_shape [%s, %b, 2, 4] : tensor<?x?x4xf32> into tensor<?x?x2x4xf32>
  return %split : tensor<?x?x2x4xf32>
}

// -----

// `acc - x`: zero is neutral on the subtracted side, in either result of a
// two-result generic.
// CHECK-LABEL: func @subtract_accumulate
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "n" not splittable: 'linalg.generic': it reduces over the dimension
func.func @subtract_accumulate(%x: tensor<?x4xf32> {bucket.dims = ["n", ""]}) -> (tensor<4xf32>, tensor<4xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r:2 = linalg.generic {indexing_maps = [affine_map<(n, d) -> (n, d)>, affine_map<(n, d) -> (d)>, affine_map<(n, d) -> (d)>],
                         iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%f, %f : tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%in: f32, %sq: f32, %neg: f32):
    %m = arith.mulf %in, %in : f32
    %a = arith.addf %sq, %m : f32
    %s = arith.subf %neg, %in : f32
    linalg.yield %a, %s : f32, f32
  } -> (tensor<4xf32>, tensor<4xf32>)
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A slice at an offset passed as an argument, of a static size: the
// original reads real positions only, and so does every bucket.
// CHECK-LABEL: func @slice_at_argument
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "n" not splittable: 'tensor.extract_slice': it takes a part of the dimension
func.func @slice_at_argument(%x: tensor<?x8xf32> {bucket.dims = ["n", ""]}, %o: index) -> tensor<3x8xf32> {
  %s = tensor.extract_slice %x[%o, 0] [3, 8] [1, 1] : tensor<?x8xf32> to tensor<3x8xf32>
  return %s : tensor<3x8xf32>
}

// -----

// What blocks a split: a body that depends on the position, a read of one
// element, a part of the dimension, positions moved by an insertion.
// CHECK-LABEL: func @split_position
// CHECK:         dim "batch" not splittable: 'linalg.generic': its body depends on the position along the dimension
func.func @split_position(%x: tensor<?xf32> {bucket.dims = ["batch"]}) -> tensor<?xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d) -> (d)>, affine_map<(d) -> (d)>],
                       iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%x : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f32
    %r = arith.addf %in, %f : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @split_one_element
// CHECK:         dim "batch" not splittable: 'tensor.extract': it reads one element of a tensor
func.func @split_one_element(%x: tensor<?xf32> {bucket.dims = ["batch"]}) -> f32 {
  %c0 = arith.constant 0 : index
  %v = tensor.extract %x[%c0] : tensor<?xf32>
  return %v : f32
}

// -----

// CHECK-LABEL: func @split_part
// CHECK:         dim "batch" not splittable: 'tensor.extract_slice': it takes a part of the dimension
func.func @split_part(%x: tensor<?xf32> {bucket.dims = ["batch"]}) -> tensor<2xf32> {
  %s = tensor.extract_slice %x[0] [2] [1] : tensor<?xf32> to tensor<2xf32>
  return %s : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @split_moved
// CHECK:         dim "batch" not splittable: 'tensor.insert_slice': it moves positions along the dimension
func.func @split_moved(%x: tensor<?xf32> {bucket.dims = ["batch"]}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %n1 = arith.addi %n, %c1 : index
  %e = tensor.empty(%n1) : tensor<?xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %r = tensor.insert_slice %x into %f[1] [%n] [1] : tensor<?xf32> into tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Merging the padded rows with a static 4 ([B, 4] -> [B * 4]) puts 4
// padded positions per padded row at the end, so the merged dimension is
// padded 4 times as fast as B, and splitting it straight back by 4 gives
// [B, 4] with its padded rows again.
// CHECK-LABEL: func @merge_then_split
// CHECK-NEXT:    arg0 pad 0.000000e+00 : f32
// CHECK-NEXT:    dim "B" not splittable: 'tensor.collapse_shape': it merges the dimension with others
func.func @merge_then_split(%x: tensor<?x4xf32> {bucket.dims = ["B", ""]}) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %x, %c0 : tensor<?x4xf32>
  %flat = tensor.collapse_shape %x [[0, 1]] : tensor<?x4xf32> into tensor<?xf32>
  %r = tensor.expand_shape %flat [[0, 1]] output_shape [%b, 4] : tensor<?xf32> into tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
