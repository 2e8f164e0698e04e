package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/scanmux/scanmux/codescanning"
	"github.com/scanmux/scanmux/internal/termsafe"
)

func init() {
	registerCommand("upload", "upload [flags] FILE.sarif",
		"upload a SARIF log to GitHub code scanning (checked against GitHub's limits first)", runUpload)
}

// uploadUsage heads upload's --help.
const uploadUsage = `usage: scanmux upload [flags] FILE.sarif

Uploads FILE to GitHub code scanning, as codeql-action's upload-sarif does:
the log is checked against GitHub's limits and rules first (nothing is sent
when it would be rejected), compressed, sent, and then followed until
GitHub has processed it (--wait, the default; bounded by --wait-timeout).

The repository, commit, ref and checkout URI come from GitHub Actions'
GITHUB_* variables, or else from git in the current directory; flags
override them. The token comes from --token-file or GITHUB_TOKEN, and
never from a flag's value: it needs the security_events scope (in a
workflow: permissions: security-events: write).

A log that a failed run wrote with --partial is refused unless --force:
its missing findings would close open alerts.

Exit codes: 0 uploaded (and processed, with --wait; an upload still being
processed after --wait-timeout is a warning), 2 usage, input, a log GitHub
would reject, an upload that failed or that GitHub could not process;
130 and 143 interrupted.

flags:
`

