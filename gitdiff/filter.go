package gitdiff

import (
	"context"
	"fmt"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// FilterName is the name of [Filter] and the source of its suppressions.
const FilterName = "diff-base"

// Filter is an [aggregate.Filter] that suppresses every finding outside
// the changes in its mode, with a reason naming the base; findings in the
// diff pass unchanged. Safe for concurrent use.
type Filter struct {
	changes *Changes
	mode    Mode
	reason  string
}

var _ aggregate.Filter = (*Filter)(nil)

// NewFilter returns a filter keeping the findings in c in mode m; ref is
// the base as the user named it, for the suppressions' reason.
func NewFilter(c *Changes, m Mode, ref string) *Filter {
	what := map[Mode]string{
		ModeAdded:       "on no line added or changed",
		ModeDiffContext: "outside the diff's hunks",
		ModeFile:        "in no file changed",
	}[m]
	return &Filter{changes: c, mode: m, reason: fmt.Sprintf("%s since %s (--diff-base, mode %s)", what, ref, m)}
}

// Name implements [aggregate.Filter].
func (*Filter) Name() string { return FilterName }

// Apply implements [aggregate.Filter].
func (d *Filter) Apply(_ context.Context, f *finding.Finding) (aggregate.Verdict, error) {
	if d.changes.Contains(d.mode, f) {
		return aggregate.Verdict{}, nil
	}
	return aggregate.Verdict{Suppress: &finding.Suppression{
		Kind:          finding.SuppressionExternal,
		Status:        finding.SuppressionAccepted,
		Justification: d.reason,
		Source:        FilterName,
	}}, nil
}
