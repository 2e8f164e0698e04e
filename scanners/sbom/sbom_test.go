package sbom_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
	"github.com/scanmux/scanmux/scanners/sbom"
)

// TestCorpus checks that neither adapter claims a corpus file: the
// corpus has no SBOM.
func TestCorpus(t *testing.T) { corpustest.CheckDetect(t, corpustest.None, sbom.Adapters()...) }

// decodeErr decodes the file path with a and returns the tool and the
// error, failing the test on any finding.
func decodeErr(t *testing.T, a scanners.Adapter, path string) (finding.Tool, error) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	return a.Decode(fh, path, nil, func(f *finding.Finding) error {
		t.Errorf("%s: unexpected finding %+v", path, f)
		return nil
	})
}

// TestNotFindings decodes real SBOMs without vulnerabilities: each is
// recognized by its adapter only, and refused with an error wrapping
// ErrNotFindings (and ErrFormat) that says what it is.
func TestNotFindings(t *testing.T) {
	for _, tc := range []struct {
		path, adapter, msg string
		tool               finding.Tool
	}{
		{"testdata/cyclonedx-gomod-1.10.0-cdx1.5.json", "cyclonedx", "this is an SBOM (CycloneDX 1.5), not a findings report",
			finding.Tool{Name: "cyclonedx-gomod", Version: "v1.10.0"}},
		{"testdata/cyclonedx-gomod-1.10.0-cdx1.6.json", "cyclonedx", "this is an SBOM (CycloneDX 1.6), not a findings report",
			finding.Tool{Name: "cyclonedx-gomod", Version: "v1.10.0"}},
		{"testdata/cyclonedx-gomod-1.10.0-cdx1.5.xml", "cyclonedx", "this is an SBOM (CycloneDX 1.5), not a findings report",
			finding.Tool{Name: "cyclonedx-gomod", Version: "v1.10.0"}},
		// trivy's SBOM has an empty vulnerabilities array.
		{"testdata/trivy-0.74.0-sbom-cdx1.7.json", "cyclonedx", "this is an SBOM (CycloneDX 1.7), not a findings report",
			finding.Tool{Name: "trivy", Version: "dev"}},
		{"testdata/trivy-0.74.0.spdx.json", "spdx", "this is an SBOM (SPDX-2.3), not a findings report",
			finding.Tool{Name: "trivy", Version: "dev"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			head := corpustest.Head(t, tc.path)
			var a scanners.Adapter
			for _, ad := range sbom.Adapters() {
				if got, want := ad.Detect(head), ad.Name() == tc.adapter; got != want {
					t.Errorf("%s: Detect = %v", ad.Name(), got)
				}
				if ad.Name() == tc.adapter {
					a = ad
				}
			}
			tool, err := decodeErr(t, a, tc.path)
			if !errors.Is(err, sbom.ErrNotFindings) || !errors.Is(err, scanners.ErrFormat) || err.Error() != tc.path+": "+tc.msg {
				t.Errorf("error %v, want %q wrapping ErrNotFindings and ErrFormat", err, tc.path+": "+tc.msg)
			}
			if tool != tc.tool {
				t.Errorf("tool %+v, want %+v", tool, tc.tool)
			}
		})
	}
}

