package aggregate

import (
	"fmt"
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

// TestSortFindings checks the parallel sort against slices.SortFunc.
func TestSortFindings(t *testing.T) {
	fs := parallelTestFindings(3*parallelMin/2, false)
	if err := Identify(fs, ""); err != nil { // identities make the order total
		t.Fatal(err)
	}
	want := slices.Clone(fs)
	slices.SortFunc(want, compareFindings)
	got := slices.Clone(fs)
	sortFindings(got)
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("position %d: %s, want %s", i, describe(got[i]), describe(want[i]))
		}
	}
}
