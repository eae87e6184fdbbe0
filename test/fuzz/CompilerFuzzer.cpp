//===- CompilerFuzzer.cpp - libFuzzer target for the whole compiler -------===//
//
// Compiles arbitrary text as bucket-compile does: parses it as a textual
// MLIR module, runs the bucket-bucketize pipeline, describes the model and
// writes its C header (to nowhere), lowers to the LLVM dialect and
// translates to LLVM IR. No object is emitted.
//
// A first line `// bucket-bucketize: KEY=VALUE ...` sets the pipeline's
// options (buckets, pad-values, masks, out-of-range, self-check, padding,
// max-buckets, symbol-prefix, c-interface, export-buckets) and the code
// generator's `vector-bits`; the seeds made from the tests carry their RUN
// lines' options there. Unknown keys are ignored.
//
// A diagnostic is fine. A crash, an assertion of our code (compiled with
// assertions on; Debian's libMLIR has none), a sanitizer report, a hang, a
// module that does not verify after a pass that succeeded, a pipeline that
// fails without an error, or a lowered module that LLVM IR translation
// refuses is a bug: the target aborts, printing the diagnostics it saw.
// BUCKET_FUZZ_VERBOSE=1 prints every diagnostic as it comes.
//
//===----------------------------------------------------------------------===//

#include "bucket/IR/BucketDialect.h"
#include "bucket/Pipeline/Pipeline.h"
#include "bucket/Target/HeaderEmitter.h"
#include "bucket/Target/ModelDescription.h"
#include "bucket/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using namespace mlir;

namespace {
/// The prefix of the optional first line that carries the options.
constexpr llvm::StringLiteral kOptionsPrefix = "// bucket-bucketize:";

/// More specializations than this make an input slow, not more interesting:
/// each bucket is lowered on its own.
constexpr unsigned kMaxBuckets = 16;

/// The dialects and translations bucket-compile registers, built once.
DialectRegistry *registry;
bool verbose = false;

/// Collects the diagnostics of one input: counted, kept for the report of
/// a bug, printed only when asked.
struct Diagnostics {
  unsigned numErrors = 0;
  std::vector<std::string> messages;

