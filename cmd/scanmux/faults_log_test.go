package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
)

// Fault matrix, log injection (hardening issue, defect 8): text from the
// scanned tree and from reports — file names, source names, messages —
// reaches stderr through progress lines, the summary, warnings and
// --explain. Printed as it is, a file named
// "x\n::error file=x.go::INJECTED\n.go" puts a GitHub Actions workflow
// command on a line of its own. Every row must keep the text visible
// (escaped) and must not put a control character, a line starting with
// "::" or a "##[" on stderr.
func TestFaultsLogInjection(t *testing.T) {
	const injected = "x\n::error file=x.go::INJECTED\n.go"
	rows := []struct {
		name   string
		path   string // the findings' path, a file under the root
		report string // the report's file name (its source name)
		args   []string
	}{
		{"file name through --explain and warnings", injected, "report.sarif", []string{"--explain"}},
		{"report name through progress and summary", "main.go", "r\n::error::INJECTED\n.sarif", nil},
		{"legacy command and terminal escapes", "a ##[error]INJECTED \x1b]0;title\x07\x1b[2J\r.go", "b ##[warning]INJECTED.sarif", []string{"--explain"}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			dir := t.TempDir()
			mustWrite(t, filepath.Join(dir, row.path), []byte("package main\n\nfunc main() {}\n"), 0o644)
			// The same report twice (under two names): its findings merge,
			// so --explain prints them; one more finding names a file
			// that does not exist, for the warning that lists such paths.
			log := sarifLog("t", "", row.path, 2)
			mustWrite(t, filepath.Join(dir, row.report), log, 0o644)
			mustWrite(t, filepath.Join(dir, "copy.sarif"), log, 0o644)
			mustWrite(t, filepath.Join(dir, "missing.sarif"), sarifLog("u", "", "gone/"+row.path, 1), 0o644)
			args := append([]string{"merge", "--root", dir, "--output-profile", "full", "-o", filepath.Join(dir, "out.sarif")}, row.args...)
			args = append(args, row.report, "copy.sarif", "missing.sarif")
			res := runScanmux(t, dir, time.Minute, args...)
			if res.code != 0 {
				t.Fatalf("exit %d, want 0; stderr:\n%s", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, "INJECTED") {
				t.Fatalf("the name is not printed at all; stderr:\n%s", res.stderr)
			}
			if strings.Contains(strings.Join(row.args, " "), "--explain") && !strings.Contains(res.stderr, "merges") {
				t.Errorf("--explain printed no merge; stderr:\n%s", res.stderr)
			}
			checkLogSafe(t, res.stderr)
		})
	}
}

// checkLogSafe fails t when the text holds a control character other than
// newline and tab, a line that is a workflow command once leading spaces
// are trimmed, or a legacy "##[" command.
func checkLogSafe(t *testing.T, text string) {
	t.Helper()
	for i, line := range strings.Split(text, "\n") {
		for _, r := range line {
			if (unicode.IsControl(r) && r != '\t') || r == '\u2028' || r == '\u2029' {
				t.Errorf("line %d holds control character %U: %q", i+1, r, line)
				break
			}
		}
		if strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") {
			t.Errorf("line %d is a workflow command: %q", i+1, line)
		}
		if strings.Contains(line, "##[") {
			t.Errorf("line %d holds a legacy workflow command: %q", i+1, line)
		}
	}
}

// The escaping of the line guard itself: what a library or a tool prints
// on stderr without escaping (a plugin's log line) cannot start a
// workflow command either. This runs scanmux on a report whose tool name
// and rule id are workflow commands, through the error a bad --format
// gives: the name reaches stderr inside an error message.
func TestFaultsLogInjectionErrors(t *testing.T) {
	dir := t.TempDir()
	name := "in\n::error::INJECTED\n.sarif"
	mustWrite(t, filepath.Join(dir, name), []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":`), 0o644)
	res := runScanmux(t, dir, time.Minute, "merge", "-o", "out.sarif", name)
	if res.code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "INJECTED") {
		t.Fatalf("the bad input is not named; stderr:\n%s", res.stderr)
	}
	checkLogSafe(t, res.stderr)
	if _, err := os.Stat(filepath.Join(dir, "out.sarif")); err == nil {
		t.Error("the output was written for a failed run")
	}
}

// The same without the stream guard main puts on stderr: the values are
// escaped where they are printed (progress, summary, --explain, errors).
func TestLogInjectionValuesEscaped(t *testing.T) {
	dir := t.TempDir()
	name := "x\n::error file=x.go::INJECTED ##[error]\x1b[2J\n.go"
	mustWrite(t, filepath.Join(dir, name), []byte("package main\n"), 0o644)
	log := sarifLog("t", "", name, 1)
	report := "r\n::error::INJECTED\n.sarif"
	mustWrite(t, filepath.Join(dir, report), log, 0o644)
	mustWrite(t, filepath.Join(dir, "copy.sarif"), log, 0o644)
	mustWrite(t, filepath.Join(dir, "missing.sarif"), sarifLog("u", "", "gone/"+name, 1), 0o644)
	mustWrite(t, filepath.Join(dir, "bad\n::error::INJECTED\n.sarif"), []byte("{"), 0o644)
	var stdout, stderr bytes.Buffer
	code := run([]string{"merge", "--root", dir, "--explain", "--partial", "-o", "table=-", "-o", filepath.Join(dir, "out.sarif"),
		filepath.Join(dir, report), filepath.Join(dir, "copy.sarif"), filepath.Join(dir, "missing.sarif"), filepath.Join(dir, "bad\n::error::INJECTED\n.sarif")}, &stdout, &stderr)
	if code != 2 {
		t.Fatalf("exit %d, want 2 (one bad input); stderr:\n%s", code, stderr.String())
	}
	for _, out := range []string{stderr.String(), stdout.String()} {
		if strings.Count(out, "INJECTED") < 2 {
			t.Fatalf("the names are not printed:\n%s", out)
		}
		checkLogSafe(t, out)
	}
}
