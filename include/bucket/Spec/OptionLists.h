//===- OptionLists.h - Parsing the padding and policy options ---*- C++ -*-===//
//
// The text of bucket's per-argument and per-dimension options, the same for
// bucket-compile's flags and the passes' options:
//
//   --pad-values   '0=-inf,2=1'            argument number = pad value
//   --masks        '1,2'                   argument numbers
//   --out-of-range 'fallback'              a policy for every dimension
//                  'seq=fallback,batch=split'   or per dimension name
//
// Like BucketSpec, this knows nothing about IR: argument numbers are checked
// against a function, dimension names and policy names against its analysis,
// where the lists are applied.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_SPEC_OPTIONLISTS_H
#define BUCKET_SPEC_OPTIONLISTS_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
namespace bucket {

/// One `<argument>=<value>` entry of --pad-values.
struct ArgumentValue {
  unsigned argument;
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
/// <argument>=<value>") and on an argument that is not a number.
llvm::Expected<llvm::SmallVector<ArgumentValue>>
parsePadValueList(llvm::StringRef text);

/// Parses "1,2" (empty entries are skipped). Fails on an entry that is not a
/// number.
llvm::Expected<llvm::SmallVector<unsigned>>
parseArgumentList(llvm::StringRef text);

/// Parses "fallback" or "seq=fallback,batch=split" (empty entries are
/// skipped; names and policies are trimmed). Fails on an entry with an empty
/// name or policy.
llvm::Expected<llvm::SmallVector<DimPolicy>>
parsePolicyList(llvm::StringRef text);

} // namespace bucket
} // namespace mlir

#endif // BUCKET_SPEC_OPTIONLISTS_H
