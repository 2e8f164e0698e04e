package sarif

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
)

// rdReadTestdata reads sarif/testdata/reader/name.
func rdReadTestdata(t *testing.T, name string, opts *ReadOptions) []Run {
	t.Helper()
	runs, err := ReadFile(filepath.Join("testdata", "reader", name), opts)
	if err != nil {
		t.Fatalf("ReadFile(%s): %v", name, err)
	}
	for _, r := range runs {
		for i := range r.Findings {
			rdCheckFinding(t, r.Findings[i])
		}
	}
	return runs
}

func rdEq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestReadRules(t *testing.T) {
	runs := rdReadTestdata(t, "rules.sarif", nil)
	rdEq(t, "runs", len(runs), 1)
	r := runs[0]
	rdEq(t, "tool", r.Tool, finding.Tool{Name: "codeql", Version: "2.15.0"})
	rdEq(t, "rule ids", rdRuleIDs(r.Rules), []string{"js/xss", "js/unused", "B101", "ext/sqli"})
	fs := r.Findings
	rdEq(t, "findings", len(fs), 7)

	tests := []struct {
		reason   string
		f        *finding.Finding
		ruleID   string
		message  string
		sev      finding.Severity
		orig     string
		cwes     []int
		prec     finding.Precision
		vulnIDs  []string
		category finding.Category
	}{
		{"ruleIndex; message.id from messageStrings with arguments; security-severity wins over level",
			fs[0], "js/xss", "Value x flows to sink; literal {braces}.", finding.SeverityMedium, "6.1", []int{79, 116}, finding.PrecisionHigh, nil, finding.CategorySAST},
		{"rule.index; defaultConfiguration.level", fs[1], "js/unused", "unused", finding.SeverityLow, "note", []int{563}, "", nil, finding.CategorySAST},
		{"tool-specific severity property wins over level", fs[2], "B101", "assert", finding.SeverityHigh, "HIGH", nil, "", nil, finding.CategorySAST},
		{"extension rule via toolComponent.index", fs[3], "ext/sqli", "sqli", finding.SeverityMedium, "", []int{89}, finding.PrecisionVeryHigh, nil, finding.CategorySAST},
		{"hierarchical id; result security-severity as a number", fs[4], "js/xss/variant", "hierarchical", finding.SeverityCritical, "9.8", []int{79, 116}, finding.PrecisionHigh, nil, finding.CategorySAST},
		{"rule.id; empty message falls back to the rule", fs[5], "js/unused", "js/unused", finding.SeverityHigh, "error", []int{563}, "", nil, finding.CategorySAST},
		{"vulnerability ids from rule id and properties", fs[6], "CVE-2023-1234-libfoo", "vulnerable", finding.SeverityMedium, "", []int{400}, "", []string{"CVE-2023-1234", "GHSA-jfh8-c2jp-5v3q"}, finding.CategoryDependency},
	}
	for _, tt := range tests {
		t.Run(tt.ruleID, func(t *testing.T) {
			t.Log(tt.reason)
			rdEq(t, "rule id", tt.f.Rule.ID, tt.ruleID)
			rdEq(t, "message", tt.f.Message, tt.message)
			rdEq(t, "severity", tt.f.Severity, tt.sev)
			rdEq(t, "original severity", tt.f.OriginalSeverity, tt.orig)
			rdEq(t, "cwes", tt.f.CWEs, tt.cwes)
			rdEq(t, "precision", tt.f.Precision, tt.prec)
			rdEq(t, "vuln ids", tt.f.VulnIDs, tt.vulnIDs)
			rdEq(t, "category", tt.f.Category, tt.category)
		})
	}
	rdEq(t, "help", fs[0].Rule.HelpMarkdown, "**Escape** output.")
	rdEq(t, "location", fs[0].Location, finding.Location{Path: "a.js", Region: finding.Region{StartLine: 3, StartColumn: 1, EndLine: 3}})
	rdEq(t, "properties", fs[4].Properties, map[string]string{"security-severity": "9.8", "note": "n", "count": "3"})
}

func rdRuleIDs(rs []finding.Rule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func rdPaths(fs []*finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Location.Path)
	}
	return out
}

