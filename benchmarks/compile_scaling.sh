#!/usr/bin/env bash
# Compile time and object size of the example encoder for 1, 2, 4, 8 and 16
# buckets (evenly spaced up to 512), one bucket-compile each, run one after
# the other on an otherwise idle machine. Prints a table with ratios to one
# bucket.
#
#   bash benchmarks/compile_scaling.sh [build-dir]
set -euo pipefail
build=${1:-build}
compile=$build/bin/bucket-compile
model=$build/examples/encoder/encoder.mlir
[ -x "$compile" ] && [ -f "$model" ] || {
  echo "compile_scaling.sh: build first (bash scripts/setup.sh)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

declare -A specs=(
  [1]="512"
  [2]="256,512"
  [4]="128,256,384,512"
  [8]="64,128,192,256,320,384,448,512"
  [16]="32,64,96,128,160,192,224,256,288,320,352,384,416,448,480,512"
)
printf '%-8s %10s %8s %14s %14s %8s\n' buckets seconds ratio "object bytes" "text bytes" ratio
base_t=""; base_text=""
for n in 1 2 4 8 16; do
  start=$(date +%s.%N)
  "$compile" "$model" --buckets "seq=${specs[$n]}" -o "$out/m$n.o"
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc -l)
  bytes=$(stat -c %s "$out/m$n.o")
  text=$(size -A "$out/m$n.o" | awk '$1 ~ /^\.text/ {s += $2} END {print s}')
  [ -z "$base_t" ] && base_t=$t && base_text=$text
  printf '%-8s %10.2f %7.2fx %14d %14d %7.2fx\n' "$n" "$t" \
    "$(echo "$t / $base_t" | bc -l)" "$bytes" "$text" \
    "$(echo "$text / $base_text" | bc -l)"
done
