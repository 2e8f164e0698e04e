package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/internal/termsafe"
	reportpkg "github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/table"
	"github.com/scanmux/scanmux/sarif"
)

// formatSARIF is the main output's format, written by package sarif; the
// others are package report's registry.
const formatSARIF = "sarif"

// allFormats returns every output format's name: sarif, then the
// registered ones.
func allFormats() []string {
	names := []string{formatSARIF}
	for _, f := range reportpkg.Formats() {
		names = append(names, f.Name)
	}
	return names
}

// formatNames lists the formats for help texts.
func formatNames() string { return strings.Join(allFormats(), ", ") }

// knownFormat reports whether name is an output format.
func knownFormat(name string) bool {
	if name == formatSARIF {
		return true
	}
	_, err := reportpkg.Lookup(name)
	return err == nil
}

// outputSpec is one output: a format written to a file, or to stdout
// when path is "-".
type outputSpec struct{ format, path string }

func (o outputSpec) stdout() bool { return o.path == "-" }

// formatLike is what a FORMAT= prefix looks like.
var formatLike = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// parseOutputs reads -o and --format: each -o value is FILE (in --format,
// default sarif) or FORMAT=FILE. Without -o the report goes to
// defaultOut in --format, or to stdout when --format is given or there
// is no default. A FORMAT= prefix that is no format is an error (write
// ./a=b for a file named so); two outputs to the same file or two to
// stdout are errors.
func (f *pipelineFlags) parseOutputs(defaultOut string) ([]outputSpec, error) {
	def := f.format
	if def == "" {
		def = formatSARIF
	} else if !knownFormat(def) {
		return nil, usagef("--format %q: unknown format (known: %s)", def, formatNames())
	}
	values := f.outputs
	if len(values) == 0 {
		switch {
		case f.format != "" || defaultOut == "":
			values = []string{"-"}
		default:
			values = []string{defaultOut}
		}
	}
	var outs []outputSpec
	for _, v := range values {
		o := outputSpec{format: def, path: v}
		if name, path, ok := strings.Cut(v, "="); ok && formatLike.MatchString(name) {
			if !knownFormat(name) {
				return nil, usagef("--output %q: unknown format %q (known: %s; write ./%s for a file named so)", v, name, formatNames(), v)
			}
			o = outputSpec{format: name, path: path}
		}
		if o.path == "" {
			return nil, usagef("--output %q: no file (- is stdout)", v)
		}
		for _, p := range outs {
			if p.path == o.path {
				what := "file " + o.path
				if o.stdout() {
					what = "stdout (-)"
				}
				return nil, usagef("--output: %s is given twice (%s and %s)", what, p.format, o.format)
			}
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// reportOptions are the options of every format.
type reportOptions struct {
	runs   []sarif.Run
	sarif  *sarif.WriteOptions
	report *reportpkg.Options
}

// writeFormat writes r in format to w; the summary is SARIF's.
func (p *pipeline) writeFormat(w io.Writer, format string, r *aggregate.Report, o *reportOptions, color bool) (*sarif.WriteSummary, error) {
	switch format {
	case formatSARIF:
		return sarif.Write(w, o.runs, o.sarif)
	case "table":
		return nil, table.Write(w, r, &table.Options{Color: color, GroupBy: p.flags.groupBy})
	}
	f, err := reportpkg.Lookup(format)
	if err != nil {
		return nil, err
	}
	return nil, f.Write(w, r, o.report)
}

// writeFiles writes every file output to a temporary file, then, when all
// were written, renames them into place: a failure replaces none. It
// returns a line per file saying what was written.
func (p *pipeline) writeFiles(ctx context.Context, r *aggregate.Report, o *reportOptions) ([]string, error) {
	var files []*atomicFile
	defer func() {
		for _, a := range files {
			a.abort() // a no-op once committed
		}
	}()
	var lines []string
	for _, out := range p.outs {
		if out.stdout() {
			continue
		}
		a, err := createAtomic(ctx, out.path)
		if err != nil {
			return nil, err
		}
		files = append(files, a)
		sum, err := p.writeFormat(a, out.format, r, o, false)
		if err := a.finish(err); err != nil {
			return nil, err
		}
		lines = append(lines, describeWrite(out, sum))
	}
	for _, a := range files {
		if err := a.commit(); err != nil {
			return nil, err
		}
	}
	return lines, nil
}

// describeWrite says what was written to out.
func describeWrite(out outputSpec, sum *sarif.WriteSummary) string {
	if sum == nil {
		return fmt.Sprintf("wrote %s (%s)", termsafe.String(out.path), out.format)
	}
	n := 0
	for _, r := range sum.Results {
		n += r
	}
	runs := "runs"
	if sum.Runs == 1 {
		runs = "run"
	}
	s := fmt.Sprintf("wrote %s: %d results in %d %s", termsafe.String(out.path), n, sum.Runs, runs)
	var left []string
	if sum.Suppressed > 0 {
		left = append(left, fmt.Sprintf("%d suppressed", sum.Suppressed))
	}
	if sum.Unlocated > 0 {
		left = append(left, fmt.Sprintf("%d without a file", sum.Unlocated))
	}
	if sum.DroppedResults > 0 {
		left = append(left, fmt.Sprintf("%d over GitHub's limits", sum.DroppedResults))
	}
	if len(left) > 0 {
		s += fmt.Sprintf(" (left out: %s)", strings.Join(left, ", "))
	}
	return s
}

// writeStdout writes the output that goes to stdout, if any.
func (p *pipeline) writeStdout(r *aggregate.Report, o *reportOptions) error {
	for _, out := range p.outs {
		if !out.stdout() {
			continue
		}
		if _, err := p.writeFormat(p.stdout, out.format, r, o, p.color(p.stdoutTTY)); err != nil {
			return outputError{fmt.Errorf("writing the report on stdout: %w", err)}
		}
	}
	return nil
}

// color decides whether a terminal view is coloured.
func (p *pipeline) color(tty bool) bool {
	switch p.flags.color {
	case "always":
		return true
	case "never":
		return false
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	return tty && !noColor
}

// terminalReport writes the findings list and the summary on stderr (the
// list is left out when stdout gets the table already).
func (p *pipeline) terminalReport(r *aggregate.Report) error {
	noList := slices.ContainsFunc(p.outs, func(o outputSpec) bool { return o.stdout() && o.format == "table" })
	w, color := p.stderr, false
	if p.stderrTTY && p.color(true) {
		// Colour codes do not pass the line guard: every text from
		// outside is escaped by package table.
		w, color = rawWriter(p.stderr), true
	}
	var skipped []table.Skip
	for _, s := range p.skipped {
		skipped = append(skipped, table.Skip{Name: s.name, Why: s.why})
	}
	return table.Write(w, r, &table.Options{Color: color, GroupBy: p.flags.groupBy, NoList: noList, Skipped: skipped})
}

// outputNames names the outputs for messages.
func (p *pipeline) outputNames() string {
	var names []string
	for _, o := range p.outs {
		if !o.stdout() {
			names = append(names, termsafe.String(o.path))
		}
	}
	if len(names) == 0 {
		return "the output"
	}
	return strings.Join(names, ", ")
}

// rawWriter returns the writer under a line guard (termsafe.Writer), for
// text that is escaped already and holds colour codes.
func rawWriter(w io.Writer) io.Writer {
	if u, ok := w.(interface{ Unwrap() io.Writer }); ok {
		if f, ok := w.(interface{ Flush() error }); ok {
			f.Flush()
		}
		return u.Unwrap()
	}
	return w
}

// isTerminal reports whether w (under any line guard) is a terminal.
func isTerminal(w io.Writer) bool {
	for {
		u, ok := w.(interface{ Unwrap() io.Writer })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