  void record(Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      ++numErrors;
    if (messages.size() >= 32)
      return;
    std::string text;
    llvm::raw_string_ostream os(text);
    os << diag.getLocation() << ": " << diag;
    messages.push_back(std::move(text));
    if (verbose)
      llvm::errs() << messages.back() << "\n";
  }
};

/// Prints what happened and aborts, so that libFuzzer saves the input.
[[noreturn]] void reportBug(const Diagnostics &diags, const llvm::Twine &what) {
  llvm::errs() << "bucket-fuzz-compiler: " << what << "\n";
  for (const std::string &message : diags.messages)
    llvm::errs() << "  " << message << "\n";
  abort();
}

/// Verifies the IR after every pass that succeeded (the pass manager's own
/// verifier is off: its failure looks like any pass failure).
struct VerifyAfterEachPass : public PassInstrumentation {
  explicit VerifyAfterEachPass(const Diagnostics &diags) : diags(diags) {}
  void runAfterPass(Pass *pass, Operation *op) override {
    if (failed(verify(op)))
      reportBug(diags, llvm::Twine("verification failed after ") +
                           pass->getName() + " (" + pass->getArgument() + ")");
  }
  const Diagnostics &diags;
};

/// Applies one `key=value` of the options line; unknown keys and malformed
/// values are ignored (the mutations make many).
void applyOption(StringRef key, StringRef value,
                 bucket::BucketizeOptions &options, unsigned &vectorBits) {
  bool flag = value.empty() || value == "true" || value == "1";
  unsigned number = 0;
  if (key == "buckets")
    options.buckets = value.str();
  else if (key == "pad-values")
    options.padValues = value.str();
  else if (key == "masks")
    options.masks = value.str();
  else if (key == "out-of-range")
    options.outOfRange = value.str();
  else if (key == "padding")
    options.padding = value.str();
  else if (key == "symbol-prefix")
    options.symbolPrefix = value.str();
  else if (key == "self-check")
    options.selfCheck = flag;
  else if (key == "c-interface")
    options.cInterface = flag;
  else if (key == "export-buckets")
    options.exportBuckets = flag;
  else if (key == "max-buckets" && !value.getAsInteger(10, number))
    options.maxBuckets = std::min(number, kMaxBuckets);
  else if (key == "vector-bits" && !value.getAsInteger(10, number) &&
           (number == 128 || number == 256 || number == 512))
    vectorBits = number;
}

/// Applies the options line of `text`, if it has one. The line stays in
/// the module's text (a comment), so locations keep their line numbers. The
/// defaults are bucket-compile's: the C interface on; and 256-bit vectors (a
/// fixed width, so that a reproducer behaves the same on every machine).
void parseOptions(StringRef text, bucket::BucketizeOptions &options,
                  unsigned &vectorBits) {
  options.cInterface = true;
  options.maxBuckets = kMaxBuckets;
  vectorBits = 256;
  if (!text.starts_with(kOptionsPrefix))
    return;
  StringRef line = text.split('\n').first;
  SmallVector<StringRef> words;
  llvm::SplitString(line.drop_front(kOptionsPrefix.size()), words);
  for (StringRef word : words) {
    auto [key, value] = word.split('=');
    applyOption(key, value, options, vectorBits);
  }
}

/// Runs `build`'s passes on `module` with the verifier after each. Returns
/// whether they succeeded; a failure must have said why.
template <typename BuildFn>
bool runPasses(ModuleOp module, const Diagnostics &diags, StringRef stage,
               BuildFn build) {
  PassManager pm(module.getContext());
  pm.enableVerifier(false);
  pm.addInstrumentation(std::make_unique<VerifyAfterEachPass>(diags));
  build(pm);
  unsigned errorsBefore = diags.numErrors;
  if (succeeded(pm.run(module)))
    return true;
  if (diags.numErrors == errorsBefore)
    reportBug(diags, llvm::Twine(stage) + " failed without an error");
  return false;
}

/// Compiles `module` as bucket-compile does up to LLVM IR.
void compile(ModuleOp module, const Diagnostics &diags,
             const bucket::BucketizeOptions &options, unsigned vectorBits) {
  if (!runPasses(module, diags, "bucket-bucketize", [&](OpPassManager &pm) {
        bucket::buildBucketizePipeline(pm, options);
      }))
    return;
  FailureOr<bucket::ModelDescription> model =
      bucket::describeModel(module, "fuzz");
  if (failed(model)) {
    if (diags.numErrors == 0)
      reportBug(diags, "describeModel failed without an error");
    return;
  }
  llvm::raw_null_ostream header;
  if (failed(bucket::emitCHeader(*model, /*objectExports=*/true, header)))
    return;
  if (!runPasses(module, diags, "bucket-lower-to-llvm", [&](OpPassManager &pm) {
        bucket::buildLowerToLLVMPipeline(pm, vectorBits);
      }))
    return;
  llvm::LLVMContext llvmContext;
  if (!translateModuleToLLVMIR(module, llvmContext))
    reportBug(diags, "the lowered module does not translate to LLVM IR");
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  registerAllPasses();
  bucket::registerBucketTransformsPasses();
  registry = new DialectRegistry();
  registerAllDialects(*registry);
  registerAllExtensions(*registry);
  bucket::registerBucketDialect(*registry);
  registerBuiltinDialectTranslation(*registry);
  registerLLVMDialectTranslation(*registry);
  const char *env = getenv("BUCKET_FUZZ_VERBOSE");
  verbose = env && *env && *env != '0';
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A copy: the parser wants its buffer to end with a null character.
  std::string text(reinterpret_cast<const char *>(data), size);
  bucket::BucketizeOptions options;
  unsigned vectorBits = 0;
  parseOptions(text, options, vectorBits);

  // A fresh context per input: nothing an input uniques or loads outlives
  // it.
  MLIRContext context(*registry, MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  Diagnostics diags;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    diags.record(diag);
    return success(); // Consumed: nothing printed per input.
  });
  // Parsing verifies: what parses is a valid module.
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, &context, "fuzz.mlir");
  if (!module)
    return 0;
  compile(*module, diags, options, vectorBits);
  return 0;
}
