package report_test

import (
	"fmt"
	"os"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	_ "github.com/scanmux/scanmux/report/annotations"
	_ "github.com/scanmux/scanmux/report/csv"
	_ "github.com/scanmux/scanmux/report/html"
	_ "github.com/scanmux/scanmux/report/junit"
	_ "github.com/scanmux/scanmux/report/markdown"
	_ "github.com/scanmux/scanmux/report/rdjsonl"
)

// A format is looked up by the name --format takes and writes a report.
func ExampleLookup() {
	r := &aggregate.Report{Findings: []*finding.Finding{{
		Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G201"}, Severity: finding.SeverityHigh,
		Message:  "SQL string formatting",
		Location: finding.Location{Path: "main.go", Region: finding.Region{StartLine: 39}},
	}}}
	f, err := report.Lookup("github-annotations")
	if err != nil {
		panic(err)
	}
	if err := f.Write(os.Stdout, r, &report.Options{}); err != nil {
		panic(err)
	}
	_, err = report.Lookup("pdf")
	fmt.Println(err != nil)
	// Output:
	// ::error file=main.go,line=39,title=gosec G201 (high)::SQL string formatting
	// true
}
