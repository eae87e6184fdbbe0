// Progress lines: one per stage and one per bucket with --verbose or for more
// than 4 buckets, none with --quiet or for a few buckets; --version names
// bucket's version.

// RUN: bucket-compile %s --buckets 'n=1,2' -o %t.o --verbose 2>&1 | FileCheck %s --check-prefix=VERBOSE
// RUN: bucket-compile %s --buckets 'n=1,2,3,4,5' -o %t.o 2>&1 | FileCheck %s --check-prefix=MANY
// RUN: bucket-compile %s --buckets 'n=1,2,3,4,5' -o %t.o --quiet 2>&1 | count 0
// RUN: bucket-compile %s --buckets 'n=1,2' -o %t.o 2>&1 | count 0
// RUN: bucket-compile --version | FileCheck %s --check-prefix=VERSION
// RUN: bucket-opt --version | FileCheck %s --check-prefix=OPT-VERSION

// VERBOSE: bucket-compile: specialized 2 buckets in {{[0-9.]+}} s
// VERBOSE-NEXT: bucket-compile: lowered to the LLVM dialect in {{[0-9.]+}} s
// VERBOSE-NEXT: bucket-compile:   double_n1 {{[0-9.]+}} s
// VERBOSE-NEXT: bucket-compile:   double_n2 {{[0-9.]+}} s
// VERBOSE-NEXT: bucket-compile: compiled the object file in {{[0-9.]+}} s
// VERBOSE-NOT: warning

// MANY: specialized 5 buckets
// MANY-COUNT-5: bucket-compile:   double_n{{[1-5]}} {{[0-9.]+}} s

// VERSION: bucket-compile (bucket {{[0-9]+\.[0-9]+\.[0-9]+}})
// OPT-VERSION: bucket-opt (bucket {{[0-9]+\.[0-9]+\.[0-9]+}})

func.func @double(%x: tensor<?xf32> {bucket.dims = ["n"]}) -> tensor<?xf32> {
  %r = arith.addf %x, %x : tensor<?xf32>
  return %r : tensor<?xf32>
}