// runUpload is "scanmux upload".
func runUpload(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("upload", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		t           codescanning.Target
		repository  string
		tokenFile   string
		toolName    string
		wait        bool
		noWait      bool
		waitTimeout time.Duration
		interval    time.Duration
		force       bool
		checkOnly   bool
	)
	fs.StringVar(&repository, "repository", "", "`OWNER/REPO` to upload to (default: GITHUB_REPOSITORY, else git's origin remote)")
	fs.StringVar(&t.CommitSHA, "commit", "", "full `SHA` of the analysed commit (default: GITHUB_SHA, else git's HEAD)")
	fs.StringVar(&t.Ref, "ref", "", "full `REF`: refs/heads/BRANCH, refs/tags/TAG, refs/pull/N/merge or refs/pull/N/head (default: GITHUB_REF, else git's branch)")
	fs.StringVar(&t.CheckoutURI, "checkout-uri", "", "`URI` of the directory the analysis ran in (default: file:// of GITHUB_WORKSPACE, else of the git top level)")
	fs.StringVar(&t.APIURL, "api-url", "", "GitHub REST API `URL`; https://HOST/api/v3 for GitHub Enterprise Server (default: GITHUB_API_URL, else https://api.github.com)")
	fs.StringVar(&tokenFile, "token-file", "", "read the token from `FILE` (default: the GITHUB_TOKEN variable)")
	fs.StringVar(&toolName, "tool-name", "scanmux", "tool `NAME` GitHub files the analysis under")
	fs.BoolVar(&wait, "wait", true, "wait until GitHub has processed the upload, and fail when processing fails")
	fs.BoolVar(&noWait, "no-wait", false, "return once GitHub has accepted the upload")
	fs.DurationVar(&waitTimeout, "wait-timeout", 2*time.Minute, "how long --wait waits for processing")
	fs.DurationVar(&interval, "poll-interval", 5*time.Second, "time between processing checks")
	fs.BoolVar(&force, "force", false, "upload a log that a failed run wrote with --partial")
	fs.BoolVar(&checkOnly, "check", false, "only check the log against GitHub's limits and rules; send nothing (no token needed)")
	fs.Usage = func() {
		fmt.Fprint(stderr, uploadUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "scanmux upload: %s\n", termsafe.String(err.Error()))
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "scanmux upload: one SARIF file to upload, please (scanmux upload --help)")
		return exitUsage
	}
	if noWait {
		wait = false
	}
	fail := func(format string, a ...any) int {
		for i, v := range a {
			if e, ok := v.(error); ok {
				var ie *interruptedError
				if errors.As(e, &ie) {
					fmt.Fprintf(stderr, "scanmux upload: %v\n", ie)
					return ie.ExitCode()
				}
				a[i] = e.Error()
			}
			if s, ok := a[i].(string); ok {
				a[i] = termsafe.String(s)
			}
		}
		fmt.Fprintf(stderr, "scanmux upload: "+format+"\n", a...)
		return exitUsage
	}
	file := fs.Arg(0)
	if repository != "" {
		var err error
		if t.Owner, t.Repo, err = codescanning.ParseRepository(repository); err != nil {
			return fail("--repository: %s", err)
		}
	}
	log, err := readRegular(file)
	if err != nil {
		return fail("%s", err)
	}
	dir, _ := os.Getwd()
	target, detectErr := codescanning.Detect(ctx, t, os.Getenv, dir)

	checked, err := codescanning.Check(log, &codescanning.CheckOptions{CheckoutURI: target.CheckoutURI, AllowPartial: force, AllowDiffOnly: force})
	var pe *codescanning.PreflightError
	switch {
	case errors.As(err, &pe):
		fmt.Fprintf(stderr, "scanmux upload: %s: GitHub would reject it; nothing was sent:\n", termsafe.String(file))
		for _, p := range pe.Problems {
			fmt.Fprintf(stderr, "  %s\n", termsafe.String(p.String()))
		}
		if pe.Omitted > 0 {
			fmt.Fprintf(stderr, "  and %d more\n", pe.Omitted)
		}
		return exitUsage
	case errors.Is(err, codescanning.ErrPartialLog), errors.Is(err, codescanning.ErrDiffOnlyLog):
		return fail("%s: %s; nothing was sent (--force uploads it)", file, err)
	case err != nil:
		return fail("%s: %s", file, err)
	}
	if checked.Partial {
		fmt.Fprintf(stderr, "scanmux upload: warning: %s was written by a failed run (--partial); uploading it anyway (--force)\n", termsafe.String(file))
	}
	if checked.DiffOnly {
		fmt.Fprintf(stderr, "scanmux upload: warning: %s covers only a change (--diff-base); uploading it anyway (--force)\n", termsafe.String(file))
	}
	if checkOnly {
		fmt.Fprintf(stdout, "%s: %d runs, %d results, %d bytes gzip-compressed: GitHub's limits and rules are met; nothing was sent (--check)\n",
			termsafe.String(file), checked.Runs, checked.Results, len(checked.Gzip))
		return exitOK
	}
	if detectErr != nil {
		return fail("where to upload: %s", strings.ReplaceAll(detectErr.Error(), "\n", "; "))
	}
	token, err := uploadToken(tokenFile)
	if err != nil {
		return fail("%s", err)
	}
	a := &codescanning.Analysis{Owner: target.Owner, Repo: target.Repo, CommitSHA: target.CommitSHA, Ref: target.Ref,
		CheckoutURI: target.CheckoutURI, ToolName: toolName, Gzip: checked.Gzip}
	if st, err := time.Parse(time.RFC3339, checked.StartedAt); err == nil {
		a.StartedAt = st
	}
	client := &codescanning.Client{APIURL: target.APIURL, Token: token, UserAgent: "scanmux/" + version(),
		Logf: func(format string, args ...any) {
			fmt.Fprintf(stderr, "scanmux upload: %s\n", termsafe.String(fmt.Sprintf(format, args...)))
		}}
	rc, err := client.Upload(ctx, a)
	if err != nil {
		return fail("%s: upload to %s/%s failed: %s", file, target.Owner, target.Repo, err)
	}
	fmt.Fprintf(stderr, "scanmux upload: %s: %d runs, %d results (%d bytes gzip-compressed) uploaded to %s/%s for %s at %s: id %s\n",
		termsafe.String(file), checked.Runs, checked.Results, len(checked.Gzip), target.Owner, target.Repo,
		termsafe.String(target.Ref), target.CommitSHA[:12], termsafe.String(rc.ID))
	if !wait {
		fmt.Fprintln(stdout, termsafe.String(rc.URL))
		return exitOK
	}
	st, err := client.Wait(ctx, target.Owner, target.Repo, rc.ID, interval, waitTimeout)
	var perr *codescanning.ProcessingError
	switch {
	case errors.As(err, &perr):
		fmt.Fprintf(stderr, "scanmux upload: %s: GitHub could not process the upload %s:\n", termsafe.String(file), termsafe.String(rc.ID))
		for _, e := range perr.Errors {
			fmt.Fprintf(stderr, "  %s\n", termsafe.String(e))
		}
		return exitUsage
	case errors.Is(err, codescanning.ErrStillPending):
		fmt.Fprintf(stderr, "scanmux upload: warning: GitHub is still processing the upload after %s; its status: %s\n", waitTimeout, termsafe.String(rc.URL))
		fmt.Fprintln(stdout, termsafe.String(rc.URL))
		return exitOK
	case err != nil:
		return fail("%s: waiting for processing: %s", file, err)
	}
	fmt.Fprintf(stderr, "scanmux upload: processing complete; analyses:\n")
	fmt.Fprintln(stdout, termsafe.String(st.AnalysesURL))
	return exitOK
}

// readRegular reads a file that must be a regular file (a FIFO or a
// device would be read forever), naming it in errors.
func readRegular(name string) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	return os.ReadFile(name)
}

// uploadToken returns the token from file (trimmed), else GITHUB_TOKEN.
// Its value is never printed.
func uploadToken(file string) (string, error) {
	if file != "" {
		b, err := readRegular(file)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
			return "", fmt.Errorf("--token-file %s: not one token", file)
		}
		return tok, nil
	}
	if tok := strings.TrimSpace(os.Getenv("GITHUB_TOKEN")); tok != "" {
		return tok, nil
	}
	return "", errors.New("no token: set GITHUB_TOKEN or pass --token-file FILE (a token with the security_events scope)")
}
