// Package table writes a report for people at a terminal: the findings
// to fix, grouped by file or by severity, each at a clickable
// path:line, then a summary that says what the numbers mean. It
// registers the "table" format with package report (without colour);
// the CLI calls [Write] itself for its terminal view, with colour on a
// terminal.
//
// Every text that comes from the scanned tree or a tool (paths, rule
// ids, messages, source names, errors) is escaped with package
// internal/termsafe, so the output may be written to a terminal as is.
package table

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/termsafe"
	"github.com/scanmux/scanmux/report"
)

func init() {
	report.Register(report.Format{
		Name:    "table",
		Summary: "the findings to fix, grouped by file, then a summary (for people)",
		Write: func(w io.Writer, r *aggregate.Report, o *report.Options) error {
			return Write(w, r, &Options{GroupBy: o.Params["group-by"]})
		},
	})
}

// Options controls [Write].
type Options struct {
	// Color writes ANSI colours (severities, headers).
	Color bool
	// GroupBy is "file" (default) or "severity".
	GroupBy string
	// NoList leaves out the findings list: only the summary is written.
	NoList bool
	// MaxMessage caps a message's length in runes (default 160).
	MaxMessage int
	// Skipped are the scanners that did not run, and why, listed after
	// the sources that ran.
	Skipped []Skip
}

// Skip is a scanner that did not run.
type Skip struct {
	// Name is the scanner's name.
	Name string
	// Why says why it did not run: "not installed", "disabled
	// (--disable)", "quality tool (--include quality runs it)".
	Why string
}

// GroupBys lists the valid values of Options.GroupBy.
var GroupBys = []string{"file", "severity"}

// ANSI SGR codes of the severities, from critical down to info.
var sevColor = map[finding.Severity]string{
	finding.SeverityCritical: "1;35", // bold magenta
	finding.SeverityHigh:     "1;31", // bold red
	finding.SeverityMedium:   "33",   // yellow
	finding.SeverityLow:      "36",   // cyan
	finding.SeverityInfo:     "2",    // faint
}

// Write writes the unsuppressed findings of r (grouped as o says, each
// line "path:line:col  SEVERITY  rule  message  [tools]"), then the
// summary ([WriteSummary]).
func Write(w io.Writer, r *aggregate.Report, o *Options) error {
	if o == nil {
		o = &Options{}
	}
	bw := bufio.NewWriter(w)
	if !o.NoList {
		writeList(bw, r, o)
	}
	writeSummary(bw, r, o)
	return bw.Flush()
}

// WriteSummary writes only the summary: failed sources first, then the
// counts in words.
func WriteSummary(w io.Writer, r *aggregate.Report, o *Options) error {
	if o == nil {
		o = &Options{}
	}
	bw := bufio.NewWriter(w)
	writeSummary(bw, r, o)
	return bw.Flush()
}

