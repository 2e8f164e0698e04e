package codescanning

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com"

// apiVersion is the REST API version every request asks for.
const apiVersion = "2022-11-28"

// Client talks to GitHub's code scanning REST API. Its zero value is not
// usable: Token is required.
type Client struct {
	// APIURL is the REST API's root: [DefaultAPIURL], or
	// https://HOST/api/v3 for GitHub Enterprise Server. Default:
	// DefaultAPIURL. A plain http:// URL is refused unless its host is the
	// loopback interface, so the token never crosses a network in clear.
	APIURL string
	// Token authenticates every request (a GITHUB_TOKEN, a token with the
	// security_events scope, or an app's token with security_events
	// write). It is sent only in the Authorization header and never
	// appears in errors.
	Token string
	// HTTPClient sends the requests. Default: a client with a 5-minute
	// timeout per request.
	HTTPClient *http.Client
	// UserAgent names the program (GitHub requires one). Default:
	// "scanmux".
	UserAgent string
	// MaxAttempts bounds the attempts of one request, the first included,
	// when GitHub answers 5xx, a secondary rate limit or the connection
	// fails. Default: 5.
	MaxAttempts int
	// RetryBase is the first wait between attempts; it doubles each time
	// (with jitter) up to RetryMax. Default: 2s.
	RetryBase time.Duration
	// RetryMax bounds one wait, Retry-After included: a rate limit that
	// asks for longer fails the request. Default: 60s.
	RetryMax time.Duration
	// Logf, if set, receives a line for each retry (never the token).
	Logf func(format string, args ...any)
}

// Analysis is one SARIF upload.
type Analysis struct {
	// Owner and Repo name the repository.
	Owner, Repo string
	// CommitSHA is the analysed commit: 40 hex digits. Required.
	CommitSHA string
	// Ref is the full Git reference: refs/heads/BRANCH, refs/tags/TAG,
	// refs/pull/N/merge or refs/pull/N/head. Required.
	Ref string
	// CheckoutURI is the directory the analysis ran in, as a URI
	// (file:///home/runner/work/repo/repo); GitHub makes absolute paths in
	// the log relative to it. Optional.
	CheckoutURI string
	// StartedAt is when the analysis began. Optional.
	StartedAt time.Time
	// ToolName names the analysis's tool for filtering alerts. Optional
	// (GitHub's default is "API").
	ToolName string
	// Gzip is the SARIF log, gzip-compressed ([Checked].Gzip).
	Gzip []byte
}

// Receipt is GitHub's answer to an accepted upload.
type Receipt struct {
	// ID identifies the upload for [Client.Status].
	ID string `json:"id"`
	// URL is the upload's status URL.
	URL string `json:"url"`
}

// Processing states of an upload.
const (
	StatusPending  = "pending"
	StatusComplete = "complete"
	StatusFailed   = "failed"
)

// Status is an upload's processing state.
type Status struct {
	// ProcessingStatus is [StatusPending], [StatusComplete] or
	// [StatusFailed].
	ProcessingStatus string `json:"processing_status"`
	// AnalysesURL lists the analyses the upload made, once complete.
	AnalysesURL string `json:"analyses_url"`
	// Errors are GitHub's reasons when processing failed, verbatim.
	Errors []string `json:"errors"`
}

// Errors of [Client.Upload], [Client.Status] and [Client.Wait].
var (
	// ErrProcessingFailed means GitHub received the log but could not
	// process it; the error is a [*ProcessingError] with GitHub's errors.
	ErrProcessingFailed = errors.New("GitHub could not process the SARIF log")
	// ErrStillPending means the upload was still being processed when
	// the wait ended.
	ErrStillPending = errors.New("the upload is still being processed")
	// ErrInsecureURL means the API URL would send the token in clear.
	ErrInsecureURL = errors.New("the API URL is not https")
)

// APIError is an answer GitHub gave with an error status.
type APIError struct {
	// Method and Path are the request's ("POST",
	// "/repos/o/r/code-scanning/sarifs").
	Method, Path string
	// StatusCode is the HTTP status.
	StatusCode int
	// Message is GitHub's message, verbatim.
	Message string
	// Errors are GitHub's detailed errors, verbatim.
	Errors []string
	// DocumentationURL is GitHub's link for the error.
	DocumentationURL string
	// Hint explains the status for 403, 404 and 413, and rate limits.
	Hint string
}

// Error gives the request, the status, GitHub's message and errors, and
// the hint.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	for _, s := range e.Errors {
		fmt.Fprintf(&b, "; %s", s)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, " (%s)", e.Hint)
	}
	return b.String()
}

// ProcessingError is an upload GitHub could not process. It wraps
// [ErrProcessingFailed].
type ProcessingError struct {
	// ID is the upload's id.
	ID string
	// Errors are GitHub's errors, verbatim.
	Errors []string
}

// Error gives the upload's id and GitHub's errors.
func (e *ProcessingError) Error() string {
	return fmt.Sprintf("%v (upload %s): %s", ErrProcessingFailed, e.ID, strings.Join(e.Errors, "; "))
}

