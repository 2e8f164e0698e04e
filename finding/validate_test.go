package finding

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// validFinding returns a finding that uses every field and is valid.
func validFinding() *Finding {
	return &Finding{
		Tool: Tool{Name: "gosec", Version: "2.30.0", InformationURI: "https://github.com/securego/gosec"},
		Rule: Rule{
			ID: "G101", Name: "HardcodedCredentials",
			ShortDescription: "Hard-coded credentials", FullDescription: "Looks for hard-coded credentials.",
			HelpText: "Use a secret store.", HelpMarkdown: "Use a *secret store*.",
			HelpURI: "https://securego.io/docs/rules/g101", Tags: []string{"security", "cwe-798"},
		},
		Message:          "Potential hardcoded credentials",
		Category:         CategorySAST,
		Severity:         SeverityHigh,
		OriginalSeverity: "HIGH",
		Precision:        PrecisionMedium,
		CWEs:             []int{259, 798},
		VulnIDs:          []string{"CVE-2023-1234", "GHSA-abcd-efgh-ijkl"},
		Location: Location{
			Path:    "internal/db/conn.go",
			Region:  Region{StartLine: 9, StartColumn: 2, EndLine: 9, EndColumn: 30},
			Snippet: `password := "***"`,
			Message: "the secret",
		},
		Related: []Location{
			{Path: "internal/db/conn.go", Region: Region{StartLine: 3}},
			{Package: &Package{Name: "golang.org/x/net", Version: "v0.1.0", Ecosystem: "Go"}, Path: "go.mod"},
			{Web: &Web{URL: "https://example.com/login", Method: "POST", Parameter: "user"}},
		},
		Flows: []Flow{{
			Message: "user input to query",
			Steps: []Location{
				{Path: "api/handler.go", Region: Region{StartLine: 10, EndLine: 12}, Message: "source"},
				{Path: "internal/db/conn.go", Region: Region{StartLine: 9}, Message: "sink"},
			},
		}},
		Fingerprints: map[string]string{FingerprintLineHash: "e6154b5b68fe4a8d:1"},
		Suppressions: []Suppression{{Kind: SuppressionInSource, Justification: "test key", Source: "nosec comment"}},
		Properties:   map[string]string{"confidence": "MEDIUM", "empty": ""},
		Also: []Report{{Tool: Tool{Name: "semgrep"}, RuleID: "r", Severity: SeverityLow,
			Location: Location{Path: "a.go", Package: &Package{Name: "p"}}, Match: "file+lines+CWE-89"}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		reason string
		edit   func(f *Finding)
		want   []string // the messages of the FieldErrors, in order; none if valid
	}{
		{"every field set and valid", func(*Finding) {}, nil},
		{"minimal finding", func(f *Finding) {
			*f = Finding{Tool: Tool{Name: "t"}, Rule: Rule{ID: "r"}, Message: "m", Category: CategoryOther, Severity: SeverityInfo}
		}, nil},
		{"zero finding", func(f *Finding) { *f = Finding{} }, []string{
			"finding: tool.name: empty",
			"finding: rule.id: empty",
			"finding: message: empty",
			"finding: category: unset",
			"finding: severity: unset",
		}},
		{"empty rule id", func(f *Finding) { f.Rule.ID = "" }, []string{"finding: rule.id: empty"}},
		{"empty tool name", func(f *Finding) { f.Tool.Name = "" }, []string{"finding: tool.name: empty"}},
		{"unset severity", func(f *Finding) { f.Severity = SeverityUnset }, []string{"finding: severity: unset"}},
		{"out-of-range severity", func(f *Finding) { f.Severity = 9 }, []string{"finding: severity: invalid (9)"}},
		{"unknown category", func(f *Finding) { f.Category = "foo" }, []string{`finding: category: unknown "foo"`}},
		{"unknown precision", func(f *Finding) { f.Precision = "sure" }, []string{`finding: precision: unknown "sure"`}},
		{"invalid UTF-8 message", func(f *Finding) { f.Message = "bad \xff" }, []string{"finding: message: invalid UTF-8"}},
		{"invalid UTF-8 in tool and rule", func(f *Finding) {
			f.Tool.Version = "\xc0"
			f.Rule.HelpMarkdown = "\xed\xa0\x80"
			f.Rule.Tags[1] = "\xff"
		}, []string{
			"finding: tool.version: invalid UTF-8",
			"finding: rule.helpMarkdown: invalid UTF-8",
			"finding: rule.tags[1]: invalid UTF-8",
		}},
		{"CWE 0", func(f *Finding) { f.CWEs = []int{0} }, []string{"finding: cwes: 0 is not a CWE id"}},
		{"negative CWE", func(f *Finding) { f.CWEs = []int{-79} }, []string{"finding: cwes: -79 is not a CWE id"}},
		{"CWEs not ascending", func(f *Finding) { f.CWEs = []int{89, 79} }, []string{"finding: cwes: 79 after 89: not ascending"}},
		{"CWE repeated", func(f *Finding) { f.CWEs = []int{79, 79} }, []string{"finding: cwes: 79 repeated"}},
		{"empty vuln id", func(f *Finding) { f.VulnIDs = append(f.VulnIDs, "") }, []string{"finding: vulnIds[2]: empty"}},
		{"negative start line", func(f *Finding) { f.Location.Region.StartLine = -3 }, []string{"finding: location.region.startLine: negative (-3)"}},
		{"negative columns", func(f *Finding) { f.Location.Region.StartColumn, f.Location.Region.EndColumn = -1, -2 }, []string{
			"finding: location.region.startColumn: negative (-1)",
			"finding: location.region.endColumn: negative (-2)",
		}},
		{"end line before start line", func(f *Finding) { f.Location.Region = Region{StartLine: 9, EndLine: 4} }, []string{
			"finding: location.region.endLine: 4 before startLine 9",
		}},
		{"end column before start column on one line", func(f *Finding) { f.Location.Region = Region{StartLine: 9, StartColumn: 8, EndColumn: 3} }, []string{
			"finding: location.region.endColumn: 3 before startColumn 8",
		}},
		{"end column before start column on later line is fine", func(f *Finding) {
			f.Location.Region = Region{StartLine: 9, StartColumn: 8, EndLine: 10, EndColumn: 3}
		}, nil},
		{"empty region (end column = start column) is fine", func(f *Finding) {
			f.Location.Region = Region{StartLine: 9, StartColumn: 8, EndColumn: 8}
		}, nil},
		{"end line without start line", func(f *Finding) { f.Location.Region = Region{EndLine: 4} }, []string{
			"finding: location.region.endLine: set without startLine",
		}},
		{"column without start line", func(f *Finding) { f.Location.Region = Region{StartColumn: 4} }, []string{
			"finding: location.region: columns set without startLine",
		}},
		{"region without path", func(f *Finding) { f.Location.Path = "" }, []string{"finding: location.region: set without a path"}},
		{"path escapes", func(f *Finding) { f.Location.Path = "../x" }, []string{`finding: location.path: "../x" escapes the scan root`}},
		{"path escapes after cleaning", func(f *Finding) { f.Location.Path = "a/../../x" }, []string{`finding: location.path: "a/../../x" escapes the scan root`}},
		{"absolute path", func(f *Finding) { f.Location.Path = "/src/x.go" }, []string{`finding: location.path: "/src/x.go" is absolute`}},
		{"drive letter", func(f *Finding) { f.Location.Path = "C:/x.go" }, []string{`finding: location.path: "C:/x.go" has a drive letter`}},
		{"backslash", func(f *Finding) { f.Location.Path = `a\b.go` }, []string{`finding: location.path: "a\\b.go" contains a backslash`}},
		{"leading ./", func(f *Finding) { f.Location.Path = "./a.go" }, []string{`finding: location.path: "./a.go" is not clean (want "a.go")`}},
		{"inner ..", func(f *Finding) { f.Location.Path = "a/../b.go" }, []string{`finding: location.path: "a/../b.go" is not clean (want "b.go")`}},
		{"path is the root", func(f *Finding) { f.Location.Path = "." }, []string{`finding: location.path: "." names the scan root itself`}},
		{"dots inside a name are fine", func(f *Finding) { f.Location.Path = "a..b/c..go" }, nil},
		{"invalid UTF-8 path", func(f *Finding) { f.Location.Path = "a\xff.go" }, []string{"finding: location.path: invalid UTF-8"}},
		{"related region", func(f *Finding) { f.Related[0].Region = Region{StartLine: 5, EndLine: 1} }, []string{
			"finding: related[0].region.endLine: 1 before startLine 5",
		}},
		{"related package without name", func(f *Finding) { f.Related[1].Package.Name = "" }, []string{"finding: related[1].package.name: empty"}},
		{"related web without URL", func(f *Finding) { f.Related[2].Web.URL = "" }, []string{"finding: related[2].web.url: empty"}},
		{"related snippet", func(f *Finding) { f.Related[0].Snippet = "\xff" }, []string{"finding: related[0].snippet: invalid UTF-8"}},
		{"flow step", func(f *Finding) { f.Flows[0].Steps[1].Region.StartLine = -1 }, []string{
			"finding: flows[0].steps[1].region.startLine: negative (-1)",
		}},
		{"flow step path", func(f *Finding) { f.Flows[0].Steps[0].Path = "../x" }, []string{
			`finding: flows[0].steps[0].path: "../x" escapes the scan root`,
		}},
		{"flow without steps", func(f *Finding) { f.Flows = append(f.Flows, Flow{Message: "m"}) }, []string{"finding: flows[1].steps: empty"}},
		{"flow message", func(f *Finding) { f.Flows[0].Message = "\xfe" }, []string{"finding: flows[0].message: invalid UTF-8"}},
		{"fingerprint key invalid UTF-8", func(f *Finding) { f.Fingerprints["k\xff"] = "v" }, []string{
			`finding: fingerprints: key "k\xff": invalid UTF-8`,
		}},
		{"fingerprint value invalid UTF-8", func(f *Finding) { f.Fingerprints["k"] = "v\xff" }, []string{
			`finding: fingerprints["k"]: invalid UTF-8`,
		}},
		{"fingerprint empty key and value", func(f *Finding) { f.Fingerprints[""] = "" }, []string{
			"finding: fingerprints: empty key",
			`finding: fingerprints[""]: empty`,
		}},
		{"property key invalid UTF-8", func(f *Finding) { f.Properties["\xff"] = "x" }, []string{
			`finding: properties: key "\xff": invalid UTF-8`,
		}},
		{"property value invalid UTF-8", func(f *Finding) { f.Properties["a"] = "\xff" }, []string{
			`finding: properties["a"]: invalid UTF-8`,
		}},
		{"suppression kind and status", func(f *Finding) {
			f.Suppressions = append(f.Suppressions, Suppression{Status: "maybe"}, Suppression{Kind: "baseline", Source: "\xff"})
		}, []string{
			"finding: suppressions[1].kind: unset",
			`finding: suppressions[1].status: unknown "maybe"`,
			`finding: suppressions[2].kind: unknown "baseline"`,
			"finding: suppressions[2].source: invalid UTF-8",
		}},
		{"several problems in field order", func(f *Finding) {
			f.Rule.ID = ""
			f.Location.Region = Region{StartLine: 9, EndLine: 4}
			f.Message = "\xff"
		}, []string{
			"finding: rule.id: empty",
			"finding: message: invalid UTF-8",
			"finding: location.region.endLine: 4 before startLine 9",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			f := validFinding()
			tt.edit(f)
			err := f.Validate()
			got := fieldErrors(t, err)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Validate() = %q\nwant %q", got, tt.want)
			}
			if err == nil {
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("errors.As(%v, *FieldError) failed", err)
			}
			if fe.Error() != tt.want[0] {
				t.Errorf("errors.As found %q, want the first problem %q", fe.Error(), tt.want[0])
			}
			if err.Error() != strings.Join(tt.want, "\n") {
				t.Errorf("Error() = %q, want the problems one per line", err.Error())
			}
		})
	}
}

