package aggregate_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// failingFilter fails on findings of rule BAD, and records whether the
// context it was given had a deadline.
type failingFilter struct{ sawDeadline bool }

func (*failingFilter) Name() string { return "policy" }

func (f *failingFilter) Apply(ctx context.Context, fd *finding.Finding) (aggregate.Verdict, error) {
	_, f.sawDeadline = ctx.Deadline()
	if fd.Rule.ID == "BAD" {
		return aggregate.Verdict{}, errors.New("policy: deny.rego:3: deny rule failed: eval_conflict_error")
	}
	return aggregate.Verdict{}, nil
}

// A filter that fails on a finding fails the gate with exit code 2, naming
// its error, whatever the findings' severities; the finding is kept.
func TestFilterErrorFailsTheGate(t *testing.T) {
	mk := func(rule string, line int) *finding.Finding {
		return &finding.Finding{Rule: finding.Rule{ID: rule}, Message: "m", Category: finding.CategorySAST,
			Severity: finding.SeverityLow, Location: finding.Location{Path: "a.go", Region: finding.Region{StartLine: line}}}
	}
	src := aggregate.FuncSource("tool", func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
		for i, r := range []string{"OK", "BAD", "BAD"} {
			if err := emit(mk(r, i+1)); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	flt := &failingFilter{}
	rep, err := aggregate.Run(context.Background(), []aggregate.Source{src}, &aggregate.Options{
		Filters: []aggregate.Filter{flt}, SourceTimeout: time.Minute,
		Gate: aggregate.Gate{FailOn: finding.SeverityCritical},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Gate.ExitCode != aggregate.ExitUsage || !rep.Gate.Failed {
		t.Errorf("gate = %+v; want failed with exit code %d", rep.Gate, aggregate.ExitUsage)
	}
	if r := strings.Join(rep.Gate.Reasons, "\n"); !strings.Contains(r, "filter policy failed on findings (2 findings, e.g. policy: deny.rego:3: deny rule failed") {
		t.Errorf("reasons = %q; want the filter's error", r)
	}
	if len(rep.Findings) != 3 {
		t.Errorf("%d findings; want all 3 kept", len(rep.Findings))
	}
	if !flt.sawDeadline {
		t.Error("the filter was not given the source's context (with its timeout)")
	}
}

// ctxKey marks the context given to Run.
type ctxKey struct{}

// valueFilter records the value of ctxKey in each context it is given.
type valueFilter struct{ seen []any }

func (*valueFilter) Name() string { return "value" }

func (f *valueFilter) Apply(ctx context.Context, _ *finding.Finding) (aggregate.Verdict, error) {
	f.seen = append(f.seen, ctx.Value(ctxKey{}))
	return aggregate.Verdict{}, nil
}

// The context of Run reaches the sources and every filter (through the
// source's context, which only adds its timeout), not a background one.
func TestRunContextReachesFilters(t *testing.T) {
	ctx := context.WithValue(context.Background(), ctxKey{}, "run")
	var srcSaw any
	src := aggregate.FuncSource("tool", func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
		srcSaw = ctx.Value(ctxKey{})
		return nil, emit(&finding.Finding{Rule: finding.Rule{ID: "R"}, Message: "m", Category: finding.CategorySAST,
			Severity: finding.SeverityLow, Location: finding.Location{Path: "a.go", Region: finding.Region{StartLine: 1}}})
	})
	a, b := &valueFilter{}, &valueFilter{}
	if _, err := aggregate.Run(ctx, []aggregate.Source{src}, &aggregate.Options{Filters: []aggregate.Filter{a, b}}); err != nil {
		t.Fatal(err)
	}
	if srcSaw != "run" {
		t.Errorf("the source's context holds %v, want Run's value", srcSaw)
	}
	for i, f := range []*valueFilter{a, b} {
		if len(f.seen) != 1 || f.seen[0] != "run" {
			t.Errorf("filter %d saw contexts holding %v, want Run's value once", i, f.seen)
		}
	}
}
