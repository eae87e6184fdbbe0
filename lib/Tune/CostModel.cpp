//===- CostModel.cpp - The compiler's cost of a bucket --------------------===//

#include "bucket/Tune/CostModel.h"

#include "bucket/Analysis/DimensionAnalysis.h"
#include "bucket/Transforms/Specialize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace mlir::bucket;

/// Ops of a linalg body that cost work: all but the terminator, index reads
/// and constants.
static unsigned countBodyOps(linalg::LinalgOp op) {
  unsigned count = 0;
  for (Operation &bodyOp : op.getBlock()->without_terminator())
    if (!isa<linalg::IndexOp, arith::ConstantOp>(bodyOp))
      ++count;
  return count;
}

static double getByteSize(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return 0;
  Type element = shaped.getElementType();
  double bits =
      element.isIntOrIndexOrFloat() ? element.getIntOrFloatBitWidth() : 64;
  if (element.isIndex())
    bits = 64;
  return (double)shaped.getNumElements() * std::max(bits, 8.0) / 8;
}

//===----------------------------------------------------------------------===//
// The contractions' executed domain, following tileAndVectorize's decisions
// (lib/Transforms/Codegen.cpp): its splits and tiles come from the functions
// Codegen.h shares (getRegisterTileRows, getContractionTile,
// getColumnBlockSplit, getPackedRhsColumns).
//===----------------------------------------------------------------------===//

static int64_t getLanes(const CodegenOptions &options) {
  return std::max(1u, options.vectorBits / 32);
}

/// The largest divisor of `size` that is at most `limit`.
static int64_t largestDivisorUpTo(int64_t size, int64_t limit) {
  for (int64_t d = std::min(size, limit); d > 1; --d)
    if (size % d == 0)
      return d;
  return 1;
}

/// The parts splitAtMultiple cuts a loop of `size` into: the whole
/// multiples of `multiple`, then the rest (or the loop whole).
static SmallVector<int64_t, 2> getSplitParts(int64_t size, int64_t multiple) {
  if (multiple <= 1 || size <= multiple || size % multiple == 0)
    return {size};
  return {size - size % multiple, size % multiple};
}

/// Independent multiply-add chains the FMA units need in flight to stay
/// busy: about their latency (4 cycles) x their ports (2) on current x86.
constexpr int64_t kChainsInFlight = 8;

/// The rows a register tile of `rows` rows runs as. Each row holds one
/// accumulator per vector of the tile's columns, each a chain of dependent
/// multiply-adds along the reduction; with fewer than kChainsInFlight
/// chains the tile waits on the FMA latency, so a short tile runs as long
/// as one of kChainsInFlight / vectors rows (4 with two vectors: a whole
/// AVX2 tile, half an AVX-512 one).
static int64_t getTileRowsRun(int64_t rows, const CodegenOptions &options) {
  int64_t vectors = options.tileVectors ? options.tileVectors : 2;
  int64_t latencyRows =
      std::min(getRegisterTileRows(options),
               (int64_t)llvm::divideCeil(kChainsInFlight, vectors));
  return std::max(rows, latencyRows);
}

/// Rows executed for `m` rows: split at the last multiple of the full tile
/// (the rest is one narrower tile), each tile run as getTileRowsRun says.
static int64_t getExecutedRows(int64_t m, const CodegenOptions &options) {
  int64_t executed = 0;
  for (int64_t part : getSplitParts(m, getRegisterTileRows(options))) {
    int64_t rows = getContractionTile(part, 1, options).first;
    executed += part / rows * getTileRowsRun(rows, options);
  }
  return executed;
}

/// Columns executed for `n` columns: split at a multiple of the vector
/// lanes, then at a multiple of the cache block where blocking would cut
/// partial vectors, each part cache-blocked when above the block, then
/// tiled; a column tile costs whole vectors.
static int64_t getExecutedColumns(int64_t n, const CodegenOptions &options) {
  int64_t lanes = getLanes(options), executed = 0;
  for (int64_t part : getSplitParts(n, lanes)) {
    if (std::optional<int64_t> at = getColumnBlockSplit(part, options)) {
      executed += getExecutedColumns(*at, options) +
                  getExecutedColumns(part - *at, options);
      continue;
    }
    int64_t block = part > kContractionCacheBlock
                        ? largestDivisorUpTo(part, kContractionCacheBlock)
                        : part;
    int64_t cols = getContractionTile(1, block, options).second;
    executed += part / cols * (llvm::divideCeil(cols, lanes) * lanes);
  }
  return executed;
}

std::optional<double>
mlir::bucket::getTiledContractionDomain(Operation *operation,
                                        const CodegenOptions &options) {
  auto op = dyn_cast<linalg::LinalgOp>(operation);
  if (!op || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  unsigned m = dims->m.back(), n = dims->n.back();
  int64_t rows = getExecutedRows(ranges[m], options);
  int64_t cols = getExecutedColumns(ranges[n], options);
  // A packed right-hand side makes one matmul per panel of nr columns.
  if (auto matmul = dyn_cast<linalg::MatmulOp>(operation))
    if (std::optional<int64_t> nr = getPackedRhsColumns(matmul, options))
      cols = ranges[n] / *nr * getExecutedColumns(*nr, options);
  double domain = 1;
  for (auto [loop, range] : llvm::enumerate(ranges))
    domain *= loop == m ? rows : loop == n ? cols : range;
  return domain;
}

/// The size of the host's L2 cache in bytes, from sysfs, or nothing.
static std::optional<double> readHostCacheBytes() {
  for (int index = 0; index < 8; ++index) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    auto level = llvm::MemoryBuffer::getFile(dir + "/level");
    auto size = llvm::MemoryBuffer::getFile(dir + "/size");
    if (!level || !size)
      continue;
    if ((*level)->getBuffer().trim() != "2")
      continue;
    StringRef text = (*size)->getBuffer().trim();
    double scale = text.consume_back("K")   ? 1024
                   : text.consume_back("M") ? 1024 * 1024
                                            : 1;
    unsigned long long value;
    if (!text.getAsInteger(10, value) && value > 0)
      return scale * value;
  }
  return std::nullopt;
}

