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

static int fail(const Twine &message) {
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

/// The tuples --measure times: per-dimension weighted quantiles.
static BucketList getMeasureSamples(const Histogram &histogram,
                                    ArrayRef<int64_t> cover, unsigned count) {
  BucketList samples;
  for (unsigned i = 0; i < count; ++i) {
    double q = count == 1 ? 1.0 : (double)i / (count - 1);
    Tuple tuple;
    for (size_t d = 0; d < histogram.getNumDims(); ++d)
      tuple.push_back(
          std::min<int64_t>(cover[d], q <= 0 ? histogram.getMarginal(d).front()
                                             : histogram.getQuantile(d, q)));
    if (!is_contained(samples, tuple))
      samples.push_back(tuple);
  }
  return samples;
}

/// The cache file: one `sizes,micros` row per measured tuple, keyed by the
/// model's text and the host CPU.
static std::string getCachePath(StringRef modelText) {
  if (!measureCache.empty())
    return measureCache;
  std::string key = (modelText + "\0" + sys::getHostCPUName() + "\0" +
                     "bucket-tune-measure-v1")
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

/// Times the sample buckets (or reads them from the cache) and fits the
/// time model to the work the cost model counts for them.
static FailureOr<TimeModel> calibrate(const Histogram &histogram,
                                      ArrayRef<int64_t> cover,
                                      LinalgCostModel &model,
                                      StringRef function) {
  auto text = MemoryBuffer::getFile(inputModel);
  if (!text) {
    fail("cannot read '" + inputModel + "'");
    return failure();
  }
  std::string cachePath = getCachePath((*text)->getBuffer());
  std::map<Tuple, double> cache = readCache(cachePath);
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

  SmallVector<TimeSample> samples;
  BucketList tuples = getMeasureSamples(histogram, cover, measureSamples);
  for (const Tuple &tuple : tuples) {
    FailureOr<WorkCount> work = model.count(tuple);
    if (failed(work))
      return failure();
    auto cached = cache.find(tuple);
    double micros;
    if (cached != cache.end()) {
      micros = cached->second;
    } else {
      Expected<double> measured =
          measureBucket(inputModel, function,
                        formatSpec(histogram.dims, {tuple}), tuple, options);
      if (!measured) {
        fail("--measure: " + toString(measured.takeError()));
        return failure();
      }
      micros = *measured;
      cache[tuple] = micros;
    }
    samples.push_back({work->flops, work->bytes, micros});
  }
  sys::fs::remove_directories(options.workDir);
  // Keep the cache; a failure to write it only costs time next run.
  sys::fs::create_directories(sys::path::parent_path(cachePath));
  std::error_code ec;
  raw_fd_ostream os(cachePath, ec);
  if (!ec)
    for (auto &[tuple, micros] : cache) {
      interleave(tuple, os, "x");
      os << "," << format("%.6g", micros) << "\n";
    }

  TimeFit fit = fitTimeModel(samples);
  if (!fit.valid) {
    fail("--measure: no non-negative fit of the measurements");
    return failure();
  }
  outs() << format("# measured (cache %s): time = %.4g us/Gop * ops + %.4g "
                   "us/GB * bytes + %.4g us\n",
                   cachePath.c_str(), fit.perOp * 1e9, fit.perByte * 1e9,
                   fit.perCall);
  for (auto [tuple, sample] : zip(tuples, samples)) {
    double predicted = fit.predict(sample.ops, sample.bytes);
    outs() << "#   ";
    interleave(tuple, outs(), "x");
    outs() << format(": measured %.4g us, predicted %.4g us (%+.1f%%)\n",
                     sample.micros, predicted,
                     100 * (predicted / sample.micros - 1));
  }
  TimeModel time;
  time.opsPerMicrosecond = fit.perOp > 0 ? 1 / fit.perOp : HUGE_VAL;
  time.bytesPerMicrosecond = fit.perByte > 0 ? 1 / fit.perByte : HUGE_VAL;
  time.callMicros = fit.perCall;
  return time;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "bucket-tune: choose buckets from observed "
                              "shapes and the model's own cost\n");
  auto start = std::chrono::steady_clock::now();
  bool dynamicity = !reportFile.empty();
  std::string csv = dynamicity ? reportFile : shapesFile;
  if (csv.empty())
    return fail("give a histogram with --shapes (or --report)");
  if (maxBuckets == 0 || maxBuckets > 4096)
    return fail("--max-buckets must be in 1..4096");
  if (!(coverQuantile > 0 && coverQuantile <= 1))
    return fail("--cover-quantile must be in (0, 1]");
  if (costKind != "linalg" && costKind != "tokens")
    return fail("--cost must be 'linalg' or 'tokens'");
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
  OwningOpRef<ModuleOp> module;
  std::unique_ptr<LinalgCostModel> model;
  std::string tunedName;
  bool useModel = costKind == "linalg" && !inputModel.empty();
  if (costKind == "linalg" && inputModel.empty() && !dynamicity)
    return fail("give the model (model.mlir), or --cost=tokens");
  if (useModel) {
    SourceMgr sourceMgr;
    SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    std::string error;
    auto buffer = MemoryBuffer::getFileOrSTDIN(inputModel);
    if (!buffer)
      return fail("cannot read '" + inputModel + "'");
    sourceMgr.AddNewSourceBuffer(std::move(*buffer), SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
    if (!module)
      return 1;
    FailureOr<func::FuncOp> func = findFunction(*module);
    if (failed(func))
      return 1;
    tunedName = func->getSymName().str();
    auto created = LinalgCostModel::create(*func);
    if (failed(created))
      return 1;
    model = std::move(*created);
    FailureOr<Histogram> matched = matchDims(histogram, *model);
    if (failed(matched))
      return 1;
    histogram = std::move(*matched);
  }

  // The cost of one call in microseconds (the time model), or the padded
  // element count.
  bool costFailed = false;
  TimeModel time{opsPerMicro, bytesPerMicro, callMicros};
  CostCache cost([&](ArrayRef<int64_t> sizes) -> double {
    if (!model)
      return getElementCount(sizes);
    if (costFailed)
      return 1;
    FailureOr<WorkCount> work = model->count(sizes);
    if (failed(work)) {
      costFailed = true;
      return 1;
    }
    return time(*work);
  });
  StringRef unit = model ? "us/call" : "elements";

  TuneOptions options;
  options.maxBuckets = maxBuckets;
  options.coverQuantile = coverQuantile;
  options.fallbackFactor = fallbackFactor;
  Tuple cover = getCoverSizes(histogram, coverQuantile);
  if (measure) {
    if (!model)
      return fail("--measure needs the model");
    FailureOr<TimeModel> calibrated =
        calibrate(histogram, cover, *model, tunedName);
    if (failed(calibrated))
      return 1;
    time = *calibrated;
  }
  cost(cover);
  if (costFailed)
    return fail("the cost model failed at the largest bucket");

  unsigned sweepK = std::max<unsigned>(maxK, maxBuckets);
  std::vector<KPoint> sweep;
  Evaluation chosen;
  if (specOnly) {
    chosen = evaluateBuckets(histogram, tuneBuckets(histogram, cost, options),
                             cover, cost, options);
  } else {
    sweep = sweepBudgets(histogram, cost, options, sweepK);
    chosen = sweep[maxBuckets - 1].tuned;
  }
  if (costFailed)
    return fail("the cost model failed (see the error above)");
  std::string spec = formatSpec(histogram.dims, chosen.buckets);
  if (specOnly) {
    outs() << spec << "\n";
    return 0;
  }

  outs() << "# histogram " << csv << ": " << join(histogram.dims, ",")
         << format("; %.0f calls, %zu distinct shapes\n", histogram.getTotal(),
                   histogram.shapes.size());
  if (model)
    outs() << format("# cost: the linalg work of @%s per bucket, time = "
                     "ops/%.4g + bytes/%.4g + %.3g us (%s)\n",
                     tunedName.c_str(), time.opsPerMicrosecond,
                     time.bytesPerMicrosecond, time.callMicros,
                     measure ? "measured" : "uncalibrated");
  else
    outs() << "# cost: padded elements (no model)\n";
  if (dynamicity) {
    printDynamicity(outs(), histogram, sweep, gainThreshold);
    outs() << "\n";
  }
  outs() << "# chosen: at most " << maxBuckets << " buckets ("
         << (histogram.getNumDims() == 1
                 ? "exact dynamic program"
                 : "greedy + local search over marginal candidates")
         << ")\n";
  printBucketTable(outs(), histogram, chosen, unit);
  printTail(outs(), chosen);
  if (histogram.getNumDims() > 1) {
    // The search's gap on a coarse grid, where exhaustive search is cheap.
    TuneOptions coarse = options;
    coarse.maxBuckets = std::min(maxBuckets.getValue(), 4u);
    SmallVector<Tuple> sizes = getCandidateSizes(histogram, cover, 4);
    BucketList grid = getCandidateTuples(histogram, sizes, cover);
    BucketList best =
        exhaustiveSearch(histogram, grid, cover, cost, coarse, 200000);
    BucketList found = searchBuckets(histogram, grid, cover, cost, coarse);
    if (!best.empty())
      outs() << format(
          "search vs exhaustive on a coarse grid (%zu tuples, K = %u): "
          "%.4g vs %.4g (gap %.2f%%)\n",
          grid.size(), coarse.maxBuckets,
          evaluateBuckets(histogram, found, cover, cost, coarse).inRangeCost,
          evaluateBuckets(histogram, best, cover, cost, coarse).inRangeCost,
          100 * (evaluateBuckets(histogram, found, cover, cost, coarse)
                         .inRangeCost /
                     evaluateBuckets(histogram, best, cover, cost, coarse)
                         .inRangeCost -
                 1));
  }
  outs() << "\n";
  printSweep(outs(), sweep);
  if (!svgFile.empty()) {
    std::error_code ec;
    raw_fd_ostream svg(svgFile, ec);
    if (ec)
      return fail("cannot write '" + svgFile + "': " + ec.message());
    writeSvg(svg, histogram, chosen, sweep);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  outs() << format("\n# %zu cost evaluations, %.2f s\n",
                   cost.getNumEvaluations(), seconds);
  outs() << "--buckets '" << spec << "'\n";
  return 0;
}
