//===- bucket-tune.cpp - Choose buckets from observed shapes --------------===//
//
// bucket-tune model.mlir --shapes shapes.csv --max-buckets 8
//   chooses at most 8 buckets for the shapes of shapes.csv, with the cost of
//   each bucket counted from the model's linalg ops, and prints the report
//   and the --buckets specification (docs/Tune.md).
// bucket-tune --report shapes.csv [model.mlir]
//   the dynamicity report of a histogram (padded elements as the cost when
//   no model is given).
//
//===----------------------------------------------------------------------===//

#include "bucket/IR/BucketDialect.h"
#ifdef BUCKET_HAS_ONNX
#include "bucket/Onnx/OnnxImporter.h"
#endif
#include "bucket/Tune/Calibrate.h"
#include "bucket/Tune/CostModel.h"
#include "bucket/Tune/Histogram.h"
#include "bucket/Tune/Measure.h"
#include "bucket/Tune/Optimizer.h"
#include "bucket/Tune/Report.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/xxhash.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>
#include <cmath>
#include <optional>

using namespace mlir;
using namespace mlir::bucket;
using namespace llvm;

static cl::OptionCategory category("bucket-tune options");
static cl::opt<std::string> inputModel(cl::Positional, cl::desc("[model.mlir]"),
                                       cl::cat(category));
static cl::opt<std::string>
    shapesFile("shapes", cl::desc("Histogram of observed shapes (CSV)"),
               cl::value_desc("shapes.csv"), cl::cat(category));
static cl::opt<std::string>
    reportFile("report",
               cl::desc("Print the dynamicity report of this histogram"),
               cl::value_desc("shapes.csv"), cl::cat(category));
static cl::opt<unsigned> maxBuckets("max-buckets",
                                    cl::desc("At most this many buckets"),
                                    cl::init(8), cl::cat(category));
static cl::opt<unsigned> maxK("max-k",
                              cl::desc("Report K = 1..max-k (default 16)"),
                              cl::init(16), cl::cat(category));
static cl::opt<double> coverQuantile(
    "cover-quantile",
    cl::desc("The largest bucket covers this quantile of each dimension"),
    cl::init(1.0), cl::cat(category));
static cl::opt<std::string>
    functionName("function",
                 cl::desc("The function to tune (default: the "
                          "only public function with dynamic "
                          "arguments)"),
                 cl::cat(category));
static cl::opt<std::string>
    costKind("cost",
             cl::desc("linalg (the model's work, default) or "
                      "tokens (padded elements)"),
             cl::init("linalg"), cl::cat(category));
static cl::opt<double> opsPerMicro("ops-per-us",
                                   cl::desc("Time model: ops per microsecond"),
                                   cl::init(50e3), cl::cat(category));
static cl::opt<double>
    bytesPerMicro("bytes-per-us", cl::desc("Time model: bytes per microsecond"),
                  cl::init(20e3), cl::cat(category));
static cl::opt<double> callMicros("call-us",
                                  cl::desc("Time model: microseconds per call"),
                                  cl::init(2.0), cl::cat(category));
static cl::opt<bool> tiledOps(
    "tiled-ops",
    cl::desc("Time model: count contraction ops in whole register tiles, as "
             "the code generator runs them (default; false: exact ops)"),
    cl::init(true), cl::cat(category));
static cl::opt<double> spillBytesPerMicro(
    "spill-bytes-per-us",
    cl::desc("Time model: bytes per microsecond of operands larger than the "
             "cache, on top of --bytes-per-us"),
    cl::init(20e3), cl::cat(category));
static cl::opt<unsigned> vectorBits(
    "vector-bits",
    cl::desc("The target's vector width in bits for the register tiles "
             "(default: the host's, as bucket-compile)"),
    cl::init(0), cl::cat(category));
static cl::opt<double> cacheBytes(
    "cache-bytes",
    cl::desc("The target's per-core (L2) cache size in bytes (default: the "
             "host's)"),
    cl::init(0), cl::cat(category));
static cl::opt<double> fallbackFactor(
    "fallback-factor",
    cl::desc("Cost of the generic fallback relative to an exact compile"),
    cl::init(2.0), cl::cat(category));
static cl::opt<double>
    gainThreshold("gain-threshold",
                  cl::desc("More buckets stop paying below this relative gain"),
                  cl::init(0.01), cl::cat(category));
static cl::opt<std::string> svgFile("svg", cl::desc("Write an SVG plot"),
                                    cl::value_desc("plot.svg"),
                                    cl::cat(category));
static cl::opt<bool>
    specOnly("spec-only", cl::desc("Print only the --buckets specification"),
             cl::cat(category));

static cl::list<std::string>
    renames("rename",
            cl::desc("Read histogram column <from> as dimension <to>"),
            cl::value_desc("from=to"), cl::CommaSeparated, cl::cat(category));

static cl::opt<bool>
    measure("measure",
            cl::desc("Calibrate the time model: compile and time a few "
                     "buckets on this machine (cached)"),
            cl::cat(category));
static cl::opt<unsigned>
    measureSamples("measure-samples",
                   cl::desc("Buckets compiled and timed by --measure"),
                   cl::init(6), cl::cat(category));
static cl::opt<std::string> measureCache(
    "measure-cache",
    cl::desc("The measurement cache (default: ~/.cache/bucket-tune/"
             "<model and CPU hash>.csv)"),
    cl::cat(category));
