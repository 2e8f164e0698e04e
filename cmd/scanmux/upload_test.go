package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/codescanning/codescanningtest"
)

const uploadSHA = "4b6472266afd7b471e86085a6659e8c7f2b119da"

// uploadEnv points the upload at s as GitHub Actions would, with the
// token in GITHUB_TOKEN.
func uploadEnv(t *testing.T, s *codescanningtest.Server) {
	t.Helper()
	t.Setenv("GITHUB_API_URL", s.URL)
	t.Setenv("GITHUB_REPOSITORY", s.Owner+"/"+s.Repo)
	t.Setenv("GITHUB_SHA", uploadSHA)
	t.Setenv("GITHUB_REF", "refs/pull/7/merge")
	t.Setenv("GITHUB_WORKSPACE", "/home/runner/work/app/app")
	t.Setenv("GITHUB_TOKEN", s.Token)
}

func runUploadArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runUpload(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

const vulnerableAppSARIF = "../../report/testdata/vulnerable-app.sarif"

// The whole path: checked, uploaded, processed; the analyses' URL on
// stdout, the log received as it was on disk.
func TestUploadCommand(t *testing.T) {
	s := codescanningtest.NewServer(t)
	s.SetProcessing(1, nil)
	uploadEnv(t, s)
	code, stdout, stderr := runUploadArgs(t, "--poll-interval", "10ms", vulnerableAppSARIF)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	up := s.Uploads()
	if len(up) != 1 {
		t.Fatalf("%d uploads", len(up))
	}
	want, _ := os.ReadFile(vulnerableAppSARIF)
	u := up[0]
	if !bytes.Equal(u.SARIF, want) || u.CommitSHA != uploadSHA || u.Ref != "refs/pull/7/merge" ||
		u.CheckoutURI != "file:///home/runner/work/app/app" || u.ToolName != "scanmux" || u.StartedAt == "" {
		t.Errorf("upload %s %s %s %s %s, log equal %v", u.CommitSHA, u.Ref, u.CheckoutURI, u.ToolName, u.StartedAt, bytes.Equal(u.SARIF, want))
	}
	if strings.TrimSpace(stdout) != s.URL+"/repos/"+s.Owner+"/"+s.Repo+"/code-scanning/analyses?sarif_id="+u.ID {
		t.Errorf("stdout %q", stdout)
	}
	if !strings.Contains(stderr, "61 results") || !strings.Contains(stderr, "processing complete") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if strings.Contains(stdout+stderr, s.Token) {
		t.Error("the token was printed")
	}
	if n := len(s.Requests()); n != 3 { // POST, pending, complete
		t.Errorf("%d requests, want 3", n)
	}
}

// Overrides, --no-wait and a token file (GITHUB_TOKEN unset): one POST,
// the receipt's URL on stdout.
func TestUploadCommandFlags(t *testing.T) {
	s := codescanningtest.NewServer(t)
	uploadEnv(t, s)
	t.Setenv("GITHUB_TOKEN", "")
	tok := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tok, []byte(s.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runUploadArgs(t, vulnerableAppSARIF, "--no-wait", "--token-file", tok,
		"--ref", "refs/heads/release", "--commit", strings.Repeat("a", 40), "--checkout-uri", "file:///src", "--tool-name", "scanmux-ci")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	u := s.Uploads()[0]
	if u.Ref != "refs/heads/release" || u.CommitSHA != strings.Repeat("a", 40) || u.CheckoutURI != "file:///src" || u.ToolName != "scanmux-ci" {
		t.Errorf("upload %+v", u.Ref)
	}
	if strings.TrimSpace(stdout) != s.URL+"/repos/"+s.Owner+"/"+s.Repo+"/code-scanning/sarifs/"+u.ID || len(s.Requests()) != 1 {
		t.Errorf("stdout %q, %d requests", stdout, len(s.Requests()))
	}
}

// A log over GitHub's 10 MiB (compressed) is refused before any request.
func TestUploadCommandOverLimit(t *testing.T) {
	s := codescanningtest.NewServer(t)
	uploadEnv(t, s)
	big := filepath.Join(t.TempDir(), "big.sarif")
	if err := os.WriteFile(big, incompressibleLog(t, 3700), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runUploadArgs(t, big)
	if code != exitUsage || !strings.Contains(stderr, "GitHub would reject it; nothing was sent") || !strings.Contains(stderr, "gzip-compressed") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests sent for a log over the limit", n)
	}
}

// incompressibleLog is a SARIF log of n results of 3,000 random bytes
// each (base64): about n*3 KB compressed.
func incompressibleLog(t *testing.T, n int) []byte {
	rng := rand.NewChaCha8([32]byte{1})
	results := make([]map[string]any, n)
	raw := make([]byte, 3000)
	for i := range results {
		rng.Read(raw)
		results[i] = map[string]any{"ruleId": "R", "message": map[string]any{"text": base64.StdEncoding.EncodeToString(raw)}}
	}
	b, err := json.Marshal(map[string]any{"version": "2.1.0", "runs": []any{map[string]any{
		"tool": map[string]any{"driver": map[string]any{"name": "big"}}, "results": results}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A log a failed run wrote with --partial is refused (nothing sent)
// unless --force, which warns.
func TestUploadCommandPartial(t *testing.T) {
	s := codescanningtest.NewServer(t)
	uploadEnv(t, s)
	log := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}},"results":[],"invocations":[{"executionSuccessful":false,` +
		`"toolExecutionNotifications":[{"level":"error","message":{"text":"this log is partial (written with --partial): import:zap.json failed, so the findings of its tools are missing or incomplete"}}]}]}]}`
	f := filepath.Join(t.TempDir(), "partial.sarif")
	if err := os.WriteFile(f, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runUploadArgs(t, "--no-wait", f)
	if code != exitUsage || !strings.Contains(stderr, "failed run") || !strings.Contains(stderr, "--force") || len(s.Requests()) != 0 {
		t.Fatalf("exit %d, %d requests\n%s", code, len(s.Requests()), stderr)
	}
	code, _, stderr = runUploadArgs(t, "--no-wait", "--force", f)
	if code != 0 || !strings.Contains(stderr, "warning") || len(s.Uploads()) != 1 {
		t.Fatalf("--force: exit %d\n%s", code, stderr)
	}
}

// GitHub's refusal is printed verbatim but escaped: a message cannot
// start a workflow command of its own.
func TestUploadCommandForbidden(t *testing.T) {
	s := codescanningtest.NewServer(t)
	uploadEnv(t, s)
	s.Script(codescanningtest.Answer{Status: 403, Body: `{"message":"Resource not accessible by integration\n::error file=x.go::INJECTED"}`})
	code, stdout, stderr := runUploadArgs(t, vulnerableAppSARIF)
	if code != exitUsage || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	if !strings.Contains(stderr, `Resource not accessible by integration\n::error`) || !strings.Contains(stderr, "security_events") {
		t.Errorf("stderr:\n%s", stderr)
	}
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "::") {
			t.Errorf("a line starts a workflow command: %q", line)
		}
	}
}

// Processing failed: GitHub's errors, one per line, exit 2.
func TestUploadCommandProcessingFailed(t *testing.T) {
	s := codescanningtest.NewServer(t)
	uploadEnv(t, s)
	s.SetProcessing(0, []string{`locationFromSarifResult: expected artifact location`, "second\x1b[2J error"})
	code, _, stderr := runUploadArgs(t, "--poll-interval", "10ms", vulnerableAppSARIF)
	if code != exitUsage || !strings.Contains(stderr, "  locationFromSarifResult: expected artifact location\n") || !strings.Contains(stderr, `second\x1b[2J error`) {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
}

// --check sends nothing and needs no token; usage errors exit 2.
func TestUploadCommandCheckAndUsage(t *testing.T) {
	s := codescanningtest.NewServer(t)
	uploadEnv(t, s)
	t.Setenv("GITHUB_TOKEN", "")
	code, stdout, stderr := runUploadArgs(t, "--check", vulnerableAppSARIF)
	if code != 0 || !strings.Contains(stdout, "11 runs, 61 results") || len(s.Requests()) != 0 {
		t.Fatalf("--check: exit %d\n%s%s", code, stdout, stderr)
	}
	for name, args := range map[string][]string{
		"no token":     {vulnerableAppSARIF},
		"no file":      {},
		"two files":    {vulnerableAppSARIF, vulnerableAppSARIF},
		"missing file": {"does-not-exist.sarif"},
		"bad repo":     {"--repository", "nope", vulnerableAppSARIF},
		"bad flag":     {"--frobnicate", vulnerableAppSARIF},
		"not a file":   {"--check", t.TempDir()},
	} {
		if code, _, stderr := runUploadArgs(t, args...); code != exitUsage || stderr == "" {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests", n)
	}
}

// The log that a failed run writes with --partial — made here by the real
// pipeline, so the marker upload looks for is the one merge writes — is
// refused before anything is sent.
func TestUploadRefusesRealPartialLog(t *testing.T) {
	s := codescanningtest.NewServer(t)
	uploadEnv(t, s)
	dir := t.TempDir()
	out, broken := filepath.Join(dir, "partial.sarif"), filepath.Join(dir, "cut-short.sarif")
	if err := os.WriteFile(broken, []byte(`{"version":"2.1.0","runs":[{"tool":`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"merge", "-q", "--partial", "-o", out, "--root", "../../examples/vulnerable-app", vulnerableAppSARIF, broken}, &stdout, &stderr)
	if code == 0 {
		t.Fatalf("merge with a missing input exited 0\n%s", stderr.String())
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatalf("--partial wrote no log (exit %d): %v\n%s", code, err, stderr.String())
	}
	code, _, errOut := runUploadArgs(t, out)
	if code != exitUsage || !strings.Contains(errOut, "written by a failed run") || len(s.Requests()) != 0 {
		t.Fatalf("upload of a partial log: exit %d, %d requests\n%s", code, len(s.Requests()), errOut)
	}
}

// A log written with --diff-base leaves out (suppresses) every finding
// outside the change; uploaded, it would close their alerts. upload
// refuses it before sending anything, unless --force.
func TestUploadRefusesDiffBaseLog(t *testing.T) {
	dir, _ := gitRepo(t)
	out := filepath.Join(t.TempDir(), "pr.sarif")
	var so, se bytes.Buffer
	if code := run([]string{"scan", "-q", "--scanners", "scanmux-iac", "--diff-base", "main", "-o", out, dir}, &so, &se); code != 0 {
		t.Fatalf("scan --diff-base: exit %d\n%s", code, se.String())
	}
	s := codescanningtest.NewServer(t)
	uploadEnv(t, s)
	code, _, errOut := runUploadArgs(t, "--no-wait", out)
	if code != exitUsage || !strings.Contains(errOut, "--diff-base") || !strings.Contains(errOut, "--force") || len(s.Requests()) != 0 {
		t.Fatalf("upload of a --diff-base log: exit %d, %d requests\n%s", code, len(s.Requests()), errOut)
	}
	code, _, errOut = runUploadArgs(t, "--no-wait", "--force", out)
	if code != 0 || !strings.Contains(errOut, "warning") || len(s.Uploads()) != 1 {
		t.Fatalf("--force: exit %d\n%s", code, errOut)
	}
}
