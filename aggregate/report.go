package aggregate

import (
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/termsafe"
	"github.com/scanmux/scanmux/sarif"
)

// Report is the result of [Run].
type Report struct {
	// Findings are the merged findings, suppressed ones included (each
	// with its suppressions), in a deterministic order: by location, then
	// tool, rule, severity and message. Every finding of a report that
	// [Run] returns, absent ones included, passes [finding.Finding.Validate].
	Findings []*finding.Finding
	// Absent are the baseline's findings that are gone, marked absent.
	Absent []*finding.Finding
	// Sources records how each source's run went, in the order given.
	Sources []SourceStatus
	// Counts summarizes the findings.
	Counts Counts
	// Denials are the messages of filters that deny the pipeline, sorted,
	// each prefixed with the filter's name.
	Denials []string
	// Warnings are problems that did not stop the run: normalization,
	// ambiguous merges, filters' warnings. Sorted.
	Warnings []string
	// Gate is the gate's decision.
	Gate GateResult
}

// Counts summarizes a report. The maps count unsuppressed findings; a
// merged finding counts once, for its primary tool.
type Counts struct {
	// Received counts the reports that sources emitted and that were valid
	// after normalization.
	Received int
	// Findings counts the unsuppressed findings.
	Findings int
	// ByTool, ByCategory and BySeverity split Findings.
	ByTool     map[string]int
	ByCategory map[finding.Category]int
	BySeverity map[finding.Severity]int
	// Suppressed counts the suppressed findings.
	Suppressed int
	// Merged counts the reports merged into other findings (the length of
	// all Also lists): Received = Findings + Suppressed + Merged.
	Merged int
	// New, Unchanged and Updated count findings (suppressed or not) by
	// baseline state; Absent counts Report.Absent.
	New, Unchanged, Updated, Absent int

	// bySevCat splits Findings by severity and category, for Summary;
	// nil in Counts not made by Run.
	bySevCat map[sevCat]int
}

func countReport(r *Report, merged, received int) Counts {
	c := Counts{Received: received, Merged: merged, ByTool: map[string]int{},
		ByCategory: map[finding.Category]int{}, BySeverity: map[finding.Severity]int{}, Absent: len(r.Absent)}
	c.bySevCat = map[sevCat]int{}
	for _, f := range r.Findings {
		switch f.Baseline {
		case finding.BaselineNew:
			c.New++
		case finding.BaselineUnchanged:
			c.Unchanged++
		case finding.BaselineUpdated:
			c.Updated++
		}
		if f.Suppressed() {
			c.Suppressed++
			continue
		}
		c.Findings++
		c.ByTool[f.Tool.Name]++
		c.bySevCat[sevCat{f.Severity, f.Category}]++
	}
	for sc, k := range c.bySevCat {
		c.ByCategory[sc.cat] += k
		c.BySeverity[sc.sev] += k
	}
	return c
}

// sevCat is a severity and category pair, for Counts.bySevCat.
type sevCat struct {
	sev finding.Severity
	cat finding.Category
}

