package aggregate

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/scanmux/scanmux/finding"
)

// manyTestFindings returns n findings of few tools and rules, at few
// places.
func manyTestFindings(n int) []*finding.Finding {
	rnd := rand.New(rand.NewPCG(7, 9))
	out := make([]*finding.Finding, n)
	for i := range out {
		f := &finding.Finding{
			Tool:     finding.Tool{Name: fmt.Sprintf("tool%d", rnd.IntN(5))},
			Rule:     finding.Rule{ID: fmt.Sprintf("R%d", rnd.IntN(30))},
			Message:  fmt.Sprintf("message %d", rnd.IntN(50)),
			Category: finding.CategorySAST,
			Severity: finding.SeverityMedium,
			Location: finding.Location{Path: fmt.Sprintf("src/f%d.go", rnd.IntN(40)),
				Region: finding.Region{StartLine: 1 + rnd.IntN(20)}},
		}
		out[i] = f
	}
	return out
}

// TestCountsAndRuns checks countReport and Report.Runs against plain
// counts and grouping.
func TestCountsAndRuns(t *testing.T) {
	fs := manyTestFindings(30000)
	rnd := rand.New(rand.NewPCG(3, 5))
	sevs := []finding.Severity{finding.SeverityLow, finding.SeverityHigh, finding.SeverityCritical}
	cats := []finding.Category{finding.CategorySAST, finding.CategorySecret}
	for i, f := range fs {
		f.Severity = sevs[rnd.IntN(len(sevs))]
		f.Category = cats[rnd.IntN(len(cats))]
		if i%7 == 0 {
			f.Suppressions = []finding.Suppression{{Kind: finding.SuppressionExternal, Justification: "test"}}
		}
		if i%11 == 0 {
			f.Baseline = finding.BaselineNew
		}
		// Versions appear late in the list, so that a later part gives a
		// tool its first version.
		if i > len(fs)*3/4 && rnd.IntN(100) == 0 {
			f.Tool.Version = fmt.Sprintf("1.%d", i)
		}
	}
	rep := &Report{Findings: fs}
	got := countReport(rep, 0, len(fs))

	want := Counts{ByTool: map[string]int{}, ByCategory: map[finding.Category]int{}, BySeverity: map[finding.Severity]int{}}
	byBoth := map[sevCat]int{}
	wantRuns := map[string][]*finding.Finding{}
	wantVersion := map[string]string{}
	for _, f := range fs {
		wantRuns[f.Tool.Name] = append(wantRuns[f.Tool.Name], f)
		if wantVersion[f.Tool.Name] == "" {
			wantVersion[f.Tool.Name] = f.Tool.Version
		}
		if f.Baseline == finding.BaselineNew {
			want.New++
		}
		if f.Suppressed() {
			want.Suppressed++
			continue
		}
		want.Findings++
		want.ByTool[f.Tool.Name]++
		want.ByCategory[f.Category]++
		want.BySeverity[f.Severity]++
		byBoth[sevCat{f.Severity, f.Category}]++
	}
	if got.Findings != want.Findings || got.Suppressed != want.Suppressed || got.New != want.New ||
		!maps.Equal(got.ByTool, want.ByTool) || !maps.Equal(got.ByCategory, want.ByCategory) ||
		!maps.Equal(got.BySeverity, want.BySeverity) || !maps.Equal(got.bySevCat, byBoth) {
		t.Fatalf("countReport = %+v\nwant %+v, by severity and category %v", got, want, byBoth)
	}

	runs := rep.Runs()
	if len(runs) != len(wantRuns) {
		t.Fatalf("%d runs, want %d", len(runs), len(wantRuns))
	}
	for _, r := range runs {
		if !slices.Equal(r.Findings, wantRuns[r.Tool.Name]) {
			t.Errorf("run %s: findings differ from the report's in order", r.Tool.Name)
		}
		if r.Tool.Version != wantVersion[r.Tool.Name] {
			t.Errorf("run %s: version %q, want the first one, %q", r.Tool.Name, r.Tool.Version, wantVersion[r.Tool.Name])
		}
	}
}

// TestSortFindings checks sortFindings, which sorts a large slice in two
// halves, against slices.SortFunc, with identities set (as finish sorts)
// and findings that tie on everything before them.
func TestSortFindings(t *testing.T) {
	for _, n := range []int{0, 1, 100, 1 << 12, 30001} {
		fs := manyTestFindings(n)
		if err := Identify(fs, ""); err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(fs)
		slices.SortFunc(want, compareFindings)
		sortFindings(fs)
		if !slices.Equal(fs, want) {
			t.Errorf("%d findings: sortFindings's order differs from slices.SortFunc's", n)
		}
	}
}
