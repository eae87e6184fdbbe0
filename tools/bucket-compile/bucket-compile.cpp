//===- bucket-compile.cpp - One-shot bucketing compiler driver -----------===//
//
// bucket-compile IN.mlir --buckets SPEC -o OUT.o [--header OUT.h]
//
// Parses a tensor-level module, runs the bucket-bucketize pipeline, writes
// the C header, lowers with bucket-lower-to-llvm and emits LLVM IR or an
// object file. --emit stops after any stage so each can be inspected.
//
//===----------------------------------------------------------------------===//

#include "bucket/Pipeline/Pipeline.h"
#ifdef BUCKET_HAS_ONNX
#include "bucket/Onnx/OnnxImporter.h"
#endif
#include "bucket/Target/HeaderEmitter.h"
#include "bucket/Target/ModelDescription.h"
#include "bucket/Target/ObjectEmitter.h"
#include "bucket/Transforms/Passes.h"
#include "bucket/Transforms/Specialize.h"
#include "bucket/Version.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

#include <chrono>
#include <mutex>

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class EmitKind { Bucketed, Lowered, LLVMIR, Object };

struct Options {
  cl::OptionCategory category{"bucket-compile options"};
  cl::opt<std::string> input{cl::Positional,
                             cl::desc("<input.mlir or model.onnx>"),
                             cl::init("-"), cl::cat(category)};
  cl::opt<std::string> output{"o", cl::desc("Output file (default: stdout)"),
                              cl::value_desc("file"), cl::init("-"),
                              cl::cat(category)};
  cl::opt<std::string> buckets{
      "buckets",
      cl::desc("Buckets per symbolic dimension, e.g. 'seq=64,128,512' or "
               "'batch=1,4;seq=64,128' (a grid) or 'batch,seq=1x512,8x64' "
               "(explicit tuples). Overrides bucket.buckets attributes"),
      cl::value_desc("spec"), cl::cat(category)};
  cl::opt<std::string> padValues{
      "pad-values",
      cl::desc("Pad values by argument number, e.g. '0=-inf,2=1' (a number, "
               "-inf, inf, min or max). Overrides bucket.pad_value; the "
               "padding analysis must still prove them safe"),
      cl::value_desc("list"), cl::cat(category)};
  cl::opt<std::string> masks{
      "masks",
      cl::desc("Arguments that mask padded positions (an attention mask: 1 "
               "for real positions, 0 for padding), e.g. '1'"),
      cl::value_desc("list"), cl::cat(category)};
  cl::opt<std::string> outOfRange{
      "out-of-range",
      cl::desc("Shapes beyond the largest bucket: 'error' (default), "
               "'fallback' (a generic version in the same object), 'split' "
               "(chunks of the largest bucket, for batch-like dimensions) or "
               "'truncate' (crop the input), for every dimension or per "
               "dimension: 'seq=fallback,batch=split'"),
      cl::value_desc("policies"), cl::cat(category)};
  cl::opt<bool> selfCheck{
      "self-check",
      cl::desc("Make every call also run the next larger bucket (or the "
               "fallback) and report differences through the runtime"),
      cl::cat(category)};
  cl::opt<bool> noBucketing{
      "no-bucketing",
      cl::desc("Compile the dynamic-shape functions as they are, with the "
               "generic lowering (the reference the buckets are checked "
               "against)"),
      cl::cat(category)};
  cl::opt<std::string> header{
      "header", cl::desc("Also write the C header for the runtime API"),
      cl::value_desc("file"), cl::cat(category)};
  cl::opt<std::string> modelName{
      "model-name",
      cl::desc("The model's name, a C identifier: prefixes the model-wide "
               "symbols of the header and the table the object exports "
               "(default: the header's file name, else the output's)"),
      cl::cat(category)};
  cl::opt<bool> modelExport{
      "model-export",
      cl::desc("Export the model's table from the object "
               "(<model>_model_export and the weak bucket_model_export), so "
               "that a shared library linked from it alone is "
               "self-describing (default: on)"),
      cl::init(true), cl::cat(category)};
  cl::opt<EmitKind> emit{
      "emit", cl::desc("What to write"), cl::init(EmitKind::Object),
      cl::values(
          clEnumValN(EmitKind::Bucketed, "mlir",
                     "the bucketed tensor-level module"),
          clEnumValN(EmitKind::Lowered, "llvm-dialect",
                     "the module lowered to the LLVM dialect"),
          clEnumValN(EmitKind::LLVMIR, "llvm", "optimized LLVM IR"),
          clEnumValN(EmitKind::Object, "obj", "a relocatable object file")),
      cl::cat(category)};
  cl::opt<std::string> triple{
      "target", cl::desc("Target triple (default: host)"), cl::cat(category)};
  cl::opt<std::string> cpu{
      "mcpu",
      cl::desc("Target CPU, or 'native' (default: the host's for the host's "
               "architecture and OS, else the target's generic CPU)"),
      cl::cat(category)};
  cl::opt<std::string> features{
      "mattr", cl::desc("Target features, e.g. +avx2,-avx512f"),
      cl::cat(category)};
  cl::opt<unsigned> optLevel{"O", cl::desc("LLVM optimization level (0-3)"),
                             cl::Prefix, cl::init(3), cl::cat(category)};
  cl::opt<std::string> symbolPrefix{
      "symbol-prefix",
      cl::desc("Prefix the names of the public functions (and so of their C "
               "entry points), to link several compiled models into one "
               "program"),
      cl::value_desc("prefix"), cl::cat(category)};
  cl::opt<bool> exportBuckets{
      "export-buckets",
      cl::desc("Also export each bucket's static function (public, with its "
               "C interface), for benchmarks that call a bucket directly"),
      cl::cat(category)};
  cl::opt<std::string> onnxDims{
      "dims",
      cl::desc("ONNX input: name or rename dynamic dimensions of inputs, "
               "e.g. 'input_ids:1=seq' (as bucket-import-onnx --dims)"),
      cl::value_desc("list"), cl::cat(category)};
  cl::opt<std::string> onnxStatic{
      "static",
      cl::desc("ONNX input: pin named dimensions to sizes, e.g. 'batch=1' "
               "(as bucket-import-onnx --static)"),
      cl::value_desc("list"), cl::cat(category)};
  cl::opt<std::string> padding{
      "padding",
      cl::desc("'repair' (default): a size of a padded dimension used as a "
               "value (a mean's divisor, the last position) is the real size "
               "in each bucket, and padding that would reach a result is "
               "masked (a remark per mask); 'prove': refuse such models "
               "(docs/Padding.md)"),
      cl::init("repair"), cl::cat(category)};
  cl::opt<unsigned> maxBuckets{
      "max-buckets",
      cl::desc("The most buckets one function may have (default 256): each "
               "is a function to compile, and a larger specification is an "
               "error before anything is expanded"),
      cl::init(256), cl::cat(category)};
  cl::opt<bool> verbose{
      "verbose",
      cl::desc("Print one line per bucket (its name and the seconds its "
               "lowering took) and the time of each stage; printed by "
               "default for more than 4 buckets"),
      cl::cat(category)};
  cl::opt<bool> quiet{"quiet", cl::desc("Print no progress lines"),
                      cl::cat(category)};
  cl::opt<bool> printPipeline{
      "print-lowering-pipeline",
      cl::desc("Print the textual lowering pipeline (for mlir-opt) and exit"),
      cl::cat(category)};
};

