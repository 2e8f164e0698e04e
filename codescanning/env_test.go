package codescanning_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/codescanning"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// In GitHub Actions everything comes from the GITHUB_* variables.
func TestDetectActions(t *testing.T) {
	got, err := codescanning.Detect(context.Background(), codescanning.Target{}, env(map[string]string{
		"GITHUB_API_URL":    "https://ghe.example.com/api/v3",
		"GITHUB_REPOSITORY": "octo-org/octo-repo",
		"GITHUB_SHA":        "4b6472266afd7b471e86085a6659e8c7f2b119da",
		"GITHUB_REF":        "refs/pull/42/merge",
		"GITHUB_WORKSPACE":  "/home/runner/work/octo-repo/octo-repo",
	}), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := codescanning.Target{APIURL: "https://ghe.example.com/api/v3", Owner: "octo-org", Repo: "octo-repo",
		CommitSHA: "4b6472266afd7b471e86085a6659e8c7f2b119da", Ref: "refs/pull/42/merge",
		CheckoutURI: "file:///home/runner/work/octo-repo/octo-repo"}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// Overrides win.
	got, err = codescanning.Detect(context.Background(), codescanning.Target{Ref: "refs/heads/x", Owner: "a", Repo: "b"},
		env(map[string]string{"GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": want.CommitSHA, "GITHUB_REF": "refs/heads/main"}), t.TempDir())
	if err != nil || got.Ref != "refs/heads/x" || got.Owner != "a" || got.Repo != "b" || got.APIURL != codescanning.DefaultAPIURL {
		t.Errorf("%+v, %v", got, err)
	}
}

// Outside Actions, git says: the origin remote, HEAD, its branch and the
// top-level directory (a real repository made with git).
func TestDetectGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	gitRun := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitRun("init", "-q", "-b", "feature/upload")
	gitRun("commit", "-q", "--allow-empty", "-m", "x")
	gitRun("remote", "add", "origin", "git@github.com:octo-org/octo-repo.git")
	sha := gitRun("rev-parse", "HEAD")
	got, err := codescanning.Detect(context.Background(), codescanning.Target{}, env(nil), dir)
	if err != nil {
		t.Fatal(err)
	}
	top, _ := filepath.EvalSymlinks(dir)
	want := codescanning.Target{APIURL: codescanning.DefaultAPIURL, Owner: "octo-org", Repo: "octo-repo",
		CommitSHA: sha, Ref: "refs/heads/feature/upload", CheckoutURI: codescanning.FileURI(top)}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// Detached HEAD and no remote: what is missing is named with its flag.
	gitRun("checkout", "-q", "--detach")
	gitRun("remote", "remove", "origin")
	_, err = codescanning.Detect(context.Background(), codescanning.Target{}, env(nil), dir)
	if err == nil || !strings.Contains(err.Error(), "--ref") || !strings.Contains(err.Error(), "--repository") || strings.Contains(err.Error(), "--commit") {
		t.Errorf("err = %v", err)
	}
}
