package kics_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
	"github.com/scanmux/scanmux/scanners/kics"
)

// claims says whether the adapter must claim the corpus file r.
func claims(r corpustest.Row, _ string) bool { return r.Tool == "kics" && r.Format == "native-json" }

// decode decodes r with the adapter and returns the findings, which must
// validate.
func decode(t *testing.T, r io.Reader, opts *scanners.Options) (finding.Tool, []*finding.Finding) {
	t.Helper()
	return corpustest.Decode(t, kics.Adapter{}, r, "report.json", opts)
}

// rawEntries returns each query's file entries of a raw report, with the
// query, read with generic JSON code.
func rawEntries(t *testing.T, path string) (queries, files []map[string]any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct{ Queries []map[string]any }
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	for _, q := range rep.Queries {
		for _, f := range q["files"].([]any) {
			queries = append(queries, q)
			files = append(files, f.(map[string]any))
		}
	}
	return queries, files
}

func TestCorpus(t *testing.T) {
	corpustest.DecodeEach(t, claims, kics.Adapter{}, nil, func(t *testing.T, r corpustest.Row, tool finding.Tool, got []*finding.Finding) {
		if !(kics.Adapter{}).Detect(corpustest.Head(t, r.Path)) {
			t.Error("Detect does not claim the file")
		}
		r.CheckCount(t, len(got))
		qs, fs := rawEntries(t, r.Path)
		if len(fs) != len(got) {
			t.Fatalf("%d findings, %d file entries", len(got), len(fs))
		}
		for i, f := range got {
			if err := f.Validate(); err != nil {
				t.Errorf("finding %d: %v", i, err)
			}
			wantCat := finding.CategoryIaC
			if qs[i]["category"] == "Secret Management" {
				wantCat = finding.CategorySecret
			}
			sev := qs[i]["severity"].(string)
			wantSev, _ := finding.ParseSeverity(sev)
			if f.Rule.ID != qs[i]["query_id"] || f.Category != wantCat || f.Severity != wantSev || f.OriginalSeverity != sev {
				t.Errorf("finding %d: rule %s category %s severity %s (%s)", i, f.Rule.ID, f.Category, f.Severity, f.OriginalSeverity)
			}
			if cwe, ok := qs[i]["cwe"].(string); ok {
				if len(f.CWEs) != 1 || strconv.Itoa(f.CWEs[0]) != cwe {
					t.Errorf("finding %d: CWEs %v, raw %q", i, f.CWEs, cwe)
				}
			}
			if f.Location.Path == "" && f.Properties["unresolvedPath"] != fs[i]["file_name"] {
				t.Errorf("finding %d: location %+v properties %v", i, f.Location, f.Properties)
			}
		}
	})
}

// TestDetectCorpus checks that Detect claims KICS JSON reports and nothing
// else in the corpus (other tools, KICS's SARIF and GitLab SAST output).
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, kics.Adapter{}) }

func TestGolden(t *testing.T) {
	tool, got := corpustest.DecodeFile(t, kics.Adapter{}, corpustest.File(t, "kics/kics-2.1.11-gcpgoat.json"), nil)
	if tool != (finding.Tool{Name: "kics", Version: "2.1.11", InformationURI: "https://kics.io/"}) {
		t.Errorf("tool %+v", tool)
	}
	f := got[0]
	if f.Rule.ID != "bb0db090-5509-4853-a827-75ced0b3caa0" || f.Rule.Name != "Google Storage Bucket Level Access Disabled" ||
		f.Rule.HelpURI != "https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/storage_bucket" ||
		f.Message != "google_storage_bucket[blog].uniform_bucket_level_access is undefined or null" ||
		f.Severity != finding.SeverityHigh || f.OriginalSeverity != "HIGH" || len(f.CWEs) != 1 || f.CWEs[0] != 285 ||
		f.Location.Path != "" || f.Properties["unresolvedPath"] != "../../path/main.tf" || f.Properties["line"] != "605" ||
		f.Location.Resource != "google_storage_bucket.blog-bucket-${random_id.bucket_prefix.hex}" ||
		f.Properties["search_key"] != "google_storage_bucket[blog]" {
		t.Errorf("finding 0: %+v", f)
	}

	_, got = corpustest.DecodeFile(t, kics.Adapter{}, corpustest.File(t, "kics/kics-many.json"), nil)
	f = got[0]
	if f.Rule.ID != "f996f3cb-00fc-480c-8973-8ab04d44a8cc" || f.Category != finding.CategorySecret ||
		f.Message != "Query to find passwords and secrets in infrastructure code." ||
		f.Location.Path != "test/charts/example/terraform/main.tf" || f.Location.Region != (finding.Region{StartLine: 25}) ||
		f.Severity != finding.SeverityHigh || f.CWEs != nil {
		t.Errorf("finding 0: %+v", f)
	}
	f = got[len(got)-1]
	if f.Rule.Name != "S3 Bucket Logging Disabled" || f.Severity != finding.SeverityLow || f.Category != finding.CategoryIaC ||
		f.Location.Path != "test/charts/example/terraform/s3.tf" || f.Message != "'logging' is missing" {
		t.Errorf("last finding: %+v", f)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"not json", "hello"},
		{"truncated", `{"kics_version": "v2", "queries": [{"query_id": "x", "files": [`},
		{"no queries", `{"kics_version": "v2"}`},
		{"array", `[{"RuleID": "x"}]`},
		{"queries not array", `{"queries": {}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kics.Adapter{}.Decode(strings.NewReader(tc.in), "r.json", nil, func(*finding.Finding) error { return nil })
			if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "r.json") {
				t.Errorf("err = %v", err)
			}
		})
	}
	_, got := decode(t, strings.NewReader(`{"queries": [{"query_id": "q", "severity": "TRACE", "files": [{"file_name": "a.tf", "line": 3}]}]}`), nil)
	if len(got) != 1 || got[0].Severity != finding.SeverityInfo || got[0].OriginalSeverity != "TRACE" || got[0].Validate() != nil {
		t.Errorf("TRACE: %+v", got)
	}
	_, got = decode(t, strings.NewReader(`{"queries": [{"query_id": "q", "severity": "SPICY", "cwe": "n/a", "files": [{"file_name": "a.tf"}]}]}`), nil)
	if len(got) != 1 || got[0].Severity != finding.SeverityMedium || got[0].OriginalSeverity != "SPICY" || got[0].CWEs != nil ||
		got[0].Properties["cwe"] != `"n/a"` || got[0].Validate() != nil {
		t.Errorf("unknown severity and cwe: %+v", got)
	}
}