static cl::opt<std::string>
    bucketCompilePath("bucket-compile",
                      cl::desc("bucket-compile for --measure (default: "
                               "beside bucket-tune)"),
                      cl::cat(category));
static cl::opt<std::string> ccPath("cc",
                                   cl::desc("The C compiler for --measure"),
                                   cl::init(BUCKET_TUNE_CC), cl::cat(category));

static cl::opt<bool> printBaselines(
    "print-baselines",
    cl::desc("Print `name spec` for the tuned buckets, pad-to-max and every "
             "baseline of the same budget, and stop"),
    cl::cat(category));
static cl::opt<bool> printWork(
    "print-work",
    cl::desc("Print what the cost model counts at each shape of the "
             "histogram (after --measure: with the calibrated time), and "
             "stop"),
    cl::cat(category));
static cl::opt<std::string>
    onnxDims("dims",
             cl::desc("ONNX input: name dynamic dimensions, e.g. "
                      "'input_ids:1=seq' (as bucket-compile --dims)"),
             cl::cat(category));
static cl::opt<std::string>
    onnxStatic("static",
               cl::desc("ONNX input: pin named dimensions, e.g. 'batch=1' "
                        "(as bucket-compile --static)"),
               cl::cat(category));
static cl::opt<double> maxObjectBytes(
    "max-object-size",
    cl::desc("Budget: at most this many bytes of object code (with --measure)"),
    cl::init(0), cl::cat(category));
static cl::opt<double> maxCompileSeconds(
    "max-compile-seconds",
    cl::desc("Budget: at most this many seconds of bucket-compile (with "
             "--measure)"),
    cl::init(0), cl::cat(category));

static cl::opt<double> maxLatencyMicros(
    "max-latency-us",
    cl::desc("Budget: the --latency-quantile quantile of the predicted time "
             "per call stays within this many microseconds"),
    cl::init(0), cl::cat(category));
static cl::opt<double>
    latencyQuantile("latency-quantile",
                    cl::desc("The quantile of the calls --max-latency-us "
                             "bounds (default 0.99)"),
                    cl::init(0.99), cl::cat(category));

static cl::opt<bool> verifyExhaustive(
    "verify-exhaustive",
    cl::desc("With --measure: time every size of a coarse grid and the "
             "chosen buckets, and compare the choice with the best set of "
             "the grid found by exhaustive search on the measured times"),
    cl::cat(category));
static cl::opt<unsigned>
    verifyGrid("verify-grid",
               cl::desc("Sizes per dimension of --verify-exhaustive's grid "
                        "(weighted quantiles; default 8)"),
               cl::init(8), cl::cat(category));

static int fail(const Twine &message) {
  // The report so far comes first when both streams go to one file.
  outs().flush();
  WithColor::error(errs(), "bucket-tune") << message << "\n";
  return 1;
}

/// The public function to tune: the named one, or the only public function
/// with a dynamic tensor argument.
static FailureOr<func::FuncOp> findFunction(ModuleOp module) {
  SmallVector<func::FuncOp> candidates;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || func.isPrivate())
      continue;
    if (!functionName.empty()) {
      if (func.getSymName() == functionName)
        return func;
      continue;
    }
    if (any_of(func.getArgumentTypes(), [](Type type) {
          auto shaped = dyn_cast<RankedTensorType>(type);
          return shaped && !shaped.hasStaticShape();
        }))
      candidates.push_back(func);
  }
  if (candidates.size() == 1)
    return candidates.front();
  if (!functionName.empty())
    fail("no public function @" + functionName);
  else
    fail(Twine(candidates.size()) +
         " public functions have dynamic arguments: choose one with "
         "--function");
  return failure();
}

/// Reorders the histogram's columns into the model's symbolic dimensions.
static FailureOr<Histogram> matchDims(const Histogram &histogram,
                                      const LinalgCostModel &model) {
  SmallVector<int> columns;
  SmallVector<std::string> names;
  // --rename, then a single column for a single dimension whatever its name
  // (the shared histograms call the sequence axis `length`).
  SmallVector<std::string> columnNames(histogram.dims);
  for (StringRef rename : renames) {
    auto [from, to] = rename.split('=');
    for (std::string &name : columnNames)
      if (name == from)
        name = to.str();
  }
  if (columnNames.size() == 1 && model.getDimNames().size() == 1)
    columnNames[0] = model.getDimNames()[0].front();
  auto findColumn = [&](StringRef name) {
    for (auto [index, column] : enumerate(columnNames))
      if (column == name)
        return (int)index;
    return -1;
  };
  for (const auto &aliases : model.getDimNames()) {
    int column = -1;
    for (const std::string &alias : aliases)
      if ((column = findColumn(alias)) >= 0)
        break;
    if (column < 0) {
      fail("the histogram has no column for dimension '" + aliases.front() +
           "' (columns: " + join(histogram.dims, ",") + ")");
      return failure();
    }
    columns.push_back(column);
    names.push_back(columnNames[column]);
  }
  for (const std::string &dim : columnNames)
    if (!is_contained(names, dim)) {
      fail("histogram column '" + dim +
           "' names no symbolic dimension of the function");
      return failure();
    }
  SmallVector<Tuple> shapes;
  for (const Tuple &shape : histogram.shapes) {
    Tuple reordered;
    for (int column : columns)
      reordered.push_back(shape[column]);
    shapes.push_back(reordered);
  }
  return Histogram::fromPairs(names, shapes, histogram.counts);
}

