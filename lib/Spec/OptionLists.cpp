//===- OptionLists.cpp - Parsing the padding and policy options -----------===//

#include "bucket/Spec/OptionLists.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

using namespace llvm;
using namespace mlir::bucket;

static Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// The non-empty, trimmed entries of a comma-separated list.
static SmallVector<StringRef> splitList(StringRef text) {
  SmallVector<StringRef> items;
  text.split(items, ',', -1, /*KeepEmpty=*/false);
  SmallVector<StringRef> trimmed;
  for (StringRef item : items)
    if (!item.trim().empty())
      trimmed.push_back(item.trim());
  return trimmed;
}

/// An argument number, or a name: anything else that does not start like a
/// number (ONNX names hold dots, colons and slashes).
static Expected<ArgumentRef> parseArgument(StringRef text) {
  text = text.trim();
  if (text.empty())
    return makeError("expected an argument number or name");
  if (!isDigit(text[0]) && text[0] != '-' && text[0] != '+')
    return ArgumentRef{std::nullopt, text.str()};
  unsigned index;
  if (text.getAsInteger(10, index))
    return makeError("'" + text + "' is not an argument number");
  return ArgumentRef{index, ""};
}

Expected<SmallVector<ArgumentValue>>
mlir::bucket::parsePadValueList(StringRef text) {
  SmallVector<ArgumentValue> values;
  for (StringRef item : splitList(text)) {
    auto [index, value] = item.split('=');
    if (value.trim().empty())
      return makeError("invalid pad value '" + item +
                       "'; expected <argument>=<value>");
    Expected<ArgumentRef> argument = parseArgument(index);
    if (!argument)
      return argument.takeError();
    values.push_back({std::move(*argument), value.trim().str()});
  }
  return values;
}

Expected<SmallVector<ArgumentRef>>
mlir::bucket::parseArgumentList(StringRef text) {
  SmallVector<ArgumentRef> arguments;
  for (StringRef item : splitList(text)) {
    Expected<ArgumentRef> argument = parseArgument(item);
    if (!argument)
      return argument.takeError();
    arguments.push_back(std::move(*argument));
  }
  return arguments;
}

Expected<SmallVector<DimPolicy>> mlir::bucket::parsePolicyList(StringRef text) {
  SmallVector<DimPolicy> policies;
  for (StringRef item : splitList(text)) {
    auto [name, policy] = item.split('=');
    if (!item.contains('=')) {
      policies.push_back({"", name.trim().str()});
      continue;
    }
    if (name.trim().empty() || policy.trim().empty())
      return makeError("invalid out-of-range policy '" + item +
                       "'; expected <policy> or <dimension>=<policy>");
    policies.push_back({name.trim().str(), policy.trim().str()});
  }
  return policies;
}
