package checkov_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/checkov"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// claims says whether the adapter must claim the corpus file r.
func claims(r corpustest.Row, _ string) bool { return r.Tool == "checkov" && r.Format == "native-json" }

// decode decodes r with the adapter and returns the findings, which must
// validate.
func decode(t *testing.T, r io.Reader, opts *scanners.Options) (finding.Tool, []*finding.Finding) {
	t.Helper()
	return corpustest.Decode(t, checkov.Adapter{}, r, "report.json", opts)
}

// rawChecks returns the failed and skipped checks of a raw report, with
// their check_type, read with generic JSON code.
func rawChecks(t *testing.T, path string) (checks []map[string]any, types []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	reps, ok := v.([]any)
	if !ok {
		reps = []any{v}
	}
	for _, r := range reps {
		rep := r.(map[string]any)
		res := rep["results"].(map[string]any)
		for _, k := range []string{"failed_checks", "skipped_checks"} {
			l, _ := res[k].([]any)
			for _, c := range l {
				checks = append(checks, c.(map[string]any))
				types = append(types, rep["check_type"].(string))
			}
		}
	}
	return checks, types
}

func TestCorpus(t *testing.T) {
	corpustest.DecodeEach(t, claims, checkov.Adapter{}, nil, func(t *testing.T, r corpustest.Row, tool finding.Tool, got []*finding.Finding) {
		if !(checkov.Adapter{}).Detect(corpustest.Head(t, r.Path)) {
			t.Error("Detect does not claim the file")
		}
		if tool.Name != "checkov" || tool.Version == "" {
			t.Errorf("tool = %+v", tool)
		}
		r.CheckCount(t, len(got))
		raw, types := rawChecks(t, r.Path)
		if len(raw) != len(got) {
			t.Fatalf("%d findings, %d failed and skipped checks", len(got), len(raw))
		}
		for i, f := range got {
			if err := f.Validate(); err != nil {
				t.Errorf("finding %d: %v", i, err)
			}
			if f.Rule.ID != raw[i]["check_id"] || f.Category != finding.CategoryIaC || f.Properties["check_type"] != types[i] {
				t.Errorf("finding %d: rule %s category %s properties %v", i, f.Rule.ID, f.Category, f.Properties)
			}
			if f.Location.Path == "" || f.Location.Resource != raw[i]["resource"] {
				t.Errorf("finding %d: location %+v", i, f.Location)
			}
			sev, _ := raw[i]["severity"].(string)
			wantSev := finding.SeverityMedium
			if sev != "" {
				wantSev, _ = finding.ParseSeverity(sev)
			}
			if f.Severity != wantSev || f.OriginalSeverity != sev {
				t.Errorf("finding %d: severity %s (%q), raw %q", i, f.Severity, f.OriginalSeverity, sev)
			}
		}
	})
}

// TestDetectCorpus checks that Detect claims checkov JSON reports and
// nothing else in the corpus (other tools, SARIF, broken files).
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, checkov.Adapter{}) }

func TestGolden(t *testing.T) {
	_, got := corpustest.DecodeFile(t, checkov.Adapter{}, corpustest.File(t, "checkov/checkov-severity.json"), nil)
	f := got[3]
	if f.Rule.ID != "CKV_GCP_28" || f.Rule.HelpURI != "https://docs.bridgecrew.io/docs/bc_gcp_public_1" ||
		f.Rule.ShortDescription != "Ensure that Cloud Storage bucket is not anonymously or publicly accessible" ||
		f.Message != f.Rule.ShortDescription ||
		f.Location.Path != "gcs.tf" || f.Location.Region != (finding.Region{StartLine: 17, EndLine: 21}) ||
		f.Location.Resource != "google_storage_bucket_iam_binding.allow_public_read" ||
		f.Severity != finding.SeverityHigh || f.OriginalSeverity != "HIGH" ||
		f.Properties["bc_check_id"] != "BC_GCP_PUBLIC_1" || len(f.Rule.Tags) != 1 || f.Rule.Tags[0] != "Public" {
		t.Errorf("CKV_GCP_28: %+v", f)
	}
	if !strings.HasPrefix(got[0].Location.Snippet, `resource "google_storage_bucket" "terragoat_website" {`) ||
		got[2].Severity != finding.SeverityLow || got[2].Rule.ID != "CKV_GCP_78" {
		t.Errorf("CKV_GCP_29 snippet %q, finding 2 %s %s", got[0].Location.Snippet, got[2].Rule.ID, got[2].Severity)
	}

	// With a root, file_abs_path is used.
	_, got = corpustest.DecodeFile(t, checkov.Adapter{}, corpustest.File(t, "checkov/checkov-severity.json"), &scanners.Options{Root: "/"})
	if got[0].Location.Path != "tf/gcs.tf" {
		t.Errorf("path with root /: %q", got[0].Location.Path)
	}

	// Windows paths and null severities.
	tool, got := corpustest.DecodeFile(t, checkov.Adapter{}, corpustest.File(t, "checkov/checkov-ecognity-report.json"), nil)
	f = got[5]
	if tool.Version != "3.2.495" || f.Rule.ID != "CKV2_AZURE_40" || f.Location.Path != "modules/storage_account/main.tf" ||
		f.Properties["file_path"] != `\main.tf` || f.Severity != finding.SeverityMedium || f.OriginalSeverity != "" ||
		f.Location.Resource != "module.storage.azurerm_storage_account.this" {
		t.Errorf("CKV2_AZURE_40: %+v", f)
	}

	// Several check types; a Dockerfile check without lines.
	tool, got = corpustest.DecodeFile(t, checkov.Adapter{}, corpustest.File(t, "checkov/checkov-multi-check-type.json"), nil)
	f = got[11]
	if tool.Version != "2.0.209" || f.Rule.ID != "CKV_DOCKER_3" || f.Location.Path != "infra/terraform/aws/resources/Dockerfile" ||
		!f.Location.Region.IsZero() || f.Properties["check_type"] != "dockerfile" {
		t.Errorf("CKV_DOCKER_3: %+v", f)
	}
}

