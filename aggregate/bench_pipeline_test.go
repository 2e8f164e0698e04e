package aggregate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/aggregate/policy"
	"github.com/scanmux/scanmux/aggregate/suppress"
	"github.com/scanmux/scanmux/sarif"
)

// pipelineGenArgs are the acceptance benchmark's generator arguments: 10
// files of 50,000 results (500,000 results, about 190 MB), 30% overlap.
var pipelineGenArgs = []string{"--files", "10", "--results", "50000", "--overlap", "0.3"}

// pipelineGen generates the acceptance benchmark's input into
// os.TempDir()/scanmux-bench-gen once, reusing it while its stamp says it
// was made with the same arguments, and returns the directory.
func pipelineGen(b *testing.B) string {
	b.Helper()
	if testing.Short() {
		b.Skip("skipping the full-size pipeline benchmark in -short mode")
	}
	gen := filepath.Join(sharedDir, "bench", "gen_sarif.py")
	if _, err := os.Stat(gen); err != nil {
		b.Skipf("skipping: %s not found (the shared test material is not next to this clone)", gen)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		b.Skip("skipping: python3 not found")
	}
	dir := filepath.Join(os.TempDir(), "scanmux-bench-gen")
	stamp := filepath.Join(dir, "stamp")
	want := strings.Join(pipelineGenArgs, " ")
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		return dir
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command("python3", append([]string{gen, dir}, pipelineGenArgs...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("gen_sarif.py: %v\n%s", err, out)
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// pipelineIgnore returns an ignore section of 50 entries like a large
// project's: rules of several tools (some scoped to a directory), path
// globs, vulnerability ids, and a few expired entries.
func pipelineIgnore() []byte {
	var s strings.Builder
	s.WriteString("ignore:\n")
	cwes := []int{22, 78, 79, 89, 94, 200, 259, 295, 327, 330, 352, 400, 502, 611, 798, 918}
	dirs := []string{"api", "db", "auth", "web", "util"}
	for i := range 20 { // rules, some with a path
		fmt.Fprintf(&s, "  - rule: tool%02d/TOOL%02d-CWE%d-%d\n", i%10, i%10, cwes[i%len(cwes)], 1+(i*7)%40)
		if i%3 == 0 {
			fmt.Fprintf(&s, "    path: \"src/%s/**\"\n", dirs[i%len(dirs)])
		}
		fmt.Fprintf(&s, "    reason: accepted risk, tracked in SEC-%d\n", 100+i)
		if i%5 == 4 {
			s.WriteString("    expires: 2020-01-31\n")
		}
	}
	for i := range 20 { // path globs
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
	for i := range 10 { // vulnerability ids
		if i%2 == 0 {
			fmt.Fprintf(&s, "  - vuln: CVE-2024-%04d\n", 1000+i*37)
		} else {
			fmt.Fprintf(&s, "  - vuln: GHSA-%04x-%04x-%04x\n", i*4099, i*257, i*31)
		}
		fmt.Fprintf(&s, "    reason: not reachable, see govulncheck\n")
	}
	return []byte(s.String())
}

// pipelinePolicyContext is the policy context of the pipeline benchmark.
var pipelinePolicyContext = map[string]any{
	"environment":         "production",
	"branch":              "main",
	"now":                 "2025-11-20T08:00:00Z",
	"new_vulnerabilities": []string{"CVE-2025-22871", "GO-2025-3563"},
}

// heapSampler records the peak of the heap in use (runtime.MemStats'
// HeapInuse: live and not yet swept objects and their spans' free space)
// while it runs, read through runtime/metrics, which does not stop the world.
type heapSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak atomic.Uint64
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
	}
	read := func() {
		metrics.Read(samples)
		if v := samples[0].Value.Uint64() + samples[1].Value.Uint64(); v > h.peak.Load() {
			h.peak.Store(v)
		}
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// done stops the sampler and returns the peak in bytes.
func (h *heapSampler) done() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak.Load()
}

// now returns the peak so far, in bytes.
func (h *heapSampler) now() uint64 { return h.peak.Load() }

// BenchmarkPipeline runs the whole acceptance pipeline on the generator's
// full-size output (10 files of 50,000 results, 30% overlap): read the
// SARIF files, normalize, filter (inline suppressions, an ignore file of 50
// entries and, in "policy", the five example Rego policies), deduplicate,
// identify, then write the report as a full SARIF log to io.Discard. It
// reports findings (results read) per second, the peak heap in use (over
// the whole pipeline and until aggregate.Run returns), and the seconds
// spent in aggregate.Run and in writing. Comparing "policy"
// with "nopolicy" gives the policy filter's own cost.
func BenchmarkPipeline(b *testing.B) {
	dir := pipelineGen(b)
	var truth struct {
		Results      int `json:"results"`
		UniqueIssues int `json:"unique_issues"`
	}
	if data, err := os.ReadFile(filepath.Join(dir, "truth.json")); err == nil {
		_ = json.Unmarshal(data, &truth)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.sarif"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no SARIF files in %s (%v)", dir, err)
	}
	slices.Sort(files)
	policies, err := filepath.Glob(filepath.Join("..", "examples", "policies", "*.rego"))
	if err != nil {
		b.Fatal(err)
	}
	policies = slices.DeleteFunc(policies, func(p string) bool { return strings.HasSuffix(p, "_test.rego") })
	if len(policies) != 5 {
		b.Fatalf("found %d example policies, want 5: %v", len(policies), policies)
	}
	ignore := pipelineIgnore()

	for _, withPolicy := range []bool{true, false} {
		name := "nopolicy"
		if withPolicy {
			name = "policy"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			var received, findings int
			var runTime, writeTime time.Duration
			var peak, runPeak uint64
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				srcs := make([]aggregate.Source, len(files))
				for i, f := range files {
					srcs[i] = aggregate.SARIFFile(f, dir)
				}
				ig, err := suppress.ParseIgnore(".scanmux.yaml", ignore, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
				if err != nil {
					b.Fatal(err)
				}
				if ig.Len() != 50 {
					b.Fatalf("ignore file has %d entries, want 50", ig.Len())
				}
				filters := []aggregate.Filter{suppress.NewInline(dir), ig}
				if withPolicy {
					pol, err := policy.Load(ctx, policies, &policy.Options{Context: pipelinePolicyContext})
					if err != nil {
						b.Fatal(err)
					}
					filters = append(filters, pol)
				}
				runtime.GC()
				hs := startHeapSampler()
				b.StartTimer()

				start := time.Now()
				rep, err := aggregate.Run(ctx, srcs, &aggregate.Options{Root: dir, Filters: filters})
				if err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				runPeak = max(runPeak, hs.now())
				runs := rep.Runs()
				received += rep.Counts.Received
				findings += len(rep.Findings)
				rep = nil // the runs hold what the writer needs
				if _, err := sarif.Write(io.Discard, runs, &sarif.WriteOptions{
					Root: dir, Profile: sarif.ProfileFull, Limits: &sarif.Limits{}}); err != nil {
					b.Fatal(err)
				}
				end := time.Now()
				runTime += mid.Sub(start)
				writeTime += end.Sub(mid)

				b.StopTimer()
				peak = max(peak, hs.done())
				runs = nil
				b.StartTimer()
			}
			n := float64(b.N)
			if truth.Results > 0 && received != truth.Results*b.N {
				b.Errorf("received %d reports per run, truth.json says %d", received/b.N, truth.Results)
			}
			b.ReportMetric(float64(received)/b.Elapsed().Seconds(), "findings/s")
			if truth.UniqueIssues > 0 && findings != truth.UniqueIssues*b.N {
				b.Errorf("kept %d findings per run, truth.json says %d unique issues", findings/b.N, truth.UniqueIssues)
			}
			b.ReportMetric(float64(findings)/n, "kept/op")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(runPeak)/(1<<20), "run-peak-heap-MB")
			b.ReportMetric(runTime.Seconds()/n, "run-s/op")
			b.ReportMetric(writeTime.Seconds()/n, "write-s/op")
		})
	}
}
