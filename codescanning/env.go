package codescanning

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Target says where an upload goes: what [Detect] finds, each field
// overridable.
type Target struct {
	// APIURL is the REST API's root.
	APIURL string
	// Owner and Repo name the repository.
	Owner, Repo string
	// CommitSHA, Ref and CheckoutURI are as in [Analysis].
	CommitSHA, Ref, CheckoutURI string
}

// Detect fills in the empty fields of t: from GitHub Actions' variables
// (GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_REF,
// GITHUB_WORKSPACE) read with getenv, or else from the git repository
// holding dir (the origin remote's GitHub URL, HEAD, its branch, the
// top-level directory). It returns an error naming each field it could
// not find and the flag that sets it.
func Detect(ctx context.Context, t Target, getenv func(string) string, dir string) (Target, error) {
	git := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	if t.APIURL == "" {
		t.APIURL = getenv("GITHUB_API_URL")
	}
	if t.APIURL == "" {
		t.APIURL = DefaultAPIURL
	}
	if t.Owner == "" && t.Repo == "" {
		repo := getenv("GITHUB_REPOSITORY")
		if repo == "" {
			repo = repoFromRemote(git("remote", "get-url", "origin"))
		}
		t.Owner, t.Repo, _ = strings.Cut(repo, "/")
	}
	if t.CommitSHA == "" {
		t.CommitSHA = getenv("GITHUB_SHA")
	}
	if t.CommitSHA == "" {
		t.CommitSHA = git("rev-parse", "--verify", "-q", "HEAD")
	}
	if t.Ref == "" {
		t.Ref = getenv("GITHUB_REF")
	}
	if t.Ref == "" {
		t.Ref = git("symbolic-ref", "-q", "HEAD")
	}
	if t.CheckoutURI == "" {
		if ws := getenv("GITHUB_WORKSPACE"); ws != "" {
			t.CheckoutURI = FileURI(ws)
		} else if top := git("rev-parse", "--show-toplevel"); top != "" {
			t.CheckoutURI = FileURI(top)
		}
	}
	var errs []error
	if t.Owner == "" || t.Repo == "" {
		errs = append(errs, errors.New("repository: GITHUB_REPOSITORY is not set and the origin remote is not a GitHub repository URL (pass --repository OWNER/REPO)"))
	}
	if t.CommitSHA == "" {
		errs = append(errs, errors.New("commit: GITHUB_SHA is not set and git has no HEAD here (pass --commit SHA)"))
	}
	if t.Ref == "" {
		errs = append(errs, errors.New("ref: GITHUB_REF is not set and HEAD is not on a branch (pass --ref refs/heads/BRANCH)"))
	}
	return t, errors.Join(errs...)
}

// remoteRE matches the owner and repository of a remote URL:
// https://github.com/o/r.git, git@github.com:o/r.git, ssh://git@HOST/o/r.
var remoteRE = regexp.MustCompile(`^(?:[a-z+]+://(?:[^@/]+@)?[^/]+/|[^@:/]+@[^:]+:)([^/]+)/([^/]+?)(?:\.git)?/?$`)

// repoFromRemote returns "owner/repo" from a git remote URL, or "".
func repoFromRemote(remote string) string {
	m := remoteRE.FindStringSubmatch(remote)
	if m == nil {
		return ""
	}
	return m[1] + "/" + m[2]
}

// FileURI returns the file:// URI of a local directory, as checkout_uri
// takes it.
func FileURI(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") { // C:/x
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// ParseRepository splits "OWNER/REPO".
func ParseRepository(s string) (owner, repo string, err error) {
	owner, repo, ok := strings.Cut(s, "/")
	if !ok || !ownerRE.MatchString(owner) || !repoRE.MatchString(repo) {
		return "", "", fmt.Errorf("repository %q is not OWNER/REPO", s)
	}
	return owner, repo, nil
}
