// Package scanners holds scanmux's built-in scanners and the adapters that
// read security tools' native reports, one sub-package per tool.
//
// An [Adapter] turns one tool's report format into findings. Adapters do no
// network I/O and never run the tool; runners (which run a tool and then use
// its adapter) are separate. Package scanners/registry lists every adapter
// and detects a report's format from its first bytes.
package scanners

import (
	"errors"
	"fmt"
	"io"

	"github.com/scanmux/scanmux/finding"
)

// Adapter reads one tool's report format.
type Adapter interface {
	// Name is the adapter's name as users pass it to --format, e.g. "gosec"
	// or "zap-xml". Lower case, stable.
	Name() string

	// Detect reports whether head, the first bytes of a report (up to
	// [DetectBytes], possibly cut mid-token), looks like this adapter's
	// format. It must be cheap and must not claim other tools' formats:
	// check distinctive keys, not just "is JSON".
	Detect(head []byte) bool

	// Decode reads a whole report from r and passes each finding to emit
	// as it goes. name is the report's file name, for error messages. It
	// returns the tool that wrote the report (name, and version when the
	// report says), even when there are no findings. A report of the wrong
	// shape is an error wrapping [ErrFormat] that names the file and what was
	// expected.
	Decode(r io.Reader, name string, opts *Options, emit func(*finding.Finding) error) (finding.Tool, error)
}

// SARIFRefiner is implemented by the adapter of a tool that writes SARIF
// as well as its native format. The registry passes it every finding read
// from that tool's SARIF (f.Tool.Name is the tool's canonical id, the
// adapter's Name), so that both formats of one scan give the same
// findings: RefineSARIF corrects what the tool's SARIF writes differently
// (rule ids, columns, package facts) as the native adapter does.
type SARIFRefiner interface {
	RefineSARIF(f *finding.Finding)
}

// DetectBytes is how many leading bytes of a report [Adapter.Detect] sees.
const DetectBytes = 64 << 10

// Options tune how reports are read. The zero value (or nil) is valid.
type Options struct {
	// Root is the scan root on disk. Absolute paths in reports under Root are
	// made relative to it with finding.NormalizePath; a path outside Root is
	// an error for that finding.
	Root string
}

// ErrFormat means a report is not in the format an adapter expected.
var ErrFormat = errors.New("report format not recognized")

// FormatError returns an error wrapping [ErrFormat] that names the file, the
// expected format and what was wrong, e.g.
// FormatError("out.json", "gosec JSON report", "no \"Issues\" array").
func FormatError(file, expected, problem string) error {
	return fmt.Errorf("%s: not a %s: %s: %w", file, expected, problem, ErrFormat)
}
