package sarif

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/scanmux/scanmux/finding"
)

// SchemaURI is the $schema the writer puts in every log.
const SchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// SrcRoot is the uriBaseId of every location the writer emits; the run's
// originalUriBaseIds declares it.
const SrcRoot = "%SRCROOT%"

// Errors returned by [Write]; test with errors.Is.
var (
	// ErrInvalidRun means a run or one of its findings breaks the model's
	// invariants; the error also wraps the [*finding.FieldError].
	ErrInvalidRun = errors.New("sarif: invalid run")
	// ErrTooLarge means the log exceeds Limits.MaxGzipBytes (less its
	// margin) even with no results at all.
	ErrTooLarge = errors.New("sarif: log too large")
)

// Profile selects what [Write] emits.
//
// GitHub code scanning ignores SARIF suppressions: a suppressed result in an
// uploaded file opens (or keeps open) an alert. So ProfileGitHub, the
// default, leaves suppressed findings out of the uploadable log, counts
// them in [WriteSummary].Suppressed and, when [WriteOptions].SuppressedOut
// is set, writes them there as a second log (in ProfileFull form, with
// their suppressions) for the record. ProfileFull writes every finding,
// suppressed ones with SARIF "suppressions" (kind, status, justification),
// and findings with no file as logical locations only: valid SARIF for
// other consumers, but not for upload to GitHub.
type Profile int

const (
	// ProfileGitHub writes a log GitHub code scanning accepts. The default.
	ProfileGitHub Profile = iota
	// ProfileFull writes every finding, with suppressions.
	ProfileFull
)

// WriteOptions configures [Write]. A nil *WriteOptions means the defaults
// given for each field.
type WriteOptions struct {
	// Root is the scan root directory: locations are relative to it and
	// source files are read from it (through os.Root, never outside it) to
	// compute primaryLocationLineHash and end columns. It is written as the
	// file:// URI of %SRCROOT% in originalUriBaseIds. Default: none, so no
	// hashes, no end columns and %SRCROOT% without a URI.
	Root string

	// Category is every run's automationDetails.id, overriding
	// Run.Category. GitHub tells analyses apart by tool and category, and
	// reads the id as "category/run-id", so the writer always ends the id
	// with "/": "scanmux" becomes "scanmux/" (category "scanmux"). Runs of
	// one tool are merged when their categories are equal. Default: each
	// Run.Category; no automationDetails when that is empty.
	Category string

	// Profile selects GitHub upload (default) or full output.
	Profile Profile

	// Provenance, if set with a RepositoryURI, is written as every run's
	// versionControlProvenance. See [DetectProvenance].
	Provenance *Provenance

	// Limits bounds the log. Default (nil): [GitHubLimits].
	Limits *Limits

	// SuppressedOut, if set and Profile is ProfileGitHub, receives a
	// second log holding only the suppressed findings, with suppressions.
	SuppressedOut io.Writer

	// FallbackPath is a repository file (relative to Root, "/"-separated)
	// that ProfileGitHub attaches findings to when they have no file and
	// none can be derived, e.g. the DAST workflow file. It must exist when
	// Root is set. Default: none, so such findings are left out.
	FallbackPath string
}

// WriteSummary reports what [Write] wrote and what it left out.
type WriteSummary struct {
	// Runs is the number of runs written.
	Runs int
	// Results is the number of results written per tool name.
	Results map[string]int
	// Suppressed counts suppressed findings left out (ProfileGitHub).
	Suppressed int
	// Unlocated counts findings left out because they have no file to
	// attach to (ProfileGitHub without FallbackPath).
	Unlocated int
	// DroppedResults counts results left out to stay within the limits,
	// and DroppedBySeverity splits them by severity.
	DroppedResults    int
	DroppedBySeverity map[finding.Severity]int
	// DroppedRuns names the runs (tools) left out by Limits.MaxRuns.
	DroppedRuns []string
	// DroppedLocations counts relatedLocations left out by
	// Limits.MaxLocationsPerResult.
	DroppedLocations int
	// DroppedThreadFlowLocations counts code-flow steps left out by
	// Limits.MaxThreadFlowLocationsPerResult.
	DroppedThreadFlowLocations int
	// DroppedTags counts rule tags left out by Limits.MaxTagsPerRule.
	DroppedTags int
	// Bytes is the size of the log written.
	Bytes int64
	// GzipBytes is its gzip-compressed size as Limits.MaxGzipBytes
	// measures it, or 0 when there is no such limit: measuring means
	// compressing the whole log, which would take longer than writing it.
	GzipBytes int64
}

// Write writes runs as one SARIF 2.1.0 log to w and reports what it wrote.
// The same input gives byte-identical output whatever the order of runs and
// findings. See [WriteOptions] and [Profile] for the choices it makes, and
// the package documentation for the shape of the log.
func Write(w io.Writer, runs []Run, opts *WriteOptions) (*WriteSummary, error) {
	var o WriteOptions
	if opts != nil {
		o = *opts
	}
	lim := GitHubLimits
	if o.Limits != nil {
		lim = *o.Limits
	}
	src, err := newSourceCache(o.Root)
	if err != nil {
		return nil, err
	}
	defer src.close()
	if o.FallbackPath != "" && o.Root != "" && !src.exists(o.FallbackPath) {
		return nil, fmt.Errorf("sarif: fallback path %q not found under the scan root", o.FallbackPath)
	}

	b := &builder{resultBuilder: resultBuilder{opts: &o, lim: lim, src: src},
		sum: &WriteSummary{Results: map[string]int{}, DroppedBySeverity: map[finding.Severity]int{}}}
	if o.Root != "" {
		abs, err := filepath.Abs(o.Root)
		if err != nil {
			return nil, fmt.Errorf("sarif: scan root: %w", err)
		}
		b.rootURI = (&url.URL{Scheme: "file", Path: strings.TrimSuffix(filepath.ToSlash(abs), "/") + "/"}).String()
	}

	plans, suppressed, err := b.plan(runs)
	if err != nil {
		return nil, err
	}
	if err := b.encode(w, plans); err != nil {
		return nil, err
	}
	if o.SuppressedOut != nil && o.Profile == ProfileGitHub {
		so := o
		so.Profile, so.SuppressedOut = ProfileFull, nil
		if _, err := Write(o.SuppressedOut, suppressed, &so); err != nil {
			return nil, fmt.Errorf("sarif: writing suppressed log: %w", err)
		}
	}
	return b.sum, nil
}
