#!/usr/bin/env bash
# bench/validate.sh FILE...: validates large SARIF logs with Microsoft's
# SARIF Multitool, SARIF and GitHub rules ("Sarif;Gh"), one file per run.
#
# ../shared/tools/sarif-validate runs the Multitool with its default size
# limit: the Multitool skips a file over 10,000 KB with only a
# configuration notification, and the script then reports 0 errors
# without having read it. The benchmark's outputs are far larger (the
# GitHub limit is on the gzip), so this script raises the limit to the
# file's size and fails on any error the Multitool reports, configuration
# errors included. A 100 MB log takes the Multitool about 3.5 minutes and
# 9 GB of memory.
#
# Environment: SHARED (default: ../shared beside the repository, whose
# sarif-validate installs the Multitool), SARIF_MULTITOOL_HOME.
# Exit 0: no errors; 1: errors; 2: could not validate.
set -euo pipefail
files=()
for f in "$@"; do
  [ -f "$f" ] || { echo "bench/validate.sh: no such file: $f" >&2; exit 2; }
  files+=("$(realpath "$f")")
done
cd "$(dirname "$0")/.."
shared=${SHARED:-$PWD/../shared}
mt=${SARIF_MULTITOOL_HOME:-$HOME/.cache/sarif-multitool}/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
[ $# -gt 0 ] || { echo "usage: bench/validate.sh FILE..." >&2; exit 2; }
command -v jq >/dev/null || { echo "bench/validate.sh: needs jq" >&2; exit 2; }
[ -x "$mt" ] || "$shared/tools/sarif-validate" /dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
for f in "${files[@]}"; do
  kb=$(( $(stat -c %s "$f") / 1024 + 1 ))
  "$mt" validate "$f" --rule-kind "Sarif;Gh" --max-file-size-in-kb "$kb" \
    -o "$tmp/v.sarif" --log ForceOverwrite >"$tmp/log" 2>&1 || true
  [ -s "$tmp/v.sarif" ] || { echo "bench/validate.sh: no report for $f" >&2; tail -5 "$tmp/log" >&2; exit 2; }
  # Errors of the tool itself (a skipped file, a crash) count as errors.
  jq -r '.runs[].invocations[]? | (.toolConfigurationNotifications // []) + (.toolExecutionNotifications // []) |
    .[] | select(.level == "error") | "tool error: \(.message.text)"' "$tmp/v.sarif" >"$tmp/toolerr"
  jq -r '.runs[].results[]? | select(.level == "error" or .level == "warning") |
    "\(.level) \(.ruleId): \(.message.text // ((.message.arguments // []) | join(" ")))"' "$tmp/v.sarif" >"$tmp/found"
  errs=$(grep -c '^error ' "$tmp/found" || true)
  warns=$(grep -c '^warning ' "$tmp/found" || true)
  head -20 "$tmp/found" | sed 's/^/  /'
  cat "$tmp/toolerr"
  echo "$f: $errs errors, $warns warnings"
  if [ "$errs" -gt 0 ] || [ -s "$tmp/toolerr" ]; then fail=1; fi
done
exit $fail
