package aggregate_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// Two tools report the same SQL injection; a third reports something else.
// The engine merges the first two and explains why.
func ExampleRun() {
	report := func(tool, rule string, sev finding.Severity, line int) *finding.Finding {
		return &finding.Finding{
			Tool: finding.Tool{Name: tool}, Rule: finding.Rule{ID: rule, Tags: []string{"external/cwe/cwe-89"}},
			Message: "SQL built from user input", Category: finding.CategorySAST, Severity: sev,
			Location: finding.Location{Path: "app/db.go", Region: finding.Region{StartLine: line}},
		}
	}
	source := func(name string, fs ...*finding.Finding) aggregate.Source {
		return aggregate.FuncSource(name, func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
			for _, f := range fs {
				if err := emit(f); err != nil {
					return nil, err
				}
			}
			return []finding.Tool{{Name: name}}, nil
		})
	}
	rep, err := aggregate.Run(context.Background(), []aggregate.Source{
		source("gosec", report("gosec", "G201", finding.SeverityHigh, 12)),
		source("semgrep", report("semgrep", "go.sqli", finding.SeverityMedium, 12), report("semgrep", "go.sqli", finding.SeverityMedium, 40)),
	}, &aggregate.Options{Gate: aggregate.Gate{FailOn: finding.SeverityHigh}})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range rep.Findings {
		fmt.Printf("%s %s line %d (%s), %d merged\n", f.Tool.Name, f.Rule.ID, f.Location.Region.StartLine, f.Severity, len(f.Also))
	}
	if err := rep.Explain(os.Stdout); err != nil {
		log.Fatal(err)
	}
	fmt.Println("exit code:", rep.Gate.ExitCode, rep.Gate.Reasons)
	// Output:
	// gosec G201 line 12 (high), 1 merged
	// semgrep go.sqli line 40 (medium), 0 merged
	// gosec G201 at app/db.go:12 (high, sast) merges 1 report(s):
	//   + semgrep go.sqli at app/db.go:12 (medium): same CWE: file=app/db.go lines=12-12 cwe=89 (Base)
	// exit code: 1 [1 findings at or above high (1 high)]
}

// SARIF logs from different tools are imported and merged; the summary
// gives the counts that the SARIF written from Report.Runs holds.
func ExampleSARIFFile() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	log1 := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gitleaks"}},"results":[
	  {"ruleId":"aws-access-token","level":"error","message":{"text":"AWS key"},
	   "locations":[{"physicalLocation":{"artifactLocation":{"uri":"config/.env"},"region":{"startLine":3}}}]}]}]}`
	log2 := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"trufflehog"}},"results":[
	  {"ruleId":"AWS","level":"error","message":{"text":"AWS secret"},
	   "locations":[{"physicalLocation":{"artifactLocation":{"uri":"config/.env"},"region":{"startLine":3}}}]}]}]}`
	var srcs []aggregate.Source
	for i, data := range []string{log1, log2} {
		p := fmt.Sprintf("%s/%d.sarif", dir, i)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			log.Fatal(err)
		}
		srcs = append(srcs, aggregate.SARIFFile(p, dir))
	}
	rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{Root: dir})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range rep.Findings {
		fmt.Println(f.Category, f.Tool.Name, f.Rule.ID, "+", f.Also[0].Tool.Name, f.Also[0].RuleID, "matched", f.Also[0].Match)
	}
	fmt.Println(len(rep.Runs()), "runs,", rep.Counts.Findings, "finding,", rep.Counts.Merged, "merged")
	// Output:
	// secret gitleaks aws-access-token + trufflehog AWS matched same kind of secret on one line: file=config/.env line=3 secret-rule=aws
	// 2 runs, 1 finding, 1 merged
}
