//===- ObjectEmitter.cpp - LLVM IR and object files -----------------------===//

#include "bucket/Target/ObjectEmitter.h"
#include "bucket/IR/BucketDialect.h"
#include "bucket/Target/ModelExport.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Target/LLVMIR/LLVMTranslationInterface.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/DiagnosticHandler.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/PrettyStackTrace.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <memory>

using namespace mlir;
using namespace mlir::bucket;

//===----------------------------------------------------------------------===//
// Targets
//===----------------------------------------------------------------------===//

namespace {
/// What TargetOptions stand for once the defaults are filled in: the triple
/// normalized, and the host's CPU and features where they apply.
struct ResolvedTarget {
  const llvm::Target *target = nullptr;
  llvm::Triple triple;
  std::string cpu;
  std::string features;
  unsigned optLevel = 3;
};
} // namespace

static void initializeTargets() {
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;
}

/// The entry of the feature `name` in the feature table of `info`'s target,
/// or null. (MCSubtargetInfo::checkFeatures ends the process on a feature
/// its target does not know.)
static const llvm::SubtargetFeatureKV *
findFeature(const llvm::MCSubtargetInfo &info, StringRef name) {
  ArrayRef<llvm::SubtargetFeatureKV> table = info.getAllProcessorFeatures();
  const auto *it =
      llvm::find_if(table, [&](const llvm::SubtargetFeatureKV &kv) {
        return name == kv.Key;
      });
  return it == table.end() ? nullptr : it;
}

/// Whether the subtarget `info` has the feature `name`; false for a feature
/// its target does not know.
static bool hasFeature(const llvm::MCSubtargetInfo &info, StringRef name) {
  const llvm::SubtargetFeatureKV *feature = findFeature(info, name);
  return feature && info.hasFeature(feature->Value);
}

/// Resolves and checks `options` (see verifyTargetOptions). LLVM does not
/// check them itself: an unknown CPU or feature is a warning on every
/// subtarget created, and may be a fatal error later in code generation.
static llvm::Expected<ResolvedTarget>
resolveTarget(const bucket::TargetOptions &options) {
  initializeTargets();
  auto fail = [](const Twine &message) {
    return llvm::createStringError(message);
  };
  if (options.optLevel > 3)
    return fail("invalid optimization level " + Twine(options.optLevel) +
                "; expected 0-3");

  ResolvedTarget result;
  result.optLevel = options.optLevel;
  llvm::Triple host(llvm::sys::getDefaultTargetTriple());
  // Normalized, "aarch64-linux-gnu" is aarch64-unknown-linux-gnu rather than
  // an aarch64 of vendor "linux".
  result.triple = options.triple.empty()
                      ? host
                      : llvm::Triple(llvm::Triple::normalize(options.triple));
  std::string error;
  result.target = llvm::TargetRegistry::lookupTarget(result.triple, error);
  if (!result.target)
    return fail("unknown target '" + options.triple + "': " + error);
  std::string name = result.triple.str();

  // The host's CPU and features describe code for the host's architecture
  // only: they are the default when the triple is the host's, and "native"
  // asks for them on another operating system of the same architecture.
  bool hostArch = result.triple.getArch() == host.getArch();
  bool native =
      options.cpu == "native" || (options.cpu.empty() && hostArch &&
                                  result.triple.getOS() == host.getOS());
  if (native && !hostArch)
    return fail("CPU 'native' (the host's) cannot target '" + name +
                "': the host is " + host.getArchName());

  // The target's generic subtarget knows every CPU and feature name.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      result.target->createMCSubtargetInfo(result.triple, "", ""));
  if (!generic)
    return fail("cannot create a subtarget for '" + name + "'");
  if (!native && !options.cpu.empty() &&
      !generic->isCPUStringValid(options.cpu))
    return fail("unknown CPU '" + options.cpu + "' for target '" + name + "'");
  llvm::SubtargetFeatures requested(options.features);
  for (const std::string &feature : requested.getFeatures()) {
    if (!llvm::SubtargetFeatures::hasFlag(feature))
      return fail("feature '" + feature + "' must start with '+' or '-'");
    StringRef featureName = llvm::SubtargetFeatures::StripFlag(feature);
    if (!findFeature(*generic, featureName))
      return fail("unknown feature '" + featureName + "' for target '" + name +
                  "'");
  }

  if (!native) {
    result.cpu = options.cpu;
    result.features = options.features;
    return result;
  }
  result.cpu = llvm::sys::getHostCPUName().str();
  llvm::SubtargetFeatures features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features.AddFeature(feature.first(), feature.second);
  // Later features win: the options can still turn a host feature off.
  features.addFeaturesVector(requested.getFeatures());
  result.features = features.getString();
  return result;
}

