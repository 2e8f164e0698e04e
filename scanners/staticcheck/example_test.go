package staticcheck_test

import (
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/staticcheck"
)

func ExampleAdapter_Decode() {
	// A line of testdata/staticcheck-0.8.2.json.
	out := `{"code":"SA4023","severity":"error","location":{"file":"/src/main.go","line":38,"column":5},"end":{"file":"/src/main.go","line":38,"column":16},"message":"this comparison is never true","related":[{"location":{"file":"/src/main.go","line":37,"column":19},"end":{"file":"/src/main.go","line":37,"column":38},"message":"the lhs of the comparison gets its value from here and has a concrete type"}]}
`
	opts := &scanners.Options{Root: "/src"}
	_, err := staticcheck.Adapter{}.Decode(strings.NewReader(out), "staticcheck.json", opts, func(f *finding.Finding) error {
		fmt.Println(f.Rule.ID, f.Severity, f.Location.Path, f.Location.Region.StartLine, f.Message)
		for _, r := range f.Related {
			fmt.Println("related:", r.Path, r.Region.StartLine, r.Message)
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// SA4023 low main.go 38 this comparison is never true
	// related: main.go 37 the lhs of the comparison gets its value from here and has a concrete type
}
