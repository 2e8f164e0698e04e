package gosec_test

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/gosec"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// decodeFile decodes path with root and returns the tool and findings,
// failing the test on an error or an invalid finding.
func decodeFile(t *testing.T, path, root string) (finding.Tool, []*finding.Finding) {
	t.Helper()
	return corpustest.DecodeFile(t, gosec.Adapter{}, path, &scanners.Options{Root: root})
}

// corpusRoots are the scan roots of the corpus reports, whose paths are
// absolute.
var corpusRoots = map[string]string{
	"gosec-many.json": "/vagrant/go/src/govwa",
}

// claims says whether the adapter must claim the corpus file r.
func claims(r corpustest.Row, _ string) bool { return r.Tool == "gosec" && r.Format == "native-json" }

func TestCorpus(t *testing.T) {
	corpustest.CheckDetect(t, claims, gosec.Adapter{})
	corpustest.DecodeEach(t, claims, gosec.Adapter{}, func(r corpustest.Row) *scanners.Options {
		return &scanners.Options{Root: corpusRoots[filepath.Base(r.Path)]}
	}, func(t *testing.T, r corpustest.Row, tool finding.Tool, got []*finding.Finding) {
		if tool.Name != "gosec" {
			t.Errorf("%s: tool %+v", r.Path, tool)
		}
		r.CheckCount(t, len(got))
		for _, f := range got {
			if f.Category != finding.CategorySAST && !(f.Rule.ID == "G101" && f.Category == finding.CategorySecret) {
				t.Errorf("%s: %s has category %s", r.Path, f.Rule.ID, f.Category)
			}
			if sev, _ := finding.ParseSeverity(f.OriginalSeverity); sev != f.Severity {
				t.Errorf("%s: %s severity %s from %q", r.Path, f.Rule.ID, f.Severity, f.OriginalSeverity)
			}
			if f.Location.Path == "" || f.Location.Region.StartLine == 0 || f.Precision == "" {
				t.Errorf("%s: %s lacks path, line or precision: %+v", r.Path, f.Rule.ID, f)
			}
		}
	})
}

func TestCorpusGolden(t *testing.T) {
	path := corpustest.File(t, "gosec/gosec-many.json")
	_, got := decodeFile(t, path, "/vagrant/go/src/govwa")
	byKey := map[string]*finding.Finding{}
	for _, f := range got {
		byKey[f.Rule.ID+" "+f.Location.Path+":"+strconv.Itoa(f.Location.Region.StartLine)] = f
	}
	tests := []struct {
		key       string
		severity  finding.Severity
		orig      string
		precision finding.Precision
		cwes      []int
		region    finding.Region
		message   string
		snippet   string
	}{
		{"G104 app.go:79", finding.SeverityLow, "LOW", finding.PrecisionHigh, []int{252},
			finding.Region{StartLine: 79}, "Errors unhandled.", "s.ListenAndServe()"},
		{"G201 vulnerability/sqli/function.go:36", finding.SeverityMedium, "MEDIUM", finding.PrecisionHigh, []int{89},
			finding.Region{StartLine: 36, EndLine: 39}, "SQL string formatting", ""},
		{"G203 util/template.go:45", finding.SeverityMedium, "MEDIUM", finding.PrecisionLow, []int{79},
			finding.Region{StartLine: 45}, "this method will not auto-escape HTML. Verify data is well formed.", "template.HTML(text)"},
	}
	for _, tt := range tests {
		f := byKey[tt.key]
		if f == nil {
			t.Errorf("no finding %s", tt.key)
			continue
		}
		if f.Severity != tt.severity || f.OriginalSeverity != tt.orig || f.Precision != tt.precision ||
			!slices.Equal(f.CWEs, tt.cwes) || f.Location.Region != tt.region || f.Message != tt.message ||
			tt.snippet != "" && f.Location.Snippet != tt.snippet {
			t.Errorf("%s: got %+v", tt.key, f)
		}
	}
}

func TestNoRoot(t *testing.T) {
	path := corpustest.File(t, "gosec/gosec-many.json")
	_, got := decodeFile(t, path, "")
	for _, f := range got {
		if f.Location.Path != "" || !f.Location.Region.IsZero() || !strings.HasPrefix(f.Properties["unresolvedPath"], "/vagrant/") {
			t.Errorf("absolute path without root: %+v", f)
		}
	}
}

// TestTestdata decodes the real gosec 2.30.0 report of testdata/src (see
// testdata/README.md).
func TestTestdata(t *testing.T) {
	path := "testdata/gosec-2.30.0.json"
	if !(gosec.Adapter{}).Detect(corpustest.Head(t, path)) {
		t.Error("Detect does not claim", path)
	}
	tool, got := decodeFile(t, path, "/work/main/scanners/gosec/testdata/src")
	checkTestdata(t, tool, got)
}

