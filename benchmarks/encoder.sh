#!/usr/bin/env bash
# The example encoder over the WNUT-17 and SQuAD v1.1 length distributions:
# bucketed vs pad-to-max, generic dynamic, oracle and PyTorch eager (one
# thread), plus the dispatcher's cost per bucket (docs/performance.md).
# PyTorch needs Debian's python3-torch and libopenblas0-openmp, which the
# script installs when run as root; without them the PyTorch column is
# skipped.
#
#   bash benchmarks/encoder.sh [build-dir]
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
ninja -C "$build" bucket-bench-encoder >/dev/null
data=$here/../examples/encoder/data
torch=()
if require_packages python3-torch libopenblas0-openmp &&
   /usr/bin/python3 -c "import torch" 2>/dev/null; then
  torch=(--torch "$here/encoder_torch.py")
else
  echo "# PyTorch not found (/usr/bin/python3 -c 'import torch'): skipped"
fi
# PyTorch's matmuls run in OpenBLAS, set up as for the kernel benchmark.
use_one_core_openblas
grep -m1 "model name" /proc/cpuinfo | sed 's/^/# /'
exec taskset -c 0 "$build/bin/bucket-bench-encoder" \
  --csv "$data/wnut17_sentence_tokens.csv" \
  --csv "$data/squad_v1.1_dev_context_tokens.csv" "${torch[@]}"
