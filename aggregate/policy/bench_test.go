package policy

import (
	"context"
	"fmt"
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
			Fingerprints: map[string]string{finding.FingerprintScanmuxV1: fmt.Sprintf("%016x", i)},
		}
		if cat == finding.CategoryDependency || cat == finding.CategoryContainer {
			f.VulnIDs = []string{vulns[(i/17)%len(vulns)], fmt.Sprintf("CVE-2020-%04d", i%300)}
			f.Location.Package = &finding.Package{Name: fmt.Sprintf("mod%d", i%50), Version: "1.0.0", Ecosystem: "Go"}
		}
		out[i] = f
	}
	return out
}

// BenchmarkPolicy evaluates the five example policies on 100,000 varied
// findings, on GOMAXPROCS goroutines, and reports findings/s. "cached" is
// the default; "nocache" evaluates every finding with OPA.
func BenchmarkPolicy(b *testing.B) {
	fs := benchFindings(100_000)
	for _, bc := range []struct {
		name  string
		cache int
	}{{"cached", 0}, {"nocache", -1}} {
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