// checkTestdata checks the findings of gosec on testdata/src.
func checkTestdata(t *testing.T, tool finding.Tool, got []*finding.Finding) {
	t.Helper()
	if tool.Version == "" {
		t.Errorf("tool %+v has no version", tool)
	}
	rules := map[string]*finding.Finding{}
	for _, f := range got {
		rules[f.Rule.ID] = f
		for _, secret := range []string{"hunter2-correct-horse", "YEKELPMAXEyCbR/KCPfIMED7/GniXtuFnI7K/rlawJw"} {
			if strings.Contains(f.Message+f.Location.Snippet+strings.Join(propValues(f), " "), secret) {
				t.Errorf("%s at line %d leaks a secret: %+v", f.Rule.ID, f.Location.Region.StartLine, f)
			}
		}
	}
	for _, id := range []string{"G101", "G204", "G302", "G401", "G701"} {
		if rules[id] == nil {
			t.Errorf("no %s finding", id)
		}
	}
	if f := rules["G101"]; f != nil {
		if f.Category != finding.CategorySecret || f.Fingerprints["secret/sha256"] == "" {
			t.Errorf("G101: %+v", f)
		}
	}
	if f := rules["G302"]; f != nil {
		if !f.Suppressed() || f.Suppressions[0].Kind != finding.SuppressionInSource ||
			!strings.Contains(f.Suppressions[0].Justification, "demo file") {
			t.Errorf("G302 suppression: %+v", f.Suppressions)
		}
	}
	if f := rules["G701"]; f != nil {
		if f.Location.Path != "main.go" || f.Location.Region.StartColumn == 0 || !slices.Equal(f.CWEs, []int{89}) {
			t.Errorf("G701: %+v", f)
		}
	}
}

func propValues(f *finding.Finding) []string {
	var vs []string
	for _, v := range f.Properties {
		vs = append(vs, v)
	}
	return vs
}

// TestLive runs gosec on testdata/src when it is installed.
func TestLive(t *testing.T) {
	bin, err := exec.LookPath("gosec")
	if err != nil {
		t.Skip("gosec not installed: install with go install github.com/securego/gosec/v2/cmd/gosec@v2.30.0")
	}
	src, err := filepath.Abs("testdata/src")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-fmt=json", "-track-suppressions", "-quiet", "./...")
	cmd.Dir = src
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || out.Len() == 0 { // exit status 1 means issues found
			t.Fatalf("gosec: %v", err)
		}
	}
	var got []*finding.Finding
	tool, err := gosec.Adapter{}.Decode(&out, "gosec output", &scanners.Options{Root: src}, func(f *finding.Finding) error {
		if err := f.Validate(); err != nil {
			t.Errorf("%s: %v", f.Rule.ID, err)
		}
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTestdata(t, tool, got)
}

func TestWrongShape(t *testing.T) {
	inputs := map[string]string{
		"not json":        "gosec found nothing",
		"array":           `[{"rule_id":"G101"}]`,
		"no issues":       `{"Stats":{"files":1}}`,
		"bandit":          `{"errors":[],"generated_at":"x","metrics":{},"results":[]}`,
		"truncated":       `{"Issues":[{"severity":"LOW","rule_id":"G104","line":"1`,
		"issue no rule":   `{"Issues":[{"severity":"LOW","line":"1"}]}`,
		"bad line":        `{"Issues":[{"rule_id":"G104","line":"x-y"}]}`,
		"bad line range":  `{"Issues":[{"rule_id":"G104","line":"9-3"}]}`,
		"bad cwe":         `{"Issues":[{"rule_id":"G104","line":"1","cwe":{"id":"abc"}}]}`,
		"wrong type line": `{"Issues":[{"rule_id":"G104","line":true}]}`,
		"empty":           ``,
	}
	for name, in := range inputs {
		_, err := gosec.Adapter{}.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "in.json") {
			t.Errorf("%s: error %v, want ErrFormat naming the file", name, err)
		}
	}
}

func TestEmitError(t *testing.T) {
	stop := errors.New("stop")
	in := `{"Issues":[{"severity":"LOW","confidence":"HIGH","rule_id":"G104","details":"d","file":"a.go","line":"3"}]}`
	_, err := gosec.Adapter{}.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return stop })
	if err != stop {
		t.Errorf("error %v, want the emit error", err)
	}
}

func TestDetectCut(t *testing.T) {
	full := []byte(`{"Golang errors":{},"Issues":[{"severity":"LOW","confidence":"HIGH","rule_id":"G104","details":"d","file":"a.go","line":"3"}],"Stats":{"nosec":0},"GosecVersion":"2.30.0"}`)
	a := gosec.Adapter{}
	for i := range full {
		a.Detect(full[:i]) // must not panic
	}
	if !a.Detect(full[:40]) {
		t.Error("Detect does not claim a head cut after \"Issues\"")
	}
	for _, s := range []string{`{"runs":[],"version":"2.1.0","$schema":"sarif"}`, `[]`, `{}`, `{"Issues":1}`} {
		if a.Detect([]byte(s)) {
			t.Errorf("Detect claims %s", s)
		}
	}
}

func TestRedactLiterals(t *testing.T) {
	in := `{"Issues":[{"severity":"HIGH","confidence":"LOW","rule_id":"G101","details":"Potential hardcoded credentials","file":"a.go","line":"3","code":"3: const k = \"s3cr3t\\\"x\" + ` + "`raw`" + ` + 'x' + \"\"\n"}]}`
	var got *finding.Finding
	if _, err := (gosec.Adapter{}).Decode(strings.NewReader(in), "in.json", nil, func(f *finding.Finding) error { got = f; return nil }); err != nil {
		t.Fatal(err)
	}
	want := "3: const k = \"REDACTED\" + `REDACTED` + 'x' + \"\"\n"
	if got.Location.Snippet != want || got.Category != finding.CategorySecret {
		t.Errorf("snippet %q, want %q", got.Location.Snippet, want)
	}
	if got.Fingerprints != nil {
		t.Errorf("two literals, yet a fingerprint: %v", got.Fingerprints)
	}
}
