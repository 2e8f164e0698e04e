package codescanning_test

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

// contractServer is GitHub's code scanning SARIF API as documented
// (REST API 2022-11-28: "Upload an analysis as SARIF data" and "Get
// information about a SARIF upload"), implemented strictly on
// 127.0.0.1: every header and field is checked, the sarif field is
// base64-decoded and gunzipped and must be a SARIF 2.1.0 log, an upload is
// answered 202 and then pending until it completes. A request that breaks
// the contract gets GitHub's error answer and is recorded as a violation.
// Scripted answers (403, 404, 413, 422, 5xx, rate limits) come before the
// contract's, one per request.
type contractServer struct {
	*httptest.Server
	token, owner, repo string

	mu         sync.Mutex
	requests   []request  // every request, in order
	violations []string   // contract violations seen
	script     []scripted // answers to give first, one per request
	uploads    map[string]*upload
	// pendingPolls is how many status requests of an upload answer
	// pending before it is processed.
	pendingPolls int
	// failWith, when set, makes processing fail with these errors.
	failWith []string
}

// request is what the server saw of one request.
type request struct {
	method, path string
	at           time.Time
}

// scripted is one answer given before the contract's.
type scripted struct {
	status int
	header map[string]string
	body   string
}

// upload is an accepted upload, decoded.
type upload struct {
	id                               string
	commitSHA, ref                   string
	checkoutURI, startedAt, toolName string
	gzipSize                         int
	sarif                            []byte
	polls                            int
}

const maxGzip = 10 << 20

func newContractServer(t *testing.T) *contractServer {
	t.Helper()
	s := &contractServer{token: "ghs_test-token-0123456789abcdefXYZ", owner: "octo-org", repo: "octo.repo",
		uploads: map[string]*upload{}}
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

func (s *contractServer) requestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *contractServer) onlyUpload(t *testing.T) *upload {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.uploads) != 1 {
		t.Fatalf("%d uploads accepted, want 1", len(s.uploads))
	}
	for _, u := range s.uploads {
		return u
	}
	return nil
}

// answer writes a GitHub-style JSON answer.
func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// violation records a broken contract and answers as GitHub would.
func (s *contractServer) violation(w http.ResponseWriter, status int, format string, args ...any) {
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

func (s *contractServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, request{r.Method, r.URL.Path, time.Now()})
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
	if got := r.Header.Get("Authorization"); got != "Bearer "+s.token {
		s.violation(w, http.StatusUnauthorized, "Bad credentials (Authorization %q)", strings.ReplaceAll(got, s.token, "TOKEN"))
		return
	}
	if r.URL.RawQuery != "" {
		s.violation(w, http.StatusBadRequest, "unexpected query %q", r.URL.RawQuery)
		return
	}
	if len(s.script) > 0 {
		a := s.script[0]
		s.script = s.script[1:]
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
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
func (s *contractServer) receive(w http.ResponseWriter, r *http.Request, body []byte) {
	m := uploadPath.FindStringSubmatch(r.URL.Path)
	if m[1] != s.owner || m[2] != s.repo {
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
	id := fmt.Sprintf("47177e22-5596-11eb-80a1-%012x", len(s.uploads)+1)
	u := &upload{id: id, commitSHA: *in.CommitSHA, ref: *in.Ref, gzipSize: len(gz), sarif: log}
	if in.CheckoutURI != nil {
		u.checkoutURI = *in.CheckoutURI
	}
	if in.StartedAt != nil {
		u.startedAt = *in.StartedAt
	}
	if in.ToolName != nil {
		u.toolName = *in.ToolName
	}
	s.uploads[id] = u
	answer(w, http.StatusAccepted, map[string]string{"id": id,
		"url": s.URL + "/repos/" + s.owner + "/" + s.repo + "/code-scanning/sarifs/" + id})
}

// status is GET /repos/{owner}/{repo}/code-scanning/sarifs/{id}.
func (s *contractServer) status(w http.ResponseWriter, owner, repo, id string) {
	u := s.uploads[id]
	if owner != s.owner || repo != s.repo || u == nil {
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
			"analyses_url": s.URL + "/repos/" + s.owner + "/" + s.repo + "/code-scanning/analyses?sarif_id=" + id})
	}
}
