package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/scanmux/scanmux/sarif"
)

// corpus returns the path of a file in the shared corpus, or skips t when
// the shared directory (../shared beside the repository) is missing.
func corpus(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "corpus", name)
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		t.Skipf("corpus file %s not found: the shared directory ../shared beside the repository is missing (CI has it)", p)
	}
	return p
}

func countFindings(t *testing.T, path string) (runs, findings int) {
	t.Helper()
	rs, err := sarif.ReadFile(path, nil)
	if err != nil {
		t.Fatalf("ReadFile(%s): %v", path, err)
	}
	for _, r := range rs {
		findings += len(r.Findings)
	}
	return len(rs), findings
}

func TestMerge(t *testing.T) {
	a := corpus(t, "gosec/gosec-aws-ssm.sarif")
	b := corpus(t, "semgrep/owasp-benchmark-semgrep-0.17.sarif")
	_, na := countFindings(t, a)
	_, nb := countFindings(t, b)
	out := filepath.Join(t.TempDir(), "merged.sarif")

	var stdout, stderr bytes.Buffer
	code := run([]string{"merge", a, "-o", out, "--category", "ci", b}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "scanmux merge: wrote "+out) {
		t.Errorf("summary %q does not say what it wrote", stderr.String())
	}
	runs, err := sarif.ReadFile(out, nil)
	if err != nil {
		t.Fatalf("reading the merged log: %v", err)
	}
	got := map[string]int{}
	for _, r := range runs {
		got[r.Tool.Name] += len(r.Findings)
		if !strings.HasPrefix(r.Category, "ci") {
			t.Errorf("run %s: category %q, want ci", r.Tool.Name, r.Category)
		}
	}
	// The two reports come from different projects: nothing merges across
	// them, so every finding is kept.
	if got["gosec"] != na || got["semgrep"] != nb {
		t.Errorf("merged findings per tool = %v, want gosec %d and semgrep %d", got, na, nb)
	}
	validateSARIF(t, out)
}

// Merging a run with itself and a native report of the same tool keeps
// one finding per issue: deduplication happens in merge.
func TestMergeDedupAndImport(t *testing.T) {
	a := corpus(t, "gitleaks/gitleaks8-many.json")
	dir := t.TempDir()
	out := filepath.Join(dir, "merged.sarif")
	var stdout, stderr bytes.Buffer
	// The full profile keeps the findings without a file where they are;
	// the github profile would attach them to a fallback file (README.md of
	// the default root) for GitHub, which a later merge reads as a place.
	if code := run([]string{"import", "-o", out, "--output-profile", "full", a}, &stdout, &stderr); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr.String())
	}
	_, once := countFindings(t, out)
	out2 := filepath.Join(dir, "twice.sarif")
	if code := run([]string{"merge", "-o", out2, "--explain", a, a, out}, &stdout, &stderr); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr.String())
	}
	if _, twice := countFindings(t, out2); twice != once || once == 0 {
		t.Errorf("merging the same report three times: %d findings, want %d", twice, once)
	}
	if !strings.Contains(stderr.String(), "merged") {
		t.Errorf("--explain printed no merge:\n%s", stderr.String())
	}
	validateSARIF(t, out2)
}

func TestMergeErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.sarif")
	if err := os.WriteFile(good, []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":"r","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":1}}}]}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.sarif")
	if err := os.WriteFile(bad, []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.sarif")
	tests := []struct {
		reason string
		args   []string
		code   int
		stderr string
	}{
		{"no command", nil, 2, "usage"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"bad flag", []string{"merge", "--nope", "-o", out, good}, 2, "unknown flag: --nope"},
		{"no output", []string{"merge", good}, 2, "usage: scanmux merge"},
		{"no inputs", []string{"merge", "-o", out}, 2, "usage: scanmux merge"},
		{"missing input", []string{"merge", "-o", out, good, filepath.Join(dir, "nope.sarif")}, 2, "nope.sarif"},
		{"bad profile", []string{"merge", "-o", out, "--output-profile", "nope", good}, 2, "--output-profile"},
		{"bad root", []string{"merge", "-o", out, "--root", filepath.Join(dir, "nope"), good}, 2, "nope"},
		{"bad input format", []string{"merge", "-o", out, "--input-format", "nope", good}, 2, "--input-format"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.stderr)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("output written despite the error")
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 2 {
				t.Errorf("stray files left in %s: %v", dir, ents)
			}
		})
	}
}

