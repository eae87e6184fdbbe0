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
source "$here/common.sh"
# OpenBLAS is found when CMake configures: configure again once it is there.
if require_packages libopenblas-dev &&
   grep -q "BUCKET_OPENBLAS:FILEPATH=.*NOTFOUND" "$build/CMakeCache.txt"; then
  cmake "$build" >/dev/null
fi
ninja -C "$build" bucket-bench-kernels >/dev/null
use_one_core_openblas
grep -m1 "model name" /proc/cpuinfo | sed 's/^/# /'
exec taskset -c 0 "$build/bin/bucket-bench-kernels"
