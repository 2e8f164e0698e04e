package zap

import (
	"encoding/json"
	"encoding/xml"
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
	if r.Tool != "zap" {
		return false
	}
	switch {
	case r.Format == "native-xml":
		return name == "zap-xml"
	case r.Format == "native-json" && strings.Contains(r.Rel, "api-alerts"):
		return name == "zap-alerts"
	case r.Format == "native-json":
		return name == "zap-json"
	}
	return false
}

// TestDetectCorpus checks that Detect claims this tool's native reports (as
// claims says) and nothing else in the corpus, even with the head cut short.
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, Adapters()...) }

// rawCount counts a report's alert instances with generic code: the
// elements of every "instances" list (JSON) or <instance> element (XML),
// an alert without instances counting once, or the elements of the API's
// alert list. It also returns the number of alerts, which is what the
// manifest counts for the traditional reports.
func rawCount(t *testing.T, path, adapter string) (instances, alerts int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch adapter {
	case "zap-xml":
		var rep struct {
			Sites []struct {
				Items []struct {
					Instances []struct{} `xml:"instances>instance"`
				} `xml:"alerts>alertitem"`
			} `xml:"site"`
		}
		if err := xml.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Sites {
			for _, it := range s.Items {
				alerts++
				instances += max(1, len(it.Instances))
			}
		}
	case "zap-json":
		var rep struct {
			Site []struct {
				Alerts []struct{ Instances []json.RawMessage }
			}
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Site {
			for _, a := range s.Alerts {
				alerts++
				instances += max(1, len(a.Instances))
			}
		}
	default:
		var rep map[string][]json.RawMessage
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		instances = len(rep["alerts"]) + len(rep["vulnerabilities"])
		alerts = instances
	}
	return instances, alerts
}

// TestCorpus decodes every native ZAP report of the corpus: one finding per
// instance. The manifest counts alerts, so the instance count is computed
// from the raw report, and the manifest's count is checked against the
// alert count.
func TestCorpus(t *testing.T) {
	for _, a := range Adapters() {
		corpustest.DecodeEach(t, claims, a, nil, func(t *testing.T, r corpustest.Row, tool finding.Tool, got []*finding.Finding) {
			if tool.Name != "zap" {
				t.Errorf("tool %+v", tool)
			}
			instances, alerts := rawCount(t, r.Path, a.Name())
			if len(got) != instances {
				t.Errorf("%d findings for %d instances", len(got), instances)
			}
			if r.Num >= 0 && alerts != r.Num {
				t.Errorf("%d alerts, manifest says %d", alerts, r.Num)
			}
			for _, f := range got {
				if f.Category != finding.CategoryDAST || f.Location.Web == nil || f.OriginalSeverity == "" {
					t.Errorf("%s: %+v", f.Rule.ID, f)
				}
			}
		})
	}
}

// TestSpot checks a few findings of each format field by field.
func TestSpot(t *testing.T) {
	tool, got := corpustest.DecodeFile(t, JSONAdapter{}, corpustest.File(t, "zap/zap-report-json-action.json"), nil)
	if tool.Version != "2.14.0" {
		t.Errorf("tool %+v", tool)
	}
	f := got[0]
	if f.Rule.ID != "10038-1" || f.Rule.Name != "Content Security Policy (CSP) Header Not Set" || f.Severity != finding.SeverityMedium ||
		f.OriginalSeverity != "2" || f.Precision != finding.PrecisionHigh || len(f.CWEs) != 1 || f.CWEs[0] != 693 ||
		f.Location.Web.URL != "https://5323426346.google0.ca" || f.Location.Web.Method != "GET" ||
		f.Rule.HelpURI != "https://developer.mozilla.org/en-US/docs/Web/Security/CSP/Introducing_Content_Security_Policy" ||
		strings.Contains(f.Rule.FullDescription, "<p>") || f.Properties["zap.wascid"] != "15" {
		t.Errorf("zap-json: %+v %+v", f, f.Location.Web)
	}

	tool, got = corpustest.DecodeFile(t, XMLAdapter{}, corpustest.File(t, "zap/zap-2.16.1-req-resp.xml"), nil)
	if tool.Version != "2.16.1" {
		t.Errorf("tool %+v", tool)
	}
	for _, f := range got {
		if strings.Contains(strings.Join(f.Rule.Tags, ","), "OWASP") {
			goto tagged
		}
	}
	t.Error("zap-xml 2.16.1: no OWASP tag on any rule")
tagged:
	_, got = corpustest.DecodeFile(t, XMLAdapter{}, corpustest.File(t, "zap/zap-weekly-2016-owasp-benchmark.xml"), nil)
	f = got[0]
	if f.Rule.ID != "10015" || f.Severity != finding.SeverityLow || f.OriginalSeverity != "1" || f.Precision != finding.PrecisionMedium ||
		f.Location.Web.URL != "https://localhost:8443/benchmark/xss-00/BenchmarkTest00387.html?BenchmarkTest00387=SafeText" ||
		f.Location.Web.Method != "GET" || f.Tool.Version != "D-2016-09-05" {
		t.Errorf("zap-xml 2016: %+v %+v", f, f.Location.Web)
	}

	_, got = corpustest.DecodeFile(t, AlertsAdapter{}, corpustest.File(t, "zap/zap-2.10-api-alerts-owasp-benchmark.json"), nil)
	f = got[0]
	if f.Rule.ID != "6" || f.Rule.Name != "Path Traversal" || f.Severity != finding.SeverityHigh || f.OriginalSeverity != "High" ||
		f.Precision != finding.PrecisionMedium || len(f.CWEs) != 1 || f.CWEs[0] != 22 ||
		*f.Location.Web != (finding.Web{URL: "https://localhost:8443/benchmark/cmdi-00/BenchmarkTest00409", Method: "POST", Parameter: "BenchmarkTest00409", Evidence: "etc"}) ||
		f.Properties["zap.attack"] != "/" || f.Rule.HelpURI != "http://projects.webappsec.org/Path-Traversal" {
		t.Errorf("zap-alerts: %+v %+v", f, f.Location.Web)
	}
}

// TestFalsePositive checks that confidence 0 marks the finding suppressed.
func TestFalsePositive(t *testing.T) {
	in := `{"alerts":[{"pluginId":"10020","alertRef":"10020-1","alert":"Missing Anti-clickjacking Header","risk":"Medium",
"confidence":"False Positive","url":"http://127.0.0.1/","method":"GET","cweid":"-1"}]}`
	if !(AlertsAdapter{}).Detect([]byte(in)) {
		t.Fatal("Detect false")
	}
	var got []*finding.Finding
	if _, err := (AlertsAdapter{}).Decode(strings.NewReader(in), "a.json", nil, func(f *finding.Finding) error {
		got = append(got, f)
		return f.Validate()
	}); err != nil || len(got) != 1 {
		t.Fatalf("%v %d", err, len(got))
	}
	if f := got[0]; !f.Suppressed() || f.Precision != finding.PrecisionLow || f.CWEs != nil || f.Severity != finding.SeverityMedium {
		t.Errorf("%+v", f)
	}
}

// TestWrongShape checks that reports of other shapes are format errors.
func TestWrongShape(t *testing.T) {
	for _, a := range Adapters() {
		for name, in := range map[string]string{
			"empty":     "",
			"text":      "hello",
			"truncated": `{"@version": "2.14.0", "site": [{"@name": "x", "alerts": [{"pluginid"`,
			"xmltrunc":  `<?xml version="1.0"?><OWASPZAPReport version="2.10.0"><site name="x"><alerts><alertitem>`,
			"other":     `{"matches": []}`,
			"otherxml":  `<?xml version="1.0"?><niktoscan></niktoscan>`,
		} {
			_, err := a.Decode(strings.NewReader(in), name+".x", nil, func(*finding.Finding) error { return nil })
			if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), name+".x") {
				t.Errorf("%s %s: err = %v, want a format error naming the file", a.Name(), name, err)
			}
		}
	}
}
