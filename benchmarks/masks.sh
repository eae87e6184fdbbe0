#!/usr/bin/env bash
# What padding repair costs (issue 11, docs/performance.md "Padding repair"):
# two models the padding analysis repairs with masks, each built four ways
# from the same source and timed interleaved in one process over a real
# shape distribution (benchmarks/masks.cpp says how):
#   repaired   the buckets, with their masks (--padding=repair, the default)
#   unsafe     the same buckets without masks (--padding=unsafe-no-masks:
#              wrong results, built only to measure what the masks cost)
#   padmax     one bucket at the largest shape (repaired)
#   oracle     one bucket per shape of a documented sample
# against the dynamic original (--no-bucketing) for the outputs, and PyTorch
# eager (one thread) when /usr/bin/python3 has torch.
#
#  cnn      benchmarks/masks_cnn.mlir.in (weights by bucket-gen-weights) over
#           the COCO val2017 image sizes divided by 8 (18..80 x 25..80),
#           buckets H=32,48,64,80 x W=32,48,64,80
#  encoder  the example encoder with a mean over the sequence appended (sum
#           / length, not using the attention mask) over SQuAD v1.1 dev
#           contexts clamped to 512, the demo's buckets
#
#   bash benchmarks/masks.sh [build-dir] [cnn|encoder ...]
#
# ROUNDS (default 3) sets the interleaved rounds; BUCKET_SHAPES the
# directory of the histograms (default ../shared/data/shapes beside the
# checkout).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
shift || true
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
shapes=${BUCKET_SHAPES:-$here/../../shared/data/shapes}
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(cnn encoder)
ninja -C "$build" bucket-compile bucket-gen-weights bucket_runtime \
  bucket-bench-masks bucket-encoder-mlir >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc=${CC:-cc}
CNN_BUCKETS="H=32,48,64,80;W=32,48,64,80"

# compile NAME MODEL FLAGS...: a self-describing shared library of MODEL.
compile() {
  local name=$1 model=$2
  shift 2
  "$build/bin/bucket-compile" "$model" "$@" --quiet -o "$work/$name.o" \
    --model-name "m_$name" 2> "$work/$name.log" ||
    { cat "$work/$name.log" >&2; return 1; }
  echo "# $name: $(grep -c ": remark: masked" "$work/$name.log" || true)" \
    "masks$(grep -o "warning: .* left out" "$work/$name.log" | sed 's/^/; /' || true)"
  "$cc" -shared -Wl,-Bsymbolic "$work/$name.o" -o "$work/$name.so" \
    -L"$build/lib" -lbucket_runtime -Wl,-rpath,"$build/lib" -lm
}

# mean_pool IN OUT: the encoder returning the mean of its token vectors.
mean_pool() {
  POOL=$(cat <<'MLIR'
  // Mean pooling over seq (appended by benchmarks/masks.sh): the sum of the
  // token vectors divided by the length, without the attention mask.
  %mp_empty = tensor.empty() : tensor<256xf32>
  %mp_zeros = linalg.fill ins(%zero : f32) outs(%mp_empty : tensor<256xf32>) -> tensor<256xf32>
  %mp_sum = linalg.generic {
      indexing_maps = [#sd, #d_sd],
      iterator_types = ["reduction", "parallel"]}
      ins(%x2 : tensor<?x256xf32>) outs(%mp_zeros : tensor<256xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %acc, %x : f32
    linalg.yield %r : f32
  } -> tensor<256xf32>
  %mp_len_i = arith.index_cast %seq : index to i64
  %mp_len = arith.sitofp %mp_len_i : i64 to f32
  %mp = linalg.generic {indexing_maps = [#s, #s], iterator_types = ["parallel"]}
      ins(%mp_sum : tensor<256xf32>) outs(%mp_empty : tensor<256xf32>) {
  ^bb0(%x: f32, %out: f32):
    %r = arith.divf %x, %mp_len : f32
    linalg.yield %r : f32
  } -> tensor<256xf32>
  return %mp : tensor<256xf32>
MLIR
) awk '
    /^    -> tensor<\?x256xf32> attributes/ && !sig {
      sub(/tensor<\?x256xf32>/, "tensor<256xf32>"); sig = 1 }
    /^  return %x2 : tensor<\?x256xf32>$/ { print ENVIRON["POOL"]; ret = 1; next }
    { print }
    END { if (!sig || !ret) {
      print "masks.sh: the encoder changed: cannot append the pooling" > "/dev/stderr"
      exit 1 } }' "$1" > "$2"
}

torch_ok=0
if require_packages python3-torch libopenblas0-openmp &&
   /usr/bin/python3 -c "import torch" 2>/dev/null; then
  torch_ok=1
else
  echo "# PyTorch not found (/usr/bin/python3 -c 'import torch'): skipped"
fi
use_one_core_openblas
grep -m1 "model name" /proc/cpuinfo | sed 's/^/# /'
for m in "${models[@]}"; do
  case $m in
    cnn)
      model=$work/cnn.mlir
      "$build/bin/bucket-gen-weights" "$here/masks_cnn.mlir.in" "$model"
      csv=$shapes/coco_val2017_image_hw.csv fn=cnn
      shape_args=(--scale 8) buckets=$CNN_BUCKETS padmax="H=80;W=80"
      torch="/usr/bin/python3 $here/masks_torch.py cnn --mlir $model --template $here/masks_cnn.mlir.in"
      oracle="H,W=$("$build/bin/bucket-bench-masks" --print-oracle-shapes \
        --shapes "$csv" "${shape_args[@]}")" ;;
    encoder)
      model=$work/encoder_mean.mlir
      mean_pool "$build/examples/encoder/encoder.mlir" "$model"
      csv=$shapes/squad_v1.1_dev_context_tokens.csv fn=forward
      shape_args=(--clamp 512) buckets="seq=32,64,96,128,192,256,384,512"
      padmax="seq=512"
      torch="/usr/bin/python3 $here/masks_torch.py encoder --mlir $model"
      oracle="seq=$("$build/bin/bucket-bench-masks" --print-oracle-shapes \
        --shapes "$csv" "${shape_args[@]}")" ;;
    *) echo "unknown model '$m'" >&2; exit 1 ;;
  esac
  echo "## $m: $csv"
  echo "#   repaired, unsafe: $buckets; padmax: $padmax; oracle: $oracle"
  compile repaired "$model" --buckets "$buckets"
  compile unsafe "$model" --buckets "$buckets" --padding=unsafe-no-masks
  compile padmax "$model" --buckets "$padmax"
  compile oracle "$model" --buckets "$oracle"
  compile generic "$model" --no-bucketing
  torch_args=()
  [ $torch_ok = 1 ] && torch_args=(--torch "$torch")
  taskset -c 0 "$build/bin/bucket-bench-masks" --shapes "$csv" \
    "${shape_args[@]}" --function "$fn" --flops "$m" \
    --rounds "${ROUNDS:-3}" --reference "$work/generic.so" \
    --oracle "$work/oracle.so" --build "repaired=$work/repaired.so" \
    --build "unsafe=$work/unsafe.so" --build "padmax=$work/padmax.so" \
    --expect-wrong unsafe "${torch_args[@]}"
done
