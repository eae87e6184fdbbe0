//===- node-tests.cpp - bucket-onnx-node-tests: the ONNX backend tests ----===//
//
// Runs the ONNX backend node tests (libonnx-testdata: DIR/<test>/model.onnx
// and test_data_set_N/{input,output}_K.pb) through the importer and bucket's
// lowering, JIT-compiles each and compares with the expected outputs.
//
//   bucket-onnx-node-tests DIR --runtime-lib libbucket_runtime.so
//       [--filter SUBSTRING] [-v]
//
// Each test runs in a child process (a crash is a failure, not the end of
// the run). Inputs take their static shapes from the data; integer inputs
// of rank 0 or 1 (shape operands: Reshape's shape, Slice's starts, ...) and
// the float operands the importer needs as constants (Resize's scales and
// roi, Pad's value) are folded into constants. A test is
//   passed       if every output matches (floats within 1e-5 + 1e-3 * |ref|,
//                integers and booleans exactly),
//   unsupported  if the importer rejects it with an "unsupported" or
//                "depends on data" diagnostic,
//   failed       otherwise (any other error, a mismatch, a crash).
// Prints one line per failure (all with -v) and
//   node tests: P passed, U unsupported, F failed
// and exits 0 only if nothing failed.
//
//===----------------------------------------------------------------------===//

#include "bucket/IR/BucketDialect.h"
#include "bucket/Onnx/OnnxImporter.h"
#include "bucket/Pipeline/Pipeline.h"
#include "bucket/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"

#include <cmath>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum Outcome { Passed = 0, Failed = 1, Unsupported = 2 };

/// A memref descriptor of any rank, as the C interface lays it out: two
/// pointers, the offset, then sizes and strides (all 8 bytes).
struct Descriptor {
  SmallVector<int64_t> words;
  explicit Descriptor(int64_t rank) : words(3 + 2 * rank, 0) {}
};

Descriptor makeDescriptor(void *data, ArrayRef<int64_t> shape) {
  Descriptor d(shape.size());
  d.words[0] = d.words[1] = reinterpret_cast<int64_t>(data);
  int64_t stride = 1;
  for (int64_t i = shape.size() - 1; i >= 0; --i) {
    d.words[3 + i] = shape[i];
    d.words[3 + shape.size() + i] = stride;
    stride *= shape[i];
  }
  return d;
}

/// The raw bytes of an attribute, one byte per boolean.
std::vector<char> toBytes(DenseElementsAttr attr) {
  Type type = attr.getElementType();
  std::vector<char> bytes;
  if (type.isInteger(1)) {
    for (bool v : attr.getValues<bool>())
      bytes.push_back(v);
    return bytes;
  }
  int64_t width = type.getIntOrFloatBitWidth() / 8;
  bytes.resize(attr.getNumElements() * width);
  if (attr.isSplat()) {
    ArrayRef<char> one = attr.getRawData();
    for (int64_t i = 0; i < attr.getNumElements(); ++i)
      std::memcpy(bytes.data() + i * width, one.data(), width);
  } else if (!bytes.empty()) {
    // An empty tensor has no data to copy (and a null data pointer).
    std::memcpy(bytes.data(), attr.getRawData().data(), bytes.size());
  }
  return bytes;
}