static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const ResolvedTarget &target) {
  llvm::CodeGenOptLevel level =
      target.optLevel == 0   ? llvm::CodeGenOptLevel::None
      : target.optLevel == 1 ? llvm::CodeGenOptLevel::Less
      : target.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                             : llvm::CodeGenOptLevel::Aggressive;
  // Position-independent code links into executables and shared objects.
  return std::unique_ptr<llvm::TargetMachine>(
      target.target->createTargetMachine(
          target.triple, target.cpu, target.features, llvm::TargetOptions(),
          llvm::Reloc::PIC_, std::nullopt, level));
}

llvm::Error mlir::bucket::verifyTargetOptions(const TargetOptions &options) {
  return resolveTarget(options).takeError();
}

unsigned
mlir::bucket::getTargetVectorBits(const bucket::TargetOptions &options) {
  llvm::Expected<ResolvedTarget> target = resolveTarget(options);
  if (!target) {
    llvm::consumeError(target.takeError());
    return 0;
  }
  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(*target);
  if (!machine)
    return 0;
  // Feature names differ between architectures: only ask for the ones of
  // this one.
  const llvm::MCSubtargetInfo &info = *machine->getMCSubtargetInfo();
  switch (target->triple.getArch()) {
  case llvm::Triple::x86:
  case llvm::Triple::x86_64:
    if (hasFeature(info, "avx512f"))
      return 512;
    return hasFeature(info, "avx") ? 256 : 128;
  case llvm::Triple::arm:
  case llvm::Triple::armeb:
  case llvm::Triple::thumb:
  case llvm::Triple::thumbeb:
    return hasFeature(info, "neon") ? 128 : 64;
  case llvm::Triple::riscv32:
  case llvm::Triple::riscv64:
    // V implies Zve32f, the least that holds f32 vectors.
    return hasFeature(info, "zve32f") ? 128 : 64;
  default:
    return 128;
  }
}

//===----------------------------------------------------------------------===//
// Errors in code generation
//===----------------------------------------------------------------------===//
//
// LLVM's optimizer and code generator report some errors (an instruction it
// cannot select, a pass that does not exist) with report_fatal_error, and
// error diagnostics without a handler, both of which end the process. On a
// worker thread of the parallel code generation that exit runs the static
// destructors while the other workers still use them, or races with another
// worker's fatal error, and the process may hang instead of ending. So code
// generation runs inside a CrashRecoveryContext: the fatal error handler
// records the message and returns to it, the LLVMContext's diagnostic
// handler records errors, and compilation fails with the message.

/// Where the fatal error of the compilation on this thread goes.
static thread_local std::string *fatalErrorMessage = nullptr;

static void recordFatalError(void *, const char *reason, bool) {
  if (fatalErrorMessage)
    *fatalErrorMessage = reason;
  if (llvm::CrashRecoveryContext *context =
          llvm::CrashRecoveryContext::GetCurrent())
    context->HandleExit(1);
  // Outside a compilation, LLVM exits as it would without a handler.
  llvm::errs() << "LLVM ERROR: " << reason << "\n";
}

