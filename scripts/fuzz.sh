#!/usr/bin/env bash
# Runs one fuzz target for a while: bash scripts/fuzz.sh TARGET SECONDS
# TARGET is spec, options, histogram, onnx or runtime (bucket-fuzz-<TARGET>,
# built when clang's libFuzzer is installed; onnx also needs the ONNX
# importer and a build configured with -DBUCKET_FUZZ_ONNX=ON). New inputs and crashes go to
# build/test/fuzz/bucket-fuzz-<TARGET>/; a crash fails the script and names the
# file that reproduces it (run the target on that file to see it again).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUCKET_BUILD_DIR:-$root/build}
target=${1:?usage: fuzz.sh spec|options|histogram|onnx|runtime SECONDS}
seconds=${2:-60}
name=bucket-fuzz-$target
ninja -C "$build" "$name" >/dev/null
work=$build/test/fuzz/$name
mkdir -p "$work/corpus"
exec "$build/bin/$name" -max_total_time="$seconds" -timeout=5 \
  -rss_limit_mb=2048 -print_final_stats=1 \
  -dict="$root/test/fuzz/$target.dict" -artifact_prefix="$work/" \
  "$work/corpus" "$root/test/fuzz/corpus/$target"
