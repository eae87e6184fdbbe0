#!/usr/bin/env bash
# Static matmul kernels: bucket vs OpenBLAS vs MLIR's generic lowering, one
# core (docs/performance.md). Builds what it needs in build/; installs
# libopenblas-dev when run as root (without it, the reference is a naive
# loop and the OpenBLAS column is not OpenBLAS).
#
#   bash benchmarks/kernels.sh [build-dir]
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/packages.sh"
# OpenBLAS is found when CMake configures: configure again once it is there.
if require_packages libopenblas-dev &&
   grep -q "BUCKET_OPENBLAS:FILEPATH=.*NOTFOUND" "$build/CMakeCache.txt"; then
  cmake "$build" >/dev/null
fi
ninja -C "$build" bucket-bench-kernels >/dev/null
# OpenBLAS 0.3.21 does not recognise recent Intel CPUs and falls back to slow
# kernels unless told SkylakeX; that core type dies with SIGILL on CPUs
# without AVX-512 (such as AMD EPYC), where its own detection is right.
if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; fi
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
grep -m1 "model name" /proc/cpuinfo | sed 's/^/# /'
exec taskset -c 0 "$build/bin/bucket-bench-kernels"
