#!/usr/bin/env bash
# record.sh records real scans of scanmux's test image by osv-scanner,
# trivy and grype, offline, into out/ (see README.md).
#
#   bash testdata/real/image/record.sh
#
# It builds the image (go run ./testdata/real/image/build), keeps its
# config.json, manifest.json and Dockerfile here (the recordings name its
# digests), builds each tool's small database from testdata/real/db, runs
# each installed tool on the image archive (named vuln.tar, from the
# scratch directory) in JSON and SARIF, and writes out/MANIFEST.tsv. A
# tool that is not installed is skipped with a message.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
REAL=$HERE/..
OUT=$HERE/out
PATH="$(go env GOPATH)/bin:$PATH"
export PATH GOTELEMETRY=off NO_COLOR=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/scanmux-image-record.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
say() { printf 'record.sh: %s\n' "$*" >&2; }

(cd "$REPO" && go run ./testdata/real/image/build -out "$TMP" -db "$REAL/db")
cp "$TMP/config.json" "$TMP/manifest.json" "$TMP/Dockerfile" "$HERE/"

gover() {
	go version -m "$(command -v "$1")" | awk '$1 == "mod" { print $3; exit }'
}

rows=()
# rec TOOL VERSION FORMAT EXT CMD... runs CMD in the scratch directory;
# {out} is the recording.
rec() {
	local tool=$1 version=$2 format=$3 ext=$4
	shift 4
	local name="$tool-$version-image-$format.$ext" args=() a shown=""
	for a in "$@"; do
		args+=("${a//\{out\}/$OUT/$name}")
		shown+="${shown:+ }$a"
	done
	local rc=0
	(cd "$TMP" && "${args[@]}") >"$TMP/$name.log" 2>&1 || rc=$?
	if [[ ! -s $OUT/$name ]]; then
		say "$name: no report (exit $rc)"
		sed 's/^/    /' "$TMP/$name.log" >&2
		exit 1
	fi
	rows+=("$name	$tool	$version	$format	$shown")
	say "$name (exit $rc, $(wc -c <"$OUT/$name") bytes)"
}

mkdir -p "$OUT"
if command -v osv-scanner >/dev/null; then
	v=$(gover osv-scanner)
	rm -f "$OUT"/osv-scanner-*
	for f in json sarif; do
		rec osv-scanner "$v" $f $f osv-scanner scan image --archive --offline --local-db-path osvdb --format $f --output-file {out} vuln.tar
	done
else
	say "osv-scanner is not installed: skipped"
fi
if command -v trivy >/dev/null; then
	v=$(gover trivy)
	rm -f "$OUT"/trivy-*
	(cd "$REAL/tools/trivydb" && go build -o "$TMP/trivydb-bin" .)
	"$TMP/trivydb-bin" -db "$REAL/db" -out "$TMP/trivycache" 2>"$TMP/trivydb.log"
	for f in json sarif; do
		rec trivy "$v" $f $f trivy image --cache-dir trivycache --skip-db-update --skip-java-db-update --offline-scan --quiet --scanners vuln -f $f -o {out} --input vuln.tar
	done
else
	say "trivy is not installed: skipped"
fi
if command -v grype >/dev/null; then
	v=$(gover grype)
	rm -f "$OUT"/grype-*
	(cd "$REAL/tools/grypedb" && go build -o "$TMP/grypedb-bin" .)
	"$TMP/grypedb-bin" -db "$REAL/db" -out "$TMP/grypedb" 2>"$TMP/grypedb.log"
	GRYPE_DB_CACHE_DIR="$TMP/grypecache" grype db import "$TMP/grypedb/vulnerability.db" 2>>"$TMP/grypedb.log"
	for f in json sarif; do
		rec grype "$v" $f $f env GRYPE_DB_CACHE_DIR=grypecache GRYPE_DB_AUTO_UPDATE=false GRYPE_DB_VALIDATE_AGE=false \
			GRYPE_DB_REQUIRE_UPDATE_CHECK=false GRYPE_CHECK_FOR_APP_UPDATE=false grype docker-archive:vuln.tar -q -o $f --file {out}
	done
else
	say "grype is not installed: skipped"
fi

{
	printf 'file\ttool\tversion\tformat\tcommand\n'
	{
		if [[ -f $OUT/MANIFEST.tsv ]]; then
			tail -n +2 "$OUT/MANIFEST.tsv" | while IFS=$'\t' read -r file tool rest; do
				[[ -f $OUT/$file ]] && printf '%s\t%s\t%s\n' "$file" "$tool" "$rest"
			done
		fi
		printf '%s\n' "${rows[@]}"
	} | LC_ALL=C sort -u -t$'\t' -k1,1
} >"$TMP/manifest"
mv "$TMP/manifest" "$OUT/MANIFEST.tsv"
