package gitleaks_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/gitleaks"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// claims says whether the adapter must claim the corpus file r.
func claims(r corpustest.Row, _ string) bool {
	return r.Tool == "gitleaks" && r.Format == "native-json"
}

// secretsOf returns the secret values of a raw gitleaks report (v8
// Secret and Match, v7 offender), other than gitleaks' own "REDACTED".
func secretsOf(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var elems []map[string]any
	if err := json.Unmarshal(b, &elems); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range elems {
		for _, k := range []string{"Secret", "offender"} {
			if s, _ := e[k].(string); s != "" && s != gitleaks.Redacted {
				out = append(out, s)
			}
		}
	}
	return out
}

func TestCorpus(t *testing.T) {
	corpustest.DecodeEach(t, claims, gitleaks.Adapter{}, nil, func(t *testing.T, r corpustest.Row, tool finding.Tool, got []*finding.Finding) {
		if !(gitleaks.Adapter{}).Detect(corpustest.Head(t, r.Path)) {
			t.Error("Detect does not claim the file")
		}
		if tool.Name != "gitleaks" {
			t.Errorf("tool = %q", tool.Name)
		}
		r.CheckCount(t, len(got))
		secrets := secretsOf(t, r.Path)
		for i, f := range got {
			if err := f.Validate(); err != nil {
				t.Errorf("finding %d: %v", i, err)
			}
			if f.Category != finding.CategorySecret || f.Severity != finding.SeverityHigh {
				t.Errorf("finding %d: category %s severity %s", i, f.Category, f.Severity)
			}
			if len(f.CWEs) != 1 || f.CWEs[0] != 798 {
				t.Errorf("finding %d: CWEs %v", i, f.CWEs)
			}
			js, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if bytes.Contains(js, []byte(s)) {
					t.Errorf("finding %d leaks secret %q: %s", i, s, js)
				}
			}
		}
	})
}

// TestDetectCorpus checks that Detect claims gitleaks JSON reports and
// nothing else in the corpus (other tools, SARIF, broken files).
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, gitleaks.Adapter{}) }

func TestGoldenV8(t *testing.T) {
	_, got := corpustest.DecodeFile(t, gitleaks.Adapter{}, corpustest.File(t, "gitleaks/gitleaks8-many.json"), &scanners.Options{Root: "/"})
	if len(got) != 4 {
		t.Fatalf("%d findings", len(got))
	}
	f := got[3]
	want := &finding.Finding{
		Tool:     finding.Tool{Name: "gitleaks", InformationURI: "https://github.com/gitleaks/gitleaks"},
		Rule:     finding.Rule{ID: "generic-api-key", ShortDescription: "Generic API Key"},
		Message:  "Generic API Key",
		Category: finding.CategorySecret,
		Severity: finding.SeverityHigh,
		CWEs:     []int{798},
		Location: finding.Location{
			Path:    "tests/api.py",
			Region:  finding.Region{StartLine: 21, StartColumn: 9, EndLine: 21, EndColumn: 46},
			Snippet: `apikey = "REDACTED"`,
		},
		Fingerprints: map[string]string{
			// sha256 of "dfjksdjfs3294dfjlsdaf213"
			"secret/sha256": "d9522c6708ad2bd95f7d85db4dc3d66fbcfc58e70788c74a320ee9f53081a191",
		},
	}
	checkFinding(t, f, want)
	if f.Properties["commit"] != "69235ea9ea4d59e18e2cc3c295526de46aa1365c1f0c7a95a22ff1537acdf517" || f.Properties["entropy"] != "4.132944" {
		t.Errorf("properties %v", f.Properties)
	}
	// "/conf/aws.tf" is absolute: relative to the root "/".
	if got[0].Location.Path != "conf/aws.tf" || got[2].Rule.Tags[1] != "tag2" {
		t.Errorf("finding 0 path %q, finding 2 tags %v", got[0].Location.Path, got[2].Rule.Tags)
	}

	// Without a root, the absolute path is kept aside.
	_, got = corpustest.DecodeFile(t, gitleaks.Adapter{}, corpustest.File(t, "gitleaks/gitleaks8-many.json"), nil)
	if got[0].Location.Path != "" || !got[0].Location.Region.IsZero() || got[0].Properties["unresolvedPath"] != "/conf/aws.tf" ||
		got[0].Properties["startLine"] != "2" {
		t.Errorf("finding 0 location %+v, properties %v", got[0].Location, got[0].Properties)
	}
}

