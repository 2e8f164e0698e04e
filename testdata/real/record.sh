#!/usr/bin/env bash
# record.sh re-records the real outputs of real scanners run on tree/.
#
#   bash testdata/real/record.sh            # every tool that is installed
#   bash testdata/real/record.sh gosec tfsec # only these tools
#
# Every tool runs in every output format it writes that scanmux could read,
# from the tree root (cwd ".") and, for tools that take a directory or a
# package pattern, also from a sub-directory. Outputs go to
# out/<tool>/<tool>-<version>-<variant>.<ext>, exactly as the tool wrote them;
# out/MANIFEST.tsv lists them (file, tool, version, format, cwd, command).
# Re-recording a tool first removes its old files and manifest rows.
# A tool that is not installed is skipped with a message.
#
# Commands in the manifest use placeholders: {out} is the output file,
# {db} is testdata/real/db, {eslint} is $ESLINT_DIR, {tmp} is a scratch directory made for the run
# (local vulnerability databases built from db/ and empty caches live there),
# {url} the address of the web application a DAST tool scans (tools/vulnserver)
# and {scanmux} a scanmux binary built from this checkout.
# Tools are looked up on PATH, with $(go env GOPATH)/bin put first, and eslint
# in $ESLINT_DIR (default ~/.cache/scanmux-eslint, made with
# npm install --prefix ~/.cache/scanmux-eslint eslint@9.39.1
# eslint-plugin-security@3.0.1 @microsoft/eslint-formatter-sarif@3.1.0).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TREE=$HERE/tree
OUT=$HERE/out
DB=$HERE/db
MANIFEST=$OUT/MANIFEST.tsv
ESLINT_DIR=${ESLINT_DIR:-$HOME/.cache/scanmux-eslint}
if command -v go >/dev/null; then
	PATH="$(go env GOPATH)/bin:$PATH"
fi
export PATH
# No telemetry (govulncheck), no colour escapes in reports.
export GOTELEMETRY=off NO_COLOR=1

ALL_TOOLS=(gosec gitleaks staticcheck govulncheck bandit shellcheck cppcheck flawfinder
	eslint kube-score conftest tfsec osv-scanner grype trivy wapiti scanmux-iac)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/scanmux-record.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
ROWS=$TMP/rows.tsv
: >"$ROWS"

say() { printf 'record.sh: %s\n' "$*" >&2; }

# gover BIN prints the version of the Go module that holds BIN's main package
# (go install leaves many tools' own -version at "dev").
gover() {
	go version -m "$(command -v "$1")" | awk '
		$1 == "path" { p = $2 }
		($1 == "mod" || $1 == "dep") && (p == $2 || index(p, $2 "/") == 1) && length($2) > length(best) { best = $2; v = $3 }
		END { if (v == "" || v == "(devel)") exit 1; print v }'
}

# version TOOL prints the tool's version as its package spells it: Go
# modules' versions with their "v", Debian's and npm's without.
version() {
	case $1 in
	gosec | gitleaks | staticcheck | govulncheck | kube-score | conftest | tfsec | osv-scanner | grype | trivy)
		# A release binary knows its version; fall back to what it prints.
		gover "$1" 2>/dev/null || { "$1" version 2>/dev/null || "$1" --version 2>&1; } |
			grep -oE 'v?[0-9]+\.[0-9]+\.[0-9]+' | head -n 1 ;;
	bandit) bandit --version 2>/dev/null | awk 'NR == 1 { print $2 }' ;;
	shellcheck) shellcheck --version | awk '$1 == "version:" { print $2 }' ;;
	cppcheck) cppcheck --version | awk '{ print $2 }' ;;
	flawfinder) flawfinder --version ;;
	eslint) node -p 'require(process.argv[1]).version' "$ESLINT_DIR/node_modules/eslint/package.json" ;;
	wapiti) wapiti --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1 ;;
	scanmux-iac) (cd "$HERE/../.." && go run ./cmd/scanmux plugins) | awk '$1 == "scanmux-iac" { print $2; exit }' ;;
	esac
}

have() {
	case $1 in
	eslint) [[ -x $ESLINT_DIR/node_modules/.bin/eslint ]] ;;
	scanmux-iac) command -v go >/dev/null ;;
	*) command -v "$1" >/dev/null ;;
	esac
}