func TestReadPaths(t *testing.T) {
	tests := []struct {
		reason string
		opts   *ReadOptions
		want   []string
		uris   int // findings that kept only their URI
	}{
		{"no root: absolute rdPaths lose their path, absolute bases are the root",
			nil, []string{"pkg/late.go", "cmd/tool/main.go", "x/y.go", "", "", "dir a/b.c"}, 2},
		{"root: absolute rdPaths under it become relative",
			&ReadOptions{Root: "/work/repo"}, []string{"pkg/late.go", "cmd/tool/main.go", "x/y.go", "lib/file name.py", "", "dir a/b.c"}, 1},
		{"root as a file URI",
			&ReadOptions{Root: "file:///work/repo/"}, []string{"pkg/late.go", "cmd/tool/main.go", "x/y.go", "lib/file name.py", "", "dir a/b.c"}, 1},
		{"windows root",
			&ReadOptions{Root: `c:\other`}, []string{"", "", "x/y.go", "", "x.cs", "dir a/b.c"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			runs := rdReadTestdata(t, "paths.sarif", tt.opts)
			fs := runs[0].Findings
			rdEq(t, "paths", rdPaths(fs), tt.want)
			uris := 0
			for _, f := range fs {
				if f.Properties["sarif.uri"] != "" {
					uris++
				}
			}
			rdEq(t, "findings with sarif.uri", uris, tt.uris)
			n := runs[0].Invocation.Notifications
			if len(n) != 1 || !strings.Contains(n[0].Message, fmt.Sprintf("%d locations", tt.uris)) {
				t.Errorf("notifications = %+v, want one counting %d locations", n, tt.uris)
			}
		})
	}
	_, err := ReadFile(filepath.Join("testdata", "reader", "paths.sarif"), &ReadOptions{Root: "/work/repo", StrictPaths: true})
	var de *DecodeError
	if !errors.As(err, &de) || !errors.Is(err, finding.ErrPathOutsideRoot) || de.Path != "$.runs[0].results[4]" {
		t.Errorf("StrictPaths: got %v, want a *DecodeError at $.runs[0].results[4] wrapping ErrPathOutsideRoot", err)
	}
}

func TestReadTaxonomies(t *testing.T) {
	fs := rdReadTestdata(t, "taxa.sarif", nil)[0].Findings
	rdEq(t, "cwes", [][]int{fs[0].CWEs, fs[1].CWEs, fs[2].CWEs}, [][]int{{798}, {22, 200}, {79, 798}})
}

func TestReadFlowsSuppressionsFingerprints(t *testing.T) {
	f := rdReadTestdata(t, "flows.sarif", nil)[0].Findings[0]
	rdEq(t, "location", f.Location, finding.Location{Path: "sink.py", Region: finding.Region{StartLine: 10, StartColumn: 5, EndLine: 10, EndColumn: 20}, Snippet: "eval(x)"})
	rdEq(t, "related", f.Related, []finding.Location{{Path: "src.py", Region: finding.Region{StartLine: 2, StartColumn: 1, EndLine: 2}, Message: "here"}})
	rdEq(t, "flows", f.Flows, []finding.Flow{{Message: "flow", Steps: []finding.Location{
		{Path: "src.py", Region: finding.Region{StartLine: 2, StartColumn: 1, EndLine: 2}, Message: "source"},
		{Path: "sink.py", Region: finding.Region{StartLine: 10, StartColumn: 1, EndLine: 10}, Message: "sink"},
	}}})
	rdEq(t, "fingerprints", f.Fingerprints, map[string]string{"sarif.fingerprints/matchBasedId/v1": "abc", "primaryLocationLineHash": "1234:1"})
	rdEq(t, "suppressions", f.Suppressions, []finding.Suppression{
		{Kind: finding.SuppressionInSource, Justification: "test code"},
		{Kind: finding.SuppressionExternal, Status: finding.SuppressionUnderReview},
	})
	rdEq(t, "suppressed", f.Suppressed(), true)
	rdEq(t, "kind", f.Properties["sarif.kind"], "review")
	rdEq(t, "severity", f.Severity, finding.SeverityHigh)
}

