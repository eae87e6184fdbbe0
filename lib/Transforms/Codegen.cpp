//===- Codegen.cpp - Code generation strategy for static buckets ----------===//

#include "bucket/Transforms/Codegen.h"
#include "bucket/Analysis/Utils.h"
#include "bucket/Transforms/Specialize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Debug.h"
#include "llvm/TargetParser/Host.h"

#define DEBUG_TYPE "bucket-codegen"

using namespace mlir;
using namespace mlir::bucket;

/// Prints `values` as "AxBxC" for the debug trace.
[[maybe_unused]] static std::string formatSizes(ArrayRef<int64_t> values) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(values, os, "x");
  return text;
}

unsigned mlir::bucket::getHostVectorBits() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return 512;
  if (features.lookup("avx2") || features.lookup("avx"))
    return 256;
  return 128;
}

/// The largest divisor of `size` that is at most `limit`.
static int64_t largestDivisorUpTo(int64_t size, int64_t limit) {
  for (int64_t d = std::min(size, limit); d > 1; --d)
    if (size % d == 0)
      return d;
  return 1;
}

/// Rows of the contractions' register tile: accumulators rows x vectors
/// must leave registers for one row of the right-hand side and a broadcast:
/// 16 registers with AVX2 (4 x 2 + 3), 32 with AVX-512 (8 x 2 + 3).
int64_t mlir::bucket::getRegisterTileRows(const CodegenOptions &options) {
  return options.tileRows ? options.tileRows
                          : (options.vectorBits >= 512 ? 8 : 4);
}

std::pair<int64_t, int64_t>
mlir::bucket::getContractionTile(int64_t m, int64_t n,
                                 const CodegenOptions &options) {
  int64_t lanes = std::max(1u, options.vectorBits / 32);
  int64_t rows = getRegisterTileRows(options);
  int64_t vectors = options.tileVectors ? options.tileVectors : 2;
  int64_t cols = vectors * lanes;
  // Columns in whole vectors where possible.
  int64_t tileCols = n % lanes == 0
                         ? lanes * largestDivisorUpTo(n / lanes, vectors)
                         : largestDivisorUpTo(n, cols);
  return {largestDivisorUpTo(m, rows), tileCols};
}

/// Vectors of i1 are bit-packed in LLVM while memrefs of i1 hold a byte per
/// element: a vector transfer of i1 would store packed bits. Such ops keep
/// the generic lowering.
static bool hasBooleanOperands(linalg::LinalgOp op) {
  return llvm::any_of(op->getOperandTypes(), [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return shaped && shaped.getElementType().isInteger(1);
  });
}

static bool hasStaticShapes(linalg::LinalgOp op) {
  return llvm::all_of(op->getOperandTypes(),
                      [](Type type) {
                        auto shaped = dyn_cast<ShapedType>(type);
                        return !shaped || shaped.hasStaticShape();
                      }) &&
         op.hasPureTensorSemantics();
}

/// Tiles `op` by `sizes` (0: not tiled) with scf.for loops; returns the tiled
/// op and the loops, outermost first.
static FailureOr<scf::SCFTilingResult>
tile(RewriterBase &rewriter, linalg::LinalgOp op, ArrayRef<int64_t> sizes) {
  scf::SCFTilingOptions options;
  SmallVector<OpFoldResult> tileSizes;
  for (int64_t size : sizes)
    tileSizes.push_back(rewriter.getIndexAttr(size));
  options.setTileSizes(tileSizes);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> result = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(result))
    return failure();
  rewriter.replaceOp(op, result->replacements);
  return result;
}

/// Vectorizes `op` (gathers included) and replaces it with the vector code.
static LogicalResult vectorizeAndReplace(RewriterBase &rewriter,
                                         linalg::LinalgOp op,
                                         bool createNamedContraction) {
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
      rewriter, op, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
      /*vectorizeNDExtract=*/true, /*flatten1DDepthwiseConv=*/false,
      /*assumeDynamicDimsMatchVecSizes=*/false, createNamedContraction);
  if (failed(result))
    return failure();
  rewriter.replaceOp(op, result->replacements);
  return success();
}