/// Compares `count` elements at `got` with `expected`; describes the first
/// mismatch in `why`.
bool compare(const char *got, DenseElementsAttr expected, std::string &why) {
  Type type = expected.getElementType();
  std::vector<char> ref = toBytes(expected);
  int64_t n = expected.getNumElements();
  for (int64_t i = 0; i < n; ++i) {
    double a, r;
    if (type.isF32()) {
      a = reinterpret_cast<const float *>(got)[i];
      r = reinterpret_cast<const float *>(ref.data())[i];
    } else if (type.isF64()) {
      a = reinterpret_cast<const double *>(got)[i];
      r = reinterpret_cast<const double *>(ref.data())[i];
    } else {
      int64_t width = type.getIntOrFloatBitWidth() / 8;
      if (type.isInteger(1))
        width = 1;
      if (std::memcmp(got + i * width, ref.data() + i * width, width) == 0)
        continue;
      why = "integer element " + std::to_string(i) + " differs";
      return false;
    }
    if (std::isnan(a) && std::isnan(r))
      continue;
    if (a == r || std::fabs(a - r) <= 1e-5 + 1e-3 * std::fabs(r))
      continue;
    why = "element " + std::to_string(i) + ": " + std::to_string(a) +
          ", expected " + std::to_string(r);
    return false;
  }
  return true;
}

/// Reads test_data_set_0/<prefix>_K.pb in order.
FailureOr<SmallVector<std::pair<std::string, DenseElementsAttr>>>
readTensors(MLIRContext &ctx, StringRef dir, StringRef prefix) {
  SmallVector<std::pair<std::string, DenseElementsAttr>> tensors;
  for (int k = 0;; ++k) {
    SmallString<256> path(dir);
    llvm::sys::path::append(path, (prefix + "_" + Twine(k) + ".pb").str());
    if (!llvm::sys::fs::exists(path))
      break;
    std::string name;
    FailureOr<DenseElementsAttr> t =
        bucket::readOnnxTensorFile(&ctx, path, &name);
    if (failed(t))
      return failure();
    tensors.push_back({name, *t});
  }
  return tensors;
}

