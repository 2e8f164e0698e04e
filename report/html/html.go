// Package html writes a report as one self-contained HTML file for people:
// a summary, then every finding in a table that sorts by any column and
// filters by severity, category, tool and state (and text), each with its
// code snippet, rule, CWEs, the tools that also reported it and, for
// suppressed findings, the reasons.
//
// The file fetches nothing: styles and script are inline, and its
// Content-Security-Policy allows only them (no images, fonts, frames or
// connections). Everything taken from the report is escaped by
// html/template; links are http(s) only. Filters can be set from the URL's
// fragment (report.html#severity=high&tool=gosec&state=new; open=N opens
// finding N; sort=rule, sort=-where), so a view can be shared. The format registers itself as "html".
package html

import (
	"bufio"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/internal/view"
	"github.com/scanmux/scanmux/sourcefile"
	"github.com/scanmux/scanmux/toolinfo"
)

func init() {
	report.Register(report.Format{Name: "html", Summary: "one self-contained HTML page: sortable, filterable findings with code", Write: Write})
}

//go:embed report.js
var script string

//go:embed report.css
var style string

//go:embed report.html.tmpl
var page string

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"join": strings.Join,
}).Parse(page))

// Context lines shown above and below a finding's lines, and the most
// lines a snippet shows.
const (
	contextLines = 2
	maxSnippet   = 30
)

// Line is one line of a snippet.
type line struct {
	N    int
	Text string
	Hit  bool // one of the finding's lines
}

// row is one finding as the page shows it.
type row struct {
	N                         int
	Severity                  string
	SevRank                   int
	State, Category, Tool     string
	Tools                     []string
	Rule, RuleName, Title     string
	Help                      template.URL
	Message, Where, Path      string
	Line                      int
	CWEs, Vulns               []string
	Snippet                   []line
	SnippetNote               string
	Also                      []also
	Suppressions              []suppression
	Description, Fingerprint  string
	Gated                     bool
	Resource, Package, WebURL string
}

type also struct{ Tool, Rule, Severity, Message, Where, Match string }

type suppression struct{ Kind, Status, Reason, Source string }

type count struct {
	Name string
	N    int
}

type data struct {
	Title, Version, Generated, Duration string
	CSP                                 string
	Style                               template.CSS
	Script                              template.JS
	Counts                              *aggregate.Counts
	BySeverity, ByCategory, ByTool      []count
	Gate                                aggregate.GateResult
	Sources                             []aggregate.SourceStatus
	Warnings                            []string
	Rows                                []row
	Severities, Categories, Tools       []string
	States                              []string
	HasBaseline                         bool
}

// Write writes the page. Code snippets are read from o.Root through
// package sourcefile when it is set; a file that cannot be read gets a
// note instead of a snippet.
func Write(w io.Writer, r *aggregate.Report, o *report.Options) error {
	d := &data{Title: "scanmux report", Counts: &r.Counts, Gate: r.Gate, Sources: r.Sources, Warnings: r.Warnings,
		Style: template.CSS(style), Script: template.JS(script)}
	sum := sha256.Sum256([]byte(script))
	d.CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
	if o != nil {
		d.Version = o.Version
		if !o.Finished.IsZero() {
			d.Generated = o.Finished.UTC().Format(time.RFC3339)
			if !o.Started.IsZero() {
				d.Duration = o.Finished.Sub(o.Started).Round(time.Millisecond).String()
			}
		}
	}
	c := &r.Counts
	for _, s := range finding.Severities {
		if c.BySeverity[s] > 0 {
			d.BySeverity = append(d.BySeverity, count{s.String(), c.BySeverity[s]})
		}
	}
	for _, cat := range finding.Categories {
		if c.ByCategory[cat] > 0 {
			d.ByCategory = append(d.ByCategory, count{string(cat), c.ByCategory[cat]})
		}
	}
	for t, n := range c.ByTool {
		d.ByTool = append(d.ByTool, count{t, n})
	}
	slices.SortFunc(d.ByTool, func(a, b count) int { return strings.Compare(a.Name, b.Name) })
	d.HasBaseline = c.New+c.Unchanged+c.Updated > 0

	var src *sourcefile.Root
	if o != nil && o.Root != "" {
		if s, err := sourcefile.Open(o.Root, 0); err == nil {
			src = s
			defer s.Close()
		}
	}
	// The lines on which the report has a secret, suppressed or not: no
	// snippet shows them unredacted, a finding's context lines included.
	secrets := map[string]map[int]bool{}
	for _, f := range r.Findings {
		if l := &f.Location; l.Path != "" && l.Region.StartLine > 0 && secret(f) {
			if secrets[l.Path] == nil {
				secrets[l.Path] = map[int]bool{}
			}
			for n := l.Region.StartLine; n <= max(l.Region.EndLine, l.Region.StartLine); n++ {
				secrets[l.Path][n] = true
			}
		}
	}
	files := map[string][][]byte{}
	fileErr := map[string]string{}
	sevs, cats, tools, states := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, f := range r.Findings {
		rw := convert(i+1, f, o)
		if src != nil && f.Location.Path != "" && f.Location.Region.StartLine > 0 {
			p := f.Location.Path
			lines, ok := files[p]
			if !ok && fileErr[p] == "" {
				var err error
				if lines, err = src.Lines(context.Background(), p); err != nil {
					fileErr[p] = "code not shown: " + err.Error()
				}
				files[p] = lines
			}
			rw.Snippet, rw.SnippetNote = snippet(lines, f.Location.Region), fileErr[p]
			for i := range rw.Snippet {
				if secrets[p][rw.Snippet[i].N] {
					rw.Snippet[i].Text = redact(rw.Snippet[i].Text)
				}
			}
		}
		d.Rows = append(d.Rows, rw)
		sevs[rw.Severity], cats[rw.Category], states[rw.State] = true, true, true
		for _, t := range rw.Tools {
			tools[t] = true
		}
	}
	for _, s := range finding.Severities {
		if sevs[s.String()] {
			d.Severities = append(d.Severities, s.String())
		}
	}
	for _, cat := range finding.Categories {
		if cats[string(cat)] {
			d.Categories = append(d.Categories, string(cat))
		}
	}
	for _, s := range []string{view.StateNew, view.StateUpdated, view.StateUnchanged, view.StateOpen, view.StateSuppressed} {
		if states[s] {
			d.States = append(d.States, s)
		}
	}
	for t := range tools {
		d.Tools = append(d.Tools, t)
	}
	slices.Sort(d.Tools)

	bw := bufio.NewWriter(w)
	if err := tmpl.Execute(bw, d); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	return nil
}

