#!/usr/bin/env bash
# bench/merge.sh: time `scanmux merge` against the SARIF Multitool's `merge`
# on the same synthetic logs, and validate scanmux's output.
#
# Generates FILES logs of RESULTS results each with ../shared/bench/gen_sarif.py
# (default 10 x 50,000, about 190 MB) into bench/out/in (kept between runs;
# bench/out is gitignored), builds scanmux, measures wall time and peak RSS of
# both merges with /usr/bin/time -v, prints a table with the ratios and runs
# ../shared/tools/sarif-validate on scanmux's output.
#
# Environment: FILES, RESULTS (sizes), SHARED (default: ../shared beside the
# repository), SKIP_MULTITOOL=1 to time scanmux only.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
shared=${SHARED:-$repo/../shared}
files=${FILES:-10}
results=${RESULTS:-50000}
out=$repo/bench/out
in=$out/in-$files-$results
mt=${SARIF_MULTITOOL_HOME:-$HOME/.cache/sarif-multitool}/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool

[ -d "$shared" ] || { echo "bench: $shared is missing (the shared directory beside the repository)" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
  echo "bench: installing GNU time" >&2
  apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi
mkdir -p "$out"

if [ ! -f "$in/truth.json" ]; then
  echo "bench: generating $files x $results results into $in" >&2
  rm -rf "$in"
  python3 "$shared/bench/gen_sarif.py" "$in" --files "$files" --results "$results"
fi
inputs=("$in"/*.sarif)
echo "bench: inputs: ${#inputs[@]} files, $(du -sm "$in" | cut -f1) MB, $(cat "$in/truth.json")" >&2

echo "bench: building scanmux" >&2
go build -o "$out/scanmux" ./cmd/scanmux

# measure NAME CMD...: runs CMD under /usr/bin/time -v, sets wall_NAME (s)
# and rss_NAME (MB).
declare -A wall rss
measure() {
  local name=$1; shift
  /usr/bin/time -v -o "$out/$name.time" "$@" >"$out/$name.log" 2>&1 || {
    echo "bench: $name failed:" >&2; tail -20 "$out/$name.log" >&2; exit 1; }
  local w
  w=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out/$name.time")
  wall[$name]=$(awk -v t="$w" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }')
  rss[$name]=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$out/$name.time")
  echo "bench: $name: ${wall[$name]} s, ${rss[$name]} MB" >&2
}

measure scanmux "$out/scanmux" merge -o "$out/scanmux.sarif" "${inputs[@]}"
cat "$out/scanmux.log" >&2
measure scanmux-full "$out/scanmux" merge --profile full -o "$out/scanmux-full.sarif" "${inputs[@]}"

names=(scanmux scanmux-full)
if [ "${SKIP_MULTITOOL:-0}" != 1 ]; then
  [ -x "$mt" ] || "$shared/tools/sarif-validate" /dev/null
  rm -rf "$out/multitool"
  measure multitool "$mt" merge "${inputs[@]}" --output-directory "$out/multitool" --output-file merged.sarif --log ForceOverwrite
  names+=(multitool)
fi

echo
printf '%-14s %10s %12s %12s %12s\n' tool wall_s peak_rss_MB "x faster" "x less RSS"
for n in "${names[@]}"; do
  if [ -n "${wall[multitool]:-}" ]; then
    sp=$(awk -v a="${wall[multitool]}" -v b="${wall[$n]}" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 0.01) }')
    mr=$(awk -v a="${rss[multitool]}" -v b="${rss[$n]}" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }')
  else
    sp=-; mr=-
  fi
  printf '%-14s %10s %12s %12s %12s\n' "$n" "${wall[$n]}" "${rss[$n]}" "$sp" "$mr"
done
echo

echo "bench: validating $out/scanmux.sarif" >&2
"$shared/tools/sarif-validate" "$out/scanmux.sarif"
