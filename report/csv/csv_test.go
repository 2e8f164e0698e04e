package csv_test

import (
	"bytes"
	stdcsv "encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/csv"
	"github.com/scanmux/scanmux/report/internal/reporttest"
)

func TestVulnerableApp(t *testing.T) {
	r, o := reporttest.VulnerableApp(t)
	f, err := report.Lookup("csv")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	reporttest.Golden(t, "vulnerable-app.csv", buf.Bytes())
	rd := stdcsv.NewReader(bytes.NewReader(buf.Bytes()))
	rows, err := rd.ReadAll() // also checks every row has the header's width
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], csv.Header) || len(rows)-1 != len(r.Findings) {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	col := func(name string) int { return slices.Index(csv.Header, name) }
	bySev, byTool := map[string]int{}, map[string]int{}
	suppressed, gated := 0, 0
	for _, row := range rows[1:] {
		if row[col("state")] == "suppressed" {
			suppressed++
			if row[col("suppression")] == "" {
				t.Errorf("suppressed without a reason: %v", row)
			}
			continue
		}
		bySev[row[col("severity")]]++
		byTool[row[col("tool")]]++
		if row[col("gated")] == "true" {
			gated++
		}
	}
	if suppressed != r.Counts.Suppressed {
		t.Errorf("%d suppressed rows, Counts %d", suppressed, r.Counts.Suppressed)
	}
	for s, n := range r.Counts.BySeverity {
		if bySev[s.String()] != n {
			t.Errorf("%s: %d rows, Counts %d", s, bySev[s.String()], n)
		}
	}
	for tool, n := range r.Counts.ByTool {
		if byTool[tool] != n {
			t.Errorf("%s: %d rows, Counts %d", tool, byTool[tool], n)
		}
	}
	if want := r.Counts.BySeverity[finding.SeverityHigh] + r.Counts.BySeverity[finding.SeverityCritical]; gated != want {
		t.Errorf("%d gated rows, want %d", gated, want)
	}
}

func TestFormulaCells(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1":                       "'+1",
		"-2+3":                     "'-2+3",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\tx":                      "'\tx",
		"\rx":                      "'\rx",
		"plain = text":             "plain = text",
		"":                         "",
	} {
		if got := csv.Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
	r := &aggregate.Report{Findings: []*finding.Finding{{Tool: finding.Tool{Name: "@tool"}, Rule: finding.Rule{ID: "=1+1"},
		Message: "-cmd|' /C calc'!A0", Severity: finding.SeverityLow, Location: finding.Location{Path: "+x.go"}}}}
	var buf bytes.Buffer
	if err := csv.Write(&buf, r, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := stdcsv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rows[1] {
		if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
			t.Errorf("cell %q would be a formula", c)
		}
	}
}
