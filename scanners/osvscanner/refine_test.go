package osvscanner

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/scanners"
)

// realOut holds real recordings of osv-scanner on the sample tree
// ../../testdata/real/tree (see testdata/real/record.sh).
const realOut = "../../testdata/real/out/osv-scanner/"

// readSARIF reads a SARIF log with root as the scan root and refines its
// findings as the registry does.
func readSARIF(t *testing.T, path, root string) []*finding.Finding {
	t.Helper()
	runs, err := sarif.ReadFile(path, &sarif.ReadOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	var out []*finding.Finding
	for _, r := range runs {
		for _, f := range r.Findings {
			Adapter{}.RefineSARIF(f)
			if err := f.Validate(); err != nil {
				t.Errorf("%s: refined finding invalid: %v", f.Rule.ID, err)
			}
			out = append(out, f)
		}
	}
	return out
}

// readJSON reads an osv-scanner JSON report with the JSON adapter.
func readJSON(t *testing.T, path, root string) []*finding.Finding {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []*finding.Finding
	if _, err := (Adapter{}).Decode(fh, path, &scanners.Options{Root: root}, func(f *finding.Finding) error {
		out = append(out, f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRefineSARIFReal checks that osv-scanner's SARIF, refined, gives
// what its JSON report of the same scan gives: rule id, vulnerability ids,
// path, severity and package, all but the purl of Go modules (the Go
// vulnerability database's entries have none, so the JSON report has
// none; the refined SARIF has the module's) and the CWE ids, which the
// SARIF does not carry.
func TestRefineSARIFReal(t *testing.T) {
	root, err := recordedTree()
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []struct{ sarif, json string }{
		{"osv-scanner-v2.6.0-root-sarif.sarif", "osv-scanner-v2.6.0-root-json.json"},
		{"osv-scanner-v2.6.0-sub-sarif.sarif", "osv-scanner-v2.6.0-sub-json.json"},
	} {
		t.Run(run.sarif, func(t *testing.T) {
			got := readSARIF(t, realOut+run.sarif, root)
			want := map[string]*finding.Finding{}
			for _, f := range readJSON(t, realOut+run.json, root) {
				want[f.Rule.ID] = f
			}
			if len(got) != len(want) || len(got) == 0 {
				t.Fatalf("%d SARIF findings, %d JSON ones", len(got), len(want))
			}
			for _, f := range got {
				w := want[f.Rule.ID]
				if w == nil {
					t.Errorf("%s: not in the JSON report", f.Rule.ID)
					continue
				}
				wp := *w.Location.Package
				if wp.Ecosystem == "Go" && wp.PURL == "" {
					wp.PURL = f.Location.Package.PURL
				}
				if f.Location.Path != w.Location.Path || f.Severity != w.Severity || f.Category != w.Category ||
					*f.Location.Package != wp || !slices.Equal(f.VulnIDs, w.VulnIDs) || f.Rule.HelpURI != w.Rule.HelpURI ||
					f.Rule.ShortDescription != w.Rule.ShortDescription || f.Rule.FullDescription != w.Rule.FullDescription {
					t.Errorf("%s:\n SARIF %q %s %s %+v %q %+v\n JSON  %q %s %s %+v %q %+v", f.Rule.ID,
						f.Location.Path, f.Severity, f.Category, *f.Location.Package, f.VulnIDs, f.Rule,
						w.Location.Path, w.Severity, w.Category, wp, w.VulnIDs, w.Rule)
				}
			}
		})
	}
}

// TestRefineSARIFRealValues spells out refined findings of the real
// recording.
func TestRefineSARIFRealValues(t *testing.T) {
	root, err := recordedTree()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*finding.Finding{}
	for _, f := range readSARIF(t, realOut+"osv-scanner-v2.6.0-root-sarif.sarif", root) {
		got[f.Rule.ID] = f
	}
	for _, c := range []struct {
		rule, sarifRule, path string
		pkg                   finding.Package
		sev                   finding.Severity
		vulnIDs               []string
	}{
		{"GHSA-p6mc-m468-83gw", "CVE-2020-8203", "samples/js/package-lock.json",
			finding.Package{Name: "lodash", Version: "4.17.15", FixedVersion: "4.17.19", Ecosystem: "npm", PURL: "pkg:npm/lodash@4.17.15"},
			finding.SeverityHigh, []string{"GHSA-p6mc-m468-83gw", "CVE-2020-8203"}},
		{"GO-2024-3333", "CVE-2024-45338", "samples/go/go.mod",
			finding.Package{Name: "golang.org/x/net", Version: "0.7.0", FixedVersion: "0.33.0", Ecosystem: "Go", PURL: "pkg:golang/golang.org/x/net@v0.7.0"},
			finding.SeverityMedium, []string{"GO-2024-3333", "CVE-2024-45338", "GHSA-w32m-9786-jp63"}},
	} {
		f := got[c.rule]
		if f == nil {
			t.Errorf("no finding of rule %s", c.rule)
			continue
		}
		if f.Location.Path != c.path || *f.Location.Package != c.pkg || f.Severity != c.sev || !slices.Equal(f.VulnIDs, c.vulnIDs) ||
			f.Properties["osv.sarifRuleId"] != c.sarifRule || f.Properties["osv.sourceType"] != "lockfile" || f.Rule.Name != "" {
			t.Errorf("%s: %q %+v %s %q %q", c.rule, f.Location.Path, *f.Location.Package, f.Severity, f.VulnIDs, f.Properties)
		}
	}
	if f := got["GO-2024-3333"]; f != nil && (f.OriginalSeverity != "" || f.Properties["osv.severityNote"] == "") {
		t.Errorf("GO-2024-3333: a severity without score not marked assumed: %q %q", f.OriginalSeverity, f.Properties)
	}
	if f := got["GHSA-29mw-wpgm-hmr9"]; f == nil || f.OriginalSeverity != "5.3" || f.Severity != finding.SeverityMedium ||
		f.Rule.ShortDescription != "Regular Expression Denial of Service (ReDoS) in lodash" ||
		f.Rule.HelpURI != "https://osv.dev/vulnerability/GHSA-29mw-wpgm-hmr9" {
		t.Errorf("GHSA-29mw-wpgm-hmr9: %+v", f)
	}
}

// TestRefineSARIFOutsideRoot reads the real SARIF with a root the
// lockfiles are not under: the source is kept as the JSON adapter keeps
// it, and the package is read all the same.
func TestRefineSARIFOutsideRoot(t *testing.T) {
	root := t.TempDir()
	for _, f := range readSARIF(t, realOut+"osv-scanner-v2.6.0-sub-sarif.sarif", root) {
		p := f.Location.Package
		if f.Location.Path != "" || p.Name != "lodash" || p.Version != "4.17.15" || p.Ecosystem != "npm" ||
			filepath.Base(f.Properties["osv.source"]) != "package-lock.json" || !filepath.IsAbs(f.Properties["osv.source"]) {
			t.Errorf("%s: %q %+v %q", f.Rule.ID, f.Location.Path, *p, f.Properties)
		}
	}
}

// TestRefineSARIFGroup refines a result whose group has two OSV entries
// and a package found in two lockfiles (rows of the help's tables): the
// rule id is the group's first entry as osv-scanner sorts them, the
// fixed version the lowest above the installed one among the entries'.
func TestRefineSARIFGroup(t *testing.T) {
	help := "**Your dependency is vulnerable to [CVE-2023-1](https://osv.dev/CVE-2023-1)**\n" +
		"(Also published as: [PYSEC-2023-9](https://osv.dev/PYSEC-2023-9), [GHSA-aaaa-bbbb-cccc](https://osv.dev/GHSA-aaaa-bbbb-cccc), ).\n\n" +
		"## [PYSEC-2023-9](https://osv.dev/PYSEC-2023-9)\n\n<details>\n<summary>Details</summary>\n\n> x\n\n</details>\n\n" +
		"## [GHSA-aaaa-bbbb-cccc](https://osv.dev/GHSA-aaaa-bbbb-cccc)\n\n<details>\n<summary>Details</summary>\n\n> y\n\n</details>\n\n" +
		"---\n\n### Affected Packages\n\n| Source | Package Name | Package Version |\n| --- | --- | --- |\n" +
		"| lockfile:/src/a/requirements.txt | Django | 3.2.0 |\n| lockfile:/src/b/requirements.txt | Django | 4.1.0 |\n\n" +
		"## Remediation\n\nTo fix these vulnerabilities, update the vulnerabilities past the listed fixed versions below.\n\n" +
		"### Fixed Versions\n\n| Vulnerability ID | Package Name | Fixed Version |\n| --- | --- | --- |\n" +
		"| GHSA-aaaa-bbbb-cccc | Django | 3.2.19, 4.1.9 |\n| PYSEC-2023-9 | Django | 3.2.19, 4.1.9 |\n\n"
	f := &finding.Finding{
		Tool:     finding.Tool{Name: "osv-scanner"},
		Rule:     finding.Rule{ID: "CVE-2023-1", Name: "CVE-2023-1", ShortDescription: "CVE-2023-1: SQL injection", HelpMarkdown: help},
		Message:  "Package 'Django@4.1.0' is vulnerable to 'CVE-2023-1' (also known as 'PYSEC-2023-9', 'GHSA-aaaa-bbbb-cccc').",
		Category: finding.CategoryDependency,
		Severity: finding.SeverityCritical, OriginalSeverity: "9.8",
		Properties: map[string]string{"sarif.uri": "file:///src/b/requirements.txt"},
	}
	Adapter{}.RefineSARIF(f)
	want := finding.Package{Name: "Django", Version: "4.1.0", FixedVersion: "4.1.9", Ecosystem: "PyPI", PURL: "pkg:pypi/django@4.1.0"}
	if f.Rule.ID != "PYSEC-2023-9" || *f.Location.Package != want || f.Rule.ShortDescription != "SQL injection" ||
		!slices.Equal(f.VulnIDs, []string{"PYSEC-2023-9", "GHSA-aaaa-bbbb-cccc", "CVE-2023-1"}) ||
		f.Properties["osv.source"] != "/src/b/requirements.txt" || f.Severity != finding.SeverityCritical {
		t.Errorf("%s %+v %q %q %q", f.Rule.ID, *f.Location.Package, f.Rule.ShortDescription, f.VulnIDs, f.Properties)
	}
}

// recordedTree returns where testdata/real/tree was when record.sh made
// the recordings: the tools wrote absolute paths under it, which are read
// lexically here, so the test holds in any checkout.
func recordedTree() (string, error) { return "/work/main/testdata/real/tree", nil }
