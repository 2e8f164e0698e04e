package trivy

import (
	"bytes"
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
	return r.Tool == "trivy" && strings.HasPrefix(r.Format, "native")
}

// TestDetectCorpus checks that Detect claims this tool's native reports (as
// claims says) and nothing else in the corpus, even with the head cut short.
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, Adapters()...) }

// TestCorpus decodes every native Trivy report of the corpus.
func TestCorpus(t *testing.T) {
	corpustest.DecodeEach(t, claims, Adapter{}, nil, func(t *testing.T, r corpustest.Row, _ finding.Tool, got []*finding.Finding) {
		path := r.Path
		if r.Num >= 0 && len(got) != r.Num {
			t.Errorf("%d findings, manifest says %d", len(got), r.Num)
		}
		if want := countRaw(t, path); len(got) != want {
			t.Errorf("%d findings, the raw JSON has %d vulnerabilities, failed misconfigurations and secrets", len(got), want)
		}
		for _, f := range got {
			if f.OriginalSeverity == "" {
				t.Errorf("%s: no original severity", f.Rule.ID)
			}
			if want, _ := finding.ParseSeverity(f.OriginalSeverity); want != f.Severity {
				t.Errorf("%s: severity %v, Trivy said %q", f.Rule.ID, f.Severity, f.OriginalSeverity)
			}
		}
	})
}

// countRaw counts the results of a Trivy report with generic JSON code:
// every element of a Vulnerabilities or Secrets array inside a Results
// array, and every Misconfigurations element whose Status is FAIL.
func countRaw(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(v any, inResult bool)
	walk = func(v any, inResult bool) {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				walk(e, inResult)
			}
		case map[string]any:
			_, isResult := v["Target"]
			for k, e := range v {
				list, _ := e.([]any)
				switch {
				case isResult && (k == "Vulnerabilities" || k == "Secrets"):
					n += len(list)
				case isResult && k == "Misconfigurations":
					for _, m := range list {
						if s, _ := m.(map[string]any)["Status"].(string); s == "FAIL" || s == "" {
							n++
						}
					}
				default:
					walk(e, inResult || isResult)
				}
			}
		}
	}
	walk(doc, false)
	return n
}

// TestCategories checks the category of each kind of result.
func TestCategories(t *testing.T) {
	cases := []struct {
		file string
		want map[finding.Category]int
	}{
		{"trivy/trivy-image-spring4shell.json", map[finding.Category]int{finding.CategoryContainer: 1}},
		{"trivy/trivy-fs-npm.json", map[finding.Category]int{finding.CategoryDependency: 1}},
		{"trivy/trivy-config-helm.json", map[finding.Category]int{finding.CategoryIaC: 18}},
		{"trivy/trivy-misconf-secrets.json", map[finding.Category]int{finding.CategoryDependency: 2, finding.CategoryIaC: 1, finding.CategorySecret: 2}},
		{"trivy/trivy-k8s-legacy.json", map[finding.Category]int{finding.CategoryContainer: 10, finding.CategoryIaC: 10}},
		{"trivy/trivy-legacy-list.json", map[finding.Category]int{finding.CategoryContainer: 93}},
	}
	for _, c := range cases {
		_, got := corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, c.file), nil)
		count := map[finding.Category]int{}
		for _, f := range got {
			count[f.Category]++
		}
		for k, v := range c.want {
			if count[k] != v {
				t.Errorf("%s: %d %s findings, want %d (all: %v)", c.file, count[k], k, v, count)
			}
		}
	}
}

// TestNoSecretLeak checks that no secret of the corpus reports reaches a
// finding: the unmasked token in a non-cause code line of the secrets
// golden, and anything that is not Trivy's mask in the matches.
func TestNoSecretLeak(t *testing.T) {
	for _, file := range []string{"trivy/trivy-fs-secrets.json", "trivy/trivy-misconf-secrets.json"} {
		_, got := corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, file), nil)
		for _, f := range got {
			if f.Category != finding.CategorySecret {
				continue
			}
			b, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, leak := range []string{"ghp_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ghp_", "AKIA"} {
				if bytes.Contains(b, []byte(leak)) {
					t.Errorf("%s: finding %s contains %q: %s", file, f.Rule.ID, leak, b)
				}
			}
			if f.Fingerprints["trivy/secret-location/sha256"] == "" {
				t.Errorf("%s: %s has no location fingerprint", file, f.Rule.ID)
			}
		}
	}
}