Outcome runTest(StringRef testDir, StringRef runtimeLib, bool verbose,
                std::string &why) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  bucket::registerBucketDialect(registry);
  MLIRContext ctx(registry);
  ctx.disableMultithreading();
  ctx.printOpOnDiagnostic(false);
  std::string messages;
  bool allUnsupported = true;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    std::string text = diag.str();
    if (diag.getSeverity() == DiagnosticSeverity::Error &&
        text.find("unsupported") == std::string::npos &&
        text.find("depends on data") == std::string::npos)
      allUnsupported = false;
    messages += text + "; ";
    return success();
  });

  SmallString<256> dataDir(testDir);
  llvm::sys::path::append(dataDir, "test_data_set_0");
  auto inputs = readTensors(ctx, dataDir, "input");
  auto outputs = readTensors(ctx, dataDir, "output");
  if (failed(inputs) || failed(outputs)) {
    // Sequence and optional values are not tensors: the model says whether
    // that is what the importer does not support.
    SmallString<256> model(testDir);
    llvm::sys::path::append(model, "model.onnx");
    allUnsupported = true;
    messages.clear();
    OwningOpRef<ModuleOp> plain =
        bucket::importOnnxModelFile(&ctx, model, bucket::OnnxImportOptions());
    why = "cannot read the test data: " + messages;
    return !plain && allUnsupported ? Unsupported : Failed;
  }
  bucket::OnnxImportOptions options;
  options.funcName = "test";
  // Resize's scales and roi and Pad's constant value are operands the
  // importer needs as constants too (exporters always make them constants).
  auto isShapeOperand = [](StringRef name, RankedTensorType type) {
    if (type.getRank() > 1)
      return false;
    return isa<IntegerType>(type.getElementType()) || name == "scales" ||
           name == "roi" || name == "value";
  };
  for (auto &[name, value] : *inputs) {
    auto type = cast<RankedTensorType>(value.getType());
    if (isShapeOperand(name, type))
      options.constantInputs[name] = value;
    else
      options.inputShapes[name] = llvm::to_vector(type.getShape());
  }
  SmallString<256> modelPath(testDir);
  llvm::sys::path::append(modelPath, "model.onnx");
  OwningOpRef<ModuleOp> module =
      bucket::importOnnxModelFile(&ctx, modelPath, options);
  if (!module) {
    why = messages;
    return allUnsupported ? Unsupported : Failed;
  }
  auto func = *module->getOps<func::FuncOp>().begin();
  // Arguments in the function's order, by their ONNX names.
  SmallVector<DenseElementsAttr> args;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    auto name = func.getArgAttrOfType<StringAttr>(i, bucket::kOnnxNameAttrName);
    auto it = llvm::find_if(*inputs, [&](auto &p) { return p.first == name; });
    if (it == inputs->end()) {
      why = "no test data for input '" + name.str() + "'";
      return Failed;
    }
    args.push_back(it->second);
  }
  if (func.getNumResults() != outputs->size()) {
    why = "the model has " + std::to_string(func.getNumResults()) +
          " outputs, the test data " + std::to_string(outputs->size());
    return Failed;
  }

  // The lowering replaces the function: keep what the call needs.
  SmallVector<Type> resultTypes(func.getResultTypes());
  PassManager pm(&ctx);
  pm.addNestedPass<func::FuncOp>(bucket::createBucketDecomposeAggregatesPass());
  bucket::buildLowerToLLVMPipeline(pm);
  if (failed(pm.run(*module))) {
    why = "lowering failed: " + messages;
    return Failed;
  }
  ExecutionEngineOptions engineOptions;
  SmallVector<StringRef> libs{runtimeLib};
  engineOptions.sharedLibPaths = libs;
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine) {
    why = "JIT failed: " + llvm::toString(engine.takeError());
    return Failed;
  }

  std::vector<std::vector<char>> argData;
  std::vector<Descriptor> descs;
  for (DenseElementsAttr a : args) {
    argData.push_back(toBytes(a));
    descs.push_back(makeDescriptor(
        argData.back().data(), cast<RankedTensorType>(a.getType()).getShape()));
  }
  // Results: one struct of descriptors, in order.
  SmallVector<size_t> resultOffsets;
  size_t words = 0;
  for (Type t : resultTypes) {
    resultOffsets.push_back(words);
    words += 3 + 2 * cast<RankedTensorType>(t).getRank();
  }
  std::vector<int64_t> results(std::max<size_t>(words, 1), 0);
  void *resultPtr = results.data();
  SmallVector<void *> descPtrs;
  for (Descriptor &d : descs)
    descPtrs.push_back(d.words.data());
  // The C interface takes pointers only: call it directly.
  SmallVector<void *> ptrs;
  if (!resultTypes.empty())
    ptrs.push_back(resultPtr);
  llvm::append_range(ptrs, descPtrs);
  auto fn = (*engine)->lookup("_mlir_ciface_test");
  if (!fn) {
    why = "no entry point: " + llvm::toString(fn.takeError());
    return Failed;
  }
  using P = void *;
  void *f = *fn;
  switch (ptrs.size()) {
  case 1:
    reinterpret_cast<void (*)(P)>(f)(ptrs[0]);
    break;
  case 2:
    reinterpret_cast<void (*)(P, P)>(f)(ptrs[0], ptrs[1]);
    break;
  case 3:
    reinterpret_cast<void (*)(P, P, P)>(f)(ptrs[0], ptrs[1], ptrs[2]);
    break;
  case 4:
    reinterpret_cast<void (*)(P, P, P, P)>(f)(ptrs[0], ptrs[1], ptrs[2],
                                              ptrs[3]);
    break;
  case 5:
    reinterpret_cast<void (*)(P, P, P, P, P)>(f)(ptrs[0], ptrs[1], ptrs[2],
                                                 ptrs[3], ptrs[4]);
    break;
  case 6:
    reinterpret_cast<void (*)(P, P, P, P, P, P)>(f)(ptrs[0], ptrs[1], ptrs[2],
                                                    ptrs[3], ptrs[4], ptrs[5]);
    break;
  default:
    why = "unsupported number of inputs for the driver";
    return Unsupported;
  }
  for (auto [k, expected] : llvm::enumerate(*outputs)) {
    DenseElementsAttr ref = expected.second;
    auto refType = cast<RankedTensorType>(ref.getType());
    const int64_t *d = results.data() + resultOffsets[k];
    int64_t rank = refType.getRank();
    if (cast<RankedTensorType>(resultTypes[k]).getRank() != rank) {
      why = "output " + std::to_string(k) + " has the wrong rank";
      return Failed;
    }
    for (int64_t i = 0; i < rank; ++i)
      if (d[3 + i] != refType.getDimSize(i)) {
        why = "output " + std::to_string(k) + " has the wrong shape";
        return Failed;
      }
    Type elementType = refType.getElementType();
    int64_t width =
        elementType.isInteger(1) ? 1 : elementType.getIntOrFloatBitWidth() / 8;
    const char *data = reinterpret_cast<const char *>(d[1]) + d[2] * width;
    if (!compare(data, ref, why)) {
      why = "output " + std::to_string(k) + ": " + why;
      return Failed;
    }
  }
  return Passed;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::opt<std::string> dir(cl::Positional, cl::desc("<node test directory>"),
                           cl::Required);
  cl::opt<std::string> runtimeLib("runtime-lib",
                                  cl::desc("The bucket runtime shared library"),
                                  cl::Required);
  cl::opt<std::string> filter("filter",
                              cl::desc("Run the tests whose name contains"));
  cl::opt<bool> verbose("v", cl::desc("Print every test's outcome"));
  cl::ParseCommandLineOptions(argc, argv, "ONNX backend node tests\n");
  // The lowering pipeline is partly parsed from text: its passes must be
  // registered.
  registerAllPasses();
  bucket::registerBucketTransformsPasses();
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  std::vector<std::string> tests;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::fs::exists(it->path() + "/model.onnx"))
      tests.push_back(it->path());
  if (ec || tests.empty()) {
    llvm::errs() << "bucket-onnx-node-tests: no tests in '" << dir << "'\n";
    return 1;
  }
  llvm::sort(tests);
  int counts[3] = {0, 0, 0};
  int crashes = 0;
  for (const std::string &test : tests) {
    StringRef name = llvm::sys::path::filename(test);
    if (!filter.empty() && !name.contains(filter))
      continue;
    int pipes[2];
    if (pipe(pipes) != 0)
      return 1;
    fflush(stdout);
    llvm::outs().flush();
    pid_t pid = fork();
    if (pid == 0) {
      close(pipes[0]);
      alarm(120);
      std::string why;
      Outcome outcome = runTest(test, runtimeLib, verbose, why);
      if (write(pipes[1], why.data(), why.size()) < 0)
        _exit(Failed);
      _exit(outcome);
    }
    close(pipes[1]);
    std::string why;
    char buf[4096];
    ssize_t n;
    while ((n = read(pipes[0], buf, sizeof(buf))) > 0)
      why.append(buf, n);
    close(pipes[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    Outcome outcome = Failed;
    if (WIFEXITED(status) && WEXITSTATUS(status) <= Unsupported) {
      outcome = static_cast<Outcome>(WEXITSTATUS(status));
    } else {
      ++crashes;
      why = WIFSIGNALED(status)
                ? "crashed with signal " + std::to_string(WTERMSIG(status))
                : "exited with " + std::to_string(WEXITSTATUS(status));
    }
    ++counts[outcome];
    if (outcome == Failed || verbose) {
      static const char *labels[] = {"PASS", "FAIL", "UNSUPPORTED"};
      if (why.size() > 400)
        why = why.substr(0, 400) + "...";
      llvm::outs() << labels[outcome] << " " << name;
      if (outcome != Passed)
        llvm::outs() << ": " << why;
      llvm::outs() << "\n";
    }
  }
  llvm::outs() << "node tests: " << counts[Passed] << " passed, "
               << counts[Unsupported] << " unsupported, " << counts[Failed]
               << " failed (" << crashes << " crashed)\n";
  return counts[Failed] ? 1 : 0;
}
