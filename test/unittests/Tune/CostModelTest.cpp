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

  /// The cost model of the first function of `source`, for a target with
  /// `vectorBits`-bit vectors and a cache of `cacheBytes`.
  std::unique_ptr<LinalgCostModel> load(llvm::StringRef source,
                                        unsigned vectorBits = 512,
                                        double cacheBytes = 1 << 20) {
    module = parseSourceString<ModuleOp>(source, &context);
    if (!module)
      return nullptr;
    auto func = *module->getOps<func::FuncOp>().begin();
    CostTarget target;
    target.codegen.vectorBits = vectorBits;
    target.cacheBytes = cacheBytes;
    auto model = LinalgCostModel::create(func, target);
    return succeeded(model) ? std::move(*model) : nullptr;
  }

  /// The work of an M x 32 times 32 x `n` matmul (the right-hand side an
  /// argument) at M = `m` rows, on a target with `vectorBits`-bit vectors.
  WorkCount countMatmul(int64_t m, int64_t n, unsigned vectorBits,
                        double cacheBytes = 1 << 20) {
    std::string source = R"mlir(
      func.func @mm(%a: tensor<?x32xf32>, %b: tensor<32xNxf32>) -> tensor<?xNxf32> {
        %c0 = arith.constant 0 : index
        %zero = arith.constant 0.0 : f32
        %m = tensor.dim %a, %c0 : tensor<?x32xf32>
        %e = tensor.empty(%m) : tensor<?xNxf32>
        %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?xNxf32>) -> tensor<?xNxf32>
        %r = linalg.matmul ins(%a, %b : tensor<?x32xf32>, tensor<32xNxf32>)
                           outs(%f : tensor<?xNxf32>) -> tensor<?xNxf32>
        return %r : tensor<?xNxf32>
      })mlir";
    for (size_t at; (at = source.find("xN")) != std::string::npos;)
      source.replace(at, 2, "x" + std::to_string(n));
    auto model = load(source, vectorBits, cacheBytes);
    EXPECT_TRUE(model);
    if (!model)
      return {};
    FailureOr<WorkCount> work = model->count({m});
    EXPECT_TRUE(succeeded(work));
    return succeeded(work) ? *work : WorkCount{};
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

// The register tiles of lib/Transforms/Codegen.cpp: MR rows (8 with 512-bit
// vectors, 4 with 256) by NR = 2 vectors of columns. M above MR and not a
// multiple of it is split at the last multiple, the rest one narrower tile;
// a tile of r rows runs as max(r, 4) rows (8 accumulator chains keep the
// FMA units busy, two per row), so every 256-bit tile counts 4 rows.
TEST_F(CostModelTest, TiledMatmulRows) {
  struct Case {
    int64_t m;
    unsigned vectorBits;
    int64_t executedRows;
  };
  // 512 bits: 12 = 8 + 4 -> 8 + 4; 16 -> 8 + 8; 7 -> one tile of 7; 9 = 8 +
  // 1 -> 8 + 4; 3 -> 4; 1 -> 4. 256 bits: 12 -> three tiles of 4; 16 ->
  // four; 7 = 4 + 3 -> 4 + 4; 9 = 8 + 1 -> 8 + 4; 3 -> 4; 1 -> 4.
  for (Case c :
       {Case{12, 512, 12}, Case{16, 512, 16}, Case{7, 512, 7}, Case{9, 512, 12},
        Case{3, 512, 4}, Case{1, 512, 4}, Case{12, 256, 12}, Case{16, 256, 16},
        Case{7, 256, 8}, Case{9, 256, 12}, Case{3, 256, 4}, Case{1, 256, 4}}) {
    SCOPED_TRACE("M = " + std::to_string(c.m) + ", " +
                 std::to_string(c.vectorBits) + " bits");
    // N = 16 is one column tile of whole vectors on both targets (one vector
    // of 16 lanes; two of 8), and a single panel (not packed).
    WorkCount work = countMatmul(c.m, 16, c.vectorBits);
    EXPECT_EQ(work.flops, 2.0 * c.m * 16 * 32);
    EXPECT_EQ(work.contractionFlops, 2.0 * c.m * 16 * 32);
    EXPECT_EQ(work.tiledContractionFlops, 2.0 * c.executedRows * 16 * 32);
    // The fill has no arithmetic: every op is the matmul's.
    EXPECT_EQ(work.getTiledFlops(), work.tiledContractionFlops);
  }
}

