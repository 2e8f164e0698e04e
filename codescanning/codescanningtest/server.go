// Package codescanningtest is GitHub's code scanning SARIF API as a local
// server, for tests of uploaders: [NewServer] starts it on 127.0.0.1.
package codescanningtest

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is GitHub's code scanning SARIF API as documented
// (REST API 2022-11-28: "Upload an analysis as SARIF data" and "Get
// information about a SARIF upload"), implemented strictly on
// 127.0.0.1: every header and field is checked, the sarif field is
// base64-decoded and gunzipped and must be a SARIF 2.1.0 log, an upload is
// answered 202 and then pending until it completes. A request that breaks
// the contract gets GitHub's error answer and is recorded as a violation.
// Scripted answers (403, 404, 413, 422, 5xx, rate limits) come before the
// contract's, one per request.
type Server struct {
	*httptest.Server
	// Token is the only token accepted; Owner and Repo name the only
	// repository.
	Token, Owner, Repo string

	mu           sync.Mutex
	requests     []Request // every request, in order
	violations   []string  // contract violations seen
	script       []Answer  // answers to give first, one per request
	uploads      map[string]*Upload
	pendingPolls int
	failWith     []string
}

// Request is what the server saw of one request.
type Request struct {
	// Method and Path are the request's.
	Method, Path string
	// At is when it arrived.
	At time.Time
}

// Answer is one answer given before the contract's.
type Answer struct {
	// Status is the HTTP status.
	Status int
	// Header holds headers to set (Retry-After, X-RateLimit-*).
	Header map[string]string
	// Body is the JSON body.
	Body string
}

// Upload is an accepted upload, decoded.
type Upload struct {
	// ID is the id the server gave it.
	ID string
	// CommitSHA, Ref, CheckoutURI, StartedAt and ToolName are the
	// request's fields (empty when absent).
	CommitSHA, Ref, CheckoutURI, StartedAt, ToolName string
	// GzipSize is the size of the decoded sarif field.
	GzipSize int
	// SARIF is the log, base64-decoded and gunzipped.
	SARIF []byte

	polls int
}

// maxGzip is GitHub's limit on the compressed log: over it, 413.
const maxGzip = 10 << 20

// NewServer starts a server on 127.0.0.1 that t closes, and that fails t
// with every contract violation it saw, unless cleared with
// [Server.TakeViolations].
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{Token: "ghs_test-token-0123456789abcdefXYZ", Owner: "octo-org", Repo: "octo.repo",
		uploads: map[string]*Upload{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve)) // listens on 127.0.0.1
	t.Cleanup(s.Close)
	t.Cleanup(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, v := range s.violations {
			t.Errorf("contract violation: %s", v)
		}
	})
	return s
}

// Requests returns the requests seen so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Uploads returns the uploads accepted so far, in order.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Upload, 0, len(s.uploads))
	for i := 1; i <= len(s.uploads); i++ {
		out = append(out, *s.uploads[uploadID(i)])
	}
	return out
}

// Script queues answers given, one per request, before the contract's.
func (s *Server) Script(a ...Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, a...)
}

// SetProcessing sets how many status requests of an upload answer
// pending before it is processed, and the errors processing fails with
// (nil: it completes).
func (s *Server) SetProcessing(pending int, failWith []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pendingPolls, s.failWith = pending, failWith
}

// TakeViolations returns the contract violations seen and forgets them.
func (s *Server) TakeViolations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.violations
	s.violations = nil
	return v
}

func uploadID(n int) string { return fmt.Sprintf("47177e22-5596-11eb-80a1-%012x", n) }