// Runs groups the report's findings into one SARIF run per tool, for
// [sarif.Write]: a merged finding goes in its primary tool's run, tools
// that ran and found nothing get empty runs, and the runs of failed
// sources' tools record the failure (Invocation.Failed and a notification
// naming the source and its error, and one saying the findings are
// partial). A source that says what it covered ([SourceStatus].Coverage)
// adds a note notification with it to its tools' runs. Absent findings
// are left out. Runs are sorted by tool name.
func (r *Report) Runs() []sarif.Run {
	byTool := map[string]*sarif.Run{}
	get := func(t finding.Tool) *sarif.Run {
		run := byTool[t.Name]
		if run == nil {
			run = &sarif.Run{Tool: t}
			byTool[t.Name] = run
		}
		mergeToolInfo(&run.Tool, &t)
		return run
	}
	for i := range r.Sources {
		s := &r.Sources[i]
		tools := s.Tools
		if len(tools) == 0 && !s.OK() {
			tools = []finding.Tool{{Name: s.Name}}
		}
		for _, t := range tools {
			run := get(t)
			if !s.Start.IsZero() {
				if run.Invocation.StartTime.IsZero() || s.Start.Before(run.Invocation.StartTime) {
					run.Invocation.StartTime = s.Start
				}
				if end := s.Start.Add(s.Duration); end.After(run.Invocation.EndTime) {
					run.Invocation.EndTime = end
				}
			}
			if s.Coverage != "" {
				run.Invocation.Notifications = append(run.Invocation.Notifications, sarif.Notification{
					Level: "note", Message: fmt.Sprintf("source %s covered %s", s.Name, s.Coverage)})
			}
			if s.OK() {
				continue
			}
			run.Invocation.Failed = true
			run.Invocation.Notifications = append(run.Invocation.Notifications, sarif.Notification{
				Level: "error", Message: fmt.Sprintf("source %s %s: %s", s.Name, s.State, s.Err)})
			if s.Findings > 0 {
				run.Invocation.Notifications = append(run.Invocation.Notifications, sarif.Notification{
					Level: "warning", Message: fmt.Sprintf("source %s emitted %d findings before it stopped; they are partial", s.Name, s.Findings)})
			}
		}
	}
	for _, f := range r.Findings {
		run := get(f.Tool)
		run.Findings = append(run.Findings, f)
	}
	names := make([]string, 0, len(byTool))
	for n := range byTool {
		names = append(names, n)
	}
	slices.Sort(names)
	runs := make([]sarif.Run, 0, len(names))
	for _, n := range names {
		runs = append(runs, *byTool[n])
	}
	return runs
}

// mergeToolInfo merges what t says of a tool into the run's tool: of two
// different versions, URIs or full names (one tool's reports from two
// releases, or read from two formats), the smallest is kept, so that the
// run does not depend on the order of sources or findings.
func mergeToolInfo(run, t *finding.Tool) {
	pick := func(a *string, b string) {
		if b != "" && (*a == "" || b < *a) {
			*a = b
		}
	}
	pick(&run.Version, t.Version)
	pick(&run.InformationURI, t.InformationURI)
	pick(&run.FullName, t.FullName)
}

// Explain writes every merge: the finding kept, then each report merged
// into it with the keys that matched; then the ambiguous candidates that
// were kept apart.
func (r *Report) Explain(w io.Writer) error {
	ew := &errWriter{w: w}
	n := 0
	for _, f := range r.Findings {
		if len(f.Also) == 0 {
			continue
		}
		n++
		ew.printf("%s (%s, %s) merges %d report(s):\n", describe(f), f.Severity, f.Category, len(f.Also))
		for _, a := range f.Also {
			ew.printf("  + %s %s at %s (%s): %s\n", a.Tool.Name, a.RuleID, where(&a.Location), a.Severity, a.Match)
		}
	}
	if n == 0 {
		ew.printf("no merges\n")
	}
	for _, s := range r.Warnings {
		if strings.HasPrefix(s, "ambiguous: ") {
			ew.printf("%s\n", s)
		}
	}
	return ew.err
}

// ExplainNear writes the pairs of findings that almost merged and why they
// did not: one tool and rule at a coarse place with different messages, a
// shared CWE too abstract to merge on, equivalent rules about different
// resources or lines, one line with different secrets, one advisory of a
// package in another version. Only findings of one file, package or
// endpoint are compared; merged reports are not listed again.
func (r *Report) ExplainNear(w io.Writer) error {
	ew := &errWriter{w: w}
	sigs := make([]sig, len(r.Findings))
	byPlace := map[string][]int{}
	for i, f := range r.Findings {
		sigs[i] = newSig(f, nil)
		if k := sigs[i].placeKey(); k != "" {
			place := string(rune('0'+sigs[i].kind)) + k
			byPlace[place] = append(byPlace[place], i)
		}
	}
	n := 0
	for _, place := range sortedKeys(byPlace) {
		ids := byPlace[place]
		for x, i := range ids {
			for _, j := range ids[x+1:] {
				if why, ok := nearMiss(r.Findings[i], r.Findings[j], &sigs[i], &sigs[j]); ok {
					ew.printf("near: %s and %s: %s\n", describe(r.Findings[i]), describe(r.Findings[j]), why)
					n++
				}
			}
		}
	}
	if n == 0 {
		ew.printf("no near merges\n")
	}
	return ew.err
}

