package sarif_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
)

// Write one gosec finding and a tool that found nothing, then check the
// log with Validate.
func ExampleWrite() {
	runs := []sarif.Run{
		{
			Tool: finding.Tool{Name: "gosec", Version: "2.21.4"},
			Findings: []*finding.Finding{{
				Tool:     finding.Tool{Name: "gosec", Version: "2.21.4"},
				Rule:     finding.Rule{ID: "G202", ShortDescription: "SQL string concatenation"},
				Message:  "SQL string concatenation with user input",
				Category: finding.CategorySAST,
				Severity: finding.SeverityHigh,
				CWEs:     []int{89},
				Location: finding.Location{Path: "cmd/app/main.go", Region: finding.Region{StartLine: 11, StartColumn: 3}},
			}},
		},
		{Tool: finding.Tool{Name: "gitleaks"}}, // ran, found nothing: "results": []
	}
	var buf bytes.Buffer
	sum, err := sarif.Write(&buf, runs, &sarif.WriteOptions{Root: "testdata/src", Category: "scanmux"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("runs:", sum.Runs, "results:", sum.Results)
	problems, err := sarif.Validate(buf.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("problems:", len(problems))
	fmt.Println(bytes.Contains(buf.Bytes(), []byte(`"primaryLocationLineHash":"4a11b4448c57aa42:1"`)))
	// Output:
	// runs: 2 results: map[gitleaks:0 gosec:1]
	// problems: 0
	// true
}

// Validate reports what GitHub code scanning would reject.
func ExampleValidate() {
	log := []byte(`{
	  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
	  "version": "2.1.0",
	  "runs": [{
	    "tool": {"driver": {"name": "zap", "rules": [{"id": "40018", "shortDescription": {"text": "SQL Injection"}}]}},
	    "results": [{
	      "ruleId": "40018", "ruleIndex": 0, "message": {"text": "SQL injection"},
	      "locations": [{"physicalLocation": {"artifactLocation": {"uri": "https://example.com/users"}, "region": {"startLine": 1}}}]
	    }]
	  }]
	}`)
	problems, err := sarif.Validate(log)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range problems {
		fmt.Println(p.Level, p.Rule, p.Path)
	}
	// Output:
	// error GH1005 /runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri
}
