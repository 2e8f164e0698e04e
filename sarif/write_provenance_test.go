package sarif

import (
	"bytes"
	"os/exec"
	"testing"
)

func TestCleanRemote(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:ghp_secret@github.com/org/repo.git": "https://github.com/org/repo.git",
		"https://github.com/org/repo":                     "https://github.com/org/repo",
		"git@github.com:org/repo.git":                     "ssh://github.com/org/repo.git",
		"ssh://git@github.com/org/repo.git":               "ssh://github.com/org/repo.git",
		"/srv/git/repo.git":                               "",
	} {
		if got := cleanRemote(in); got != want {
			t.Errorf("cleanRemote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDetectProvenance(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(bytes.TrimSpace(out))
	}
	if p, err := DetectProvenance(dir); p != nil || err != nil {
		t.Fatalf("not a checkout: got %+v, %v; want nil, nil", p, err)
	}
	git("init", "-q", "-b", "main")
	git("remote", "add", "origin", "https://bot:s3cret@github.com/org/repo.git")
	git("commit", "-q", "--allow-empty", "-m", "first")
	head := git("rev-parse", "HEAD")
	p, err := DetectProvenance(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Provenance{RepositoryURI: "https://github.com/org/repo.git", Revision: head, Branch: "main"}
	if p == nil || *p != want {
		t.Fatalf("got %+v, want %+v", p, want)
	}
	var buf bytes.Buffer
	if _, err := Write(&buf, []Run{{Tool: run(sastFinding()).Tool}}, &WriteOptions{Provenance: p}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"revisionId": "`+head+`"`)) || bytes.Contains(buf.Bytes(), []byte("s3cret")) {
		t.Errorf("versionControlProvenance wrong:\n%s", buf.Bytes())
	}
}
