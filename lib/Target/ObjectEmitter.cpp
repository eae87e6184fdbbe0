//===- ObjectEmitter.cpp - LLVM IR and object files -----------------------===//

#include "bucket/Target/ObjectEmitter.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Transforms/Utils/SplitModule.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include "llvm/ADT/ScopeExit.h"

#include <memory>

using namespace mlir;
using namespace mlir::bucket;

static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const bucket::TargetOptions &options, std::string &error) {
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;

  bool host = options.triple.empty();
  llvm::Triple triple(host ? llvm::sys::getDefaultTargetTriple()
                           : options.triple);
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu;
  std::string features = options.features;
  if ((cpu.empty() && host) || cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    if (features.empty()) {
      llvm::SubtargetFeatures hostFeatures;
      for (const auto &feature : llvm::sys::getHostCPUFeatures())
        hostFeatures.AddFeature(feature.first(), feature.second);
      features = hostFeatures.getString();
    }
  }
  llvm::CodeGenOptLevel level = options.optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : options.optLevel == 2
                                    ? llvm::CodeGenOptLevel::Default
                                    : llvm::CodeGenOptLevel::Aggressive;
  // Position-independent code links into executables and shared objects.
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, level));
  if (!machine)
    error = "cannot create a target machine for '" + triple.str() + "'";
  return machine;
}

unsigned mlir::bucket::getTargetVectorBits(const bucket::TargetOptions &options) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options, error);
  if (!machine)
    return 0;
  const llvm::MCSubtargetInfo *info = machine->getMCSubtargetInfo();
  if (info->checkFeatures("+avx512f"))
    return 512;
  if (info->checkFeatures("+avx"))
    return 256;
  return 128;
}

//===----------------------------------------------------------------------===//
// Parallel code generation
//===----------------------------------------------------------------------===//
//
// Each bucket is a large static function that LLVM optimizes and compiles on
// its own; with one thread the compile time grows linearly with the number
// of buckets. The module is split by function into one part per hardware
// thread (SplitModule: the functions balanced by size, module-local symbols
// made hidden and external so the parts link), each part is optimized and
// compiled in its own LLVMContext on its own thread, and the parts are linked
// into one relocatable object (ld.lld -r); llvm-objcopy --localize-hidden
// then makes the split's symbols local again, so two objects linked into one
// program cannot collide. Without those tools, or with one thread, the
// module is compiled as a whole.

/// The path of an LLVM tool: next to the LLVM we were built with, else on
/// PATH; empty if neither.
static std::string findTool(StringRef name) {
  llvm::ErrorOr<std::string> path =
      llvm::sys::findProgramByName(name, {BUCKET_LLVM_TOOLS_DIR});
  if (!path)
    path = llvm::sys::findProgramByName(name);
  return path ? *path : std::string();
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
  return haveTools && getNumParts(module) > 1;
}