// fieldErrors returns the messages of the *FieldErrors in err, which must
// be nil, a *FieldError or a join of them.
func fieldErrors(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
		if len(errs) < 2 {
			t.Errorf("a join of %d errors; want a *FieldError when there is one problem", len(errs))
		}
	} else {
		errs = []error{err}
	}
	var msgs []string
	for _, e := range errs {
		fe, ok := e.(*FieldError)
		if !ok {
			t.Fatalf("%T %v is not a *FieldError", e, e)
		}
		if fe.Field == "" || fe.Problem == "" {
			t.Errorf("FieldError %+v lacks a field or a problem", fe)
		}
		msgs = append(msgs, fe.Error())
	}
	return msgs
}

func TestValidateNil(t *testing.T) {
	var f *Finding
	var fe *FieldError
	if err := f.Validate(); !errors.As(err, &fe) || fe.Field != "finding" {
		t.Fatalf("(*Finding)(nil).Validate() = %v, want a *FieldError", err)
	}
}

func TestFieldError(t *testing.T) {
	e := &FieldError{Field: "rule.id", Problem: "empty"}
	if got, want := e.Error(), "finding: rule.id: empty"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

func TestClone(t *testing.T) {
	if (*Finding)(nil).Clone() != nil {
		t.Fatal("Clone of nil is not nil")
	}

	orig := validFinding()
	orig.Location.Package = &Package{Name: "p"}
	orig.Location.Web = &Web{URL: "https://example.com/"}
	c := orig.Clone()
	if c == orig || !reflect.DeepEqual(c, orig) {
		t.Fatal("clone differs from the original")
	}

	// Change everything reachable through the clone; the original must
	// not change.
	want := validFinding()
	want.Location.Package = &Package{Name: "p"}
	want.Location.Web = &Web{URL: "https://example.com/"}
	c.Rule.Tags[0] = "x"
	c.CWEs[0] = 1
	c.VulnIDs[0] = "x"
	c.Location.Package.Name = "x"
	c.Location.Web.URL = "x"
	c.Related[0].Path = "x"
	c.Related[1].Package.Name = "x"
	c.Related[2].Web.Method = "x"
	c.Flows[0].Steps[0].Path = "x"
	c.Flows[0].Message = "x"
	c.Fingerprints["k"] = "x"
	c.Suppressions[0].Justification = "x"
	c.Properties["k"] = "x"
	c.Also[0].Location.Package.Name = "x"
	c.Also[0].Match = "x"
	if !reflect.DeepEqual(orig, want) {
		t.Fatalf("changing the clone changed the original:\n%+v", orig)
	}

	// nil and empty stay as they are.
	empty := &Finding{CWEs: []int{}, Properties: map[string]string{}}
	ce := empty.Clone()
	if ce.CWEs == nil || ce.Properties == nil || ce.VulnIDs != nil || ce.Fingerprints != nil || ce.Related != nil || ce.Flows != nil {
		t.Fatalf("Clone did not keep nil and empty apart: %+v", ce)
	}
}

func TestAllFingerprints(t *testing.T) {
	own := map[string]string{FingerprintLineHash: "abc:1"}
	f := &Finding{Fingerprints: own}
	if got := f.AllFingerprints(); len(got) != 1 || got[FingerprintLineHash] != "abc:1" {
		t.Errorf("without ID: got %v, want the finding's own map", got)
	}
	f.ID = "v1:0123"
	got := f.AllFingerprints()
	if len(got) != 2 || got[FingerprintScanmuxV1] != "v1:0123" || got[FingerprintLineHash] != "abc:1" {
		t.Errorf("with ID: got %v", got)
	}
	if len(own) != 1 {
		t.Errorf("AllFingerprints changed the finding's map: %v", own)
	}
	if got := (&Finding{ID: "v1:9"}).AllFingerprints(); len(got) != 1 || got[FingerprintScanmuxV1] != "v1:9" {
		t.Errorf("ID only: got %v", got)
	}
}

func TestRuleSameTexts(t *testing.T) {
	a := validFinding().Rule
	b := a
	b.ID, b.Tags = "other", nil // not texts
	if !a.SameTexts(&b) {
		t.Errorf("rules differing in id and tags only: SameTexts false")
	}
	for _, edit := range []func(r *Rule){
		func(r *Rule) { r.Name += "x" },
		func(r *Rule) { r.ShortDescription += "x" },
		func(r *Rule) { r.FullDescription += "x" },
		func(r *Rule) { r.HelpText += "x" },
		func(r *Rule) { r.HelpMarkdown += "x" },
		func(r *Rule) { r.HelpURI += "x" },
	} {
		c := a
		edit(&c)
		if a.SameTexts(&c) {
			t.Errorf("rules differing in a text: SameTexts true (%+v)", c)
		}
	}
}
