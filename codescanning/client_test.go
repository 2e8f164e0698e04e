package codescanning_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/scanmux/scanmux/codescanning"
	"github.com/scanmux/scanmux/codescanning/codescanningtest"
)

const (
	testSHA = "4b6472266afd7b471e86085a6659e8c7f2b119da"
	testRef = "refs/heads/main"
)

// vulnerableAppLog is scanmux's own scan of examples/vulnerable-app
// (report/testdata/vulnerable-app.sarif: gosec, gitleaks, govulncheck,
// kube-score, tfsec, wapiti, scanmux's IaC rules, and three scanners that
// failed offline).
func vulnerableAppLog(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../report/testdata/vulnerable-app.sarif")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func onlyUpload(t *testing.T, s *codescanningtest.Server) codescanningtest.Upload {
	t.Helper()
	u := s.Uploads()
	if len(u) != 1 {
		t.Fatalf("%d uploads accepted, want 1", len(u))
	}
	return u[0]
}

func newClient(s *codescanningtest.Server) *codescanning.Client {
	return &codescanning.Client{APIURL: s.URL, Token: s.Token, UserAgent: "scanmux-test",
		RetryBase: 10 * time.Millisecond, RetryMax: 3 * time.Second, MaxAttempts: 4}
}

func analysis(t *testing.T, s *codescanningtest.Server, log []byte) *codescanning.Analysis {
	t.Helper()
	c, err := codescanning.Check(log, &codescanning.CheckOptions{CheckoutURI: "file:///home/runner/work/app/app"})
	if err != nil {
		t.Fatal(err)
	}
	return &codescanning.Analysis{Owner: s.Owner, Repo: s.Repo, CommitSHA: testSHA, Ref: testRef,
		CheckoutURI: "file:///home/runner/work/app/app", ToolName: "scanmux",
		StartedAt: time.Date(2026, 12, 7, 22, 10, 0, 0, time.UTC), Gzip: c.Gzip}
}