// TestSkipped decodes a report with a skipped check. There is none in the
// corpus, so this input follows checkov's documented JSON shape for a
// "#checkov:skip=CKV_AWS_20:The bucket is a public static website"
// comment.
func TestSkipped(t *testing.T) {
	const in = `{"check_type": "terraform", "results": {"passed_checks": [], "failed_checks": [],
  "skipped_checks": [{"check_id": "CKV_AWS_20", "bc_check_id": "BC_AWS_S3_1",
   "check_name": "S3 Bucket has an ACL defined which allows public READ access.",
   "check_result": {"result": "SKIPPED", "suppress_comment": "The bucket is a public static website"},
   "code_block": [[1, "resource \"aws_s3_bucket\" \"b\" {\n"], [2, "}\n"]],
   "file_path": "/s3.tf", "file_abs_path": "/src/s3.tf", "repo_file_path": "/s3.tf",
   "file_line_range": [1, 2], "resource": "aws_s3_bucket.b", "severity": null,
   "guideline": "https://docs.prismacloud.io/x"}], "parsing_errors": []},
 "summary": {"passed": 0, "failed": 0, "skipped": 1, "parsing_errors": 0, "resource_count": 1, "checkov_version": "3.2.0"}}`
	_, got := decode(t, strings.NewReader(in), nil)
	if len(got) != 1 {
		t.Fatalf("%d findings", len(got))
	}
	f := got[0]
	if err := f.Validate(); err != nil {
		t.Error(err)
	}
	want := []finding.Suppression{{Kind: finding.SuppressionInSource, Justification: "The bucket is a public static website", Source: "checkov:skip comment"}}
	if !f.Suppressed() || len(f.Suppressions) != 1 || f.Suppressions[0] != want[0] || f.Location.Path != "s3.tf" {
		t.Errorf("%+v", f)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"not json", "  _____ banner"},
		{"truncated", `{"check_type": "terraform", "results": {"failed_checks": [`},
		{"other object", `{"queries": []}`},
		{"other array", `[{"RuleID": "x"}]`},
		{"wrong type", `{"check_type": "terraform", "results": {"failed_checks": 3}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := checkov.Adapter{}.Decode(strings.NewReader(tc.in), "r.json", nil, func(*finding.Finding) error { return nil })
			if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "r.json") {
				t.Errorf("err = %v", err)
			}
		})
	}
	// checkov writes only a summary when it found nothing to scan.
	tool, got := decode(t, strings.NewReader(`{"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0, "checkov_version": "3.2.0"}`), nil)
	if len(got) != 0 || tool.Version != "3.2.0" {
		t.Errorf("summary only: %+v %d", tool, len(got))
	}
}

func TestDecodeBanner(t *testing.T) {
	fh, err := os.Open(corpustest.File(t, "checkov/checkov-stdout-banner-NOT-JSON.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	_, err = checkov.Adapter{}.Decode(fh, "banner.sarif", nil, func(*finding.Finding) error { return nil })
	if !errors.Is(err, scanners.ErrFormat) {
		t.Errorf("err = %v", err)
	}
}
