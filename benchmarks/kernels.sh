#!/usr/bin/env bash
# Static matmul kernels: bucket vs OpenBLAS vs MLIR's generic lowering, one
# core (docs/performance.md). Builds what it needs in build/.
#
#   bash benchmarks/kernels.sh [build-dir]
set -euo pipefail
build=${1:-build}
ninja -C "$build" bucket-bench-kernels >/dev/null
# OpenBLAS 0.3.21 does not recognise recent Intel CPUs and falls back to slow
# kernels unless told SkylakeX; that core type dies with SIGILL on CPUs
# without AVX-512 (such as AMD EPYC), where its own detection is right.
if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; fi
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
grep -m1 "model name" /proc/cpuinfo | sed 's/^/# /'
exec taskset -c 0 "$build/bin/bucket-bench-kernels"
