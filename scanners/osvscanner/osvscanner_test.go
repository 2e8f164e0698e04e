package osvscanner

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
	return r.Tool == "osv-scanner" && strings.HasPrefix(r.Format, "native")
}

// TestDetectCorpus checks that Detect claims this tool's native reports (as
// claims says) and nothing else in the corpus, even with the head cut short.
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, Adapters()...) }

// TestCorpus decodes every native osv-scanner report of the corpus. The
// manifest's num_results counts OSV entries (packages[].vulnerabilities);
// the adapter makes one finding per alias group (packages[].groups), so the
// expected count is computed from the raw JSON, and the manifest's count
// must equal the number of entries the groups list.
func TestCorpus(t *testing.T) {
	corpustest.DecodeEach(t, claims, Adapter{}, nil, func(t *testing.T, r corpustest.Row, _ finding.Tool, got []*finding.Finding) {
		path := r.Path
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var raw struct {
			Results []struct {
				Packages []struct {
					Vulnerabilities []json.RawMessage
					Groups          []struct{ IDs []string }
				}
			}
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		groups, ids, entries := 0, 0, 0
		for _, res := range raw.Results {
			for _, p := range res.Packages {
				groups += len(p.Groups)
				entries += len(p.Vulnerabilities)
				for _, g := range p.Groups {
					ids += len(g.IDs)
				}
			}
		}
		if len(got) != groups {
			t.Errorf("%d findings for %d groups", len(got), groups)
		}
		if r.Num >= 0 && (entries != r.Num || ids != r.Num) {
			t.Errorf("manifest counts %d, the report has %d entries and its groups %d ids", r.Num, entries, ids)
		}
		for _, f := range got {
			if f.Category != finding.CategoryDependency {
				t.Errorf("%s: category %v", f.Rule.ID, f.Category)
			}
			if f.OriginalSeverity != "" {
				if want, _ := finding.ParseSeverity(f.OriginalSeverity); f.Severity != want {
					t.Errorf("%s: severity %v from %q", f.Rule.ID, f.Severity, f.OriginalSeverity)
				}
			} else if f.Severity != finding.SeverityMedium || f.Properties["osv.severityNote"] == "" {
				t.Errorf("%s: no original severity but severity %v", f.Rule.ID, f.Severity)
			}
		}
	})
}

// TestSpot checks a few findings field by field.
func TestSpot(t *testing.T) {
	tool, got := corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, "osv-scanner/osv-scanner-many.json"), nil)
	if tool.Name != "osv-scanner" {
		t.Errorf("tool %+v", tool)
	}
	byID := map[string]*finding.Finding{}
	for _, f := range got {
		byID[f.Rule.ID+" "+f.Location.Package.Name] = f
	}
	f := byID["GHSA-25mq-v84q-4j7r guzzlehttp/guzzle"]
	if f == nil {
		t.Fatal("no GHSA-25mq-v84q-4j7r")
	}
	p := f.Location.Package
	if strings.Join(f.VulnIDs, ",") != "GHSA-25mq-v84q-4j7r,CVE-2022-31090" || p.Version != "6.3.3" || p.FixedVersion != "6.5.8" ||
		p.Ecosystem != "Packagist" || p.PURL != "pkg:composer/guzzlehttp/guzzle@6.3.3" || f.Location.Path != "" ||
		f.Properties["osv.source"] != "/tmpcardmarket-api/composer.lock" ||
		f.Rule.ShortDescription != "CURLOPT_HTTPAUTH option not cleared on change of origin" {
		t.Errorf("guzzle: %+v %+v", f, p)
	}
	f = byID["GHSA-q7rv-6hp3-vh96 guzzlehttp/psr7"]
	if f == nil || !strings.HasPrefix(strings.Join(f.VulnIDs, ","), "GHSA-q7rv-6hp3-vh96,GHSA-wxmh-65f7-jcvw") {
		t.Errorf("psr7 group of two: %+v", f)
	}
	f = byID["CVE-2023-50094 https://github.com/yogeshojha/rengine"]
	if f == nil || f.Location.Package.Version != "f5f3c22f3ed5a6804a2a8d9ee9fa43044cfa24a6" || f.Severity != finding.SeverityMedium {
		t.Errorf("git package: %+v", f)
	}
	f = byID["GHSA-h5c8-rqwp-cp95 jinja2"]
	if f == nil || f.Severity != finding.SeverityMedium || f.OriginalSeverity != "MODERATE" || f.Location.Package.FixedVersion != "3.1.3" ||
		len(f.CWEs) != 1 || f.CWEs[0] != 79 {
		t.Errorf("jinja2: %+v", f)
	}
	// A scan root makes the lockfile path relative.
	_, got = corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, "osv-scanner/osv-scanner-many.json"), &scanners.Options{Root: "/tmpgapps"})
	found := false
	for _, f := range got {
		if f.Location.Path == "requirements.txt" {
			found = true
		}
	}
	if !found {
		t.Error("no finding with path requirements.txt under root /tmpgapps")
	}
}

