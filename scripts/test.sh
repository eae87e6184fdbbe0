#!/usr/bin/env bash
# Quick start, part two: set up, build, and run every test (GoogleTest and
# lit, including the end-to-end tests) through ctest.
#
#   bash scripts/test.sh              # build/, as the README says
#   bash scripts/test.sh --sanitize   # build-sanitize/: the compiler, the
#                                     # runtime and the tests' programs
#                                     # under AddressSanitizer and UBSan
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "${1:-}" = "--sanitize" ]; then
  export BUCKET_BUILD_DIR=${BUCKET_BUILD_DIR:-$root/build-sanitize}
  export BUCKET_CMAKE_ARGS="-DBUCKET_SANITIZE=address,undefined"
fi
build=${BUCKET_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" all
cd "$build"
ctest --output-on-failure -j "${BUCKET_JOBS:-2}"