/// The model name: --model-name, else the header's or the output's file
/// name made a C identifier.
std::string getModelName(const Options &opts) {
  if (!opts.modelName.empty())
    return opts.modelName;
  StringRef file = !opts.header.empty() ? StringRef(opts.header)
                   : opts.output != "-" ? StringRef(opts.output)
                                        : StringRef("model");
  std::string name = llvm::sys::path::stem(file).str();
  for (char &c : name)
    if (!llvm::isAlnum(c) && c != '_')
      c = '_';
  if (name.empty() || llvm::isDigit(name[0]))
    name = "model_" + name;
  return name;
}
} // namespace

namespace {
/// Adds up the seconds the passes take on each function, for the progress
/// lines. Function passes run in parallel on several threads.
class FunctionTimes : public PassInstrumentation {
public:
  void runBeforePass(Pass *, Operation *op) override {
    if (auto func = dyn_cast<func::FuncOp>(op)) {
      std::lock_guard<std::mutex> lock(mutex);
      starts[op] = Clock::now();
    }
  }
  void runAfterPass(Pass *, Operation *op) override { stop(op); }
  void runAfterPassFailed(Pass *, Operation *op) override { stop(op); }

  double getSeconds(StringRef name) {
    std::lock_guard<std::mutex> lock(mutex);
    return seconds.lookup(name);
  }

private:
  using Clock = std::chrono::steady_clock;
  void stop(Operation *op) {
    auto func = dyn_cast<func::FuncOp>(op);
    if (!func)
      return;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = starts.find(op);
    if (it == starts.end())
      return;
    seconds[func.getName()] +=
        std::chrono::duration<double>(Clock::now() - it->second).count();
    starts.erase(it);
  }

  std::mutex mutex;
  DenseMap<Operation *, Clock::time_point> starts;
  llvm::StringMap<double> seconds;
};

/// Progress lines on stderr: one per stage and per bucket when asked for
/// (--verbose) or when there are more than a few buckets, none with --quiet.
class Progress {
public:
  explicit Progress(const Options &opts) : opts(opts) {}

