package grype

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/scanners"
)

// realOut holds real recordings of Grype on the sample tree
// ../../testdata/real/tree (see testdata/real/record.sh).
const realOut = "../../testdata/real/out/grype/"

// corpusDir holds SARIF logs of older Grype versions from the shared
// corpus, when the machine has it.
const corpusDir = "/work/shared/corpus/grype/"

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

// readJSON reads a Grype JSON report with the JSON adapter.
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

func treeRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../../testdata/real/tree")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// key identifies a finding by rule and package.
func key(f *finding.Finding) string {
	return f.Rule.ID + " " + f.Location.Package.Name + "@" + f.Location.Package.Version
}

// TestRefineSARIFReal checks that Grype's SARIF of a directory scan,
// refined, gives what its JSON report of the same scan gives: rule id,
// path, category, severity and every package fact.
func TestRefineSARIFReal(t *testing.T) {
	root := treeRoot(t)
	for _, run := range []struct{ sarif, json string }{
		{"grype-v0.121.3-root-sarif.sarif", "grype-v0.121.3-root-json.json"},
		{"grype-v0.121.3-sub-sarif.sarif", "grype-v0.121.3-sub-json.json"},
	} {
		t.Run(run.sarif, func(t *testing.T) {
			got := readSARIF(t, realOut+run.sarif, root)
			want := map[string]*finding.Finding{}
			for _, f := range readJSON(t, realOut+run.json, root) {
				want[key(f)] = f
			}
			if len(got) != len(want) || len(got) == 0 {
				t.Fatalf("%d SARIF findings, %d JSON ones", len(got), len(want))
			}
			for _, f := range got {
				w := want[key(f)]
				if w == nil {
					t.Errorf("%s: not in the JSON report", key(f))
					continue
				}
				if f.Location.Path != w.Location.Path || f.Location.Region != w.Location.Region ||
					f.Category != w.Category || f.Severity != w.Severity || *f.Location.Package != *w.Location.Package {
					t.Errorf("%s:\n SARIF %q %+v %s %s %+v\n JSON  %q %+v %s %s %+v", key(f),
						f.Location.Path, f.Location.Region, f.Category, f.Severity, *f.Location.Package,
						w.Location.Path, w.Location.Region, w.Category, w.Severity, *w.Location.Package)
				}
				for _, k := range []string{"grype.namespace", "grype.artifactType", "grype.locations", "grype.matchers"} {
					if f.Properties[k] != w.Properties[k] {
						t.Errorf("%s: %s %q, JSON %q", key(f), k, f.Properties[k], w.Properties[k])
					}
				}
			}
		})
	}
}

// TestRefineSARIFRealValues spells out two refined findings of the real
// recording.
func TestRefineSARIFRealValues(t *testing.T) {
	got := map[string]*finding.Finding{}
	for _, f := range readSARIF(t, realOut+"grype-v0.121.3-root-sarif.sarif", treeRoot(t)) {
		got[f.Rule.ID] = f
	}
	for _, c := range []struct {
		rule, path string
		pkg        finding.Package
		sev        finding.Severity
		vulnIDs    []string
	}{
		{"GHSA-35jh-r3h4-6jhm", "samples/js/package-lock.json",
			finding.Package{Name: "lodash", Version: "4.17.15", FixedVersion: "4.17.21", Ecosystem: "npm", PURL: "pkg:npm/lodash@4.17.15"},
			finding.SeverityHigh, []string{"GHSA-35jh-r3h4-6jhm"}},
		{"GO-2023-1988", "samples/go/go.mod",
			finding.Package{Name: "golang.org/x/net", Version: "v0.7.0", FixedVersion: "0.13.0", Ecosystem: "Go", PURL: "pkg:golang/golang.org/x/net@v0.7.0"},
			finding.SeverityInfo, []string{"GO-2023-1988"}},
	} {
		f := got[c.rule]
		if f == nil {
			t.Errorf("no finding of rule %s", c.rule)
			continue
		}
		if f.Location.Path != c.path || !f.Location.Region.IsZero() || *f.Location.Package != c.pkg ||
			f.Severity != c.sev || f.Category != finding.CategoryDependency {
			t.Errorf("%s: %q %+v %+v %s %s", c.rule, f.Location.Path, f.Location.Region, *f.Location.Package, f.Severity, f.Category)
		}
		if len(f.VulnIDs) == 0 || f.VulnIDs[0] != c.vulnIDs[0] {
			t.Errorf("%s: vuln ids %q", c.rule, f.VulnIDs)
		}
		if f.Properties["grype.sarifRuleId"] != c.rule+"-"+c.pkg.Name {
			t.Errorf("%s: SARIF rule id %q", c.rule, f.Properties["grype.sarifRuleId"])
		}
		if f.Rule.HelpText != "" || f.Rule.Name != "" {
			t.Errorf("%s: package-specific rule texts kept: %q %q", c.rule, f.Rule.Name, f.Rule.HelpText)
		}
	}
	if f := got["GHSA-29mw-wpgm-hmr9"]; f == nil || f.Rule.ShortDescription != "Regular Expression Denial of Service (ReDoS) in lodash" ||
		f.Rule.HelpURI != "https://github.com/advisories/GHSA-29mw-wpgm-hmr9" || f.Properties["grype.matchers"] != "javascript-matcher" {
		t.Errorf("GHSA-29mw-wpgm-hmr9: %+v %q", f.Rule, f.Properties)
	}
}

