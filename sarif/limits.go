package sarif

import (
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/finding"
)

// Limits bounds what one SARIF file may hold. A field that is 0 (or
// negative) means no limit. [Write] never exceeds a limit silently: it
// leaves out the least severe data, says so in the run's
// toolExecutionNotifications and counts it in [WriteSummary]. [Validate]
// reports logs that exceed [GitHubLimits].
type Limits struct {
	// MaxGzipBytes is the largest gzip-compressed size of the file:
	// compressed with compress/gzip at the default level, in blocks of
	// 4 MiB each primed with the 32 KiB before it (exactly gzip's size for
	// a log up to 4 MiB, a few bytes more per block for a larger one).
	// When the log is larger, [Write] keeps the most severe results that
	// fit under the limit less GzipMargin, to within 2% of it.
	MaxGzipBytes int64
	// GzipMargin is the share of MaxGzipBytes that Write leaves free
	// (0 to 0.5), because the uploader compresses the file with another
	// deflate than the one measured: codeql-action uses Node's
	// zlib.gzipSync, scripts use zlib or GNU gzip, all at level 6, whose
	// output was 0.99 to 1.075 times compress/gzip's on 41 SARIF logs
	// (scanners' outputs and merged logs of 20 to 400 MB).
	GzipMargin float64
	// MaxRuns is the most runs per file.
	MaxRuns int
	// MaxResultsPerRun is the most results per run.
	MaxResultsPerRun int
	// MaxRulesPerRun is the most rules in a run's tool.driver.rules.
	MaxRulesPerRun int
	// MaxLocationsPerResult is the most locations, and separately the
	// most relatedLocations, per result.
	MaxLocationsPerResult int
	// MaxThreadFlowLocationsPerResult is the most thread-flow locations
	// per result, all code flows together.
	MaxThreadFlowLocationsPerResult int
	// MaxTagsPerRule is the most properties.tags per rule.
	MaxTagsPerRule int
}

// GitHubLimits are the limits of GitHub code scanning's SARIF upload: files
// that exceed them are rejected.
var GitHubLimits = Limits{
	MaxGzipBytes:                    10 << 20,
	GzipMargin:                      0.08,
	MaxRuns:                         20,
	MaxResultsPerRun:                25000,
	MaxRulesPerRun:                  25000,
	MaxLocationsPerResult:           1000,
	MaxThreadFlowLocationsPerResult: 10000,
	MaxTagsPerRule:                  20,
}

// gzipBudget is the compressed size Write keeps a log under: MaxGzipBytes
// less the margin (0 = unlimited).
func (l *Limits) gzipBudget() int64 {
	if l.MaxGzipBytes <= 0 {
		return 0
	}
	m := min(max(l.GzipMargin, 0), 0.5)
	return max(1, l.MaxGzipBytes-int64(float64(l.MaxGzipBytes)*m))
}

// overLimit reports whether n exceeds the limit max (0 = unlimited).
func overLimit[T int | int64](n, max T) bool { return max > 0 && n > max }

// severityCounts counts left-out results by severity.
type severityCounts map[finding.Severity]int

func (c severityCounts) total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// String lists the counts most severe first: "2 critical, 1 low".
func (c severityCounts) String() string {
	var parts []string
	for _, s := range finding.Severities {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

// limitNote is the notification text for results left out of a run.
func limitNote(c severityCounts, limit string) string {
	return fmt.Sprintf("%d results left out to stay within GitHub's limit of %s: %s",
		c.total(), limit, c)
}
