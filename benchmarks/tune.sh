#!/usr/bin/env bash
# bucket-tune's choice of 8 buckets against pad-to-max, powers of two,
# percentiles, equal width, the token-count DP and the exact-shape oracle,
# on WNUT-17 and SQuAD v1.1 (tokens; the example encoder) and COCO val2017
# (height x width; benchmarks/tune_image.mlir), all builds of a distribution
# timed interleaved in one process over every distinct shape of it
# (benchmarks/tune.cpp says how, and how the oracle is sampled). The tuner
# runs as a user would: without --measure ("tuned") and with it
# ("tuned-measured", calibrated on this machine; cached).
#
#   bash benchmarks/tune.sh [build-dir] [wnut|squad|coco ...]
#
# ROUNDS (default 3) sets the interleaved rounds; PER_SHAPE=1 prints every
# shape's time per build; BUCKET_SHAPES the
# directory of the histograms (default ../shared/data/shapes beside the
# checkout).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
shift || true
here=$(cd "$(dirname "$0")" && pwd)
shapes=${BUCKET_SHAPES:-$here/../../shared/data/shapes}
dists=("$@")
[ ${#dists[@]} -gt 0 ] || dists=(wnut squad coco)
ninja -C "$build" bucket-tune bucket-compile bucket_runtime bucket-bench-tune \
  bucket-encoder-mlir >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc=${CC:-cc}

# compile NAME MODEL SPEC: a self-describing shared library of MODEL with the
# buckets SPEC.
compile() {
  "$build/bin/bucket-compile" "$2" --buckets "$3" -o "$work/$1.o" \
    --model-name "m_${1//-/_}" 2> "$work/$1.log" ||
    { cat "$work/$1.log" >&2; return 1; }
  "$cc" -shared -Wl,-Bsymbolic "$work/$1.o" -o "$work/$1.so" \
    -L"$build/lib" -lbucket_runtime -Wl,-rpath,"$build/lib" -lm
}

grep -m1 "model name" /proc/cpuinfo | sed 's/^/# /'
for dist in "${dists[@]}"; do
  case $dist in
    wnut) csv=$shapes/wnut17_sentence_tokens.csv
          model=$build/examples/encoder/encoder.mlir fn=forward flops=encoder ;;
    squad) csv=$shapes/squad_v1.1_dev_context_tokens.csv
          model=$build/examples/encoder/encoder.mlir fn=forward flops=encoder ;;
    coco) csv=$shapes/coco_val2017_image_hw.csv
          model=$here/tune_image.mlir fn=image flops=image ;;
    *) echo "unknown distribution '$dist'" >&2; exit 1 ;;
  esac
  echo "## $dist: $csv"
  "$build/bin/bucket-tune" "$model" --shapes "$csv" --max-buckets 8 \
    --print-baselines > "$work/specs"
  # Calibrated in this run (a fresh cache): the machine's speed drifts
  # between sessions, and the predictions are compared with this run's times.
  "$build/bin/bucket-tune" "$model" --shapes "$csv" --max-buckets 8 \
    --measure --measure-cache "$work/$dist.cache" > "$work/measured"
  grep -E '^#   |^# measured' "$work/measured" || true
  echo "tuned-measured $(tail -1 "$work/measured" | cut -d"'" -f2)" \
    >> "$work/specs"
  # The chosen buckets' predicted times: the rows of the bucket table.
  predicted=$(awk '$2 ~ /%$/ && $3 ~ /%$/ && NF == 5 { printf "%s%s:%s",
    sep, $1, $5; sep = "," }' "$work/measured")
  dims=$(head -1 "$work/specs" | cut -d' ' -f2 | cut -d= -f1)
  echo "oracle $dims=$("$build/bin/bucket-bench-tune" --print-oracle-shapes \
    --shapes "$csv")" >> "$work/specs"
  sed 's/^/#   /' "$work/specs"
  args=()
  while read -r name spec; do
    compile "$name" "$model" "$spec"
    if [ "$name" = oracle ]; then args+=(--oracle "$work/$name.so")
    else args+=(--build "$name=$work/$name.so"); fi
  done < "$work/specs"
  taskset -c 0 "$build/bin/bucket-bench-tune" --shapes "$csv" --function "$fn" \
    --flops "$flops" --rounds "${ROUNDS:-3}" ${PER_SHAPE:+--per-shape} \
    --predicted "tuned-measured=$predicted" \
    "${args[@]}"
done
