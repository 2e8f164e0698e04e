package grype

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// claims says whether the adapter named name must claim the corpus file r.
func claims(r corpustest.Row, name string) bool {
	return r.Tool == "grype" && strings.HasPrefix(r.Format, "native")
}

// TestDetectCorpus checks that Detect claims this tool's native reports (as
// claims says) and nothing else in the corpus, even with the head cut short.
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, Adapters()...) }

// TestCorpus decodes every native Grype report of the corpus: one finding
// per element of "matches", as the manifest counts.
func TestCorpus(t *testing.T) {
	corpustest.DecodeEach(t, claims, Adapter{}, nil, func(t *testing.T, r corpustest.Row, _ finding.Tool, got []*finding.Finding) {
		path := r.Path
		r.CheckCount(t, len(got))
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var raw struct {
			Matches []struct {
				Vulnerability struct{ Severity string }
			}
			Source struct{ Type string }
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(raw.Matches) {
			t.Fatalf("%d findings for %d matches", len(got), len(raw.Matches))
		}
		for i, f := range got {
			if f.OriginalSeverity != raw.Matches[i].Vulnerability.Severity {
				t.Errorf("finding %d: original severity %q, grype said %q", i, f.OriginalSeverity, raw.Matches[i].Vulnerability.Severity)
			}
			if want, _ := finding.ParseSeverity(f.OriginalSeverity); f.Severity != want {
				t.Errorf("finding %d: severity %v for %q", i, f.Severity, f.OriginalSeverity)
			}
			if want := raw.Source.Type == "image"; (f.Category == finding.CategoryContainer) != want {
				t.Errorf("finding %d: category %v for source type %q", i, f.Category, raw.Source.Type)
			}
		}
	})
}

// TestSpot checks a few findings field by field.
func TestSpot(t *testing.T) {
	tool, got := corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, "grype/grype-check-all-fields.json"), nil)
	if tool.Name != "grype" || tool.Version != "0.28.0" {
		t.Errorf("tool %+v", tool)
	}
	f := got[0]
	p := f.Location.Package
	if f.Rule.ID != "CVE-2004-0971" || f.Category != finding.CategoryContainer || f.Severity != finding.SeverityInfo ||
		f.OriginalSeverity != "Negligible" || strings.Join(f.VulnIDs, ",") != "CVE-2004-0971" ||
		p.Name != "libgssapi-krb5-2" || p.Version != "1.17-3+deb10u3" || p.Image != "vulnerable-image:latest" ||
		p.Layer != "sha256:88a5584c6af8c220f94abb05315c2695505c8b9e2344a0aa879721b871d32b03" || p.Ecosystem != "Debian:10" ||
		p.PURL != "pkg:deb/debian/libgssapi-krb5-2@1.17-3+deb10u3?arch=amd64" || f.Properties["grype.fixState"] != "not-fixed" ||
		!strings.HasPrefix(f.Rule.FullDescription, "The krb5-send-pr script") {
		t.Errorf("first match: %+v %+v", f, p)
	}
	for _, f := range got {
		if f.Rule.ID == "CVE-2021-44420" || strings.HasPrefix(f.Rule.ID, "GHSA") {
			t.Logf("%s %v %s %+v", f.Rule.ID, f.VulnIDs, f.Severity, f.Location.Package)
		}
	}
	_, got = corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, "grype/grype-many-vulns.json"), nil)
	f = got[0]
	if f.Rule.ID != "CVE-2011-3389" || f.Severity != finding.SeverityMedium || f.Properties["cvss.baseScore"] != "4.3" ||
		f.Location.Package.Image != "python:3.6" || f.Rule.HelpURI != "https://security-tracker.debian.org/tracker/CVE-2011-3389" ||
		f.Properties["grype.matchers"] != "dpkg-matcher" {
		t.Errorf("grype 0.7 match: %+v", f)
	}
	_, got = corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, "grype/grype-epss.json"), nil)
	f = got[0]
	if f.Rule.ID != "CVE-2022-28391" || f.Severity != finding.SeverityHigh || f.Properties["cvss.baseScore"] != "8.8" ||
		f.Properties["epss.score"] == "" || f.Location.Package.Name != "busybox" {
		t.Errorf("epss match: %+v", f)
	}
}

// TestDirectory checks a directory scan: category dependency, the
// location as the manifest path.
func TestDirectory(t *testing.T) {
	in := `{"matches":[{"vulnerability":{"id":"GHSA-x","severity":"High","fix":{"versions":["1.2.3"],"state":"fixed"}},
"relatedVulnerabilities":[{"id":"CVE-2020-1"}],"matchDetails":[],"artifact":{"name":"lodash","version":"1.0.0","type":"npm",
"locations":[{"path":"/web/package-lock.json"}],"purl":"pkg:npm/lodash@1.0.0"}}],
"source":{"type":"directory","target":"."},"descriptor":{"name":"grype","version":"0.80.0"}}`
	if !(Adapter{}).Detect([]byte(in)) {
		t.Error("Detect false")
	}
	var got []*finding.Finding
	_, err := Adapter{}.Decode(strings.NewReader(in), "d.json", nil, func(f *finding.Finding) error {
		got = append(got, f)
		return f.Validate()
	})
	if err != nil || len(got) != 1 {
		t.Fatalf("err %v, %d findings", err, len(got))
	}
	f := got[0]
	if f.Category != finding.CategoryDependency || f.Location.Path != "web/package-lock.json" || strings.Join(f.VulnIDs, ",") != "GHSA-x,CVE-2020-1" ||
		f.Location.Package.FixedVersion != "1.2.3" || f.Location.Package.Ecosystem != "npm" {
		t.Errorf("%+v %+v", f, f.Location.Package)
	}
}

// TestWrongShape checks that reports of other shapes are format errors.
func TestWrongShape(t *testing.T) {
	for name, in := range map[string]string{
		"empty":     "",
		"text":      "hello",
		"truncated": `{"matches": [{"vulnerability": {"id": "CVE-1"`,
		"other":     `{"SchemaVersion": 2, "Results": []}`,
		"array":     `[]`,
	} {
		_, err := Adapter{}.Decode(strings.NewReader(in), name+".json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), name+".json") {
			t.Errorf("%s: err = %v, want a format error naming the file", name, err)
		}
	}
}