namespace {
/// Installs the fatal error handler and enables crash recovery while code
/// is generated. Not to be nested: LLVM has one handler per process.
struct CodegenErrorScope {
  CodegenErrorScope() { llvm::CrashRecoveryContext::Enable(); }
  ~CodegenErrorScope() { llvm::CrashRecoveryContext::Disable(); }
  llvm::ScopedFatalErrorHandler handler{recordFatalError};
};

/// Records the first error diagnostic instead of exiting; warnings and
/// remarks print as usual.
struct ErrorRecorder : llvm::DiagnosticHandler {
  explicit ErrorRecorder(std::string &message) : message(message) {}
  bool handleDiagnostics(const llvm::DiagnosticInfo &info) override {
    if (info.getSeverity() != llvm::DS_Error)
      return false;
    if (message.empty()) {
      llvm::raw_string_ostream os(message);
      llvm::DiagnosticPrinterRawOStream printer(os);
      info.print(printer);
    }
    return true;
  }
  std::string &message;
};
} // namespace

/// Runs `compile`, code generation in `context`, so that a fatal error, an
/// error diagnostic or a crash in it fails with its message in `error`
/// instead of ending the process. Needs a CodegenErrorScope; several
/// threads may call it at once, each with its own context.
static LogicalResult runCatchingErrors(llvm::LLVMContext &context,
                                       function_ref<void()> compile,
                                       std::string &error) {
  std::unique_ptr<llvm::DiagnosticHandler> previous =
      context.getDiagnosticHandler();
  context.setDiagnosticHandler(std::make_unique<ErrorRecorder>(error));
  fatalErrorMessage = &error;
  llvm::scope_exit reset([&] {
    fatalErrorMessage = nullptr;
    context.setDiagnosticHandler(std::move(previous));
  });
  // A recovery skips the destructors of the pretty stack trace entries on
  // the stack: restore the list they belong to.
  const void *prettyStack = llvm::SavePrettyStackState();
  llvm::CrashRecoveryContext recovery;
  if (recovery.RunSafely(compile))
    return success(error.empty());
  llvm::RestorePrettyStackState(prettyStack);
  // Signals are 128 + their number (see CrashRecoveryContext).
  if (error.empty())
    error = recovery.RetCode > 128
                ? "LLVM crashed with signal " +
                      std::to_string(recovery.RetCode - 128)
                : "LLVM exited with code " + std::to_string(recovery.RetCode);
  return failure();
}

/// Optimizes `module` and writes its object code to `os`; sets `error` if
/// it cannot.
static void emitObject(llvm::Module &module, llvm::TargetMachine &machine,
                       unsigned optLevel, llvm::raw_pwrite_stream &os,
                       std::string &error) {
  auto optimize =
      makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, &machine);
  if (llvm::Error err = optimize(&module)) {
    error = llvm::toString(std::move(err));
    return;
  }
  llvm::legacy::PassManager codegen;
  if (machine.addPassesToEmitFile(codegen, os, nullptr,
                                  llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return;
  }
  codegen.run(module);
}

//===----------------------------------------------------------------------===//
// Parallel code generation
//===----------------------------------------------------------------------===//
//
// Each bucket is a large static function that LLVM optimizes and compiles on
// its own; with one thread the compile time grows linearly with the number
// of buckets. A copy of the module is split by function into one part per
// hardware thread (SplitModule: the functions balanced by size, module-local
// symbols made hidden and external so the parts link), each part is
// optimized and compiled in its own LLVMContext on its own thread, and the
// parts are linked into one relocatable object (ld.lld -r); llvm-objcopy
// --localize-hidden then makes the split's symbols local again, so two
// objects linked into one program cannot collide. Without those tools, for
// other object formats than ELF, or with one thread, the module is compiled
// as a whole.

/// The path of an LLVM tool: next to the LLVM we were built with, else on
/// PATH; empty if neither.
static std::string findTool(StringRef name) {
  llvm::ErrorOr<std::string> path =
      llvm::sys::findProgramByName(name, {BUCKET_LLVM_TOOLS_DIR});
  if (!path)
    path = llvm::sys::findProgramByName(name);
  return path ? *path : std::string();
}

/// Runs the tool `args[0]` with `args`; appends a message to `errors` if it
/// fails (the tool itself writes why to stderr).
static LogicalResult runTool(ArrayRef<StringRef> args,
                             SmallVectorImpl<std::string> &errors) {
  std::string message;
  int status = llvm::sys::ExecuteAndWait(args[0], args, std::nullopt, {}, 0, 0,
                                         &message);
  if (status == 0)
    return success();
  errors.push_back((llvm::sys::path::filename(args[0]) + " failed" +
                    (message.empty() ? "" : ": " + message))
                       .str());
  return failure();
}

