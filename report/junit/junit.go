// Package junit writes a report as JUnit XML for CI test tabs (GitLab's
// junit report artifact, Jenkins, Azure DevOps, CircleCI): one test suite
// per tool, one test case per finding. A finding that the gate counts
// (see [report.Options.Gated]: --fail-on, --new-only) is a failure; a
// suppressed one is skipped with its reasons; the others pass, so the tab
// shows the pipeline's verdict finding by finding. Without --fail-on no
// finding fails.
//
// The XML has the common JUnit shape (Jenkins' junit-10 schema, which the
// other readers accept): testsuites, testsuite with tests, failures,
// errors, skipped, time and timestamp, properties, testcase with name,
// classname, file, line and time, failure and skipped with message and
// type. The format registers itself as "junit".
package junit

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/internal/view"
)

func init() {
	report.Register(report.Format{Name: "junit", Summary: "JUnit XML for CI test tabs: a test case per finding, failures for those the gate counts", Write: Write})
}

// Suites is the document's root element.
type Suites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []Suite  `xml:"testsuite"`
}

// Suite is one tool's findings.
type Suite struct {
	Name       string     `xml:"name,attr"`
	Tests      int        `xml:"tests,attr"`
	Failures   int        `xml:"failures,attr"`
	Errors     int        `xml:"errors,attr"`
	Skipped    int        `xml:"skipped,attr"`
	Time       string     `xml:"time,attr"`
	Timestamp  string     `xml:"timestamp,attr,omitempty"`
	Properties []Property `xml:"properties>property,omitempty"`
	Cases      []Case     `xml:"testcase"`
}

// Property is a name and value.
type Property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// Case is one finding.
type Case struct {
	Name      string  `xml:"name,attr"`
	Classname string  `xml:"classname,attr"`
	File      string  `xml:"file,attr,omitempty"`
	Line      string  `xml:"line,attr,omitempty"`
	Time      string  `xml:"time,attr"`
	Failure   *Result `xml:"failure"`
	Skipped   *Result `xml:"skipped"`
	SystemOut string  `xml:"system-out,omitempty"`
}

// Result is a failure or a skip.
type Result struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// Build returns the document for r: suites sorted by tool, cases in the
// report's order.
func Build(r *aggregate.Report, o *report.Options) *Suites {
	doc := &Suites{Name: "scanmux", Time: "0"}
	var stamp string
	if o != nil && !o.Started.IsZero() {
		// The schemas' xs:dateTime without a zone, in UTC.
		stamp = o.Started.UTC().Format("2006-01-02T15:04:05")
	}
	if o != nil && !o.Started.IsZero() && o.Finished.After(o.Started) {
		doc.Time = strconv.FormatFloat(o.Finished.Sub(o.Started).Seconds(), 'f', 3, 64)
	}
	byTool := map[string]*Suite{}
	var names []string
	for _, f := range r.Findings {
		s := byTool[f.Tool.Name]
		if s == nil {
			s = &Suite{Name: f.Tool.Name, Time: "0", Timestamp: stamp}
			if f.Tool.Version != "" {
				s.Properties = append(s.Properties, Property{"tool.version", f.Tool.Version})
			}
			byTool[f.Tool.Name] = s
			names = append(names, f.Tool.Name)
		}
		c := testCase(f, o)
		s.Tests++
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Skipped != nil:
			s.Skipped++
		}
		s.Cases = append(s.Cases, c)
	}
	slices.Sort(names)
	for _, n := range names {
		s := byTool[n]
		doc.Suites = append(doc.Suites, *s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
	}
	return doc
}

func testCase(f *finding.Finding, o *report.Options) Case {
	where := view.Where(&f.Location)
	name := f.Rule.ID
	if where != "" {
		name += " at " + where
	}
	class := f.Location.Path
	if class == "" {
		class = string(f.Category)
	}
	c := Case{Name: clean(name), Classname: clean(class), File: clean(f.Location.Path), Time: "0"}
	if l := f.Location.Region.StartLine; l > 0 && f.Location.Path != "" {
		c.Line = strconv.Itoa(l)
	}
	var details strings.Builder
	fmt.Fprintf(&details, "%s\n\nrule: %s (%s)\nseverity: %s\ncategory: %s\n", strings.TrimSpace(f.Message), view.Title(f), f.Tool.Name, f.Severity, f.Category)
	if where != "" {
		fmt.Fprintf(&details, "location: %s\n", where)
	}
	if len(f.CWEs) > 0 {
		var cw []string
		for _, n := range f.CWEs {
			cw = append(cw, fmt.Sprintf("CWE-%d", n))
		}
		fmt.Fprintf(&details, "cwe: %s\n", strings.Join(cw, ", "))
	}
	if len(f.VulnIDs) > 0 {
		fmt.Fprintf(&details, "vulnerabilities: %s\n", strings.Join(f.VulnIDs, ", "))
	}
	if tools := view.Tools(f); len(tools) > 1 {
		fmt.Fprintf(&details, "also reported by: %s\n", strings.Join(tools[1:], ", "))
	}
	fmt.Fprintf(&details, "state: %s\n", view.State(f))
	if f.Rule.HelpURI != "" {
		fmt.Fprintf(&details, "help: %s\n", f.Rule.HelpURI)
	}
	if f.ID != "" {
		fmt.Fprintf(&details, "id: %s\n", f.ID)
	}
	switch {
	case f.Suppressed():
		c.Skipped = &Result{Message: clean("suppressed: " + view.Reason(f)), Type: "suppressed", Text: clean(details.String())}
	case o.Gated(f):
		c.Failure = &Result{Message: clean(fmt.Sprintf("[%s] %s", f.Severity, view.FirstLine(f.Message))), Type: f.Severity.String(), Text: clean(details.String())}
	default:
		c.SystemOut = clean(details.String())
	}
	return c
}

// clean drops what XML 1.0 cannot hold (control characters but tab and
// line ends, invalid UTF-8), which encoding/xml would otherwise write as
// U+FFFD or refuse.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF && (r < 0xD800 || r > 0xDFFF) {
			return r
		}
		return -1
	}, s)
}

// Write writes the JUnit XML document.
func Write(w io.Writer, r *aggregate.Report, o *report.Options) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(Build(r, o)); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	bw.WriteString("\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return nil
}