CostTarget mlir::bucket::getHostCostTarget() {
  CostTarget target;
  target.codegen.vectorBits = getHostVectorBits();
  if (std::optional<double> bytes = readHostCacheBytes())
    target.cacheBytes = *bytes;
  return target;
}

/// The share of an operand's bytes that streams from beyond the cache: 0
/// up to half the cache, all of it from one and a half caches, linear in
/// between. A cache is no ideal LRU store of its whole size (its sets, the
/// other operands and the weights share it), so the cost rises gradually
/// around its size rather than at it.
static double getSpillShare(double bytes, double cacheBytes) {
  return std::clamp((bytes - cacheBytes / 2) / cacheBytes, 0.0, 1.0);
}

FailureOr<WorkCount> mlir::bucket::countLinalgWork(Operation *root,
                                                   const CostTarget &target) {
  WorkCount work;
  WalkResult result = root->walk([&](linalg::LinalgOp op) {
    double domain = 1;
    for (int64_t range : op.getStaticLoopRanges()) {
      if (ShapedType::isDynamic(range)) {
        op->emitError("bucket-tune: the loop ranges of this op are not "
                      "static after specialization");
        return WalkResult::interrupt();
      }
      domain *= (double)range;
    }
    unsigned bodyOps = countBodyOps(op);
    OpWork opWork;
    opWork.flops = opWork.tiledFlops = domain * bodyOps;
    work.flops += domain * bodyOps;
    if (std::optional<double> tiled =
            getTiledContractionDomain(op, target.codegen)) {
      work.contractionFlops += domain * bodyOps;
      work.tiledContractionFlops += *tiled * bodyOps;
      opWork.tiledFlops = *tiled * bodyOps;
    }
    for (OpOperand &operand : op->getOpOperands()) {
      double bytes = getByteSize(operand.get().getType());
      work.bytes += bytes;
      opWork.bytes += bytes;
      work.spillBytes += bytes * getSpillShare(bytes, target.cacheBytes);
    }
    work.perOp.push_back(opWork);
    ++work.numOps;
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return failure();
  return work;
}

FailureOr<std::unique_ptr<LinalgCostModel>>
LinalgCostModel::create(func::FuncOp func, const CostTarget &target) {
  FailureOr<DimensionAnalysis> analysis = DimensionAnalysis::analyze(func);
  if (failed(analysis))
    return failure();
  std::unique_ptr<LinalgCostModel> model(new LinalgCostModel(func, target));
  for (const SymbolicDim &dim : analysis->getDims())
    model->dimNames.push_back(dim.names);
  for (BlockArgument arg : func.getArguments()) {
    SmallVector<int> ids;
    if (auto type = dyn_cast<RankedTensorType>(arg.getType()))
      for (unsigned d = 0; d < type.getRank(); ++d) {
        std::optional<unsigned> id =
            type.isDynamicDim(d) ? analysis->getDimId({arg.getArgNumber(), d})
                                 : std::nullopt;
        ids.push_back(id ? (int)*id : -1);
      }
    model->argDimIds.push_back(std::move(ids));
  }
  return model;
}

FailureOr<WorkCount> LinalgCostModel::count(ArrayRef<int64_t> sizes) {
  SmallVector<int64_t> key(sizes.begin(), sizes.end());
  auto cached = cache.find(key);
  if (cached != cache.end())
    return cached->second;
  if (sizes.size() != dimNames.size())
    return func.emitError("bucket-tune: expected ")
           << dimNames.size() << " sizes, got " << sizes.size();

  // A scratch module holding a clone of the function with static arguments,
  // cast back to the original types, then refined as the specialization does.
  MLIRContext *ctx = func.getContext();
  OpBuilder builder(ctx);
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(func.getLoc());
  auto clone = cast<func::FuncOp>(func->clone());
  scratch->push_back(clone);
  Block &entry = clone.getBody().front();
  builder.setInsertionPointToStart(&entry);
  SmallVector<Type> argTypes;
  for (BlockArgument arg : entry.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.hasStaticShape()) {
      argTypes.push_back(arg.getType());
      continue;
    }
    SmallVector<int64_t> shape(type.getShape());
    for (unsigned d = 0; d < shape.size(); ++d) {
      int id = argDimIds[arg.getArgNumber()][d];
      if (ShapedType::isDynamic(shape[d]) && id >= 0)
        shape[d] = sizes[id];
    }
    auto staticType = type.clone(shape);
    arg.setType(staticType);
    auto cast = tensor::CastOp::create(builder, arg.getLoc(), type, arg);
    arg.replaceAllUsesExcept(cast, cast);
    argTypes.push_back(staticType);
  }
  clone.setFunctionType(
      builder.getFunctionType(argTypes, clone.getResultTypes()));
  if (failed(refineFunctionShapes(clone)))
    return failure();
  IRRewriter rewriter(ctx);
  if (failed(decomposeAggregatedOps(rewriter, clone)))
    return failure();
  FailureOr<WorkCount> work = countLinalgWork(clone, target);
  if (succeeded(work))
    cache.emplace(std::move(key), *work);
  return work;
}
