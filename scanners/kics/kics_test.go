package kics_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/kics"
)

// corpusDir is the shared corpus, a sibling of the repository.
const corpusDir = "../../../shared/corpus"

// entry is one row of the corpus MANIFEST.tsv.
type entry struct {
	path, tool, format, numResults string
}

// manifest reads the corpus manifest, or skips the test without it.
func manifest(t *testing.T) []entry {
	t.Helper()
	fh, err := os.Open(filepath.Join(corpusDir, "MANIFEST.tsv"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("../shared/corpus is missing (it sits beside the repository in CI): skipping corpus tests")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []entry
	sc := bufio.NewScanner(fh)
	for first := true; sc.Scan(); first = false {
		c := strings.Split(sc.Text(), "\t")
		if first || len(c) < 8 {
			continue
		}
		out = append(out, entry{filepath.Join(corpusDir, strings.TrimPrefix(c[0], "corpus/")), c[1], c[2], c[7]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// decode decodes r with the adapter and returns the findings.
func decode(t *testing.T, r io.Reader, opts *scanners.Options) (finding.Tool, []*finding.Finding) {
	t.Helper()
	var got []*finding.Finding
	tool, err := kics.Adapter{}.Decode(r, "report.json", opts, func(f *finding.Finding) error {
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return tool, got
}

// decodeFile decodes the file at path.
func decodeFile(t *testing.T, path string, opts *scanners.Options) (finding.Tool, []*finding.Finding) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	return decode(t, fh, opts)
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
	n := 0
	for _, e := range manifest(t) {
		if e.tool != "kics" || e.format != "native-json" {
			continue
		}
		n++
		t.Run(filepath.Base(e.path), func(t *testing.T) {
			head, err := os.ReadFile(e.path)
			if err != nil {
				t.Fatal(err)
			}
			if !(kics.Adapter{}).Detect(head[:min(len(head), scanners.DetectBytes)]) {
				t.Error("Detect does not claim the file")
			}
			_, got := decodeFile(t, e.path, nil)
			want, err := strconv.Atoi(e.numResults)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != want {
				t.Errorf("%d findings, want %d", len(got), want)
			}
			qs, fs := rawEntries(t, e.path)
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
	if n == 0 {
		t.Error("no kics native-json files in the corpus")
	}
}

// TestDetectCorpus checks that Detect claims KICS JSON reports and nothing
// else in the corpus (other tools, KICS's SARIF and GitLab SAST output).
func TestDetectCorpus(t *testing.T) {
	for _, e := range manifest(t) {
		fh, err := os.Open(e.path)
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, scanners.DetectBytes)
		n, _ := io.ReadFull(fh, head)
		fh.Close()
		want := e.tool == "kics" && e.format == "native-json"
		if got := (kics.Adapter{}).Detect(head[:n]); got != want {
			t.Errorf("Detect(%s) = %v, want %v", e.path, got, want)
		}
		for _, cut := range []int{1, 9, 120, 4000} {
			if cut < n {
				kics.Adapter{}.Detect(head[:cut])
			}
		}
	}
}

func TestGolden(t *testing.T) {
	manifest(t)
	tool, got := decodeFile(t, filepath.Join(corpusDir, "kics/kics-2.1.11-gcpgoat.json"), nil)
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

	_, got = decodeFile(t, filepath.Join(corpusDir, "kics/kics-many.json"), nil)
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
