package sarif

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/scanmux/scanmux/finding"
)

// benchRuns returns files runs of perRun findings each, shaped like what
// the reader makes of ../shared/bench/gen_sarif.py output: one SAST tool
// per run, rules named by CWE with security-severity, a path, a full
// region and a snippet per finding. It is deterministic.
func benchRuns(files, perRun int) []Run {
	cwes := []int{22, 78, 79, 89, 94, 200, 259, 295, 327, 330, 352, 400, 502, 611, 798, 918}
	rng := rand.New(rand.NewPCG(1, 2))
	dirs := []string{"api", "db", "auth", "web", "util"}
	names := []string{"handler", "store", "token", "view", "io"}
	paths := make([]string, 2000)
	for i := range paths {
		paths[i] = fmt.Sprintf("src/%s/%s_%d.go", dirs[rng.IntN(5)], names[rng.IntN(5)], i)
	}
	runs := make([]Run, files)
	for fi := range runs {
		tool := finding.Tool{Name: fmt.Sprintf("tool%02d", fi), Version: fmt.Sprintf("1.0.%d", fi),
			InformationURI: fmt.Sprintf("https://example.com/tool%02d", fi)}
		rules := map[string]finding.Rule{}
		sevs := map[string]string{}
		fs := make([]*finding.Finding, perRun)
		for i := range fs {
			path, line, cwe := paths[rng.IntN(len(paths))], 1+rng.IntN(800), cwes[rng.IntN(len(cwes))]
			id := fmt.Sprintf("TOOL%02d-CWE%d-%d", fi, cwe, 1+rng.IntN(40))
			r, ok := rules[id]
			if !ok {
				r = finding.Rule{ID: id, Name: "Rule" + id,
					ShortDescription: fmt.Sprintf("Possible CWE-%d issue", cwe),
					FullDescription:  fmt.Sprintf("The code may be affected by CWE-%d.", cwe),
					HelpURI:          fmt.Sprintf("https://cwe.mitre.org/data/definitions/%d.html", cwe),
					Tags:             []string{"security", fmt.Sprintf("external/cwe/cwe-%d", cwe)}}
				rules[id] = r
				sevs[id] = fmt.Sprintf("%.1f", 1+9*rng.Float64())
			}
			sev, _ := finding.ParseSeverity(sevs[id])
			fs[i] = &finding.Finding{
				Tool: tool, Rule: r, Category: finding.CategorySAST,
				Message:  fmt.Sprintf("Potential CWE-%d at %s:%d (finding %d of %s)", cwe, path, line, i, tool.Name),
				Severity: sev, OriginalSeverity: sevs[id], CWEs: []int{cwe},
				Location: finding.Location{Path: path, Region: finding.Region{StartLine: line, StartColumn: 1 + rng.IntN(40), EndLine: line, EndColumn: 80},
					Snippet: fmt.Sprintf("x := unsafe(input%d)", line%97)},
			}
		}
		runs[fi] = Run{Tool: tool, Findings: fs}
		for _, r := range rules {
			runs[fi].Rules = append(runs[fi].Rules, r)
		}
	}
	return runs
}

// BenchmarkWrite measures Write on 500,000 findings (10 runs of 50,000,
// the acceptance benchmark's size) with the default GitHub profile, which
// enforces GitHub's limits (25,000 results per run, 10 MB gzip-compressed),
// and with ProfileFull without limits. Set -short for 10 x 5,000.
func BenchmarkWrite(b *testing.B) {
	files, perRun := 10, 50000
	if testing.Short() {
		perRun = 5000
	}
	runs := benchRuns(files, perRun)
	n := files * perRun
	for _, bc := range []struct {
		name string
		opts *WriteOptions
	}{
		{"github", nil},
		{"full", &WriteOptions{Profile: ProfileFull, Limits: &Limits{}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var out countWriter
			for b.Loop() {
				out = 0
				if _, err := Write(&out, runs, bc.opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "findings/s")
			b.ReportMetric(float64(out), "out-bytes/op")
		})
	}
}

// countWriter counts the bytes written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
