#!/usr/bin/env bash
# bench/pipeline.sh: the aggregation benchmark. The full pipeline — read,
# normalize, deduplicate, an ignore file of 50 entries (bench/ignore50.yaml),
# the 5 example Rego policies (examples/policies), write — as
# `scanmux merge`, against the SARIF Multitool's merge on the same
# gen_sarif.py logs (10 x 50,000 results, cross-tool overlap 0.3), side by
# side in one run. See bench/merge.sh for the measurement and the output.
set -euo pipefail
cd "$(dirname "$0")/.."
export OVERLAP=${OVERLAP:-0.3}
export MERGE_ARGS="--ignore-file bench/ignore50.yaml --policy examples/policies ${MERGE_ARGS:-}"
exec bash bench/merge.sh "$@"
