#!/usr/bin/env bash
# The example encoder imported from PyTorch against the hand-written one
# (issue 10, docs/performance.md "Imported vs hand-written encoder"):
# benchmarks/onnx_encoder_export.py writes the example encoder as a PyTorch
# module with the example's weights and exports it to ONNX (named dynamic
# axis "seq"); bucket-compile imports it and compiles it with the demo's
# buckets, and the hand-written examples/encoder/encoder.mlir with the same
# buckets; benchmarks/onnx_encoder.cpp loads both into one process, checks
# their outputs equal and times them interleaved over every SQuAD v1.1 dev
# context length (clamped to 512), on one core.
#
#   bash benchmarks/onnx_encoder.sh [build-dir] [opset]
#
# ROUNDS (default 3) sets the interleaved rounds. Needs Debian's
# python3-torch and python3-onnx (installed when run as root) and a build
# with the ONNX importer (libonnx-dev, libprotobuf-dev).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
opset=${2:-17}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
buckets="seq=32,64,96,128,192,256,384,512"
require_packages python3-torch python3-onnx ||
  { echo "onnx_encoder.sh: needs python3-torch and python3-onnx" >&2; exit 1; }
ninja -C "$build" bucket-compile bucket-import-onnx bucket_runtime \
  bucket-encoder-mlir bucket-bench-onnx-encoder >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc=${CC:-cc}

# compile NAME MODEL FLAGS...: a self-describing shared library of MODEL.
compile() {
  local name=$1 model=$2
  shift 2
  "$build/bin/bucket-compile" "$model" "$@" --buckets "$buckets" --quiet \
    -o "$work/$name.o" --model-name "$name" 2> "$work/$name.log" ||
    { cat "$work/$name.log" >&2; return 1; }
  "$cc" -shared -Wl,-Bsymbolic "$work/$name.o" -o "$work/$name.so" \
    -L"$build/lib" -lbucket_runtime -Wl,-rpath,"$build/lib" -lm
}

/usr/bin/python3 "$here/onnx_encoder_export.py" --opset "$opset" \
  --mlir "$build/examples/encoder/encoder.mlir" --out "$work/encoder.onnx"
compile handwritten "$build/examples/encoder/encoder.mlir"
compile imported "$work/encoder.onnx" --masks 1
grep -m1 "model name" /proc/cpuinfo | sed 's/^/# /'
echo "# buckets $buckets; imported: PyTorch 1.13 export, opset $opset"
taskset -c 0 "$build/bin/bucket-bench-onnx-encoder" \
  --csv "$here/../examples/encoder/data/squad_v1.1_dev_context_tokens.csv" \
  --handwritten "$work/handwritten.so" --imported "$work/imported.so" \
  --rounds "${ROUNDS:-3}"
