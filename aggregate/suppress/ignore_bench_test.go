package suppress_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/scanmux/scanmux/aggregate/suppress"
	"github.com/scanmux/scanmux/finding"
)

// benchIgnore returns an ignore section of 50 entries like the pipeline
// benchmark's (aggregate.pipelineIgnore): rules of several tools, some
// scoped to a directory, path globs, vulnerability ids, and a few expired
// entries.
func benchIgnore() []byte {
	var s strings.Builder
	s.WriteString("ignore:\n")
	cwes := []int{22, 78, 79, 89, 94, 200, 259, 295, 327, 330, 352, 400, 502, 611, 798, 918}
	dirs := []string{"api", "db", "auth", "web", "util"}
	for i := range 20 {
		fmt.Fprintf(&s, "  - rule: tool%02d/TOOL%02d-CWE%d-%d\n", i%10, i%10, cwes[i%len(cwes)], 1+(i*7)%40)
		if i%3 == 0 {
			fmt.Fprintf(&s, "    path: \"src/%s/**\"\n", dirs[i%len(dirs)])
		}
		fmt.Fprintf(&s, "    reason: accepted risk, tracked in SEC-%d\n", 100+i)
		if i%5 == 4 {
			s.WriteString("    expires: 2020-01-31\n")
		}
	}
	for i := range 20 {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&s, "  - path: \"src/%s/*_%d.go\"\n", dirs[i%len(dirs)], 1900+i)
		case 1:
			fmt.Fprintf(&s, "  - path: \"**/testdata/%d/**\"\n", i)
		case 2:
			fmt.Fprintf(&s, "  - path: \"vendor/mod%d/**\"\n", i)
		case 3:
			fmt.Fprintf(&s, "  - tool: tool%02d\n    path: \"src/%s/io_%d?.go\"\n", i%10, dirs[i%len(dirs)], i)
		}
		fmt.Fprintf(&s, "    reason: generated or vendored code (%d)\n", i)
	}
	for i := range 10 {
		if i%2 == 0 {
			fmt.Fprintf(&s, "  - vuln: CVE-2024-%04d\n", 1000+i*37)
		} else {
			fmt.Fprintf(&s, "  - vuln: GHSA-%04x-%04x-%04x\n", i*4099, i*257, i*31)
		}
		fmt.Fprintf(&s, "    reason: not reachable, see govulncheck\n")
	}
	return []byte(s.String())
}

// benchFindings returns n findings like the pipeline benchmark's
// generated SARIF: ten tools, rules named after CWEs, 2,000 paths.
func benchFindings(n int) []*finding.Finding {
	r := rand.New(rand.NewPCG(1, 2))
	cwes := []int{22, 78, 79, 89, 94, 200, 259, 295, 327, 330, 352, 400, 502, 611, 798, 918}
	dirs := []string{"api", "db", "auth", "web", "util"}
	names := []string{"handler", "store", "token", "view", "io"}
	fs := make([]*finding.Finding, n)
	for i := range fs {
		tool := r.IntN(10)
		line := 1 + r.IntN(800)
		fs[i] = &finding.Finding{
			Tool:     finding.Tool{Name: fmt.Sprintf("tool%02d", tool)},
			Rule:     finding.Rule{ID: fmt.Sprintf("TOOL%02d-CWE%d-%d", tool, cwes[r.IntN(len(cwes))], 1+r.IntN(40))},
			Message:  "Potential issue",
			Category: finding.CategorySAST,
			Severity: finding.SeverityMedium,
			Location: finding.Location{
				Path:   fmt.Sprintf("src/%s/%s_%d.go", dirs[r.IntN(len(dirs))], names[r.IntN(len(names))], r.IntN(2000)),
				Region: finding.Region{StartLine: line, StartColumn: 1 + r.IntN(40), EndLine: line, EndColumn: 80},
			},
			Fingerprints: map[string]string{finding.FingerprintLineHash: fmt.Sprintf("%016x:1", r.Uint64())},
		}
	}
	return fs
}

// BenchmarkIgnoreApply measures Apply of a 50-entry ignore section on
// findings like the pipeline benchmark's; ns/op is per finding.
func BenchmarkIgnoreApply(b *testing.B) {
	ig, err := suppress.ParseIgnore(".scanmux.yaml", benchIgnore(), time.Date(2025, 11, 20, 8, 0, 0, 0, time.UTC))
	if err != nil {
		b.Fatal(err)
	}
	fs := benchFindings(4096)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ig.Apply(ctx, fs[i%len(fs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