// Unwrap returns [ErrProcessingFailed].
func (e *ProcessingError) Unwrap() error { return ErrProcessingFailed }

var (
	shaRE   = regexp.MustCompile(`^[0-9a-f]{40}$`)
	refRE   = regexp.MustCompile(`^refs/(heads/.+|tags/.+|pull/[0-9]+/(merge|head))$`)
	ownerRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)
	repoRE  = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// Validate checks the fields GitHub requires, before a request is made.
func (a *Analysis) Validate() error {
	var errs []error
	if !ownerRE.MatchString(a.Owner) || !repoRE.MatchString(a.Repo) || a.Repo == "." || a.Repo == ".." {
		errs = append(errs, fmt.Errorf("repository %q is not OWNER/REPO", a.Owner+"/"+a.Repo))
	}
	if !shaRE.MatchString(a.CommitSHA) {
		errs = append(errs, fmt.Errorf("commit %q is not a full 40-hex-digit SHA", a.CommitSHA))
	}
	if !refRE.MatchString(a.Ref) {
		errs = append(errs, fmt.Errorf("ref %q is not refs/heads/BRANCH, refs/tags/TAG, refs/pull/N/merge or refs/pull/N/head", a.Ref))
	}
	if a.CheckoutURI != "" {
		if u, err := url.Parse(a.CheckoutURI); err != nil || u.Scheme == "" {
			errs = append(errs, fmt.Errorf("checkout URI %q is not an absolute URI (file:///path)", a.CheckoutURI))
		}
	}
	if len(a.Gzip) == 0 {
		errs = append(errs, errors.New("no SARIF log"))
	}
	return errors.Join(errs...)
}

// uploadBody is the request body of an upload.
type uploadBody struct {
	CommitSHA   string `json:"commit_sha"`
	Ref         string `json:"ref"`
	SARIF       string `json:"sarif"`
	CheckoutURI string `json:"checkout_uri,omitempty"`
	StartedAt   string `json:"started_at,omitempty"`
	ToolName    string `json:"tool_name,omitempty"`
}

// Upload sends the analysis and returns GitHub's receipt. It retries on
// 5xx answers, transport errors and secondary rate limits, and fails at
// once on any other 4xx with an [*APIError].
func (c *Client) Upload(ctx context.Context, a *Analysis) (*Receipt, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	body := uploadBody{
		CommitSHA: a.CommitSHA, Ref: a.Ref, CheckoutURI: a.CheckoutURI,
		SARIF: base64.StdEncoding.EncodeToString(a.Gzip), ToolName: a.ToolName,
	}
	if !a.StartedAt.IsZero() {
		body.StartedAt = a.StartedAt.UTC().Format(time.RFC3339)
	}
	buf, err := json.Marshal(&body)
	if err != nil {
		return nil, err
	}
	path := "/repos/" + url.PathEscape(a.Owner) + "/" + url.PathEscape(a.Repo) + "/code-scanning/sarifs"
	var rc Receipt
	if err := c.do(ctx, http.MethodPost, path, buf, http.StatusAccepted, &rc); err != nil {
		return nil, err
	}
	if rc.ID == "" {
		return nil, fmt.Errorf("POST %s: GitHub accepted the upload but sent no id", path)
	}
	return &rc, nil
}

