package semgrep_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
	"github.com/scanmux/scanmux/scanners/semgrep"
)

// decodeFile decodes path with adapter a and root, and returns the tool
// and findings, failing the test on an error or an invalid finding.
func decodeFile(t *testing.T, a scanners.Adapter, path, root string) (finding.Tool, []*finding.Finding) {
	t.Helper()
	return corpustest.DecodeFile(t, a, path, &scanners.Options{Root: root})
}

// corpusRoots are the scan roots of corpus reports whose paths are
// absolute.
var corpusRoots = map[string]string{
	"semgrep-0.52-owasp-benchmark.json": "/home/sknoop/develop/OWASP/Benchmark",
}

// adapterFor says which adapter must claim a corpus file: the supply-chain
// list is the only native-json file of Semgrep's web API.
func adapterFor(r corpustest.Row) string {
	switch {
	case r.Tool != "semgrep" || r.Format != "native-json":
		return ""
	case strings.Contains(r.Notes, "supply chain"):
		return semgrep.SupplyChainName
	}
	return semgrep.Name
}

func TestCorpus(t *testing.T) {
	claims := func(r corpustest.Row, name string) bool { return adapterFor(r) == name }
	corpustest.CheckDetect(t, claims, semgrep.Adapters()...)
	opts := func(r corpustest.Row) *scanners.Options {
		return &scanners.Options{Root: corpusRoots[filepath.Base(r.Path)]}
	}
	for _, a := range semgrep.Adapters() {
		wantCat := finding.CategorySAST
		if a.Name() == semgrep.SupplyChainName {
			wantCat = finding.CategoryDependency
		}
		corpustest.DecodeEach(t, claims, a, opts, func(t *testing.T, r corpustest.Row, tool finding.Tool, got []*finding.Finding) {
			if tool.Name != "semgrep" {
				t.Errorf("%s: tool %+v", r.Path, tool)
			}
			r.CheckCount(t, len(got))
			for _, f := range got {
				if f.Category != wantCat {
					t.Errorf("%s: %s has category %s", r.Path, f.Rule.ID, f.Category)
				}
				if f.Location.Path == "" || f.Location.Region.StartLine == 0 || f.OriginalSeverity == "" {
					t.Errorf("%s: %s lacks a field: %+v", r.Path, f.Rule.ID, f)
				}
				wantSev := map[string]finding.Severity{"ERROR": finding.SeverityHigh, "WARNING": finding.SeverityMedium,
					"INFO": finding.SeverityLow, "HIGH": finding.SeverityHigh, "CRITICAL": finding.SeverityCritical}[f.OriginalSeverity]
				if f.Severity != wantSev {
					t.Errorf("%s: %s severity %s from %q", r.Path, f.Rule.ID, f.Severity, f.OriginalSeverity)
				}
			}
		})
	}
}

