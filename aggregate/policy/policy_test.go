package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
)

// writePolicies writes name -> source files to a temporary directory and
// returns their paths, in the order given by names.
func writePolicies(t *testing.T, files ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i := 0; i < len(files); i += 2 {
		p := filepath.Join(dir, files[i])
		if err := os.WriteFile(p, []byte(files[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func mustLoad(t *testing.T, paths []string, opts *Options) *Policy {
	t.Helper()
	p, err := Load(context.Background(), paths, opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}

func apply(t *testing.T, p *Policy, f *finding.Finding) aggregate.Verdict {
	t.Helper()
	v, err := p.Apply(context.Background(), f)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return v
}

var prodContext = map[string]any{
	"environment":         "production",
	"branch":              "main",
	"now":                 "2025-11-20T08:00:00Z",
	"new_vulnerabilities": []string{"CVE-2025-22871", "GO-2025-3563"},
}

func TestExamplePolicies(t *testing.T) {
	p := mustLoad(t, []string{examplesDir}, &Options{Context: prodContext})
	if got, want := len(p.Files()), 5; got != want {
		t.Errorf("Load(%s) compiled %d files (%v), want %d: tests must be skipped", examplesDir, got, p.Files(), want)
	}
	for _, f := range p.Files() {
		if strings.HasSuffix(f, "_test.rego") {
			t.Errorf("Load(dir) loaded test file %s", f)
		}
	}
	src := func(file string) string { return "policy:" + filepath.ToSlash(filepath.Join(examplesDir, file)) }

	tests := []struct {
		name string
		f    *finding.Finding
		want aggregate.Verdict
	}{{
		name: "high gosec finding in a Go test file is suppressed",
		f: &finding.Finding{
			Tool: finding.Tool{Name: "gosec", Version: "2.30.0"}, Rule: finding.Rule{ID: "G304"},
			Message: "Potential file inclusion via variable", Category: finding.CategorySAST,
			Severity: finding.SeverityHigh, Precision: finding.PrecisionHigh, CWEs: []int{22},
			Location: finding.Location{Path: "internal/load/load_test.go", Region: finding.Region{StartLine: 31, EndLine: 31}},
		},
		want: aggregate.Verdict{Suppress: &finding.Suppression{
			Kind: finding.SuppressionExternal, Status: finding.SuppressionAccepted,
			Justification: "test code: findings in tests and test data are not shipped",
			Source:        src("testfiles.rego"),
		}},
	}, {
		name: "critical secret in testdata is kept, and denies production",
		f: &finding.Finding{
			Tool: finding.Tool{Name: "gitleaks"}, Rule: finding.Rule{ID: "aws-access-token"},
			Category: finding.CategorySecret, Severity: finding.SeverityCritical,
			Location: finding.Location{Path: "pkg/s3/testdata/creds.env", Region: finding.Region{StartLine: 2}},
		},
		want: aggregate.Verdict{Deny: []string{
			"critical gitleaks finding aws-access-token blocks the production deploy of main",
		}},
	}, {
		name: "critical finding already suppressed inline does not deny",
		f: &finding.Finding{
			Tool: finding.Tool{Name: "gitleaks"}, Rule: finding.Rule{ID: "aws-access-token"},
			Category: finding.CategorySecret, Severity: finding.SeverityCritical,
			Location:     finding.Location{Path: "docs/example.md", Region: finding.Region{StartLine: 2}},
			Suppressions: []finding.Suppression{{Kind: finding.SuppressionInSource, Justification: "documented fake"}},
		},
	}, {
		name: "dependency with a newly published vulnerability is raised to critical",
		f: &finding.Finding{
			Tool: finding.Tool{Name: "govulncheck"}, Rule: finding.Rule{ID: "GO-2025-3563"},
			Category: finding.CategoryDependency, Severity: finding.SeverityMedium,
			VulnIDs:  []string{"GO-2025-3563", "CVE-2025-22871"},
			Location: finding.Location{Path: "go.mod", Package: &finding.Package{Name: "stdlib", Version: "1.24.1", FixedVersion: "1.24.2", Ecosystem: "Go"}},
		},
		want: aggregate.Verdict{
			Severity:       finding.SeverityCritical,
			SeverityReason: "newly published: CVE-2025-22871, GO-2025-3563",
		},
	}, {
		name: "low-precision high SAST finding is downgraded",
		f: &finding.Finding{
			Tool: finding.Tool{Name: "semgrep"}, Rule: finding.Rule{ID: "python.lang.security.audit.eval"},
			Category: finding.CategorySAST, Severity: finding.SeverityHigh, Precision: finding.PrecisionLow,
			Location: finding.Location{Path: "app/views.py", Region: finding.Region{StartLine: 10}},
		},
		want: aggregate.Verdict{Severity: finding.SeverityLow, SeverityReason: "low-precision SAST rule: mostly false positives"},
	}, {
		name: "rule ignored until a later date is suppressed, with the status given by the policy",
		f: &finding.Finding{
			Tool: finding.Tool{Name: "checkov"}, Rule: finding.Rule{ID: "CKV_AWS_20"},
			Category: finding.CategoryIaC, Severity: finding.SeverityHigh,
			Location: finding.Location{Path: "infra/site.tf", Resource: "aws_s3_bucket.site"},
		},
		want: aggregate.Verdict{Suppress: &finding.Suppression{
			Kind: finding.SuppressionExternal, Status: finding.SuppressionAccepted,
			Justification: "rule CKV_AWS_20 ignored until 2026-01-01T00:00:00Z: public bucket of the old static site, removed in Q4 2025",
			Source:        src("expiring_ignores.rego"),
		}},
	}, {
		name: "ignored rule in a test file: both suppressions, both files",
		f: &finding.Finding{
			Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G104"},
			Category: finding.CategorySAST, Severity: finding.SeverityLow,
			Location: finding.Location{Path: "x_test.go"},
		},
		want: aggregate.Verdict{Suppress: &finding.Suppression{
			Kind: finding.SuppressionExternal, Status: finding.SuppressionAccepted,
			Justification: "rule G104 ignored until 2099-01-01T00:00:00Z: unchecked errors are reported by errcheck; " +
				"test code: findings in tests and test data are not shipped",
			Source: src("expiring_ignores.rego") + "," + filepath.ToSlash(filepath.Join(examplesDir, "testfiles.rego")),
		}},
	}, {
		name: "ordinary finding: no change",
		f: &finding.Finding{
			Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G101"},
			Category: finding.CategorySAST, Severity: finding.SeverityHigh, Precision: finding.PrecisionMedium,
			Location: finding.Location{Path: "cmd/main.go", Region: finding.Region{StartLine: 12}},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := apply(t, p, tc.f)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Apply =\n%s\nwant\n%s", verdictString(got), verdictString(tc.want))
			}
			// A second call is served from the cache: same verdict, and
			// not the same Suppress to share.
			again := apply(t, p, tc.f)
			if !reflect.DeepEqual(again, got) {
				t.Errorf("second Apply = %s, first %s", verdictString(again), verdictString(got))
			}
			if got.Suppress != nil && got.Suppress == again.Suppress {
				t.Error("two Apply calls returned the same *Suppression")
			}
		})
	}

	// The outage flag lifts the production gate.
	outage := map[string]any{"outage": true}
	for k, v := range prodContext {
		outage[k] = v
	}
	po := mustLoad(t, []string{examplesDir}, &Options{Context: outage})
	if v := apply(t, po, tests[1].f); len(v.Deny) != 0 {
		t.Errorf("with outage: Deny = %q, want none", v.Deny)
	}
}

func verdictString(v aggregate.Verdict) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// TestCorpusFindings runs the example policies over findings that real
// scanners reported, read from the shared SARIF corpus.
func TestCorpusFindings(t *testing.T) {
	corpus := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("shared corpus not found at %s (it is next to the repository in CI only): %v", corpus, err)
	}
	var all []*finding.Finding
	for _, name := range []string{"grype/grype-0.34.7-cxf.sarif", "gosec/gosec-aws-ssm.sarif", "gitleaks/gitleaks-8.0-poc.sarif"} {
		runs, err := sarif.ReadFile(filepath.Join(corpus, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			all = append(all, r.Findings...)
		}
	}
	var newVuln string
	for _, f := range all {
		if f.Category == finding.CategoryContainer && len(f.VulnIDs) > 0 && f.Severity != finding.SeverityCritical {
			newVuln = f.VulnIDs[0]
			break
		}
	}
	if newVuln == "" {
		t.Fatal("corpus has no non-critical container finding with a vulnerability id")
	}
	ctx := map[string]any{"environment": "production", "branch": "main", "new_vulnerabilities": []string{newVuln}}
	p := mustLoad(t, []string{examplesDir}, &Options{Context: ctx})
	raised, denied := 0, 0
	for _, f := range all {
		v := apply(t, p, f)
		isNew := (f.Category == finding.CategoryDependency || f.Category == finding.CategoryContainer) &&
			contains(f.VulnIDs, newVuln)
		if got := v.Severity == finding.SeverityCritical; got != isNew {
			t.Errorf("%s %s %v: severity %v, want critical=%v", f.Tool.Name, f.Rule.ID, f.VulnIDs, v.Severity, isNew)
		}
		if isNew {
			raised++
			if want := "newly published: " + newVuln; v.SeverityReason != want {
				t.Errorf("SeverityReason = %q, want %q", v.SeverityReason, want)
			}
		}
		// The gate sees the severity before this filter's change: only
		// findings the scanner rated critical deny.
		if wantDeny := f.Severity == finding.SeverityCritical && !f.Suppressed() && v.Suppress == nil; wantDeny != (len(v.Deny) == 1) {
			t.Errorf("%s %s at %s (%v): Deny = %q", f.Tool.Name, f.Rule.ID, f.Location.Path, f.Severity, v.Deny)
		} else if wantDeny {
			denied++
		}
	}
	t.Logf("%d findings, %d raised to critical, %d denied", len(all), raised, denied)
	if raised == 0 {
		t.Error("no finding raised")
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestInputDocument checks every field of the input document by having a
// policy send it back as a deny message.
func TestInputDocument(t *testing.T) {
	paths := writePolicies(t, "echo.rego", `package scanmux

deny contains json.marshal(input)
`)
	type ctxDoc struct {
		Environment string `json:"environment"`
		OnCall      []string
	}
	p := mustLoad(t, paths, &Options{Context: ctxDoc{Environment: "staging", OnCall: []string{"ana"}}})
	f := &finding.Finding{
		Tool:             finding.Tool{Name: "zap", Version: "2.16.0", InformationURI: "https://zaproxy.org"},
		Rule:             finding.Rule{ID: "40012", Name: "Cross Site Scripting (Reflected)", Tags: []string{"security", "OWASP_2021_A03"}},
		Message:          "reflected XSS",
		Category:         finding.CategoryDAST,
		Severity:         finding.SeverityHigh,
		OriginalSeverity: "High",
		Precision:        finding.PrecisionMedium,
		CWEs:             []int{79},
		VulnIDs:          []string{},
		Location: finding.Location{
			Path: "web/search.go", Region: finding.Region{StartLine: 3, StartColumn: 2, EndLine: 5},
			Resource: "GET /search",
			Package:  &finding.Package{Name: "a", Version: "1", FixedVersion: "2", Ecosystem: "npm", PURL: "pkg:npm/a@1", Image: "app:1", Layer: "sha256:x"},
			Web:      &finding.Web{URL: "https://app/search?q=x", Method: "GET", Parameter: "q", Evidence: "<script>"},
		},
		Fingerprints: map[string]string{"scanmux/v1": "abc"},
		Properties:   map[string]string{"confidence": "Medium"},
		Suppressions: []finding.Suppression{{Kind: finding.SuppressionExternal, Status: finding.SuppressionRejected, Justification: "no", Source: ".scanmux.yaml"}},
	}
	v := apply(t, p, f)
	if len(v.Deny) != 1 {
		t.Fatalf("Deny = %q", v.Deny)
	}
	var got, want any
	if err := json.Unmarshal([]byte(v.Deny[0]), &got); err != nil {
		t.Fatal(err)
	}
	const wantJSON = `{
	  "context": {"environment": "staging", "OnCall": ["ana"]},
	  "finding": {
	    "tool": {"name": "zap", "version": "2.16.0"},
	    "rule": {"id": "40012", "name": "Cross Site Scripting (Reflected)", "tags": ["security", "OWASP_2021_A03"]},
	    "message": "reflected XSS",
	    "category": "dast",
	    "severity": "high",
	    "originalSeverity": "High",
	    "precision": "medium",
	    "cwes": [79],
	    "vulnIds": [],
	    "location": {
	      "path": "web/search.go", "startLine": 3, "endLine": 5, "resource": "GET /search",
	      "package": {"name": "a", "version": "1", "fixedVersion": "2", "ecosystem": "npm", "purl": "pkg:npm/a@1", "image": "app:1"},
	      "web": {"url": "https://app/search?q=x", "method": "GET", "parameter": "q"}
	    },
	    "fingerprints": {"scanmux/v1": "abc"},
	    "properties": {"confidence": "Medium"},
	    "suppressed": false,
	    "suppressions": [{"kind": "external", "status": "rejected", "justification": "no", "source": ".scanmux.yaml"}]
	  }
	}`
	if err := json.Unmarshal([]byte(wantJSON), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("input document:\n%s\nwant\n%s", v.Deny[0], wantJSON)
	}

	// Absent package and web are left out; nil slices and maps are empty.
	v = apply(t, p, &finding.Finding{Rule: finding.Rule{ID: "x"}})
	if err := json.Unmarshal([]byte(v.Deny[0]), &got); err != nil {
		t.Fatal(err)
	}
	loc := got.(map[string]any)["finding"].(map[string]any)["location"]
	if want := map[string]any{"path": "", "startLine": 0.0, "endLine": 0.0, "resource": ""}; !reflect.DeepEqual(loc, want) {
		t.Errorf("location of an empty finding = %v, want %v", loc, want)
	}
	if cwes := got.(map[string]any)["finding"].(map[string]any)["cwes"]; !reflect.DeepEqual(cwes, []any{}) {
		t.Errorf("cwes of an empty finding = %#v, want []", cwes)
	}
}

// TestInputNeeds checks which input fields Load finds the policies read,
// which decides what Apply converts and caches by.
func TestInputNeeds(t *testing.T) {
	tests := []struct{ src, want string }{
		{`suppress contains "x" if input.finding.location.path == "a"`, "input.finding.location.path"},
		{`suppress contains "x" if { f := input.finding.location; f.path == "a"; input.finding.rule.id == "b" }`,
			"input.finding.location input.finding.rule.id"},
		{`suppress contains "x" if { some k; input.finding.properties[k] == "a" }`, "input.finding.properties"},
		{`suppress contains "x" if is_test(input.finding)
is_test(f) if f.location.path == "a"`, "input.finding"},
		{`suppress contains "x" if { x := input; x.finding.message == "" }`, "input"},
		{`import input.finding.rule as r
suppress contains "x" if r.id == "a"`, "input.finding.rule.id"},
		{`suppress contains "x" if input.context.env == "a"`, "input.context.env"},
	}
	for _, tc := range tests {
		paths := writePolicies(t, "p.rego", "package scanmux\n\n"+tc.src+"\n")
		got := mustLoad(t, paths, nil).needs.String()
		if got != tc.want {
			t.Errorf("%s:\nneeds %s, want %s", tc.src, got, tc.want)
		}
	}
}

func TestSyntaxError(t *testing.T) {
	paths := writePolicies(t, "ok.rego", "package scanmux\n\ndeny contains \"x\" if false\n",
		"broken.rego", "package scanmux\n\nsuppress contains \"x\" if {\n\tinput.finding.severity == \n}\n")
	_, err := Load(context.Background(), paths, nil)
	if err == nil {
		t.Fatal("Load succeeded on a syntax error")
	}
	prefix := paths[1] + ":5: "
	if !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("error %q does not start with %q", err, prefix)
	}
	var pe *Error
	if !errors.As(err, &pe) || pe.File != paths[1] || pe.Line != 5 || pe.Code != "rego_parse_error" {
		t.Errorf("error %#v, want a *Error at %s:5 with code rego_parse_error", pe, paths[1])
	}
}

func TestTypeError(t *testing.T) {
	paths := writePolicies(t, "typo.rego", `package scanmux

severity := "low" if {
	input.finding.category == "sast"
	input.finding.precison == "low"
}

deny contains msg if {
	msg := concat(", ", input.finding.message)
}
`)
	_, err := Load(context.Background(), paths, nil)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("Load error = %v, want 2 errors", err)
	}
	for i, want := range []struct {
		line int
		text string
	}{{5, "precison"}, {9, "concat"}} {
		e := errs[i]
		if e.File != paths[0] || e.Line != want.line || e.Code != "rego_type_error" || !strings.Contains(e.Message, want.text) {
			t.Errorf("error %d = %v (code %s), want a type error at %s:%d about %s", i, e, e.Code, paths[0], want.line, want.text)
		}
		if !strings.HasPrefix(e.Error(), fmt.Sprintf("%s:%d: ", paths[0], want.line)) {
			t.Errorf("error %q lacks the FILE:LINE: prefix", e)
		}
	}
}

func TestWrongPackage(t *testing.T) {
	paths := writePolicies(t, "good.rego", "package scanmux\n\ndeny contains \"x\" if false\n",
		"other.rego", "# comment\npackage scanmux.extra\n\ndeny contains \"y\" if true\n")
	_, err := Load(context.Background(), paths, nil)
	if !errors.Is(err, ErrPackage) {
		t.Fatalf("Load error = %v, want ErrPackage", err)
	}
	if want := paths[1] + ":2: package scanmux.extra: policies must be in package scanmux"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestDecisionRuleForms(t *testing.T) {
	for _, src := range []string{
		`severity contains "low" if true`,
		`deny := "no"`,
		`suppress := {"a"}`,
		`severity_reason(x) := x`,
		`__scanmux_suppress_by_file contains 1`,
	} {
		paths := writePolicies(t, "p.rego", "package scanmux\n\n"+src+"\n")
		_, err := Load(context.Background(), paths, nil)
		if !errors.Is(err, ErrDecision) || !strings.HasPrefix(err.Error(), paths[0]+":3:") {
			t.Errorf("%s: Load error = %v, want ErrDecision at line 3", src, err)
		}
	}
	paths := writePolicies(t, "p.rego", "package scanmux\n\nhelper := 1\n")
	if _, err := Load(context.Background(), paths, nil); !errors.Is(err, ErrDecision) {
		t.Errorf("policy without decisions: Load error = %v, want ErrDecision", err)
	}
	if _, err := Load(context.Background(), []string{t.TempDir()}, nil); !errors.Is(err, ErrNoPolicy) {
		t.Errorf("empty directory: Load error = %v, want ErrNoPolicy", err)
	}
}

func TestForbiddenBuiltins(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"suppress": true}`)
	}))
	defer srv.Close()

	exfil := fmt.Sprintf(`package scanmux

suppress contains "remote says so" if {
	resp := http.send({"method": "POST", "url": %q, "body": input.finding})
	resp.body.suppress
}
`, srv.URL)
	paths := writePolicies(t, "exfil.rego", exfil)
	_, err := Load(context.Background(), paths, nil)
	if !errors.Is(err, ErrForbiddenBuiltin) {
		t.Fatalf("Load error = %v, want ErrForbiddenBuiltin", err)
	}
	if want := paths[0] + ":4: built-in http.send is not allowed: it reaches the network"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want it to start with %q", err, want)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the server got %d requests from a policy that failed to load", n)
	}

	// Allowed explicitly, the same policy runs and calls the server.
	p := mustLoad(t, paths, &Options{AllowNetwork: true})
	v := apply(t, p, &finding.Finding{Rule: finding.Rule{ID: "x"}})
	if v.Suppress == nil || v.Suppress.Justification != "remote says so" {
		t.Errorf("with AllowNetwork: verdict %s", verdictString(v))
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("with AllowNetwork: %d requests, want 1", n)
	}

	for _, tc := range []struct {
		call    string
		allowed *Options // options that allow it, nil if none do
	}{
		{`net.lookup_ip_addr("example.com")`, &Options{AllowNetwork: true}},
		{`time.now_ns()`, &Options{AllowClock: true}},
		{`io.jwt.decode_verify("a.b.c", {"secret": "s"})`, &Options{AllowClock: true}},
		{`rand.intn("x", 10)`, nil},
		{`uuid.rfc4122("x")`, nil},
		{`opa.runtime()`, nil},
	} {
		src := "package scanmux\n\ndeny contains sprintf(\"%v\", [x]) if {\n\tx := " + tc.call + "\n}\n"
		paths := writePolicies(t, "p.rego", src)
		name := tc.call[:strings.Index(tc.call, "(")]
		_, err := Load(context.Background(), paths, nil)
		if !errors.Is(err, ErrForbiddenBuiltin) || !strings.HasPrefix(err.Error(), paths[0]+":4: built-in "+name+" is not allowed") {
			t.Errorf("%s: Load error = %v, want ErrForbiddenBuiltin at line 4", tc.call, err)
		}
		all := &Options{AllowNetwork: true, AllowClock: true}
		_, err = Load(context.Background(), paths, all)
		if tc.allowed == nil && !errors.Is(err, ErrForbiddenBuiltin) {
			t.Errorf("%s with every Allow option: Load error = %v, want ErrForbiddenBuiltin", tc.call, err)
		}
		if tc.allowed != nil {
			if _, err := Load(context.Background(), paths, tc.allowed); err != nil {
				t.Errorf("%s with %+v: %v", tc.call, *tc.allowed, err)
			}
		}
	}
}

func TestSeverityConflict(t *testing.T) {
	paths := writePolicies(t,
		"a.rego", "package scanmux\n\nseverity := \"low\" if input.finding.category == \"sast\"\n",
		"b.rego", "package scanmux\n\nseverity := \"high\" if input.finding.rule.id == \"G101\"\n")
	p := mustLoad(t, paths, nil)
	if v := apply(t, p, &finding.Finding{Category: finding.CategorySAST, Rule: finding.Rule{ID: "G102"}}); v.Severity != finding.SeverityLow {
		t.Errorf("Severity = %v, want low", v.Severity)
	}
	_, err := p.Apply(context.Background(), &finding.Finding{Category: finding.CategorySAST, Rule: finding.Rule{ID: "G101"}})
	if err == nil || !strings.Contains(err.Error(), "conflict") || !strings.Contains(err.Error(), ".rego:3") {
		t.Errorf("conflicting severities: error %v, want an eval conflict naming FILE:LINE", err)
	}
}

func TestBadDecisionValues(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`severity := "urgent"`, `severity is urgent, want one of critical, high, medium, low, info`},
		{`severity := "CRITICAL"`, `severity is CRITICAL`},
		{`deny contains 42`, `deny contains 42, want strings`},
		{`suppress contains {"reason": "r", "status": "maybe"}`, `status must be accepted, underReview or rejected`},
		{`suppress contains {"why": "r"}`, `has no string reason`},
	} {
		paths := writePolicies(t, "p.rego", "package scanmux\n\n"+tc.src+"\n")
		p := mustLoad(t, paths, nil)
		_, err := p.Apply(context.Background(), &finding.Finding{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Apply error %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestSuppressStatus(t *testing.T) {
	paths := writePolicies(t, "p.rego", `package scanmux

suppress contains {"reason": "needs a second look", "status": "underReview"} if input.finding.rule.id == "a"
suppress contains {"reason": "not exploitable", "status": "rejected"} if input.finding.rule.id in {"a", "b"}
suppress contains "known false positive" if input.finding.rule.id == "c"
`)
	p := mustLoad(t, paths, nil)
	for id, want := range map[string]finding.SuppressionStatus{
		"a": finding.SuppressionUnderReview,
		"b": finding.SuppressionRejected,
		"c": finding.SuppressionAccepted,
	} {
		v := apply(t, p, &finding.Finding{Rule: finding.Rule{ID: id}})
		if v.Suppress == nil || v.Suppress.Status != want {
			t.Errorf("rule %s: %s, want status %s", id, verdictString(v), want)
		}
	}
}

// TestCacheMatchesEvaluation compares cached and uncached decisions over
// many findings that differ in fields the policies read and fields they do
// not, from concurrent goroutines.
func TestCacheMatchesEvaluation(t *testing.T) {
	cached := mustLoad(t, []string{examplesDir}, &Options{Context: prodContext})
	fresh := mustLoad(t, []string{examplesDir}, &Options{Context: prodContext, CacheSize: -1})
	if fresh.units[0].eval.cache != nil || cached.units[0].eval.cache == nil {
		t.Fatal("CacheSize: want a cache only by default")
	}
	// The second half differs from the first only in fields the example
	// policies do not read: they must share its decisions.
	fs := benchFindings(1500)
	for _, f := range fs[:1500] {
		g := f.Clone()
		g.Message += " again"
		g.Location.Region.StartLine += 1000
		g.Fingerprints = map[string]string{"other": "x"}
		fs = append(fs, g)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(fs); i += 4 {
				a, errA := cached.Apply(context.Background(), fs[i])
				b, errB := fresh.Apply(context.Background(), fs[i])
				if errA != nil || errB != nil {
					t.Errorf("finding %d: errors %v, %v", i, errA, errB)
					return
				}
				if !reflect.DeepEqual(a, b) {
					t.Errorf("finding %d: cached %s, evaluated %s", i, verdictString(a), verdictString(b))
					return
				}
			}
		})
	}
	wg.Wait()
	for _, u := range cached.units {
		if n := u.eval.cache.len(); n == 0 || n > len(fs)/2 {
			t.Errorf("%s:%d: cache holds %d decisions for %d findings", u.file, u.line, n, len(fs))
		}
	}
}

func TestCacheBound(t *testing.T) {
	paths := writePolicies(t, "p.rego", "package scanmux\n\ndeny contains m if {\n\tm := input.finding.message\n\tm == \"never\"\n}\n")
	p := mustLoad(t, paths, &Options{CacheSize: 10})
	for i := range 50 {
		apply(t, p, &finding.Finding{Message: fmt.Sprint(i)})
	}
	if n := p.units[0].eval.cache.len(); n == 0 || n > 10 {
		t.Errorf("cache holds %d decisions, want 1 to 10", n)
	}
	if p2 := mustLoad(t, paths, &Options{AllowClock: true}); p2.units[0].eval.cache != nil {
		t.Error("AllowClock: decisions are cached")
	}
}

func TestCacheKeys(t *testing.T) {
	c := newDecisionCache(1 << 10)
	var keys [][]byte
	for _, n := range []int{0, 1, 47, 48, 49, 144} {
		k := bytes.Repeat([]byte{'k'}, n)
		keys = append(keys, k)
		if n > 0 {
			// The same length, differing in the last byte only.
			o := bytes.Clone(k)
			o[n-1] = 'o'
			keys = append(keys, o)
		}
	}
	for i, k := range keys {
		c.put(k, &decision{vals: []any{i}})
	}
	for i, k := range keys {
		d := c.get(k)
		if d == nil || len(d.vals) != 1 || d.vals[0] != i {
			t.Errorf("key of %d bytes (%d): got %v", len(k), i, d)
		}
	}
	if d := c.get([]byte("kk-absent")); d != nil {
		t.Errorf("an absent key got %v", d.vals)
	}
}
