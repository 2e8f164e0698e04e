package suppress_test

import (
	"context"
	"fmt"
	"time"

	"github.com/scanmux/scanmux/aggregate/suppress"
	"github.com/scanmux/scanmux/finding"
)

func ExampleParseIgnore() {
	doc := `
ignore:
  - rule: gosec/G104
    path: "cmd/**"
    reason: errors are checked by the wrapper
    expires: 2027-06-30
`
	ig, err := suppress.ParseIgnore(".scanmux.yaml", []byte(doc), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	f := &finding.Finding{Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G104"},
		Location: finding.Location{Path: "cmd/tool/main.go", Region: finding.Region{StartLine: 7}}}
	v, _ := ig.Apply(context.Background(), f)
	fmt.Println(v.Suppress.Kind, v.Suppress.Source, v.Suppress.Justification)
	// Output: external .scanmux.yaml:3 errors are checked by the wrapper
}

func ExampleInline() {
	in := suppress.NewInline("testdata/src")
	f := &finding.Finding{Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G101"},
		Location: finding.Location{Path: "app.go", Region: finding.Region{StartLine: 9}}}
	v, _ := in.Apply(context.Background(), f)
	fmt.Println(v.Suppress.Kind, v.Suppress.Source, v.Suppress.Justification)
	// Output: inSource inline:#nosec test fixture, not a real credential
}
