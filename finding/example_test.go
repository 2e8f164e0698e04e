package finding_test

import (
	"errors"
	"fmt"

	"github.com/scanmux/scanmux/finding"
)

func ExampleNormalizePath() {
	for _, p := range []string{
		"/src/app/cmd/main.go",
		"file:///src/app/docs/read%20me.md",
		"./internal/../pkg/x.go",
		`%SRCROOT%\web\index.js`,
		"../secrets.txt",
	} {
		rel, err := finding.NormalizePath("/src/app", p)
		fmt.Printf("%q %v\n", rel, err)
	}
	rel, _ := finding.NormalizePath(`C:\src\app`, `c:\src\app\cmd\main.go`)
	fmt.Println(rel)

	_, err := finding.NormalizePath("/src/app", "/etc/passwd")
	fmt.Println(errors.Is(err, finding.ErrPathOutsideRoot))
	// Output:
	// "cmd/main.go" <nil>
	// "docs/read me.md" <nil>
	// "pkg/x.go" <nil>
	// "web/index.js" <nil>
	// "" finding: path "../secrets.txt": path outside the scan root
	// cmd/main.go
	// true
}

func ExampleParseSeverity() {
	for _, s := range []string{"CRITICAL", "Moderate", "warning", "Informational", "7.5", "0", "11"} {
		sev, err := finding.ParseSeverity(s)
		fmt.Println(sev, err)
	}
	// Output:
	// critical <nil>
	// medium <nil>
	// medium <nil>
	// info <nil>
	// high <nil>
	// info <nil>
	// unset finding: severity score 11 outside 0-10
}

func ExampleLineHashes() {
	src := []byte("package main\n\nfunc main() {}\n")
	for i, h := range finding.LineHashes(src) {
		fmt.Println(i+1, h)
	}
	// The file ends with a newline, so it has a fourth, empty line.

	// Output:
	// 1 892ad3598878c1f0:1
	// 2 d0586fc087a12c3d:1
	// 3 24a800cd9b2ad267:1
	// 4 c129715d7a2bc9a3:1
}

func ExampleFinding_Validate() {
	f := &finding.Finding{
		Tool:     finding.Tool{Name: "gosec"},
		Rule:     finding.Rule{ID: "G101"},
		Message:  "Potential hardcoded credentials",
		Category: finding.CategorySecret,
		Location: finding.Location{
			Path:   "../config.go",
			Region: finding.Region{StartLine: 9, EndLine: 4},
		},
	}
	err := f.Validate()
	fmt.Println(err)

	var fe *finding.FieldError
	if errors.As(err, &fe) {
		fmt.Printf("first: field %s, problem %s\n", fe.Field, fe.Problem)
	}

	f.Severity = finding.SeverityHigh
	f.Location.Path = "config.go"
	f.Location.Region.EndLine = 12
	fmt.Println(f.Validate())
	// Output:
	// finding: severity: unset
	// finding: location.path: "../config.go" escapes the scan root
	// finding: location.region.endLine: 4 before startLine 9
	// first: field severity, problem unset
	// <nil>
}