/// Tiles of a size that does not divide the op would be chosen among the
/// size's divisors: 17 rows make 1-row register tiles (8x fewer multiply-adds
/// per load), 40 columns make 20-column tiles of partial vectors. Instead,
/// when loop `dim`'s size is above `multiple` and not a multiple of it, the
/// op is split at the last multiple: the first part takes whole tiles, the
/// rest one smaller tile. Returns the two parts, or nothing.
static std::optional<std::pair<linalg::LinalgOp, linalg::LinalgOp>>
splitAtMultiple(RewriterBase &rewriter, linalg::LinalgOp op, unsigned dim,
                int64_t multiple) {
  int64_t size = op.getStaticLoopRanges()[dim];
  if (multiple <= 1 || size <= multiple || size % multiple == 0)
    return std::nullopt;
  rewriter.setInsertionPoint(op);
  auto [bulk, rest] =
      linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()), dim,
                      rewriter.getIndexAttr(size - size % multiple));
  if (!bulk || !rest)
    return std::nullopt;
  return std::make_pair(cast<linalg::LinalgOp>(bulk.getOperation()),
                        cast<linalg::LinalgOp>(rest.getOperation()));
}

// Cache level: blocks of at most kCacheBlock along n and k, so that the
// panel of the right-hand side a register tile streams (k x NR) stays in L1
// and a block of it is reused by every row of the left-hand side.
constexpr int64_t kCacheBlock = kContractionCacheBlock;

std::optional<int64_t>
mlir::bucket::getColumnBlockSplit(int64_t n, const CodegenOptions &options) {
  if (n <= kCacheBlock || n % kCacheBlock == 0)
    return std::nullopt;
  int64_t tileCols =
      getContractionTile(getRegisterTileRows(options), kCacheBlock, options)
          .second;
  if (largestDivisorUpTo(n, kCacheBlock) % tileCols == 0)
    return std::nullopt;
  return n - n % kCacheBlock;
}

/// A contraction that accumulates into a constant fill (a zero accumulator)
/// and whose reduction is not blocked can start its register tiles from the
/// constant instead of reading the filled tensor: the fill pass, the reads of
/// it, and, when several contractions share the fill (one zero tensor for
/// every attention layer after CSE), bufferization's copy of it for each but
/// the last all go away (4 MiB each at 512 tokens). Makes `op` accumulate
/// into the fill's destination and returns the constant.
static std::optional<TypedAttr>
takeConstantFill(RewriterBase &rewriter, linalg::LinalgOp op,
                 const linalg::ContractionDimensions &dims) {
  if (op.getNumDpsInits() != 1 ||
      op.getStaticLoopRanges()[dims.k.back()] > kCacheBlock)
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  auto fill = init->get().getDefiningOp<linalg::FillOp>();
  TypedAttr value;
  if (!fill || !fill.hasPureTensorSemantics() ||
      !matchPattern(fill.getDpsInputOperand(0)->get(), m_Constant(&value)))
    return std::nullopt;
  rewriter.modifyOpInPlace(
      op, [&] { init->set(fill.getDpsInitOperand(0)->get()); });
  return value;
}

/// Cache blocks: tiles of at most kCacheBlock along n and k.
static FailureOr<linalg::LinalgOp> cacheBlock(RewriterBase &rewriter,
                                              linalg::LinalgOp op, unsigned n,
                                              unsigned k) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<int64_t> outer(ranges.size(), 0);
  if (ranges[n] > kCacheBlock)
    outer[n] = largestDivisorUpTo(ranges[n], kCacheBlock);
  // Each block of the reduction stores the register tiles' accumulators
  // and reloads them: blocks of a small divisor (a prime has only 1) would
  // do so every few steps, so such a reduction stays whole.
  if (ranges[k] > kCacheBlock &&
      largestDivisorUpTo(ranges[k], kCacheBlock) >= kCacheBlock / 4)
    outer[k] = largestDivisorUpTo(ranges[k], kCacheBlock);
  LLVM_DEBUG(llvm::dbgs() << "contraction " << formatSizes(ranges)
                          << ": cache blocks " << formatSizes(outer) << "\n");
  if (llvm::all_of(outer, [](int64_t size) { return size == 0; }))
    return op;
  FailureOr<scf::SCFTilingResult> blocked = tile(rewriter, op, outer);
  if (failed(blocked) || blocked->tiledOps.empty())
    return failure();
  return cast<linalg::LinalgOp>(blocked->tiledOps.back());
}

