#!/usr/bin/env bash
# Development check of the encoder example with upstream MLIR only (not used by
# the build): generate the weights, lower with the project's generic pipeline,
# compile, link check_main.c, run it, and run a short case under valgrind.
#
#   examples/encoder/run_upstream.sh [--no-valgrind] [--keep]
#
# Environment: LLVM_BIN (default /usr/lib/llvm-22/bin), CXX (default g++).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
llvm_bin="${LLVM_BIN:-/usr/lib/llvm-22/bin}"
cxx="${CXX:-g++}"
run_valgrind=1
keep=0
for arg in "$@"; do
  case "$arg" in
    --no-valgrind) run_valgrind=0 ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--no-valgrind] [--keep]" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/bucket-encoder.XXXXXX")"
if [ "$keep" = 1 ]; then
  echo "work dir: $work"
else
  trap 'rm -rf "$work"' EXIT
fi

step() { printf '== %s\n' "$*"; }

step "build gen_weights"
nice "$cxx" -std=c++17 -O2 -Wall -Wextra -o "$work/gen_weights" "$here/gen_weights.cpp"

step "generate encoder.mlir"
"$work/gen_weights" "$here/encoder.mlir.in" "$work/encoder.mlir"

step "lower with mlir-opt"
nice "$llvm_bin/mlir-opt" "$work/encoder.mlir" \
  --convert-elementwise-to-linalg \
  --canonicalize \
  --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
  --buffer-deallocation-pipeline \
  --convert-bufferization-to-memref \
  --convert-linalg-to-loops \
  --expand-strided-metadata \
  --lower-affine \
  --convert-scf-to-cf \
  --convert-math-to-llvm \
  --convert-math-to-libm \
  --finalize-memref-to-llvm \
  --convert-arith-to-llvm \
  --convert-index-to-llvm \
  --convert-cf-to-llvm \
  --convert-func-to-llvm \
  --convert-ub-to-llvm \
  --reconcile-unrealized-casts \
  -o "$work/encoder.llvm.mlir"

step "translate to LLVM IR"
nice "$llvm_bin/mlir-translate" --mlir-to-llvmir "$work/encoder.llvm.mlir" -o "$work/encoder.ll"

step "compile"
nice "$llvm_bin/clang-22" -O2 -c -Wno-override-module "$work/encoder.ll" -o "$work/encoder.o"
nice "$llvm_bin/clang-22" -std=c11 -O2 -gdwarf-4 -Wall -Wextra -c "$here/check_main.c" -o "$work/check_main.o"
nice "$llvm_bin/clang-22" "$work/check_main.o" "$work/encoder.o" -lm -o "$work/check_main"

step "run check_main"
nice "$work/check_main" "$here/encoder.mlir.in"

if [ "$run_valgrind" = 1 ]; then
  if command -v valgrind >/dev/null; then
    step "valgrind (lengths 1 and 7)"
    nice valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
      --errors-for-leak-kinds=all --track-origins=yes -q \
      "$work/check_main" "$here/encoder.mlir.in" --quick
    echo "valgrind: no errors, no leaks"
  else
    echo "valgrind not installed: skipped" >&2
  fi
fi