// TestOSVScanner decodes osv-scanner v2.6.0's real CycloneDX 1.6 output
// (with vulnerabilities) on a tree with lodash 4.17.15 and
// golang.org/x/net v0.7.0.
func TestOSVScanner(t *testing.T) {
	path := "testdata/osv-scanner-v2.6.0-cyclonedx.json"
	if !(sbom.CycloneDX{}).Detect(corpustest.Head(t, path)) || (sbom.SPDX{}).Detect(corpustest.Head(t, path)) {
		t.Error("Detect: want cyclonedx only")
	}
	tool, got := corpustest.DecodeFile(t, sbom.CycloneDX{}, path, nil)
	// osv-scanner writes no metadata, so no tool.
	if tool != (finding.Tool{Name: "cyclonedx"}) {
		t.Errorf("tool %+v", tool)
	}
	type row struct {
		ID, VulnIDs, Sev, Orig, Pkg string
	}
	var have []row
	for _, f := range got {
		r := row{ID: f.Rule.ID, VulnIDs: strings.Join(f.VulnIDs, ","), Sev: f.Severity.String(), Orig: f.OriginalSeverity}
		if p := f.Location.Package; p != nil {
			r.Pkg = strings.Join([]string{p.Name, p.Version, p.PURL, p.Ecosystem}, " ")
		}
		have = append(have, r)
		if f.Category != finding.CategoryDependency || f.Location.Path != "" {
			t.Errorf("%s: %+v", f.Rule.ID, f)
		}
	}
	lodash := "lodash 4.17.15 pkg:npm/lodash@4.17.15 npm"
	want := []row{
		// CVSS 3.1 base scores from the vectors alone: 5.3, 7.2 and 7.4.
		{"GHSA-29mw-wpgm-hmr9", "GHSA-29mw-wpgm-hmr9,CVE-2020-28500", "medium", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", lodash},
		{"GHSA-35jh-r3h4-6jhm", "GHSA-35jh-r3h4-6jhm,CVE-2021-23337", "high", "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", lodash},
		{"GHSA-p6mc-m468-83gw", "GHSA-p6mc-m468-83gw,CVE-2020-8203", "high", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H", lodash},
		// The Go advisories have no rating and an empty affects ref.
		{"GO-2023-1988", "GO-2023-1988,CVE-2023-3978,GHSA-2wrh-6pvc-2jm9", "medium", "", ""},
		{"GO-2023-2102", "GO-2023-2102,CVE-2023-39325,GHSA-4374-p667-p6c8", "medium", "", ""},
		{"GO-2024-3333", "GO-2024-3333,CVE-2024-45338,GHSA-w32m-9786-jp63", "medium", "", ""},
	}
	if !slices.Equal(have, want) {
		t.Errorf("findings:\n%v\nwant:\n%v", have, want)
	}
	f := got[0]
	if f.Message != "lodash 4.17.15 is affected by GHSA-29mw-wpgm-hmr9: Regular Expression Denial of Service (ReDoS) in lodash" ||
		f.Rule.HelpURI != "https://nvd.nist.gov/vuln/detail/CVE-2020-28500" ||
		!strings.HasPrefix(f.Rule.FullDescription, "All versions of package lodash prior to 4.17.21 are vulnerable") {
		t.Errorf("first finding: %+v", f)
	}
	if g := got[5]; g.Properties["cyclonedx.severityNote"] == "" || g.Message != "Vulnerability GO-2024-3333: Non-linear parsing of case-insensitive content in golang.org/x/net/html" {
		t.Errorf("GO-2024-3333: %+v", g)
	}
}

// TestTrivy decodes trivy v0.74.0's real CycloneDX 1.7 output of a
// vulnerability scan of testdata/real/tree/samples (lodash 4.17.15 and
// golang.org/x/net v0.7.0) with a small local database.
func TestTrivy(t *testing.T) {
	path := "testdata/trivy-0.74.0-vuln-cdx1.7.json"
	if !(sbom.CycloneDX{}).Detect(corpustest.Head(t, path)) {
		t.Error("Detect false")
	}
	tool, got := corpustest.DecodeFile(t, sbom.CycloneDX{}, path, nil)
	if tool != (finding.Tool{Name: "trivy", Version: "dev"}) {
		t.Errorf("tool %+v", tool)
	}
	type row struct {
		ID, Sev, Orig, Name, Fixed, Eco, Path string
		CWEs                                  []int
	}
	want := []row{
		{"CVE-2020-28500", "medium", "medium", "lodash", "4.17.21", "npm", "js/package-lock.json", []int{400, 1333}},
		{"CVE-2020-8203", "high", "high", "lodash", "4.17.19", "npm", "js/package-lock.json", []int{770, 1321}},
		{"CVE-2021-23337", "high", "high", "lodash", "4.17.21", "npm", "js/package-lock.json", []int{77, 94}},
		// The Go advisories have no rating in the database: medium assumed.
		{"CVE-2023-39325", "medium", "", "golang.org/x/net", "0.17.0", "Go", "go/go.mod", nil},
		{"CVE-2023-3978", "medium", "", "golang.org/x/net", "0.13.0", "Go", "go/go.mod", nil},
		{"CVE-2024-45338", "medium", "", "golang.org/x/net", "0.33.0", "Go", "go/go.mod", nil},
	}
	if len(got) != len(want) {
		t.Fatalf("%d findings, want %d", len(got), len(want))
	}
	for i, f := range got {
		p := f.Location.Package
		have := row{f.Rule.ID, f.Severity.String(), f.OriginalSeverity, p.Name, p.FixedVersion, p.Ecosystem, f.Location.Path, f.CWEs}
		w := want[i]
		if have.ID != w.ID || have.Sev != w.Sev || have.Orig != w.Orig || have.Name != w.Name || have.Fixed != w.Fixed ||
			have.Eco != w.Eco || have.Path != w.Path || !slices.Equal(have.CWEs, w.CWEs) || f.Category != finding.CategoryDependency {
			t.Errorf("finding %d: %+v, want %+v", i, have, w)
		}
	}
	if f := got[0]; f.Message != "lodash 4.17.15 is affected by CVE-2020-28500 (fixed in 4.17.21): "+
		"All versions of package lodash prior to 4.17.21 are vulnerable to Regular Expression Denial of Service (ReDoS) via the toNumber, trim and trimEnd functions." ||
		f.Location.Package.PURL != "pkg:npm/lodash@4.17.15" || f.Location.Package.Version != "4.17.15" {
		t.Errorf("first: %+v %+v", f, f.Location.Package)
	}
}

// TestGrype decodes grype v0.121.3's real CycloneDX 1.7 output of a scan
// of testdata/real/tree: a directory scan whose paths start with "/".
func TestGrype(t *testing.T) {
	path := "testdata/grype-v0.121.3-root-cyclonedx.json"
	tool, got := corpustest.DecodeFile(t, sbom.CycloneDX{}, path, &scanners.Options{Root: "/src"})
	// grype built from source writes the version "[not provided]".
	if tool != (finding.Tool{Name: "grype"}) {
		t.Errorf("tool %+v", tool)
	}
	type row struct{ ID, Sev, Fixed, Path string }
	want := []row{
		{"GHSA-35jh-r3h4-6jhm", "high", "4.17.21", "samples/js/package-lock.json"},
		{"GHSA-p6mc-m468-83gw", "high", "4.17.19", "samples/js/package-lock.json"},
		{"GHSA-29mw-wpgm-hmr9", "medium", "4.17.21", "samples/js/package-lock.json"},
		// grype rates the Go advisories "unknown": info.
		{"GO-2023-1988", "info", "0.13.0", "samples/go/go.mod"},
		{"GO-2023-2102", "info", "0.17.0", "samples/go/go.mod"},
		{"GO-2024-3333", "info", "0.33.0", "samples/go/go.mod"},
	}
	var have []row
	for _, f := range got {
		have = append(have, row{f.Rule.ID, f.Severity.String(), f.Location.Package.FixedVersion, f.Location.Path})
	}
	if !slices.Equal(have, want) {
		t.Errorf("findings:\n%v\nwant:\n%v", have, want)
	}
	if f := got[0]; strings.Join(f.VulnIDs, ",") != "GHSA-35jh-r3h4-6jhm" || f.Rule.HelpURI != "https://nvd.nist.gov/vuln/detail/CVE-2021-23337" ||
		f.Message != "lodash 4.17.15 is affected by GHSA-35jh-r3h4-6jhm (fixed in 4.17.21): Command Injection in lodash" {
		t.Errorf("first: %+v", f)
	}
}

// TestTrivyShape decodes a CycloneDX 1.6 BOM with vulnerabilities shaped
// as trivy v0.74.0 writes one (pkg/sbom/cyclonedx/marshal.go): NOT a real
// trivy output (TestTrivy has one); see testdata/README.md. It holds what
// the real one lacks: a vulnerability of two packages, with trivy's joined
// recommendations, and a Maven component.
func TestTrivyShape(t *testing.T) {
	path := "testdata/trivy-shape-cdx1.6.json"
	tool, got := corpustest.DecodeFile(t, sbom.CycloneDX{}, path, &scanners.Options{Root: "/src"})
	if tool != (finding.Tool{Name: "trivy", Version: "0.74.0"}) {
		t.Errorf("tool %+v", tool)
	}
	if len(got) != 3 {
		t.Fatalf("%d findings, want 3", len(got))
	}
	// CVE-2023-39325 affects two packages: one finding each, each with its
	// own fixed version from the joined recommendation.
	type row struct {
		ID, Sev, Orig, Name, Version, Fixed, Eco, Path string
		CWEs                                           []int
	}
	var have []row
	for _, f := range got {
		p := f.Location.Package
		have = append(have, row{f.Rule.ID, f.Severity.String(), f.OriginalSeverity, p.Name, p.Version, p.FixedVersion, p.Ecosystem, f.Location.Path, f.CWEs})
	}
	want := []row{
		{"CVE-2023-39325", "high", "high", "golang.org/x/net", "v0.7.0", "0.17.0", "Go", "go.mod", []int{400, 770}},
		{"CVE-2023-39325", "high", "high", "org.example:http2", "1.0.0", "1.0.1", "Maven", "app/pom.xml", []int{400, 770}},
		{"CVE-2024-45338", "medium", "medium", "golang.org/x/net", "v0.7.0", "0.33.0", "Go", "go.mod", nil},
	}
	if !slices.EqualFunc(have, want, func(a, b row) bool {
		return a.ID == b.ID && a.Sev == b.Sev && a.Orig == b.Orig && a.Name == b.Name && a.Version == b.Version &&
			a.Fixed == b.Fixed && a.Eco == b.Eco && a.Path == b.Path && slices.Equal(a.CWEs, b.CWEs)
	}) {
		t.Errorf("findings:\n%v\nwant:\n%v", have, want)
	}
	if f := got[0]; f.Message != "golang.org/x/net v0.7.0 is affected by CVE-2023-39325 (fixed in 0.17.0): "+
		"A malicious HTTP/2 client which rapidly creates requests and immediately resets them can cause excessive server resource consumption." ||
		f.Rule.HelpURI != "https://avd.aquasec.com/nvd/cve-2023-39325" || f.Properties["cyclonedx.source"] != "ghsa" {
		t.Errorf("first: %+v", f)
	}
}

// TestContainer checks a container image's BOM: category container and
// the image, with an OS package's ecosystem from the purl's distro.
func TestContainer(t *testing.T) {
	in := `{"bomFormat":"CycloneDX","specVersion":"1.5",
"metadata":{"tools":{"components":[{"type":"application","group":"aquasecurity","name":"trivy","version":"0.74.0"}]},
 "component":{"bom-ref":"img","type":"container","name":"debian:12"}},
"components":[{"bom-ref":"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.4","type":"library","name":"openssl","version":"3.0.11-1~deb12u2",
 "purl":"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.4",
 "properties":[{"name":"aquasecurity:trivy:LayerDigest","value":"sha256:abc"}]}],
"vulnerabilities":[{"id":"CVE-2024-0727","ratings":[{"source":{"name":"debian"},"severity":"low"},{"source":{"name":"nvd"},"score":5.5,"method":"CVSSv31","severity":"medium"}],
 "recommendation":"Upgrade openssl to version 3.0.13-1~deb12u1",
 "affects":[{"ref":"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.4","versions":[{"version":"3.0.11-1~deb12u2","status":"affected"}]}]}]}`
	tool, got := corpustest.Decode(t, sbom.CycloneDX{}, strings.NewReader(in), "image.cdx.json", nil)
	if tool.Name != "trivy" || len(got) != 1 {
		t.Fatalf("tool %+v, %d findings", tool, len(got))
	}
	f := got[0]
	want := finding.Package{Name: "openssl", Version: "3.0.11-1~deb12u2", FixedVersion: "3.0.13-1~deb12u1", Ecosystem: "Debian:12.4",
		PURL: "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.4", Image: "debian:12", Layer: "sha256:abc"}
	if f.Category != finding.CategoryContainer || *f.Location.Package != want || f.Severity != finding.SeverityMedium || f.OriginalSeverity != "medium" {
		t.Errorf("%+v %+v", f, f.Location.Package)
	}
}

// TestXMLVulnerabilities checks that CycloneDX XML's vulnerabilities are
// read as JSON's are.
func TestXMLVulnerabilities(t *testing.T) {
	in := `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <metadata><tools><components><component type="application"><name>grype</name><version>0.80.0</version></component></components></tools></metadata>
  <components>
    <component type="library" bom-ref="lodash-ref"><name>lodash</name><version>4.17.15</version><purl>pkg:npm/lodash@4.17.15</purl>
      <evidence><occurrences><occurrence><location>/src/package-lock.json</location></occurrence></occurrences></evidence></component>
  </components>
  <vulnerabilities>
    <vulnerability bom-ref="v1">
      <id>GHSA-35jh-r3h4-6jhm</id>
      <references><reference><id>CVE-2021-23337</id><source><name>nvd</name></source></reference></references>
      <ratings><rating><score>7.2</score><method>CVSSv31</method></rating></ratings>
      <cwes><cwe>94</cwe><cwe>77</cwe></cwes>
      <description>Command Injection in lodash</description>
      <analysis><state>not_affected</state><justification>code_not_reachable</justification><detail>lodash.template is never called</detail></analysis>
      <affects><target><ref>lodash-ref</ref><versions><version><version>4.17.21</version><status>unaffected</status></version></versions></target></affects>
    </vulnerability>
  </vulnerabilities>
</bom>`
	if !(sbom.CycloneDX{}).Detect([]byte(in)) {
		t.Error("Detect false")
	}
	tool, got := corpustest.Decode(t, sbom.CycloneDX{}, strings.NewReader(in), "bom.xml", &scanners.Options{Root: "/src"})
	if tool != (finding.Tool{Name: "grype", Version: "0.80.0"}) || len(got) != 1 {
		t.Fatalf("tool %+v, %d findings", tool, len(got))
	}
	f := got[0]
	if f.Rule.ID != "GHSA-35jh-r3h4-6jhm" || strings.Join(f.VulnIDs, ",") != "GHSA-35jh-r3h4-6jhm,CVE-2021-23337" ||
		f.Severity != finding.SeverityHigh || !slices.Equal(f.CWEs, []int{77, 94}) || f.Location.Path != "package-lock.json" ||
		f.Location.Package.FixedVersion != "4.17.21" || f.Location.Package.Ecosystem != "npm" ||
		f.Message != "lodash 4.17.15 is affected by GHSA-35jh-r3h4-6jhm (fixed in 4.17.21): Command Injection in lodash" {
		t.Errorf("%+v %+v", f, f.Location.Package)
	}
	if !f.Suppressed() || f.Suppressions[0].Kind != finding.SuppressionExternal ||
		f.Suppressions[0].Justification != "code_not_reachable: lodash.template is never called" ||
		f.Properties["cyclonedx.analysisState"] != "not_affected" {
		t.Errorf("VEX analysis: %+v %v", f.Suppressions, f.Properties)
	}
}

// TestSPDX checks that SPDX JSON and tag-value documents are refused as
// SBOMs, naming their version.
func TestSPDX(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{`{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","creationInfo":{"creators":["Organization: x","Tool: trivy-0.74.0"]}}`,
			"in: this is an SBOM (SPDX-2.3), not a findings report"},
		{"# made by hand\nSPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\nCreator: Tool: trivy-0.74.0\n",
			"in: this is an SBOM (SPDX-2.2), not a findings report"},
	} {
		if !(sbom.SPDX{}).Detect([]byte(tc.in)) || (sbom.CycloneDX{}).Detect([]byte(tc.in)) {
			t.Errorf("Detect: want spdx only for %.30q", tc.in)
		}
		tool, err := sbom.SPDX{}.Decode(strings.NewReader(tc.in), "in", nil, nil)
		if !errors.Is(err, sbom.ErrNotFindings) || err.Error() != tc.msg || tool != (finding.Tool{Name: "trivy", Version: "0.74.0"}) {
			t.Errorf("%v, tool %+v; want %q", err, tool, tc.msg)
		}
	}
}

// TestEmptyVulnerabilities checks that an empty vulnerabilities array
// counts as none: trivy writes one in every CycloneDX BOM.
func TestEmptyVulnerabilities(t *testing.T) {
	for _, in := range []string{
		`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[],"vulnerabilities":[]}`,
		`<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><vulnerabilities/></bom>`,
	} {
		_, err := sbom.CycloneDX{}.Decode(strings.NewReader(in), "in", nil, func(f *finding.Finding) error {
			t.Errorf("finding %+v", f)
			return nil
		})
		if !errors.Is(err, sbom.ErrNotFindings) {
			t.Errorf("%s: error %v, want ErrNotFindings", in, err)
		}
	}
}

func TestWrongShape(t *testing.T) {
	for name, tc := range map[string]struct {
		a  scanners.Adapter
		in string
	}{
		"cdx empty":     {sbom.CycloneDX{}, ""},
		"cdx not json":  {sbom.CycloneDX{}, "{bomFormat"},
		"cdx other":     {sbom.CycloneDX{}, `{"bomFormat":"SPDX"}`},
		"cdx bad vulns": {sbom.CycloneDX{}, `{"bomFormat":"CycloneDX","vulnerabilities":{}}`},
		"cdx other xml": {sbom.CycloneDX{}, `<bom xmlns="http://example.com/bom"/>`},
		"cdx bad xml":   {sbom.CycloneDX{}, `<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>`},
		"spdx empty":    {sbom.SPDX{}, ""},
		"spdx other":    {sbom.SPDX{}, `{"bomFormat":"CycloneDX"}`},
		"spdx text":     {sbom.SPDX{}, "hello"},
	} {
		_, err := tc.a.Decode(strings.NewReader(tc.in), "in.json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || errors.Is(err, sbom.ErrNotFindings) || !strings.HasPrefix(err.Error(), "in.json: ") {
			t.Errorf("%s: error %v, want a format error naming the file", name, err)
		}
	}
}

func TestEmitError(t *testing.T) {
	stop := errors.New("stop")
	b, err := os.ReadFile("testdata/osv-scanner-v2.6.0-cyclonedx.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = sbom.CycloneDX{}.Decode(strings.NewReader(string(b)), "in", nil, func(*finding.Finding) error { return stop })
	if err != stop {
		t.Errorf("error %v, want the emit error", err)
	}
}

func TestDetect(t *testing.T) {
	for _, s := range []string{
		`{"runs":[],"version":"2.1.0"}`,
		`{"SchemaVersion":2,"ArtifactName":".","Results":[]}`,
		`<?xml version="1.0"?><checkstyle version="4.3"/>`,
		`<bom xmlns="http://example.com/bom"/>`,
		`{"results":[{"source":{"path":"/src/package-lock.json"}}]}`,
	} {
		for _, a := range sbom.Adapters() {
			if a.Detect([]byte(s)) {
				t.Errorf("%s claims %s", a.Name(), s)
			}
		}
	}
	full, err := os.ReadFile("testdata/cyclonedx-gomod-1.10.0-cdx1.5.xml")
	if err != nil {
		t.Fatal(err)
	}
	for i := range full {
		for _, a := range sbom.Adapters() {
			a.Detect(full[:i]) // must not panic
		}
	}
}