func TestGoldenV7(t *testing.T) {
	_, got := corpustest.DecodeFile(t, gitleaks.Adapter{}, corpustest.File(t, "gitleaks/gitleaks7.5-many.json"), nil)
	f := got[0]
	want := &finding.Finding{
		Tool:     finding.Tool{Name: "gitleaks", InformationURI: "https://github.com/gitleaks/gitleaks"},
		Rule:     finding.Rule{ID: "AWS Access Key", Name: "AWS Access Key", Tags: []string{"key", "AWS"}},
		Message:  "AWS Access Key",
		Category: finding.CategorySecret,
		Severity: finding.SeverityHigh,
		CWEs:     []int{798},
		Location: finding.Location{
			Path:    "dojo/unittests/scans/gitlab_secret_detection_report/gitlab_secret_detection_report_1_vuln.json",
			Region:  finding.Region{StartLine: 13},
			Snippet: `      "raw_source_code_extract": "REDACTED",`,
		},
		Fingerprints: map[string]string{
			// sha256 of "AKIAIOSFODNN7EXAMPLE"
			"secret/sha256": "1a5d44a2dca19669d72edf4c4f1c27c4c1ca4b4408fbb17f6ce4ad452d78ddb3",
		},
	}
	checkFinding(t, f, want)
	if f.Properties["commit"] != "6d127980966808f7413935678e079dcd7fedf9c2" || f.Properties["author"] != "Bhurinat Wangsutthitham" {
		t.Errorf("properties %v", f.Properties)
	}

	// gitleaks --redact output: no hash of "REDACTED".
	_, got = corpustest.DecodeFile(t, gitleaks.Adapter{}, corpustest.File(t, "gitleaks/gitleaks-redacted.json"), nil)
	if _, ok := got[0].Fingerprints["secret/sha256"]; ok {
		t.Errorf("hash of an already redacted secret: %v", got[0].Fingerprints)
	}
}

// checkFinding compares the fields of got that want sets.
func checkFinding(t *testing.T, got, want *finding.Finding) {
	t.Helper()
	g, _ := json.Marshal(struct {
		T finding.Tool
		R finding.Rule
		M string
		C finding.Category
		S finding.Severity
		O string
		W []int
		L finding.Location
		F string
	}{got.Tool, got.Rule, got.Message, got.Category, got.Severity, got.OriginalSeverity, got.CWEs, got.Location, got.Fingerprints["secret/sha256"]})
	w, _ := json.Marshal(struct {
		T finding.Tool
		R finding.Rule
		M string
		C finding.Category
		S finding.Severity
		O string
		W []int
		L finding.Location
		F string
	}{want.Tool, want.Rule, want.Message, want.Category, want.Severity, want.OriginalSeverity, want.CWEs, want.Location, want.Fingerprints["secret/sha256"]})
	if !bytes.Equal(g, w) {
		t.Errorf("finding:\n got %s\nwant %s", g, w)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"not json", "hello"},
		{"object", `{"RuleID": "x"}`},
		{"truncated", `[{"RuleID": "x", "StartLine": 1`},
		{"unterminated array", `[{"RuleID": "x", "StartLine": 1}`},
		{"element not object", `["x"]`},
		{"unknown element", `[{"foo": 1}]`},
		{"sarif", `{"version": "2.1.0", "runs": []}`},
		{"wrong type", `[{"RuleID": 3}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := gitleaks.Adapter{}.Decode(strings.NewReader(tc.in), "r.json", nil, func(*finding.Finding) error { return nil })
			if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "r.json") {
				t.Errorf("err = %v", err)
			}
		})
	}
	_, err := gitleaks.Adapter{}.Decode(strings.NewReader("[]"), "r.json", nil, func(*finding.Finding) error { return nil })
	if err != nil {
		t.Errorf("empty report: %v", err)
	}
	stop := errors.New("stop")
	_, err = gitleaks.Adapter{}.Decode(strings.NewReader(`[{"RuleID":"a"},{"RuleID":"b"}]`), "r.json", nil, func(*finding.Finding) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("emit error not returned: %v", err)
	}
}

// TestLive runs the real gitleaks on testdata/live and decodes its report.
func TestLive(t *testing.T) {
	bin, err := exec.LookPath("gitleaks")
	if err != nil {
		t.Skip("gitleaks not installed: install with go install github.com/zricethezav/gitleaks/v8@v8.30.1")
	}
	out := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(bin, "dir", "--no-banner", "--exit-code", "0", "--report-format", "json", "--report-path", out, "testdata/live")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gitleaks: %v\n%s", err, b)
	}
	checkReport(t, out)
}

// TestRecorded decodes the committed output of gitleaks 8.30.1 on
// testdata/live (see testdata/README.md).
func TestRecorded(t *testing.T) {
	checkReport(t, "testdata/gitleaks-8.30.1.json")
}

// checkReport decodes a gitleaks report made from testdata/live.
func checkReport(t *testing.T, path string) {
	t.Helper()
	head, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !(gitleaks.Adapter{}).Detect(head) {
		t.Errorf("Detect does not claim %s", path)
	}
	_, got := corpustest.DecodeFile(t, gitleaks.Adapter{}, path, nil)
	if len(got) == 0 {
		t.Fatal("no findings")
	}
	secrets := secretsOf(t, path)
	src, err := os.ReadFile("testdata/live/config.env")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	for i, f := range got {
		if err := f.Validate(); err != nil {
			t.Errorf("finding %d: %v", i, err)
		}
		r := f.Location.Region
		if f.Location.Path != "testdata/live/config.env" || r.StartLine == 0 || r.EndLine != r.StartLine {
			t.Fatalf("finding %d location %+v", i, f.Location)
		}
		// The corrected columns select the secret (the whole match here).
		if s := lines[r.StartLine-1][r.StartColumn-1 : r.EndColumn-1]; !slices.Contains(secrets, s) {
			t.Errorf("finding %d: columns %d-%d select %q", i, r.StartColumn, r.EndColumn, s)
		}
		if f.Fingerprints["secret/sha256"] == "" {
			t.Errorf("finding %d has no secret hash", i)
		}
		js, _ := json.Marshal(f)
		for _, s := range secrets {
			if bytes.Contains(js, []byte(s)) {
				t.Errorf("finding %d leaks secret %q", i, s)
			}
		}
	}
}
