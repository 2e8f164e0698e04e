// Package annotations writes a report as GitHub Actions workflow commands
// (::error file=…,line=…::message), which GitHub shows as annotations on
// the pull request's changed files and on the run:
//
//	scanmux scan --format github-annotations --diff-base origin/main .
//
// GitHub shows at most 10 error, 10 warning and 10 notice annotations per
// step (and 50 per job) and drops the rest silently. Write therefore writes
// the most severe findings first, at most [PerStep] of each kind; when any
// is left out, the last notice slot says how many of each kind were left
// out, and each left-out finding is still printed as a plain log line. The
// format registers itself as "github-annotations".
package annotations

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/internal/view"
)

func init() {
	report.Register(report.Format{Name: "github-annotations", Summary: "GitHub Actions workflow commands: annotations on the PR, within GitHub's per-step limits", Write: Write})
}

// PerStep is how many annotations of each kind (error, warning, notice)
// GitHub shows for one step.
const PerStep = 10

// Command is the workflow command for s: "error" for critical and high,
// "warning" for medium, "notice" for low and info.
func Command(s finding.Severity) string {
	switch {
	case s >= finding.SeverityHigh:
		return "error"
	case s == finding.SeverityMedium:
		return "warning"
	}
	return "notice"
}

// EscapeData escapes a workflow command's message as GitHub's toolkit
// does: % and line ends, so that it stays one command.
func EscapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// EscapeProperty escapes a property value (file, title): as EscapeData,
// and also ":" and ",", which separate properties.
func EscapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// Write writes one workflow command per unsuppressed finding, most severe
// first, within GitHub's per-step limits (see the package comment).
func Write(w io.Writer, r *aggregate.Report, _ *report.Options) error {
	bw := bufio.NewWriter(w)
	var open []*finding.Finding
	for _, f := range view.BySeverity(r.Findings) {
		if !f.Suppressed() {
			open = append(open, f)
		}
	}
	total := map[string]int{}
	for _, f := range open {
		total[Command(f.Severity)]++
	}
	notices := PerStep
	if total["error"] > PerStep || total["warning"] > PerStep || total["notice"] > PerStep {
		notices-- // the last notice says what was left out
	}
	limit := map[string]int{"error": PerStep, "warning": PerStep, "notice": notices}
	shown := map[string]int{}
	var left []*finding.Finding
	for _, f := range open {
		cmd := Command(f.Severity)
		if shown[cmd] >= limit[cmd] {
			left = append(left, f)
			continue
		}
		shown[cmd]++
		bw.WriteString(command(cmd, f))
	}
	if len(left) > 0 {
		var parts []string
		for _, k := range []string{"error", "warning", "notice"} {
			if n := total[k] - shown[k]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, plural(k, n)))
			}
		}
		fmt.Fprintf(bw, "::notice title=%s::%s\n", EscapeProperty("scanmux: findings left out of annotations"),
			EscapeData(fmt.Sprintf("%d of %d findings are not annotated (%s): GitHub shows at most %d error, %d warning and %d notice annotations per step. They are listed in this step's log; the SARIF upload or the step summary has them all.",
				len(left), len(open), strings.Join(parts, ", "), PerStep, PerStep, PerStep)))
		fmt.Fprintf(bw, "scanmux: %d findings not annotated (GitHub's limit per step):\n", len(left))
		for _, f := range left {
			// Plain log lines, escaped as data so that no line of a
			// message can start a workflow command.
			fmt.Fprintf(bw, "scanmux: %s %s: %s [%s %s]\n", f.Severity, EscapeData(view.Where(&f.Location)),
				EscapeData(view.FirstLine(f.Message)), EscapeData(f.Tool.Name), EscapeData(f.Rule.ID))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("github-annotations: %w", err)
	}
	return nil
}

func plural(k string, n int) string {
	if n == 1 {
		return k
	}
	return k + "s"
}

// command is the workflow command for f, with its line end.
func command(cmd string, f *finding.Finding) string {
	var props []string
	l := &f.Location
	if l.Path != "" {
		props = append(props, "file="+EscapeProperty(l.Path))
		if r := l.Region; r.StartLine > 0 {
			props = append(props, fmt.Sprintf("line=%d", r.StartLine))
			if r.EndLine > r.StartLine {
				props = append(props, fmt.Sprintf("endLine=%d", r.EndLine))
			}
			// GitHub takes columns only within one line.
			if r.StartColumn > 0 && (r.EndLine == 0 || r.EndLine == r.StartLine) {
				props = append(props, fmt.Sprintf("col=%d", r.StartColumn))
				if r.EndColumn > r.StartColumn {
					props = append(props, fmt.Sprintf("endColumn=%d", r.EndColumn))
				}
			}
		}
	}
	props = append(props, "title="+EscapeProperty(fmt.Sprintf("%s %s (%s)", f.Tool.Name, f.Rule.ID, f.Severity)))
	var msg strings.Builder
	msg.WriteString(strings.TrimSpace(f.Message))
	if l.Path == "" {
		if where := view.Where(l); where != "" {
			fmt.Fprintf(&msg, "\nAt: %s", where)
		}
	}
	if tools := view.Tools(f); len(tools) > 1 {
		fmt.Fprintf(&msg, "\nAlso reported by: %s", strings.Join(tools[1:], ", "))
	}
	if f.Rule.HelpURI != "" {
		fmt.Fprintf(&msg, "\n%s", f.Rule.HelpURI)
	}
	return "::" + cmd + " " + strings.Join(props, ",") + "::" + EscapeData(msg.String()) + "\n"
}