/// Makes `op` accumulate into `value` (a linalg.fill of its init, just
/// before it): what takeConstantFill took away, restored when the strategy
/// that would have started each register tile from the constant cannot be
/// applied after all, or given to one register tile.
static linalg::FillOp restoreConstantFill(RewriterBase &rewriter,
                                          linalg::LinalgOp op,
                                          TypedAttr value) {
  OpOperand *init = op.getDpsInitOperand(0);
  rewriter.setInsertionPoint(op);
  Value constant = arith::ConstantOp::create(rewriter, op.getLoc(), value);
  auto fill =
      linalg::FillOp::create(rewriter, op.getLoc(), constant, init->get());
  rewriter.modifyOpInPlace(op, [&] { init->set(fill.getResult(0)); });
  return fill;
}

/// The register tiles first (`sizes` without the reduction loops), each
/// filled with `value`, then the reduction loops inside (all of them: a tile
/// filled inside one would restart its sum). The accumulator's first value
/// folds to the constant. Returns the tile's op.
static FailureOr<linalg::LinalgOp>
tileFromConstant(RewriterBase &rewriter, linalg::LinalgOp op,
                 const linalg::ContractionDimensions &dims,
                 ArrayRef<int64_t> sizes, TypedAttr value) {
  SmallVector<int64_t> tileSizes(sizes);
  for (unsigned d : dims.k)
    tileSizes[d] = 0;
  FailureOr<scf::SCFTilingResult> tiles = tile(rewriter, op, tileSizes);
  if (failed(tiles) || tiles->tiledOps.empty())
    return failure();
  op = cast<linalg::LinalgOp>(tiles->tiledOps.back());
  linalg::FillOp fill = restoreConstantFill(rewriter, op, value);
  (void)vectorizeAndReplace(rewriter, fill,
                            /*createNamedContraction=*/false);
  return op;
}

/// The first split of a contraction that its tiles need, or nothing: rows at
/// a whole register tile, columns at whole vectors, then columns at a whole
/// cache block where blocking would cut partial vectors.
static std::optional<std::pair<linalg::LinalgOp, linalg::LinalgOp>>
splitForWholeTiles(RewriterBase &rewriter, linalg::LinalgOp op,
                   const linalg::ContractionDimensions &dims,
                   const CodegenOptions &options) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned m = dims.m.back(), n = dims.n.back();
  int64_t lanes = std::max(1u, options.vectorBits / 32);
  int64_t columnBlock =
      getColumnBlockSplit(ranges[n], options) ? kCacheBlock : 1;
  for (auto [dim, multiple] :
       {std::make_pair(m, getRegisterTileRows(options)),
        std::make_pair(n, lanes), std::make_pair(n, columnBlock)}) {
    if (auto parts = splitAtMultiple(rewriter, op, dim, multiple)) {
      LLVM_DEBUG(llvm::dbgs()
                 << "contraction " << formatSizes(ranges) << ": split loop "
                 << dim << " at a multiple of " << multiple << "\n");
      return parts;
    }
  }
  return std::nullopt;
}