func TestCorpusGolden(t *testing.T) {
	_, got := decodeFile(t, semgrep.Adapter{}, corpustest.File(t, "semgrep/semgrep-1.30.json"), "")
	f := got[0]
	want := finding.Finding{
		Tool: finding.Tool{Name: "semgrep", Version: "1.30.0", InformationURI: "https://semgrep.dev"},
		Rule: finding.Rule{
			ID:      "go.lang.security.audit.net.formatted-template-string.formatted-template-string",
			Name:    "formatted-template-string",
			HelpURI: "https://semgrep.dev/r/go.lang.security.audit.net.formatted-template-string.formatted-template-string",
			Tags:    []string{"security", "audit", "go", "A07:2017 - Cross-Site Scripting (XSS)", "A03:2021 - Injection"},
		},
		Message:          "Found a formatted template string passed to 'template.HTML()'. 'template.HTML()' does not escape contents. Be absolutely sure there is no user-controlled data in this template. If user data can reach this template, you may have a XSS vulnerability.",
		Category:         finding.CategorySAST,
		Severity:         finding.SeverityMedium,
		OriginalSeverity: "WARNING",
		Precision:        finding.PrecisionMedium,
		CWEs:             []int{79},
		Location: finding.Location{
			Path:    "test.go",
			Region:  finding.Region{StartLine: 27, StartColumn: 5, EndLine: 30, EndColumn: 31},
			Snippet: "    tmpl := \"<html><body><h1>\" + customerId + \"</h1></body></html>\"\n\n\n    return template.HTML(tmpl)",
		},
		Fingerprints: map[string]string{"semgrep/fingerprint": "f900d4624c2a2c2cae7cb9c94c4fb9df53a242700f19122be398d33598deb554a3fa3af3ba3864af95c90694505624e04e9e1c86fb96338f1feb40bd8b07ef2e_0"},
		Properties: map[string]string{
			"semgrep.engine_kind": "OSS", "semgrep.impact": "MEDIUM", "semgrep.likelihood": "LOW",
			"semgrep.references": `["https://golang.org/pkg/html/template/#HTML"]`,
		},
	}
	if !reflect.DeepEqual(*f, want) {
		t.Errorf("semgrep-1.30.json result 0:\n got %+v\nwant %+v", *f, want)
	}

	_, got = decodeFile(t, semgrep.Adapter{}, corpustest.File(t, "semgrep/semgrep-many.json"), "")
	f = got[0]
	if f.Rule.ID != "python.lang.correctness.tempfile.flush.tempfile-without-flush" || f.Severity != finding.SeverityHigh ||
		f.OriginalSeverity != "ERROR" || f.Location.Path != "tasks.py" ||
		f.Location.Region != (finding.Region{StartLine: 186, StartColumn: 39, EndLine: 186, EndColumn: 48}) || f.CWEs != nil {
		t.Errorf("semgrep-many.json result 0: %+v", f)
	}

	_, got = decodeFile(t, semgrep.Adapter{}, corpustest.File(t, "semgrep/semgrep-0.52-owasp-benchmark.json"),
		"/home/sknoop/develop/OWASP/Benchmark")
	f = got[0]
	if f.Rule.ID != "java.lang.security.audit.cbc-padding-oracle.cbc-padding-oracle" || !slices.Equal(f.CWEs, []int{696}) ||
		f.Location.Path != "src/main/java/org/owasp/benchmark/testcode/BenchmarkTest01639.java" ||
		f.Rule.HelpURI != "https://find-sec-bugs.github.io/bugs.htm#PADDING_ORACLE" || f.Tool.Version != "" ||
		f.Properties["semgrep.fix"] == "" && f.Properties["semgrep.references"] == "" {
		t.Errorf("semgrep-0.52 result 0: %+v", f)
	}
}

func TestCorpusSupplyChainGolden(t *testing.T) {
	_, got := decodeFile(t, semgrep.SupplyChainAdapter{}, corpustest.File(t, "semgrep/semgrep-sca.json"), "")
	f := got[0]
	if f.Rule.ID != "ssc-82207871-bbda-49be-b1af-49fd927a2f93" || f.Rule.Name != "Reachable Assertion in grpc" ||
		f.Message != "Reachable Assertion in grpc: grpcio 1.47.0" ||
		f.Severity != finding.SeverityHigh || f.OriginalSeverity != "HIGH" || !slices.Equal(f.CWEs, []int{617}) ||
		!slices.Equal(f.VulnIDs, []string{"CVE-2023-1428", "GHSA-6628-q6j9-w8vg"}) ||
		f.Location.Path != "requirements3.txt" || f.Location.Region != (finding.Region{StartLine: 222}) ||
		!reflect.DeepEqual(*f.Location.Package, finding.Package{Name: "grpcio", Version: "1.47.0", FixedVersion: "1.53.0", Ecosystem: "RubyGems"}) ||
		f.Properties["semgrep.exposure_type"] != "REACHABLE" || f.Properties["semgrep.transitivity"] != "DIRECT" {
		t.Errorf("semgrep-sca.json vuln 0: %+v %+v", f, f.Location.Package)
	}
	f = got[len(got)-1]
	if f.Severity != finding.SeverityCritical || f.Location.Package.Ecosystem != "npm" || f.Location.Package.Name != "url-parse" ||
		f.Location.Package.FixedVersion != "1.5.8" || !slices.Equal(f.VulnIDs, []string{"CVE-2022-0686", "GHSA-hgjh-723h-mx2j"}) ||
		f.Location.Path != "package-lock.json" || f.Properties["semgrep.triage_status"] != "CLOSED" || f.Suppressed() {
		t.Errorf("semgrep-sca.json last vuln: %+v %+v", f, f.Location.Package)
	}
}

