package gosarif_test

import (
	"fmt"
	"log"

	gsarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/sarif/gosarif"
)

// A tool that builds its report with go-sarif hands it to scanmux without
// writing a file.
func ExampleFromReport() {
	report, err := gsarif.New(gsarif.Version210)
	if err != nil {
		log.Fatal(err)
	}
	run := gsarif.NewRunWithInformationURI("mytool", "https://example.com/mytool")
	run.AddRule("MT001").WithDescription("Hard-coded password")
	run.CreateResultForRule("MT001").
		WithLevel("error").
		WithMessage(gsarif.NewTextMessage("password in source")).
		AddLocation(gsarif.NewLocationWithPhysicalLocation(
			gsarif.NewPhysicalLocation().
				WithArtifactLocation(gsarif.NewSimpleArtifactLocation("app/config.go")).
				WithRegion(gsarif.NewSimpleRegion(12, 12))))
	report.AddRun(run)

	runs, err := gosarif.FromReport(report, "mytool", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range runs[0].Findings {
		fmt.Println(f.Tool.Name, f.Rule.ID, f.Severity, f.Location.Path, f.Location.Region.StartLine, f.Message)
	}
	// Output:
	// mytool MT001 high app/config.go 12 password in source
}

// A Go tool that post-processes reports with go-sarif takes scanmux's
// findings as a go-sarif report.
func ExampleToReport() {
	f := &finding.Finding{
		Tool:     finding.Tool{Name: "mytool"},
		Rule:     finding.Rule{ID: "MT001", ShortDescription: "Hard-coded password"},
		Severity: finding.SeverityHigh,
		Category: finding.CategorySecret,
		Message:  "password in source",
		Location: finding.Location{Path: "app/config.go", Region: finding.Region{StartLine: 12}},
	}
	report, sum, err := gosarif.ToReport([]sarif.Run{{Tool: f.Tool, Findings: []*finding.Finding{f}}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	res := report.Runs[0].Results[0]
	fmt.Println(sum.Runs, *res.RuleID, *res.Level, *res.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	// Output:
	// 1 MT001 error app/config.go
}
