package aggregate_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// A finding keeps its identity when code is inserted above it; editing its
// own line gives it a new one.
func ExampleIdentify() {
	root, err := os.MkdirTemp("", "identify")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	scan := func(src string, line int) string {
		if err := os.WriteFile(filepath.Join(root, "main.go"), []byte(src), 0o644); err != nil {
			log.Fatal(err)
		}
		f := &finding.Finding{
			Tool:     finding.Tool{Name: "gosec"},
			Rule:     finding.Rule{ID: "G104"},
			Message:  "Errors unhandled",
			Category: finding.CategorySAST,
			Severity: finding.SeverityLow,
			Location: finding.Location{Path: "main.go", Region: finding.Region{StartLine: line, StartColumn: 2}},
		}
		if err := aggregate.Identify([]*finding.Finding{f}, root); err != nil {
			log.Fatal(err)
		}
		return f.ID
	}

	v1 := scan("package main\n\nfunc main() {\n\tf.Close()\n}\n", 4)
	v2 := scan("package main\n\n// main runs.\nfunc main() {\n\tlog.Print(\"closing\")\n\tf.Close()\n}\n", 6)
	v3 := scan("package main\n\nfunc main() {\n\tg.Close()\n}\n", 4)
	fmt.Println("moved down two lines, same identity:", v1 == v2)
	fmt.Println("line edited, same identity:", v1 == v3)
	fmt.Println("format:", v1[:3], len(v1))
	// Output:
	// moved down two lines, same identity: true
	// line edited, same identity: false
	// format: v2: 35
}
