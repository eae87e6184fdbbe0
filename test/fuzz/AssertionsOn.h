//===- AssertionsOn.h - Assertions on in an NDEBUG build --------*- C++ -*-===//
//
// Included first (-include) in every source of bucket-fuzz-compiler, which is
// compiled with -DNDEBUG like Debian's libLLVM and libMLIR: turns `assert`
// and the headers' other NDEBUG-only checks on for the rest of the file.
// Plain -UNDEBUG would also turn llvm::Statistic into TrackingStatistic,
// whose layout the libraries' mlir::Pass::Statistic constructor does not
// know (UBSan saw its uninitialized flag); it is fixed here first, with
// NDEBUG still defined.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_TEST_FUZZ_ASSERTIONSON_H
#define BUCKET_TEST_FUZZ_ASSERTIONSON_H

#include "llvm/ADT/Statistic.h"

#undef NDEBUG
#include <assert.h>

#endif // BUCKET_TEST_FUZZ_ASSERTIONSON_H
