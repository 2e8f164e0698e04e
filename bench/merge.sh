#!/usr/bin/env bash
# bench/merge.sh: time `scanmux merge` against the SARIF Multitool's `merge`
# on the same synthetic logs, side by side in one run, and validate
# scanmux's output. With REPEAT=N, every command runs N times, in rounds.
#
# Generates FILES logs of RESULTS results each with ../shared/bench/gen_sarif.py
# (default 10 x 50,000, about 190 MB) into bench/out/in-FILES-RESULTS (kept
# between runs; bench/out is gitignored), builds scanmux and
# bench/sarifmerge, and measures wall time and peak RSS with
# /usr/bin/time -v of:
#   scanmux         scanmux merge, default github profile (GitHub's limits)
#   scanmux-full    scanmux merge, full profile (no limits)
#   scanmux-nodedup scanmux merge --dedup=false, full profile: every result
#                   in one log, as the Multitool merges (without MERGE_ARGS)
#   sarif           bench/sarifmerge, github profile: package sarif's read
#                   and write without the aggregation engine
#   sarif-full      the same, full profile
#   multitool       Sarif.Multitool merge
# then prints a table with each one's speed-up and RSS ratio against the
# Multitool (with REPEAT, of each command's least wall time and median
# peak RSS; the CPU column, user plus system time, varies less than wall
# time on a shared machine), validates scanmux's github-profile output
# with the Multitool (bench/validate.sh, about 3.5 minutes; VALIDATE_ALL=1
# adds sarifmerge's, VALIDATE_FULL=1 the full-profile ones, which exceed
# GitHub's limits by design; SKIP_VALIDATE=1 skips it) and checks that
# GNU gzip -6 compresses the github-profile outputs under GitHub's 10 MiB.
#
# Environment: FILES, RESULTS (sizes), OVERLAP (gen_sarif's cross-tool
# overlap; default: its own), MERGE_ARGS (extra scanmux merge flags, e.g.
# filters; bench/pipeline.sh sets them), SHARED (default: ../shared beside
# the repository), SKIP_MULTITOOL=1 to time scanmux only, REPEAT. The machine's load is
# printed before and after: other processes on a shared machine slow every
# tool, so compare the ratios of one run, not times across runs.
#
# To see where scanmux spends its time, run one of the commands with
# SCANMUX_CPUPROFILE=FILE (or SCANMUX_MEMPROFILE=FILE) and read the profile
# with go tool pprof bench/out/scanmux FILE.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
shared=${SHARED:-$repo/../shared}
files=${FILES:-10}
results=${RESULTS:-50000}
out=$repo/bench/out
overlap=${OVERLAP:-}
repeat=${REPEAT:-1}
in=$out/in-$files-$results${overlap:+-overlap$overlap}
read -r -a merge_args <<<"${MERGE_ARGS:-}"
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
  python3 "$shared/bench/gen_sarif.py" "$in" --files "$files" --results "$results" ${overlap:+--overlap "$overlap"}