func (o *Options) paint(code, s string) string {
	if !o.Color || code == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// Location returns f's place as "path:line:col" (path alone without a
// line), its package or URL without a file, "" without any.
func Location(f *finding.Finding) string {
	l := &f.Location
	switch {
	case l.Path != "" && l.Region.StartLine > 0 && l.Region.StartColumn > 0:
		return fmt.Sprintf("%s:%d:%d", l.Path, l.Region.StartLine, l.Region.StartColumn)
	case l.Path != "" && l.Region.StartLine > 0:
		return fmt.Sprintf("%s:%d", l.Path, l.Region.StartLine)
	case l.Path != "":
		return l.Path
	case l.Package != nil && l.Package.Name != "":
		s := l.Package.Name
		if l.Package.Version != "" {
			s += "@" + l.Package.Version
		}
		if l.Package.Image != "" {
			s = l.Package.Image + " " + s
		}
		return s
	case l.Web != nil && l.Web.URL != "":
		return l.Web.URL
	case l.Resource != "":
		return l.Resource
	}
	return ""
}

// group is the header a finding is listed under.
func (o *Options) group(f *finding.Finding) string {
	if o.GroupBy == "severity" {
		return f.Severity.String()
	}
	switch l := &f.Location; {
	case l.Path != "":
		return l.Path
	case l.Package != nil && l.Package.Image != "":
		return "image " + l.Package.Image
	case l.Package != nil && l.Package.Ecosystem != "":
		return l.Package.Ecosystem + " dependencies"
	case l.Web != nil:
		return "web"
	}
	return "(no file)"
}

func writeList(w *bufio.Writer, r *aggregate.Report, o *Options) {
	var list []*finding.Finding
	for _, f := range r.Findings {
		if !f.Suppressed() {
			list = append(list, f)
		}
	}
	if len(list) == 0 {
		return
	}
	if o.GroupBy == "severity" {
		slices.SortStableFunc(list, func(a, b *finding.Finding) int { return cmp.Compare(b.Severity, a.Severity) })
	} else {
		// Keep the report's order by location, files first.
		slices.SortStableFunc(list, func(a, b *finding.Finding) int {
			return cmp.Compare(btoi(a.Location.Path == ""), btoi(b.Location.Path == ""))
		})
	}
	maxMsg := o.MaxMessage
	if maxMsg <= 0 {
		maxMsg = 160
	}
	counts := map[string]int{}
	for _, f := range list {
		counts[o.group(f)]++
	}
	width := map[string]int{}
	for _, f := range list {
		g := o.group(f)
		width[g] = max(width[g], utf8.RuneCountInString(termsafe.String(Location(f))))
	}
	prev := "\x00"
	for _, f := range list {
		g := o.group(f)
		if g != prev {
			if prev != "\x00" {
				w.WriteString("\n")
			}
			head := termsafe.String(g)
			if o.GroupBy == "severity" {
				head = o.paint(sevColor[f.Severity], strings.ToUpper(head))
			} else {
				head = o.paint("1", head)
			}
			fmt.Fprintf(w, "%s (%d)\n", head, counts[g])
			prev = g
		}
		sev := fmt.Sprintf("%-8s", strings.ToUpper(f.Severity.String()))
		tools := []string{f.Tool.Name}
		for _, a := range f.Also {
			if !slices.Contains(tools, a.Tool.Name) {
				tools = append(tools, a.Tool.Name)
			}
		}
		msg := firstLine(f.Message)
		if utf8.RuneCountInString(msg) > maxMsg {
			msg = string([]rune(msg)[:maxMsg-1]) + "…"
		}
		extra := ""
		if f.Baseline == finding.BaselineNew {
			extra = " " + o.paint("1", "NEW")
		}
		loc := termsafe.String(Location(f))
		loc += strings.Repeat(" ", width[g]-utf8.RuneCountInString(loc))
		fmt.Fprintf(w, "  %s  %s  %s  %s  %s%s\n",
			loc, o.paint(sevColor[f.Severity], sev), termsafe.String(f.Rule.ID),
			termsafe.String(msg), o.paint("2", "["+termsafe.String(strings.Join(tools, ", "))+"]"), extra)
	}
	w.WriteString("\n")
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func writeSummary(w *bufio.Writer, r *aggregate.Report, o *Options) {
	c := &r.Counts
	// A failed source comes first: its findings are missing.
	for _, s := range r.Sources {
		if s.State == aggregate.SourceFailed || s.State == aggregate.SourceTimeout {
			fmt.Fprintf(w, "%s %s %s: %s\n", o.paint("1;31", "FAILED:"), termsafe.String(s.Name), s.State, termsafe.String(clip(oneLine(s.Err), 300)))
		}
	}
	var sev []string
	for _, s := range finding.Severities {
		if n := c.BySeverity[s]; n > 0 {
			sev = append(sev, o.paint(sevColor[s], fmt.Sprintf("%d %s", n, s)))
		}
	}
	line := o.paint("1", plural(c.Findings, "finding", "findings")+" to fix")
	if len(sev) > 0 {
		line += ": " + strings.Join(sev, ", ")
	}
	fmt.Fprintln(w, line)
	var cats []string
	for _, k := range finding.Categories {
		if n := c.ByCategory[k]; n > 0 {
			cats = append(cats, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(cats) > 0 {
		fmt.Fprintf(w, "  by category: %s\n", strings.Join(cats, ", "))
	}
	if len(c.ByTool) > 0 {
		var tools []string
		for _, t := range sortedKeys(c.ByTool) {
			tools = append(tools, fmt.Sprintf("%s %d", termsafe.String(t), c.ByTool[t]))
		}
		fmt.Fprintf(w, "  by tool: %s\n", strings.Join(tools, ", "))
	}
	fmt.Fprintf(w, "  not counted: %s (see the SARIF's suppressions), %s of the same issue by another tool or run\n",
		plural(c.Suppressed, "suppressed finding", "suppressed findings"), plural(c.Merged, "duplicate report merged", "duplicate reports merged"))
	fmt.Fprintf(w, "  %s received from %s\n", plural(c.Received, "report", "reports"), plural(len(r.Sources), "source", "sources"))
	if c.New+c.Unchanged+c.Updated+c.Absent > 0 {
		fmt.Fprintf(w, "  against the baseline: %d new, %d unchanged, %d updated, %d fixed (absent)\n", c.New, c.Unchanged, c.Updated, c.Absent)
	}
	writeSources(w, r, o)
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "%s:\n", plural(len(r.Warnings), "warning", "warnings"))
		for _, s := range r.Warnings {
			fmt.Fprintf(w, "  %s\n", termsafe.String(s))
		}
	}
}

// writeSources lists what ran, how it ended and what it covered, then
// what was skipped and why.
func writeSources(w *bufio.Writer, r *aggregate.Report, o *Options) {
	if len(r.Sources) > 0 {
		fmt.Fprintln(w, "ran:")
		// Padded by hand: colour codes would count as width in a
		// tabwriter.
		rows := make([][4]string, len(r.Sources))
		var width [4]int
		for i, s := range r.Sources {
			rows[i] = [4]string{termsafe.String(s.Name), string(s.State), plural(s.Findings, "finding", "findings"), Duration(s.Duration)}
			for c, v := range rows[i] {
				width[c] = max(width[c], utf8.RuneCountInString(v))
			}
		}
		for i, s := range r.Sources {
			var line strings.Builder
			line.WriteString(" ")
			for c, v := range rows[i] {
				cell := v + strings.Repeat(" ", width[c]-utf8.RuneCountInString(v))
				if c == 1 {
					switch s.State {
					case aggregate.SourceFailed, aggregate.SourceTimeout:
						cell = o.paint("1;31", cell)
					case aggregate.SourceNotApplicable:
						cell = o.paint("2", cell)
					}
				}
				line.WriteString(" " + cell + " ")
			}
			if s.Coverage != "" {
				line.WriteString(" " + termsafe.String(s.Coverage))
			}
			if s.Err != "" {
				line.WriteString("  " + termsafe.String(clip(oneLine(s.Err), 100)))
			}
			fmt.Fprintln(w, strings.TrimRight(line.String(), " "))
		}
	}
	if len(o.Skipped) == 0 {
		return
	}
	// One line per reason: "not installed: semgrep, checkov".
	var whys []string
	by := map[string][]string{}
	for _, s := range o.Skipped {
		if by[s.Why] == nil {
			whys = append(whys, s.Why)
		}
		by[s.Why] = append(by[s.Why], termsafe.String(s.Name))
	}
	fmt.Fprintln(w, "skipped:")
	for _, why := range whys {
		names := by[why]
		if len(names) > 10 {
			names = append(names[:8:8], fmt.Sprintf("and %d more", len(names)-8))
		}
		fmt.Fprintf(w, "  %s: %s\n", termsafe.String(why), strings.Join(names, ", "))
	}
}

// oneLine joins the non-empty lines of s with " | ".
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " | ")
}

// clip cuts s to n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Duration formats an elapsed time for people: "850ms", "12s", "3m33s".
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
