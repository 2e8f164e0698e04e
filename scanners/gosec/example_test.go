package gosec_test

import (
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/gosec"
)

func ExampleAdapter_Decode() {
	report := `{
	"Golang errors": {},
	"Issues": [{
		"severity": "MEDIUM", "confidence": "HIGH",
		"cwe": {"id": "22", "url": "https://cwe.mitre.org/data/definitions/22.html"},
		"rule_id": "G304", "details": "Potential file inclusion via variable",
		"file": "/src/app/cmd/serve.go", "code": "41: \tdata, err := os.ReadFile(name)\n",
		"line": "41", "column": "15", "nosec": false, "suppressions": null
	}],
	"Stats": {"files": 3, "lines": 120, "nosec": 0, "found": 1},
	"GosecVersion": "2.30.0"
}`
	a := gosec.Adapter{}
	fmt.Println(a.Detect([]byte(report)))
	tool, err := a.Decode(strings.NewReader(report), "gosec.json", &scanners.Options{Root: "/src/app"},
		func(f *finding.Finding) error {
			fmt.Println(f.Rule.ID, f.Severity, f.Precision, f.CWEs, f.Location.Path, f.Location.Region.StartLine, f.Location.Region.StartColumn)
			fmt.Println(f.Message)
			return nil
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tool.Name, tool.Version)
	// Output:
	// true
	// G304 medium high [22] cmd/serve.go 41 15
	// Potential file inclusion via variable
	// gosec 2.30.0
}