/// The tuples --measure times. The fit should be right where the time goes
/// and over the whole range of sizes: the smallest size (the per-call
/// cost), quantiles of each dimension weighted by calls x elements (where
/// the work is, not where the calls are: a long tail of few calls can hold
/// half of it), the cover, and in the widest gap in elements between two
/// of those their middle (geometric, per dimension). Ascending in elements.
/// Two samples: the smallest and the cover.
static BucketList getMeasureSamples(const Histogram &histogram,
                                    ArrayRef<int64_t> cover, unsigned count) {
  SmallVector<double> work;
  for (auto [shape, calls] : zip(histogram.shapes, histogram.counts))
    work.push_back(calls * getElementCount(shape));
  Histogram weighted =
      Histogram::fromPairs(histogram.dims, histogram.shapes, work);
  size_t numDims = histogram.getNumDims();
  BucketList samples;
  auto add = [&](const Tuple &tuple) {
    if (!is_contained(samples, tuple))
      samples.push_back(tuple);
  };
  unsigned quantiles = count <= 2 ? std::min(count, 1u) : count - 2;
  for (unsigned i = 0; i < quantiles; ++i) {
    double q = (double)i / quantiles;
    Tuple tuple;
    for (size_t d = 0; d < numDims; ++d)
      tuple.push_back(
          std::min<int64_t>(cover[d], q <= 0 ? weighted.getMarginal(d).front()
                                             : weighted.getQuantile(d, q)));
    add(tuple);
  }
  if (count >= 2)
    add(Tuple(cover));
  auto byElements = [](const Tuple &a, const Tuple &b) {
    double ea = getElementCount(a), eb = getElementCount(b);
    return ea != eb ? ea < eb : a < b;
  };
  llvm::sort(samples, byElements);
  if (count >= 3 && samples.size() >= 2) {
    size_t widest = 0;
    for (size_t i = 1; i + 1 < samples.size(); ++i)
      if (getElementCount(samples[i + 1]) - getElementCount(samples[i]) >
          getElementCount(samples[widest + 1]) -
              getElementCount(samples[widest]))
        widest = i;
    Tuple middle;
    for (size_t d = 0; d < numDims; ++d)
      middle.push_back(std::llround(
          std::sqrt((double)samples[widest][d] * samples[widest + 1][d])));
    add(middle);
    llvm::sort(samples, byElements);
  }
  return samples;
}

/// The cache file: one `sizes,micros` row per measured tuple, keyed by the
/// model's text and the host CPU.
static std::string getCachePath(StringRef modelText) {
  if (!measureCache.empty())
    return measureCache;
  std::string key = (modelText + "\0" + sys::getHostCPUName() + "\0" +
                     "bucket-tune-measure-v2")
                        .str();
  SmallString<256> path;
  if (const char *xdg = getenv("XDG_CACHE_HOME"); xdg && *xdg)
    path = xdg;
  else if (const char *home = getenv("HOME"); home && *home)
    sys::path::append(path, home, ".cache");
  else
    sys::path::system_temp_directory(/*ErasedOnReboot=*/false, path);
  sys::path::append(path, "bucket-tune", utohexstr(xxh3_64bits(key)) + ".csv");
  return path.str().str();
}

static std::map<Tuple, double> readCache(StringRef path) {
  std::map<Tuple, double> cache;
  auto buffer = MemoryBuffer::getFile(path);
  if (!buffer)
    return cache;
  SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (StringRef line : lines) {
    auto [sizes, micros] = line.split(',');
    SmallVector<StringRef> parts;
    sizes.split(parts, 'x');
    Tuple tuple;
    for (StringRef part : parts) {
      int64_t value;
      if (part.getAsInteger(10, value))
        break;
      tuple.push_back(value);
    }
    double time;
    if (tuple.size() == parts.size() && !micros.getAsDouble(time))
      cache[tuple] = time;
  }
  return cache;
}

/// The model, its function and its cost model.
struct LoadedModel {
  OwningOpRef<ModuleOp> module;
  std::unique_ptr<LinalgCostModel> cost;
  std::string function;
  /// What --measure compiles: the input, or for ONNX the imported module
  /// written to a temporary file (so that its dimension names are the ones
  /// the histogram was matched to).
  std::string compilePath;
  bool temporaryCompilePath = false;
};

/// Makes the cache's directory and writes it; a failure only costs time
/// next run.
static void writeCache(StringRef path, const std::map<Tuple, double> &cache) {
  sys::fs::create_directories(sys::path::parent_path(path));
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec)
    return;
  for (auto &[tuple, value] : cache) {
    interleave(tuple, os, "x");
    os << "," << format("%.6g", value) << "\n";
  }
}

/// How --measure runs bucket-compile and the C compiler.
static FailureOr<MeasureOptions> getMeasureOptions() {
  MeasureOptions options;
  options.bucketCompile = bucketCompilePath;
  if (options.bucketCompile.empty()) {
    std::string self = sys::fs::getMainExecutable(
        "bucket-tune", reinterpret_cast<void *>(&getCachePath));
    SmallString<256> sibling(sys::path::parent_path(self));
    sys::path::append(sibling, "bucket-compile");
    options.bucketCompile = sibling.str().str();
  }
  options.cc = ccPath;
  options.runtimeInclude = BUCKET_TUNE_RUNTIME_INCLUDE;
  options.runtimeLib = BUCKET_TUNE_RUNTIME_LIB;
  SmallString<256> workDir;
  if (sys::fs::createUniqueDirectory("bucket-tune", workDir)) {
    fail("cannot create a temporary directory");
    return failure();
  }
  options.workDir = workDir.str().str();
  return options;
}

