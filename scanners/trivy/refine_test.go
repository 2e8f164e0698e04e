package trivy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/scanners"
)

// corpusDir holds real Trivy SARIF logs from the shared corpus, when the
// machine has it.
const corpusDir = "/work/shared/corpus/trivy/"

// realOut is where recordings of Trivy on the sample tree go (see
// testdata/real/record.sh), when there are some.
const realOut = "../../testdata/real/out/trivy/"

// refine refines the findings of SARIF runs as the registry does.
func refine(t *testing.T, runs []sarif.Run) []*finding.Finding {
	t.Helper()
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

// readSARIF reads the SARIF log at path with root as the scan root and
// refines its findings.
func readSARIF(t *testing.T, path, root string) []*finding.Finding {
	t.Helper()
	runs, err := sarif.ReadFile(path, &sarif.ReadOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return refine(t, runs)
}

// decodeJSON reads a Trivy JSON report with the JSON adapter.
func decodeJSON(t *testing.T, name, report, root string) []*finding.Finding {
	t.Helper()
	var out []*finding.Finding
	if _, err := (Adapter{}).Decode(strings.NewReader(report), name, &scanners.Options{Root: root}, func(f *finding.Finding) error {
		out = append(out, f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRefineSARIFCorpus reads real Trivy SARIF logs of three shapes: the
// current writer's (an image, integration golden), trivy 0.15's (rules
// "ID/PACKAGE") and the contrib/sarif.tpl template's (rules "[SEVERITY]
// ID"), and a config scan, whose misconfigurations are left alone.
func TestRefineSARIFCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("the shared corpus is not on this machine (%v): nothing to check", err)
	}
	type want struct {
		n       int
		rule    string
		sev     finding.Severity
		orig    string
		pkg     finding.Package
		sarifID string
		short   string
	}
	for file, w := range map[string]want{
		"trivy-image-alpine310.sarif": {4, "CVE-2019-1549", finding.SeverityMedium, "MEDIUM",
			finding.Package{Name: "libcrypto1.1", Version: "1.1.1c-r0", FixedVersion: "1.1.1d-r0", Image: "testdata/fixtures/images/alpine-310.tar.gz"},
			"", "openssl: information disclosure in fork()"},
		"trivy-0.15-image-124.sarif": {124, "CVE-2018-14618", finding.SeverityCritical, "CRITICAL",
			finding.Package{Name: "curl", Version: "7.61.0-r0", FixedVersion: "7.61.1-r0", Image: "knqyf263/vuln-image"},
			"CVE-2018-14618/curl", "curl: NTLM password overflow via integer overflow"},
		"trivy-sarif-demo-small.sarif": {4, "CVE-2019-1549", finding.SeverityMedium, "MEDIUM",
			finding.Package{Name: "openssl", Version: "1.1.1c-r0", FixedVersion: "1.1.1d-r0"},
			"[MEDIUM] CVE-2019-1549", "openssl: information disclosure in fork()"},
	} {
		got := readSARIF(t, corpusDir+file, "")
		if len(got) != w.n {
			t.Errorf("%s: %d findings, want %d", file, len(got), w.n)
			continue
		}
		f := got[0]
		if f.Rule.ID != w.rule || f.Severity != w.sev || f.OriginalSeverity != w.orig || f.Location.Package == nil ||
			*f.Location.Package != w.pkg || f.Properties["trivy.sarifRuleId"] != w.sarifID || f.Rule.ShortDescription != w.short ||
			f.Category != finding.CategoryContainer || !f.Location.Region.IsZero() || len(f.VulnIDs) == 0 || f.VulnIDs[0] != w.rule {
			t.Errorf("%s: %s %s %q %+v %q %q %s %+v %q", file, f.Rule.ID, f.Severity, f.OriginalSeverity, f.Location.Package,
				f.Properties, f.Rule.ShortDescription, f.Category, f.Location.Region, f.VulnIDs)
		}
		if w.pkg.Image != "" && f.Location.Path != "" {
			t.Errorf("%s: the image is a path: %q", file, f.Location.Path)
		}
		for _, f := range got {
			if p := f.Location.Package; p == nil || p.Name == "" || p.Version == "" {
				t.Errorf("%s %s: package %+v", file, f.Rule.ID, p)
			}
		}
	}
	for _, f := range readSARIF(t, corpusDir+"trivy-0.34-config-terraform.sarif", "") {
		if f.Location.Package != nil || f.Category != finding.CategoryIaC || f.Location.Region.StartLine == 0 {
			t.Errorf("misconfiguration %s changed: %+v %s", f.Rule.ID, f.Location, f.Category)
		}
	}
}

// fsJSON and fsSARIF are one trivy fs scan of a lockfile (lodash at lines
// 5-9) in both formats, as Trivy writes them: the JSON report lists the
// packages with their lines (--list-all-pkgs); the SARIF rule's
// security-severity is the CVSS score (7.4, high), Trivy's severity MEDIUM.
const fsJSON = `{
  "SchemaVersion": 2, "Trivy": {"Version": "0.68.1"}, "ArtifactName": ".", "ArtifactType": "filesystem",
  "Results": [{
    "Target": "app/package-lock.json", "Class": "lang-pkgs", "Type": "npm",
    "Packages": [
      {"ID": "left-pad@1.3.0", "Name": "left-pad", "Version": "1.3.0", "Locations": [{"StartLine": 2, "EndLine": 4}]},
      {"ID": "lodash@4.17.15", "Name": "lodash", "Version": "4.17.15", "Locations": [{"StartLine": 5, "EndLine": 9}, {"StartLine": 20, "EndLine": 24}]}
    ],
    "Vulnerabilities": [{
      "VulnerabilityID": "CVE-2020-8203", "PkgID": "lodash@4.17.15", "PkgName": "lodash",
      "PkgIdentifier": {"PURL": "pkg:npm/lodash@4.17.15"},
      "InstalledVersion": "4.17.15", "FixedVersion": "4.17.19", "Status": "fixed", "SeveritySource": "ghsa",
      "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2020-8203", "Title": "nodejs-lodash: prototype pollution in zipObjectDeep function",
      "Description": "Prototype pollution attack when using _.zipObjectDeep in lodash before 4.17.20.",
      "Severity": "MEDIUM", "CweIDs": ["CWE-770"], "CVSS": {"ghsa": {"V3Score": 7.4}}
    }]
  }]
}`

const fsSARIF = `{"version": "2.1.0", "$schema": "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json",
  "runs": [{
    "tool": {"driver": {"fullName": "Trivy Vulnerability Scanner", "informationUri": "https://github.com/aquasecurity/trivy", "name": "Trivy", "version": "0.68.1",
      "rules": [{"id": "CVE-2020-8203", "name": "LanguageSpecificPackageVulnerability",
        "shortDescription": {"text": "nodejs-lodash: prototype pollution in zipObjectDeep function"},
        "fullDescription": {"text": "Prototype pollution attack when using _.zipObjectDeep in lodash before 4.17.20."},
        "defaultConfiguration": {"level": "warning"}, "helpUri": "https://avd.aquasec.com/nvd/cve-2020-8203",
        "help": {"text": "Vulnerability CVE-2020-8203\nSeverity: MEDIUM\nPackage: lodash\nFixed Version: 4.17.19\nLink: [CVE-2020-8203](https://avd.aquasec.com/nvd/cve-2020-8203)\nPrototype pollution attack when using _.zipObjectDeep in lodash before 4.17.20."},
        "properties": {"precision": "very-high", "security-severity": "7.4", "tags": ["vulnerability", "security", "MEDIUM"]}}]}},
    "results": [{"ruleId": "CVE-2020-8203", "ruleIndex": 0, "level": "warning",
      "message": {"text": "Package: lodash\nInstalled Version: 4.17.15\nVulnerability CVE-2020-8203\nSeverity: MEDIUM\nFixed Version: 4.17.19\nLink: [CVE-2020-8203](https://avd.aquasec.com/nvd/cve-2020-8203)"},
      "locations": [
        {"physicalLocation": {"artifactLocation": {"uri": "app/package-lock.json", "uriBaseId": "ROOTPATH"}, "region": {"startLine": 5, "startColumn": 1, "endLine": 9, "endColumn": 1}},
         "message": {"text": "app/package-lock.json: lodash@4.17.15"}},
        {"physicalLocation": {"artifactLocation": {"uri": "app/package-lock.json", "uriBaseId": "ROOTPATH"}, "region": {"startLine": 20, "startColumn": 1, "endLine": 24, "endColumn": 1}},
         "message": {"text": "app/package-lock.json: lodash@4.17.15"}}]}],
    "columnKind": "utf16CodeUnits", "originalUriBaseIds": {"ROOTPATH": {"uri": "file:///src/"}}}]}`

// TestRefineSARIFFilesystem checks that the refined SARIF finding of a
// filesystem scan is the JSON adapter's finding of the same scan: rule,
// path, lines (the package's places), severity (Trivy's word, not the
// CVSS score) and package.
func TestRefineSARIFFilesystem(t *testing.T) {
	runs, err := sarif.ReadFile(writeTemp(t, fsSARIF), &sarif.ReadOptions{Root: "/src"})
	if err != nil {
		t.Fatal(err)
	}
	got := refine(t, runs)
	want := decodeJSON(t, "fs.json", fsJSON, "/src")
	if len(got) != 1 || len(want) != 1 {
		t.Fatalf("%d SARIF findings, %d JSON ones", len(got), len(want))
	}
	f, w := got[0], want[0]
	pkg := finding.Package{Name: "lodash", Version: "4.17.15", FixedVersion: "4.17.19", Ecosystem: "npm", PURL: "pkg:npm/lodash@4.17.15"}
	if *f.Location.Package != pkg || *w.Location.Package != pkg {
		t.Errorf("packages:\n SARIF %+v\n JSON  %+v\n want  %+v", *f.Location.Package, *w.Location.Package, pkg)
	}
	if got, want := summary(f), summary(w); got != want {
		t.Errorf("SARIF and JSON differ:\n SARIF %s\n JSON  %s", got, want)
	}
	if s := summary(f); s != "CVE-2020-8203 dependency medium MEDIUM app/package-lock.json {StartLine:5 StartColumn:0 EndLine:9 EndColumn:0} [app/package-lock.json:20-24]" {
		t.Errorf("got %s", s)
	}
}

// summary is what TestRefineSARIFFilesystem compares.
func summary(f *finding.Finding) string {
	var rel []string
	for _, l := range f.Related {
		rel = append(rel, fmt.Sprintf("%s:%d-%d", l.Path, l.Region.StartLine, l.Region.EndLine))
	}
	return fmt.Sprintf("%s %s %s %s %s %+v %v", f.Rule.ID, f.Category, f.Severity, f.OriginalSeverity, f.Location.Path, f.Location.Region, rel)
}

func writeTemp(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "trivy.sarif")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRefineSARIFReal compares the vulnerability findings of Trivy's
// SARIF and JSON recordings of one scan of the sample tree, when there
// are recordings (pairs named *-json.json and *-sarif.sarif).
func TestRefineSARIFReal(t *testing.T) {
	sarifs, _ := filepath.Glob(realOut + "*-sarif.sarif")
	if len(sarifs) == 0 {
		t.Skipf("no Trivy recordings in %s yet: nothing to compare", realOut)
	}
	root, err := recordedTree()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sarifs {
		j := strings.TrimSuffix(s, "-sarif.sarif") + "-json.json"
		b, err := os.ReadFile(j)
		if err != nil {
			continue
		}
		if strings.Contains(filepath.Base(s), "-sub-") {
			continue // paths from a sub-directory: the registry test places them
		}
		want := map[string]*finding.Finding{}
		for _, f := range decodeJSON(t, j, string(b), root) {
			if f.Location.Package != nil {
				want[f.Rule.ID+" "+f.Location.Package.Name+"@"+f.Location.Package.Version] = f
			}
		}
		for _, f := range readSARIF(t, s, root) {
			if f.Location.Package == nil {
				continue
			}
			k := f.Rule.ID + " " + f.Location.Package.Name + "@" + f.Location.Package.Version
			w := want[k]
			if w == nil {
				t.Errorf("%s: %s not in %s", s, k, j)
				continue
			}
			delete(want, k)
			fp, wp := *f.Location.Package, *w.Location.Package
			if f.Location.Path != w.Location.Path || f.Location.Region != w.Location.Region || f.Category != w.Category ||
				f.Severity != w.Severity || f.OriginalSeverity != w.OriginalSeverity || fp != wp {
				t.Errorf("%s: %s:\n SARIF %q %+v %s %+v\n JSON  %q %+v %s %+v", s, k, f.Location.Path, f.Location.Region, f.Severity, fp,
					w.Location.Path, w.Location.Region, w.Severity, wp)
			}
		}
		for k := range want {
			t.Errorf("%s: %s of %s missing", s, k, j)
		}
	}

	// Two findings of the vulnerability scan, spelled out.
	got := map[string]*finding.Finding{}
	for _, f := range readSARIF(t, realOut+"trivy-v0.74.0-root-vuln-sarif.sarif", root) {
		got[f.Rule.ID] = f
	}
	for _, c := range []struct {
		rule, path string
		line       int
		sev        finding.Severity
		pkg        finding.Package
	}{
		{"CVE-2020-8203", "samples/js/package-lock.json", 14, finding.SeverityHigh,
			finding.Package{Name: "lodash", Version: "4.17.15", FixedVersion: "4.17.19", Ecosystem: "npm", PURL: "pkg:npm/lodash@4.17.15"}},
		{"CVE-2023-39325", "samples/go/go.mod", 0, finding.SeverityInfo,
			finding.Package{Name: "golang.org/x/net", Version: "v0.7.0", FixedVersion: "0.17.0", Ecosystem: "Go", PURL: "pkg:golang/golang.org/x/net@v0.7.0"}},
	} {
		f := got[c.rule]
		if f == nil {
			t.Errorf("no finding of rule %s", c.rule)
			continue
		}
		if f.Location.Path != c.path || f.Location.Region.StartLine != c.line || f.Severity != c.sev ||
			f.Category != finding.CategoryDependency || *f.Location.Package != c.pkg {
			t.Errorf("%s: %q %+v %s %s %+v", c.rule, f.Location.Path, f.Location.Region, f.Severity, f.Category, *f.Location.Package)
		}
	}
}

// recordedTree returns where testdata/real/tree was when record.sh made
// the recordings: the tools wrote absolute paths under it, which are read
// lexically here, so the test holds in any checkout.
func recordedTree() (string, error) { return "/work/main/testdata/real/tree", nil }