// TestMaxSeverity checks the group's CVSS score wins.
func TestMaxSeverity(t *testing.T) {
	in := `{"results":[{"source":{"path":"go.mod","type":"lockfile"},"packages":[{"package":{"name":"golang.org/x/net","version":"0.7.0","ecosystem":"Go"},
"vulnerabilities":[{"id":"GO-2023-2102","aliases":["CVE-2023-39325","GHSA-4374-p667-p6c8"],"summary":"HTTP/2 rapid reset",
"affected":[{"package":{"name":"golang.org/x/net","ecosystem":"Go","purl":"pkg:golang/golang.org/x/net"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.17.0"}]}]}],
"database_specific":{"severity":"LOW"}}],
"groups":[{"ids":["GO-2023-2102"],"aliases":["CVE-2023-39325","GHSA-4374-p667-p6c8","GO-2023-2102"],"max_severity":"7.5"}]}]}]}`
	if !(Adapter{}).Detect([]byte(in)) {
		t.Error("Detect false")
	}
	var got []*finding.Finding
	_, err := Adapter{}.Decode(strings.NewReader(in), "x.json", nil, func(f *finding.Finding) error {
		got = append(got, f)
		return f.Validate()
	})
	if err != nil || len(got) != 1 {
		t.Fatalf("%v, %d findings", err, len(got))
	}
	f := got[0]
	if f.Severity != finding.SeverityHigh || f.OriginalSeverity != "7.5" || f.Location.Path != "go.mod" ||
		strings.Join(f.VulnIDs, ",") != "GO-2023-2102,CVE-2023-39325,GHSA-4374-p667-p6c8" || f.Location.Package.FixedVersion != "0.17.0" {
		t.Errorf("%+v %+v", f, f.Location.Package)
	}
}

// TestCompareVersions checks the version order used for fixed versions.
func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0", 0}, {"1.2", "1.10", -1}, {"v1.2.0", "1.2.0", 0}, {"1.0rc1", "1.0", -1},
		{"1.0", "1.0.1", -1}, {"2.0.0", "1.9.9", 1}, {"3.0.0a1", "3.0.0rc1", -1},
	} {
		if got := compareVersions(c.a, c.b); got != c.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestWrongShape checks that reports of other shapes are format errors.
func TestWrongShape(t *testing.T) {
	for name, in := range map[string]string{
		"empty":     "",
		"text":      "hello",
		"truncated": `{"results": [{"source": {"path": "x"}, "packages": [`,
		"other":     `{"matches": []}`,
	} {
		_, err := Adapter{}.Decode(strings.NewReader(in), name+".json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), name+".json") {
			t.Errorf("%s: err = %v, want a format error naming the file", name, err)
		}
	}
}