LogicalResult
mlir::bucket::emitObjectInParallel(llvm::Module &module,
                                   const bucket::TargetOptions &options,
                                   llvm::raw_pwrite_stream &os) {
  if (!canEmitInParallel(module))
    return failure();
  unsigned numParts = getNumParts(module);
  SmallVector<SmallString<0>> bitcode;
  llvm::SplitModule(
      module, numParts,
      [&](std::unique_ptr<llvm::Module> part) {
        SmallString<0> buffer;
        llvm::raw_svector_ostream out(buffer);
        llvm::WriteBitcodeToFile(*part, out);
        bitcode.push_back(std::move(buffer));
      },
      /*PreserveLocals=*/false, /*RoundRobin=*/true);

  // Temporary files, removed whatever happens.
  SmallVector<std::string> files;
  llvm::scope_exit cleanup([&] {
    for (const std::string &file : files)
      llvm::sys::fs::remove(file);
  });
  auto tempFile = [&](StringRef suffix) -> std::string {
    SmallString<128> path;
    if (llvm::sys::fs::createTemporaryFile("bucket", suffix, path))
      return std::string();
    files.push_back(path.str().str());
    return files.back();
  };

  SmallVector<std::string> objects(bitcode.size());
  for (std::string &object : objects)
    if ((object = tempFile("o")).empty())
      return failure();
  SmallVector<std::string> errors(bitcode.size());
  {
    llvm::StdThreadPool pool(llvm::hardware_concurrency(numParts));
    for (unsigned i = 0; i < bitcode.size(); ++i) {
      pool.async([&, i] {
        llvm::LLVMContext context;
        llvm::Expected<std::unique_ptr<llvm::Module>> part =
            llvm::parseBitcodeFile(
                llvm::MemoryBufferRef(bitcode[i], "part"), context);
        if (!part) {
          errors[i] = llvm::toString(part.takeError());
          return;
        }
        std::string error;
        std::unique_ptr<llvm::TargetMachine> machine =
            createTargetMachine(options, error);
        if (!machine) {
          errors[i] = error;
          return;
        }
        auto optimize = makeOptimizingTransformer(
            options.optLevel, /*sizeLevel=*/0, machine.get());
        if (llvm::Error err = optimize(part->get())) {
          errors[i] = llvm::toString(std::move(err));
          return;
        }
        std::error_code ec;
        llvm::raw_fd_ostream out(objects[i], ec);
        llvm::legacy::PassManager codegen;
        if (ec || machine->addPassesToEmitFile(
                      codegen, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
          errors[i] = "cannot write " + objects[i];
          return;
        }
        codegen.run(**part);
      });
    }
    pool.wait();
  }
  if (llvm::any_of(errors, [](const std::string &e) { return !e.empty(); }))
    return failure();

  std::string linked = tempFile("o");
  std::string ld = findTool("ld.lld"), objcopy = findTool("llvm-objcopy");
  SmallVector<StringRef> ldArgs = {ld, "-r", "-o", linked};
  for (const std::string &object : objects)
    ldArgs.push_back(object);
  if (linked.empty() || llvm::sys::ExecuteAndWait(ld, ldArgs) != 0 ||
      llvm::sys::ExecuteAndWait(objcopy,
                                {objcopy, "--localize-hidden", linked}) != 0)
    return failure();
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> result =
      llvm::MemoryBuffer::getFile(linked);
  if (!result)
    return failure();
  os << (*result)->getBuffer();
  return success();
}

LogicalResult mlir::bucket::emitLLVMOutput(ModuleOp module,
                                           const bucket::TargetOptions &options,
                                           OutputKind kind,
                                           llvm::raw_pwrite_stream &os) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options, error);
  if (!machine)
    return module.emitError("cannot target '")
           << (options.triple.empty() ? "host" : options.triple)
           << "': " << error;

  DialectRegistry registry;
  registerAllToLLVMIRTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(machine->getTargetTriple());
  llvmModule->setDataLayout(machine->createDataLayout());

  // An object of several buckets is optimized and generated in parallel
  // (each part optimizes on its own); IR output and the fallback path
  // optimize the whole module here.
  bool parallel = kind == OutputKind::Object && canEmitInParallel(*llvmModule);
  if (!parallel) {
    auto optimize = makeOptimizingTransformer(options.optLevel,
                                              /*sizeLevel=*/0, machine.get());
    if (llvm::Error err = optimize(llvmModule.get()))
      return module.emitError("LLVM optimization failed: ")
             << llvm::toString(std::move(err));
  }

  if (kind == OutputKind::LLVMIR) {
    llvmModule->print(os, nullptr);
    return success();
  }
  if (parallel) {
    if (succeeded(emitObjectInParallel(*llvmModule, options, os)))
      return success();
    // It could not (a tool failed): compile the module as a whole.
    auto optimize = makeOptimizingTransformer(options.optLevel,
                                              /*sizeLevel=*/0, machine.get());
    if (llvm::Error err = optimize(llvmModule.get()))
      return module.emitError("LLVM optimization failed: ")
             << llvm::toString(std::move(err));
  }
  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, os, nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return module.emitError("the target cannot emit object files");
  codegen.run(*llvmModule);
  return success();
}
