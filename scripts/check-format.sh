#!/usr/bin/env bash
# Checks that every C and C++ source is formatted with clang-format 22 (LLVM
# style, .clang-format); prints the files that are not and fails. Run with
# --fix to format them in place. TableGen and MLIR files are not checked.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
clang_format=${CLANG_FORMAT:-/usr/lib/llvm-22/bin/clang-format}
if [ ! -x "$clang_format" ]; then
  echo "check-format: $clang_format not found (Debian package clang-format-22)" >&2
  exit 1
fi
mapfile -t files < <(git ls-files '*.c' '*.cpp' '*.h')
if [ "${1:-}" = "--fix" ]; then
  "$clang_format" -i "${files[@]}"
  exit 0
fi
unformatted=()
for f in "${files[@]}"; do
  if ! "$clang_format" --dry-run --Werror "$f" >/dev/null 2>&1; then
    unformatted+=("$f")
  fi
done
if [ ${#unformatted[@]} -gt 0 ]; then
  echo "check-format: not formatted with $("$clang_format" --version | head -1):" >&2
  printf '  %s\n' "${unformatted[@]}" >&2
  echo "check-format: run 'bash scripts/check-format.sh --fix'" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