/// The time of one call of each sample tuple: from the cache, or compiled
/// and timed (and added to the cache).
static FailureOr<SmallVector<double>>
timeSamples(const Histogram &histogram, ArrayRef<Tuple> tuples,
            const LoadedModel &model, const MeasureOptions &options,
            std::map<Tuple, double> &cache) {
  SmallVector<double> times;
  for (const Tuple &tuple : tuples) {
    auto cached = cache.find(tuple);
    if (cached != cache.end()) {
      times.push_back(cached->second);
      continue;
    }
    Expected<double> measured =
        measureBucket(model.compilePath, model.function,
                      formatSpec(histogram.dims, {tuple}), tuple, options);
    if (!measured) {
      fail("--measure: " + toString(measured.takeError()));
      return failure();
    }
    cache[tuple] = *measured;
    times.push_back(*measured);
  }
  return times;
}

/// Prints the fit and each sample's measured and predicted time.
static void printCalibration(const TimeFit &fit, StringRef cachePath,
                             ArrayRef<Tuple> tuples,
                             ArrayRef<TimeSample> samples) {
  const char *ops = tiledOps ? "tiled ops" : "ops";
  outs() << format("# measured (cache %s): time = ", cachePath.str().c_str());
  if (fit.overlap)
    outs() << format("sum over ops of max(%.4g us/Gop * %s, %.4g us/GB * "
                     "bytes)",
                     fit.perOp * 1e9, ops, fit.perByte * 1e9);
  else
    outs() << format("%.4g us/Gop * %s + %.4g us/GB * bytes", fit.perOp * 1e9,
                     ops, fit.perByte * 1e9);
  outs() << format(" + %.4g us/GB * spill bytes + %.4g us\n",
                   fit.perSpillByte * 1e9, fit.perCall);
  for (auto [tuple, sample] : zip(tuples, samples)) {
    double predicted = fit.predict(sample);
    outs() << "#   ";
    interleave(tuple, outs(), "x");
    outs() << format(": %.4g ops, %.4g bytes (%.4g spill): measured "
                     "%.4g us, predicted %.4g us (%+.1f%%)\n",
                     sample.ops, sample.bytes, sample.spillBytes, sample.micros,
                     predicted, 100 * (predicted / sample.micros - 1));
  }
}

/// The cache file of the model (its input's text) on this CPU.
static FailureOr<std::string> getModelCachePath() {
  auto text = MemoryBuffer::getFile(inputModel);
  if (!text) {
    fail("cannot read '" + inputModel + "'");
    return failure();
  }
  return getCachePath((*text)->getBuffer());
}

/// Times the sample buckets (or reads them from the cache) and fits the
/// time model to the work the cost model counts for them.
static LogicalResult calibrate(const Histogram &histogram,
                               ArrayRef<int64_t> cover, LoadedModel &model,
                               TimeModel &time) {
  FailureOr<std::string> cachePath = getModelCachePath();
  FailureOr<MeasureOptions> options = getMeasureOptions();
  if (failed(cachePath) || failed(options))
    return failure();
  std::map<Tuple, double> cache = readCache(*cachePath);
  BucketList tuples = getMeasureSamples(histogram, cover, measureSamples);
  FailureOr<SmallVector<double>> times =
      timeSamples(histogram, tuples, model, *options, cache);
  sys::fs::remove_directories(options->workDir);
  if (failed(times))
    return failure();
  writeCache(*cachePath, cache);

  SmallVector<TimeSample> samples;
  for (auto [tuple, micros] : zip(tuples, *times)) {
    FailureOr<WorkCount> work = model.cost->count(tuple);
    if (failed(work))
      return failure();
    TimeSample sample{time.getOps(*work), work->bytes, micros};
    sample.spillBytes = work->spillBytes;
    for (const OpWork &op : work->perOp)
      sample.perOp.push_back({time.getOps(op), op.bytes});
    samples.push_back(sample);
  }
  TimeFit fit = fitTimeModel(samples);
  if (!fit.valid)
    return fail("--measure: no non-negative fit of the measurements"),
           failure();
  printCalibration(fit, *cachePath, tuples, samples);
  time.opsPerMicrosecond = fit.perOp > 0 ? 1 / fit.perOp : HUGE_VAL;
  time.bytesPerMicrosecond = fit.perByte > 0 ? 1 / fit.perByte : HUGE_VAL;
  time.spillBytesPerMicrosecond =
      fit.perSpillByte > 0 ? 1 / fit.perSpillByte : HUGE_VAL;
  time.callMicros = fit.perCall;
  time.overlap = fit.overlap;
  return success();
}