/// Contractions: an MR x NR register tile, batch dimensions and outer m/n
/// dimensions by 1, the reduction by 1 with the accumulator hoisted. With
/// `fillValue`, the op's init holds nothing yet: each register tile starts
/// from that constant (see takeConstantFill). Fails, leaving a correct op to
/// the generic lowering, when a step of the strategy does not apply.
static LogicalResult
generateContraction(RewriterBase &rewriter, linalg::LinalgOp op,
                    const linalg::ContractionDimensions &dims,
                    const CodegenOptions &options,
                    std::optional<TypedAttr> fillValue = {}) {
  if (!fillValue)
    fillValue = takeConstantFill(rewriter, op, dims);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned m = dims.m.back(), n = dims.n.back(), k = dims.k.back();
  if (auto parts = splitForWholeTiles(rewriter, op, dims, options)) {
    LogicalResult first =
        generateContraction(rewriter, parts->first, dims, options, fillValue);
    LogicalResult second =
        generateContraction(rewriter, parts->second, dims, options, fillValue);
    return success(succeeded(first) && succeeded(second));
  }
  // Until the register tiles hold the constant, a failure must give the op
  // its fill back.
  auto giveUp = [&](linalg::LinalgOp current, StringRef why) {
    LLVM_DEBUG(llvm::dbgs() << "contraction " << formatSizes(ranges)
                            << ": left to loops (" << why << ")\n");
    if (fillValue)
      restoreConstantFill(rewriter, current, *fillValue);
    return failure();
  };
  if (ranges[n] > kCacheBlock || ranges[k] > kCacheBlock) {
    FailureOr<linalg::LinalgOp> blocked = cacheBlock(rewriter, op, n, k);
    if (failed(blocked))
      return giveUp(op, "cache blocking failed");
    op = *blocked;
    ranges = op.getStaticLoopRanges();
  }
  SmallVector<int64_t> sizes(ranges.size(), 1);
  auto [rows, cols] = getContractionTile(ranges[m], ranges[n], options);
  sizes[m] = rows;
  sizes[n] = cols;
  LLVM_DEBUG(llvm::dbgs() << "contraction " << formatSizes(ranges)
                          << ": register tile " << rows << "x" << cols
                          << (fillValue ? ", from a constant fill" : "")
                          << "\n");
  if (fillValue) {
    FailureOr<linalg::LinalgOp> tileOp =
        tileFromConstant(rewriter, op, dims, sizes, *fillValue);
    if (failed(tileOp))
      return giveUp(op, "register tiling failed");
    op = *tileOp;
    sizes.assign(sizes.size(), 0);
    for (unsigned d : dims.k)
      sizes[d] = 1;
  }
  // From here on the op's init is a tile filled with the constant, if any.
  fillValue.reset();
  FailureOr<scf::SCFTilingResult> tiled = tile(rewriter, op, sizes);
  if (failed(tiled) || tiled->tiledOps.empty())
    return giveUp(op, "tiling failed");
  auto tiledOp = cast<linalg::LinalgOp>(tiled->tiledOps.back());
  if (failed(vectorizeAndReplace(rewriter, tiledOp,
                                 /*createNamedContraction=*/true)))
    return giveUp(tiledOp, "vectorization failed");
  // The innermost loop runs over the reduction: keep the accumulator tile
  // in registers across it (the extract/insert of the tile, then the
  // transfer_read/transfer_write of the vector).
  if (tiled->loops.empty())
    return success();
  // Constants the vectorizer created inside the loop must move out first,
  // or the subsets would not look loop-invariant.
  LoopLikeOpInterface inner = tiled->loops.back();
  moveLoopInvariantCode(inner);
  inner = hoistLoopInvariantSubsets(rewriter, inner);
  hoistLoopInvariantSubsets(rewriter, inner);
  return success();
}

/// A tile of a gather (an embedding lookup: `tensor.extract %table[%id, %d]`
/// with `%id` an input element) reads each input whose tile is a single
/// element at the same position in every iteration, but the vectorizer only
/// sees a block argument and emits a gather. Reading such an input once, before
/// the op, makes the index loop-invariant: the lookup becomes a contiguous
/// vector load of the row.
static void hoistSingleElementInputs(RewriterBase &rewriter,
                                     linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || generic.getBody()->getOps<tensor::ExtractOp>().empty())
    return;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    auto type = dyn_cast<RankedTensorType>(input->get().getType());
    BlockArgument arg = generic.getMatchingBlockArgument(input);
    if (!type || !type.hasStaticShape() || type.getNumElements() != 1 ||
        arg.use_empty())
      continue;
    rewriter.setInsertionPoint(generic);
    SmallVector<Value> zeros(
        type.getRank(),
        arith::ConstantIndexOp::create(rewriter, generic.getLoc(), 0));
    Value element = tensor::ExtractOp::create(rewriter, generic.getLoc(),
                                              input->get(), zeros);
    rewriter.replaceAllUsesWith(arg, element);
  }
}

/// For an all-parallel op with an identity output and an input read through
/// a permutation whose innermost dimension is not the innermost loop: that
/// input's innermost loop.
static std::optional<unsigned> getTransposedInputLoop(linalg::LinalgOp op) {
  if (op.getNumReductionLoops() != 0 || op.getNumDpsInits() != 1 ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return std::nullopt;
  unsigned inner = op.getNumLoops() - 1;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (!map.isPermutation())
      continue;
    unsigned inputInner = map.getDimPosition(map.getNumResults() - 1);
    if (inputInner != inner)
      return inputInner;
  }
  return std::nullopt;
}