  /// Decides, once the buckets are known, whether to print.
  void setNumBuckets(size_t numBuckets) {
    enabled = !opts.quiet && (opts.verbose || numBuckets > 4);
  }
  void stage(StringRef what) {
    if (enabled)
      llvm::errs() << "bucket-compile: " << what << " in "
                   << llvm::format("%.2f", lap()) << " s\n";
    else
      lap();
  }
  void bucket(StringRef name, double seconds) {
    if (enabled)
      llvm::errs() << "bucket-compile:   " << name << " "
                   << llvm::format("%.2f", seconds) << " s\n";
  }

private:
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(now - last).count();
    last = now;
    return seconds;
  }
  const Options &opts;
  bool enabled = false;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
};
} // namespace

/// Checks the options that the compilation would otherwise only trip over
/// late (or, for the target, not at all): before any work.
static LogicalResult verifyOptions(const Options &opts,
                                   const bucket::TargetOptions &target) {
  auto error = []() -> raw_ostream & {
    return llvm::WithColor::error(llvm::errs(), "bucket-compile");
  };
  // The prefix starts the names of C entry points.
  if (!opts.symbolPrefix.empty() && !bucket::isCIdentifier(opts.symbolPrefix)) {
    error() << "symbol prefix '" << opts.symbolPrefix
            << "' is not a C identifier\n";
    return failure();
  }
  if (llvm::Error err = bucket::verifyTargetOptions(target)) {
    error() << llvm::toString(std::move(err)) << "\n";
    return failure();
  }
  return success();
}

/// The options of the bucketize pipeline, from the command line: the one
/// place they are copied.
static void getBucketizeOptions(const Options &opts,
                                bucket::BucketizeOptions &options) {
  options.buckets = opts.buckets.getValue();
  options.padValues = opts.padValues.getValue();
  options.masks = opts.masks.getValue();
  options.outOfRange = opts.outOfRange.getValue();
  options.selfCheck = opts.selfCheck.getValue();
  options.maxBuckets = opts.maxBuckets.getValue();
  options.padding = opts.padding.getValue();
  options.symbolPrefix = opts.symbolPrefix.getValue();
  // The header's entry points call the MLIR C interface of every public
  // function.
  options.cInterface = true;
  options.exportBuckets = opts.exportBuckets.getValue();
}

/// Runs the tensor-level preparation: the bucketize pipeline (or just its
/// first pass without bucketing). bucket-opt --bucket-bucketize with the
/// same options prints the same module.
static LogicalResult bucketize(const Options &opts, ModuleOp module) {
  bucket::BucketizeOptions options;
  getBucketizeOptions(opts, options);
  PassManager pm(module.getContext());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  if (opts.noBucketing)
    pm.addPass(bucket::createBucketPrepareEntryPointsPass(
        {options.symbolPrefix, options.cInterface}));
  else
    bucket::buildBucketizePipeline(pm, options);
  return pm.run(module);
}

/// Whether the object file (or LLVM IR) written exports the model's table.
static bool exportsModel(const Options &opts) {
  return opts.modelExport &&
         (opts.emit == EmitKind::Object || opts.emit == EmitKind::LLVMIR);
}

static LogicalResult writeHeader(const Options &opts,
                                 const bucket::ModelDescription &model) {
  std::string error;
  auto headerFile = openOutputFile(opts.header, &error);
  if (!headerFile) {
    llvm::errs() << "bucket-compile: " << error << "\n";
    return failure();
  }
  if (failed(bucket::emitCHeader(model, exportsModel(opts), headerFile->os())))
    return failure();
  headerFile->keep();
  return success();
}

/// Describes the bucketized tensor-level `module` when the header or the
/// object's exported table needs it (both come from this one description),
/// and writes the header.
static LogicalResult
describeModel(const Options &opts, ModuleOp module,
              std::optional<bucket::ModelDescription> &model) {
  if (opts.header.empty() && !exportsModel(opts))
    return success();
  FailureOr<bucket::ModelDescription> described =
      bucket::describeModel(module, getModelName(opts));
  if (failed(described))
    return failure();
  model = std::move(*described);
  if (!opts.header.empty())
    return writeHeader(opts, *model);
  return success();
}

/// Lowers to the LLVM dialect, for the target's vector width (the host's
/// unless --target/--mcpu/--mattr say otherwise), and prints the time each
/// bucket took.
static LogicalResult lower(ModuleOp module, const bucket::TargetOptions &target,
                           Progress &progress) {
  SmallVector<std::string> buckets;
  for (auto func : module.getOps<func::FuncOp>())
    if (func->hasAttr(bucket::kSpecializationOfAttrName))
      buckets.push_back(func.getName().str());
  PassManager pm(module.getContext());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  auto times = std::make_unique<FunctionTimes>();
  FunctionTimes *timesPtr = times.get();
  pm.addInstrumentation(std::move(times));
  bucket::buildLowerToLLVMPipeline(pm, bucket::getTargetVectorBits(target));
  if (failed(pm.run(module)))
    return failure();
  progress.stage("lowered to the LLVM dialect");
  for (const std::string &name : buckets)
    progress.bucket(name, timesPtr->getSeconds(name));
  return success();
}

