package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/reportdiff"
)

// Two real scans of examples/vulnerable-app, before and after a change
// that fixes the MD5 password hash, adds a file read from a variable and
// shifts every line down: diff reports gosec's MD5 findings fixed, the
// file read new, and the rest unchanged although their lines moved.
func TestDiffTwoScans(t *testing.T) {
	dir, _ := gitRepo(t)
	out := t.TempDir()
	scan := func(name string) string {
		t.Helper()
		p := filepath.Join(out, name)
		var so, se bytes.Buffer
		if code := run([]string{"scan", "-q", "--disable", "govulncheck,osv-scanner,grype,trivy", "--output-profile", "full", "-o", p, dir}, &so, &se); code != 0 {
			t.Fatalf("scan: exit %d\n%s", code, se.String())
		}
		return p
	}
	before := scan("before.sarif")
	main := filepath.Join(dir, "main.go")
	src, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for old, new := range map[string]string{
		"package main\n":      "package main\n\n// Three lines added above everything.\n//\n",
		`"crypto/md5"`:        `"crypto/sha256"`,
		"md5.Sum([]byte(pw))": "sha256.Sum256([]byte(pw))",
		"func hashPassword(":  "func readUpload(name string) ([]byte, error) {\n\treturn os.ReadFile(name)\n}\n\nfunc hashPassword(",
	} {
		if !strings.Contains(s, old) {
			t.Fatalf("main.go has no %q", old)
		}
		s = strings.Replace(s, old, new, 1)
	}
	if err := os.WriteFile(main, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	after := scan("after.sarif")

	var so, se bytes.Buffer
	if code := run([]string{"diff", "--format", "json", before, after}, &so, &se); code != 0 {
		t.Fatalf("diff: exit %d\n%s", code, se.String())
	}
	var doc reportdiff.JSON
	if err := json.Unmarshal(so.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	rules := func(fs []reportdiff.JSONFinding) string {
		var s []string
		for _, f := range fs {
			s = append(s, f.Tool+"/"+f.Rule)
		}
		return strings.Join(s, " ")
	}
	if got := rules(doc.Fixed); got != "gosec/G401 gosec/G501" && got != "gosec/G501 gosec/G401" {
		t.Errorf("fixed: %s, want gosec's G401 and G501", got)
	}
	if got := rules(doc.Added); got != "gosec/G304" {
		t.Errorf("new: %s, want gosec/G304", got)
	}
	if len(doc.Unchanged) < 30 || len(doc.Updated) != 0 {
		t.Errorf("%d unchanged, %d updated", len(doc.Unchanged), len(doc.Updated))
	}
	for _, f := range doc.Unchanged {
		if f.Rule == "G201" && f.Line != 39+3+4 {
			t.Errorf("G201 unchanged at line %d, want it moved to %d", f.Line, 39+3+4)
		}
	}

	// The table and markdown say the same; --fail-on-new exits 1.
	so.Reset()
	if code := run([]string{"diff", "--fail-on-new", before, after}, &so, &se); code != exitGateFailed {
		t.Errorf("--fail-on-new: exit %d", code)
	}
	if !strings.HasPrefix(so.String(), "1 new, 2 fixed, 0 updated, ") || !strings.Contains(so.String(), "G304") {
		t.Errorf("table:\n%s", so.String())
	}
	so.Reset()
	if code := run([]string{"diff", "-f", "markdown", after, after}, &so, &se); code != 0 || !strings.HasPrefix(so.String(), "## scanmux diff: 0 new, 0 fixed, 0 updated, ") {
		t.Errorf("markdown, a log against itself: exit %d\n%s", code, so.String())
	}
	// Usage errors.
	for _, args := range [][]string{{"diff", before}, {"diff", "-f", "xml", before, after}, {"diff", before, filepath.Join(out, "missing.sarif")}} {
		se.Reset()
		if code := run(args, &so, &se); code != exitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	if !strings.Contains(se.String(), "missing.sarif") {
		t.Errorf("a missing log is not named: %s", se.String())
	}
}