/// Other ops: parallel dimensions by 1 except the innermost one, which gets
/// a whole number of vectors; reduction dimensions stay whole, so a row
/// reduces in registers. Fails when the op is left (tiled or not) to the
/// generic lowering.
static LogicalResult generateGeneric(RewriterBase &rewriter,
                                     linalg::LinalgOp op,
                                     const CodegenOptions &options) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t lanes = std::max(1u, options.vectorBits / 32);
  SmallVector<int64_t> sizes(ranges.size(), 0);
  std::optional<unsigned> innerParallel;
  for (unsigned l = 0; l < ranges.size(); ++l)
    if (iterators[l] == utils::IteratorType::parallel) {
      sizes[l] = 1;
      innerParallel = l;
    }
  // Vectorize along the innermost loop when it is parallel; a reduction
  // innermost loop is vectorized whole instead.
  bool vectorInner = innerParallel && *innerParallel == ranges.size() - 1;
  std::optional<unsigned> inputInner = getTransposedInputLoop(op);
  // A vectorized loop whose size has no divisor of at least half a vector
  // within the tile (127: scalar tiles) is split into a part of whole
  // vectors and the rest. Sizes with a large enough divisor (41, 105) are
  // not: their tiles of partial vectors measured faster than the split.
  SmallVector<std::pair<unsigned, int64_t>> vectorLoops;
  if (vectorInner)
    vectorLoops.push_back({*innerParallel, inputInner ? lanes : 4 * lanes});
  if (vectorInner && inputInner)
    vectorLoops.push_back({*inputInner, lanes});
  for (auto [loop, limit] : vectorLoops) {
    if (2 * largestDivisorUpTo(ranges[loop], limit) >= lanes)
      continue;
    if (auto parts = splitAtMultiple(rewriter, op, loop, lanes)) {
      LLVM_DEBUG(llvm::dbgs()
                 << "generic " << formatSizes(ranges) << ": split loop " << loop
                 << " at a multiple of " << lanes << "\n");
      LogicalResult first = generateGeneric(rewriter, parts->first, options);
      LogicalResult second = generateGeneric(rewriter, parts->second, options);
      return success(succeeded(first) && succeeded(second));
    }
  }
  if (vectorInner)
    sizes[*innerParallel] =
        largestDivisorUpTo(ranges[*innerParallel], 4 * lanes);
  // A transpose (an input whose innermost dimension is another loop than
  // the output's) read along the output's rows would load one element per
  // lane from rows far apart. Square tiles of lanes x lanes read whole
  // vectors along the input's rows and transpose them in registers.
  if (vectorInner && inputInner) {
    sizes[*innerParallel] = largestDivisorUpTo(ranges[*innerParallel], lanes);
    sizes[*inputInner] = largestDivisorUpTo(ranges[*inputInner], lanes);
  }
  LLVM_DEBUG(llvm::dbgs() << "generic " << formatSizes(ranges) << ": tile "
                          << formatSizes(sizes) << "\n");
  linalg::LinalgOp target = op;
  if (llvm::any_of(sizes, [](int64_t s) { return s != 0; })) {
    FailureOr<scf::SCFTilingResult> tiled = tile(rewriter, op, sizes);
    if (failed(tiled) || tiled->tiledOps.empty())
      return failure();
    target = cast<linalg::LinalgOp>(tiled->tiledOps.back());
  }
  hoistSingleElementInputs(rewriter, target);
  // Whole-row vectors of huge reductions would unroll into too much code.
  int64_t elements = 1;
  for (int64_t range : target.getStaticLoopRanges())
    elements *= range;
  if (elements > 4096) {
    LLVM_DEBUG(llvm::dbgs() << "generic: tile of " << elements
                            << " elements left to loops\n");
    return failure();
  }
  return vectorizeAndReplace(rewriter, target,
                             /*createNamedContraction=*/false);
}

/// The K x N constant `weights` as N/NR contiguous K x NR panels
/// (`packedType`): Bp[p][kk][j] = B[kk][p * nr + j].
static DenseElementsAttr packPanels(DenseElementsAttr weights,
                                    RankedTensorType packedType) {
  int64_t panels = packedType.getDimSize(0), k = packedType.getDimSize(1),
          nr = packedType.getDimSize(2), n = panels * nr;
  SmallVector<float> values = llvm::to_vector(weights.getValues<float>());
  SmallVector<float> packed(values.size());
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t j = 0; j < nr; ++j)
        packed[(p * k + kk) * nr + j] = values[kk * n + p * nr + j];
  return DenseElementsAttr::get(packedType, ArrayRef<float>(packed));
}