/// The options that do not depend on the input.
static LogicalResult checkOptions() {
  if (reportFile.empty() && shapesFile.empty())
    return fail("give a histogram with --shapes (or --report)"), failure();
  if (maxBuckets == 0 || maxBuckets > 4096)
    return fail("--max-buckets must be in 1..4096"), failure();
  if (!(coverQuantile > 0 && coverQuantile <= 1))
    return fail("--cover-quantile must be in (0, 1]"), failure();
  if (costKind != "linalg" && costKind != "tokens")
    return fail("--cost must be 'linalg' or 'tokens'"), failure();
  if (costKind == "linalg" && inputModel.empty() && reportFile.empty())
    return fail("give the model (model.mlir or .onnx), or --cost=tokens"),
           failure();
  if (verifyExhaustive && !measure)
    return fail("--verify-exhaustive needs --measure"), failure();
  if (maxLatencyMicros < 0 || !(latencyQuantile > 0 && latencyQuantile <= 1))
    return fail("--max-latency-us must be positive and --latency-quantile in "
                "(0, 1]"),
           failure();
  if (maxLatencyMicros > 0 && costKind == "tokens")
    return fail("--max-latency-us needs the model's time (--cost=linalg)"),
           failure();
  if ((maxObjectBytes > 0 || maxCompileSeconds > 0) && !measure)
    return fail("--max-object-size and --max-compile-seconds need --measure "
                "(they are measured)"),
           failure();
  return success();
}

/// Whether the model goes through the ONNX importer.
static bool isImported() {
#ifdef BUCKET_HAS_ONNX
  return isOnnxModelPath(inputModel);
#else
  return false;
#endif
}

/// Parses the model: MLIR, or ONNX through the importer as bucket-compile
/// does.
static OwningOpRef<ModuleOp> parseModel(MLIRContext &context,
                                        SourceMgr &sourceMgr) {
  auto buffer = MemoryBuffer::getFileOrSTDIN(inputModel);
  if (!buffer) {
    fail("cannot read '" + inputModel + "'");
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), SMLoc());
#ifdef BUCKET_HAS_ONNX
  if (isImported()) {
    OnnxImportOptions options;
    options.dims = onnxDims;
    options.staticDims = onnxStatic;
    return importOnnxModel(&context, sourceMgr.getMemoryBuffer(1)->getBuffer(),
                           !StringRef(inputModel).ends_with(".onnx"),
                           inputModel, sys::path::parent_path(inputModel),
                           options);
  }
#endif
  if (!onnxDims.empty() || !onnxStatic.empty()) {
    fail("--dims and --static apply to ONNX models; name dimensions of MLIR "
         "input with bucket.dims");
    return nullptr;
  }
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}

/// Loads the model and reorders the histogram's columns into its symbolic
/// dimensions.
static FailureOr<LoadedModel> loadModel(MLIRContext &context,
                                        Histogram &histogram) {
  SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  LoadedModel loaded;
  loaded.module = parseModel(context, sourceMgr);
  if (!loaded.module)
    return failure();
  FailureOr<func::FuncOp> func = findFunction(*loaded.module);
  if (failed(func))
    return failure();
  loaded.function = func->getSymName().str();
  loaded.compilePath = inputModel;
  if (measure && isImported()) {
    SmallString<256> path;
    std::error_code ec;
    int fd;
    if ((ec = sys::fs::createTemporaryFile("bucket-tune", "mlir", fd, path)))
      return fail("cannot write the imported model: " + ec.message()),
             failure();
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    loaded.module->print(os);
    loaded.compilePath = path.str().str();
    loaded.temporaryCompilePath = true;
  }
  CostTarget target = getHostCostTarget();
  if (vectorBits)
    target.codegen.vectorBits = vectorBits;
  if (cacheBytes > 0)
    target.cacheBytes = cacheBytes;
  auto created = LinalgCostModel::create(*func, target);
  if (failed(created))
    return failure();
  loaded.cost = std::move(*created);
  FailureOr<Histogram> matched = matchDims(histogram, *loaded.cost);
  if (failed(matched))
    return failure();
  histogram = std::move(*matched);
  return loaded;
}

/// The build cost of one and of two buckets (cached beside the times).
static FailureOr<std::pair<BuildCost, BuildCost>>
getBuildCosts(const Histogram &histogram, ArrayRef<int64_t> cover,
              const LoadedModel &model) {
  FailureOr<std::string> cachePath = getModelCachePath();
  if (failed(cachePath))
    return failure();
  std::string path = *cachePath + ".build";
  std::map<Tuple, double> cache = readCache(path);
  BucketList samples = getMeasureSamples(histogram, cover, 2);
  if (samples.size() < 2)
    samples.push_back(Tuple(cover));
  SmallVector<BuildCost> costs;
  for (int64_t k = 1; k <= 2; ++k) {
    // Rows `0xK` (bytes) and `1xK` (seconds) of the cache.
    Tuple bytesKey = {0, k}, secondsKey = {1, k};
    if (cache.count(bytesKey) && cache.count(secondsKey)) {
      costs.push_back({cache[bytesKey], cache[secondsKey]});
      continue;
    }
    FailureOr<MeasureOptions> options = getMeasureOptions();
    if (failed(options))
      return failure();
    BucketList buckets(samples.begin(), samples.begin() + k);
    Expected<BuildCost> cost = measureBuild(
        model.compilePath, formatSpec(histogram.dims, buckets), *options);
    sys::fs::remove_directories(options->workDir);
    if (!cost)
      return fail("--measure: " + toString(cost.takeError())), failure();
    costs.push_back(*cost);
    cache[bytesKey] = cost->objectBytes;
    cache[secondsKey] = cost->compileSeconds;
  }
  writeCache(path, cache);
  return std::make_pair(costs[0], costs[1]);
}

