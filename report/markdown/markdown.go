// Package markdown writes a report as a Markdown summary for
// $GITHUB_STEP_SUMMARY and merge request notes: the gate's decision, counts
// by severity and category, by tool and by baseline state (new vs
// unchanged), and the top findings with links to the code.
//
//	scanmux scan --format markdown . >> "$GITHUB_STEP_SUMMARY"
//
// Links point at GITHUB_SERVER_URL/GITHUB_REPOSITORY/blob/GITHUB_SHA when
// those are set (GitHub Actions), else at CI_PROJECT_URL/-/blob/CI_COMMIT_SHA
// (GitLab CI), or at the "link-base" parameter ("link-style" "gitlab" for
// GitLab's line anchors). Everything taken from
// the report is escaped, so a message cannot add markup, HTML or links.
// The format registers itself as "markdown".
package markdown

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/internal/view"
)

func init() {
	report.Register(report.Format{Name: "markdown", Summary: "Markdown summary for $GITHUB_STEP_SUMMARY and MR notes", Write: Write})
}

// DefaultTop is how many findings the top list shows unless the "top"
// parameter says otherwise.
const DefaultTop = 20

// MaxSuppressed is how many suppressed findings the summary lists; the
// others are counted by reason only.
const MaxSuppressed = 50

// Write writes the summary.
func Write(w io.Writer, r *aggregate.Report, o *report.Options) error {
	top := DefaultTop
	if s := o.Param("top"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return fmt.Errorf("markdown: parameter top %q: want a number of findings", s)
		}
		top = n
	}
	bw := bufio.NewWriter(w)
	c := &r.Counts
	links := view.LinkBase(o)

	fmt.Fprintf(bw, "## scanmux: %d %s", c.Findings, plural(c.Findings, "finding", "findings"))
	if r.Gate.Failed {
		fmt.Fprintf(bw, " — gate failed\n\n")
	} else {
		fmt.Fprintf(bw, " — gate passed\n\n")
	}
	for _, reason := range r.Gate.Reasons {
		fmt.Fprintf(bw, "- :x: %s\n", Escape(reason))
	}
	if len(r.Gate.Reasons) > 0 {
		bw.WriteString("\n")
	}
	fmt.Fprintf(bw, "%d suppressed, %d %s merged across tools, %d received.", c.Suppressed, c.Merged, plural(c.Merged, "report", "reports"), c.Received)
	if c.New+c.Unchanged+c.Updated+c.Absent > 0 {
		fmt.Fprintf(bw, " Against the baseline: **%d new**, %d unchanged, %d updated, %d fixed (absent).", c.New, c.Unchanged, c.Updated, c.Absent)
	}
	bw.WriteString("\n\n")

	// Severity by category, as Counts.
	var cats []finding.Category
	for _, cat := range finding.Categories {
		if c.ByCategory[cat] > 0 {
			cats = append(cats, cat)
		}
	}
	if len(cats) > 0 {
		byBoth := map[finding.Severity]map[finding.Category]int{}
		for _, f := range r.Findings {
			if f.Suppressed() {
				continue
			}
			if byBoth[f.Severity] == nil {
				byBoth[f.Severity] = map[finding.Category]int{}
			}
			byBoth[f.Severity][f.Category]++
		}
		bw.WriteString("| severity |")
		for _, cat := range cats {
			fmt.Fprintf(bw, " %s |", cat)
		}
		bw.WriteString(" total |\n|---|")
		for range cats {
			bw.WriteString("--:|")
		}
		bw.WriteString("--:|\n")
		for _, s := range finding.Severities {
			if c.BySeverity[s] == 0 {
				continue
			}
			fmt.Fprintf(bw, "| %s %s |", icon(s), s)
			for _, cat := range cats {
				fmt.Fprintf(bw, " %d |", byBoth[s][cat])
			}
			fmt.Fprintf(bw, " **%d** |\n", c.BySeverity[s])
		}
		bw.WriteString("| **total** |")
		for _, cat := range cats {
			fmt.Fprintf(bw, " **%d** |", c.ByCategory[cat])
		}
		fmt.Fprintf(bw, " **%d** |\n\n", c.Findings)
	}

	// By tool, with the baseline split when there is one.
	if len(c.ByTool) > 0 {
		type states struct{ newN, unchanged, other int }
		byTool := map[string]*states{}
		for _, f := range r.Findings {
			if f.Suppressed() {
				continue
			}
			st := byTool[f.Tool.Name]
			if st == nil {
				st = &states{}
				byTool[f.Tool.Name] = st
			}
			switch f.Baseline {
			case finding.BaselineNew, "":
				st.newN++
			case finding.BaselineUnchanged:
				st.unchanged++
			default:
				st.other++
			}
		}
		withBase := c.New+c.Unchanged+c.Updated > 0
		if withBase {
			bw.WriteString("| tool | findings | new | unchanged |\n|---|--:|--:|--:|\n")
		} else {
			bw.WriteString("| tool | findings |\n|---|--:|\n")
		}
		for _, t := range sortedKeys(c.ByTool) {
			if withBase {
				st := byTool[t]
				if st == nil {
					st = &states{}
				}
				fmt.Fprintf(bw, "| %s | %d | %d | %d |\n", Escape(t), c.ByTool[t], st.newN, st.unchanged)
			} else {
				fmt.Fprintf(bw, "| %s | %d |\n", Escape(t), c.ByTool[t])
			}
		}
		bw.WriteString("\n")
	}

	// Sources that did not run well.
	for _, s := range r.Sources {
		if !s.OK() {
			fmt.Fprintf(bw, "> [!WARNING]\n> %s %s: %s\n\n", Escape(s.Name), s.State, Escape(view.FirstLine(s.Err)))
		}
	}

	// Top findings: new ones first, then by severity.
	var open []*finding.Finding
	for _, f := range view.BySeverity(r.Findings) {
		if !f.Suppressed() && f.Baseline != finding.BaselineUnchanged {
			open = append(open, f)
		}
	}
	for _, f := range view.BySeverity(r.Findings) {
		if !f.Suppressed() && f.Baseline == finding.BaselineUnchanged {
			open = append(open, f)
		}
	}
	if len(open) > 0 && top > 0 {
		shown := min(top, len(open))
		fmt.Fprintf(bw, "### Top findings (%d of %d)\n\n", shown, len(open))
		bw.WriteString("| severity | state | finding | where | tools |\n|---|---|---|---|---|\n")
		for _, f := range open[:shown] {
			where := Escape(view.Where(&f.Location))
			if link := links.Link(&f.Location); link != "" {
				where = "[" + where + "](" + link + ")"
			}
			title := Escape(f.Rule.ID)
			if f.Rule.HelpURI != "" && safeURL(f.Rule.HelpURI) {
				title = "[" + title + "](" + escapeURL(f.Rule.HelpURI) + ")"
			}
			fmt.Fprintf(bw, "| %s %s | %s | %s: %s | %s | %s |\n", icon(f.Severity), f.Severity, view.State(f), title,
				Escape(cut(view.FirstLine(f.Message), maxCell)), where, Escape(strings.Join(view.Tools(f), ", ")))
		}
		if shown < len(open) {
			fmt.Fprintf(bw, "\n%d more in the SARIF log.\n", len(open)-shown)
		}
		bw.WriteString("\n")
	}

	// Suppressions, folded: how many per reason, then the first
	// MaxSuppressed of them (a --diff-base run suppresses everything
	// outside the change, which can be thousands).
	if c.Suppressed > 0 {
		fmt.Fprintf(bw, "<details><summary>%d suppressed %s</summary>\n\n| reason | findings |\n|---|--:|\n", c.Suppressed, plural(c.Suppressed, "finding", "findings"))
		byReason := map[string]int{}
		var reasons []string
		for _, f := range r.Findings {
			if f.Suppressed() {
				why := view.Reason(f)
				if byReason[why] == 0 {
					reasons = append(reasons, why)
				}
				byReason[why]++
			}
		}
		for _, why := range reasons {
			fmt.Fprintf(bw, "| %s | %d |\n", Escape(why), byReason[why])
		}
		bw.WriteString("\n| finding | where | reason |\n|---|---|---|\n")
		n := 0
		for _, f := range r.Findings {
			if !f.Suppressed() {
				continue
			}
			if n++; n > MaxSuppressed {
				break
			}
			fmt.Fprintf(bw, "| %s %s | %s | %s |\n", Escape(f.Tool.Name), Escape(f.Rule.ID), Escape(view.Where(&f.Location)), Escape(view.Reason(f)))
		}
		if c.Suppressed > MaxSuppressed {
			fmt.Fprintf(bw, "\n%d more in the SARIF log (--output-profile full).\n", c.Suppressed-MaxSuppressed)
		}
		bw.WriteString("\n</details>\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("markdown: %w", err)
	}
	return nil
}

// Escape makes s literal text in a Markdown table cell: HTML's special
// characters and @ (no mentions) become entities; the punctuation of
// emphasis, code, links, tables, emoji (:x:) and math ($) is
// backslash-escaped; line ends become spaces.
func Escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		case '@': // no mentions
			b.WriteString("&#64;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', ':', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// safeURL reports whether u is an http(s) URL, the only links written.
func safeURL(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// escapeURL keeps a URL inside a Markdown link's parentheses.
func escapeURL(u string) string {
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E", "\n", "", "\r", "").Replace(u)
}

// maxCell bounds a message in a table cell, in runes: a step summary
// holds 1 MiB.
const maxCell = 300

// cut shortens s to n runes and an ellipsis.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func icon(s finding.Severity) string {
	switch s {
	case finding.SeverityCritical:
		return ":red_circle:"
	case finding.SeverityHigh:
		return ":orange_circle:"
	case finding.SeverityMedium:
		return ":yellow_circle:"
	case finding.SeverityLow:
		return ":large_blue_circle:"
	}
	return ":white_circle:"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