// TestRefineSARIFCorpus reads the SARIF of two older Grype versions:
// 0.34 (rule "ID-PACKAGE", message "The path P reports NAME at version
// V") and 0.7 (rule "ANCHOREVULN_ID_TYPE_NAME-VERSION", an image scan).
func TestRefineSARIFCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("the shared corpus is not on this machine (%v): nothing to check", err)
	}
	got := readSARIF(t, corpusDir+"grype-0.34.7-cxf.sarif", "")
	if len(got) != 22 {
		t.Errorf("%d findings of grype 0.34, want 22", len(got))
	}
	f := got[0]
	want := finding.Package{Name: "geronimo-j2ee-management_1.1_spec", Version: "1.0.1", Ecosystem: "Maven"}
	if f.Rule.ID != "CVE-2008-0732" || *f.Location.Package != want || f.Category != finding.CategoryDependency ||
		f.Location.Path != "lib/geronimo-j2ee-management_1.1_spec-1.0.1.jar" || !f.Location.Region.IsZero() ||
		f.Severity != finding.SeverityLow || f.Rule.HelpURI != "https://nvd.nist.gov/vuln/detail/CVE-2008-0732" ||
		f.Properties["grype.artifactType"] != "java-archive" || f.Properties["grype.namespace"] != "nvd" {
		t.Errorf("grype 0.34: %s %+v %s %q %+v %s %s %q", f.Rule.ID, *f.Location.Package, f.Category, f.Location.Path,
			f.Location.Region, f.Severity, f.Rule.HelpURI, f.Properties)
	}
	for _, f := range got {
		if f.Rule.ID == "CVE-2008-0732" && f.Location.Package.Name == "geronimo-javamail_1.4_mail" && f.Location.Package.Version != "1.8.4" {
			t.Errorf("grype 0.34: the second package of CVE-2008-0732 has version %q", f.Location.Package.Version)
		}
	}

	got = readSARIF(t, corpusDir+"anchore-scan-action-0.7.3.sarif", "")
	if len(got) != 429 {
		t.Errorf("%d findings of grype 0.7, want 429", len(got))
	}
	f = got[0]
	want = finding.Package{Name: "bash", Version: "4.3-14ubuntu1.4"}
	if f.Rule.ID != "CVE-2019-18276" || *f.Location.Package != want || f.Category != finding.CategoryContainer ||
		f.Location.Path != "" || f.Severity != finding.SeverityLow || f.Properties["grype.artifactType"] != "dpkg" {
		t.Errorf("grype 0.7: %s %+v %s %q %s %q", f.Rule.ID, *f.Location.Package, f.Category, f.Location.Path, f.Severity, f.Properties)
	}
	for _, f := range got {
		if p := f.Location.Package; p.FixedVersion == "None" || p.Name == "" || p.Version == "" {
			t.Errorf("grype 0.7 %s: package %+v", f.Rule.ID, *p)
		}
	}
}

// TestRefineSARIFImage refines a result of a current Grype image scan:
// the path in the image and the layer come from the message and the
// logical location, the package from the message.
func TestRefineSARIFImage(t *testing.T) {
	f := &finding.Finding{
		Tool:     finding.Tool{Name: "grype"},
		Rule:     finding.Rule{ID: "CVE-2024-1-libssl3", Name: "ApkMatcherExactDirectMatch", HelpText: "Vulnerability CVE-2024-1\nSeverity: critical\nPackage: libssl3\nVersion: 3.1.0-r0\nFix Version: 3.1.1-r0,3.2.0-r0\nType: apk\nLocation: /lib/apk/db/installed\nData Namespace: alpine:distro:alpine:3.18\nLink: [CVE-2024-1](https://security.alpinelinux.org/vuln/CVE-2024-1)"},
		Message:  "A critical vulnerability in apk package: libssl3, version 3.1.0-r0 was found in image alpine:3.18 at: /lib/apk/db/installed",
		Category: finding.CategoryContainer, Severity: finding.SeverityCritical, OriginalSeverity: "9.8",
		Location: finding.Location{Path: "alpine318/lib/apk/db/installed", Region: finding.Region{StartLine: 1, StartColumn: 1, EndLine: 1, EndColumn: 1},
			Resource: "alpine:3.18@sha256:abc:/lib/apk/db/installed"},
	}
	Adapter{}.RefineSARIF(f)
	want := finding.Package{Name: "libssl3", Version: "3.1.0-r0", FixedVersion: "3.1.1-r0", Ecosystem: "Alpine:v3.18",
		Image: "alpine:3.18", Layer: "sha256:abc"}
	if f.Rule.ID != "CVE-2024-1" || *f.Location.Package != want || f.Location.Path != "" || f.Location.Resource != "" ||
		!f.Location.Region.IsZero() || f.Category != finding.CategoryContainer || f.Severity != finding.SeverityCritical ||
		f.Properties["grype.locations"] != `["/lib/apk/db/installed"]` || f.Properties["grype.fixVersions"] != `["3.1.1-r0","3.2.0-r0"]` ||
		f.Properties["grype.matchers"] != "apk-matcher" || f.Rule.HelpURI != "https://security.alpinelinux.org/vuln/CVE-2024-1" {
		t.Errorf("%s %+v %q %q %+v %s %s %q %q", f.Rule.ID, *f.Location.Package, f.Location.Path, f.Location.Resource,
			f.Location.Region, f.Category, f.Severity, f.Properties, f.Rule.HelpURI)
	}
}