func TestReadDAST(t *testing.T) {
	fs := rdReadTestdata(t, "dast.sarif", nil)[0].Findings
	rdEq(t, "web", []finding.Web{*fs[0].Location.Web, *fs[1].Location.Web, *fs[2].Location.Web}, []finding.Web{
		{URL: "https://example.com/search?q=1", Method: "GET", Parameter: "q"},
		{URL: "https://example.com/a"},
		{URL: "https://example.com/search"},
	})
	for _, f := range fs {
		rdEq(t, "category", f.Category, finding.CategoryDAST)
		rdEq(t, "severity", f.Severity, finding.SeverityHigh)
		rdEq(t, "path", f.Location.Path, "")
	}
}

func TestReadCategories(t *testing.T) {
	runs := rdReadTestdata(t, "categories.sarif", nil)
	var got []finding.Category
	for _, r := range runs {
		for _, f := range r.Findings {
			got = append(got, f.Category)
		}
	}
	rdEq(t, "categories", got, []finding.Category{
		finding.CategorySecret, finding.CategoryIaC, finding.CategoryContainer, finding.CategoryDependency,
		finding.CategoryIaC, finding.CategorySecret, finding.CategoryDependency, finding.CategorySAST,
	})
	secret := runs[0].Findings[0]
	// The value (the "offender" property) is replaced wherever it is, and
	// only its hash is kept.
	rdEq(t, "secret snippet", secret.Location.Snippet, "REDACTED")
	rdEq(t, "secret fingerprint", secret.Fingerprints["secret/sha256"], "f6bbf99cff0a7148d6e3435bec21f63c10babbd01d6b572e5cfee237c6e69387")
	rdEq(t, "secret properties", secret.Properties, map[string]string{"commit": "abc"})
	rdEq(t, "iac resource", runs[1].Findings[0].Location.Resource, "aws_s3_bucket.b")
	rdEq(t, "trivy severity", runs[2].Findings[0].Severity, finding.SeverityCritical)
	rdEq(t, "trivy vuln id", runs[2].Findings[0].VulnIDs, []string{"CVE-2022-0001"})
	rdEq(t, "trivy config severity", runs[2].Findings[2].Severity, finding.SeverityLow)

	// Overrides.
	runs = rdReadTestdata(t, "categories.sarif", &ReadOptions{FindingCategory: finding.CategoryOther, Category: "ci"})
	for _, r := range runs {
		rdEq(t, "run category", r.Category, "ci")
		for _, f := range r.Findings {
			rdEq(t, "category", f.Category, finding.CategoryOther)
		}
	}
}

func TestReadRunMetadata(t *testing.T) {
	runs := rdReadTestdata(t, "runmeta.sarif", nil)
	rdEq(t, "runs", len(runs), 3)
	r := runs[0]
	rdEq(t, "tool", r.Tool, finding.Tool{Name: "late", Version: "1.0"})
	rdEq(t, "category", r.Category, "nightly/linux")
	rdEq(t, "findings", len(r.Findings), 1)
	rdEq(t, "finding tool", r.Findings[0].Tool.Name, "late")
	rdEq(t, "invocation", r.Invocation, Invocation{
		Failed:        true,
		Notifications: []Notification{{Level: "error", Message: "crashed on a.go"}},
		StartTime:     time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		EndTime:       time.Date(2024, 1, 2, 3, 5, 5, 0, time.UTC),
	})
	rdEq(t, "empty runs", []string{runs[1].Tool.Name, runs[2].Tool.Name}, []string{"empty", "null-results"})
	rdEq(t, "empty findings", len(runs[1].Findings)+len(runs[2].Findings), 0)

	bom := rdReadTestdata(t, "bom.sarif", nil)
	rdEq(t, "bom findings", len(bom[0].Findings), 1)
}

