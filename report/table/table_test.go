package table_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report/internal/reporttest"
	"github.com/scanmux/scanmux/report/table"
)

// The recorded vulnerable-app scan, as people read it: the list grouped by
// file, then the summary, without colour; and grouped by severity.
func TestVulnerableApp(t *testing.T) {
	r, _ := reporttest.VulnerableApp(t)
	for _, sources := range [][]aggregate.SourceStatus{r.Sources} {
		for i := range sources {
			sources[i].Duration = 0 // changes from run to run
		}
	}
	for _, group := range table.GroupBys {
		var buf bytes.Buffer
		opts := &table.Options{GroupBy: group, Skipped: []table.Skip{{Name: "semgrep", Why: "not installed"}, {Name: "checkov", Why: "not installed"}}}
		if err := table.Write(&buf, r, opts); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.Contains(out, "\x1b[") {
			t.Error("colour codes without Color")
		}
		for _, want := range []string{
			"main.go:22:5", "G101", "[gosec, gitleaks]", // a merged finding lists both tools
			"56 findings to fix: 1 critical, 26 high",
			"not counted: 4 suppressed findings", "1 duplicate report merged",
			"against the baseline:", "skipped:\n  not installed: semgrep, checkov\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("group by %s: the output lacks %q", group, want)
			}
		}
		// The source's name holds the checkout's path.
		reporttest.Golden(t, "vulnerable-app-by-"+group+".txt", []byte(strings.ReplaceAll(out, reporttest.RepoRoot(), "$ROOT")))
	}
}

// On a terminal the severities are coloured; text from the scanned tree
// is escaped all the same, so a file name cannot drive the terminal or
// inject a workflow command.
func TestColourAndEscaping(t *testing.T) {
	f := &finding.Finding{
		Tool: finding.Tool{Name: "t"}, Rule: finding.Rule{ID: "R1"}, Message: "m\x1b[2Jgone", Category: finding.CategorySAST,
		Severity: finding.SeverityCritical, Location: finding.Location{Path: "x\n::error file=a::INJECTED\n.go", Region: finding.Region{StartLine: 3}},
	}
	r := &aggregate.Report{Findings: []*finding.Finding{f}, Counts: aggregate.Counts{Findings: 1, BySeverity: map[finding.Severity]int{finding.SeverityCritical: 1}},
		Sources: []aggregate.SourceStatus{{Name: "t\x1b]0;title\x07", State: aggregate.SourceFailed, Err: "boom\n::error::X"}}}
	var buf bytes.Buffer
	if err := table.Write(&buf, r, &table.Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "\x1b[1;35mCRITICAL") {
		t.Errorf("critical is not coloured:\n%q", out)
	}
	for _, bad := range []string{"\x1b[2J", "\x1b]0;", "\n::error"} {
		if strings.Contains(out, bad) {
			t.Errorf("%q reaches the terminal:\n%q", bad, out)
		}
	}
	if !strings.HasPrefix(strings.SplitN(out, "\n\n", 2)[1], "\x1b[1;31mFAILED:\x1b[0m t") {
		t.Errorf("the failed source does not open the summary:\n%q", out)
	}
}

func ExampleWrite() {
	f := &finding.Finding{
		Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G101"}, Message: "Potential hardcoded credentials",
		Category: finding.CategorySecret, Severity: finding.SeverityHigh,
		Location: finding.Location{Path: "main.go", Region: finding.Region{StartLine: 22, StartColumn: 5}},
	}
	r := &aggregate.Report{Findings: []*finding.Finding{f}, Counts: aggregate.Counts{Findings: 1, Received: 2, Merged: 1,
		BySeverity: map[finding.Severity]int{finding.SeverityHigh: 1}, ByCategory: map[finding.Category]int{finding.CategorySecret: 1}}}
	var buf bytes.Buffer
	table.Write(&buf, r, nil)
	fmt.Print(strings.ReplaceAll(buf.String(), "  \n", "\n"))
	// Output:
	// main.go (1)
	//   main.go:22:5  HIGH      G101  Potential hardcoded credentials  [gosec]
	//
	// 1 finding to fix: 1 high
	//   by category: secret 1
	//   not counted: 0 suppressed findings (see the SARIF's suppressions), 1 duplicate report merged of the same issue by another tool or run
	//   2 reports received from 0 sources
}
