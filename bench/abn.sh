#!/usr/bin/env bash
# bench/abn.sh: A/B runs of the pipeline (bench/pipeline.sh's scanmux merge:
# ignore file, policies, github profile) for several variants, interleaved
# (A, B, C, A, B, C, ...) so that the load of a shared machine falls on all
# of them alike, and a table of the median wall time, CPU time and peak
# RSS of each with their spread (min-max) and their ratio to the first.
#
# usage: REPEAT=N bench/abn.sh LABEL=ENV@BINARY ...
#
# (bench/ab.sh compares two binaries; this one any number of variants
# and the Multitool.)
#
# ENV is a space-separated list of VAR=value set for that variant (may be
# empty); BINARY is a scanmux binary, or the SARIF Multitool
# (Sarif.Multitool, as bench/merge.sh finds it), which then runs its
# merge of the same inputs for the ratios of the issue's bar. Each variant's output is hashed with
# the invocation times taken out: the table says whether it matches the
# first variant's byte for byte. Inputs: bench/merge.sh's
# bench/out/in-10-50000-overlap0.3 (run bench/pipeline.sh once to make them).
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${REPEAT:-5}
in=${IN:-bench/out/in-10-50000-overlap0.3}
out=bench/out/ab
mkdir -p "$out"
[ -d "$in" ] || { echo "ab: $in is missing: run bench/pipeline.sh first" >&2; exit 2; }
labels=()
declare -A envs bins walls cpus rsss hashes
for spec in "$@"; do
  label=${spec%%=*}; rest=${spec#*=}
  envs[$label]=${rest%%@*}; bins[$label]=${rest#*@}
  labels+=("$label")
done
for round in $(seq "$repeat"); do
  for l in "${labels[@]}"; do
    rm -f "$out/$l.sarif"
    read -r -a e <<<"${envs[$l]}"
    if [[ ${bins[$l]} == *Sarif.Multitool ]]; then
      rm -rf "$out/$l.mt"
      env "${e[@]}" /usr/bin/time -f '%e %U %S %M' -o "$out/$l.time" "${bins[$l]}" merge "$in"/*.sarif \
        --output-directory "$out/$l.mt" --output-file merged.sarif --log ForceOverwrite >"$out/$l.log" 2>&1 ||
        { echo "ab: $l failed" >&2; tail "$out/$l.log" >&2; exit 1; }
      cp "$out/$l.mt/merged.sarif" "$out/$l.sarif"
    else
      env "${e[@]}" /usr/bin/time -f '%e %U %S %M' -o "$out/$l.time" "${bins[$l]}" merge -q \
        --ignore-file bench/ignore50.yaml --policy examples/policies -o "$out/$l.sarif" "$in"/*.sarif >"$out/$l.log" 2>&1 ||
        { echo "ab: $l failed" >&2; tail "$out/$l.log" >&2; exit 1; }
    fi
    read -r w u s m <"$out/$l.time"
    walls[$l]+=" $w"; cpus[$l]+=" $(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')"; rsss[$l]+=" $((m / 1024))"
    hashes[$l]=$(sed -E 's/"(start|end)TimeUtc": ?"[^"]*"/T/g' "$out/$l.sarif" | sha256sum | cut -c1-16)
    echo "ab: round $round $l: wall $w s, rss $((m / 1024)) MB" >&2
  done
done
# stat VALUES: median min max
stat() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%s %s %s", m, v[1], v[NR]}'; }
first=${labels[0]}
read -r w0 _ _ <<<"$(stat "${walls[$first]}")"; read -r c0 _ _ <<<"$(stat "${cpus[$first]}")"; read -r r0 _ _ <<<"$(stat "${rsss[$first]}")"
printf '| %-12s | %-20s | %-20s | %-18s | %-7s |\n' variant "wall s (min-max)" "cpu s (min-max)" "RSS MB (min-max)" "same"
printf '|%s|%s|%s|%s|%s|\n' -------------- ---------------------- ---------------------- -------------------- ---------
for l in "${labels[@]}"; do
  read -r w wl wh <<<"$(stat "${walls[$l]}")"; read -r c cl ch <<<"$(stat "${cpus[$l]}")"; read -r r rl rh <<<"$(stat "${rsss[$l]}")"
  same=no; [ "${hashes[$l]}" = "${hashes[$first]}" ] && same=yes
  printf '| %-12s | %s (%s-%s) %+.0f%% | %s (%s-%s) %+.0f%% | %s (%s-%s) %+.0f%% | %-7s |\n' "$l" \
    "$w" "$wl" "$wh" "$(awk -v a="$w" -v b="$w0" 'BEGIN{print 100*(a/b-1)}')" \
    "$c" "$cl" "$ch" "$(awk -v a="$c" -v b="$c0" 'BEGIN{print 100*(a/b-1)}')" \
    "$r" "$rl" "$rh" "$(awk -v a="$r" -v b="$r0" 'BEGIN{print 100*(a/b-1)}')" "$same"
done
