package aggregate_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/engine")

// sampleReport runs the cross-tool findings, one of them suppressed, one
// denied by a filter, and a source that fails after emitting.
func sampleReport(t *testing.T, gate aggregate.Gate) *aggregate.Report {
	t.Helper()
	fs := crossToolFindings()
	var srcs []aggregate.Source
	byTool := map[string][]*finding.Finding{}
	var names []string
	for _, f := range fs {
		if byTool[f.Tool.Name] == nil {
			names = append(names, f.Tool.Name)
		}
		byTool[f.Tool.Name] = append(byTool[f.Tool.Name], f)
	}
	for _, name := range names {
		list := byTool[name]
		srcs = append(srcs, aggregate.FuncSource(name, func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
			for _, f := range list {
				if err := emit(f.Clone()); err != nil {
					return nil, err
				}
			}
			return []finding.Tool{{Name: name, Version: "1.0"}}, nil
		}))
	}
	srcs = append(srcs,
		aggregate.FuncSource("eslint", func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
			return []finding.Tool{{Name: "eslint", Version: "9.0.0"}}, nil // ran, found nothing
		}),
		aggregate.FuncSource("bandit", func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
			if err := emit(src("bandit", "B608", finding.SeverityMedium, "tools/q.py", 4, 4, 89)); err != nil {
				return nil, err
			}
			return []finding.Tool{{Name: "bandit"}}, errors.New("bandit exited with status 2")
		}))
	rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{
		Filters: []aggregate.Filter{suppressFilter{rule: "go.xss", line: 5}, denyFilter{}},
		Gate:    gate,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range rep.Sources {
		rep.Sources[i].Duration = 0 // for golden output
	}
	return rep
}

// denyFilter denies critical findings.
type denyFilter struct{}

func (denyFilter) Name() string { return "no-critical" }

func (denyFilter) Apply(_ context.Context, f *finding.Finding) (aggregate.Verdict, error) {
	if f.Severity == finding.SeverityCritical {
		return aggregate.Verdict{Deny: []string{"critical finding " + f.Rule.ID}}, nil
	}
	return aggregate.Verdict{}, nil
}

