package registry_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/registry"
)

// manyRuns writes a log of n runs of one result each, of distinct tools
// or all of tool "t".
func manyRuns(tb testing.TB, n int, distinct bool) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString(`{"version":"2.1.0","runs":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		tool := "t"
		if distinct {
			tool = fmt.Sprintf("tool%d", i)
		}
		fmt.Fprintf(&b, `{"tool":{"driver":{"name":%q}},"results":[{"ruleId":"R1","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a%d.go"},"region":{"startLine":%d}}}]}]}`, tool, i%50, i+1)
	}
	b.WriteString(`]}`)
	p := filepath.Join(tb.TempDir(), "runs.sarif")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// allocated returns the heap that importing path leaves in use when every
// finding is kept, as the engine keeps them.
func allocated(t *testing.T, path string) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var kept []*finding.Finding
	if _, err := registry.Import(path, "", "", func(f *finding.Finding) error {
		kept = append(kept, f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)
}

// A log of many one-result runs keeps about as much memory as one run of
// as many results does: runs share their findings' blocks (a 32 KiB block per
// run made 100,000 runs take 641 MB against 259 MB).
func TestManyRunsMemory(t *testing.T) {
	const n = 5000
	one := allocated(t, manyRuns(t, n, false))
	var b strings.Builder
	b.WriteString(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"ruleId":"R1","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a%d.go"},"region":{"startLine":%d}}}]}`, i%50, i+1)
	}
	b.WriteString(`]}]}`)
	p := filepath.Join(t.TempDir(), "one.sarif")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	single := allocated(t, p)
	if one > 3*single {
		t.Errorf("%d one-result runs keep %d KB, one run of %d results %d KB: more than 3x", n, one>>10, n, single>>10)
	}
	t.Logf("%d one-result runs: %d KB; one run of %d results: %d KB", n, one>>10, n, single>>10)
}

// BenchmarkImportManyRuns reads logs of many one-result runs of distinct
// tools: the time per run must not grow with the number of runs (it did,
// quadratically: 100,000 runs took 107 s where 10,000 took 2.1 s).
func BenchmarkImportManyRuns(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p := manyRuns(b, n, true)
			for b.Loop() {
				if _, err := registry.Import(p, "", "", func(*finding.Finding) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/run")
		})
	}
}