static unsigned getNumParts(llvm::Module &module) {
  unsigned functions = 0;
  for (llvm::Function &function : module)
    if (!function.isDeclaration())
      ++functions;
  unsigned threads = llvm::hardware_concurrency().compute_thread_count();
  return std::min(functions, threads);
}

bool mlir::bucket::canEmitInParallel(llvm::Module &module) {
  static const bool haveTools =
      !findTool("ld.lld").empty() && !findTool("llvm-objcopy").empty();
  return haveTools && module.getTargetTriple().isOSBinFormatELF() &&
         getNumParts(module) > 1;
}

/// The module split into `numParts` parts by function, as bitcode. The split
/// externalizes the module's local symbols: it splits a copy, so that the
/// caller can still compile the module as it is.
static SmallVector<SmallString<0>> splitToBitcode(llvm::Module &module,
                                                  unsigned numParts) {
  SmallVector<SmallString<0>> bitcode;
  llvm::SplitModule(
      *llvm::CloneModule(module), numParts,
      [&](std::unique_ptr<llvm::Module> part) {
        SmallString<0> buffer;
        llvm::raw_svector_ostream out(buffer);
        llvm::WriteBitcodeToFile(*part, out);
        bitcode.push_back(std::move(buffer));
      },
      /*PreserveLocals=*/false, /*RoundRobin=*/true);
  return bitcode;
}

namespace {
/// Temporary files, removed whatever happens.
class TempFiles {
public:
  ~TempFiles() {
    for (const std::string &file : files)
      llvm::sys::fs::remove(file);
  }
  /// A new file's path, or an error message.
  llvm::Expected<std::string> create(StringRef suffix) {
    SmallString<128> path;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("bucket", suffix, path))
      return llvm::createStringError(ec, "cannot create a temporary file: " +
                                             ec.message());
    files.push_back(path.str().str());
    return files.back();
  }

private:
  SmallVector<std::string> files;
};
} // namespace

/// Optimizes and compiles one part (bitcode) into the object file `path`;
/// an error message, empty on success.
static std::string compilePart(StringRef bitcode, const ResolvedTarget &target,
                               const std::string &path) {
  std::string error;
  llvm::LLVMContext context;
  (void)runCatchingErrors(
      context,
      [&] {
        llvm::Expected<std::unique_ptr<llvm::Module>> part =
            llvm::parseBitcodeFile(llvm::MemoryBufferRef(bitcode, "part"),
                                   context);
        if (!part) {
          error = llvm::toString(part.takeError());
          return;
        }
        std::unique_ptr<llvm::TargetMachine> machine =
            createTargetMachine(target);
        if (!machine) {
          error = "cannot create a target machine for '" + target.triple.str() +
                  "'";
          return;
        }
        std::error_code ec;
        llvm::raw_fd_ostream out(path, ec);
        if (ec) {
          error = "cannot write " + path + ": " + ec.message();
          return;
        }
        emitObject(**part, *machine, target.optLevel, out, error);
      },
      error);
  return error;
}

/// Compiles the parts on a thread pool; the error of each part that failed.
static void compileParts(ArrayRef<SmallString<0>> bitcode,
                         const ResolvedTarget &target,
                         ArrayRef<std::string> objects,
                         SmallVectorImpl<std::string> &errors) {
  SmallVector<std::string> partErrors(bitcode.size());
  {
    CodegenErrorScope errorScope;
    llvm::StdThreadPool pool(llvm::hardware_concurrency(bitcode.size()));
    for (unsigned i = 0; i < bitcode.size(); ++i)
      pool.async([&, i] {
        partErrors[i] = compilePart(bitcode[i], target, objects[i]);
      });
    pool.wait();
  }
  for (auto [i, error] : llvm::enumerate(partErrors))
    if (!error.empty())
      errors.push_back("in part " + std::to_string(i + 1) + " of " +
                       std::to_string(partErrors.size()) + ": " + error);
}