func convert(n int, f *finding.Finding, o *report.Options) row {
	rw := row{N: n, Severity: f.Severity.String(), SevRank: int(f.Severity), State: view.State(f), Category: string(f.Category),
		Tool: f.Tool.Name, Tools: view.Tools(f), Rule: f.Rule.ID, RuleName: f.Rule.Name, Title: f.Rule.ShortDescription,
		Message: strings.TrimSpace(f.Message), Where: view.Where(&f.Location), Path: f.Location.Path,
		Line: f.Location.Region.StartLine, Vulns: f.VulnIDs, Description: f.Rule.FullDescription, Fingerprint: f.ID,
		Gated: o.Gated(f), Resource: f.Location.Resource}
	if rw.Description == rw.Title || rw.Description == rw.Message {
		rw.Description = ""
	}
	if u := f.Rule.HelpURI; strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		rw.Help = template.URL(u)
	}
	for _, c := range f.CWEs {
		rw.CWEs = append(rw.CWEs, fmt.Sprintf("CWE-%d", c))
	}
	if p := f.Location.Package; p != nil {
		rw.Package = strings.TrimSpace(p.Name + " " + p.Version)
		if p.FixedVersion != "" {
			rw.Package += " (fixed in " + p.FixedVersion + ")"
		}
	}
	if wb := f.Location.Web; wb != nil {
		rw.WebURL = strings.TrimSpace(wb.Method + " " + wb.URL)
	}
	for _, a := range f.Also {
		rw.Also = append(rw.Also, also{Tool: a.Tool.Name, Rule: a.RuleID, Severity: a.Severity.String(), Message: view.FirstLine(a.Message),
			Where: view.Where(&a.Location), Match: a.Match})
	}
	for _, s := range f.Suppressions {
		rw.Suppressions = append(rw.Suppressions, suppression{Kind: string(s.Kind), Status: string(s.Status), Reason: s.Justification, Source: s.Source})
	}
	return rw
}

// secret reports whether f, or a report merged into it, is a secret.
func secret(f *finding.Finding) bool {
	if toolinfo.IsSecret(f) {
		return true
	}
	for _, a := range f.Also {
		if toolinfo.IsCredentialRule(a.Tool.Name, a.RuleID) {
			return true
		}
	}
	return false
}

// redact hides the secret on a line as scanmux hides it in SARIF
// ([toolinfo.Redact]: every quoted literal); a line in which nothing could
// be hidden is replaced whole.
func redact(text string) string {
	g := &finding.Finding{Category: finding.CategorySecret, Location: finding.Location{Snippet: text}}
	toolinfo.Redact(g)
	if g.Location.Snippet == "" {
		return "(hidden: a secret was found on this line)"
	}
	return g.Location.Snippet
}

// snippet returns the finding's lines with context, at most maxSnippet.
func snippet(lines [][]byte, r finding.Region) []line {
	if len(lines) == 0 || r.StartLine > len(lines) {
		return nil
	}
	end := max(r.EndLine, r.StartLine)
	from := max(1, r.StartLine-contextLines)
	to := min(len(lines), end+contextLines, from+maxSnippet-1)
	var out []line
	for n := from; n <= to; n++ {
		text := string(lines[n-1])
		if len(text) > 400 {
			text = text[:400] + "…"
		}
		text = strings.ToValidUTF8(text, "\uFFFD")
		out = append(out, line{N: n, Text: text, Hit: n >= r.StartLine && n <= end})
	}
	return out
}
