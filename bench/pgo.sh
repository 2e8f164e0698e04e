#!/usr/bin/env bash
# bench/pgo.sh: regenerates cmd/scanmux/default.pgo, the CPU profile with
# which `go build` and `go run` optimize the scanmux command
# (profile-guided optimization, https://go.dev/doc/pgo). The profile is of
# the aggregation benchmark's pipeline (bench/pipeline.sh: 10 x 50,000
# results, overlap 0.3, bench/ignore50.yaml, examples/policies), with the
# full and the GitHub output profiles, ROUNDS (default 3) runs each,
# merged. Regenerate it when the pipeline's code changes much; a stale
# profile still builds, it only optimizes less.
#
# Environment: SHARED (default: ../shared beside the repository, for
# gen_sarif.py), ROUNDS.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-$PWD/../shared}
rounds=${ROUNDS:-3}
in=bench/out/in-10-50000-overlap0.3
if [ ! -f "$in/truth.json" ]; then
  [ -d "$shared" ] || { echo "bench/pgo.sh: $shared is missing (the shared directory beside the repository)" >&2; exit 2; }
  rm -rf "$in"
  python3 "$shared/bench/gen_sarif.py" "$in" --files 10 --results 50000 --overlap 0.3
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/scanmux" ./cmd/scanmux
profiles=()
for round in $(seq "$rounds"); do
  for profile in full github; do
    p=$tmp/$profile-$round.pprof
    SCANMUX_CPUPROFILE=$p "$tmp/scanmux" merge -q --ignore-file bench/ignore50.yaml --policy examples/policies \
      --output-profile "$profile" -o "$tmp/out.sarif" "$in"/*.sarif >/dev/null 2>&1 || {
      echo "bench/pgo.sh: scanmux merge failed" >&2; exit 1; }
    profiles+=("$p")
  done
done
go tool pprof -proto "${profiles[@]}" >cmd/scanmux/default.pgo 2>/dev/null
echo "bench/pgo.sh: wrote cmd/scanmux/default.pgo ($(wc -c <cmd/scanmux/default.pgo) bytes) from ${#profiles[@]} runs" >&2