/// Links the parts' objects into one relocatable object written to `os`,
/// with the split's symbols made local again.
static LogicalResult linkParts(ArrayRef<std::string> objects, TempFiles &temps,
                               llvm::raw_pwrite_stream &os,
                               SmallVectorImpl<std::string> &errors) {
  llvm::Expected<std::string> linked = temps.create("o");
  if (!linked) {
    errors.push_back(llvm::toString(linked.takeError()));
    return failure();
  }
  std::string ld = findTool("ld.lld"), objcopy = findTool("llvm-objcopy");
  SmallVector<StringRef> ldArgs = {ld, "-r", "-o", *linked};
  for (const std::string &object : objects)
    ldArgs.push_back(object);
  if (failed(runTool(ldArgs, errors)) ||
      failed(runTool({objcopy, "--localize-hidden", *linked}, errors)))
    return failure();
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> result =
      llvm::MemoryBuffer::getFile(*linked);
  if (!result) {
    errors.push_back("cannot read " + *linked + ": " +
                     result.getError().message());
    return failure();
  }
  os << (*result)->getBuffer();
  return success();
}

ParallelEmitResult mlir::bucket::emitObjectInParallel(
    llvm::Module &module, const bucket::TargetOptions &options,
    llvm::raw_pwrite_stream &os, SmallVectorImpl<std::string> &errors) {
  llvm::Expected<ResolvedTarget> target = resolveTarget(options);
  if (!target) {
    errors.push_back(llvm::toString(target.takeError()));
    return ParallelEmitResult::CompileFailed;
  }
  if (!canEmitInParallel(module)) {
    errors.push_back("parallel code generation is unavailable");
    return ParallelEmitResult::Unavailable;
  }
  SmallVector<SmallString<0>> bitcode =
      splitToBitcode(module, getNumParts(module));
  TempFiles temps;
  SmallVector<std::string> objects;
  for (unsigned i = 0; i < bitcode.size(); ++i) {
    llvm::Expected<std::string> object = temps.create("o");
    if (!object) {
      errors.push_back(llvm::toString(object.takeError()));
      return ParallelEmitResult::Unavailable;
    }
    objects.push_back(*object);
  }
  compileParts(bitcode, *target, objects, errors);
  if (!errors.empty())
    return ParallelEmitResult::CompileFailed;
  if (failed(linkParts(objects, temps, os, errors)))
    return ParallelEmitResult::Unavailable;
  return ParallelEmitResult::Written;
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

/// The private functions the lowering created for itself (such as the
/// deallocation's `dealloc_helper`): no `bucket.*` attribute, and the same
/// name in every object, so two objects linked into one program would
/// define them twice. They become local to the object. The buckets and the
/// fallback stay external (their names carry the model's, and an internal
/// bucket would be inlined whole into its dispatcher).
static llvm::StringSet<> getLoweringHelpers(ModuleOp module) {
  llvm::StringSet<> helpers;
  module.walk([&](LLVM::LLVMFuncOp fn) {
    bool ours = llvm::any_of(fn->getDiscardableAttrs(), [](NamedAttribute a) {
      return a.getName().getValue().starts_with("bucket.");
    });
    if (fn.isPrivate() && !fn.isExternal() && !ours)
      helpers.insert(fn.getName());
  });
  return helpers;
}

/// Translates `module` to LLVM IR for `machine`: the data layout, the
/// lowering's helpers made local, the other definitions protected, and the
/// model's self-description added when `exported`.
static FailureOr<std::unique_ptr<llvm::Module>>
translateForTarget(ModuleOp module, llvm::TargetMachine &machine,
                   llvm::LLVMContext &llvmContext,
                   const ModelDescription *exported) {
  Location loc = module.getLoc();
  DialectRegistry registry;
  registerAllToLLVMIRTranslations(registry);
  // bucket.* attributes describe the tensor-level functions for the header;
  // they have nothing to say in LLVM IR.
  registry.addExtension(+[](MLIRContext *, BucketDialect *dialect) {
    dialect->addInterfaces<LLVMTranslationDialectInterface>();
  });
  module->getContext()->appendDialectRegistry(registry);

  llvm::StringSet<> helpers = getLoweringHelpers(module);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return emitError(loc, "translation to LLVM IR failed");
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  // Calls between the object's own functions bind to them, not to a
  // same-named symbol of another library: linked into a shared library, a
  // model function called `step` or `log` would otherwise call libc's or
  // libm's. Protected symbols stay exported.
  for (llvm::Function &fn : *llvmModule) {
    if (helpers.contains(fn.getName()))
      fn.setLinkage(llvm::GlobalValue::InternalLinkage);
    else if (!fn.isDeclaration() && fn.hasExternalLinkage() &&
             fn.hasDefaultVisibility())
      fn.setVisibility(llvm::GlobalValue::ProtectedVisibility);
  }
  // After the data layout: the tables are laid out for the target.
  if (exported)
    if (llvm::Error error = addModelExport(*llvmModule, *exported))
      return emitError(loc, llvm::toString(std::move(error)));
  return llvmModule;
}

/// Optimizes `llvmModule` as the object's code would be and prints it.
static LogicalResult printOptimizedIR(Location loc, llvm::Module &llvmModule,
                                      llvm::TargetMachine &machine,
                                      unsigned optLevel,
                                      llvm::raw_ostream &os) {
  CodegenErrorScope errorScope;
  std::string error;
  if (failed(runCatchingErrors(
          llvmModule.getContext(),
          [&] {
            auto optimize =
                makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, &machine);
            if (llvm::Error err = optimize(&llvmModule))
              error = llvm::toString(std::move(err));
          },
          error)))
    return emitError(loc, "LLVM optimization failed: ") << error;
  llvmModule.print(os, nullptr);
  return success();
}

