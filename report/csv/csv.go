// Package csv writes a report as CSV (RFC 4180), one row per finding,
// suppressed ones included, for spreadsheets and ad-hoc analysis. Cells
// that a spreadsheet would take as a formula (starting with =, +, -, @,
// tab or carriage return) are prefixed with an apostrophe, as OWASP
// advises against CSV injection. The format registers itself as "csv".
package csv

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/internal/view"
)

func init() {
	report.Register(report.Format{Name: "csv", Summary: "CSV, one row per finding (formula cells neutralized)", Write: Write})
}

// Header is the first row.
var Header = []string{"severity", "state", "gated", "category", "tool", "also_reported_by", "rule", "title", "message",
	"path", "start_line", "end_line", "location", "cwe", "vulnerabilities", "suppression", "help", "id"}

// Cell neutralizes a value that a spreadsheet would evaluate: one
// starting with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe.
func Cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Row returns f's cells, in Header's order, neutralized.
func Row(f *finding.Finding, o *report.Options) []string {
	var cwes []string
	for _, c := range f.CWEs {
		cwes = append(cwes, fmt.Sprintf("CWE-%d", c))
	}
	line := func(n int) string {
		if n <= 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	r := f.Location.Region
	tools := view.Tools(f)
	row := []string{f.Severity.String(), view.State(f), strconv.FormatBool(o.Gated(f)), string(f.Category), f.Tool.Name,
		strings.Join(tools[1:], " "), f.Rule.ID, f.Rule.ShortDescription, strings.TrimSpace(f.Message), f.Location.Path,
		line(r.StartLine), line(r.EndLine), view.Where(&f.Location), strings.Join(cwes, " "), strings.Join(f.VulnIDs, " "),
		view.Reason(f), f.Rule.HelpURI, f.ID}
	for i := range row {
		row[i] = Cell(strings.ToValidUTF8(row[i], "\uFFFD"))
	}
	return row
}

// Write writes the header and one row per finding, in the report's order.
func Write(w io.Writer, r *aggregate.Report, o *report.Options) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	for _, f := range r.Findings {
		if err := cw.Write(Row(f, o)); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}