# rec TOOL FORMAT CWD VARIANT EXT MODE CMD... runs CMD in tree/CWD and
# records its report as out/TOOL/TOOL-VERSION-VARIANT.EXT. MODE is "stdout"
# (the report is CMD's standard output) or "file" (CMD writes {out}).
# Exit codes are not checked (most tools exit non-zero on findings); an
# absent or empty report is an error.
rec() {
	local tool=$1 format=$2 cwd=$3 variant=$4 ext=$5 mode=$6
	shift 6
	local name="$tool-$VERSION-$variant.$ext"
	local out="$OUT/$tool/$name"
	local log="$TMP/$tool-$variant.log"
	local args=() shown="" a
	for a in "$@"; do
		local b=${a//\{out\}/$out}
		b=${b//\{db\}/$DB}
		b=${b//\{eslint\}/$ESLINT_DIR}
		b=${b//\{url\}/${URL:-}}
		b=${b//\{scanmux\}/${SCANMUX:-}}
		args+=("${b//\{tmp\}/$TMP}")
		shown+="${shown:+ }$a"
	done
	[[ $mode == stdout ]] && shown+=" > {out}"
	mkdir -p "$OUT/$tool"
	local rc=0
	if [[ $mode == stdout ]]; then
		(cd "$TREE/$cwd" && "${args[@]}") >"$out" 2>"$log" || rc=$?
	else
		(cd "$TREE/$cwd" && "${args[@]}") >"$log" 2>&1 || rc=$?
	fi
	if [[ ! -s $out ]]; then
		say "$tool $variant: no report (exit $rc); its output:"
		sed 's/^/    /' "$log" >&2
		rm -f "$out"
		FAILED+=("$tool/$name")
		return 0
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tool/$name" "$tool" "$VERSION" "$format" "$cwd" "$shown" >>"$ROWS"
	say "$tool/$name (exit $rc, $(wc -c <"$out") bytes)"
}

# The local vulnerability databases, built from db/ into $TMP.
osvdb() {
	[[ -d $TMP/osvdb ]] && return
	mkdir -p "$TMP/osvdb/osv-scalibr/Go" "$TMP/osvdb/osv-scalibr/npm"
	python3 - "$DB" "$TMP/osvdb/osv-scalibr" <<'EOF'
import glob, os, sys, zipfile
db, dst = sys.argv[1], sys.argv[2]
for eco, pattern in (("Go", "govulndb/ID/*.json"), ("npm", "osv/npm/*.json")):
    with zipfile.ZipFile(os.path.join(dst, eco, "all.zip"), "w") as z:
        for f in sorted(glob.glob(os.path.join(db, pattern))):
            z.write(f, os.path.basename(f))
EOF
}

run_gosec() {
	local v
	for v in json sarif; do
		rec gosec $v . root-$v $v file gosec -quiet -fmt $v -out {out} ./...
		rec gosec $v samples/go sub-$v $v file gosec -quiet -fmt $v -out {out} ./...
	done
}

run_gitleaks() {
	local v
	for v in json sarif; do
		rec gitleaks $v . root-$v $v file gitleaks dir --no-banner --log-level error -f $v -r {out} .
		rec gitleaks $v samples/go sub-$v $v file gitleaks dir --no-banner --log-level error -f $v -r {out} .
	done
}

# The tree root has a go.work naming samples/go, so Go tools run from the
# root take the pattern ./samples/go/... (./... matches no module there).
run_staticcheck() {
	rec staticcheck jsonl . root-jsonl jsonl stdout staticcheck -f json ./samples/go/...
	rec staticcheck sarif . root-sarif sarif stdout staticcheck -f sarif ./samples/go/...
	rec staticcheck jsonl samples/go sub-jsonl jsonl stdout staticcheck -f json ./...
	rec staticcheck sarif samples/go sub-sarif sarif stdout staticcheck -f sarif ./...
}

run_govulncheck() {
	local v ext
	for v in json sarif openvex; do
		ext=$v
		[[ $v == openvex ]] && ext=json
		rec govulncheck $v . root-$v $ext stdout govulncheck -db file://{db}/govulndb -format $v ./samples/go/...
		rec govulncheck $v samples/go sub-$v $ext stdout govulncheck -db file://{db}/govulndb -format $v ./...
	done
}

run_bandit() {
	# Debian's bandit 1.6.2 has no SARIF formatter.
	rec bandit json . root-json json file bandit -q -r . -f json -o {out}
	rec bandit json samples/python sub-json json file bandit -q -r . -f json -o {out}
}

run_shellcheck() {
	# shellcheck has no SARIF output.
	rec shellcheck json . root-json json stdout shellcheck -f json samples/shell/deploy.sh
	rec shellcheck json1 . root-json1 json stdout shellcheck -f json1 samples/shell/deploy.sh
	rec shellcheck checkstyle . root-checkstyle xml stdout shellcheck -f checkstyle samples/shell/deploy.sh
}

run_cppcheck() {
	# cppcheck 2.10 writes no SARIF (--output-format=sarif came in a later release).
	rec cppcheck xml . root-xml xml file cppcheck --enable=all --quiet --xml --output-file={out} samples/c
	rec cppcheck xml samples/c sub-xml xml file cppcheck --enable=all --quiet --xml --output-file={out} .
}

run_flawfinder() {
	rec flawfinder sarif . root-sarif sarif stdout flawfinder --sarif samples/c
	rec flawfinder csv . root-csv csv stdout flawfinder --csv samples/c
	rec flawfinder sarif samples/c sub-sarif sarif stdout flawfinder --sarif .
	rec flawfinder csv samples/c sub-csv csv stdout flawfinder --csv .
}

run_eslint() {
	local cwd
	# NODE_PATH lets the tree's eslint.config.js require eslint-plugin-security
	# and eslint resolve the SARIF formatter from the install outside the tree.
	for cwd in . samples/js; do
		local side=root
		[[ $cwd != . ]] && side=sub
		rec eslint json $cwd $side-json json stdout env NODE_PATH={eslint}/node_modules {eslint}/node_modules/.bin/eslint -f json .
		rec eslint sarif $cwd $side-sarif sarif stdout env NODE_PATH={eslint}/node_modules {eslint}/node_modules/.bin/eslint -f @microsoft/eslint-formatter-sarif .
	done
}

run_kube-score() {
	local v
	for v in json sarif; do
		rec kube-score $v . root-$v $v stdout kube-score score -o $v iac/k8s/deployment.yaml iac/k8s/privileged-pod.yaml
	done
}

run_conftest() {
	local v
	for v in json sarif; do
		rec conftest $v . root-$v $v stdout conftest test --no-color -p policy -o $v iac/k8s
	done
}

run_tfsec() {
	local v ext
	for v in json sarif checkstyle; do
		ext=$v
		[[ $v == checkstyle ]] && ext=xml
		rec tfsec $v . root-$v $ext file tfsec . --no-color --no-module-downloads -f $v --out {out}
		rec tfsec $v iac/terraform sub-$v $ext file tfsec . --no-color --no-module-downloads -f $v --out {out}
	done
}

run_osv-scanner() {
	osvdb
	local v ext name
	# Offline: --offline with the zips of db/'s OSV records in {tmp}/osvdb.
	for v in json sarif cyclonedx-1-6; do
		ext=$v name=$v
		[[ $v == cyclonedx-1-6 ]] && ext=json name=cyclonedx
		rec osv-scanner $name . root-$name $ext file env OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY={tmp}/osvdb osv-scanner scan source --offline -r --format $v --output-file {out} .
	done
	for v in json sarif; do
		rec osv-scanner $v samples/js sub-$v $v file env OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY={tmp}/osvdb osv-scanner scan source --offline -r --format $v --output-file {out} .
	done
}

# gotool NAME builds tools/NAME (a module of its own) into {tmp}.
gotool() {
	[[ -x $TMP/$1 ]] || (cd "$HERE/tools/$1" && go build -o "$TMP/$1" .)
}

# grype reads only its own database: tools/grypedb builds one with grype's
# own builder from db/'s OSV records; `grype db import` installs it into an
# empty cache directory in {tmp}.
grypedb() {
	[[ -d $TMP/grypecache ]] && return
	gotool grypedb
	"$TMP/grypedb" -db "$DB" -out "$TMP/grypedb.out" 2>"$TMP/grypedb.log"
	env GRYPE_DB_CACHE_DIR="$TMP/grypecache" grype db import "$TMP/grypedb.out/vulnerability.db" 2>>"$TMP/grypedb.log"
}

run_grype() {
	grypedb
	local env=(env GRYPE_DB_CACHE_DIR={tmp}/grypecache GRYPE_DB_AUTO_UPDATE=false GRYPE_DB_VALIDATE_AGE=false
		GRYPE_DB_REQUIRE_UPDATE_CHECK=false GRYPE_CHECK_FOR_APP_UPDATE=false)
	local v ext name
	for v in json sarif cyclonedx-json; do
		ext=$v name=$v
		[[ $v == cyclonedx-json ]] && ext=json name=cyclonedx
		rec grype $name . root-$name $ext file "${env[@]}" grype dir:. -q -o $v --file {out}
	done
	for v in json sarif; do
		rec grype $v samples/js sub-$v $v file "${env[@]}" grype dir:. -q -o $v --file {out}
	done
}

# trivy config and the secret scanner need no database: an empty cache
# directory and --skip-check-update (the checks bundle embedded in the binary).
# The vulnerability scanner reads {tmp}/trivycache/db/trivy.db, written by
# tools/trivydb from db/'s OSV records, with every download switched off.
run_trivy() {
	gotool trivydb
	[[ -d $TMP/trivycache ]] || "$TMP/trivydb" -db "$DB" -out "$TMP/trivycache" 2>"$TMP/trivydb.log"
	mkdir -p "$TMP/trivy-empty"
	local cfg=(env TRIVY_CACHE_DIR={tmp}/trivy-empty trivy config --skip-check-update --quiet)
	local sec=(env TRIVY_CACHE_DIR={tmp}/trivy-empty trivy fs --scanners secret --skip-db-update --skip-java-db-update --offline-scan --quiet)
	local vul=(env TRIVY_CACHE_DIR={tmp}/trivycache trivy fs --scanners vuln --skip-db-update --skip-java-db-update --offline-scan --quiet)
	local v
	for v in json sarif; do
		rec trivy $v . root-config-$v $v file "${cfg[@]}" -f $v -o {out} .
		rec trivy $v iac/terraform sub-config-$v $v file "${cfg[@]}" -f $v -o {out} .
		rec trivy $v . root-secret-$v $v file "${sec[@]}" -f $v -o {out} .
		rec trivy $v config sub-secret-$v $v file "${sec[@]}" -f $v -o {out} .
		rec trivy $v . root-vuln-$v $v file "${vul[@]}" -f $v -o {out} .
		rec trivy $v samples/js sub-vuln-$v $v file "${vul[@]}" -f $v -o {out} .
	done
	rec trivy cyclonedx . root-vuln-cyclonedx json file "${vul[@]}" -f cyclonedx -o {out} .
}

# wapiti scans tools/vulnserver, a deliberately vulnerable web application
# that listens on 127.0.0.1 only and stops by itself; {url} is its address.
# wapiti keeps its session and configuration in {tmp} (never in $HOME) and
# runs only the modules that stay on the target.
run_wapiti() {
	gotool vulnserver
	local port=8099
	URL=http://127.0.0.1:$port/
	"$TMP/vulnserver" -addr 127.0.0.1:$port -for 10m &
	local pid=$!
	local i
	for i in $(seq 50); do
		curl -fs -o /dev/null "$URL" && break
		sleep 0.2
	done
	rec wapiti json . url-json json file env HOME={tmp} wapiti -u {url} --scope folder \
		-m xss,sql,exec,file,http_headers,csp,cookieflags,redirect --flush-session --no-bugreport -v 0 \
		--max-scan-time 180 --max-attack-time 60 --store-session {tmp}/wapiti-session \
		--store-config {tmp}/wapiti-config -f json -o {out}
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# scanmux's own IaC rules (the built-in scanner scanmux-iac), run alone on
# the tree, written as SARIF with every finding kept (--output-profile full).
# {scanmux} is a scanmux binary built from this checkout.
run_scanmux-iac() {
	SCANMUX=$TMP/scanmux
	[[ -x $SCANMUX ]] || (cd "$HERE/../.." && go build -o "$SCANMUX" ./cmd/scanmux)
	rec scanmux-iac sarif . root-sarif sarif file {scanmux} scan -q --in-process --scanners scanmux-iac \
		--output-profile full -o {out} .
}

TOOLS=("$@")
[[ ${#TOOLS[@]} -eq 0 ]] && TOOLS=("${ALL_TOOLS[@]}")
FAILED=()
DONE=()
for tool in "${TOOLS[@]}"; do
	if ! declare -F "run_$tool" >/dev/null; then
		say "unknown tool $tool (known: ${ALL_TOOLS[*]})"
		exit 2
	fi
	if ! have "$tool"; then
		say "$tool is not installed: skipped"
		continue
	fi
	VERSION=$(version "$tool" || true)
	[[ -n $VERSION ]] || VERSION=unknown
	rm -rf "${OUT:?}/$tool"
	"run_$tool"
	DONE+=("$tool")
done

# The manifest: old rows of the tools not re-recorded, and the new rows.
{
	printf 'file\ttool\tversion\tformat\tcwd\tcommand\n'
	{
		if [[ -f $MANIFEST ]]; then
			tail -n +2 "$MANIFEST" | awk -F'\t' -v done=" ${DONE[*]} " 'index(done, " " $2 " ") == 0'
		fi
		cat "$ROWS"
	} | LC_ALL=C sort
} >"$TMP/manifest"
mkdir -p "$OUT"
mv "$TMP/manifest" "$MANIFEST"

if [[ ${#FAILED[@]} -gt 0 ]]; then
	say "no report: ${FAILED[*]}"
	exit 1
fi
