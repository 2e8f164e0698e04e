package sarif

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/sarifretain"
)

// ReadOptions configures [Decode] and [ReadFile]. A nil *ReadOptions means
// the zero value: no scan root, lenient paths, no overrides.
type ReadOptions struct {
	// Root is the scan root, used to make absolute paths and file:// URIs
	// relative. It may be a path or a file URI in any form that
	// [finding.NormalizePath] accepts.
	//
	// Relative URIs are always kept (made clean). A relative URI with a
	// uriBaseId is resolved through the run's originalUriBaseIds, chained;
	// a uriBaseId that the run does not define (such as %SRCROOT% in most
	// tools' output) is taken to be the scan root, except the ids of the Go
	// toolchain and module cache, home and temporary directories
	// (govulncheck's %GOROOT% and %GOMODCACHE%): their locations keep no
	// path, and the URI becomes the location's message when it has none. When Root is "", the
	// first absolute base in a chain is taken to be the scan root too, so
	// the path stays relative to it.
	//
	// A location whose path cannot be made relative to Root (an absolute
	// path elsewhere, or any absolute path when Root is "") keeps no Path:
	// its URI is kept in the finding's Properties under "sarif.uri" and the
	// run gets one warning notification counting such locations. Set
	// StrictPaths to make it an error instead.
	Root string

	// StrictPaths makes a location path that cannot be made relative to
	// Root a *DecodeError wrapping [finding.ErrPathOutsideRoot] or the
	// error of [finding.NormalizePath].
	StrictPaths bool

	// Category, if set, replaces every run's Category
	// (automationDetails.id).
	Category string

	// FindingCategory, if set, replaces the inferred category of every
	// finding.
	FindingCategory finding.Category

	// retain makes Decode allocate findings and their strings in blocks:
	// set for the aggregation engine and the scanner registry, which keep
	// every finding, through package internal/sarifretain. Read always
	// allocates in blocks.
	retain bool
}

func init() {
	sarifretain.Retain = func(opts any) { opts.(*ReadOptions).retain = true }
}

// MaxStringBytes is the longest JSON string the reader keeps, counted in
// the bytes of its JSON text: a longer one (a message, a snippet, a
// property of 200 MB, the size of no honest report) is cut at a character
// boundary after MaxStringBytes bytes and ends with a note giving its
// length (package internal/jsonlimit). The reader's memory then grows with
// the number of strings, not with the length of one: the JSON decoder
// would otherwise hold the whole string in its buffer, and the reader and
// writer copy it again. Byte offsets in the reader's errors count the
// JSON as cut.
const MaxStringBytes = 1 << 20

// Handler receives what [Decode] reads: each finding of a run in order,
// then once f == nil when the run is complete. The same *Run is passed for
// every call about one run; its Findings stay nil, its other fields are
// filled as far as known when the call is made and completely by the f ==
// nil call. The handler may keep f and run. A non-nil error stops
// decoding and is returned by Decode, wrapped in a *DecodeError.
type Handler = func(run *Run, f *finding.Finding) error

// Sentinel errors of the reader, to test with errors.Is.
var (
	// ErrUnsupportedVersion is wrapped by the error for a log whose
	// version is not 2.1.0, such as SARIF 1.0.
	ErrUnsupportedVersion = errors.New("unsupported SARIF version")

	// ErrInvalidLog is wrapped by the error for a log that is valid JSON
	// but misses a required member or has one of the wrong type.
	ErrInvalidLog = errors.New("invalid SARIF log")
)

// DecodeError is the error of [Decode] and [ReadFile] for malformed
// input. Its message names the file and the JSON path, e.g.
// "results.sarif: $.runs[1].results[17].locations: expected array, found
// string".
type DecodeError struct {
	// File is the name given to Decode or the path given to ReadFile.
	File string
	// Path is the JSON path of the offending value, e.g.
	// "$.runs[1].results[17]"; "$" for the whole document.
	Path string
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *DecodeError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", e.File, e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Decode reads one SARIF 2.1.0 log from r and calls h for each result,
// converted to a finding, and once per run with f == nil after the run's
// results (see [Handler]). name is used in errors only.
//
// Results are decoded one at a time, so memory is bounded by what h keeps,
// except for the results of a run that come before the run's tool (JSON
// member order is free): those are kept until the tool is known. Results
// that refer to artifacts, thread flow locations, logical locations or
// taxonomies that the run defines after its results are also kept until
// the end of the run.
//
// On malformed input Decode returns a *DecodeError after h has been called
// for every run before the bad one; nothing is reported for the bad run
// after the error's position. A log whose version is not 2.1.0 gives an
// error wrapping [ErrUnsupportedVersion].
//
// Mapping of SARIF to findings:
//   - severity: security-severity (result, then rule properties) wins;
//     then a tool-specific severity property (severity, issue_severity,
//     risk, cvssv3_baseScore, qodanaSeverity ...) or an upper-case
//     severity tag (Trivy's "HIGH"); then result.level; then the rule's
//     defaultConfiguration.level; then "warning". OriginalSeverity is the
//     string that decided.
//   - fingerprints: partialFingerprints keep their keys; each full
//     fingerprint is kept under "sarif.fingerprints/<key>".
//   - result.kind other than "fail" is kept in Properties["sarif.kind"];
//     every result becomes a finding, whatever its kind.
//   - result properties are copied into Properties (strings as they are,
//     other values as JSON text), except for secrets' "offender", "secret"
//     and "match"; secrets' snippets are dropped.
//   - http(s) URIs of artifact locations, logical locations of kind
//     "url"/"resource" named by a URL and webRequest fill Location.Web.
//   - a string longer than [MaxStringBytes] is cut, ending with a note of
//     its length, so that memory does not grow with one string's length.
func Decode(r io.Reader, name string, opts *ReadOptions, h Handler) error {
	var o ReadOptions
	if opts != nil {
		o = *opts
	}
	d := newLogDecoder(r, name, &o, h)
	return d.decodeLog()
}

// ReadFile reads the SARIF log at path and returns its runs with their
// findings. On malformed input it returns the runs read before the bad
// one together with a *DecodeError.
func ReadFile(path string, opts *ReadOptions) ([]Run, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sarif: %w", err)
	}
	defer fh.Close()
	return Read(fh, path, opts)
}

// Read is [ReadFile] for a reader; name is used in errors only.
func Read(r io.Reader, name string, opts *ReadOptions) ([]Run, error) {
	var o ReadOptions
	if opts != nil {
		o = *opts
	}
	var runs []Run
	d := newLogDecoder(r, name, &o, func(run *Run, f *finding.Finding) error {
		runs = append(runs, *run)
		return nil
	})
	d.collect = true
	return runs, d.decodeLog()
}
