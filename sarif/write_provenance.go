package sarif

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
)

// Provenance says which repository state was scanned. [Write] puts it in
// every run's versionControlProvenance, mapped to %SRCROOT%.
type Provenance struct {
	// RepositoryURI is the repository's absolute URI, without credentials.
	// Required for the provenance to be written.
	RepositoryURI string
	// Revision is the commit id. Optional.
	Revision string
	// Branch is the branch name. Optional.
	Branch string
}

// scpLike matches git's scp-like remote syntax, "user@host:path".
var scpLike = regexp.MustCompile(`^(?:[^@/]+@)?([^:/]+):(.+)$`)

// DetectProvenance asks git about the checkout at dir: the URL of remote
// "origin" with any credentials removed (scp-like "git@host:path" becomes
// "ssh://host/path"), the HEAD commit and the current branch. It returns
// (nil, nil) when dir is not inside a git checkout, and an error when git
// cannot be run. Fields git cannot tell (no remote, detached HEAD, no
// commit yet) are left empty.
func DetectProvenance(dir string) (*Provenance, error) {
	ctx := context.Background()
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		err := cmd.Run()
		return strings.TrimSpace(out.String()), err
	}
	inside, err := git("rev-parse", "--is-inside-work-tree")
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, nil // git ran and said: not a checkout
		}
		return nil, fmt.Errorf("sarif: running git: %w", err)
	}
	if inside != "true" {
		return nil, nil
	}
	p := &Provenance{}
	if remote, err := git("config", "--get", "remote.origin.url"); err == nil {
		p.RepositoryURI = cleanRemote(remote)
	}
	if rev, err := git("rev-parse", "--verify", "-q", "HEAD"); err == nil {
		p.Revision = rev
	}
	if br, err := git("symbolic-ref", "--short", "-q", "HEAD"); err == nil {
		p.Branch = br
	}
	return p, nil
}

// cleanRemote returns remote as an absolute URI without credentials, or ""
// if it is not one (a local path).
func cleanRemote(remote string) string {
	if u, err := url.Parse(remote); err == nil && u.Scheme != "" && u.Host != "" {
		u.User = nil
		return u.String()
	}
	if m := scpLike.FindStringSubmatch(remote); m != nil && !strings.Contains(m[1], "\\") {
		return (&url.URL{Scheme: "ssh", Host: m[1], Path: "/" + strings.TrimPrefix(m[2], "/")}).String()
	}
	return ""
}
