#!/usr/bin/env bash
# Runs one fuzz target for a while: bash scripts/fuzz.sh TARGET SECONDS
# TARGET is spec, options, histogram, onnx, runtime or compiler
# (bucket-fuzz-<TARGET>, built when clang's libFuzzer is installed; onnx also
# needs the ONNX importer and a build configured with -DBUCKET_FUZZ_ONNX=ON,
# compiler one configured with -DBUCKET_FUZZ_COMPILER=ON). New inputs and
# crashes go to build/test/fuzz/bucket-fuzz-<TARGET>/; a crash fails the
# script and names the file that reproduces it (run the target on that file
# to see it again; BUCKET_FUZZ_VERBOSE=1 makes the compiler's target print
# its diagnostics). BUCKET_BUILD_DIR picks another build directory.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUCKET_BUILD_DIR:-$root/build}
target=${1:?usage: fuzz.sh spec|options|histogram|onnx|runtime|compiler SECONDS}
seconds=${2:-60}
name=bucket-fuzz-$target
ninja -C "$build" "$name" >/dev/null
work=$build/test/fuzz/$name
mkdir -p "$work/corpus"
# The compiler takes up to seconds per module (every bucket is lowered), and
# its seeds are textual modules of up to 14 KB: the lit and e2e modules and
# difftest.py's random ones, made by the build in $work/seeds.
limits=(-timeout=5 -rss_limit_mb=2048)
seeds=()
if [ "$target" = compiler ]; then
  limits=(-timeout=60 -rss_limit_mb=4096 -max_len=16384)
  seeds=("$work/seeds/tests" "$work/seeds/difftest")
fi
# A UBSan report is a bug like a crash: stop, so that the input is saved.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
exec "$build/bin/$name" -max_total_time="$seconds" "${limits[@]}" \
  -print_final_stats=1 \
  -dict="$root/test/fuzz/$target.dict" -artifact_prefix="$work/" \
  "$work/corpus" "$root/test/fuzz/corpus/$target" "${seeds[@]}"
