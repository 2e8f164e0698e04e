package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// --explain is a boolean flag that also takes "near": the merges, then the
// pairs that almost merged and why not (here wapiti's headers on one page,
// from the real recording in testdata/real).
func TestExplainNearFlag(t *testing.T) {
	report := filepath.Join("..", "..", "testdata", "real", "out", "wapiti", "wapiti-3.0.4-url-json.json")
	out := filepath.Join(t.TempDir(), "out.sarif")
	for _, c := range []struct {
		flag       string
		code       int
		want, none string
	}{
		{"--explain", 0, "no merges", "near:"},
		{"--explain=true", 0, "no merges", "near:"},
		{"--explain=false", 0, "", "no merges"},
		{"--explain=near", 0, "near: wapiti Content Security Policy Configuration", ""},
		{"--explain=maybe", exitUsage, "want true, false or near", ""},
	} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"merge", "-q", "-o", out, "--output-profile", "full", c.flag, report}, &stdout, &stderr)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d: %s", c.flag, code, c.code, stderr.String())
			continue
		}
		if c.want != "" && !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%s: output lacks %q:\n%s", c.flag, c.want, stderr.String())
		}
		if c.none != "" && strings.Contains(stderr.String(), c.none) {
			t.Errorf("%s: output has %q:\n%s", c.flag, c.none, stderr.String())
		}
	}
}