TEST_F(CostModelTest, TiledMatmulColumns) {
  // N = 40 on 512 bits (16 lanes, NR = 32). Unpacked (M = 7: packing needs
  // M >= 2 row tiles): 40 = 32 + 8, a tile of two vectors and one of 8
  // columns in a whole vector: 48 columns executed, 7 rows.
  EXPECT_EQ(countMatmul(7, 40, 512).tiledContractionFlops, 2.0 * 7 * 48 * 32);
  // Packed (M = 16, row tile 8): NR = the largest divisor of 40 up to 32 =
  // 20, two panels of 20 = 16 + 4 columns, each two vectors: 64 columns.
  EXPECT_EQ(countMatmul(16, 40, 512).tiledContractionFlops, 2.0 * 16 * 64 * 32);
  // 256 bits (8 lanes, NR = 16), M = 8 (row tile 4, packed: 8 >= 2 * 4):
  // NR = 8 x the largest divisor of 5 up to 2 = 8, five panels of one
  // vector: the 40 columns exactly; rows 8.
  EXPECT_EQ(countMatmul(8, 40, 256).tiledContractionFlops, 2.0 * 8 * 40 * 32);
}

TEST_F(CostModelTest, ColumnsSplitAtTheCacheBlock) {
  // Unpacked (M = 8 < 2 row tiles), 512 bits (16 lanes, NR = 32). N = 368
  // is a multiple of the lanes; its largest divisor up to the cache block
  // (256) is 184, not a multiple of 32, so the code generator splits it at
  // the block: 256 columns in 32-column tiles, 112 in 16-column ones, every
  // vector full: the 368 columns exactly (blocks of 184 would have run
  // 23-column tiles of two vectors each: 16 x 32 = 512 columns).
  EXPECT_EQ(countMatmul(8, 368, 512).tiledContractionFlops, 2.0 * 8 * 368 * 32);
  // N = 384: blocks of 192 (6 x 32) are kept, every vector full.
  EXPECT_EQ(countMatmul(8, 384, 512).tiledContractionFlops, 2.0 * 8 * 384 * 32);
  // N = 380: 368 + 12 at the lanes, the 12 in one vector of 16.
  EXPECT_EQ(countMatmul(8, 380, 512).tiledContractionFlops,
            2.0 * 8 * (368 + 16) * 32);
}

TEST_F(CostModelTest, OnlyContractionsAreTiled) {
  // Attention with an exp between the products: Q K^T is a contraction
  // generic (M = N = S, K = 64), P V a matmul (M = S, N = 64, K = S), exp
  // no contraction. On 512 bits at S = 12 (rows 8 + 4, both run as they
  // are): Q K^T executes 12 rows x 16 columns (12 in one vector) x 64; P V
  // 12 rows x 64 columns (two packed panels of 32) x 12; exp its 144
  // elements exactly. At S = 9 (rows 8 + 1, run as 8 + 4), Q K^T executes
  // 12 x 16 x 64, P V 12 x 64 x 9.
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
      %exp = linalg.exp ins(%scores : tensor<?x?xf32>)
                        outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
      %e2 = tensor.empty(%s) : tensor<?x64xf32>
      %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x64xf32>) -> tensor<?x64xf32>
      %o = linalg.matmul ins(%exp, %v : tensor<?x?xf32>, tensor<?x64xf32>)
                         outs(%f2 : tensor<?x64xf32>) -> tensor<?x64xf32>
      return %o : tensor<?x64xf32>
    })mlir");
  ASSERT_TRUE(model);
  FailureOr<WorkCount> work = model->count({12});
  ASSERT_TRUE(succeeded(work));
  double s = 12;
  EXPECT_EQ(work->contractionFlops, 4.0 * s * s * 64);
  EXPECT_EQ(work->flops, 4.0 * s * s * 64 + s * s); // and one exp per score
  EXPECT_EQ(work->tiledContractionFlops,
            2.0 * 12 * 16 * 64 + 2.0 * 12 * 64 * 12);
  EXPECT_EQ(work->getTiledFlops(), work->tiledContractionFlops + s * s);
  work = model->count({9});
  ASSERT_TRUE(succeeded(work));
  EXPECT_EQ(work->tiledContractionFlops,
            2.0 * 12 * 16 * 64 + 2.0 * 12 * 64 * 9);
  EXPECT_EQ(work->flops - work->contractionFlops, 81.0);
}

TEST_F(CostModelTest, SpillBytesRiseAroundTheCacheSize) {
  // M = 64, N = 16, K = 32: the fill's output and the matmul's 4 kB, A 8 kB,
  // B 2 kB. An operand spills none of its bytes up to half the cache, all of
  // them from one and a half caches, a share in between.
  double bytes = 4096 + 8192 + 2048 + 4096;
  // 8 kB cache: A (8 kB) spills (8192 - 4096) / 8192 = half; the rest none.
  WorkCount work = countMatmul(64, 16, 512, 8192);
  EXPECT_EQ(work.bytes, bytes);
  EXPECT_EQ(work.spillBytes, 4096);
  // 4 kB cache: A all of it, the two 4 kB outputs half each, B none.
  EXPECT_EQ(countMatmul(64, 16, 512, 4096).spillBytes, 8192 + 2048 + 2048);
  // 1 kB: every operand is beyond 1.5 kB; 1 MB: none reaches 512 kB.
  EXPECT_EQ(countMatmul(64, 16, 512, 1024).spillBytes, bytes);
  EXPECT_EQ(countMatmul(64, 16, 512, 1 << 20).spillBytes, 0);
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