/// Lowers options.maxBuckets to what --max-object-size and
/// --max-compile-seconds allow.
static LogicalResult applyBuildBudget(const Histogram &histogram,
                                      ArrayRef<int64_t> cover,
                                      const LoadedModel &model,
                                      TuneOptions &options) {
  if (maxObjectBytes <= 0 && maxCompileSeconds <= 0)
    return success();
  auto costs = getBuildCosts(histogram, cover, model);
  if (failed(costs))
    return failure();
  auto [one, two] = *costs;
  BuildBudget budget{maxObjectBytes, maxCompileSeconds};
  unsigned k = getBudgetBucketCount(one, two, budget, options.maxBuckets);
  outs() << format("# build cost: one bucket %.0f bytes, %.2f s; two "
                   "buckets %.0f bytes, %.2f s: the budget allows %u "
                   "buckets\n",
                   one.objectBytes, one.compileSeconds, two.objectBytes,
                   two.compileSeconds, k);
  if (k == 0)
    return fail("the object size or compile time budget does not allow one "
                "bucket"),
           failure();
  options.maxBuckets = k;
  return success();
}

/// The model's time against the measured one: at each chosen bucket, and
/// over every tuple --verify-exhaustive measured (most of them no
/// calibration sample: held out), how many are within 15% (the issue's
/// target for the time model) and the worst error.
static void printModelAgainstMeasured(ArrayRef<Tuple> chosen,
                                      ArrayRef<Tuple> tuples,
                                      const std::map<Tuple, double> &measured,
                                      CostCache &predicted) {
  auto error = [&](const Tuple &tuple) {
    return predicted(tuple) / measured.at(tuple) - 1;
  };
  outs() << "  the model at the chosen buckets (predicted / measured - 1):";
  for (const Tuple &bucket : chosen) {
    outs() << " ";
    interleave(bucket, outs(), "x");
    outs() << format(" %+.1f%%", 100 * error(bucket));
  }
  unsigned within = 0;
  double worst = 0;
  for (const Tuple &tuple : tuples) {
    double e = error(tuple);
    within += std::fabs(e) <= 0.15;
    if (std::fabs(e) > std::fabs(worst))
      worst = e;
  }
  outs() << format("\n  the model within 15%% of the measured time at %u of "
                   "%zu measured tuples (worst %+.1f%%)\n",
                   within, tuples.size(), 100 * worst);
}

/// --verify-exhaustive: the chosen buckets against the best set of a coarse
/// grid, both costed with measured times (every grid size and every chosen
/// bucket compiled and timed; cached). Exhaustive search over the grid is
/// the optimum the tuner's model-based choice is checked against.
static LogicalResult
checkAgainstExhaustive(const Histogram &histogram, ArrayRef<int64_t> cover,
                       const LoadedModel &model, ArrayRef<Tuple> chosen,
                       const TuneOptions &options, CostCache &predicted) {
  FailureOr<std::string> cachePath = getModelCachePath();
  FailureOr<MeasureOptions> measureOptions = getMeasureOptions();
  if (failed(cachePath) || failed(measureOptions))
    return failure();
  std::map<Tuple, double> cache = readCache(*cachePath);
  SmallVector<Tuple> sizes = getCandidateSizes(histogram, cover, verifyGrid);
  BucketList grid = getCandidateTuples(histogram, sizes, cover);
  BucketList tuples = grid;
  for (const Tuple &bucket : chosen)
    if (!is_contained(tuples, bucket))
      tuples.push_back(bucket);
  FailureOr<SmallVector<double>> times =
      timeSamples(histogram, tuples, model, *measureOptions, cache);
  sys::fs::remove_directories(measureOptions->workDir);
  if (failed(times))
    return failure();
  writeCache(*cachePath, cache);
  std::map<Tuple, double> measured;
  for (auto [tuple, micros] : zip(tuples, *times))
    measured[tuple] = micros;
  // Shapes that are no bucket (the oracle's, unused here) keep the model.
  CostCache cost([&](ArrayRef<int64_t> tuple) {
    auto it = measured.find(Tuple(tuple));
    return it != measured.end() ? it->second : predicted(tuple);
  });
  BucketList best = exhaustiveSearch(histogram, grid, cover, cost, options);
  if (best.empty())
    return fail("--verify-exhaustive: too many subsets of the grid; lower "
                "--verify-grid or --max-buckets"),
           failure();
  double chosenCost =
      evaluateBuckets(histogram, chosen, cover, cost, options).inRangeCost;
  double bestCost =
      evaluateBuckets(histogram, best, cover, cost, options).inRangeCost;
  double gap = chosenCost / bestCost - 1;
  outs() << format("exhaustive check (measured times): chosen %.4g us/call, "
                   "best of the grid (%zu tuples, K <= %u) %.4g us/call: gap "
                   "%.2f%% (within 2%%: %s)\n",
                   chosenCost, grid.size(), options.maxBuckets, bestCost,
                   100 * gap, gap <= 0.02 ? "yes" : "no");
  outs() << "  best of the grid: " << formatSpec(histogram.dims, best) << "\n";
  printModelAgainstMeasured(chosen, tuples, measured, predicted);
  return success();
}