std::optional<int64_t>
mlir::bucket::getPackedRhsColumns(linalg::MatmulOp matmul,
                                  const CodegenOptions &options) {
  if (!options.packRhs || !hasStaticShapes(matmul))
    return std::nullopt;
  auto lhsType =
      cast<RankedTensorType>(matmul.getDpsInputOperand(0)->get().getType());
  auto rhsType =
      cast<RankedTensorType>(matmul.getDpsInputOperand(1)->get().getType());
  if (!rhsType.getElementType().isF32() ||
      !llvm::all_of(
          matmul.getIndexingMapsArray(),
          [](AffineMap map) { return map.isProjectedPermutation(); }) ||
      matmul.getIndexingMapsArray()[1] !=
          AffineMap::getMultiDimIdentityMap(3, matmul.getContext())
              .getSubMap({2, 1}))
    return std::nullopt;
  int64_t m = lhsType.getDimSize(0), n = rhsType.getDimSize(1);
  auto [mr, nr] = getContractionTile(m, n, options);
  if (nr <= 1 || n % nr != 0 || n / nr < 2 || m < 2 * mr)
    return std::nullopt;
  return nr;
}

/// A matmul streams a K x NR column panel of its right-hand side per register
/// tile, with rows N floats apart: at N = 1024 (4 KiB) every row of a panel
/// maps to the same cache sets. Packing the right-hand side into N/NR
/// contiguous K x NR panels, and running one matmul per panel, makes each
/// panel a contiguous block that stays in cache for every row of the
/// left-hand side. A constant (a weight) is packed at compile time; otherwise
/// a transpose packs it on each call (K x N copies for M x K x N
/// multiply-adds). Each output element accumulates in the same order as
/// before. Returns the ops still to generate code for (the packing
/// transpose and the panel matmul), or nothing.
static SmallVector<linalg::LinalgOp> packRhs(RewriterBase &rewriter,
                                             linalg::MatmulOp matmul,
                                             const CodegenOptions &options) {
  std::optional<int64_t> packedColumns = getPackedRhsColumns(matmul, options);
  if (!packedColumns)
    return {};
  Value rhs = matmul.getDpsInputOperand(1)->get();
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  int64_t m = cast<RankedTensorType>(
                  matmul.getDpsInputOperand(0)->get().getType())
                  .getDimSize(0),
          k = rhsType.getDimSize(0), n = rhsType.getDimSize(1);
  int64_t nr = *packedColumns; // Captured by the loop body builder below.
  int64_t panels = n / nr;
  Location loc = matmul.getLoc();
  rewriter.setInsertionPoint(matmul);
  auto packedType =
      RankedTensorType::get({panels, k, nr}, rewriter.getF32Type());
  SmallVector<linalg::LinalgOp> todo;
  Value packedRhs;
  DenseElementsAttr weights;
  if (matchPattern(rhs, m_Constant(&weights))) {
    packedRhs = arith::ConstantOp::create(rewriter, loc,
                                          packPanels(weights, packedType));
  } else {
    auto expandedType =
        RankedTensorType::get({k, panels, nr}, rewriter.getF32Type());
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, loc, expandedType, rhs,
        ArrayRef<ReassociationIndices>{{0}, {1, 2}});
    Value init = tensor::EmptyOp::create(rewriter, loc, packedType.getShape(),
                                         rewriter.getF32Type());
    auto transpose = linalg::TransposeOp::create(rewriter, loc, expanded, init,
                                                 ArrayRef<int64_t>{1, 0, 2});
    packedRhs = transpose.getResult()[0];
    todo.push_back(cast<linalg::LinalgOp>(transpose.getOperation()));
  }
  // A loop over the panels; each iteration multiplies by one panel and
  // writes the output's columns of it.
  Value out = matmul.getDpsInitOperand(0)->get();
  Value lhs = matmul.getDpsInputOperand(0)->get();
  auto idx = [&](int64_t v) { return rewriter.getIndexAttr(v); };
  Value lower = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value upper = arith::ConstantIndexOp::create(rewriter, loc, panels);
  Value step = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value width = arith::ConstantIndexOp::create(rewriter, loc, nr);
  linalg::MatmulOp panelMatmul;
  auto loop = scf::ForOp::create(
      rewriter, loc, lower, upper, step, ValueRange{out},
      [&](OpBuilder &b, Location l, Value p, ValueRange acc) {
        auto panelType = RankedTensorType::get({k, nr}, b.getF32Type());
        Value panel = tensor::ExtractSliceOp::create(
            b, l, panelType, packedRhs,
            ArrayRef<OpFoldResult>{p, idx(0), idx(0)},
            ArrayRef<OpFoldResult>{idx(1), idx(k), idx(nr)},
            ArrayRef<OpFoldResult>{idx(1), idx(1), idx(1)});
        Value col = arith::MulIOp::create(b, l, p, width);
        Value outPanel = tensor::ExtractSliceOp::create(
            b, l, acc[0], ArrayRef<OpFoldResult>{idx(0), col},
            ArrayRef<OpFoldResult>{idx(m), idx(nr)},
            ArrayRef<OpFoldResult>{idx(1), idx(1)});
        panelMatmul = linalg::MatmulOp::create(b, l, outPanel.getType(),
                                               ValueRange{lhs, panel},
                                               ValueRange{outPanel});
        Value updated = tensor::InsertSliceOp::create(
            b, l, panelMatmul.getResult(0), acc[0],
            ArrayRef<OpFoldResult>{idx(0), col},
            ArrayRef<OpFoldResult>{idx(m), idx(nr)},
            ArrayRef<OpFoldResult>{idx(1), idx(1)});
        scf::YieldOp::create(b, l, updated);
      });
  rewriter.replaceOp(matmul, loop.getResults());
  todo.push_back(cast<linalg::LinalgOp>(panelMatmul.getOperation()));
  return todo;
}

