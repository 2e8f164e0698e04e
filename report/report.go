// Package report writes a finished [aggregate.Report] in the formats people
// and other tools read: GitLab security reports, reviewdog's rdjsonl,
// GitHub Actions annotations, Markdown, HTML, JUnit, CSV and more. SARIF,
// the main output, is written by package sarif.
//
// Each format is a [Format] registered under the name that the CLI's
// --format flag takes; sub-packages (report/gitlab, ...) register theirs
// with [Register] from an init function, and the CLI imports them.
package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// Options is what every format may use besides the report itself.
type Options struct {
	// Root is the scanned tree's root directory; findings' paths are
	// relative to it. Formats that show code read it (via package
	// sourcefile) when set.
	Root string
	// Started and Finished bound the run.
	Started, Finished time.Time
	// Version is scanmux's version, for formats that name the analyzer.
	Version string
	// Params holds format-specific settings ("gitlab-schema": "15.2.1").
	Params map[string]string
	// Gate is the gate the run used; formats that mark the findings it
	// counts (junit's failures) ask [Options.Gated].
	Gate aggregate.Gate
}

// Gated reports whether the gate o.Gate counts f: unsuppressed, at or
// above Gate.FailOn, and new when Gate.NewOnly is set (as
// [aggregate.Run] judges). A nil o or a gate without FailOn counts none.
func (o *Options) Gated(f *finding.Finding) bool {
	if o == nil || !o.Gate.FailOn.Valid() || f.Suppressed() || f.Severity < o.Gate.FailOn {
		return false
	}
	return !o.Gate.NewOnly || f.Baseline == "" || f.Baseline == finding.BaselineNew
}

// Param returns o.Params[key], or "" for a nil o.
func (o *Options) Param(key string) string {
	if o == nil {
		return ""
	}
	return o.Params[key]
}

// Format is one output format.
type Format struct {
	// Name is the value of --format ("gitlab", "html").
	Name string
	// Summary is a one-line description for --help.
	Summary string
	// Write writes the report to w.
	Write func(w io.Writer, r *aggregate.Report, o *Options) error
}

// ErrUnknownFormat is returned by [Lookup] for a name no format has.
var ErrUnknownFormat = errors.New("unknown report format")

var (
	mu      sync.RWMutex
	formats = map[string]Format{}
)

// Register adds f; it panics when f.Name is empty or taken, as
// registration happens in init functions.
func Register(f Format) {
	mu.Lock()
	defer mu.Unlock()
	if f.Name == "" || f.Write == nil {
		panic("report: Register needs a name and a Write function")
	}
	if _, dup := formats[f.Name]; dup {
		panic("report: format " + f.Name + " registered twice")
	}
	formats[f.Name] = f
}

// Lookup returns the format called name.
func Lookup(name string) (Format, error) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := formats[name]
	if !ok {
		return Format{}, fmt.Errorf("%w %q (known: %v)", ErrUnknownFormat, name, namesLocked())
	}
	return f, nil
}

// Formats returns every registered format, sorted by name.
func Formats() []Format {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Format, 0, len(formats))
	for _, n := range namesLocked() {
		out = append(out, formats[n])
	}
	return out
}

func namesLocked() []string {
	names := make([]string, 0, len(formats))
	for n := range formats {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
