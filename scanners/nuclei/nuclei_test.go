package nuclei

import (
	"bufio"
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
	return r.Tool == "nuclei" && strings.HasPrefix(r.Format, "native")
}

// TestDetectCorpus checks that Detect claims this tool's native reports (as
// claims says) and nothing else in the corpus, even with the head cut short.
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, Adapters()...) }

// rawResults reads a nuclei file's results generically: the array's
// elements, or one object per non-empty line.
func rawResults(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if json.Unmarshal(b, &out) == nil {
		return out
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// TestCorpus decodes every native nuclei file of the corpus: one finding
// per result.
func TestCorpus(t *testing.T) {
	corpustest.DecodeEach(t, claims, Adapter{}, nil, func(t *testing.T, r corpustest.Row, _ finding.Tool, got []*finding.Finding) {
		path := r.Path
		raw := rawResults(t, path)
		if len(got) != r.Num || len(got) != len(raw) {
			t.Errorf("%d findings, manifest says %d, file has %d results", len(got), r.Num, len(raw))
		}
		for i, f := range got {
			info := raw[i]["info"].(map[string]any)
			if f.OriginalSeverity != info["severity"] || f.Rule.ID != raw[i]["template-id"] || f.Category != finding.CategoryDAST {
				t.Errorf("finding %d: %s %q, raw %v %v", i, f.Rule.ID, f.OriginalSeverity, raw[i]["template-id"], info["severity"])
			}
			if want, _ := finding.ParseSeverity(f.OriginalSeverity); want != f.Severity {
				t.Errorf("finding %d: severity %v", i, f.Severity)
			}
		}
	})
}

// TestSpot checks a few findings field by field.
func TestSpot(t *testing.T) {
	_, got := corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, "nuclei/nuclei-issue14071.jsonl"), nil)
	f := got[0]
	if f.Rule.ID != "dvwa-default-login" || f.Rule.Name != "DVWA Default Login" || f.Severity != finding.SeverityCritical ||
		f.OriginalSeverity != "critical" || len(f.CWEs) != 1 || f.CWEs[0] != 798 || f.VulnIDs != nil ||
		f.Location.Web.URL != "http://dvwa_dvwa_1/index.php" || f.Location.Web.Method != "POST" ||
		f.Rule.HelpURI != "https://cloud.projectdiscovery.io/public/dvwa-default-login" {
		t.Errorf("dvwa: %+v %+v", f, f.Location.Web)
	}
	for _, f := range got {
		b, _ := json.Marshal(f)
		if strings.Contains(string(b), "user_token") {
			t.Errorf("%s: the curl command or request leaked into the finding", f.Rule.ID)
		}
	}
	f = got[6]
	if f.Rule.ID != "http-missing-security-headers" || f.Properties["nuclei.matcherName"] != "strict-transport-security" ||
		f.Severity != finding.SeverityInfo || !strings.Contains(f.Message, "[strict-transport-security]") {
		t.Errorf("headers: %+v", f)
	}
	_, got = corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, "nuclei/nuclei-multiple-v3.json"), nil)
	f = got[0]
	if f.Rule.ID != "dns-saas-service-detection" || f.Location.Web.URL != "www.asdf.de" || f.Location.Web.Evidence != "pointing.wixdns.net" ||
		f.Location.Web.Method != "" || strings.Join(f.Rule.Tags, ",") != "dns,service" {
		t.Errorf("dns: %+v %+v", f, f.Location.Web)
	}
}

// TestCVE checks a result with a CVE classification.
func TestCVE(t *testing.T) {
	in := `{"template-id":"CVE-2021-44228","info":{"name":"Log4Shell","severity":"critical","tags":"cve,rce,log4j",
"classification":{"cve-id":["cve-2021-44228"],"cwe-id":["cwe-917","cwe-502"],"cvss-score":10}},"type":"http",
"host":"http://127.0.0.1","matched-at":"http://127.0.0.1/api","request":"GET /api HTTP/1.1\r\n"}
{"template-id":"tech-detect","info":{"name":"Tech","severity":"info"},"type":"http","matched-at":"http://127.0.0.1/"}
`
	if !(Adapter{}).Detect([]byte(in[:30])) || !(Adapter{}).Detect([]byte(in)) {
		t.Error("Detect false")
	}
	var got []*finding.Finding
	if _, err := (Adapter{}).Decode(strings.NewReader(in), "n.jsonl", nil, func(f *finding.Finding) error {
		got = append(got, f)
		return f.Validate()
	}); err != nil || len(got) != 2 {
		t.Fatalf("%v %d", err, len(got))
	}
	f := got[0]
	if strings.Join(f.VulnIDs, ",") != "CVE-2021-44228" || len(f.CWEs) != 2 || f.CWEs[0] != 502 || f.Properties["cvss.score"] != "10" ||
		strings.Join(f.Rule.Tags, ",") != "cve,rce,log4j" || f.Location.Web.Method != "GET" {
		t.Errorf("%+v", f)
	}
}

// TestWrongShape checks that reports of other shapes are format errors.
func TestWrongShape(t *testing.T) {
	for name, in := range map[string]string{
		"empty":     "",
		"text":      "hello",
		"truncated": `{"template-id": "x", "info": {"name": "y"`,
		"trunc2":    "{\"template-id\": \"x\", \"info\": {\"severity\": \"low\"}}\n{\"template-id\"",
		"array":     `[{"template-id": "x"`,
		"other":     `{"matches": []}`,
	} {
		_, err := Adapter{}.Decode(strings.NewReader(in), name+".json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), name+".json") {
			t.Errorf("%s: err = %v, want a format error naming the file", name, err)
		}
	}
}
