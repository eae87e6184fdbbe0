//===- OptionLists.h - Parsing the padding and policy options ---*- C++ -*-===//
//
// The text of bucket's per-argument and per-dimension options, the same for
// bucket-compile's flags and the passes' options:
//
//   --pad-values   '0=-inf,2=1'            argument = pad value
//   --masks        '1,attention_mask'      arguments
//
// where an argument is its number or the name the model gave it (an ONNX
// graph input's name).
//   --out-of-range 'fallback'              a policy for every dimension
//                  'seq=fallback,batch=split'   or per dimension name
//
// Like BucketSpec, this knows nothing about IR: arguments are resolved
// against a function, dimension names and policy names against its analysis,
// where the lists are applied.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_SPEC_OPTIONLISTS_H
#define BUCKET_SPEC_OPTIONLISTS_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace mlir {
namespace bucket {

/// An argument as an option names it: its number, or else its name.
struct ArgumentRef {
  std::optional<unsigned> index;
  std::string name;

  std::string str() const {
    return index ? std::to_string(*index) : "'" + name + "'";
  }
  bool operator==(const ArgumentRef &other) const {
    return index == other.index && name == other.name;
  }
};

/// One `<argument>=<value>` entry of --pad-values.
struct ArgumentValue {
  ArgumentRef argument;
  std::string value;
};

/// One entry of --out-of-range: a policy for dimension `dim`, or for every
/// dimension when `dim` is empty.
struct DimPolicy {
  std::string dim;
  std::string policy;
};

/// Parses "0=-inf,2=1" (empty entries are skipped). Fails on an entry
/// without '=' or a value ("invalid pad value 'x'; expected
/// <argument>=<value>") and on an argument that is neither a number nor a
/// name (empty, or starting like a number: '-1', '1.5').
llvm::Expected<llvm::SmallVector<ArgumentValue>>
parsePadValueList(llvm::StringRef text);

/// Parses "1,attention_mask" (empty entries are skipped). Fails on an entry
/// that starts like a number but is not one.
llvm::Expected<llvm::SmallVector<ArgumentRef>>
parseArgumentList(llvm::StringRef text);

/// Parses "fallback" or "seq=fallback,batch=split" (empty entries are
/// skipped; names and policies are trimmed). Fails on an entry with an empty
/// name or policy.
llvm::Expected<llvm::SmallVector<DimPolicy>>
parsePolicyList(llvm::StringRef text);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_SPEC_OPTIONLISTS_H
