// RUN: bucket-opt %s -split-input-file -test-bucket-padding -verify-diagnostics -o /dev/null

// A mean over the padded axis divides by the padded size.
#rd   = affine_map<(r, d) -> (r, d)>
#d_rd = affine_map<(r, d) -> (d)>
#d    = affine_map<(d) -> (d)>
func.func @column_mean(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  // expected-note @below {{the size is read here}}
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
  // expected-error @below {{'linalg.generic' uses the size of padded dimension 'seq' (argument 0, dimension 0) as a value (in 'arith.divf'): the bucketed function would see the bucket's size, not the real one}}
  %mean = linalg.generic {indexing_maps = [#d, #d], iterator_types = ["parallel"]}
      ins(%sum : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%s: f32, %o: f32):
    %m = arith.divf %s, %seq_f32 : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %mean : tensor<4xf32>
}

// -----

// The last real row's offset is computed from the length.
func.func @last_token(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<1x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-note @below {{the size is read here}}
  %seq = tensor.dim %x, %c0 : tensor<?x4xf32>
  %last = arith.subi %seq, %c1 : index
  // expected-error @below {{'tensor.extract_slice' uses the size of padded dimension 'seq' (argument 0, dimension 0) as a value}}
  %y = tensor.extract_slice %x[%last, 0] [1, 4] [1, 1] : tensor<?x4xf32> to tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// A reverse scan along the padded axis reads x[n - 1 - i].
#i = affine_map<(i) -> (i)>
func.func @reverse(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-note @below {{the size is read here}}
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %nm1 = arith.subi %n, %c1 : index
  // expected-error @below {{'linalg.generic' uses the size of padded dimension 'seq' (argument 0, dimension 0) as a value (in 'tensor.extract')}}
  %r = linalg.generic {indexing_maps = [#i], iterator_types = ["parallel"]}
      outs(%e : tensor<?xf32>) {
  ^bb0(%o: f32):
    %j = linalg.index 0 : index
    %src = arith.subi %nm1, %j : index
    %v = tensor.extract %x[%src] : tensor<?xf32>
    linalg.yield %v : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A declared pad value that the analysis proves unsafe.
#rc = affine_map<(r, c) -> (r, c)>
#c  = affine_map<(r, c) -> (c)>
func.func @max_declared_zero(%x: tensor<?x4xf32> {bucket.dims = ["rows", ""], bucket.pad_value = "0"}) -> tensor<4xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  // expected-error @below {{the declared pad value 0 of argument 0 is unsafe: 'linalg.generic' reduces over padded dimension 'rows' and combines its padded iterations with 'arith.maximumf', which needs its neutral element -inf from them but gets 0; the padding comes from argument 0 (dimension 0, 'rows', padded with 0); remedies:}}
  %r = linalg.generic {indexing_maps = [#rc, #c], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %p = arith.maximumf %acc, %v : f32
    linalg.yield %p : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A max over the padded axis of x * w: zero padding gives 0 there, and -inf
// padding gives -inf or +inf depending on the sign of w, so no pad value
// works.
#sd2 = affine_map<(s, d) -> (s, d)>
#d2  = affine_map<(s, d) -> (d)>
func.func @softmax_of_computed(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}, %w: tensor<4xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %y = linalg.generic {indexing_maps = [#sd2, #d2, #sd2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %w : tensor<?x4xf32>, tensor<4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    linalg.yield %p : f32
  } -> tensor<?x4xf32>
  %e4 = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
  // expected-error @below {{'linalg.generic' reduces over padded dimension 'seq' and combines its padded iterations with 'arith.maximumf', which needs its neutral element -inf from them but gets 0; the padding comes from argument 0}}
  %m = linalg.generic {indexing_maps = [#sd2, #d2], iterator_types = ["reduction", "parallel"]}
      ins(%y : tensor<?x4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.maximumf %acc, %v : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %m : tensor<4xf32>
}

// -----

// Masked attention without the declaration: -10000 + score is only a large
// negative number, not -inf, so the max could pick it (the padded scores are
// tanh(0) = 0 here, so the padded positions hold exactly -10000).
#qk  = affine_map<(q, k) -> (q, k)>
#kk  = affine_map<(q, k) -> (k)>
#qq  = affine_map<(q, k) -> (q)>
#s1  = affine_map<(s) -> (s)>
func.func @undeclared_mask(%scores: tensor<?x?xf32> {bucket.dims = ["seq", "seq"]},
                           %mask: tensor<?xi64> {bucket.dims = ["seq"]}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %mask, %c0 : tensor<?xi64>
  %one = arith.constant 1.0 : f32
  %big = arith.constant -10000.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
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
    %s = math.tanh %a : f32
    %r = arith.addf %s, %b : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%es : tensor<?xf32>) -> tensor<?xf32>
  // expected-error @below {{'linalg.generic' reduces over padded dimension 'seq' and combines its padded iterations with 'arith.maximumf', which needs its neutral element -inf from them but gets -10000; the padding comes from argument 0}}
  %max = linalg.generic {indexing_maps = [#qk, #qq], iterator_types = ["parallel", "reduction"]}
      ins(%sc : tensor<?x?xf32>) outs(%mi : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  return %max : tensor<?xf32>
}

// -----

// A declared mask used multiplicatively before a max: zero is not -inf.
#qk2 = affine_map<(q, k) -> (q, k)>
#k2  = affine_map<(q, k) -> (k)>
#q2  = affine_map<(q, k) -> (q)>
func.func @mask_misused(%scores: tensor<?x?xf32> {bucket.dims = ["seq", "seq"]},
                        %mask: tensor<?xf32> {bucket.dims = ["seq"], bucket.mask}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %mask, %c0 : tensor<?xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %es = tensor.empty(%n) : tensor<?xf32>
  %ess = tensor.empty(%n, %n) : tensor<?x?xf32>
  %sc = linalg.generic {indexing_maps = [#qk2, #k2, #qk2], iterator_types = ["parallel", "parallel"]}
      ins(%scores, %mask : tensor<?x?xf32>, tensor<?xf32>) outs(%ess : tensor<?x?xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %r = arith.mulf %a, %m : f32
    linalg.yield %r : f32
  } -> tensor<?x?xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%es : tensor<?xf32>) -> tensor<?xf32>
  // expected-error @below {{argument 1 is declared a mask, but 'linalg.generic' reduces over padded dimension 'seq' and combines its padded iterations with 'arith.maximumf', which needs its neutral element -inf from them but gets 0}}
  %max = linalg.generic {indexing_maps = [#qk2, #q2], iterator_types = ["parallel", "reduction"]}
      ins(%sc : tensor<?x?xf32>) outs(%mi : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  return %max : tensor<?xf32>
}

// -----

// Concatenating along a padded dimension puts the first input's padding in
// the middle of the result.
func.func @concat(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @below {{'tensor.concat' concatenates along padded dimension 'arg0.0': the padding of the first input would land inside the result; compile without bucketing this dimension}}
  %r = tensor.concat dim(0) %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Padding after the real data inside the model with zero, while the
// bucket's padding holds -inf (chosen for the max below it): the first
// padded position disagrees.
#pin  = affine_map<(o, k) -> (o + k)>
#pk   = affine_map<(o, k) -> (k)>
#pout = affine_map<(o, k) -> (o)>
func.func @pad_mismatch(%x: tensor<?xf32> {bucket.dims = ["w"], bucket.pad_value = "-inf"}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  // expected-error @below {{the declared pad value -inf of argument 0 is unsafe: 'tensor.pad' pads padded dimension 'w' at its end with 0, but the bucket's padding before it holds -inf}}
  %p = tensor.pad %x low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %zero : f32
  } : tensor<?xf32> to tensor<?xf32>
  %win = tensor.empty() : tensor<3xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#pin, #pk, #pout], iterator_types = ["parallel", "reduction"]}
      ins(%p, %win : tensor<?xf32>, tensor<3xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%v: f32, %w: f32, %acc: f32):
    %m = arith.addf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Ops the analysis does not know are refused rather than guessed.
func.func @loop(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error @below {{cannot prove that padding dimension 'arg0.0' is safe: 'scf.for' takes a padded tensor and the analysis does not know its semantics}}
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %x) -> tensor<?xf32> {
    scf.yield %acc : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// Declarations on arguments that are never padded.
// expected-error @below {{argument 1 of 'static_mask' declares a mask but has no bucketed dimension, so it is never padded}}
func.func @static_mask(%x: tensor<?xf32>, %m: tensor<4xf32> {bucket.mask}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{invalid pad value for argument 0: 'lots' is not a number, -inf, inf, min or max}}
func.func @bad_value(%x: tensor<?xf32> {bucket.pad_value = "lots"}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @below {{the pad value 1 : i32 of argument 0 does not have the element type 'f32'}}
func.func @bad_type(%x: tensor<?xf32> {bucket.pad_value = 1 : i32}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// A slice that stops before the end of a padded dimension would keep some
// padding inside the real part of its result.
func.func @short_slice(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %m = arith.subi %n, %c2 : index
  // expected-error @below {{cannot prove that padding dimension 'arg0.0' is safe: a slice that stops before the end of a padded dimension; compile without bucketing this dimension}}
  %s = tensor.extract_slice %x[0] [%m] [1] : tensor<?xf32> to tensor<?xf32>
  return %s : tensor<?xf32>
}

// -----

// Merging a padded dimension into an outer one interleaves the padding with
// real data (rows of 4 real and padded positions); merging it with inner
// static dimensions (test-bucket-padding.mlir) does not.
func.func @merge(%x: tensor<4x?xf32>) -> tensor<?xf32> {
  // expected-error @below {{cannot prove that padding dimension 'arg0.1' is safe: a reshape that merges a padded dimension with outer or dynamic dimensions}}
  %r = tensor.collapse_shape %x [[0, 1]] : tensor<4x?xf32> into tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Merging two padded dimensions interleaves the padding of the inner one.
func.func @merge_two(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  // expected-error @below {{a reshape that merges a padded dimension with outer or dynamic dimensions}}
  %r = tensor.collapse_shape %x [[0, 1]] : tensor<?x?xf32> into tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Splitting a padded dimension into an outer dynamic and an inner static one
// interleaves the padding, unless it undoes a merge.
func.func @split(%x: tensor<?xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %q = arith.divui %n, %c4 : index
  // expected-error @below {{cannot prove that padding dimension 'arg0.0' is safe: a reshape that splits a padded dimension}}
  %r = tensor.expand_shape %x [[0, 1]] output_shape [%q, 4] : tensor<?xf32> into tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// Control flow between blocks is not followed.
// expected-error @below {{cannot prove that padding is safe in a function with several blocks}}
func.func @blocks(%x: tensor<?xf32>) -> tensor<?xf32> {
  cf.br ^bb1
^bb1:
  return %x : tensor<?xf32>
}

// -----

// Inserting a padded tensor at an offset along its padded dimension moves
// its padding into the destination's real part.
func.func @insert_at_offset(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  // expected-error @below {{cannot prove that padding dimension 'arg1.0' is safe: an insertion that would place padding inside the real part of the destination}}
  %r = tensor.insert_slice %y into %x[1] [%n] [1] : tensor<?xf32> into tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// expected-error @below {{invalid pad value for argument 0: expected a string or a typed constant}}
func.func @pad_value_not_a_value(%x: tensor<?xf32> {bucket.pad_value = [1.0]}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// A size computed from a padded size in a way the analysis does not follow
// (half the length; twice the length is followed).
func.func @halved(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %m = arith.divui %n, %c2 : index
  // expected-error @below {{cannot prove that padding is safe: a size computed from a padded dimension in a way the analysis does not follow}}
  %e = tensor.empty(%m) : tensor<?xf32>
  return %e : tensor<?xf32>
}

// -----

// A strided slice of a padded dimension.
func.func @strided(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %h = arith.divui %n, %c2 : index
  // expected-error @below {{cannot prove that padding dimension 'arg0.0' is safe: a slice of a padded dimension with a stride or a size computed in a way the analysis does not follow}}
  %s = tensor.extract_slice %x[0] [%h] [2] : tensor<?xf32> to tensor<?xf32>
  return %s : tensor<?xf32>
}

// -----

// Padding a padded dimension by an amount passed in.
func.func @pad_by_argument(%x: tensor<?xf32>, %p: index) -> tensor<?xf32> {
  %zero = arith.constant 0.0 : f32
  // expected-error @below {{cannot prove that padding dimension 'arg0.0' is safe: a tensor.pad of a padded dimension by a computed amount}}
  %r = tensor.pad %x low[0] high[%p] {
  ^bb0(%i: index):
    tensor.yield %zero : f32
  } : tensor<?xf32> to tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Splitting a padded dimension in a reshape interleaves the padding.
func.func @split_reshape(%x: tensor<?xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %q = arith.divui %n, %c4 : index
  // expected-error @below {{cannot prove that padding dimension 'arg0.0' is safe: a reshape that splits a padded dimension}}
  %r = tensor.expand_shape %x [[0, 1]] output_shape [%q, 4] : tensor<?xf32> into tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// A padded reduction loop that also appears in a window expression.
#win_in  = affine_map<(i, k) -> (i + k)>
#win_k   = affine_map<(i, k) -> (k)>
#win_out = affine_map<(i, k) -> (i)>
func.func @window_over_padded_reduction(%x: tensor<?xf32>, %w: tensor<?xf32>) -> tensor<4xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  // expected-error @below {{cannot prove that padding dimension 'arg1.0' is safe: a padded reduction loop in an indexing expression}}
  %r = linalg.generic {indexing_maps = [#win_in, #win_k, #win_out], iterator_types = ["parallel", "reduction"]}
      ins(%x, %w : tensor<?xf32>, tensor<?xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Both loops are declared "parallel", but the output does not depend on the
// second: every iteration of it adds 1 to the same element, so it is a
// reduction over the padded dimension 'T', and the padded iterations would
// add 1 each.
func.func @hidden_reduction(%acc: tensor<?xf32> {bucket.dims = ["S"]},
                            %x: tensor<?x?xf32> {bucket.dims = ["S", "T"]}) -> tensor<?xf32> {
  %one = arith.constant 1.0 : f32
  // expected-error @below {{'linalg.generic' reduces over padded dimension 'T' and combines its padded iterations with 'arith.addf', which needs its neutral element 0 from them but gets 1}}
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x?xf32>) outs(%acc : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %out, %one : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// `x - acc` negates the accumulator: no pad value is neutral.
func.func @subtracted_accumulator(%x: tensor<?xf32> {bucket.dims = ["n"]}) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  // expected-error @below {{'linalg.generic' reduces over padded dimension 'n' and combines its padded iterations with 'arith.subf'}}
  %r = linalg.generic {indexing_maps = [affine_map<(n) -> (n)>, affine_map<(n) -> ()>],
                       iterator_types = ["reduction"]}
      ins(%x : tensor<?xf32>) outs(%f : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.subf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// A slice whose offset follows the padded length reads padding.
func.func @slice_from_the_end(%x: tensor<?xf32> {bucket.dims = ["n"]}) -> tensor<2xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  // expected-note @below {{the size is read here}}
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %o = arith.subi %n, %c2 : index
  // expected-error @below {{'tensor.extract_slice' uses the size of padded dimension 'n' (argument 0, dimension 0) as a value}}
  %s = tensor.extract_slice %x[%o] [2] [1] : tensor<?xf32> to tensor<2xf32>
  return %s : tensor<2xf32>
}

// -----

// The refusal names the dimension of the argument that belongs to the
// class at fault ('T' is dimension 1 of argument 1), not the argument's
// first padded dimension.
func.func @names_the_right_dimension(%acc: tensor<?xf32> {bucket.dims = ["S"]},
                                     %x: tensor<?x?xf32> {bucket.dims = ["S", "T"]}) -> tensor<?xf32> {
  %one = arith.constant 1.0 : f32
  // expected-error @below {{the padding comes from argument 1 (dimension 1, 'T', padded with 0)}}
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x?xf32>) outs(%acc : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %one : f32
    %m = arith.addf %out, %t : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A mask bias that is not large enough to act as -inf (-1000, above the
// -1e4 threshold): the masked max could pick a padded key, so it is refused
// even with the declaration. (With a bias of -10000 the same function is
// accepted: test-bucket-padding.mlir, @masked_attention.)
#qk  = affine_map<(q, k) -> (q, k)>
#kk  = affine_map<(q, k) -> (k)>
#qq  = affine_map<(q, k) -> (q)>
#s1  = affine_map<(s) -> (s)>
func.func @weak_mask_bias(%scores: tensor<?x?xf32> {bucket.dims = ["seq", "seq"], bucket.pad_value = "0"},
                          %mask: tensor<?xi64> {bucket.dims = ["seq"], bucket.mask}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %mask, %c0 : tensor<?xi64>
  %one = arith.constant 1.0 : f32
  %big = arith.constant -1000.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
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
  // expected-error @below {{'linalg.generic' reduces over padded dimension 'seq' and combines its padded iterations with 'arith.maximumf'}}
  %max = linalg.generic {indexing_maps = [#qk, #qq], iterator_types = ["parallel", "reduction"]}
      ins(%sc : tensor<?x?xf32>) outs(%mi : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  return %max : tensor<?xf32>
}

// -----

// The size of a padded dimension read from an intermediate tensor (not an
// argument) is just as much the bucket's size.
#rd   = affine_map<(r, d) -> (r, d)>
#d_rd = affine_map<(r, d) -> (d)>
#d    = affine_map<(d) -> (d)>
func.func @mean_of_intermediate(%x: tensor<?x4xf32> {bucket.dims = ["seq", ""]}) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %t = math.tanh %x : tensor<?x4xf32>
  // expected-note @below {{the size is read here}}
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
  // expected-error @below {{'linalg.generic' uses the size of padded dimension as a value (in 'arith.divf')}}
  %mean = linalg.generic {indexing_maps = [#d, #d], iterator_types = ["parallel"]}
      ins(%sum : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%s: f32, %o: f32):
    %m = arith.divf %s, %seq_f32 : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %mean : tensor<4xf32>
}

// -----

// A slice of an unpadded tensor (a cache) sized by a padded dimension reads
// entries past the real length in a bucket: they may hold anything.
#jd = affine_map<(j, d) -> (j, d)>
#d  = affine_map<(j, d) -> (d)>
func.func @sum_of_cache_prefix(%cache: tensor<16x4xf32>, %positions: tensor<?xi64> {bucket.dims = ["len"]}) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %len = tensor.dim %positions, %c0 : tensor<?xi64>
  %zero = arith.constant 0.0 : f32
  %keys = tensor.extract_slice %cache[0, 0] [%len, 4] [1, 1] : tensor<16x4xf32> to tensor<?x4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  // expected-error @below {{'linalg.generic' reduces over padded dimension 'len' and combines its padded iterations with 'arith.addf', which needs its neutral element 0 from them but gets values that may be anything (uninitialized, inf or NaN); compile without bucketing this dimension}}
  %s = linalg.generic {indexing_maps = [#jd, #d], iterator_types = ["reduction", "parallel"]}
      ins(%keys : tensor<?x4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%k: f32, %acc: f32):
    %r = arith.addf %k, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// A size that shrinks as the padded size grows (8 - seq) is not a padded
// size: a bucket would build a shorter tensor than the original, so the
// analysis does not follow `seq * -1` as one.
func.func @shrinking_size(%x: tensor<?xf32> {bucket.dims = ["seq"]}) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %cm1 = arith.constant -1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %m = arith.muli %n, %cm1 : index
  %s = arith.addi %m, %c8 : index
  // expected-error @below {{cannot prove that padding is safe: a size computed from a padded dimension in a way the analysis does not follow}}
  %e = tensor.empty(%s) : tensor<?xf32>
  %r = linalg.fill ins(%one : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}
