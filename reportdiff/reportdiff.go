// Package reportdiff compares two scanmux SARIF logs, an old and a new
// scan of the same code: which findings are new, fixed, unchanged or
// updated. Findings are matched as a baseline matches them (package
// aggregate/baseline): by scanmux identity first, which survives unrelated
// edits, then by line hash for logs without one. It is what
// "scanmux diff OLD.sarif NEW.sarif" prints, as a table, Markdown or JSON.
package reportdiff

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/scanmux/scanmux/aggregate/baseline"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/termsafe"
	"github.com/scanmux/scanmux/report/markdown"
	"github.com/scanmux/scanmux/sarif"
)

// Result is the comparison of two logs.
type Result struct {
	// Old and New are the logs' paths.
	Old, New string
	// New lists the new log's findings the old one does not have;
	// Updated those it has with another severity or message; Unchanged
	// those it has as they are. Fixed lists the old log's findings the new
	// one does not have. Each is sorted by severity, then location.
	Added, Updated, Unchanged, Fixed []*finding.Finding
}

// Compare reads the logs at oldPath and newPath and compares them. root,
// when not empty, is the scanned tree, read to match findings of logs
// without scanmux identities by line hash. Errors name the file.
func Compare(oldPath, newPath, root string) (*Result, error) {
	base, err := baseline.Load(oldPath, root)
	if err != nil {
		return nil, err
	}
	runs, err := sarif.ReadFile(newPath, nil)
	if err != nil {
		if strings.Contains(err.Error(), newPath) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", newPath, err)
	}
	var cur []*finding.Finding
	for i := range runs {
		cur = append(cur, runs[i].Findings...)
	}
	res := &Result{Old: oldPath, New: newPath}
	res.Fixed = base.Compare(cur)
	for _, f := range cur {
		switch f.Baseline {
		case finding.BaselineUnchanged:
			res.Unchanged = append(res.Unchanged, f)
		case finding.BaselineUpdated:
			res.Updated = append(res.Updated, f)
		default:
			res.Added = append(res.Added, f)
		}
	}
	for _, l := range [][]*finding.Finding{res.Added, res.Updated, res.Unchanged, res.Fixed} {
		slices.SortStableFunc(l, func(a, b *finding.Finding) int {
			return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(a.Location.Path, b.Location.Path),
				cmp.Compare(a.Location.Region.StartLine, b.Location.Region.StartLine), cmp.Compare(a.Rule.ID, b.Rule.ID))
		})
	}
	return res, nil
}

// states are the lists in the order they are shown.
func (r *Result) states(unchanged bool) []struct {
	name string
	list []*finding.Finding
} {
	out := []struct {
		name string
		list []*finding.Finding
	}{{"new", r.Added}, {"fixed", r.Fixed}, {"updated", r.Updated}}
	if unchanged {
		out = append(out, struct {
			name string
			list []*finding.Finding
		}{"unchanged", r.Unchanged})
	}
	return out
}

// Summary is "3 new, 1 fixed, 0 updated, 40 unchanged".
func (r *Result) Summary() string {
	return fmt.Sprintf("%d new, %d fixed, %d updated, %d unchanged", len(r.Added), len(r.Fixed), len(r.Updated), len(r.Unchanged))
}

// where is a finding's place in words.
func where(f *finding.Finding) string {
	l := &f.Location
	switch {
	case l.Path != "" && l.Region.StartLine > 0:
		return fmt.Sprintf("%s:%d", l.Path, l.Region.StartLine)
	case l.Path != "":
		return l.Path
	case l.Package != nil:
		return strings.TrimSpace(l.Package.Name + " " + l.Package.Version)
	case l.Web != nil:
		return l.Web.URL
	}
	return l.Resource
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// WriteTable writes the summary and a table of the new, fixed and updated
// findings (and the unchanged ones when unchanged is set), made safe for a
// terminal.
func (r *Result) WriteTable(w io.Writer, unchanged bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t(old %s, new %s)\n", r.Summary(), termsafe.String(r.Old), termsafe.String(r.New))
	rows := 0
	for _, s := range r.states(unchanged) {
		for _, f := range s.list {
			if rows == 0 {
				fmt.Fprint(tw, "\nSTATE\tSEVERITY\tTOOL\tRULE\tLOCATION\tMESSAGE\n")
			}
			rows++
			sup := ""
			if f.Suppressed() {
				sup = " (suppressed)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s%s\n", s.name, f.Severity, termsafe.String(f.Tool.Name), termsafe.String(f.Rule.ID),
				termsafe.String(where(f)), termsafe.String(short(firstLine(f.Message), 100)), sup)
		}
	}
	return tw.Flush()
}

func short(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// WriteMarkdown writes the summary and a table per state, escaped as the
// markdown report escapes.
func (r *Result) WriteMarkdown(w io.Writer, unchanged bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## scanmux diff: %s\n\n", r.Summary())
	for _, s := range r.states(unchanged) {
		if len(s.list) == 0 {
			continue
		}
		fmt.Fprintf(&b, "### %s (%d)\n\n| severity | tool | rule | location | message |\n|---|---|---|---|---|\n", s.name, len(s.list))
		for _, f := range s.list {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", f.Severity, markdown.Escape(f.Tool.Name), markdown.Escape(f.Rule.ID),
				markdown.Escape(where(f)), markdown.Escape(firstLine(f.Message)))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JSONFinding is a finding in the JSON output.
type JSONFinding struct {
	ID         string `json:"id,omitempty"`
	Tool       string `json:"tool"`
	Rule       string `json:"rule"`
	Severity   string `json:"severity"`
	Category   string `json:"category,omitempty"`
	Path       string `json:"path,omitempty"`
	Line       int    `json:"line,omitempty"`
	Location   string `json:"location,omitempty"`
	Message    string `json:"message"`
	Suppressed bool   `json:"suppressed,omitempty"`
}

// JSON is the JSON output's document.
type JSON struct {
	Old       string         `json:"old_log"`
	New       string         `json:"new_log"`
	Counts    map[string]int `json:"counts"`
	Added     []JSONFinding  `json:"new"`
	Fixed     []JSONFinding  `json:"fixed"`
	Updated   []JSONFinding  `json:"updated"`
	Unchanged []JSONFinding  `json:"unchanged"`
}

// WriteJSON writes every list, unchanged included.
func (r *Result) WriteJSON(w io.Writer) error {
	conv := func(fs []*finding.Finding) []JSONFinding {
		out := []JSONFinding{}
		for _, f := range fs {
			out = append(out, JSONFinding{ID: f.ID, Tool: f.Tool.Name, Rule: f.Rule.ID, Severity: f.Severity.String(), Category: string(f.Category),
				Path: f.Location.Path, Line: f.Location.Region.StartLine, Location: where(f), Message: f.Message, Suppressed: f.Suppressed()})
		}
		return out
	}
	doc := JSON{Old: r.Old, New: r.New, Added: conv(r.Added), Fixed: conv(r.Fixed), Updated: conv(r.Updated), Unchanged: conv(r.Unchanged),
		Counts: map[string]int{"new": len(r.Added), "fixed": len(r.Fixed), "updated": len(r.Updated), "unchanged": len(r.Unchanged)}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&doc)
}
