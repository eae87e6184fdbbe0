#!/usr/bin/env bash
# The example decoder generating greedily from every prompt length of a real
# distribution (SQuAD v1.1 contexts by default, or the histogram given):
# bucketed vs pad-to-max (the full capacity), generic dynamic, the
# exact-length oracle and PyTorch eager with its own torch.cat cache, one
# core; per-step time against the cache length, drawn into an SVG, and the
# work model (docs/performance.md, "Decoder"). PyTorch needs Debian's
# python3-torch and libopenblas0-openmp (installed when run as root;
# otherwise skipped).
#
#   bash benchmarks/decoder.sh [build-dir [histogram.csv [steps.svg]]]
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
csv=${2:-$here/../examples/encoder/data/squad_v1.1_dev_context_tokens.csv}
svg=${3:-$build/decoder-steps.svg}
source "$here/common.sh"
ninja -C "$build" bucket-bench-decoder >/dev/null
torch=()
if require_packages python3-torch libopenblas0-openmp &&
   /usr/bin/python3 -c "import torch" 2>/dev/null; then
  torch=(--torch "$here/decoder_torch.py"
         --mlir "$build/examples/decoder/decoder.mlir")
else
  echo "# PyTorch not found (/usr/bin/python3 -c 'import torch'): skipped"
fi
use_one_core_openblas
grep -m1 "model name" /proc/cpuinfo | sed 's/^/# /'
steps=$(mktemp)
trap 'rm -f "$steps"' EXIT
taskset -c 0 "$build/bin/bucket-bench-decoder" --csv "$csv" \
  --steps-csv "$steps" "${torch[@]}"
python3 "$here/plot_decoder_steps.py" "$steps" "$svg" \
  --buckets "$(sed -n 's/.*BUCKET_DECODER_DECODE_BUCKETS:STRING=//p' "$build/CMakeCache.txt")"
echo "# per-step plot: $svg"
