//===- OptionsFuzzer.cpp - libFuzzer target for the option lists ----------===//
//
// Parses arbitrary text as each of --pad-values, --masks and --out-of-range:
// a crash or a hang is a bug, an error is fine, and what parses must hold
// no empty value, name or policy.
//
//===----------------------------------------------------------------------===//

#include "bucket/Spec/OptionLists.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace mlir::bucket;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  if (auto values = parsePadValueList(text)) {
    for (const ArgumentValue &value : *values)
      if (value.value.empty())
        abort();
  } else {
    llvm::consumeError(values.takeError());
  }
  if (auto arguments = parseArgumentList(text); !arguments)
    llvm::consumeError(arguments.takeError());
  if (auto policies = parsePolicyList(text)) {
    for (const DimPolicy &policy : *policies)
      if (policy.policy.empty())
        abort();
  } else {
    llvm::consumeError(policies.takeError());
  }
  return 0;
}