/// Generates the object: in parallel parts when the module has several
/// buckets, else (or when the parallel path is unavailable) as a whole.
static LogicalResult emitObjectFile(Location loc, llvm::Module &llvmModule,
                                    const bucket::TargetOptions &options,
                                    llvm::TargetMachine &machine,
                                    llvm::raw_pwrite_stream &os) {
  if (canEmitInParallel(llvmModule)) {
    SmallVector<std::string> errors;
    switch (emitObjectInParallel(llvmModule, options, os, errors)) {
    case ParallelEmitResult::Written:
      return success();
    case ParallelEmitResult::CompileFailed: {
      InFlightDiagnostic diag = emitError(loc, "LLVM code generation failed");
      for (const std::string &error : errors)
        diag.attachNote(loc) << error;
      return diag;
    }
    case ParallelEmitResult::Unavailable:
      // Nothing that the module is to blame for: compile it as a whole, on
      // this thread.
      emitWarning(loc, "parallel code generation failed (")
          << llvm::join(errors, "; ") << "); compiling the module as a whole";
      break;
    }
  }
  CodegenErrorScope errorScope;
  std::string error;
  if (failed(runCatchingErrors(
          llvmModule.getContext(),
          [&] { emitObject(llvmModule, machine, options.optLevel, os, error); },
          error)))
    return emitError(loc, "LLVM code generation failed: ") << error;
  return success();
}

LogicalResult mlir::bucket::emitLLVMOutput(ModuleOp module,
                                           const bucket::TargetOptions &options,
                                           OutputKind kind,
                                           llvm::raw_pwrite_stream &os,
                                           const ModelDescription *exported) {
  // At the module's location, without the module: MLIR would print it
  // whole with an error reported on the op.
  Location loc = module.getLoc();
  llvm::Expected<ResolvedTarget> target = resolveTarget(options);
  if (!target)
    return emitError(loc, llvm::toString(target.takeError()));
  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(*target);
  if (!machine)
    return emitError(loc, "cannot create a target machine for '")
           << target->triple.str() << "'";
  llvm::LLVMContext llvmContext;
  FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      translateForTarget(module, *machine, llvmContext, exported);
  if (failed(llvmModule))
    return failure();
  if (kind == OutputKind::LLVMIR)
    return printOptimizedIR(loc, **llvmModule, *machine, options.optLevel, os);
  return emitObjectFile(loc, **llvmModule, options, *machine, os);
}
