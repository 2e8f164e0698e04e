#!/usr/bin/env bash
# bench/ab.sh A B [N]: an A/B run of the pipeline benchmark's merge
# (bench/pipeline.sh's scanmux command, github profile, or PROFILE=full)
# with two scanmux binaries, interleaved A, B, A, B... N times each
# (default 7), then the median and the spread (min-max) of wall time,
# CPU time (user + system) and peak RSS of each, and B's change against
# A. Both must write the same bytes (but for the run times): the outputs
# are compared each round.
# Inputs: bench/out/in-10-50000-overlap0.3 (run bench/pipeline.sh once to
# generate them).
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1; b=$2; n=${3:-7}
in=bench/out/in-10-50000-overlap0.3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
args=(merge -q --ignore-file bench/ignore50.yaml --policy examples/policies --output-profile "${PROFILE:-github}")
run() { # run NAME BIN: appends "wall cpu rss" to $out/NAME
  /usr/bin/time -f '%e %U %S %M' -o "$out/$1.t" "$2" "${args[@]}" -o "$out/$1.sarif" "$in"/*.sarif >/dev/null 2>&1 || true
  awk '{printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024}' "$out/$1.t" >>"$out/$1"
}
# norm FILE: FILE without the run times, which differ in every run.
norm() { sed -E 's/"(start|end)TimeUtc": "[^"]*"/"\1TimeUtc": ""/' "$1"; }
for i in $(seq "$n"); do
  run A "$a"; run B "$b"
  cmp -s <(norm "$out/A.sarif") <(norm "$out/B.sarif") || { echo "ab: round $i: outputs differ" >&2; exit 1; }
done
stats() { # stats NAME COLUMN: median min max
  cut -d' ' -f"$2" "$out/$1" | sort -g | awk '{v[NR]=$1} END {printf "%s %s %s", v[int((NR+1)/2)], v[1], v[NR]}'
}
printf '%-6s %-22s %-22s %-22s\n' "" "wall s (min-max)" "cpu s (min-max)" "peak RSS MB (min-max)"
for x in A B; do
  read -r w1 w2 w3 <<<"$(stats $x 1)"; read -r c1 c2 c3 <<<"$(stats $x 2)"; read -r r1 r2 r3 <<<"$(stats $x 3)"
  printf '%-6s %-22s %-22s %-22s\n' "$x" "$w1 ($w2-$w3)" "$c1 ($c2-$c3)" "$r1 ($r2-$r3)"
  eval "w$x=$w1 c$x=$c1 r$x=$r1"
done
awk -v wa="$wA" -v wb="$wB" -v ca="$cA" -v cb="$cB" -v ra="$rA" -v rb="$rB" 'BEGIN {
  printf "B/A    wall %+.1f%%  cpu %+.1f%%  rss %+.1f%%\n", 100*(wb/wa-1), 100*(cb/ca-1), 100*(rb/ra-1) }'
echo "outputs identical in all $n rounds"
