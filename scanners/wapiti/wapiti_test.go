package wapiti

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

// claims says whether the adapter named name must claim the corpus file r:
// the corpus has no Wapiti report, so none.
func claims(r corpustest.Row, name string) bool { return r.Tool == "wapiti" }

// TestDetectCorpus checks that Detect claims this tool's native reports (as
// claims says) and nothing else in the corpus, even with the head cut short.
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, Adapters()...) }

const real = "testdata/wapiti-3.0.4.json"

// TestTestdata decodes the real Wapiti 3.0.4 report in testdata: one
// finding per entry of vulnerabilities, anomalies and additionals, counted
// here from the raw JSON.
func TestTestdata(t *testing.T) {
	b, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	if !(Adapter{}).Detect(b) {
		t.Error("Detect false")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, k := range []string{"vulnerabilities", "anomalies", "additionals"} {
		var m map[string][]json.RawMessage
		if err := json.Unmarshal(raw[k], &m); err != nil {
			t.Fatal(err)
		}
		for _, l := range m {
			want += len(l)
		}
	}
	tool, got := corpustest.DecodeFile(t, Adapter{}, real, nil)
	if len(got) != want || want == 0 {
		t.Fatalf("%d findings, the report has %d entries", len(got), want)
	}
	if tool.Name != "wapiti" || tool.Version != "3.0.4" {
		t.Errorf("tool %+v", tool)
	}
	byRule := map[string]*finding.Finding{}
	for _, f := range got {
		if f.Category != finding.CategoryDAST {
			t.Errorf("%s: category %v", f.Rule.ID, f.Category)
		}
		if byRule[f.Rule.ID] == nil {
			byRule[f.Rule.ID] = f
		}
		b, _ := json.Marshal(f)
		if strings.Contains(string(b), "curl ") {
			t.Errorf("%s: curl command copied", f.Rule.ID)
		}
	}
	x := byRule["Cross Site Scripting"]
	if x == nil || x.Severity != finding.SeverityMedium || x.OriginalSeverity != "2" || len(x.CWEs) != 1 || x.CWEs[0] != 79 ||
		x.Location.Web.Method != "GET" || x.Location.Web.Parameter != "q" || !strings.HasSuffix(x.Location.Web.URL, "/search") ||
		!strings.HasPrefix(x.Location.Web.URL, "http://127.0.0.1:") || x.Message != "XSS vulnerability found via injection in the parameter q" ||
		x.Rule.FullDescription == "" || x.Rule.HelpText == "" || x.Rule.HelpURI == "" {
		t.Errorf("XSS: %+v %+v", x, x.Location.Web)
	}
	c := byRule["Content Security Policy Configuration"]
	if c == nil || c.Severity != finding.SeverityLow || c.CWEs[0] != 693 || c.Message != "CSP is not set" || c.Location.Web.Parameter != "" {
		t.Errorf("CSP: %+v", c)
	}
	a := byRule["Internal Server Error"]
	if a == nil || a.Severity != finding.SeverityHigh || a.OriginalSeverity != "3" || a.Precision != finding.PrecisionLow ||
		a.Properties["wapiti.kind"] != "anomalies" || a.CWEs != nil {
		t.Errorf("anomaly: %+v", a)
	}
	if h := byRule["HttpOnly Flag cookie"]; h == nil || h.CWEs[0] != 1004 {
		t.Errorf("HttpOnly: %+v", h)
	}
}

// TestNewerFormat checks entries of later Wapiti versions: a full URL as
// the path, wstg codes and a module name.
func TestNewerFormat(t *testing.T) {
	in := `{"vulnerabilities": {"SQL Injection": [{"method": "POST", "path": "http://h/login.php", "info": "SQL Injection via injection in the parameter user",
"level": 4, "parameter": "user", "referer": "http://h/", "module": "sql", "http_request": "POST /login.php HTTP/1.1\nCookie: s=1", "wstg": ["WSTG-INPV-05"]}]},
"anomalies": {}, "additionals": {"Fingerprint web technology": [{"method": "GET", "path": "/", "info": "nginx 1.2", "level": 0}]},
"infos": {"target": "http://h/", "version": "Wapiti 3.1.8"},
"classifications": {"SQL Injection": {"desc": "d", "sol": "s", "ref": {"OWASP": "https://owasp.org/x"}, "wstg": ["WSTG-INPV-05"]}}}`
	if !(Adapter{}).Detect([]byte(in)) {
		t.Error("Detect false")
	}
	var got []*finding.Finding
	tool, err := Adapter{}.Decode(strings.NewReader(in), "w.json", nil, func(f *finding.Finding) error {
		got = append(got, f)
		return f.Validate()
	})
	if err != nil || len(got) != 2 || tool.Version != "3.1.8" {
		t.Fatalf("%v %d %+v", err, len(got), tool)
	}
	f := got[0]
	if f.Severity != finding.SeverityCritical || f.Location.Web.URL != "http://h/login.php" || strings.Join(f.Rule.Tags, ",") != "WSTG-INPV-05" ||
		f.Properties["wapiti.requestLine"] != "POST /login.php HTTP/1.1" || f.Rule.HelpURI != "https://owasp.org/x" || f.CWEs[0] != 89 {
		t.Errorf("%+v", f)
	}
	if g := got[1]; g.Severity != finding.SeverityInfo || g.Location.Web.URL != "http://h/" || g.Properties["wapiti.kind"] != "additionals" {
		t.Errorf("%+v", g)
	}
}

// TestWrongShape checks that reports of other shapes are format errors.
func TestWrongShape(t *testing.T) {
	for name, in := range map[string]string{
		"empty":     "",
		"text":      "hello",
		"truncated": `{"vulnerabilities": {"SQL Injection": [{"method": "GET"`,
		"other":     `{"alerts": []}`,
		"zapapi":    `{"vulnerabilities": [{"pluginId": "1"}]}`,
	} {
		_, err := Adapter{}.Decode(strings.NewReader(in), name+".json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), name+".json") {
			t.Errorf("%s: err = %v, want a format error naming the file", name, err)
		}
	}
}
