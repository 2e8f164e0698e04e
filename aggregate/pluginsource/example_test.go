package pluginsource_test

import (
	"context"
	"fmt"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/aggregate/pluginsource"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
)

// todoScanner is a compiled-in scanner that reports one finding.
type todoScanner struct{}

func (todoScanner) Describe(context.Context) (*plugin.Info, error) {
	return &plugin.Info{Name: "todo-check", Version: "1.0.0"}, nil
}

func (todoScanner) Scan(ctx context.Context, req *plugin.Request, out plugin.Emitter) error {
	return out.Finding(&finding.Finding{
		Rule:     finding.Rule{ID: "TODO1"},
		Message:  "a TODO left in the code",
		Category: finding.CategorySAST,
		Severity: finding.SeverityLow,
		Location: finding.Location{Path: "main.go", Region: finding.Region{StartLine: 3}},
	})
}

// A scanner, compiled in or a plugin process from plugin.Open, runs in the
// engine as a source; findings without a tool get the scanner's.
func ExampleNew() {
	ctx := context.Background()
	req := &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory}}
	rep, err := aggregate.Run(ctx, []aggregate.Source{pluginsource.New(ctx, todoScanner{}, req)}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range rep.Findings {
		fmt.Println(f.Tool.Name, f.Tool.Version, f.Rule.ID, f.Location.Path, f.Location.Region.StartLine)
	}
	fmt.Println(rep.Sources[0].Name, rep.Sources[0].State)
	// Output:
	// todo-check 1.0.0 TODO1 main.go 3
	// todo-check ok
}