// A malformed report fails the run (exit 2, the bad file named): the
// output is not written, an existing one is kept; with --partial the good
// report's findings are written, every run saying the log is partial, and
// the exit code is still 2.
func TestMergeMalformedKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.sarif")
	if err := os.WriteFile(good, []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":"r","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":1}}}]}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.sarif")
	if err := os.WriteFile(bad, []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"u"}},"results":[{"ruleId":`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.sarif")
	if err := os.WriteFile(out, []byte("OLD"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"merge", "-o", out, good, bad}, &stdout, &stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), bad+": $.runs[0].results[0]") {
		t.Errorf("stderr does not name the bad file and place:\n%s", stderr.String())
	}
	if b, _ := os.ReadFile(out); string(b) != "OLD" {
		t.Errorf("the output was replaced without --partial: %.80q", b)
	}
	stderr.Reset()
	if code := run([]string{"merge", "--partial", "-o", out, good, bad}, &stdout, &stderr); code != 2 {
		t.Errorf("--partial: exit %d, want 2", code)
	}
	runs, err := sarif.ReadFile(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range runs {
		if r.Tool.Name == "t" && len(r.Findings) == 1 {
			found = true
		}
		if !slices.ContainsFunc(r.Invocation.Notifications, func(n sarif.Notification) bool {
			return strings.Contains(n.Message, "this log is partial")
		}) {
			t.Errorf("run %s does not say the log is partial: %+v", r.Tool.Name, r.Invocation.Notifications)
		}
	}
	if !found {
		t.Errorf("the good report's finding was lost: %+v", runs)
	}
}

func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"version"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "scanmux ") {
		t.Errorf("version: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	if code := run([]string{"help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "merge") {
		t.Errorf("help: exit %d, stdout %q", code, stdout.String())
	}
}

// An output that is not a regular file (a named pipe here, /dev/null for
// users) is written in place, not replaced by a renamed temporary file.
func TestMergeToPipe(t *testing.T) {
	a := corpus(t, "gosec/gosec-aws-ssm.sarif")
	_, want := countFindings(t, a)
	fifo := filepath.Join(t.TempDir(), "out.pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	got := make(chan []byte, 1)
	go func() {
		b, err := os.ReadFile(fifo) // blocks until merge opens the pipe
		if err != nil {
			t.Error(err)
		}
		got <- b
	}()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"merge", "-o", fifo, a}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the named pipe was replaced: %v, %v", fi.Mode(), err)
	}
	data := <-got
	runs, err := sarif.Read(bytes.NewReader(data), "pipe", nil)
	if err != nil {
		t.Fatalf("reading what merge wrote into the pipe: %v", err)
	}
	n := 0
	for _, r := range runs {
		n += len(r.Findings)
	}
	if n != want {
		t.Errorf("%d findings through the pipe, want %d", n, want)
	}
}

// The CLI's conventions: help exits 0 for every command, --version and -v
// print the version, completion scripts for bash, zsh and fish, and a
// usage error names the flag or argument and exits 2.
func TestCLIConventions(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.sarif")
	mustWrite(t, good, sarifLog("t", "", "a.go", 1), 0o644)
	out := filepath.Join(dir, "o.sarif")
	badCfg := filepath.Join(dir, "bad.yaml")
	mustWrite(t, badCfg, []byte("scanners:\n  disable: [gosec, nosuch]\n"), 0o644)
	for _, c := range []struct {
		args   []string
		code   int
		stdout string // what stdout holds
		stderr string // what stderr holds
	}{
		{[]string{"--help"}, 0, "Available Commands", ""},
		{[]string{"scan", "--help"}, 0, "--format", ""},
		{[]string{"merge", "--help"}, 0, "--input-format", ""},
		{[]string{"import", "-h"}, 0, "--output", ""},
		{[]string{"plugins", "--help"}, 0, "--config", ""},
		{[]string{"help", "scan"}, 0, "--scanners", ""},
		{[]string{"--version"}, 0, "scanmux ", ""},
		{[]string{"-v"}, 0, "scanmux ", ""},
		{[]string{"completion", "bash"}, 0, "bash completion", ""},
		{[]string{"completion", "zsh"}, 0, "compdef", ""},
		{[]string{"completion", "fish"}, 0, "complete -c scanmux", ""},
		{[]string{"merge", good}, 2, "", "-o/--output is required"},
		{[]string{"merge", "-o", out}, 2, "", "no input FILE"},
		{[]string{"merge", "-o"}, 2, "", "'o'"},
		{[]string{"merge", "--fail-on"}, 2, "", "--fail-on"},
		{[]string{"merge", "-o", out, "--format", "xml", good}, 2, "", `--format "xml"`},
		{[]string{"merge", "-o", "xml=" + out, good}, 2, "", `unknown format "xml"`},
		{[]string{"merge", "-o", out, "-o", "json=" + out, good}, 2, "", "given twice"},
		{[]string{"merge", "-o", "-", "-o", "json=-", good}, 2, "", "stdout (-) is given twice"},
		{[]string{"merge", "-o", out, "--new-only", good}, 2, "", "--new-only needs --baseline"},
		{[]string{"merge", "-o", out, "--color", "pink", good}, 2, "", "--color"},
		{[]string{"merge", "-o", out, "--group-by", "tool", good}, 2, "", "--group-by"},
		{[]string{"scan", "--scanners", "gosec,nosuch", dir}, 2, "", `--scanners: unknown scanner "nosuch"`},
		{[]string{"scan", "--disable", "nosuch", dir}, 2, "", `--disable: unknown scanner "nosuch"`},
		{[]string{"scan", "--include", "style", dir}, 2, "", "--include"},
		{[]string{"scan", "--config", badCfg, dir}, 2, "", `bad.yaml: scanners.disable: unknown scanner "nosuch"`},
		{[]string{"scan", dir, dir}, 2, "", "one TARGET at most"},
		{[]string{"plugins", "extra"}, 2, "", "unknown command"},
		{[]string{"version", "extra"}, 2, "", "unknown command"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stdout.String(), c.stdout) || !strings.Contains(stderr.String(), c.stderr) {
			t.Errorf("scanmux %q: exit %d, want %d; stdout %.300q (want %q), stderr %q (want %q)", c.args, code, c.code, stdout.String(), c.stdout, stderr.String(), c.stderr)
		}
	}
}

// Several outputs in one run: each format to its file, and none written
// or replaced when the run fails; --partial writes them all.
func TestSeveralOutputs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.sarif")
	mustWrite(t, good, sarifLog("t", "", "a.go", 2), 0o644)
	bad := filepath.Join(dir, "bad.sarif")
	mustWrite(t, bad, []byte(`{"version":"2.1.0","runs":[`), 0o644)
	files := map[string]string{"sarif": "o.sarif", "json": "o.json", "table": "o.txt", "markdown": "o.md"}
	args := func(inputs ...string) []string {
		a := []string{"merge", "--root", dir, "-o", filepath.Join(dir, files["sarif"])}
		for _, f := range []string{"json", "table", "markdown"} {
			a = append(a, "-o", f+"="+filepath.Join(dir, files[f]))
		}
		return append(a, inputs...)
	}
	const old = "the last good run's output\n"
	for _, name := range files {
		mustWrite(t, filepath.Join(dir, name), []byte(old), 0o644)
	}
	var stdout, stderr bytes.Buffer
	if code := run(args(good, bad), &stdout, &stderr); code != 2 {
		t.Fatalf("a bad input: exit %d, want 2\n%s", code, stderr.String())
	}
	for _, name := range files {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != old {
			t.Errorf("the failed run replaced %s", name)
		}
	}
	if !strings.Contains(stderr.String(), "o.sarif, ") || !strings.Contains(stderr.String(), "o.md not written") {
		t.Errorf("stderr does not name the outputs kept:\n%s", stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(args(good), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	checks := map[string]string{"sarif": `"version": "2.1.0"`, "json": `"schema_version": "1.0.0"`, "table": "a.go:1", "markdown": "## scanmux"}
	for f, want := range checks {
		b, err := os.ReadFile(filepath.Join(dir, files[f]))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s output %s lacks %q (%v):\n%.400s", f, files[f], want, err, b)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout is not empty without -o -: %.200q", stdout.String())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 6 {
		t.Errorf("%d files in the directory, want 6 (inputs and outputs, no temporary file)", len(ents))
	}
}

// scanmux plugins fits 100 columns, and every installed tool's version is
// a version (not a banner or a tagline).
func TestPluginsTable(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"plugins"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	version := regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)+\S*$`)
	section := ""
	for _, l := range strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n") {
		if n := utf8.RuneCountInString(l); n > 100 {
			t.Errorf("%d columns: %q", n, l)
		}
		if l != "" && !strings.HasPrefix(l, " ") && strings.ToUpper(l) == l {
			section = strings.Fields(l)[0]
			continue
		}
		if f := strings.Fields(l); section == "INSTALLED" && len(f) == 4 && !version.MatchString(f[2]) && f[2] != "?" {
			t.Errorf("%s's version is %q", f[0], f[2])
		}
	}
	for _, want := range []string{"BUILT-IN", "INSTALLED TOOL", "PLUGIN BINARIES"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("no %s section", want)
		}
	}
}

// wrapLine breaks long lines at spaces, under the last column.
func TestWrapLine(t *testing.T) {
	got := wrapLine("semgrep       directory  pip install semgrep (its default rules come from the Semgrep registry, which needs network)", 60)
	want := []string{
		"semgrep       directory  pip install semgrep (its default",
		"                         rules come from the Semgrep",
		"                         registry, which needs network)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