// answer writes a GitHub-style JSON answer.
func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// violation records a broken contract and answers as GitHub would.
func (s *Server) violation(w http.ResponseWriter, status int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.violations = append(s.violations, msg)
	answer(w, status, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

var (
	uploadPath = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/code-scanning/sarifs$`)
	statusPath = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/code-scanning/sarifs/([^/]+)$`)
	sha40      = regexp.MustCompile(`^[0-9a-f]{40}$`)
	fullRef    = regexp.MustCompile(`^refs/(heads/.+|tags/.+|pull/[0-9]+/(merge|head))$`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{r.Method, r.URL.Path, time.Now()})
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.violation(w, http.StatusBadRequest, "reading the body: %v", err)
		return
	}
	// Headers every request must carry.
	if got := r.Header.Get("Accept"); got != "application/vnd.github+json" {
		s.violation(w, http.StatusBadRequest, "Accept is %q, want application/vnd.github+json", got)
		return
	}
	if got := r.Header.Get("X-GitHub-Api-Version"); got != "2022-11-28" {
		s.violation(w, http.StatusBadRequest, "X-GitHub-Api-Version is %q, want 2022-11-28", got)
		return
	}
	if r.Header.Get("User-Agent") == "" || strings.HasPrefix(r.Header.Get("User-Agent"), "Go-http-client") {
		s.violation(w, http.StatusForbidden, "no User-Agent of the program's own: GitHub requires one")
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+s.Token {
		s.violations = append(s.violations, fmt.Sprintf("Authorization is not Bearer and the token (%d bytes)", len(got)))
		answer(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
		return
	}
	if r.URL.RawQuery != "" {
		s.violation(w, http.StatusBadRequest, "unexpected query %q", r.URL.RawQuery)
		return
	}
	if len(s.script) > 0 {
		a := s.script[0]
		s.script = s.script[1:]
		for k, v := range a.Header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(a.Status)
		io.WriteString(w, a.Body)
		return
	}
	switch {
	case r.Method == http.MethodPost && uploadPath.MatchString(r.URL.Path):
		s.receive(w, r, body)
	case r.Method == http.MethodGet && statusPath.MatchString(r.URL.Path):
		m := statusPath.FindStringSubmatch(r.URL.Path)
		if len(body) != 0 {
			s.violation(w, http.StatusBadRequest, "GET with a body")
			return
		}
		s.status(w, m[1], m[2], m[3])
	default:
		s.violation(w, http.StatusNotFound, "Not Found: %s %s", r.Method, r.URL.Path)
	}
}

// receive is POST /repos/{owner}/{repo}/code-scanning/sarifs.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, body []byte) {
	m := uploadPath.FindStringSubmatch(r.URL.Path)
	if m[1] != s.Owner || m[2] != s.Repo {
		answer(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" && !strings.HasPrefix(ct, "application/json;") {
		s.violation(w, http.StatusUnsupportedMediaType, "Content-Type %q", ct)
		return
	}
	var in struct {
		CommitSHA   *string `json:"commit_sha"`
		Ref         *string `json:"ref"`
		SARIF       *string `json:"sarif"`
		CheckoutURI *string `json:"checkout_uri"`
		StartedAt   *string `json:"started_at"`
		ToolName    *string `json:"tool_name"`
		Validate    *bool   `json:"validate"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		s.violation(w, http.StatusBadRequest, "Problems parsing JSON: %v", err)
		return
	}
	var errs []string
	switch {
	case in.CommitSHA == nil:
		errs = append(errs, "commit_sha is required")
	case !sha40.MatchString(*in.CommitSHA):
		errs = append(errs, fmt.Sprintf("commit_sha %q does not match ^[0-9a-fA-F]{40}$", *in.CommitSHA))
	}
	switch {
	case in.Ref == nil:
		errs = append(errs, "ref is required")
	case !fullRef.MatchString(*in.Ref):
		errs = append(errs, fmt.Sprintf("ref %q is not a full ref", *in.Ref))
	}
	if in.CheckoutURI != nil {
		if u, err := url.Parse(*in.CheckoutURI); err != nil || u.Scheme == "" {
			errs = append(errs, fmt.Sprintf("checkout_uri %q is not a URI", *in.CheckoutURI))
		}
	}
	if in.StartedAt != nil {
		if _, err := time.Parse(time.RFC3339, *in.StartedAt); err != nil {
			errs = append(errs, fmt.Sprintf("started_at %q is not ISO 8601: %v", *in.StartedAt, err))
		}
	}
	if in.ToolName != nil && *in.ToolName == "" {
		errs = append(errs, "tool_name is empty")
	}
	var gz, log []byte
	if in.SARIF == nil {
		errs = append(errs, "sarif is required")
	} else {
		var err error
		gz, err = base64.StdEncoding.Strict().DecodeString(*in.SARIF)
		if err != nil {
			errs = append(errs, fmt.Sprintf("sarif is not base64: %v", err))
		} else if len(gz) > maxGzip {
			answer(w, http.StatusRequestEntityTooLarge, map[string]string{"message": "Payload Too Large: the sarif field is too large"})
			return
		} else if zr, err := gzip.NewReader(bytes.NewReader(gz)); err != nil {
			errs = append(errs, fmt.Sprintf("sarif is not gzip: %v", err))
		} else if log, err = io.ReadAll(zr); err != nil {
			errs = append(errs, fmt.Sprintf("sarif's gzip stream is broken: %v", err))
		} else {
			var doc struct {
				Version string            `json:"version"`
				Runs    []json.RawMessage `json:"runs"`
			}
			if err := json.Unmarshal(log, &doc); err != nil || doc.Version != "2.1.0" || doc.Runs == nil {
				errs = append(errs, fmt.Sprintf("sarif is not a SARIF 2.1.0 log (version %q, %v)", doc.Version, err))
			}
		}
	}
	if len(errs) > 0 {
		s.violations = append(s.violations, errs...)
		answer(w, http.StatusUnprocessableEntity, map[string]any{"message": "Invalid request.", "errors": errs,
			"documentation_url": "https://docs.github.com/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data"})
		return
	}
	id := uploadID(len(s.uploads) + 1)
	u := &Upload{ID: id, CommitSHA: *in.CommitSHA, Ref: *in.Ref, GzipSize: len(gz), SARIF: log}
	if in.CheckoutURI != nil {
		u.CheckoutURI = *in.CheckoutURI
	}
	if in.StartedAt != nil {
		u.StartedAt = *in.StartedAt
	}
	if in.ToolName != nil {
		u.ToolName = *in.ToolName
	}
	s.uploads[id] = u
	answer(w, http.StatusAccepted, map[string]string{"id": id,
		"url": s.URL + "/repos/" + s.Owner + "/" + s.Repo + "/code-scanning/sarifs/" + id})
}

// status is GET /repos/{owner}/{repo}/code-scanning/sarifs/{id}.
func (s *Server) status(w http.ResponseWriter, owner, repo, id string) {
	u := s.uploads[id]
	if owner != s.Owner || repo != s.Repo || u == nil {
		answer(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	u.polls++
	switch {
	case u.polls <= s.pendingPolls:
		answer(w, http.StatusOK, map[string]any{"processing_status": "pending", "analyses_url": nil, "errors": nil})
	case s.failWith != nil:
		answer(w, http.StatusOK, map[string]any{"processing_status": "failed", "analyses_url": nil, "errors": s.failWith})
	default:
		answer(w, http.StatusOK, map[string]any{"processing_status": "complete", "errors": nil,
			"analyses_url": s.URL + "/repos/" + s.Owner + "/" + s.Repo + "/code-scanning/analyses?sarif_id=" + id})
	}
}
