package aggregate_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
)

// sharedDir is the shared test material next to the repository, absent in
// users' clones.
const sharedDir = "../../shared"

// genSARIF runs the shared benchmark generator into a temporary directory
// and returns the directory, skipping the test when the generator is absent.
func genSARIF(tb testing.TB, args ...string) string {
	tb.Helper()
	gen := filepath.Join(sharedDir, "bench", "gen_sarif.py")
	if _, err := os.Stat(gen); err != nil {
		tb.Skipf("skipping: %s not found (the shared test material is not next to this clone)", gen)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		tb.Skip("skipping: python3 not found")
	}
	dir := tb.TempDir()
	cmd := exec.Command("python3", append([]string{gen, dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("gen_sarif.py: %v\n%s", err, out)
	}
	return dir
}

// sarifSources returns a SARIFFile source per *.sarif file in dir.
func sarifSources(tb testing.TB, dir string) []aggregate.Source {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sarif"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no SARIF files in %s (%v)", dir, err)
	}
	var srcs []aggregate.Source
	for _, f := range files {
		srcs = append(srcs, aggregate.SARIFFile(f, dir))
	}
	return srcs
}

func TestGeneratorUniqueIssues(t *testing.T) {
	dir := genSARIF(t, "--files", "10", "--results", "2000", "--overlap", "0.3")
	var truth struct {
		Results      int `json:"results"`
		UniqueIssues int `json:"unique_issues"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &truth); err != nil {
		t.Fatal(err)
	}
	rep, err := aggregate.Run(context.Background(), sarifSources(t, dir), &aggregate.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Sources {
		if !s.OK() {
			t.Errorf("source %s: %s %s", s.Name, s.State, s.Err)
		}
	}
	if rep.Counts.Received != truth.Results {
		t.Errorf("received %d reports, truth.json says %d results", rep.Counts.Received, truth.Results)
	}
	if len(rep.Findings) != truth.UniqueIssues {
		t.Errorf("kept %d findings, truth.json says %d unique issues", len(rep.Findings), truth.UniqueIssues)
	}
	if got := len(rep.Findings) + rep.Counts.Merged; got != truth.Results {
		t.Errorf("findings + merged = %d, want %d results", got, truth.Results)
	}
	for _, f := range rep.Findings { // merged ones included: see Report.Findings
		if err := f.Validate(); err != nil {
			t.Errorf("invalid finding in the report: %v", err)
		}
	}
	for _, w := range rep.Warnings {
		t.Logf("warning: %s", w)
	}
}