static LogicalResult writeModule(ModuleOp module, llvm::ToolOutputFile &out) {
  module.print(out.os());
  out.os() << "\n";
  out.keep();
  return success();
}

static LogicalResult compile(Options &opts, const bucket::TargetOptions &target,
                             MLIRContext &context) {
  Progress progress(opts);
  std::string error;
  auto file = openInputFile(opts.input, &error);
  if (!file) {
    llvm::errs() << "bucket-compile: " << error << "\n";
    return failure();
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module;
#ifdef BUCKET_HAS_ONNX
  // An ONNX model goes through the importer (bucket-import-onnx prints what
  // it produces).
  if (bucket::isOnnxModelPath(opts.input)) {
    bucket::OnnxImportOptions importOptions;
    importOptions.dims = opts.onnxDims;
    importOptions.staticDims = opts.onnxStatic;
    module = bucket::importOnnxModel(
        &context, sourceMgr.getMemoryBuffer(1)->getBuffer(),
        !StringRef(opts.input).ends_with(".onnx"), opts.input,
        llvm::sys::path::parent_path(opts.input), importOptions);
  } else
#endif
  {
    if (!opts.onnxDims.empty() || !opts.onnxStatic.empty()) {
      llvm::errs() << "bucket-compile: --dims and --static apply to ONNX "
                      "models; name dimensions of MLIR input with "
                      "bucket.dims\n";
      return failure();
    }
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  if (!module)
    return failure();
  // An object that exports nothing is almost always a mistake (a module
  // whose functions are all private, or an empty file).
  if (llvm::none_of(module->getOps<func::FuncOp>(), [](func::FuncOp func) {
        return func.isPublic() && !func.isExternal();
      }))
    emitWarning(module->getLoc())
        << "the module has no public function with a body: the object "
           "will export nothing";
  if (failed(bucketize(opts, *module)))
    return failure();
  size_t numBuckets =
      llvm::count_if(module->getOps<func::FuncOp>(), [](func::FuncOp func) {
        return func->hasAttr(bucket::kSpecializationOfAttrName);
      });
  progress.setNumBuckets(numBuckets);
  progress.stage(("specialized " + Twine(numBuckets) + " buckets").str());
  std::optional<bucket::ModelDescription> model;
  if (failed(describeModel(opts, *module, model)))
    return failure();

  auto out = openOutputFile(opts.output, &error);
  if (!out) {
    llvm::errs() << "bucket-compile: " << error << "\n";
    return failure();
  }
  if (opts.emit == EmitKind::Bucketed)
    return writeModule(*module, *out);
  if (failed(lower(*module, target, progress)))
    return failure();
  if (opts.emit == EmitKind::Lowered)
    return writeModule(*module, *out);
  if (failed(bucket::emitLLVMOutput(
          *module, target,
          opts.emit == EmitKind::LLVMIR ? bucket::OutputKind::LLVMIR
                                        : bucket::OutputKind::Object,
          out->os(), exportsModel(opts) ? &*model : nullptr)))
    return failure();
  progress.stage(opts.emit == EmitKind::LLVMIR ? "optimized LLVM IR"
                                               : "compiled the object file");
  out->keep();
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::AddExtraVersionPrinter([](raw_ostream &os) {
    os << "bucket-compile (bucket " BUCKET_VERSION ")\n";
  });
  registerAllPasses();
  bucket::registerBucketTransformsPasses();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerAsmPrinterCLOptions();
  Options opts;
  cl::HideUnrelatedOptions({&opts.category, &llvm::getColorCategory()});
  cl::ParseCommandLineOptions(
      argc, argv,
      "bucket-compile: specialize a dynamic-shape tensor module per bucket and "
      "compile it into one object file and a C header\n");

  if (opts.printPipeline) {
    llvm::outs() << bucket::getLowerToLLVMPipelineText() << "\n";
    return 0;
  }

  bucket::TargetOptions target;
  target.triple = opts.triple;
  target.cpu = opts.cpu;
  target.features = opts.features;
  target.optLevel = opts.optLevel;
  if (failed(verifyOptions(opts, target)))
    return 1;

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  bucket::registerBucketDialect(registry);
  MLIRContext context(registry);
  // Diagnostics carry their location and notes, not a dump of the op (a
  // whole function, for a warning about a function).
  context.printOpOnDiagnostic(false);
  return succeeded(compile(opts, target, context)) ? 0 : 1;
}