// TestDecodeHandler checks the handler protocol: the same *Run for every
// call of a run, Findings nil, and a final f == nil call per run.
func TestDecodeHandler(t *testing.T) {
	var calls []string
	seen := map[*Run]bool{}
	var last *Run
	err := Decode(strings.NewReader(`{"version":"2.1.0","runs":[
		{"tool":{"driver":{"name":"a"}},"results":[{"ruleId":"1","message":{"text":"m"}},{"ruleId":"2","message":{"text":"m"}}]},
		{"tool":{"driver":{"name":"b"}}}]}`), "x.sarif", nil, func(run *Run, f *finding.Finding) error {
		if run.Findings != nil {
			t.Error("run.Findings is not nil")
		}
		if last != nil && last != run && seen[run] {
			t.Error("a run's pointer came back after another run")
		}
		seen[run], last = true, run
		if f == nil {
			calls = append(calls, run.Tool.Name+":end")
		} else {
			calls = append(calls, run.Tool.Name+":"+f.Rule.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rdEq(t, "calls", calls, []string{"a:1", "a:2", "a:end", "b:end"})

	stop := errors.New("stop")
	err = Decode(strings.NewReader(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"a"}},"results":[{"ruleId":"1","message":{"text":"m"}}]}]}`),
		"x.sarif", nil, func(*Run, *finding.Finding) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("handler error: got %v, want it wrapped", err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	good := `{"tool":{"driver":{"name":"good"}},"results":[{"ruleId":"r","message":{"text":"m"}}]}`
	results := strings.Repeat(`{"ruleId":"r","message":{"text":"m"}},`, 17)
	tests := []struct {
		reason  string
		in      string
		path    string // wanted DecodeError.Path
		msg     string // wanted in the message
		is      error
		goodRun bool // the first run is still handled
	}{
		{"not JSON", "checkov banner\n{}", "$", "invalid JSON", nil, false},
		{"empty", "", "$", "empty input", ErrInvalidLog, false},
		{"not an object", `"just a string"`, "$", "must be a JSON object, found string", ErrInvalidLog, false},
		{"10 MB string", `"` + strings.Repeat("x", 10<<20) + `"`, "$", "found string", ErrInvalidLog, false},
		{"10 MB string as the version", `{"version":"` + strings.Repeat("x", 10<<20) + `","runs":[]}`, "$.version", "only 2.1.0", ErrUnsupportedVersion, false},
		{"SARIF 1.0", `{"version":"1.0.0","runs":[{"tool":{"name":"x"},"results":[]}]}`, "$.version", "SARIF 1.0 is not supported by this decoder; convert", ErrUnsupportedVersion, false},
		{"SARIF 1.0 schema before runs", `{"$schema":"http://json.schemastore.org/sarif-1.0.0","runs":[{"tool":{"name":"x"}}],"version":"1.0.0"}`, "$", "SARIF 1.0 is not supported", ErrUnsupportedVersion, false},
		{"missing version", `{"runs":[` + good + `]}`, "$", "missing version", ErrInvalidLog, true},
		{"wrong version after runs", `{"runs":[` + good + `],"version":"2.0.0"}`, "$.version", "only 2.1.0", ErrUnsupportedVersion, true},
		{"missing runs", `{"version":"2.1.0"}`, "$", "missing runs", ErrInvalidLog, false},
		{"runs not an array", `{"version":"2.1.0","runs":{}}`, "$.runs", "runs must be array, found object", ErrInvalidLog, false},
		{"missing driver name", `{"version":"2.1.0","runs":[` + good + `,{"tool":{"driver":{}}}]}`, "$.runs[1].tool.driver.name", "missing tool.driver.name", ErrInvalidLog, true},
		{"missing tool", `{"version":"2.1.0","runs":[` + good + `,{"results":[]}]}`, "$.runs[1].tool", "missing tool.driver.name", ErrInvalidLog, true},
		{"wrong type deep in a result", `{"version":"2.1.0","runs":[` + good + `,{"tool":{"driver":{"name":"b"}},"results":[` + results + `{"ruleId":"r","locations":"oops"}]}]}`,
			"$.runs[1].results[17].locations", "expected array, found string", nil, true},
		{"truncated", `{"version":"2.1.0","runs":[` + good + `,{"tool":{"driver":{"name":"b"}},"results":[{"ruleId":"r","mess`, "$.runs[1].results[0]", "truncated", io.ErrUnexpectedEOF, true},
		{"deeply nested", `{"version":"2.1.0","runs":[` + good + `,{"tool":{"driver":{"name":"b"}},"results":[{"properties":{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}}]}]}`,
			"$.runs[1].results[0].properties.x", "exceeded max depth", nil, true},
		{"trailing data", `{"version":"2.1.0","runs":[]} {}`, "$", "unexpected data after", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			var handled []string
			err := Decode(strings.NewReader(tt.in), "bad.sarif", nil, func(run *Run, f *finding.Finding) error {
				if f == nil {
					handled = append(handled, run.Tool.Name)
				}
				return nil
			})
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a *DecodeError", err)
			}
			if de.File != "bad.sarif" || !strings.HasPrefix(err.Error(), "bad.sarif: "+tt.path) {
				t.Errorf("error %q: want file bad.sarif and path %s", rdTruncate(err.Error(), 300), tt.path)
			}
			if de.Path != tt.path && !(strings.HasPrefix(de.Path, tt.path+"[0][0]") && len(de.Path) < 200) {
				t.Errorf("path = %q, want %q", rdTruncate(de.Path, 200), tt.path)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", rdTruncate(err.Error(), 300), tt.msg)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", rdTruncate(err.Error(), 300), tt.is)
			}
			if tt.goodRun != (len(handled) > 0 && handled[0] == "good") {
				t.Errorf("runs handled before the error: %v, want good run %v", handled, tt.goodRun)
			}
		})
	}
}

// TestReadInvalidUTF8 checks that invalid UTF-8 in strings is replaced,
// not an error: findings' strings must be valid UTF-8.
func TestReadInvalidUTF8(t *testing.T) {
	in := []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":"r","message":{"text":"bad ` + "\xff" + ` byte"}}]}]}`)
	runs, err := Read(bytes.NewReader(in), "u.sarif", nil)
	if err != nil {
		t.Fatal(err)
	}
	rdEq(t, "message", runs[0].Findings[0].Message, "bad \uFFFD byte")
}

// TestDecodeRetain checks that allocating findings in blocks changes
// nothing the handler sees, also when results come before the tool or
// refer to artifacts defined after them (results the reader keeps back).
func TestDecodeRetain(t *testing.T) {
	late := `{"version":"2.1.0","runs":[{"results":[
		{"ruleId":"r1","message":{"text":"a"},"locations":[{"physicalLocation":{"artifactLocation":{"index":0},"region":{"startLine":3}}}]},
		{"ruleId":"r2","message":{"text":"b"}}],
		"tool":{"driver":{"name":"t","rules":[{"id":"r1"},{"id":"r2"}]}},
		"artifacts":[{"location":{"uri":"src/a.go"}}]},
		{"tool":{"driver":{"name":"u"}},"results":[
		{"ruleId":"x","message":{"text":"c"},"locations":[{"physicalLocation":{"artifactLocation":{"index":0}}}]},
		{"ruleId":"y","message":{"text":"d"}}],
		"artifacts":[{"location":{"uri":"b.py"}}]}]}`
	inputs := map[string][]byte{"late": []byte(late)}
	files, _ := filepath.Glob("testdata/reader/*.sarif")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs[p] = b
	}
	decode := func(b []byte, retain bool) []finding.Finding {
		var got []finding.Finding
		var ptrs []*finding.Finding
		err := Decode(bytes.NewReader(b), "x.sarif", &ReadOptions{retain: retain}, func(_ *Run, f *finding.Finding) error {
			if f != nil {
				ptrs = append(ptrs, f)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(ptrs) == 0 {
			return nil
		}
		for _, f := range ptrs { // read after decoding: no finding was reused
			got = append(got, *f)
		}
		return got
	}
	for name, b := range inputs {
		plain, blocks := decode(b, false), decode(b, true)
		if len(plain) == 0 {
			t.Errorf("%s: no findings", name)
		}
		if !reflect.DeepEqual(plain, blocks) {
			t.Errorf("%s: Retain changed the findings:\n%+v\nwant\n%+v", name, blocks, plain)
		}
	}
}

// TestToolPropertiesWin checks that a tool's property that scanmux's
// writer nested under toolProperties wins over scanmux's own property of
// the same name, every time (map order once decided it).
func TestToolPropertiesWin(t *testing.T) {
	log := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[
	  {"ruleId":"r","message":{"text":"m"},"properties":{"cwe":["CWE-327"],"a":"1","toolProperties":{"cwe":"CWE-327: Broken crypto","b":"2"}}}]}]}`
	for range 50 {
		runs, err := Read(strings.NewReader(log), "t.sarif", nil)
		if err != nil {
			t.Fatal(err)
		}
		p := runs[0].Findings[0].Properties
		if p["cwe"] != "CWE-327: Broken crypto" || p["a"] != "1" || p["b"] != "2" {
			t.Fatalf("properties %q: want the tool's cwe, a and b", p)
		}
	}
}
