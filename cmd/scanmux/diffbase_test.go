package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// gitRepo copies examples/vulnerable-app into a new git repository on
// branch main, committed, and returns it and a git runner.
func gitRepo(t *testing.T) (string, func(args ...string)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	src := filepath.Join("..", "..", "examples", "vulnerable-app")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	g := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	g("init", "-q", "-b", "main")
	g("add", ".")
	g("commit", "-q", "-m", "base")
	return dir, g
}

// diagnostic is the part of an rdjsonl line the test reads.
type diagnostic struct {
	Location struct {
		Path  string
		Range struct{ Start struct{ Line int } }
	}
	Code struct{ Value string }
}

// One function changed on a branch: --diff-base reports that function's
// findings only (gosec's on the changed lines of userHandler), and the
// gate counts only them; every other finding stays in the report,
// suppressed with the reason.
func TestDiffBaseOneChangedFunction(t *testing.T) {
	dir, g := gitRepo(t)
	g("checkout", "-q", "-b", "feature")
	main := filepath.Join(dir, "main.go")
	src, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	// userHandler, lines 37-50: the three lines that have findings change.
	changed := string(src)
	for old, new := range map[string]string{
		`query := fmt.Sprintf("SELECT name FROM users WHERE id = '%s'", id)`: `query := fmt.Sprintf("SELECT name, email FROM users WHERE id = '%s'", id)`,
		`fmt.Fprintf(w, "would run: %s\n", query)`:                           `fmt.Fprintf(w, "would run: %s\n\n", query)`,
		`rows, err := db.Query(query)`:                                       `rows, err := db.Query(query) // still injectable`,
	} {
		if !strings.Contains(changed, old) {
			t.Fatalf("main.go has no %q", old)
		}
		changed = strings.Replace(changed, old, new, 1)
	}
	if err := os.WriteFile(main, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	g("commit", "-q", "-am", "change userHandler")

	scan := func(mode string) (code int, diags []diagnostic, csv string, stderr string) {
		out := t.TempDir()
		args := []string{"scan", "-q", "--disable", "govulncheck,osv-scanner,grype,trivy", "--diff-base", "main",
			"--fail-on", "medium", "-o", "rdjsonl=" + filepath.Join(out, "pr.jsonl"), "-o", "csv=" + filepath.Join(out, "all.csv"), dir}
		if mode != "" {
			args = append(args[:len(args)-1], "--diff-mode", mode, dir)
		}
		var so, se bytes.Buffer
		code = run(args, &so, &se)
		data, err := os.ReadFile(filepath.Join(out, "pr.jsonl"))
		if err != nil {
			t.Fatalf("exit %d: %v\n%s", code, err, se.String())
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			var d diagnostic
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatal(err)
			}
			diags = append(diags, d)
		}
		all, err := os.ReadFile(filepath.Join(out, "all.csv"))
		if err != nil {
			t.Fatal(err)
		}
		return code, diags, string(all), se.String()
	}
	got := func(ds []diagnostic) []string {
		var s []string
		for _, d := range ds {
			s = append(s, d.Location.Path+":"+itoa(d.Location.Range.Start.Line)+" "+d.Code.Value)
		}
		slices.Sort(s)
		return s
	}

	ours := map[string][]string{}
	for _, mode := range []string{"", "diff_context"} {
		code, diags, csv, stderr := scan(mode)
		ours[mode] = got(diags)
		want := []string{"main.go:39 G201", "main.go:41 G705", "main.go:44 G701"}
		if g := got(diags); !slices.Equal(g, want) {
			t.Errorf("mode %q: reported %v, want userHandler's %v\n%s", mode, g, want, stderr)
		}
		if code != exitGateFailed {
			t.Errorf("mode %q: exit %d, want 1 (the changed function's findings fail the gate)", mode, code)
		}
		if !strings.Contains(csv, "since main (--diff-base, mode ") || !strings.Contains(csv, "G404") {
			t.Errorf("mode %q: the other findings are not kept suppressed with the reason:\n%s", mode, csv)
		}
	}

	// file: every finding of main.go, none of the unchanged files.
	_, diags, _, _ := scan("file")
	ours["file"] = got(diags)
	n := 0
	for _, d := range diags {
		if d.Location.Path != "main.go" {
			t.Errorf("mode file: %s is not changed", d.Location.Path)
		}
		n++
	}
	if n <= 3 {
		t.Errorf("mode file: %d findings of main.go, want all of them", n)
	}

	// reviewdog's own filter, given every finding and the same diff,
	// keeps the same ones in each mode.
	if rd := reviewdogPath(); rd == "" {
		t.Log("reviewdog is not installed: the comparison with its filter modes runs in CI")
	} else {
		out := filepath.Join(t.TempDir(), "all.jsonl")
		var so, se bytes.Buffer
		run([]string{"scan", "-q", "--disable", "govulncheck,osv-scanner,grype,trivy", "-o", "rdjsonl=" + out, dir}, &so, &se)
		all, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("%v\n%s", err, se.String())
		}
		for mode, want := range map[string][]string{"added": ours[""], "diff_context": ours["diff_context"], "file": ours["file"]} {
			cmd := exec.Command(rd, "-f=rdjsonl", "-reporter=rdjson", "-filter-mode="+mode, "-fail-level=none", "-diff=git diff main")
			cmd.Dir = dir
			cmd.Stdin = bytes.NewReader(all)
			res, err := cmd.Output()
			if err != nil {
				t.Fatalf("reviewdog -filter-mode=%s: %v", mode, err)
			}
			var doc struct{ Diagnostics []diagnostic }
			if err := json.Unmarshal(res, &doc); err != nil {
				t.Fatalf("reviewdog: %v\n%s", err, res)
			}
			if g := got(doc.Diagnostics); !slices.Equal(g, want) {
				t.Errorf("filter mode %s: reviewdog keeps %v, --diff-base %v", mode, g, want)
			}
		}
	}

	// A ref that is no commit is a usage error naming it.
	var so, se bytes.Buffer
	if code := run([]string{"scan", "-q", "--diff-base", "no-such-ref", dir}, &so, &se); code != exitUsage || !strings.Contains(se.String(), "no-such-ref") {
		t.Errorf("bad ref: exit %d: %s", code, se.String())
	}
	se.Reset()
	if code := run([]string{"scan", "-q", "--diff-base", "main", "--diff-mode", "lines", dir}, &so, &se); code != exitUsage || !strings.Contains(se.String(), "diff-mode") {
		t.Errorf("bad mode: exit %d: %s", code, se.String())
	}
}

// reviewdogPath is reviewdog's binary, or "".
func reviewdogPath() string {
	if p, err := exec.LookPath("reviewdog"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		if p := filepath.Join(home, "go", "bin", "reviewdog"); diffTestFileExists(p) {
			return p
		}
	}
	return ""
}

func diffTestFileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
