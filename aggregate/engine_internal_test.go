package aggregate

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/scanmux/scanmux/finding"
)

// parallelTestFindings returns n findings above parallelMin's threshold:
// few tools and rules, repeated keys (so occurrence numbers matter), and,
// when kept is set, some imported identities of which a few repeat.
func parallelTestFindings(n int, kept bool) []*finding.Finding {
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
		if kept && i%100 == 0 {
			f.ID = fmt.Sprintf("v1:%032x", i%700)
		}
		out[i] = f
	}
	return out
}

func cloneFindings(fs []*finding.Finding) []*finding.Finding {
	out := make([]*finding.Finding, len(fs))
	for i, f := range fs {
		out[i] = f.Clone()
	}
	return out
}

// TestIdentifyParallel checks that identifyParallel gives every finding the
// identity a single Identify call gives, with and without clashing
// imported identities.
func TestIdentifyParallel(t *testing.T) {
	for _, kept := range []bool{false, true} {
		t.Run(fmt.Sprintf("kept=%v", kept), func(t *testing.T) {
			fs := parallelTestFindings(3*parallelMin/2, kept)
			want, got := cloneFindings(fs), cloneFindings(fs)
			if err := Identify(want, ""); err != nil {
				t.Fatal(err)
			}
			if err := identifyParallel(got, ""); err != nil {
				t.Fatal(err)
			}
			for i := range want {
				w, g := want[i].ID, got[i].ID
				if w != g {
					t.Fatalf("finding %d (%s): identity %s, want %s", i, describe(fs[i]), g, w)
				}
			}
		})
	}
}

// TestSortFindings checks the parallel sort against slices.SortFunc, with
// regions that fit its packed keys and with one that does not.
func TestSortFindings(t *testing.T) {
	fs := parallelTestFindings(3*parallelMin/2, false)
	if err := Identify(fs, ""); err != nil { // identities make the order total
		t.Fatal(err)
	}
	for _, wide := range []bool{false, true} {
		if wide {
			fs[len(fs)/3].Location.Region.StartLine = math.MaxUint32 + 1
		}
		want := slices.Clone(fs)
		slices.SortFunc(want, compareFindings)
		got := slices.Clone(fs)
		sortFindings(got)
		for i := range want {
			if want[i] != got[i] {
				t.Fatalf("wide %v: position %d: %s, want %s", wide, i, describe(got[i]), describe(want[i]))
			}
		}
	}
}

// TestCountsAndRunsParallel checks countReport and Report.Runs, which work
// in parts on all cores above parallelMin findings, against plain counts
// and grouping.
func TestCountsAndRunsParallel(t *testing.T) {
	fs := parallelTestFindings(3*parallelMin/2, false)
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

// TestRadixSort checks radixSort against a stable comparison sort: keys
// of every width, repeats (whose order must stay), and sizes on both
// sides of its small-input cutoff.
func TestRadixSort(t *testing.T) {
	type rec struct {
		k uint64
		i int
	}
	rnd := rand.New(rand.NewPCG(7, 11))
	for _, n := range []int{0, 1, 2, 511, 512, 513, 5000, 70000} {
		for _, bits := range []int{1, 8, 13, 33, 64} {
			s := make([]rec, n)
			for i := range s {
				k := rnd.Uint64()
				if bits < 64 {
					k &= 1<<bits - 1
				}
				if bits == 33 {
					k <<= 20 // low bytes shared by all keys
				}
				s[i] = rec{k, i}
			}
			want := slices.Clone(s)
			slices.SortStableFunc(want, func(a, b rec) int { return cmp.Compare(a.k, b.k) })
			radixSort(s, nil, func(r rec) uint64 { return r.k })
			if !slices.Equal(s, want) {
				t.Fatalf("n %d, %d-bit keys: radixSort differs from a stable sort", n, bits)
			}
		}
	}
}