/// The search's gap on a coarse grid, where exhaustive search is cheap.
static void printCoarseGap(const Histogram &histogram, ArrayRef<int64_t> cover,
                           CostCache &cost, const TuneOptions &options) {
  TuneOptions coarse = options;
  coarse.maxBuckets = std::min(options.maxBuckets, 4u);
  SmallVector<Tuple> sizes = getCandidateSizes(histogram, cover, 4);
  BucketList grid = getCandidateTuples(histogram, sizes, cover);
  BucketList best =
      exhaustiveSearch(histogram, grid, cover, cost, coarse, 200000);
  if (best.empty())
    return;
  BucketList found = searchBuckets(histogram, grid, cover, cost, coarse);
  double foundCost =
      evaluateBuckets(histogram, found, cover, cost, coarse).inRangeCost;
  double bestCost =
      evaluateBuckets(histogram, best, cover, cost, coarse).inRangeCost;
  outs() << format("search vs exhaustive on a coarse grid (%zu tuples, K = "
                   "%u): %.4g vs %.4g (gap %.2f%%)\n",
                   grid.size(), coarse.maxBuckets, foundCost, bestCost,
                   100 * (foundCost / bestCost - 1));
}

/// One line per bucket set of the same budget, `name spec`: the tuned one,
/// pad-to-max and every baseline (what benchmarks/tune.sh compiles).
static void printBaselineSpecs(const Histogram &histogram,
                               ArrayRef<Tuple> tuned, ArrayRef<int64_t> cover,
                               const TuneOptions &options) {
  outs() << "tuned " << formatSpec(histogram.dims, tuned) << "\n";
  outs() << "padmax " << formatSpec(histogram.dims, {Tuple(cover)}) << "\n";
  for (Baseline baseline : getAllBaselines()) {
    std::string name = getBaselineName(baseline).lower();
    std::replace(name.begin(), name.end(), ' ', '-');
    outs() << name << " "
           << formatSpec(histogram.dims,
                         getBaselineBuckets(baseline, histogram, options))
           << "\n";
  }
}

/// The full report (everything but --spec-only).
static void printReport(StringRef csv, const Histogram &histogram,
                        const Evaluation &chosen, unsigned budget,
                        ArrayRef<KPoint> sweep, const LoadedModel *model,
                        const TimeModel &time) {
  outs() << "# histogram " << csv << ": " << join(histogram.dims, ",")
         << format("; %.0f calls, %zu distinct shapes\n", histogram.getTotal(),
                   histogram.shapes.size());
  if (model)
    outs() << format("# cost: the linalg work of @%s per bucket, time = "
                     "%s%s/%.4g%s bytes/%.4g%s + spill bytes/%.4g + %.3g us "
                     "(%s)\n",
                     model->function.c_str(),
                     time.overlap ? "sum over ops of max(" : "",
                     time.tiled ? "tiled ops" : "ops", time.opsPerMicrosecond,
                     time.overlap ? "," : " +", time.bytesPerMicrosecond,
                     time.overlap ? ")" : "", time.spillBytesPerMicrosecond,
                     time.callMicros, measure ? "measured" : "uncalibrated");
  else
    outs() << "# cost: padded elements (no model)\n";
  if (!reportFile.empty()) {
    printDynamicity(outs(), histogram, sweep, gainThreshold);
    outs() << "\n";
  }
  outs() << "# chosen: at most " << budget << " buckets ("
         << (histogram.getNumDims() == 1
                 ? "exact dynamic program"
                 : "greedy + local search over marginal candidates")
         << ")\n";
  printBucketTable(outs(), histogram, chosen, model ? "us/call" : "elements");
  printTail(outs(), chosen);
}

/// Writes the SVG plot when asked.
static LogicalResult maybeWriteSvg(const Histogram &histogram,
                                   const Evaluation &chosen,
                                   ArrayRef<KPoint> sweep) {
  if (svgFile.empty())
    return success();
  std::error_code ec;
  raw_fd_ostream svg(svgFile, ec);
  if (ec)
    return fail("cannot write '" + svgFile + "': " + ec.message()), failure();
  writeSvg(svg, histogram, chosen, sweep);
  return success();
}

/// Prints how the chosen buckets meet the latency budget, and fails with an
/// error when they do not: a budget the user set is a constraint.
static LogicalResult checkLatencyBudget(const Histogram &histogram,
                                        ArrayRef<int64_t> cover,
                                        CostCache &cost,
                                        const TuneOptions &options,
                                        const Evaluation &chosen) {
  if (!options.hasLatencyBudget())
    return success();
  double q = options.latencyQuantile;
  auto print = [](const char *fmt, double value) {
    char text[32];
    snprintf(text, sizeof(text), fmt, value);
    return std::string(text);
  };
  std::string name = print("p%g", 100 * q);
  double got = getLatencyQuantile(histogram, chosen.buckets, cover, cost, q);
  double oracle = getLatencyQuantile(histogram, {}, cover, cost, q);
  bool met = chosen.slowShare <= options.getAllowedSlowShare() + 1e-12;
  if (!specOnly && !printBaselines)
    outs() << format("latency budget: %s <= %.4g us: %s (predicted %s %.4g "
                     "us, exact-shape oracle %.4g us; %.2f%% of the in-range "
                     "calls slower)\n",
                     name.c_str(), options.maxLatency, met ? "met" : "NOT met",
                     name.c_str(), got, oracle, 100 * chosen.slowShare);
  if (met)
    return success();
  if (oracle > options.maxLatency)
    return fail("the latency budget " + name +
                " <= " + print("%.4g", options.maxLatency) +
                " us cannot be met: the calls take " + print("%.4g", oracle) +
                " us at " + name + " even at their exact shapes"),
           failure();
  return fail("the latency budget " + name +
              " <= " + print("%.4g", options.maxLatency) +
              " us is not met with at most " + Twine(options.maxBuckets) +
              " buckets (" + name + " " + print("%.4g", got) +
              " us): raise --max-buckets"),
         failure();
}

