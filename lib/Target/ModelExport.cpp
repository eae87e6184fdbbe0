//===- ModelExport.cpp - The tables an object file exports ----------------===//

#include "bucket/Target/ModelExport.h"
#include "bucket/Target/ModelDescription.h"

// The layouts, the ABI version, the maximum rank and the exported symbol's
// name come from the runtime's ABI header, the only place they are defined.
#include "bucket/runtime_abi.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

using namespace mlir;
using namespace mlir::bucket;

static std::string getCInterfaceName(const FunctionDescription &fn) {
  return "_mlir_ciface_" + fn.name;
}

/// Checks that `module` has what the tables of `model` need and none of the
/// symbols they add.
static llvm::Error checkModule(llvm::Module &module,
                               const ModelDescription &model) {
  std::string modelSymbol = getModelExportSymbol(model.name);
  for (StringRef symbol :
       {StringRef(modelSymbol), StringRef(BUCKET_MODEL_EXPORT_SYMBOL)})
    if (module.getNamedValue(symbol))
      return llvm::createStringError(
          "cannot export the model's table: the module already defines '" +
          symbol + "'");
  for (const FunctionDescription &fn : model.functions) {
    std::string name = getCInterfaceName(fn);
    llvm::Function *callee = module.getFunction(name);
    if (!callee || callee->isDeclaration())
      return llvm::createStringError("cannot export the model's table: '" +
                                     fn.name + "' has no C interface ('" +
                                     name + "' is not defined)");
    size_t expected = fn.args.size() + (fn.results.empty() ? 0 : 1);
    bool pointers = llvm::all_of(callee->args(), [](llvm::Argument &arg) {
      return arg.getType()->isPointerTy();
    });
    if (callee->arg_size() != expected || !pointers ||
        !callee->getReturnType()->isVoidTy())
      return llvm::createStringError(
          "cannot export the model's table: '" + name + "' does not take " +
          Twine(expected) + " pointers to descriptors");
  }
  return llvm::Error::success();
}

namespace {
/// Builds the constants of one model's tables in a module. The struct types
/// mirror bucket/runtime_abi.h field by field; LLVM lays them out with the
/// module's data layout as the target's C compiler lays out the C structs.
class ExportBuilder {
public:
  ExportBuilder(llvm::Module &module, const ModelDescription &model)
      : module(module), model(model), ctx(module.getContext()),
        i32(llvm::Type::getInt32Ty(ctx)), i64(llvm::Type::getInt64Ty(ctx)),
        ptr(llvm::PointerType::getUnqual(ctx)) {
    valueInfo = llvm::StructType::create(
        ctx,
        {i32, i32, llvm::ArrayType::get(i64, BUCKET_MAX_RANK),
         llvm::ArrayType::get(i32, BUCKET_MAX_RANK)},
        "bucket_value_info_t");
    functionInfo = llvm::StructType::create(
        ctx, {ptr, i32, ptr, i32, ptr, i32, ptr, i32, ptr, ptr, ptr},
        "bucket_function_info_t");
    modelInfo =
        llvm::StructType::create(ctx, {i32, i32, ptr}, "bucket_model_info_t");
    exportInfo = llvm::StructType::create(ctx, {i32, ptr, ptr, ptr},
                                          "bucket_model_export_t");
  }

  /// Adds everything; `module` must have passed checkModule.
  void build();

private:
  /// A module-local constant `__bucket_<model>_<suffix>`.
  llvm::Constant *addConstant(const Twine &suffix, llvm::Constant *init) {
    auto *global =
        new llvm::GlobalVariable(module, init->getType(), /*isConstant=*/true,
                                 llvm::GlobalValue::PrivateLinkage, init,
                                 "__bucket_" + model.name + "_" + suffix);
    global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return global;
  }
  llvm::Constant *addString(const Twine &suffix, StringRef text) {
    return addConstant(suffix,
                       llvm::ConstantDataArray::getString(ctx, text, true));
  }
  llvm::Constant *null() { return llvm::ConstantPointerNull::get(ptr); }
  llvm::Constant *int32(int64_t value) {
    return llvm::ConstantInt::get(i32, value, /*IsSigned=*/true);
  }

  llvm::Constant *getValueInfo(const ValueDescription &value);
  llvm::Constant *addValueTable(const FunctionDescription &fn, StringRef suffix,
                                ArrayRef<ValueDescription> values);
  llvm::Constant *getFunctionInfo(const FunctionDescription &fn);
  llvm::Function *addTrampoline(const FunctionDescription &fn);

  llvm::Module &module;
  const ModelDescription &model;
  llvm::LLVMContext &ctx;
  llvm::Type *i32, *i64;
  llvm::PointerType *ptr;
  llvm::StructType *valueInfo, *functionInfo, *modelInfo, *exportInfo;
};
} // namespace

/// A bucket_value_info_t; the entries past the rank are 0, as in a C
/// initializer.
llvm::Constant *ExportBuilder::getValueInfo(const ValueDescription &value) {
  SmallVector<llvm::Constant *> shape, dimIds;
  for (unsigned d = 0; d < BUCKET_MAX_RANK; ++d) {
    bool inRank = d < value.shape.size();
    shape.push_back(llvm::ConstantInt::get(i64, inRank ? value.shape[d] : 0,
                                           /*IsSigned=*/true));
    dimIds.push_back(int32(inRank ? value.dimIds[d] : 0));
  }
  return llvm::ConstantStruct::get(
      valueInfo, {int32(value.elementType), int32(value.shape.size()),
                  llvm::ConstantArray::get(
                      llvm::ArrayType::get(i64, BUCKET_MAX_RANK), shape),
                  llvm::ConstantArray::get(
                      llvm::ArrayType::get(i32, BUCKET_MAX_RANK), dimIds)});
}

