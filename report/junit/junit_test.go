package junit_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/internal/reporttest"
	"github.com/scanmux/scanmux/report/junit"
)

// shape is the common JUnit XML shape (Jenkins' junit-10 schema): for each
// element, its allowed parents, attributes and required attributes.
var shape = map[string]struct {
	parents, attrs, required []string
}{
	"testsuites": {nil, []string{"name", "time", "tests", "failures", "disabled", "errors"}, nil},
	"testsuite": {[]string{"testsuites", "testsuite"}, []string{"name", "tests", "failures", "errors", "time", "disabled", "skipped", "skips",
		"timestamp", "hostname", "id", "package", "assertions", "file", "skip", "log", "url"}, []string{"tests"}},
	"properties": {[]string{"testsuite"}, nil, nil},
	"property":   {[]string{"properties"}, []string{"name", "value"}, []string{"name", "value"}},
	"testcase": {[]string{"testsuite"}, []string{"name", "assertions", "time", "timestamp", "classname", "status", "class", "file", "line",
		"log", "group", "url"}, []string{"name"}},
	"failure":    {[]string{"testcase"}, []string{"type", "message"}, nil},
	"error":      {[]string{"testcase"}, []string{"type", "message"}, nil},
	"skipped":    {[]string{"testcase"}, []string{"type", "message"}, nil},
	"system-out": {[]string{"testcase", "testsuite"}, nil, nil},
	"system-err": {[]string{"testcase", "testsuite"}, nil, nil},
}

// checkShape walks the document and reports every element, attribute or
// nesting the shape does not allow, and numeric attributes that are not
// numbers.
func checkShape(t *testing.T, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			name := tk.Name.Local
			rule, ok := shape[name]
			if !ok {
				t.Errorf("element <%s> is not in the JUnit shape", name)
				continue
			}
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			if (parent == "") != (rule.parents == nil) || (parent != "" && !slices.Contains(rule.parents, parent)) {
				t.Errorf("<%s> inside <%s>", name, parent)
			}
			have := map[string]bool{}
			for _, a := range tk.Attr {
				have[a.Name.Local] = true
				if !slices.Contains(rule.attrs, a.Name.Local) {
					t.Errorf("<%s %s=…> is not in the JUnit shape", name, a.Name.Local)
				}
				switch a.Name.Local {
				case "tests", "failures", "errors", "skipped":
					if _, err := strconv.Atoi(a.Value); err != nil {
						t.Errorf("<%s %s=%q> is not a count", name, a.Name.Local, a.Value)
					}
				case "time":
					if _, err := strconv.ParseFloat(a.Value, 64); err != nil {
						t.Errorf("<%s time=%q> is not seconds", name, a.Value)
					}
				}
			}
			for _, r := range rule.required {
				if !have[r] {
					t.Errorf("<%s> lacks %s", name, r)
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

func TestVulnerableApp(t *testing.T) {
	r, o := reporttest.VulnerableApp(t)
	f, err := report.Lookup("junit")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	reporttest.Golden(t, "vulnerable-app.xml", buf.Bytes())
	checkShape(t, buf.Bytes())

	var doc junit.Suites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// The gate fails on high: its failures are the high and critical
	// findings of Counts, as the gate's own reason says.
	gated := r.Counts.BySeverity[finding.SeverityHigh] + r.Counts.BySeverity[finding.SeverityCritical]
	if doc.Tests != len(r.Findings) || doc.Failures != gated || gated == 0 {
		t.Errorf("tests %d failures %d, want %d and %d", doc.Tests, doc.Failures, len(r.Findings), gated)
	}
	if want := fmt.Sprintf("%d findings at or above high", gated); len(r.Gate.Reasons) == 0 || !strings.HasPrefix(r.Gate.Reasons[0], want) {
		t.Errorf("gate reasons %q, want %q", r.Gate.Reasons, want)
	}
	skipped, cases, failures := 0, 0, 0
	for _, s := range doc.Suites {
		n, fl, sk := 0, 0, 0
		for _, c := range s.Cases {
			n++
			if c.Failure != nil {
				fl++
			}
			if c.Skipped != nil {
				sk++
				if !strings.HasPrefix(c.Skipped.Message, "suppressed: ") || len(c.Skipped.Message) < 20 {
					t.Errorf("skip without a reason: %q", c.Skipped.Message)
				}
			}
			if c.Failure != nil && c.Skipped != nil {
				t.Errorf("%s both failed and skipped", c.Name)
			}
		}
		if n != s.Tests || fl != s.Failures || sk != s.Skipped {
			t.Errorf("suite %s says %d/%d/%d, has %d/%d/%d", s.Name, s.Tests, s.Failures, s.Skipped, n, fl, sk)
		}
		if n != r.Counts.ByTool[s.Name]+suppressedOf(r, s.Name) {
			t.Errorf("suite %s: %d cases, Counts.ByTool %d + suppressed %d", s.Name, n, r.Counts.ByTool[s.Name], suppressedOf(r, s.Name))
		}
		skipped += sk
		cases += n
		failures += fl
	}
	if skipped != r.Counts.Suppressed || cases != doc.Tests || failures != doc.Failures {
		t.Errorf("skipped %d (Counts.Suppressed %d), cases %d, failures %d", skipped, r.Counts.Suppressed, cases, failures)
	}

	// Without --fail-on nothing fails.
	buf.Reset()
	if err := junit.Write(&buf, r, &report.Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<failure") {
		t.Error("a failure without a gate")
	}
}

func suppressedOf(r *aggregate.Report, tool string) int {
	n := 0
	for _, f := range r.Findings {
		if f.Suppressed() && f.Tool.Name == tool {
			n++
		}
	}
	return n
}

// Control characters and markup in a finding give well-formed XML that
// reads back as the text.
func TestHostileText(t *testing.T) {
	msg := "a <b> & \"c\" ]]> \x00\x1b[31m \xff end"
	r := &aggregate.Report{Findings: []*finding.Finding{{Tool: finding.Tool{Name: "t<x>"}, Rule: finding.Rule{ID: "R&1"}, Message: msg,
		Severity: finding.SeverityCritical, Location: finding.Location{Path: "a\x01.go", Region: finding.Region{StartLine: 2}}}}}
	var buf bytes.Buffer
	if err := junit.Write(&buf, r, &report.Options{Gate: aggregate.Gate{FailOn: finding.SeverityLow}}); err != nil {
		t.Fatal(err)
	}
	checkShape(t, buf.Bytes())
	var doc junit.Suites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Suites[0].Cases[0]
	if c.Failure == nil || c.Failure.Message != "[critical] a <b> & \"c\" ]]> [31m \uFFFD end" || c.File != "a.go" || doc.Suites[0].Name != "t<x>" {
		t.Errorf("read back %+v %+v", c, c.Failure)
	}
}
