package policy

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
)

// benchFindings returns n varied findings: every category, severity and
// precision, paths in test and production code, dependency findings with
// vulnerability ids (some newly published), rules on the expiring ignore list.
func benchFindings(n int) []*finding.Finding {
	tools := []string{"gosec", "semgrep", "gitleaks", "checkov", "grype", "govulncheck", "zap"}
	rules := []string{"G101", "G104", "G304", "CKV_AWS_20", "aws-access-token", "python.lang.security.audit.eval", "40012", "G401"}
	dirs := []string{"cmd/app", "internal/store", "pkg/api", "pkg/api/testdata", "web", "infra", "testdata"}
	vulns := []string{"CVE-2025-22871", "GO-2025-3563", "CVE-2024-45337", "GHSA-v778-237x-gjrc", "CVE-2023-39325"}
	out := make([]*finding.Finding, n)
	for i := range out {
		cat := finding.Categories[i%len(finding.Categories)]
		f := &finding.Finding{
			Tool:      finding.Tool{Name: tools[i%len(tools)], Version: "1.0"},
			Rule:      finding.Rule{ID: rules[(i/3)%len(rules)], Tags: []string{"security"}},
			Message:   fmt.Sprintf("finding %d", i),
			Category:  cat,
			Severity:  finding.Severities[(i/7)%len(finding.Severities)],
			Precision: []finding.Precision{finding.PrecisionLow, finding.PrecisionHigh, finding.PrecisionMedium, ""}[(i/11)%4],
			CWEs:      []int{22 + i%5},
			Location: finding.Location{
				Path:   fmt.Sprintf("%s/file%d%s", dirs[(i/13)%len(dirs)], i%97, []string{".go", "_test.go", ".py", ".tf"}[(i/5)%4]),
				Region: finding.Region{StartLine: 1 + i%500, EndLine: 1 + i%500},
			},
			ID: fmt.Sprintf("%016x", i),
		}
		if cat == finding.CategoryDependency || cat == finding.CategoryContainer {
			f.VulnIDs = []string{vulns[(i/17)%len(vulns)], fmt.Sprintf("CVE-2020-%04d", i%300)}
			f.Location.Package = &finding.Package{Name: fmt.Sprintf("mod%d", i%50), Version: "1.0.0", Ecosystem: "Go"}
		}
		out[i] = f
	}
	return out
}

// pipelineFindings returns n findings distributed like the pipeline
// benchmark's input (../shared/bench/gen_sarif.py): 10 tools, 2,000 paths,
// 40 rules per CWE and tool, each rule with its own severity.
func pipelineFindings(n int) []*finding.Finding {
	rnd := rand.New(rand.NewPCG(1, 2))
	dirs := []string{"api", "db", "auth", "web", "util"}
	names := []string{"handler", "store", "token", "view", "io"}
	paths := make([]string, 2000)
	for i := range paths {
		paths[i] = fmt.Sprintf("src/%s/%s_%d.go", dirs[rnd.IntN(5)], names[rnd.IntN(5)], i)
	}
	cwes := []int{22, 78, 79, 89, 94, 200, 259, 295, 327, 330, 352, 400, 502, 611, 798, 918}
	ruleSeverity := map[string]finding.Severity{}
	out := make([]*finding.Finding, n)
	for i := range out {
		tool := fmt.Sprintf("tool%02d", i%10)
		cwe := cwes[rnd.IntN(len(cwes))]
		id := fmt.Sprintf("TOOL%02d-CWE%d-%d", i%10, cwe, 1+rnd.IntN(40))
		sev, ok := ruleSeverity[id]
		if !ok {
			sev, _ = finding.SeverityFromScore(1 + 9*rnd.Float64())
			ruleSeverity[id] = sev
		}
		line := 1 + rnd.IntN(800)
		out[i] = &finding.Finding{
			Tool:     finding.Tool{Name: tool, Version: "1.0"},
			Rule:     finding.Rule{ID: id, Tags: []string{"security", fmt.Sprintf("external/cwe/cwe-%d", cwe)}},
			Message:  fmt.Sprintf("Potential CWE-%d (finding %d)", cwe, i),
			Category: finding.CategorySAST,
			Severity: sev,
			CWEs:     []int{cwe},
			Location: finding.Location{Path: paths[rnd.IntN(len(paths))], Region: finding.Region{StartLine: line, EndLine: line}},
		}
	}
	return out
}

// BenchmarkPolicy evaluates the five example policies on 100,000 findings,
// on GOMAXPROCS goroutines, and reports findings/s. "varied" and "nocache"
// use benchFindings, whose combinations of the fields the policies read are
// nearly all distinct; "pipeline" uses findings distributed like the
// pipeline benchmark's. The cache starts empty in every iteration.
func BenchmarkPolicy(b *testing.B) {
	varied := benchFindings(100_000)
	pipeline := pipelineFindings(100_000)
	for _, bc := range []struct {
		name  string
		fs    []*finding.Finding
		cache int
	}{{"varied", varied, 0}, {"pipeline", pipeline, 0}, {"nocache", varied, -1}} {
		fs := bc.fs
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				p, err := Load(ctx, []string{examplesDir}, &Options{Context: prodContext, CacheSize: bc.cache})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				var next atomic.Int64
				errs := make(chan error, runtime.GOMAXPROCS(0))
				for range runtime.GOMAXPROCS(0) {
					go func() {
						for {
							i := next.Add(256) - 256
							if i >= int64(len(fs)) {
								errs <- nil
								return
							}
							for _, f := range fs[i:min(i+256, int64(len(fs)))] {
								if _, err := p.Apply(ctx, f); err != nil {
									errs <- err
									return
								}
							}
						}
					}()
				}
				for range runtime.GOMAXPROCS(0) {
					if err := <-errs; err != nil {
						b.Fatal(err)
					}
				}
				total += time.Since(start)
			}
			b.ReportMetric(float64(len(fs))*float64(b.N)/total.Seconds(), "findings/s")
		})
	}
}