func TestSecretRule(t *testing.T) {
	const key = "AKIAZZZZZZZZZZZZZZZZ"
	in := `{"results":[{"check_id":"generic.secrets.security.detected-aws-access-key-id-value.detected-aws-access-key-id-value",
	"path":"config/app.env","start":{"line":3,"col":9},"end":{"line":3,"col":29},
	"extra":{"message":"AWS Access Key ID Value detected: ` + key + `","severity":"ERROR","lines":"AWS_KEY=` + key + `",
	"fix":"AWS_KEY=` + key + `","metavars":{"$X":{"abstract_content":"` + key + `"}},
	"metadata":{"cwe":["CWE-798: Use of Hard-coded Credentials"],"confidence":"LOW"}}}],"errors":[],"version":"1.100.0"}`
	var got []*finding.Finding
	if _, err := (semgrep.Adapter{}).Decode(strings.NewReader(in), "in.json", nil, func(f *finding.Finding) error {
		got = append(got, f)
		return f.Validate()
	}); err != nil {
		t.Fatal(err)
	}
	f := got[0]
	if f.Category != finding.CategorySecret || f.Location.Snippet != "REDACTED" || !slices.Equal(f.CWEs, []int{798}) {
		t.Errorf("got %+v", f)
	}
	if s := fmt.Sprintf("%+v", *f); strings.Contains(s, key) {
		t.Errorf("the key leaks: %s", s)
	}
}

func TestWrongShape(t *testing.T) {
	inputs := map[string]string{
		"not json":       "semgrep ran",
		"array":          `[]`,
		"no results":     `{"errors":[],"version":"1.0.0"}`,
		"sarif":          `{"version":"2.1.0","runs":[]}`,
		"truncated":      `{"results":[{"check_id":"x","path":"a.py"`,
		"result no rule": `{"results":[{"path":"a.py"}]}`,
		"wrong type":     `{"results":[{"check_id":"x","start":{"line":"3"}}]}`,
		"empty":          ``,
	}
	for _, a := range semgrep.Adapters() {
		for name, in := range inputs {
			_, err := a.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return nil })
			if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "in.json") {
				t.Errorf("%s, %s: error %v, want ErrFormat naming the file", a.Name(), name, err)
			}
		}
	}
	_, err := semgrep.SupplyChainAdapter{}.Decode(strings.NewReader(`{"vulns":[{"advisory":{}}]}`), "in.json", nil,
		func(*finding.Finding) error { return nil })
	if !errors.Is(err, scanners.ErrFormat) {
		t.Errorf("vuln without rule: error %v", err)
	}
}

func TestEmitError(t *testing.T) {
	stop := errors.New("stop")
	in := `{"results":[{"check_id":"x","path":"a.py","start":{"line":1,"col":1},"end":{"line":1,"col":2},"extra":{"message":"m","severity":"INFO"}}]}`
	_, err := semgrep.Adapter{}.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return stop })
	if err != stop {
		t.Errorf("error %v, want the emit error", err)
	}
}

func TestDetectCut(t *testing.T) {
	full := []byte(`{"errors":[],"paths":{"scanned":["a.py"]},"results":[{"check_id":"x","end":{"col":2,"line":1},"extra":{},"path":"a.py","start":{"col":1,"line":1}}],"version":"1.30.0"}`)
	for _, a := range semgrep.Adapters() {
		for i := range full {
			a.Detect(full[:i]) // must not panic
		}
	}
	if !(semgrep.Adapter{}).Detect(full[:70]) {
		t.Error("Detect does not claim a cut head")
	}
	for _, s := range []string{`{"runs":[],"version":"2.1.0"}`, `[]`, `{}`, `{"results":[]}`} {
		for _, a := range semgrep.Adapters() {
			if a.Detect([]byte(s)) {
				t.Errorf("%s claims %s", a.Name(), s)
			}
		}
	}
}
