//===- CostModelTest.cpp - The linalg work counter against hand counts ----===//

#include "bucket/Tune/CostModel.h"

#include "bucket/IR/BucketDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::bucket;

namespace {

class CostModelTest : public ::testing::Test {
protected:
  CostModelTest() {
    DialectRegistry registry;
    registry
        .insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                math::MathDialect, tensor::TensorDialect>();
    registerBucketDialect(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  std::unique_ptr<LinalgCostModel> load(llvm::StringRef source) {
    module = parseSourceString<ModuleOp>(source, &context);
    if (!module)
      return nullptr;
    auto func = *module->getOps<func::FuncOp>().begin();
    auto model = LinalgCostModel::create(func);
    return succeeded(model) ? std::move(*model) : nullptr;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(CostModelTest, Matmul) {
  auto model = load(R"mlir(
    func.func @mm(%a: tensor<?x32xf32>, %b: tensor<32x16xf32>) -> tensor<?x16xf32> {
      %c0 = arith.constant 0 : index
      %zero = arith.constant 0.0 : f32
      %m = tensor.dim %a, %c0 : tensor<?x32xf32>
      %e = tensor.empty(%m) : tensor<?x16xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
      %r = linalg.matmul ins(%a, %b : tensor<?x32xf32>, tensor<32x16xf32>)
                         outs(%f : tensor<?x16xf32>) -> tensor<?x16xf32>
      return %r : tensor<?x16xf32>
    })mlir");
  ASSERT_TRUE(model);
  ASSERT_EQ(model->getDimNames().size(), 1u);
  for (int64_t m : {1, 7, 64}) {
    FailureOr<WorkCount> work = model->count({m});
    ASSERT_TRUE(succeeded(work));
    EXPECT_EQ(work->flops, 2.0 * m * 16 * 32);
    // fill writes M x 16; matmul reads A and B and writes C.
    EXPECT_EQ(work->bytes, 4.0 * (m * 16) + 4.0 * (m * 32 + 32 * 16 + m * 16));
    EXPECT_EQ(work->numOps, 2u);
  }
}

TEST_F(CostModelTest, Attention) {
  // scores = Q K^T (a generic), out = scores V (a matmul): 4 * S * S * 64.
  auto model = load(R"mlir(
    func.func @attention(%q: tensor<?x64xf32> {bucket.dims = ["seq", ""]},
                         %k: tensor<?x64xf32>, %v: tensor<?x64xf32>)
        -> tensor<?x64xf32> {
      %c0 = arith.constant 0 : index
      %zero = arith.constant 0.0 : f32
      %s = tensor.dim %q, %c0 : tensor<?x64xf32>
      %e = tensor.empty(%s, %s) : tensor<?x?xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
      %scores = linalg.generic {
          indexing_maps = [affine_map<(i, j, d) -> (i, d)>,
                           affine_map<(i, j, d) -> (j, d)>,
                           affine_map<(i, j, d) -> (i, j)>],
          iterator_types = ["parallel", "parallel", "reduction"]}
          ins(%q, %k : tensor<?x64xf32>, tensor<?x64xf32>)
          outs(%f : tensor<?x?xf32>) {
        ^bb0(%a: f32, %b: f32, %c: f32):
          %p = arith.mulf %a, %b : f32
          %r = arith.addf %c, %p : f32
          linalg.yield %r : f32
      } -> tensor<?x?xf32>
      %e2 = tensor.empty(%s) : tensor<?x64xf32>
      %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x64xf32>) -> tensor<?x64xf32>
      %o = linalg.matmul ins(%scores, %v : tensor<?x?xf32>, tensor<?x64xf32>)
                         outs(%f2 : tensor<?x64xf32>) -> tensor<?x64xf32>
      return %o : tensor<?x64xf32>
    })mlir");
  ASSERT_TRUE(model);
  ASSERT_EQ(model->getDimNames().size(), 1u);
  EXPECT_EQ(model->getDimNames()[0].front(), "seq");
  for (int64_t s : {1, 10, 100}) {
    FailureOr<WorkCount> work = model->count({s});
    ASSERT_TRUE(succeeded(work));
    EXPECT_EQ(work->flops, 4.0 * s * s * 64);
    EXPECT_EQ(work->bytes, 4.0 * (3 * s * s + 320 * s));
    EXPECT_EQ(work->numOps, 4u);
  }
}

TEST_F(CostModelTest, Convolution) {
  // A 3x3 valid convolution, 3 -> 8 channels: OH = H - 2, OW = W - 2.
  auto model = load(R"mlir(
    func.func @conv(%x: tensor<1x?x?x3xf32> {bucket.dims = ["", "H", "W", ""]},
                    %w: tensor<3x3x3x8xf32>) -> tensor<1x?x?x8xf32> {
      %c1 = arith.constant 1 : index
      %c2 = arith.constant 2 : index
      %zero = arith.constant 0.0 : f32
      %h = tensor.dim %x, %c1 : tensor<1x?x?x3xf32>
      %wd = tensor.dim %x, %c2 : tensor<1x?x?x3xf32>
      %oh = arith.subi %h, %c2 : index
      %ow = arith.subi %wd, %c2 : index
      %e = tensor.empty(%oh, %ow) : tensor<1x?x?x8xf32>
      %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x?x?x8xf32>) -> tensor<1x?x?x8xf32>
      %y = linalg.conv_2d_nhwc_hwcf
          {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
          ins(%x, %w : tensor<1x?x?x3xf32>, tensor<3x3x3x8xf32>)
          outs(%f : tensor<1x?x?x8xf32>) -> tensor<1x?x?x8xf32>
      return %y : tensor<1x?x?x8xf32>
    })mlir");
  ASSERT_TRUE(model);
  ASSERT_EQ(model->getDimNames().size(), 2u);
  FailureOr<WorkCount> work = model->count({10, 20});
  ASSERT_TRUE(succeeded(work));
  double oh = 8, ow = 18;
  EXPECT_EQ(work->flops, 2.0 * oh * ow * 8 * 3 * 3 * 3);
  EXPECT_EQ(work->bytes, 4.0 * oh * ow * 8 +
                             4.0 * (10 * 20 * 3 + 3 * 3 * 3 * 8 + oh * ow * 8));
}

TEST_F(CostModelTest, CachesAndRejectsWrongArity) {
  auto model = load(R"mlir(
    func.func @add(%a: tensor<?xf32>) -> tensor<?xf32> {
      %r = linalg.add ins(%a, %a : tensor<?xf32>, tensor<?xf32>)
                      outs(%a : tensor<?xf32>) -> tensor<?xf32>
      return %r : tensor<?xf32>
    })mlir");
  ASSERT_TRUE(model);
  FailureOr<WorkCount> work = model->count({5});
  ASSERT_TRUE(succeeded(work));
  EXPECT_EQ(work->flops, 5.0);
  EXPECT_EQ(work->bytes, 3 * 4.0 * 5);
  context.getDiagEngine().registerHandler(
      [](Diagnostic &) { return success(); });
  EXPECT_TRUE(failed(model->count({5, 6})));
}

} // namespace
