package aggregate_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// A tool that ran in a sub-directory reports paths relative to it, and
// its findings under vendor/ are not wanted: MapSource fixes the one and
// drops the other before the engine sees them.
func ExampleMapSource() {
	tool := aggregate.FuncSource("gosec", func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
		for _, p := range []string{"db.go", "vendor/x/y.go"} {
			err := emit(&finding.Finding{
				Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G201"}, Message: "SQL built from user input",
				Category: finding.CategorySAST, Severity: finding.SeverityHigh,
				Location: finding.Location{Path: p, Region: finding.Region{StartLine: 12}},
			})
			if err != nil {
				return nil, err
			}
		}
		return []finding.Tool{{Name: "gosec"}}, nil
	})
	src := aggregate.MapSource(tool, func(f *finding.Finding) bool {
		if strings.HasPrefix(f.Location.Path, "vendor/") {
			return false
		}
		f.Location.Path = "service/" + f.Location.Path
		return true
	})
	rep, err := aggregate.Run(context.Background(), []aggregate.Source{src}, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range rep.Findings {
		fmt.Println(f.Rule.ID, f.Location.Path)
	}
	fmt.Println(rep.Sources[0].Name, rep.Sources[0].Findings, "emitted")
	// Output:
	// G201 service/db.go
	// gosec 1 emitted
}