fi
inputs=("$in"/*.sarif)
echo "bench: inputs: ${#inputs[@]} files, $(du -sm "$in" | cut -f1) MB, $(cat "$in/truth.json")" >&2

echo "bench: building scanmux and sarifmerge" >&2
go build -o "$out/scanmux" ./cmd/scanmux
go build -o "$out/sarifmerge" ./bench/sarifmerge
# The merge command's profile flag: --output-profile (engine) or --profile.
help=$("$out/scanmux" merge -h 2>&1 || true)
pflag=--profile
if grep -q -- '-output-profile' <<<"$help"; then pflag=--output-profile; fi
quiet=()
if grep -qE '^  -q' <<<"$help"; then quiet=(-q); fi
echo "bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before" >&2

# measure NAME CMD...: runs CMD under /usr/bin/time -v and appends its
# wall time (s), peak RSS (MB) and CPU time (user + system, s) to
# walls[NAME], rsss[NAME] and cpus[NAME].
declare -A walls rsss cpus wall rss cpu
measure() {
  local name=$1; shift
  # Each command writes a new file, as the Multitool's output directory is
  # removed before it runs: replacing the last round's output would make
  # the command pay for freeing it.
  rm -f "$out/$name.sarif"
  /usr/bin/time -v -o "$out/$name.time" "$@" >"$out/$name.log" 2>&1 || {
    echo "bench: $name failed:" >&2; tail -20 "$out/$name.log" >&2; exit 1; }
  local w r c
  w=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out/$name.time")
  w=$(awk -v t="$w" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }')
  r=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$out/$name.time")
  c=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$out/$name.time")
  walls[$name]+=" $w"
  rsss[$name]+=" $r"
  cpus[$name]+=" $c"
  echo "bench: $name: $w s, $r MB, $c CPU-s" >&2
}

# summarize NAME: sets wall[NAME] and cpu[NAME] to the least of its wall
# and CPU (user + system) times and rss[NAME] to the median of its peak
# RSS.
summarize() {
  wall[$1]=$(tr ' ' '\n' <<<"${walls[$1]}" | grep . | sort -g | head -1)
  cpu[$1]=$(tr ' ' '\n' <<<"${cpus[$1]}" | grep . | sort -g | head -1)
  rss[$1]=$(tr ' ' '\n' <<<"${rsss[$1]}" | grep . | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
}

for round in $(seq "$repeat"); do
[ "$repeat" = 1 ] || echo "bench: round $round of $repeat" >&2
measure scanmux "$out/scanmux" merge "${quiet[@]}" "${merge_args[@]}" -o "$out/scanmux.sarif" "${inputs[@]}"
tail -3 "$out/scanmux.log" >&2
measure scanmux-full "$out/scanmux" merge "${quiet[@]}" "${merge_args[@]}" "$pflag" full -o "$out/scanmux-full.sarif" "${inputs[@]}"
tail -1 "$out/scanmux-full.log" >&2
names=(scanmux scanmux-full)
if [ -z "${MERGE_ARGS:-}" ]; then
  # The SARIF issue's merge: read, normalize, write, without dedup.
  measure scanmux-nodedup "$out/scanmux" merge "${quiet[@]}" --dedup=false "$pflag" full -o "$out/scanmux-nodedup.sarif" "${inputs[@]}"
  tail -1 "$out/scanmux-nodedup.log" >&2
  names+=(scanmux-nodedup)
fi
measure sarif "$out/sarifmerge" -o "$out/sarif.sarif" "${inputs[@]}"
cat "$out/sarif.log" >&2
measure sarif-full "$out/sarifmerge" -profile full -o "$out/sarif-full.sarif" "${inputs[@]}"
cat "$out/sarif-full.log" >&2
names+=(sarif sarif-full)
if [ "${SKIP_MULTITOOL:-0}" != 1 ]; then
  [ -x "$mt" ] || "$shared/tools/sarif-validate" /dev/null
  rm -rf "$out/multitool"
  measure multitool "$mt" merge "${inputs[@]}" --output-directory "$out/multitool" --output-file merged.sarif --log ForceOverwrite
  names+=(multitool)
fi
done
readarray -t names < <(printf '%s\n' "${names[@]}" | awk '!seen[$0]++')
for n in "${names[@]}"; do summarize "$n"; done

echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg) after" >&2

echo
printf '%-16s %10s %8s %12s %12s %12s\n' tool wall_s cpu_s peak_rss_MB "x faster" "x less RSS"
for n in "${names[@]}"; do
  if [ -n "${wall[multitool]:-}" ]; then
    sp=$(awk -v a="${wall[multitool]}" -v b="${wall[$n]}" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 0.01) }')
    mr=$(awk -v a="${rss[multitool]}" -v b="${rss[$n]}" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }')
  else
    sp=-; mr=-
  fi
  printf '%-16s %10s %8s %12s %12s %12s\n' "$n" "${wall[$n]}" "${cpu[$n]}" "${rss[$n]}" "$sp" "$mr"
done
echo

# The Multitool takes minutes and gigabytes on files this large (see
# bench/validate.sh): by default only scanmux's github-profile output.
check=("$out/scanmux.sarif")
if [ "${VALIDATE_ALL:-0}" = 1 ]; then check+=("$out/sarif.sarif"); fi
if [ "${VALIDATE_FULL:-0}" = 1 ]; then check+=("$out/scanmux-full.sarif" "$out/sarif-full.sarif"); fi
if [ "${SKIP_VALIDATE:-0}" != 1 ]; then
  echo "bench: validating ${check[*]}" >&2
  SHARED=$shared bash bench/validate.sh "${check[@]}"
fi

# GitHub limits the gzip that the upload carries, which codeql-action makes
# with zlib at level 6 (as GNU gzip -6 does, a little less tightly): the
# github-profile outputs must stay under 10 MiB compressed that way.
for f in "$out/scanmux.sarif" "$out/sarif.sarif"; do
  gz=$(gzip -6 -c -n "$f" | wc -c)
  echo "bench: $(basename "$f"): $gz bytes after gzip -6 (GitHub's limit: $((10 << 20)))" >&2
  if [ "$gz" -gt $((10 << 20)) ]; then
    echo "bench: $f is over GitHub's gzip limit" >&2
    exit 1
  fi
done
