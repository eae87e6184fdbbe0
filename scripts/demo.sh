#!/usr/bin/env bash
# Quick start, part one: set up, build, and run the example encoder bucketed
# and padded to the maximum over the SQuAD v1.1 dev context lengths.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUCKET_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" all bucket-encoder-demo
shapes=${1:-$root/examples/encoder/data/squad_v1.1_dev_context_tokens.csv}
exec "$build/bin/bucket-encoder-demo" "$shapes"