// TestSpot checks a few findings field by field.
func TestSpot(t *testing.T) {
	tool, got := corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, "trivy/trivy-misconf-secrets.json"), nil)
	if tool.Name != "trivy" {
		t.Errorf("tool %+v", tool)
	}
	v := got[0]
	if v.Rule.ID != "CVE-2021-33503" || v.Category != finding.CategoryDependency || v.Severity != finding.SeverityHigh ||
		v.OriginalSeverity != "HIGH" || v.Location.Path != "requirements.txt" || len(v.CWEs) != 1 || v.CWEs[0] != 400 ||
		v.VulnIDs[0] != "CVE-2021-33503" || v.Location.Package.Name != "urllib3" || v.Location.Package.Version != "1.26.3" ||
		v.Location.Package.FixedVersion != "1.26.5" || v.Location.Package.Ecosystem != "PyPI" || v.Properties["cvss.v3Score"] != "7.5" {
		t.Errorf("vulnerability: %+v %+v", v, v.Location.Package)
	}
	m := got[2]
	if m.Rule.ID != "DS002" || m.Category != finding.CategoryIaC || m.Severity != finding.SeverityHigh || m.Location.Path != "Dockerfile" ||
		m.Message != "Specify at least 1 USER command in Dockerfile with non-root user as argument" || m.Rule.HelpText == "" {
		t.Errorf("misconfiguration: %+v", m)
	}
	s := got[3]
	if s.Rule.ID != "github-pat" || s.Category != finding.CategorySecret || s.Severity != finding.SeverityCritical ||
		s.Location.Path != "Dockerfile" || s.Location.Region.StartLine != 24 || s.Location.Snippet != "ENV GITHUB_PAT=*****" {
		t.Errorf("secret: %+v", s)
	}

	_, got = corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, "trivy/trivy-image-spring4shell.json"), nil)
	c := got[0]
	if c.Category != finding.CategoryContainer || c.Rule.ID != "CVE-2022-22965" || c.Location.Package.Image != "testdata/fixtures/images/spring4shell-jre11.tar.gz" ||
		c.Severity != finding.SeverityCritical || c.Location.Package.Layer == "" {
		t.Errorf("container: %+v %+v", c, c.Location.Package)
	}

	_, got = corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, "trivy/trivy-config-helm.json"), nil)
	h := got[0]
	if h.Category != finding.CategoryIaC || h.Location.Region.StartLine == 0 || h.Location.Snippet == "" || !strings.HasPrefix(h.Location.Path, "testchart.tar.gz:") {
		t.Errorf("helm: %+v", h)
	}
	_, got = corpustest.DecodeFile(t, Adapter{}, corpustest.File(t, "trivy/trivy-k8s-cluster.json"), nil)
	k := got[0]
	if k.Rule.ID != "AVD-KSV-0116" || k.Rule.Name != "KSV116" || k.Location.Resource != "Service/default/kubernetes" || k.Location.Path != "" ||
		k.Severity != finding.SeverityLow || k.Properties["k8s.cluster"] != "minikube" {
		t.Errorf("k8s: %+v", k)
	}
}

// TestWrongShape checks that reports of other shapes are format errors.
func TestWrongShape(t *testing.T) {
	for name, in := range map[string]string{
		"empty":     "",
		"text":      "hello",
		"truncated": `{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [`,
		"other":     `{"matches": [], "source": {}}`,
		"number":    `42`,
	} {
		_, err := Adapter{}.Decode(strings.NewReader(in), name+".json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), name+".json") {
			t.Errorf("%s: err = %v, want a format error naming the file", name, err)
		}
	}
}

// TestEmitError checks that an error from emit stops decoding.
func TestEmitError(t *testing.T) {
	f, err := os.Open(corpustest.File(t, "trivy/trivy-legacy-list.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stop := errors.New("stop")
	n := 0
	_, err = Adapter{}.Decode(f, "x", nil, func(*finding.Finding) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err = %v after %d findings", err, n)
	}
}