// Summary writes a human summary: findings by severity and category, by
// tool, the suppressed, merged and baseline counts, each source's status
// and time, warnings and the gate's decision. Its numbers are those of
// Counts, which are those of the SARIF that [Report.Runs] gives.
func (r *Report) Summary(w io.Writer) error {
	ew := &errWriter{w: w}
	c := &r.Counts
	ew.printf("%d findings (%d suppressed, %d reports merged, %d received)\n", c.Findings, c.Suppressed, c.Merged, c.Received)
	if c.New+c.Unchanged+c.Updated+c.Absent > 0 {
		ew.printf("baseline: %d new, %d unchanged, %d updated, %d absent\n", c.New, c.Unchanged, c.Updated, c.Absent)
	}

	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	var cats []finding.Category
	for _, cat := range finding.Categories {
		if c.ByCategory[cat] > 0 {
			cats = append(cats, cat)
		}
	}
	if len(cats) > 0 {
		fmt.Fprint(tw, "severity\t")
		for _, cat := range cats {
			fmt.Fprintf(tw, "%s\t", cat)
		}
		fmt.Fprint(tw, "total\t\n")
		byBoth := c.bySevCat
		if byBoth == nil { // Counts not made by Run
			byBoth = countReport(r, 0, 0).bySevCat
		}
		for _, s := range finding.Severities {
			if c.BySeverity[s] == 0 {
				continue
			}
			fmt.Fprintf(tw, "%s\t", s)
			for _, cat := range cats {
				fmt.Fprintf(tw, "%d\t", byBoth[sevCat{s, cat}])
			}
			fmt.Fprintf(tw, "%d\t\n", c.BySeverity[s])
		}
		fmt.Fprint(tw, "total\t")
		for _, cat := range cats {
			fmt.Fprintf(tw, "%d\t", c.ByCategory[cat])
		}
		fmt.Fprintf(tw, "%d\t\n", c.Findings)
	}
	if err := tw.Flush(); err != nil && ew.err == nil {
		ew.err = err
	}

	if len(c.ByTool) > 0 {
		ew.printf("by tool:")
		for _, t := range sortedKeys(c.ByTool) {
			ew.printf(" %s %d", t, c.ByTool[t])
		}
		ew.printf("\n")
	}
	ew.printf("sources:\n")
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, s := range r.Sources {
		line := fmt.Sprintf("  %s\t%s\t%d findings\t%s", termsafe.String(s.Name), s.State, s.Findings, s.Duration.Round(time.Millisecond))
		if s.Coverage != "" {
			line += "\t" + termsafe.String(s.Coverage)
		}
		if s.Err != "" {
			line += "\t" + termsafe.String(s.Err)
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil && ew.err == nil {
		ew.err = err
	}
	if len(r.Warnings) > 0 {
		ew.printf("%d warnings:\n", len(r.Warnings))
		for _, s := range r.Warnings {
			ew.printf("  %s\n", s)
		}
	}
	if r.Gate.Failed {
		ew.printf("gate: FAILED (exit %d)\n", r.Gate.ExitCode)
		for _, s := range r.Gate.Reasons {
			ew.printf("  %s\n", s)
		}
	} else {
		ew.printf("gate: passed\n")
	}
	return ew.err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// printf prints to the writer with every string, error and Stringer
// argument escaped ([termsafe.String]): the human reports print paths,
// rule ids, messages and source names, which come from the scanned tree
// and the tools, and must not be able to start a line of their own (a
// GitHub Actions workflow command) or drive the terminal.
func (e *errWriter) printf(format string, args ...any) {
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = termsafe.String(v)
		case error:
			args[i] = termsafe.String(v.Error())
		case fmt.Stringer:
			args[i] = termsafe.String(v.String())
		default:
			if rv := reflect.ValueOf(a); rv.Kind() == reflect.String { // a named string type
				args[i] = termsafe.String(rv.String())
			}
		}
	}
	fmt.Fprintf(e, format, args...)
}