/// Chooses the buckets of the budget; for the report, with the sweep over
/// K = 1..max(--max-k, budget) into `sweep`.
static Evaluation choose(const Histogram &histogram, ArrayRef<int64_t> cover,
                         CostCache &cost, const TuneOptions &options,
                         std::vector<KPoint> &sweep) {
  if (specOnly || printBaselines)
    return evaluateBuckets(histogram, tuneBuckets(histogram, cost, options),
                           cover, cost, options);
  sweep = sweepBudgets(histogram, cost, options,
                       std::max<unsigned>(maxK, options.maxBuckets));
  return sweep[options.maxBuckets - 1].tuned;
}

/// The tuner's run on a loaded histogram (and model): the cost, the
/// calibration and budgets, the choice, and the output.
/// --print-work: per distinct shape of the histogram, the counts of the
/// cost model and the time the model gives them.
static int printWorkCounts(const Histogram &histogram, LoadedModel &model,
                           const TimeModel &time) {
  outs() << "# shape: contraction ops, tiled; other ops; bytes, spilled; "
            "time (us)\n";
  for (const auto &shape : histogram.shapes) {
    FailureOr<WorkCount> work = model.cost->count(shape);
    if (failed(work))
      return 1;
    interleave(shape, outs(), "x");
    outs() << format(": %.6g, %.6g; %.6g; %.6g, %.6g; %.6g\n",
                     work->contractionFlops, work->tiledContractionFlops,
                     work->flops - work->contractionFlops, work->bytes,
                     work->spillBytes, time(*work));
  }
  return 0;
}

static int tune(StringRef csv, Histogram &histogram, LoadedModel *model,
                std::chrono::steady_clock::time_point start) {
  // The cost of one call in microseconds (the time model), or the padded
  // element count.
  bool costFailed = false;
  TimeModel time{opsPerMicro, bytesPerMicro, spillBytesPerMicro, callMicros,
                 tiledOps};
  CostCache cost([&](ArrayRef<int64_t> sizes) -> double {
    if (!model)
      return getElementCount(sizes);
    FailureOr<WorkCount> work = costFailed ? FailureOr<WorkCount>(WorkCount{})
                                           : model->cost->count(sizes);
    costFailed |= failed(work);
    return failed(work) ? 1 : time(*work);
  });
  TuneOptions options;
  options.maxBuckets = maxBuckets;
  options.coverQuantile = coverQuantile;
  options.fallbackFactor = fallbackFactor;
  options.maxLatency = maxLatencyMicros;
  options.latencyQuantile = latencyQuantile;
  Tuple cover = getCoverSizes(histogram, coverQuantile);
  if (measure) {
    if (!model)
      return fail("--measure needs the model");
    if (failed(calibrate(histogram, cover, *model, time)) ||
        failed(applyBuildBudget(histogram, cover, *model, options)))
      return 1;
  }
  if (printWork)
    return model ? printWorkCounts(histogram, *model, time)
                 : fail("--print-work needs the model");
  cost(cover);
  if (costFailed)
    return fail("the cost model failed at the largest bucket");
  std::vector<KPoint> sweep;
  Evaluation chosen = choose(histogram, cover, cost, options, sweep);
  if (costFailed)
    return fail("the cost model failed (see the error above)");
  if ((specOnly || printBaselines) &&
      failed(checkLatencyBudget(histogram, cover, cost, options, chosen)))
    return 1;
  std::string spec = formatSpec(histogram.dims, chosen.buckets);
  if (printBaselines)
    printBaselineSpecs(histogram, chosen.buckets, cover, options);
  if (specOnly)
    outs() << spec << "\n";
  if (specOnly || printBaselines)
    return 0;
  printReport(csv, histogram, chosen, options.maxBuckets, sweep, model, time);
  if (failed(checkLatencyBudget(histogram, cover, cost, options, chosen)))
    return 1;
  if (histogram.getNumDims() > 1)
    printCoarseGap(histogram, cover, cost, options);
  if (verifyExhaustive &&
      failed(checkAgainstExhaustive(histogram, cover, *model, chosen.buckets,
                                    options, cost)))
    return 1;
  outs() << "\n";
  printSweep(outs(), sweep);
  if (failed(maybeWriteSvg(histogram, chosen, sweep)))
    return 1;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  outs() << format("\n# %zu cost evaluations, %.2f s\n",
                   cost.getNumEvaluations(), seconds);
  outs() << "--buckets '" << spec << "'\n";
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "bucket-tune: choose buckets from observed "
                              "shapes and the model's own cost\n");
  auto start = std::chrono::steady_clock::now();
  if (failed(checkOptions()))
    return 1;
  std::string csv = reportFile.empty() ? shapesFile : reportFile;
  Expected<Histogram> read = Histogram::readFile(csv);
  if (!read)
    return fail(toString(read.takeError()));
  Histogram histogram = std::move(*read);

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBucketDialect(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  std::optional<LoadedModel> model;
  if (costKind == "linalg" && !inputModel.empty()) {
    FailureOr<LoadedModel> loaded = loadModel(context, histogram);
    if (failed(loaded))
      return 1;
    model = std::move(*loaded);
  }
  int rc = tune(csv, histogram, model ? &*model : nullptr, start);
  if (model && model->temporaryCompilePath)
    sys::fs::remove(model->compilePath);
  return rc;
}
