#!/usr/bin/env bash
# Installs what bucket needs (Debian 12 packages, when they are missing: as
# root, or through sudo), then configures and builds into build/. Sourced by demo.sh
# and test.sh; safe to run again.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUCKET_BUILD_DIR:-$root/build}

# The AArch64 cross compiler, its C library and user-mode QEMU run the
# cross-compilation test (test/e2e/cross-aarch64.test; skipped without them).
# clang-format-22 checks the formatting in the test command; libclang-rt-22-dev
# has the sanitizers' runtimes (scripts/test.sh --sanitize).
packages=(llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
          clang-format-22 libclang-rt-22-dev cmake ninja-build g++ libgtest-dev python3 python3-numpy
          gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static
          libonnx-dev libprotobuf-dev libonnx-testdata python3-onnx
          python3-torch libopenblas0-openmp)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # As root (a fresh Debian image has no sudo) apt-get runs as is; as a
  # normal user it runs through sudo when there is one.
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run this script as root, or install them as root:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld ${BUCKET_CMAKE_ARGS:-}
fi
ninja -C "$build" -j "${BUCKET_JOBS:-2}" "$@"
