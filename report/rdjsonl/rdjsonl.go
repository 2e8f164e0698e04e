// Package rdjsonl writes a report in reviewdog's diagnostic format, rdjsonl
// (one JSON Diagnostic per line, see reviewdog's proto/rdf), so that
// reviewdog posts the findings as review comments on any code host:
//
//	scanmux scan --format rdjsonl --diff-base origin/main . |
//	  reviewdog -f=rdjsonl -reporter=github-pr-review
//
// Suppressed findings and findings without a file are left out (a review
// comment needs a file). The format registers itself as "rdjsonl".
package rdjsonl

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/internal/view"
)

func init() {
	report.Register(report.Format{Name: "rdjsonl", Summary: "reviewdog's rdjsonl, for PR/MR review comments (reviewdog -f=rdjsonl)", Write: Write})
}

// Diagnostic is reviewdog's Diagnostic message, as JSON.
type Diagnostic struct {
	Message          string            `json:"message"`
	Location         Location          `json:"location"`
	Severity         string            `json:"severity,omitempty"`
	Source           *Source           `json:"source,omitempty"`
	Code             *Code             `json:"code,omitempty"`
	RelatedLocations []RelatedLocation `json:"related_locations,omitempty"`
}

// Location is a file and an optional range.
type Location struct {
	Path  string `json:"path"`
	Range *Range `json:"range,omitempty"`
}

// Range is a start and an optional end position.
type Range struct {
	Start Position  `json:"start"`
	End   *Position `json:"end,omitempty"`
}

// Position is a 1-based line and optional column.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column,omitempty"`
}

// Source is the tool that reported the diagnostic.
type Source struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// Code is the rule.
type Code struct {
	Value string `json:"value"`
	URL   string `json:"url,omitempty"`
}

// RelatedLocation is another place the diagnostic refers to.
type RelatedLocation struct {
	Message  string   `json:"message,omitempty"`
	Location Location `json:"location"`
}

// Severity maps a severity to reviewdog's: ERROR for critical and high,
// WARNING for medium, INFO for low and info.
func Severity(s finding.Severity) string {
	switch {
	case s >= finding.SeverityHigh:
		return "ERROR"
	case s == finding.SeverityMedium:
		return "WARNING"
	case s.Valid():
		return "INFO"
	}
	return "UNKNOWN_SEVERITY"
}

// Convert returns the diagnostic for f, and false when f is suppressed or
// has no file.
func Convert(f *finding.Finding) (Diagnostic, bool) {
	if f.Suppressed() || f.Location.Path == "" {
		return Diagnostic{}, false
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "[%s] %s", f.Severity, view.FirstLine(f.Message))
	if t := view.Title(f); t != "" && !strings.Contains(f.Message, f.Rule.ShortDescription) {
		fmt.Fprintf(&msg, " (%s)", t)
	}
	if tools := view.Tools(f); len(tools) > 1 {
		fmt.Fprintf(&msg, "\nAlso reported by: %s", strings.Join(tools[1:], ", "))
	}
	if len(f.CWEs) > 0 {
		var cw []string
		for _, c := range f.CWEs {
			cw = append(cw, fmt.Sprintf("CWE-%d", c))
		}
		fmt.Fprintf(&msg, "\n%s", strings.Join(cw, ", "))
	}
	if len(f.VulnIDs) > 0 {
		fmt.Fprintf(&msg, "\n%s", strings.Join(f.VulnIDs, ", "))
	}
	d := Diagnostic{
		Message:  msg.String(),
		Location: location(&f.Location),
		Severity: Severity(f.Severity),
		Source:   &Source{Name: f.Tool.Name, URL: f.Tool.InformationURI},
	}
	if f.Rule.ID != "" {
		d.Code = &Code{Value: f.Rule.ID, URL: f.Rule.HelpURI}
	}
	for i := range f.Related {
		if l := &f.Related[i]; l.Path != "" {
			d.RelatedLocations = append(d.RelatedLocations, RelatedLocation{Message: l.Message, Location: location(l)})
		}
	}
	return d, true
}

func location(l *finding.Location) Location {
	loc := Location{Path: l.Path}
	if r := l.Region; r.StartLine > 0 {
		loc.Range = &Range{Start: Position{Line: r.StartLine, Column: r.StartColumn}}
		if r.EndLine >= r.StartLine && (r.EndLine > r.StartLine || r.EndColumn > 0) {
			loc.Range.End = &Position{Line: r.EndLine, Column: r.EndColumn}
		}
	}
	return loc
}

// Write writes one diagnostic per unsuppressed finding with a file, most
// severe first.
func Write(w io.Writer, r *aggregate.Report, _ *report.Options) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, f := range view.BySeverity(r.Findings) {
		d, ok := Convert(f)
		if !ok {
			continue
		}
		if err := enc.Encode(&d); err != nil {
			return fmt.Errorf("rdjsonl: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("rdjsonl: %w", err)
	}
	return nil
}
