// The image model of benchmarks/tune.sh, bucketed on height x width: a 3x3
// valid convolution (3 -> 8 channels) and a 1x1 convolution (8 -> 8), NHWC.
func.func @image(%x: tensor<1x?x?x3xf32> {bucket.dims = ["", "height", "width", ""]}) -> tensor<1x?x?x8xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.05> : tensor<3x3x3x8xf32>
  %w2 = arith.constant dense<0.02> : tensor<1x1x8x8xf32>
  %h = tensor.dim %x, %c1 : tensor<1x?x?x3xf32>
  %w = tensor.dim %x, %c2 : tensor<1x?x?x3xf32>
  %oh = arith.subi %h, %c2 : index
  %ow = arith.subi %w, %c2 : index
  %e = tensor.empty(%oh, %ow) : tensor<1x?x?x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x?x?x8xf32>) -> tensor<1x?x?x8xf32>
  %y1 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w1 : tensor<1x?x?x3xf32>, tensor<3x3x3x8xf32>) outs(%f : tensor<1x?x?x8xf32>) -> tensor<1x?x?x8xf32>
  %y2 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%y1, %w2 : tensor<1x?x?x8xf32>, tensor<1x1x8x8xf32>) outs(%f : tensor<1x?x?x8xf32>) -> tensor<1x?x?x8xf32>
  return %y2 : tensor<1x?x?x8xf32>
}
