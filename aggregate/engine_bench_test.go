package aggregate_test

import (
	"context"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
)

// BenchmarkEngine runs the engine over the shared generator's output: 10
// SARIF files of 5000 results each, 30% of them overlapping across files.
// It reports findings (reports read) per second.
func BenchmarkEngine(b *testing.B) {
	dir := genSARIF(b, "--files", "10", "--results", "5000", "--overlap", "0.3")
	srcs := sarifSources(b, dir)
	b.ReportAllocs()
	b.ResetTimer()
	var received int
	for b.Loop() {
		rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{Root: dir})
		if err != nil {
			b.Fatal(err)
		}
		received += rep.Counts.Received
	}
	b.ReportMetric(float64(received)/b.Elapsed().Seconds(), "findings/s")
}