CodegenResult mlir::bucket::tileAndVectorize(RewriterBase &rewriter,
                                             func::FuncOp func,
                                             const CodegenOptions &options) {
  CodegenResult result;
  auto count = [&](LogicalResult generated) {
    ++(succeeded(generated) ? result.numVectorized : result.numLeftToLoops);
  };
  // The strategies below and upstream tiling and vectorization read
  // iterator_types: make them say what the indexing maps do.
  declareHiddenReductions(rewriter, func);
  SmallVector<linalg::LinalgOp> ops;
  func.walk([&](linalg::LinalgOp op) {
    if (hasStaticShapes(op) && op.getNumLoops() > 0 && !hasBooleanOperands(op))
      ops.push_back(op);
  });
  // Right-hand sides of matmuls are packed into panels first; the panel
  // matmuls then take the contraction strategy like any other.
  SmallVector<linalg::LinalgOp> expanded;
  for (linalg::LinalgOp op : ops) {
    auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
    SmallVector<linalg::LinalgOp> panels =
        matmul ? packRhs(rewriter, matmul, options)
               : SmallVector<linalg::LinalgOp>();
    if (panels.empty()) {
      expanded.push_back(op);
    } else {
      LLVM_DEBUG(llvm::dbgs() << "matmul: right-hand side packed into "
                                 "panels\n");
      llvm::append_range(expanded, panels);
    }
  }
  // Contractions first: they may take over the fills they accumulate into
  // (takeConstantFill), which must still be fills then; a fill left without
  // users is dropped rather than generated.
  SmallVector<linalg::LinalgOp> generics;
  for (linalg::LinalgOp op : expanded) {
    FailureOr<linalg::ContractionDimensions> dims =
        linalg::inferContractionDims(op);
    if (succeeded(dims) && !dims->m.empty() && !dims->n.empty() &&
        !dims->k.empty() && linalg::isaContractionOpInterface(op))
      count(generateContraction(rewriter, op, *dims, options));
    else
      generics.push_back(op);
  }
  for (linalg::LinalgOp op : generics) {
    if (isa<linalg::FillOp>(op.getOperation()) && op->use_empty())
      rewriter.eraseOp(op);
    else
      count(generateGeneric(rewriter, op, options));
  }
  // Vectorized transcendental functions would otherwise become one libm
  // call per lane: use MLIR's polynomial approximations (within a few ulp;
  // exp of -inf or of a large negative number is still exactly 0). Scalar
  // math, as in the generic fallback, keeps libm.
  SmallVector<Operation *> vectorMath;
  func.walk([&](Operation *op) {
    if (isa<math::MathDialect>(op->getDialect()) &&
        llvm::any_of(op->getResultTypes(),
                     [](Type t) { return isa<VectorType>(t); }))
      vectorMath.push_back(op);
  });
  if (vectorMath.empty())
    return result;
  RewritePatternSet patterns(func.getContext());
  populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
    name.consume_front("math.");
    return name == "exp" || name == "expm1" || name == "tanh" ||
           name == "erf" || name == "log" || name == "log1p";
  });
  (void)applyOpPatternsGreedily(vectorMath, std::move(patterns));
  return result;
}