/// `<fn>_<suffix>`: the descriptions of the arguments or results; null when
/// there are none.
llvm::Constant *
ExportBuilder::addValueTable(const FunctionDescription &fn, StringRef suffix,
                             ArrayRef<ValueDescription> values) {
  if (values.empty())
    return null();
  SmallVector<llvm::Constant *> infos;
  for (const ValueDescription &value : values)
    infos.push_back(getValueInfo(value));
  return addConstant(fn.name + "_" + suffix,
                     llvm::ConstantArray::get(
                         llvm::ArrayType::get(valueInfo, infos.size()), infos));
}

/// The bucket_function_info_t of `fn`, with its tables added to the module.
llvm::Constant *ExportBuilder::getFunctionInfo(const FunctionDescription &fn) {
  llvm::Constant *dimNames = null(), *buckets = null(), *policies = null();
  if (fn.isBucketed()) {
    SmallVector<llvm::Constant *> names;
    for (auto [i, name] : llvm::enumerate(fn.dimNames))
      names.push_back(addString(fn.name + "_dim" + Twine(i), name));
    dimNames = addConstant(fn.name + "_dim_names",
                           llvm::ConstantArray::get(
                               llvm::ArrayType::get(ptr, names.size()), names));
    buckets = addConstant(
        fn.name + "_buckets",
        llvm::ConstantDataArray::get(ctx, ArrayRef<int64_t>(fn.buckets)));
  }
  if (fn.isBucketed() && !fn.outOfRange.empty()) {
    SmallVector<int32_t> values;
    for (OutOfRangePolicy policy : fn.outOfRange)
      values.push_back(getOutOfRangePolicyValue(policy));
    policies = addConstant(fn.name + "_out_of_range",
                           llvm::ConstantDataArray::get(ctx, values));
  }
  llvm::Constant *tied = null();
  if (!fn.tiedResults.empty())
    tied = addConstant(
        fn.name + "_tied_results",
        llvm::ConstantDataArray::get(ctx, ArrayRef<int32_t>(fn.tiedResults)));
  return llvm::ConstantStruct::get(
      functionInfo,
      {addString(fn.name + "_name", fn.name), int32(fn.args.size()),
       addValueTable(fn, "args", fn.args), int32(fn.results.size()),
       addValueTable(fn, "results", fn.results), int32(fn.dimNames.size()),
       dimNames, int32(fn.numBuckets), buckets, policies, tied});
}

/// A bucket_trampoline_t: forwards ptrs[0] (the results, when there are
/// any) and ptrs[1 + i] (argument i) to `_mlir_ciface_<fn>`.
llvm::Function *ExportBuilder::addTrampoline(const FunctionDescription &fn) {
  llvm::Function *callee = module.getFunction(getCInterfaceName(fn));
  auto *type =
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
  auto *trampoline = llvm::Function::Create(
      type, llvm::GlobalValue::InternalLinkage,
      "__bucket_" + model.name + "_" + fn.name + "_trampoline", module);
  trampoline->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> builder(llvm::BasicBlock::Create(ctx, "entry", trampoline));
  llvm::Value *ptrs = trampoline->getArg(0);
  SmallVector<llvm::Value *> forwarded;
  unsigned first = fn.results.empty() ? 1 : 0;
  for (unsigned i = first; i <= fn.args.size(); ++i)
    forwarded.push_back(builder.CreateLoad(
        ptr, builder.CreateConstInBoundsGEP1_64(ptr, ptrs, i)));
  builder.CreateCall(callee, forwarded);
  builder.CreateRetVoid();
  return trampoline;
}

void ExportBuilder::build() {
  SmallVector<llvm::Constant *> infos, trampolines;
  for (const FunctionDescription &fn : model.functions) {
    infos.push_back(getFunctionInfo(fn));
    trampolines.push_back(addTrampoline(fn));
  }
  llvm::Constant *functions = null(), *trampolineTable = null();
  if (!infos.empty()) {
    functions = addConstant(
        "functions",
        llvm::ConstantArray::get(
            llvm::ArrayType::get(functionInfo, infos.size()), infos));
    trampolineTable = addConstant(
        "trampolines",
        llvm::ConstantArray::get(llvm::ArrayType::get(ptr, trampolines.size()),
                                 trampolines));
  }
  llvm::Constant *version = int32(BUCKET_RUNTIME_ABI_VERSION);
  llvm::Constant *info = addConstant(
      "model", llvm::ConstantStruct::get(
                   modelInfo, {version, int32(infos.size()), functions}));
  auto *exported = new llvm::GlobalVariable(
      module, exportInfo, /*isConstant=*/true,
      llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantStruct::get(
          exportInfo,
          {version, addString("name", model.name), info, trampolineTable}),
      getModelExportSymbol(model.name));
  exported->setVisibility(llvm::GlobalValue::DefaultVisibility);
  llvm::GlobalAlias::create(exportInfo, 0, llvm::GlobalValue::WeakAnyLinkage,
                            BUCKET_MODEL_EXPORT_SYMBOL, exported, &module)
      ->setVisibility(llvm::GlobalValue::DefaultVisibility);
}

llvm::Error mlir::bucket::addModelExport(llvm::Module &module,
                                         const ModelDescription &model) {
  if (llvm::Error error = checkModule(module, model))
    return error;
  ExportBuilder(module, model).build();
  return llvm::Error::success();
}