func TestSummaryMatchesSARIF(t *testing.T) {
	rep := sampleReport(t, aggregate.Gate{})
	c := rep.Counts

	// The summary's numbers.
	var sum bytes.Buffer
	if err := rep.Summary(&sum); err != nil {
		t.Fatal(err)
	}
	head := regexp.MustCompile(`^(\d+) findings \((\d+) suppressed, (\d+) reports merged, (\d+) received\)`).FindStringSubmatch(sum.String())
	if head == nil {
		t.Fatalf("summary has no count line:\n%s", sum.String())
	}
	if atoi(head[1]) != c.Findings || atoi(head[2]) != c.Suppressed || atoi(head[3]) != c.Merged || atoi(head[4]) != c.Received {
		t.Errorf("summary line %q disagrees with counts %+v", head[0], c)
	}
	byTool := map[string]int{}
	if m := regexp.MustCompile(`(?m)^by tool:(.*)$`).FindStringSubmatch(sum.String()); m != nil {
		fields := strings.Fields(m[1])
		for i := 0; i+1 < len(fields); i += 2 {
			byTool[fields[i]] = atoi(fields[i+1])
		}
	}
	totalRow := regexp.MustCompile(`(?m)^\s*total\s+([\d\s]+)$`).FindStringSubmatch(sum.String())
	if totalRow == nil {
		t.Fatalf("summary has no total row:\n%s", sum.String())
	}
	totals := strings.Fields(totalRow[1])
	if atoi(totals[len(totals)-1]) != c.Findings {
		t.Errorf("total row %q, want %d", totalRow[0], c.Findings)
	}

	// What the SARIF says, written and read back.
	dir := t.TempDir()
	path := filepath.Join(dir, "out.sarif")
	var buf bytes.Buffer
	if _, err := sarif.Write(&buf, rep.Runs(), &sarif.WriteOptions{Profile: sarif.ProfileFull}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	runs, err := sarif.ReadFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	var findings, suppressed int
	bySev := map[finding.Severity]int{}
	byCat := map[finding.Category]int{}
	var failed []string
	for _, r := range runs {
		if r.Invocation.Failed {
			failed = append(failed, r.Tool.Name)
		}
		for _, f := range r.Findings {
			if f.Suppressed() {
				suppressed++
				continue
			}
			findings++
			got[r.Tool.Name]++
			bySev[f.Severity]++
			// The reader infers a category from the tool's name; the
			// category written is in the result's properties.
			cat := f.Category
			if c, ok := finding.ParseCategory(f.Properties["category"]); ok {
				cat = c
			}
			byCat[cat]++
		}
	}
	if findings != c.Findings || suppressed != c.Suppressed {
		t.Errorf("SARIF holds %d findings and %d suppressed; counts say %d and %d", findings, suppressed, c.Findings, c.Suppressed)
	}
	for tool, n := range got {
		if byTool[tool] != n || c.ByTool[tool] != n {
			t.Errorf("tool %s: SARIF %d, summary %d, counts %d", tool, n, byTool[tool], c.ByTool[tool])
		}
	}
	if len(got) != len(byTool) {
		t.Errorf("SARIF tools %v, summary tools %v", got, byTool)
	}
	for _, s := range finding.Severities {
		if bySev[s] != c.BySeverity[s] {
			t.Errorf("severity %s: SARIF %d, counts %d", s, bySev[s], c.BySeverity[s])
		}
	}
	for _, k := range finding.Categories {
		if byCat[k] != c.ByCategory[k] {
			t.Errorf("category %s: SARIF %d, counts %d", k, byCat[k], c.ByCategory[k])
		}
	}
	if !slices.Equal(failed, []string{"bandit"}) {
		t.Errorf("failed runs %v, want [bandit]", failed)
	}
	var names []string
	for _, r := range runs {
		names = append(names, r.Tool.Name)
	}
	if !slices.Contains(names, "eslint") {
		t.Errorf("no empty run for eslint, which ran and found nothing: %v", names)
	}

	// The GitHub profile agrees too, counting what it leaves out.
	ws, err := sarif.Write(&bytes.Buffer{}, rep.Runs(), nil)
	if err != nil {
		t.Fatal(err)
	}
	written := ws.Unlocated + ws.DroppedResults
	for _, n := range ws.Results {
		written += n
	}
	if written != c.Findings || ws.Suppressed != c.Suppressed {
		t.Errorf("GitHub profile: %d results (+unlocated, dropped) and %d suppressed; counts say %d and %d",
			written, ws.Suppressed, c.Findings, c.Suppressed)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func TestGate(t *testing.T) {
	tests := []struct {
		reason  string
		gate    aggregate.Gate
		code    int
		reason0 string
	}{
		{"no severity gate: the denial still fails", aggregate.Gate{}, aggregate.ExitGateFailed, "denied by no-critical: critical finding CVE-2020-8203"},
		{"fail on high", aggregate.Gate{FailOn: finding.SeverityHigh}, aggregate.ExitGateFailed, "7 findings at or above high (1 critical, 6 high)"},
		{"source errors win", aggregate.Gate{FailOn: finding.SeverityHigh, FailOnSourceError: true}, aggregate.ExitSourceFailed, "7 findings at or above high"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			rep := sampleReport(t, tt.gate)
			g := rep.Gate
			if !g.Failed || g.ExitCode != tt.code || len(g.Reasons) == 0 || !strings.HasPrefix(g.Reasons[0], tt.reason0) {
				t.Errorf("gate %+v, want exit %d with first reason %q", g, tt.code, tt.reason0)
			}
		})
	}
}

// mapBaseline is a baseline of tool/rule/path keys.
type mapBaseline map[string]bool

func (b mapBaseline) Compare(fs []*finding.Finding) []*finding.Finding {
	seen := map[string]bool{}
	for _, f := range fs {
		k := f.Tool.Name + "/" + f.Rule.ID + "/" + f.Location.Path
		seen[k] = true
		if b[k] {
			f.Baseline = finding.BaselineUnchanged
		} else {
			f.Baseline = finding.BaselineNew
		}
	}
	var absent []*finding.Finding
	for k := range b {
		if !seen[k] {
			parts := strings.SplitN(k, "/", 3)
			absent = append(absent, &finding.Finding{Tool: finding.Tool{Name: parts[0]}, Rule: finding.Rule{ID: parts[1]},
				Message: "gone", Category: finding.CategorySAST, Severity: finding.SeverityLow,
				Location: finding.Location{Path: parts[2]}, Baseline: finding.BaselineAbsent})
		}
	}
	return absent
}

func TestGateNewOnly(t *testing.T) {
	base := mapBaseline{"gosec/G201/app/db.go": true, "old/R9/x.go": true}
	fs := []*finding.Finding{
		src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89),
		src("semgrep", "go.xss", finding.SeverityLow, "app/view.go", 5, 5, 79),
	}
	rep := runFindings(t, &aggregate.Options{Baseline: base, Gate: aggregate.Gate{FailOn: finding.SeverityHigh, NewOnly: true}}, fs...)
	if rep.Gate.Failed {
		t.Errorf("gate failed on a finding in the baseline: %v", rep.Gate.Reasons)
	}
	c := rep.Counts
	if c.New != 1 || c.Unchanged != 1 || c.Absent != 1 || len(rep.Absent) != 1 {
		t.Errorf("counts %+v, absent %d", c, len(rep.Absent))
	}
	rep = runFindings(t, &aggregate.Options{Baseline: mapBaseline{}, Gate: aggregate.Gate{FailOn: finding.SeverityHigh, NewOnly: true}}, fs...)
	if !rep.Gate.Failed || rep.Gate.ExitCode != aggregate.ExitGateFailed {
		t.Errorf("gate %+v, want failed on the new high finding", rep.Gate)
	}
}

func TestRunInvalidOptions(t *testing.T) {
	for _, o := range []*aggregate.Options{
		{Concurrency: -1},
		{Dedup: aggregate.DedupOptions{Severity: "loudest"}},
		{Gate: aggregate.Gate{FailOn: 9}},
	} {
		if _, err := aggregate.Run(context.Background(), nil, o); !errors.Is(err, aggregate.ErrInvalidOptions) {
			t.Errorf("Run(%+v) = %v, want ErrInvalidOptions", o, err)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	block := aggregate.FuncSource("blocker", func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
		if err := emit(src("blocker", "B1", finding.SeverityLow, "a.go", 1, 1)); err != nil {
			return nil, err
		}
		cancel()
		<-ctx.Done()
		return nil, ctx.Err()
	})
	rep, err := aggregate.Run(ctx, []aggregate.Source{block}, nil)
	if !errors.Is(err, context.Canceled) || rep == nil {
		t.Fatalf("Run = %v, %v; want the report and context.Canceled", rep, err)
	}
	if s := rep.Sources[0]; s.State != aggregate.SourceFailed || len(rep.Findings) != 1 ||
		rep.Findings[0].Properties[aggregate.PropPartial] != "true" {
		t.Errorf("status %+v, findings %d", s, len(rep.Findings))
	}
}

// TestGolden checks the summary and the explanation of the sample report.
func TestGolden(t *testing.T) {
	rep := sampleReport(t, aggregate.Gate{FailOn: finding.SeverityHigh})
	for _, g := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"summary.golden", func(b *bytes.Buffer) error { return rep.Summary(b) }},
		{"explain.golden", func(b *bytes.Buffer) error { return rep.Explain(b) }},
	} {
		var b bytes.Buffer
		if err := g.write(&b); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "engine", g.name)
		if *update {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(want, b.Bytes()) {
			t.Errorf("%s differs (-want +got):\n%s", g.name, firstDiff(want, b.Bytes()))
		}
	}
}
