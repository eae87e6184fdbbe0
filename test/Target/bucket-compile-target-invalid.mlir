// Bad target and code generation options are errors before any work. LLVM
// itself only warns about an unknown CPU or feature and then fails late: an
// unknown CPU ended in a fatal error on every parallel code generation
// worker at once, and the process hung. `timeout` makes such a hang fail the
// check instead of the suite.
// RUN: not timeout 60 bucket-compile %s --buckets 'n=2,4,8' --mcpu bogus-cpu -o %t.o 2>&1 | FileCheck %s --check-prefix=CPU
// The input is not even read (%s.missing does not exist):
// RUN: not bucket-compile %s.missing --buckets 'n=2,4,8' --mcpu bogus-cpu -o %t.o 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not timeout 60 bucket-compile %s --buckets 'n=2,4,8' --mattr=+bogus -o %t.o 2>&1 | FileCheck %s --check-prefix=FEATURE
// RUN: not bucket-compile %s --buckets 'n=2,4,8' --mattr=avx2 -o %t.o 2>&1 | FileCheck %s --check-prefix=SIGN
// RUN: not bucket-compile %s --buckets 'n=2,4,8' -O 9 -o %t.o 2>&1 | FileCheck %s --check-prefix=OPT
// RUN: not bucket-compile %s --buckets 'n=2,4,8' --symbol-prefix 'a b-c' -o %t.o 2>&1 | FileCheck %s --check-prefix=PREFIX
// RUN: not bucket-compile %s --buckets 'n=2,4,8' --symbol-prefix 9lives_ -o %t.o 2>&1 | FileCheck %s --check-prefix=PREFIX-DIGIT
// RUN: not bucket-compile %s --buckets 'n=2,4,8' --target bogus-unknown-none -o %t.o 2>&1 | FileCheck %s --check-prefix=TRIPLE
// The names of one architecture mean nothing on another, and the host's CPU
// is only for its own architecture (these assume an x86-64 host).
// RUN: not bucket-compile %s --buckets 'n=2,4,8' --target aarch64-linux-gnu --mcpu skylake -o %t.o 2>&1 | FileCheck %s --check-prefix=FOREIGN-CPU
// RUN: not bucket-compile %s --buckets 'n=2,4,8' --target aarch64-linux-gnu --mattr=+avx512f -o %t.o 2>&1 | FileCheck %s --check-prefix=FOREIGN-FEATURE
// RUN: not bucket-compile %s --buckets 'n=2,4,8' --target aarch64-linux-gnu --mcpu native -o %t.o 2>&1 | FileCheck %s --check-prefix=NATIVE

// CPU-NOT:         not a recognized processor
// CPU:             bucket-compile: error: unknown CPU 'bogus-cpu' for target '{{.*}}'
// CPU-NOT:         not a recognized processor
// FEATURE:         bucket-compile: error: unknown feature 'bogus' for target '{{.*}}'
// SIGN:            bucket-compile: error: feature 'avx2' must start with '+' or '-'
// OPT:             bucket-compile: error: invalid optimization level 9; expected 0-3
// PREFIX:          bucket-compile: error: symbol prefix 'a b-c' is not a C identifier
// PREFIX-DIGIT:    bucket-compile: error: symbol prefix '9lives_' is not a C identifier
// TRIPLE:          bucket-compile: error: unknown target 'bogus-unknown-none': No available targets are compatible with triple "bogus-unknown-none"
// FOREIGN-CPU:     bucket-compile: error: unknown CPU 'skylake' for target 'aarch64-unknown-linux-gnu'
// FOREIGN-FEATURE: bucket-compile: error: unknown feature 'avx512f' for target 'aarch64-unknown-linux-gnu'
// NATIVE:          bucket-compile: error: CPU 'native' (the host's) cannot target 'aarch64-unknown-linux-gnu': the host is x86_64

// A fatal error of LLVM's code generator (here: a pass that does not exist)
// is an error of the compilation, reported once per part of the parallel
// code generation, instead of an exit on a worker thread, which could hang.
// On one CPU (taskset) the module compiles as a whole on the main thread.
// What LLVM allocated before its fatal error cannot be freed after the
// recovery: leak checking (in a sanitized build) is off for these two.
// RUN: env ASAN_OPTIONS=detect_leaks=0 not timeout 60 bucket-compile %s --buckets 'n=2,4,8' --stop-after=bogus-pass -o %t.o 2>&1 | FileCheck %s --check-prefix=FATAL
// RUN: env ASAN_OPTIONS=detect_leaks=0 not timeout 60 taskset -c 0 bucket-compile %s --buckets 'n=2,4,8' --stop-after=bogus-pass -o %t.o 2>&1 | FileCheck %s --check-prefix=FATAL-ONE

// FATAL:         error: LLVM code generation failed
// FATAL-NOT:     see current operation
// FATAL:         note: in part 1 of {{[0-9]+}}: "bogus-pass" pass is not registered.
// FATAL-NOT:     LLVM ERROR
// FATAL-ONE:     error: LLVM code generation failed: "bogus-pass" pass is not registered.
// FATAL-ONE-NOT: LLVM ERROR

#n = affine_map<(n, d) -> (n, d)>
func.func @scale(%x: tensor<?x4xf32> {bucket.dims = ["n", ""]}) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [#n, #n], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
