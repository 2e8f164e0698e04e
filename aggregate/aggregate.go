package aggregate

import (
	"context"

	"github.com/scanmux/scanmux/finding"
)

// Source produces findings.
type Source interface {
	// Name identifies the source in the report, progress lines and SARIF
	// invocations, e.g. "gosec" or "import:results.sarif".
	Name() string

	// Run produces the source's findings through emit, as it finds them. It
	// returns the tools that ran, so that a tool that found nothing still
	// gets an (empty) SARIF run. An error means the source failed; the
	// findings it emitted before failing are kept and marked partial.
	Run(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error)
}

// Filter inspects each finding after normalization and may suppress it,
// change its severity or deny the pipeline. Filters run in the order given,
// each seeing the previous ones' changes. Apply is called concurrently.
type Filter interface {
	// Name identifies the filter in suppressions and explanations, e.g.
	// "inline", ".scanmux.yaml" or "policy".
	Name() string

	// Apply returns the filter's verdict on f. It must not modify f.
	Apply(ctx context.Context, f *finding.Finding) (Verdict, error)
}

// Verdict is a [Filter]'s decision about one finding. The zero Verdict
// changes nothing.
type Verdict struct {
	// Suppress, if set, suppresses the finding with this reason.
	Suppress *finding.Suppression
	// Severity, if not SeverityUnset, replaces the finding's severity.
	Severity finding.Severity
	// SeverityReason says why the severity changed.
	SeverityReason string
	// Deny lists messages that fail the pipeline because of this finding.
	Deny []string
}

// Warner is implemented by filters that have warnings to report once the
// run is over, such as expired ignore entries.
type Warner interface {
	Warnings() []string
}

// Baseline compares a run's findings with a previous run's.
type Baseline interface {
	// Compare sets Baseline on every finding (new, unchanged or updated) and
	// returns the baseline's findings that are gone, marked absent.
	Compare(findings []*finding.Finding) (absent []*finding.Finding)
}
