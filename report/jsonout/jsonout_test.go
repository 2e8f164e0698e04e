package jsonout_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/internal/reporttest"
	"github.com/scanmux/scanmux/report/jsonout"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(jsonout.Schema))
	if err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(jsonout.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(jsonout.SchemaID)
	if err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	return s
}

// The document of the recorded vulnerable-app scan (suppressed findings,
// a baseline, merged reports, a failed gate) holds to the schema, has no
// null and no key that is not lowercase, and matches its golden file.
func TestVulnerableApp(t *testing.T) {
	r, o := reporttest.VulnerableApp(t)
	var buf bytes.Buffer
	if err := jsonout.Write(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t).Validate(inst); err != nil {
		t.Errorf("the document does not hold to schema.json: %v", err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case nil:
			t.Errorf("%s is null", path)
		case map[string]any:
			for k, e := range v {
				if k != strings.ToLower(k) && !strings.HasPrefix(path, "$.findings[].fingerprints") && !strings.HasPrefix(path, "$.findings[].properties") &&
					!strings.HasPrefix(path, "$.counts.by_tool") && !strings.HasPrefix(path, "$.absent[].") {
					t.Errorf("%s.%s: key not lowercase", path, k)
				}
				walk(path+"."+k, e)
			}
		case []any:
			for _, e := range v {
				walk(path+"[]", e)
			}
		}
	}
	walk("$", inst)
	var d jsonout.Document
	if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Findings) != len(r.Findings) || d.Counts.Findings != r.Counts.Findings || !d.Gate.Failed {
		t.Errorf("%d findings (%d unsuppressed), gate failed %v; want %d (%d), true", len(d.Findings), d.Counts.Findings, d.Gate.Failed, len(r.Findings), r.Counts.Findings)
	}
	var suppressed, merged, fresh int
	for _, f := range d.Findings {
		if f.Suppressed {
			suppressed++
		}
		merged += len(f.Also)
		if f.Baseline == string(finding.BaselineNew) {
			fresh++
		}
	}
	if suppressed != r.Counts.Suppressed || merged == 0 || fresh == 0 {
		t.Errorf("suppressed %d (want %d), merged reports %d, new %d: want all of them", suppressed, r.Counts.Suppressed, merged, fresh)
	}
	for i := range d.Sources {
		d.Sources[i].DurationMS = 0 // the one field that changes from run to run
	}
	golden, err := json.MarshalIndent(&d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	reporttest.Golden(t, "vulnerable-app.json", append(golden, '\n'))
}

// The schema refuses what the format promises never to write: a null, an
// upper-case key, an unknown severity.
func TestSchemaRefuses(t *testing.T) {
	s := compileSchema(t)
	r, o := reporttest.VulnerableApp(t)
	var buf bytes.Buffer
	if err := jsonout.Write(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	for _, c := range []struct{ name, from, to string }{
		{"null list", `"warnings": [`, `"warnings": null, "x": [`},
		{"Go field name", `"schema_version"`, `"SchemaVersion": "1.0.0", "schema_version"`},
		{"unknown severity", `"severity": "high"`, `"severity": "severe"`},
	} {
		bad := strings.Replace(good, c.from, c.to, 1)
		if bad == good {
			t.Fatalf("%s: %q not in the document", c.name, c.from)
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := s.Validate(inst); err == nil {
			t.Errorf("%s: the schema accepts it", c.name)
		}
	}
}

// The format is registered as "json".
func TestRegistered(t *testing.T) {
	if _, err := report.Lookup("json"); err != nil {
		t.Fatal(err)
	}
}

func ExampleWrite() {
	f := &finding.Finding{
		Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G101"}, Message: "Potential hardcoded credentials",
		Category: finding.CategorySecret, Severity: finding.SeverityHigh,
		Location: finding.Location{Path: "main.go", Region: finding.Region{StartLine: 22}},
	}
	r := &aggregate.Report{Findings: []*finding.Finding{f}}
	var buf bytes.Buffer
	if err := jsonout.Write(&buf, r, &report.Options{Version: "v1.2.3"}); err != nil {
		fmt.Println(err)
	}
	var d struct {
		Version  string `json:"schema_version"`
		Findings []struct {
			Severity string         `json:"severity"`
			Location map[string]any `json:"location"`
			CWEs     []int          `json:"cwes"`
		} `json:"findings"`
	}
	json.Unmarshal(buf.Bytes(), &d)
	fmt.Println(d.Version, d.Findings[0].Severity, d.Findings[0].Location, d.Findings[0].CWEs != nil)
	// Output: 1.0.0 high map[path:main.go start_line:22] true
}
