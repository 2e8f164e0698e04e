package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	if lines := strings.Count(stderr.String(), "\n"); lines != 1 {
		t.Errorf("want a one-line summary, got %q", stderr.String())
	}
	if !strings.Contains(stderr.String(), "2 files") {
		t.Errorf("summary %q does not count the files", stderr.String())
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
	if got["gosec"] != na || got["semgrep"] != nb {
		t.Errorf("merged findings per tool = %v, want gosec %d and semgrep %d", got, na, nb)
	}
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
		{"bad flag", []string{"merge", "--nope", "-o", out, good}, 2, "flag provided but not defined"},
		{"no output", []string{"merge", good}, 2, "usage: scanmux merge"},
		{"no inputs", []string{"merge", "-o", out}, 2, "usage: scanmux merge"},
		{"missing input", []string{"merge", "-o", out, good, filepath.Join(dir, "nope.sarif")}, 2, "nope.sarif"},
		{"malformed input", []string{"merge", "-o", out, good, bad}, 2, bad + ": $.runs[0].results[0]"},
		{"bad profile", []string{"merge", "-o", out, "--profile", "nope", good}, 2, "unknown --profile"},
		{"bad root", []string{"merge", "-o", out, "--root", filepath.Join(dir, "nope"), good}, 2, "not a directory"},
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
