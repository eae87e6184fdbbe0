#!/usr/bin/env bash
# Quick start, part two: set up, build, and run every test (GoogleTest and
# lit, including the end-to-end tests) through ctest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUCKET_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" all
cd "$build"
ctest --output-on-failure -j "${BUCKET_JOBS:-2}"
