package gitdiff_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/gitdiff"
)

// repo makes a git repository in a temporary directory and returns it and
// a function running git there.
func repo(t *testing.T) (string, func(args ...string)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	g := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	g("init", "-q", "-b", "main")
	return dir, g
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const before = `package app

import "crypto/md5"

func Hash(p string) []byte {
	s := md5.Sum([]byte(p))
	return s[:]
}

func Query(id string) string {
	q := "SELECT * FROM users WHERE id = " + id
	return q
}
`

// Query's body changes (line 11 changed, 12 added); Hash stays.
const after = `package app

import "crypto/md5"

func Hash(p string) []byte {
	s := md5.Sum([]byte(p))
	return s[:]
}

func Query(id string) string {
	q := "SELECT * FROM accounts WHERE id = " + id
	q += " LIMIT 1"
	return q
}
`

func at(p string, start, end int) *finding.Finding {
	return &finding.Finding{Location: finding.Location{Path: p, Region: finding.Region{StartLine: start, EndLine: end}}}
}

func TestDiffOneChangedFunction(t *testing.T) {
	dir, g := repo(t)
	write(t, dir, "app/app.go", before)
	write(t, dir, "app/other.go", "package app\n")
	g("add", ".")
	g("commit", "-q", "-m", "base")
	g("checkout", "-q", "-b", "feature")
	write(t, dir, "app/app.go", after)
	g("commit", "-q", "-am", "change Query")
	// main moves on after the branch left it: its change is not ours.
	g("checkout", "-q", "main")
	write(t, dir, "app/other.go", "package app\n\n// changed on main\n")
	g("commit", "-q", "-am", "main moves on")
	g("checkout", "-q", "feature")
	// An uncommitted new file counts once it is in the index.
	write(t, dir, "app/new.go", "package app\n\nvar X = 1\n")
	g("add", "app/new.go")

	c, err := gitdiff.Diff(context.Background(), dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Base) != 40 {
		t.Errorf("Base = %q, want a commit id", c.Base)
	}
	want := map[string]*gitdiff.File{
		"app/app.go": {Added: []gitdiff.Range{{11, 12}}, Hunks: []gitdiff.Range{{8, 14}}},
		"app/new.go": {Added: []gitdiff.Range{{1, 3}}, Hunks: []gitdiff.Range{{1, 3}}},
	}
	if !reflect.DeepEqual(c.Files, want) {
		t.Errorf("Files:")
		for p, f := range c.Files {
			t.Errorf("  %s %+v", p, *f)
		}
	}
	hash, query, sig := at("app/app.go", 6, 6), at("app/app.go", 11, 11), at("app/app.go", 10, 10)
	span := at("app/app.go", 9, 13) // a finding spanning the function
	other := at("app/other.go", 1, 1)
	for _, tc := range []struct {
		mode gitdiff.Mode
		f    *finding.Finding
		want bool
	}{
		{gitdiff.ModeAdded, query, true}, {gitdiff.ModeAdded, hash, false}, {gitdiff.ModeAdded, sig, false},
		{gitdiff.ModeAdded, span, true}, {gitdiff.ModeAdded, other, false}, {gitdiff.ModeAdded, at("app/app.go", 0, 0), false},
		{gitdiff.ModeDiffContext, sig, true}, {gitdiff.ModeDiffContext, hash, false},
		{gitdiff.ModeFile, hash, true}, {gitdiff.ModeFile, other, false}, {gitdiff.ModeFile, at("", 0, 0), false},
	} {
		if got := c.Contains(tc.mode, tc.f); got != tc.want {
			t.Errorf("%s: Contains(%s:%d-%d) = %v, want %v", tc.mode, tc.f.Location.Path, tc.f.Location.Region.StartLine, tc.f.Location.Region.EndLine, got, tc.want)
		}
	}

	// Run in a sub-directory, paths are relative to it.
	c, err = gitdiff.Diff(context.Background(), filepath.Join(dir, "app"), "main")
	if err != nil {
		t.Fatal(err)
	}
	if c.Files["app.go"] == nil || c.Files["app/app.go"] != nil {
		t.Errorf("in app/: files %v, want app.go", keys(c.Files))
	}

	// The filter suppresses what is outside, with the reason.
	flt := gitdiff.NewFilter(c, gitdiff.ModeAdded, "main")
	v, err := flt.Apply(context.Background(), at("app.go", 6, 6))
	if err != nil || v.Suppress == nil || !strings.Contains(v.Suppress.Justification, "since main (--diff-base, mode added)") {
		t.Errorf("Apply outside: %+v, %v", v.Suppress, err)
	}
	if v, _ := flt.Apply(context.Background(), at("app.go", 12, 12)); v.Suppress != nil {
		t.Errorf("Apply inside suppressed: %+v", v.Suppress)
	}
}

func keys(m map[string]*gitdiff.File) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestDiffBadInput(t *testing.T) {
	dir, g := repo(t)
	write(t, dir, "a.txt", "a\n")
	g("add", ".")
	g("commit", "-q", "-m", "base")
	ctx := context.Background()
	for _, ref := range []string{"", "--output=" + filepath.Join(dir, "pwned"), "no-such-branch", "HEAD\x00", "HEAD:a.txt"} {
		if _, err := gitdiff.Diff(ctx, dir, ref); !errors.Is(err, gitdiff.ErrRef) {
			t.Errorf("Diff(%q) = %v, want ErrRef", ref, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Error("an option given as the base reached git")
	}
	notRepo := t.TempDir()
	if _, err := gitdiff.Diff(ctx, notRepo, "HEAD"); !errors.Is(err, gitdiff.ErrRef) && !errors.Is(err, gitdiff.ErrGit) {
		t.Errorf("Diff outside a repository = %v", err)
	} else if !strings.Contains(err.Error(), notRepo) {
		t.Errorf("error %q does not name the directory", err)
	}
	if _, err := gitdiff.ParseMode("everything"); !errors.Is(err, gitdiff.ErrMode) {
		t.Errorf("ParseMode: %v", err)
	}
}

// A repository's configuration and attributes do not run programs: an
// external diff driver, a textconv filter and an fsmonitor hook are set,
// and none runs.
func TestDiffRunsNoRepositoryPrograms(t *testing.T) {
	dir, g := repo(t)
	marker := filepath.Join(t.TempDir(), "ran")
	hook := "sh -c 'echo ran >> " + marker + "'"
	write(t, dir, "a.txt", "a\n")
	write(t, dir, ".gitattributes", "*.txt diff=evil\n")
	g("add", ".")
	g("commit", "-q", "-m", "base")
	g("config", "diff.external", hook)
	g("config", "diff.evil.command", hook)
	g("config", "diff.evil.textconv", hook)
	g("config", "core.fsmonitor", hook)
	write(t, dir, "a.txt", "a\nb\n")
	c, err := gitdiff.Diff(context.Background(), dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("git ran a program from the repository's configuration")
	}
	if f := c.Files["a.txt"]; f == nil || !reflect.DeepEqual(f.Added, []gitdiff.Range{{2, 2}}) {
		t.Errorf("a.txt: %+v", f)
	}
}

// Renames, deletions, binary files, quoted names and mode changes, as git
// writes them.
func TestParseGitForms(t *testing.T) {
	dir, g := repo(t)
	write(t, dir, "old name.txt", "1\n2\n3\n4\n5\n")
	write(t, dir, "gone.txt", "x\n")
	write(t, dir, "bin.dat", "\x00\x01")
	write(t, dir, "run.sh", "echo\n")
	g("add", ".")
	g("commit", "-q", "-m", "base")
	if err := os.Mkdir(filepath.Join(dir, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	g("mv", "old name.txt", "dir/nouveau\tété.txt")
	write(t, dir, "dir/nouveau\tété.txt", "1\n2\n3\n4\n5\n6\n")
	g("rm", "-q", "gone.txt")
	write(t, dir, "bin.dat", "\x00\x02")
	if err := os.Chmod(filepath.Join(dir, "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	g("add", ".")
	c, err := gitdiff.Diff(context.Background(), dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*gitdiff.File{
		"dir/nouveau\tété.txt": {Added: []gitdiff.Range{{6, 6}}, Hunks: []gitdiff.Range{{3, 6}}},
		"bin.dat":              {},
		"run.sh":               {},
	}
	if !reflect.DeepEqual(c.Files, want) {
		for p, f := range c.Files {
			t.Errorf("got %q %+v", p, *f)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	for _, in := range []string{
		"@@ -1 +1 @@\n+x\n",
		"--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n x\n",
		"--- a/x\n+++ b/x\n@@ -a +1 @@\n",
		"--- a/x\n+++ b/x\n@@ -1,1 +1,2 @@\n x\n?\n",
	} {
		if _, err := gitdiff.Parse(strings.NewReader(in)); !errors.Is(err, gitdiff.ErrParse) {
			t.Errorf("Parse(%q) = %v, want ErrParse", in, err)
		}
	}
}

// Parse never panics, and what it returns holds sorted, disjoint ranges
// within the hunks.
func FuzzParse(f *testing.F) {
	f.Add("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n a\n+b\n c\n")
	f.Add("--- a/x\n+++ \"b/\\303\\251t\\303\\251\"\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n")
	f.Add("diff --git a/x b/y\nsimilarity index 100%\nrename from x\nrename to y\n")
	f.Add("--- a/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := gitdiff.Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		for p, file := range c.Files {
			for _, rs := range [][]gitdiff.Range{file.Added, file.Hunks} {
				for i, r := range rs {
					if r.Start > r.End || i > 0 && rs[i-1].End+1 >= r.Start {
						t.Fatalf("%s: ranges %v", p, rs)
					}
				}
			}
		}
	})
}
