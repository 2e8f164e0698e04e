package aggregate

import (
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/finding"
)

// Exit codes of a run, as [GateResult].ExitCode gives them.
const (
	// ExitPass means the gate passed.
	ExitPass = 0
	// ExitGateFailed means findings or filter denials failed the gate.
	ExitGateFailed = 1
	// ExitUsage is for usage and configuration errors. The engine
	// returns it when a filter failed on findings (a policy that could
	// not be evaluated), which wins over the other codes: the findings
	// could not be judged.
	ExitUsage = 2
	// ExitSourceFailed means a source failed or timed out and
	// Gate.FailOnSourceError is set. It wins over ExitGateFailed, since
	// the findings are then incomplete.
	ExitSourceFailed = 3
)

// Gate decides whether a run fails. The zero Gate never fails on
// findings; filter denials always fail it.
type Gate struct {
	// FailOn fails the run when an unsuppressed finding has this severity
	// or a higher one. SeverityUnset never fails on findings.
	FailOn finding.Severity
	// NewOnly counts only findings that are new against the baseline (all
	// findings are new when no baseline is given).
	NewOnly bool
	// FailOnSourceError fails the run (exit code 3) when a source failed
	// or timed out.
	FailOnSourceError bool
}

// GateResult is the gate's decision.
type GateResult struct {
	// Failed reports whether the run fails.
	Failed bool
	// Reasons says why, one line per reason.
	Reasons []string
	// ExitCode is ExitPass, ExitGateFailed, ExitSourceFailed or
	// ExitUsage.
	ExitCode int
}

// evaluate judges a report; filterErrs say which filters failed on
// findings.
func (g Gate) evaluate(r *Report, filterErrs []string) GateResult {
	var res GateResult
	if g.FailOn.Valid() {
		counts := map[finding.Severity]int{}
		total := 0
		for _, f := range r.Findings {
			if f.Suppressed() || f.Severity < g.FailOn {
				continue
			}
			if g.NewOnly && f.Baseline != "" && f.Baseline != finding.BaselineNew {
				continue
			}
			counts[f.Severity]++
			total++
		}
		if total > 0 {
			var parts []string
			for _, s := range finding.Severities {
				if counts[s] > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
				}
			}
			what := "findings"
			if g.NewOnly {
				what = "new findings"
			}
			res.Reasons = append(res.Reasons, fmt.Sprintf("%d %s at or above %s (%s)", total, what, g.FailOn, strings.Join(parts, ", ")))
			res.ExitCode = ExitGateFailed
		}
	}
	for _, d := range r.Denials {
		res.Reasons = append(res.Reasons, "denied by "+d)
		res.ExitCode = ExitGateFailed
	}
	if g.FailOnSourceError {
		for _, s := range r.Sources {
			if !s.OK() {
				res.Reasons = append(res.Reasons, fmt.Sprintf("source %s %s: %s", s.Name, s.State, s.Err))
				res.ExitCode = ExitSourceFailed
			}
		}
	}
	for _, fe := range filterErrs {
		res.Reasons = append(res.Reasons, fe)
		res.ExitCode = ExitUsage
	}
	res.Failed = res.ExitCode != ExitPass
	return res
}