// Status returns the processing state of upload id.
func (c *Client) Status(ctx context.Context, owner, repo, id string) (*Status, error) {
	path := "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repo) + "/code-scanning/sarifs/" + url.PathEscape(id)
	var st Status
	if err := c.do(ctx, http.MethodGet, path, nil, http.StatusOK, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Wait polls upload id every interval until GitHub has processed it, and
// returns its complete status, a [*ProcessingError] when processing
// failed, or an error wrapping [ErrStillPending] (with the last status)
// after timeout. A 404 while waiting counts as not processed yet: the
// upload may take a moment to become visible.
func (c *Client) Wait(ctx context.Context, owner, repo, id string, interval, timeout time.Duration) (*Status, error) {
	deadline := time.Now().Add(timeout)
	for {
		st, err := c.Status(ctx, owner, repo, id)
		var ae *APIError
		switch {
		case errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound:
			st = &Status{ProcessingStatus: StatusPending}
		case err != nil:
			return nil, err
		}
		switch st.ProcessingStatus {
		case StatusComplete:
			return st, nil
		case StatusFailed:
			return st, &ProcessingError{ID: id, Errors: st.Errors}
		}
		if !time.Now().Add(interval).Before(deadline) {
			return st, fmt.Errorf("%w after %s (status %q)", ErrStillPending, timeout, st.ProcessingStatus)
		}
		if err := sleep(ctx, interval); err != nil {
			return st, err
		}
	}
}

// do sends one request, with retries, and decodes a want-status answer
// into out.
func (c *Client) do(ctx context.Context, method, path string, body []byte, want int, out any) error {
	base, err := c.baseURL()
	if err != nil {
		return err
	}
	if c.Token == "" {
		return errors.New("no token: set GITHUB_TOKEN or pass a token file")
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	attempts := c.MaxAttempts
	if attempts <= 0 {
		attempts = 5
	}
	backoff, maxWait := c.RetryBase, c.RetryMax
	if backoff <= 0 {
		backoff = 2 * time.Second
	}
	if maxWait <= 0 {
		maxWait = 60 * time.Second
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", apiVersion)
		req.Header.Set("Authorization", "Bearer "+c.Token)
		ua := c.UserAgent
		if ua == "" {
			ua = "scanmux"
		}
		req.Header.Set("User-Agent", ua)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		var wait time.Duration
		var retryErr error
		if err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			retryErr = fmt.Errorf("%s %s: %w", method, path, scrub(err, c.Token))
			wait = backoff
		} else {
			data, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if rerr == nil && resp.StatusCode == want {
				if err := json.Unmarshal(data, out); err != nil {
					return fmt.Errorf("%s %s: GitHub's answer is not the JSON expected: %w", method, path, err)
				}
				return nil
			}
			ae := apiError(method, path, resp, bytes.ReplaceAll(data, []byte(c.Token), []byte("***")))
			if rerr != nil {
				retryErr = fmt.Errorf("%s %s: reading the answer: %w", method, path, rerr)
				wait = backoff
			} else if w, limited := rateLimited(resp); limited {
				if w > maxWait {
					ae.Hint = fmt.Sprintf("rate limited for %s, more than the %s scanmux waits", w.Round(time.Second), maxWait)
					return ae
				}
				retryErr, wait = ae, max(w, backoff)
			} else if resp.StatusCode >= 500 {
				retryErr, wait = ae, backoff
			} else {
				return ae
			}
		}
		if attempt >= attempts {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, retryErr)
		}
		wait = min(wait, maxWait)
		if c.Logf != nil {
			c.Logf("%v; retrying in %s (attempt %d of %d)", retryErr, wait.Round(time.Millisecond), attempt+1, attempts)
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		backoff = min(backoff*2, maxWait)
	}
}

// baseURL returns the API URL without a trailing slash, refusing one that
// would carry the token in clear over a network.
func (c *Client) baseURL() (string, error) {
	raw := c.APIURL
	if raw == "" {
		raw = DefaultAPIURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("API URL %q is not an http(s) URL", raw)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return "", fmt.Errorf("%w: %q would send the token in clear; use https", ErrInsecureURL, raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("API URL %q must not hold credentials", u.Redacted())
	}
	return strings.TrimRight(raw, "/"), nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// rateLimited reports whether resp is a rate limit, and how long to wait:
// a 403 or 429 with Retry-After (a secondary rate limit), or with
// x-ratelimit-remaining 0 (the primary limit, until x-ratelimit-reset).
func rateLimited(resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(time.Until(t), 0), true
		}
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Until(time.Unix(reset, 0)), 0), true
		}
		return time.Minute, true
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return time.Minute, true
	}
	return 0, false
}

// apiError makes the error of an error answer, keeping GitHub's message
// and errors verbatim and explaining the statuses people meet.
func apiError(method, path string, resp *http.Response, data []byte) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: resp.StatusCode}
	var body struct {
		Message          string          `json:"message"`
		Errors           json.RawMessage `json:"errors"`
		DocumentationURL string          `json:"documentation_url"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Message, e.DocumentationURL = body.Message, body.DocumentationURL
		e.Errors = errorTexts(body.Errors)
	} else if len(data) > 0 {
		e.Message = strings.TrimSpace(string(data[:min(len(data), 512)]))
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		e.Hint = "the token is invalid or expired"
	case http.StatusForbidden:
		e.Hint = "the token needs the security_events scope (for a workflow's GITHUB_TOKEN: permissions: security-events: write), and the repository code scanning: GitHub Advanced Security on a private repository, and not archived"
	case http.StatusNotFound:
		e.Hint = "the repository does not exist, the token cannot see it, or code scanning is not enabled for it; for GitHub Enterprise Server pass --api-url https://HOST/api/v3"
	case http.StatusRequestEntityTooLarge:
		e.Hint = "the log is too large: GitHub accepts 10 MiB gzip-compressed; split it by tool or category"
	case http.StatusUnprocessableEntity:
		e.Hint = "GitHub refused a field of the upload (commit, ref, checkout URI) or the log itself"
	}
	return e
}

// errorTexts reads GitHub's "errors", which is a list of strings or of
// objects, as text.
func errorTexts(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return []string{string(raw)}
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		var s string
		if json.Unmarshal(item, &s) == nil {
			out = append(out, s)
			continue
		}
		var obj struct {
			Message, Resource, Field, Code string
		}
		if json.Unmarshal(item, &obj) == nil && obj.Message != "" {
			out = append(out, obj.Message)
			continue
		}
		out = append(out, string(item))
	}
	return out
}

// scrub removes the token from a transport error's text, should a proxy
// or a URL ever echo it.
func scrub(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "***"))
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
