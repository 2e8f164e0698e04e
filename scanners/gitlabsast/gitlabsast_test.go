package gitlabsast_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/gitlabsast"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// claims says whether the adapter must claim the corpus file r.
func claims(r corpustest.Row, _ string) bool { return r.Format == "gitlab-sast-json" }

// decode decodes r with the adapter and returns the findings, which must
// validate.
func decode(t *testing.T, r io.Reader, opts *scanners.Options) (finding.Tool, []*finding.Finding) {
	t.Helper()
	return corpustest.Decode(t, gitlabsast.Adapter{}, r, "report.json", opts)
}

func TestCorpus(t *testing.T) {
	corpustest.DecodeEach(t, claims, gitlabsast.Adapter{}, nil, func(t *testing.T, r corpustest.Row, tool finding.Tool, got []*finding.Finding) {
		head, err := os.ReadFile(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !(gitlabsast.Adapter{}).Detect(head[:min(len(head), scanners.DetectBytes)]) {
			t.Error("Detect does not claim the file")
		}
		var raw struct{ Vulnerabilities []map[string]any }
		if err := json.Unmarshal(head, &raw); err != nil {
			t.Fatal(err)
		}
		r.CheckCount(t, len(got))
		if len(got) != len(raw.Vulnerabilities) {
			t.Errorf("%d findings, %d vulnerabilities", len(got), len(raw.Vulnerabilities))
		}
		for i, f := range got {
			if err := f.Validate(); err != nil {
				t.Errorf("finding %d: %v", i, err)
			}
			sev := raw.Vulnerabilities[i]["severity"].(string)
			wantSev, _ := finding.ParseSeverity(sev)
			if f.Severity != wantSev || f.OriginalSeverity != sev || f.Category != finding.CategoryIaC {
				t.Errorf("finding %d: severity %s (%s) category %s", i, f.Severity, f.OriginalSeverity, f.Category)
			}
			if f.Message != raw.Vulnerabilities[i]["name"] {
				t.Errorf("finding %d: message %q", i, f.Message)
			}
		}
	})
}

// TestDetectCorpus checks that Detect claims GitLab SAST reports and
// nothing else in the corpus.
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, gitlabsast.Adapter{}) }

func TestGolden(t *testing.T) {
	tool, got := corpustest.DecodeFile(t, gitlabsast.Adapter{}, corpustest.File(t, "kics/kics-2.1.11-gcpgoat-gitlab-sast.json"), nil)
	wantTool := finding.Tool{Name: "Keeping Infrastructure as Code Secure", Version: "2.1.11", InformationURI: "https://www.kics.io/"}
	if tool != wantTool {
		t.Errorf("tool %+v", tool)
	}
	f := got[0]
	if f.Tool != wantTool || f.Rule.ID != "bb0db090-5509-4853-a827-75ced0b3caa0" ||
		f.Rule.Name != "Google Storage Bucket Level Access Disabled" ||
		f.Rule.HelpURI != "https://docs.kics.io/latest/queries/terraform-queries" ||
		f.Severity != finding.SeverityHigh || f.OriginalSeverity != "High" || len(f.CWEs) != 1 || f.CWEs[0] != 285 ||
		f.Category != finding.CategoryIaC || f.Location.Path != "" ||
		f.Properties["unresolvedPath"] != "../../path/main.tf" || f.Properties["start_line"] != "605" ||
		f.Properties["id"] != "bc0c1ad757359fe5e3d38fc2835b8f3baf547af7ae1d87fee99b86a743e7c6ba" {
		t.Errorf("finding 0: %+v", f)
	}
	var infos int
	for _, f := range got {
		if f.OriginalSeverity == "Info" && f.Severity == finding.SeverityInfo {
			infos++
		}
	}
	if infos != 9 { // severity_counters.INFO of the KICS JSON report of the same scan
		t.Errorf("%d info findings, want 9", infos)
	}

	// Scanned from inside the directory, the paths resolve.
	_, got = corpustest.DecodeFile(t, gitlabsast.Adapter{}, corpustest.File(t, "kics/kics-2.1.11-gcpgoat-gitlab-sast.json"), &scanners.Options{Root: "/"})
	if got[0].Location.Path != "" {
		t.Errorf("relative path outside the root resolved: %q", got[0].Location.Path)
	}
}

// TestSecretDetection decodes a secret detection report. The corpus has
// none; this input has the shape of GitLab's secret detection schema 14
// (as its gitleaks-based analyzer writes it), with a fake secret.
func TestSecretDetection(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq3d8f2a9b"
	in := `{"version": "14.0.0", "vulnerabilities": [{
  "id": "d1", "category": "secret_detection", "name": "AWS",
  "message": "AWS detected; please remove and revoke it if this is a leak.",
  "description": "AWS secret ` + secret + `", "cve": "app.py:x:AWS",
  "severity": "Critical", "confidence": "High", "raw_source_code_extract": "` + secret + `",
  "scanner": {"id": "gitleaks", "name": "Gitleaks"},
  "location": {"file": "/src/app.py", "commit": {"sha": "abc123", "message": "add ` + secret + `"}, "start_line": 5, "end_line": 5},
  "identifiers": [{"type": "gitleaks_rule_id", "name": "Gitleaks rule ID AWS", "value": "AWS"}, {"type": "cwe", "name": "CWE-798", "value": "798"}]}],
 "scan": {"scanner": {"id": "gitleaks", "name": "Gitleaks", "version": "v7.5.0"}, "type": "secret_detection", "status": "success"}}`
	if !(gitlabsast.Adapter{}).Detect([]byte(in)) {
		t.Error("Detect")
	}
	_, got := decode(t, strings.NewReader(in), &scanners.Options{Root: "/src"})
	f := got[0]
	if err := f.Validate(); err != nil {
		t.Error(err)
	}
	js, _ := json.Marshal(f)
	if strings.Contains(string(js), secret) {
		t.Errorf("secret leaked: %s", js)
	}
	if f.Category != finding.CategorySecret || f.Severity != finding.SeverityCritical || f.Precision != finding.PrecisionHigh ||
		f.Rule.ID != "AWS" || f.CWEs[0] != 798 || f.Location.Path != "app.py" || f.Location.Region != (finding.Region{StartLine: 5, EndLine: 5}) ||
		f.Tool.Name != "Gitleaks" || f.Tool.Version != "7.5.0" || f.Properties["commit"] != "abc123" ||
		f.Fingerprints["secret/sha256"] != "e7b68a4aef6c527d6120eb0252d6a82dffea0d6eefaa60b3c5a4c05987532d19" {
		t.Errorf("%s", js)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"not json", "hello"},
		{"truncated", `{"version": "15.0.6", "vulnerabilities": [{"id": "x"`},
		{"no vulnerabilities", `{"version": "15.0.6", "scan": {"type": "sast"}}`},
		{"array", `[{"RuleID": "x"}]`},
		{"vulnerabilities not array", `{"vulnerabilities": {}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := gitlabsast.Adapter{}.Decode(strings.NewReader(tc.in), "r.json", nil, func(*finding.Finding) error { return nil })
			if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "r.json") {
				t.Errorf("err = %v", err)
			}
		})
	}
}