// The happy path: 202, pending twice, then complete with the analyses'
// URL; the server got back exactly the log that was sent.
func TestUploadPendingThenComplete(t *testing.T) {
	s := codescanningtest.NewServer(t)
	s.SetProcessing(2, nil)
	log := vulnerableAppLog(t)
	c := newClient(s)
	rc, err := c.Upload(context.Background(), analysis(t, s, log))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(rc.URL, "/code-scanning/sarifs/"+rc.ID) {
		t.Errorf("receipt %+v", rc)
	}
	st, err := c.Wait(context.Background(), s.Owner, s.Repo, rc.ID, 5*time.Millisecond, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if st.ProcessingStatus != codescanning.StatusComplete || !strings.HasSuffix(st.AnalysesURL, "/code-scanning/analyses?sarif_id="+rc.ID) {
		t.Errorf("status %+v", st)
	}
	u := onlyUpload(t, s)
	if !bytes.Equal(u.SARIF, log) {
		t.Error("the server's decoded log differs from the one sent")
	}
	if u.CommitSHA != testSHA || u.Ref != testRef || u.CheckoutURI != "file:///home/runner/work/app/app" ||
		u.StartedAt != "2026-12-07T22:10:00Z" || u.ToolName != "scanmux" {
		t.Errorf("upload fields %+v", u)
	}
	if n := len(s.Requests()); n != 4 { // POST, pending, pending, complete
		t.Errorf("%d requests, want 4", n)
	}
}

// GitHub failed to process the log: its errors come back verbatim.
func TestUploadProcessingFailed(t *testing.T) {
	s := codescanningtest.NewServer(t)
	failWith := []string{`Code Scanning could not process the submitted SARIF file: SARIF URI scheme "git" did not match the checkout URI scheme "file"`}
	s.SetProcessing(0, failWith)
	c := newClient(s)
	rc, err := c.Upload(context.Background(), analysis(t, s, vulnerableAppLog(t)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Wait(context.Background(), s.Owner, s.Repo, rc.ID, time.Millisecond, 5*time.Second)
	var pe *codescanning.ProcessingError
	if !errors.As(err, &pe) || !errors.Is(err, codescanning.ErrProcessingFailed) || len(pe.Errors) != 1 || pe.Errors[0] != failWith[0] {
		t.Fatalf("err = %v", err)
	}
}

// The wait is bounded: an upload still pending is reported as such.
func TestWaitBounded(t *testing.T) {
	s := codescanningtest.NewServer(t)
	s.SetProcessing(1<<30, nil)
	c := newClient(s)
	rc, err := c.Upload(context.Background(), analysis(t, s, vulnerableAppLog(t)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Wait(context.Background(), s.Owner, s.Repo, rc.ID, 20*time.Millisecond, 100*time.Millisecond)
	if !errors.Is(err, codescanning.ErrStillPending) || st == nil || st.ProcessingStatus != codescanning.StatusPending {
		t.Fatalf("st %+v, err %v", st, err)
	}
	if n := len(s.Requests()); n < 3 || n > 7 {
		t.Errorf("%d requests for a 100ms wait at 20ms", n)
	}
}

// Each 4xx is final: one request, GitHub's message and errors verbatim,
// and the status explained.
func TestUploadClientErrors(t *testing.T) {
	cases := []struct {
		status   int
		body     string
		message  string
		errors   []string
		hintPart string
	}{
		{403, `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data","status":"403"}`,
			"Resource not accessible by integration", nil, "security_events"},
		{403, `{"message":"Advanced Security must be enabled for this repository to use code scanning.","documentation_url":"https://docs.github.com/rest"}`,
			"Advanced Security must be enabled for this repository to use code scanning.", nil, "Advanced Security"},
		{404, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`, "Not Found", nil, "code scanning is not enabled"},
		{413, `{"message":"Payload Too Large"}`, "Payload Too Large", nil, "10 MiB"},
		{422, `{"message":"Invalid request.","errors":["ref \"main\" is not a full ref","No 1 in \u001b[31m"]}`,
			"Invalid request.", []string{`ref "main" is not a full ref`, "No 1 in \x1b[31m"}, "refused a field"},
		{422, `{"message":"Validation Failed","errors":[{"resource":"CodeScanningSarif","code":"custom","message":"commit_sha is not a commit of the repository"}]}`,
			"Validation Failed", []string{"commit_sha is not a commit of the repository"}, "refused a field"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			s := codescanningtest.NewServer(t)
			s.Script(codescanningtest.Answer{Status: tc.status, Body: tc.body})
			_, err := newClient(s).Upload(context.Background(), analysis(t, s, vulnerableAppLog(t)))
			var ae *codescanning.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v", err)
			}
			if ae.StatusCode != tc.status || ae.Message != tc.message || fmt.Sprint(ae.Errors) != fmt.Sprint(tc.errors) {
				t.Errorf("APIError %+v", ae)
			}
			if !strings.Contains(ae.Hint, tc.hintPart) {
				t.Errorf("hint %q lacks %q", ae.Hint, tc.hintPart)
			}
			if strings.Contains(err.Error(), s.Token) {
				t.Error("the error holds the token")
			}
			if n := len(s.Requests()); n != 1 {
				t.Errorf("%d requests: a 4xx must not be retried", n)
			}
		})
	}
}

// 5xx answers are retried with backoff, then the upload goes through.
func TestUploadRetries5xx(t *testing.T) {
	s := codescanningtest.NewServer(t)
	s.Script(codescanningtest.Answer{Status: 502, Body: `{"message":"Server Error"}`},
		codescanningtest.Answer{Status: 503, Body: `{"message":"Service Unavailable"}`})
	c := newClient(s)
	var logged []string
	c.Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	if _, err := c.Upload(context.Background(), analysis(t, s, vulnerableAppLog(t))); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	if len(logged) != 2 || !strings.Contains(logged[0], "502") || !strings.Contains(logged[1], "503") {
		t.Errorf("retry lines %q", logged)
	}
	onlyUpload(t, s)
}

// A server that keeps failing is given up after MaxAttempts.
func TestUploadGivesUp(t *testing.T) {
	s := codescanningtest.NewServer(t)
	for range 10 {
		s.Script(codescanningtest.Answer{Status: 500, Body: `{"message":"Server Error"}`})
	}
	_, err := newClient(s).Upload(context.Background(), analysis(t, s, vulnerableAppLog(t)))
	var ae *codescanning.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 500 || !strings.Contains(err.Error(), "gave up after 4 attempts") {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.Requests()); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}

// Secondary rate limits (403 or 429 with Retry-After) are waited out as
// asked; one that asks for longer than RetryMax fails at once.
func TestUploadSecondaryRateLimit(t *testing.T) {
	for _, status := range []int{403, 429} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			s := codescanningtest.NewServer(t)
			s.Script(codescanningtest.Answer{Status: status, Header: map[string]string{"Retry-After": "1"},
				Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`})
			if _, err := newClient(s).Upload(context.Background(), analysis(t, s, vulnerableAppLog(t))); err != nil {
				t.Fatal(err)
			}
			reqs := s.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			if gap := reqs[1].At.Sub(reqs[0].At); gap < time.Second {
				t.Errorf("retried %s after a Retry-After of 1s", gap)
			}
		})
	}
	t.Run("too long", func(t *testing.T) {
		s := codescanningtest.NewServer(t)
		s.Script(codescanningtest.Answer{Status: 403, Header: map[string]string{"Retry-After": "3600"},
			Body: `{"message":"You have exceeded a secondary rate limit."}`})
		_, err := newClient(s).Upload(context.Background(), analysis(t, s, vulnerableAppLog(t)))
		var ae *codescanning.APIError
		if !errors.As(err, &ae) || !strings.Contains(ae.Hint, "rate limited for 1h0m0s") {
			t.Fatalf("err = %v", err)
		}
		if n := len(s.Requests()); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("primary", func(t *testing.T) {
		s := codescanningtest.NewServer(t)
		s.Script(codescanningtest.Answer{Status: 403, Header: map[string]string{"X-RateLimit-Remaining": "0",
			"X-RateLimit-Reset": fmt.Sprint(time.Now().Unix())}, Body: `{"message":"API rate limit exceeded"}`})
		if _, err := newClient(s).Upload(context.Background(), analysis(t, s, vulnerableAppLog(t))); err != nil {
			t.Fatal(err)
		}
		if n := len(s.Requests()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
}

// bigLog returns a SARIF log of incompressible results whose gzip size is
// about target bytes.
func bigLog(t *testing.T, target int) []byte {
	t.Helper()
	rng := rand.NewChaCha8([32]byte{7})
	const msgBytes = 3000 // random bytes per message; base64 makes 4000 characters
	raw := make([]byte, msgBytes)
	type result struct {
		RuleID  string `json:"ruleId"`
		Message struct {
			Text string `json:"text"`
		} `json:"message"`
		Locations []any `json:"locations"`
	}
	loc := map[string]any{"physicalLocation": map[string]any{"artifactLocation": map[string]any{"uri": "main.go"},
		"region": map[string]any{"startLine": 1}}}
	n := target / (msgBytes + 15) // gzip gives base64 of random bytes back at about its entropy
	results := make([]result, n)
	for i := range results {
		rng.Read(raw)
		results[i].RuleID = "R1"
		results[i].Message.Text = base64.StdEncoding.EncodeToString(raw)
		results[i].Locations = []any{loc}
	}
	log := map[string]any{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"runs": []any{map[string]any{"tool": map[string]any{"driver": map[string]any{"name": "big", "rules": []any{map[string]any{"id": "R1"}}}},
			"results": results}}}
	b, err := json.Marshal(log)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A log of 9.5 MB compressed is under the limit: it passes the checks and
// the server receives it whole.
func TestUploadNinePointFiveMB(t *testing.T) {
	log := bigLog(t, 9_500_000)
	c, err := codescanning.Check(log, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Gzip) < 9_400_000 || len(c.Gzip) > 9_600_000 {
		t.Fatalf("gzip size %d, want about 9.5 MB", len(c.Gzip))
	}
	t.Logf("%d bytes of SARIF, %d gzip-compressed", len(log), len(c.Gzip))
	s := codescanningtest.NewServer(t)
	a := analysis(t, s, log)
	if _, err := newClient(s).Upload(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	u := onlyUpload(t, s)
	if u.GzipSize != len(c.Gzip) || !bytes.Equal(u.SARIF, log) {
		t.Errorf("server got %d gzip bytes, sent %d; log equal: %v", u.GzipSize, len(c.Gzip), bytes.Equal(u.SARIF, log))
	}
}

// A log over 10 MiB compressed is refused by Check, which runs before any
// request; the server's own limit is the contract's.
func TestOverLimitRefused(t *testing.T) {
	log := bigLog(t, 10_800_000)
	_, err := codescanning.Check(log, nil)
	var pe *codescanning.PreflightError
	if !errors.As(err, &pe) || !errors.Is(err, codescanning.ErrRejected) || !strings.Contains(err.Error(), "gzip-compressed") {
		t.Fatalf("err = %v", err)
	}
	// Sent anyway, the contract server answers 413 (and the client
	// explains it, without retrying). Under the race detector the log is
	// not compressed a second time: the refusal above is what matters.
	if raceEnabled {
		return
	}
	gz, err := codescanning.Check(log, &codescanning.CheckOptions{Limits: &codescanning.Limits{}})
	if err != nil {
		t.Fatal(err)
	}
	s := codescanningtest.NewServer(t)
	_, err = newClient(s).Upload(context.Background(), &codescanning.Analysis{Owner: s.Owner, Repo: s.Repo,
		CommitSHA: testSHA, Ref: testRef, Gzip: gz.Gzip})
	var ae *codescanning.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusRequestEntityTooLarge || len(s.Requests()) != 1 {
		t.Fatalf("err = %v, %d requests", err, len(s.Requests()))
	}
}

// The fields GitHub requires are checked before a request is made.
func TestUploadValidatesFields(t *testing.T) {
	s := codescanningtest.NewServer(t)
	c := newClient(s)
	good := analysis(t, s, vulnerableAppLog(t))
	for name, mut := range map[string]func(a *codescanning.Analysis){
		"short sha":    func(a *codescanning.Analysis) { a.CommitSHA = "4b64722" },
		"branch name":  func(a *codescanning.Analysis) { a.Ref = "main" },
		"pull ref":     func(a *codescanning.Analysis) { a.Ref = "refs/pull/12/files" },
		"repository":   func(a *codescanning.Analysis) { a.Repo = "../x" },
		"checkout uri": func(a *codescanning.Analysis) { a.CheckoutURI = "/home/runner/work" },
	} {
		a := *good
		mut(&a)
		if _, err := c.Upload(context.Background(), &a); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests for invalid uploads", n)
	}
}

// The token never goes to a non-loopback http:// URL.
func TestInsecureAPIURLRefused(t *testing.T) {
	c := &codescanning.Client{APIURL: "http://ghe.example.com/api/v3", Token: "secret-token"}
	_, err := c.Status(context.Background(), "o", "r", "1")
	if !errors.Is(err, codescanning.ErrInsecureURL) || strings.Contains(err.Error(), "secret-token") {
		t.Fatalf("err = %v", err)
	}
}

// The contract server is strict: requests that break the contract are
// refused with GitHub's status, so the client's passing tests mean
// something.
func TestContractServerIsStrict(t *testing.T) {
	cases := []struct {
		name   string
		mut    func(r *http.Request)
		body   string
		status int
	}{
		{"no api version", func(r *http.Request) { r.Header.Del("X-GitHub-Api-Version") }, "", 400},
		{"wrong accept", func(r *http.Request) { r.Header.Set("Accept", "application/json") }, "", 400},
		{"bad token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, "", 401},
		{"raw gzip", nil, `{"commit_sha":"` + testSHA + `","ref":"refs/heads/main","sarif":"H4sI not base64"}`, 422},
		{"plain base64", nil, `{"commit_sha":"` + testSHA + `","ref":"refs/heads/main","sarif":"` +
			base64.StdEncoding.EncodeToString([]byte(`{"version":"2.1.0","runs":[]}`)) + `"}`, 422},
		{"unknown field", nil, `{"commit_sha":"` + testSHA + `","ref":"refs/heads/main","sarif":"","category":"x"}`, 400},
		{"short ref", nil, `{"commit_sha":"` + testSHA + `","ref":"main","sarif":""}`, 422},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := codescanningtest.NewServer(t)
			body := tc.body
			if body == "" {
				body = "{}"
			}
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/repos/"+s.Owner+"/"+s.Repo+"/code-scanning/sarifs", strings.NewReader(body))
			req.Header.Set("Accept", "application/vnd.github+json")
			req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
			req.Header.Set("Authorization", "Bearer "+s.Token)
			req.Header.Set("User-Agent", "strictness-test")
			req.Header.Set("Content-Type", "application/json")
			if tc.mut != nil {
				tc.mut(req)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if len(s.TakeViolations()) == 0 { // expected here, and taken
				t.Error("no violation recorded")
			}
		})
	}
}

// A token GitHub refuses is a 401, not retried, explained, and not
// printed.
func TestUploadBadToken(t *testing.T) {
	s := codescanningtest.NewServer(t)
	c := newClient(s)
	c.Token = "ghp_wrong-token"
	_, err := c.Upload(context.Background(), analysis(t, s, vulnerableAppLog(t)))
	var ae *codescanning.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusUnauthorized || !strings.Contains(ae.Hint, "invalid or expired") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), c.Token) || len(s.Requests()) != 1 {
		t.Errorf("err %v, %d requests", err, len(s.Requests()))
	}
	if v := s.TakeViolations(); len(v) != 1 { // the server saw the bad token
		t.Errorf("violations %q", v)
	}
}

// Should an answer ever echo the token, the error does not.
func TestTokenScrubbedFromAnswers(t *testing.T) {
	s := codescanningtest.NewServer(t)
	s.Script(codescanningtest.Answer{Status: 422, Body: `{"message":"token ` + s.Token + ` rejected"}`})
	_, err := newClient(s).Upload(context.Background(), analysis(t, s, vulnerableAppLog(t)))
	if err == nil || strings.Contains(err.Error(), s.Token) || !strings.Contains(err.Error(), "token *** rejected") {
		t.Fatalf("err = %v", err)
	}
}
