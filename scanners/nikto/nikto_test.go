package nikto

import (
	"encoding/xml"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// claims says whether the adapter named name must claim the corpus file r:
// the corpus has no Nikto report, so none.
func claims(r corpustest.Row, name string) bool { return r.Tool == "nikto" }

// TestDetectCorpus checks that Detect claims this tool's native reports (as
// claims says) and nothing else in the corpus, even with the head cut short.
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, Adapters()...) }

// countItems counts the item elements of a report with generic XML code.
func countItems(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	n := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return n
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "item" {
			n++
		}
	}
}

// TestTestdata decodes the hand-written reports (see testdata/README.md:
// Nikto could not be installed here).
func TestTestdata(t *testing.T) {
	for _, c := range []struct{ file, version string }{
		{"testdata/nikto-2.5-handwritten.xml", "2.5.0"},
		{"testdata/nikto-2.1-handwritten.xml", "2.1.5"},
	} {
		b, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if !(Adapter{}).Detect(b) {
			t.Errorf("%s: Detect false", c.file)
		}
		tool, got := corpustest.DecodeFile(t, Adapter{}, c.file, nil)
		if want := countItems(t, c.file); len(got) != want || want == 0 {
			t.Errorf("%s: %d findings for %d items", c.file, len(got), want)
		}
		if tool.Name != "nikto" || tool.Version != c.version {
			t.Errorf("%s: tool %+v", c.file, tool)
		}
		for _, f := range got {
			if f.Category != finding.CategoryDAST || f.Severity != finding.SeverityMedium || f.OriginalSeverity != "" {
				t.Errorf("%s: %+v", f.Rule.ID, f)
			}
		}
	}
	_, got := corpustest.DecodeFile(t, Adapter{}, "testdata/nikto-2.5-handwritten.xml", nil)
	s := got[2]
	if s.Rule.ID != "000602" || strings.Join(s.VulnIDs, ",") != "CVE-2014-6271,CVE-2014-6278" ||
		*s.Location.Web != (finding.Web{URL: "http://127.0.0.1:8080/cgi-bin/test.cgi", Method: "GET"}) ||
		s.Message != "/cgi-bin/test.cgi: Site appears vulnerable to the 'shellshock' vulnerability. See: CVE-2014-6271" {
		t.Errorf("shellshock: %+v %+v", s, s.Location.Web)
	}
	_, got = corpustest.DecodeFile(t, Adapter{}, "testdata/nikto-2.1-handwritten.xml", nil)
	p := got[1]
	if p.Rule.ID != "000121" || strings.Join(p.VulnIDs, ",") != "OSVDB-3092" || p.Rule.HelpURI != "http://osvdb.org/3092" ||
		p.Location.Web.URL != "http://web.example.test:80/phpmyadmin/" || p.Properties["nikto.targetbanner"] != "Apache/2.2.22 (Ubuntu)" {
		t.Errorf("phpmyadmin: %+v", p)
	}
	if got[0].VulnIDs != nil || got[0].Rule.HelpURI != "" {
		t.Errorf("OSVDB 0 kept: %+v", got[0])
	}
}

// TestNoNamelink checks that the URL falls back to the site and the URI.
func TestNoNamelink(t *testing.T) {
	in := `<niktoscans><niktoscan version="2.5.0"><scandetails sitename="http://h:8080/"><item id="1" method="GET"><description>d</description><uri>/a/b</uri></item></scandetails></niktoscan></niktoscans>`
	var got []*finding.Finding
	if _, err := (Adapter{}).Decode(strings.NewReader(in), "n.xml", nil, func(f *finding.Finding) error {
		got = append(got, f)
		return f.Validate()
	}); err != nil || len(got) != 1 || got[0].Location.Web.URL != "http://h:8080/a/b" {
		t.Fatalf("%v %+v", err, got)
	}
}

// TestWrongShape checks that reports of other shapes are format errors.
func TestWrongShape(t *testing.T) {
	for name, in := range map[string]string{
		"empty":     "",
		"text":      "hello",
		"truncated": `<?xml version="1.0"?><niktoscans><niktoscan version="2.5.0"><scandetails><item id="1">`,
		"other":     `<?xml version="1.0"?><OWASPZAPReport version="2.10.0"></OWASPZAPReport>`,
		"json":      `{"matches": []}`,
	} {
		_, err := Adapter{}.Decode(strings.NewReader(in), name+".xml", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), name+".xml") {
			t.Errorf("%s: err = %v, want a format error naming the file", name, err)
		}
	}
}
