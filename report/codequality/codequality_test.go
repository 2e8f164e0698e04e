package codequality_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/codequality"
	"github.com/scanmux/scanmux/report/internal/reporttest"
)

func write(t *testing.T, params map[string]string) ([]byte, []codequality.Issue) {
	t.Helper()
	r, o := reporttest.VulnerableApp(t)
	o.Params = params
	f, err := report.Lookup("codequality")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	var issues []codequality.Issue
	if err := json.Unmarshal(buf.Bytes(), &issues); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), issues
}

// The vulnerable-app scan's report meets GitLab's documented format, has
// one issue per unsuppressed finding with a file (every finding with the
// fallback path), with unique fingerprints.
func TestVulnerableApp(t *testing.T) {
	r, _ := reporttest.VulnerableApp(t)
	withFile, all := 0, 0
	for _, f := range r.Findings {
		if f.Suppressed() {
			continue
		}
		all++
		if f.Location.Path != "" {
			withFile++
		}
	}
	sch := compileSchema(t)
	for _, c := range []struct {
		params map[string]string
		want   int
	}{{nil, withFile}, {map[string]string{codequality.FallbackParam: "README.md"}, all}} {
		raw, issues := write(t, c.params)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("not GitLab's format: %v", err)
		}
		if len(issues) != c.want {
			t.Errorf("params %v: %d issues, want %d", c.params, len(issues), c.want)
		}
		seen := map[string]bool{}
		for _, is := range issues {
			if seen[is.Fingerprint] {
				t.Errorf("fingerprint %s twice", is.Fingerprint)
			}
			seen[is.Fingerprint] = true
		}
		t.Logf("params %v: %d issues, 0 schema errors", c.params, len(issues))
	}
	if withFile == all {
		t.Fatal("the scan has no finding without a file: the fallback is not tested")
	}
	raw, _ := write(t, nil)
	reporttest.Golden(t, "vulnerable-app.json", raw)
	again, _ := write(t, nil)
	if !bytes.Equal(raw, again) {
		t.Error("two runs give different reports")
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/codequality.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("codequality.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("codequality.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	// The schema is not vacuous.
	bad, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`[{"description":"d","check_name":"c","fingerprint":"f","severity":"high","location":{"path":"a.go","lines":{"begin":1}}}]`)))
	if s.Validate(bad) == nil {
		t.Fatal("the schema accepts severity high")
	}
	return s
}

// Severities map onto GitLab's five.
func TestSeverities(t *testing.T) {
	_, issues := write(t, nil)
	got := map[string]bool{}
	for _, is := range issues {
		got[is.Severity] = true
	}
	for _, s := range []string{"blocker", "critical", "major", "minor"} {
		if !got[s] {
			t.Errorf("no %s issue in the vulnerable-app report (severities %v)", s, got)
		}
	}
}
