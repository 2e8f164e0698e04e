// Package flawfinder reads the CSV reports of Flawfinder, the C/C++
// source scanner (dwheeler.com/flawfinder): "flawfinder --csv". Its SARIF
// ("--sarif") is read by package sarif; both give the same findings.
//
// # Mapping
//
// Each row becomes one [finding.Finding] of category sast.
//
//   - Rule.ID is RuleId ("FF1014"); reports of Flawfinder before 2.0.11,
//     which have no RuleId, get "flawfinder/" and Name ("flawfinder/gets").
//     Rule.Name is Category/Name ("buffer/gets"), as in the SARIF;
//     Rule.HelpURI is HelpUri.
//   - Message is Warning, then Suggestion and Note when set.
//   - Severity maps Level (0 to 5, how risky the hit is): 4 and 5 are
//     high, 3 medium, 1 and 2 low, 0 info, as Flawfinder's SARIF levels
//     error, warning and note read. OriginalSeverity is Level.
//   - CWEs are every CWE number in CWEs ("CWE-119!/CWE-120": 119, 120).
//   - Location.Path is File through [finding.NormalizePath] with
//     [scanners.Options] Root (kept in Properties["unresolvedPath"] when it
//     cannot be made relative); Region is Line and Column; Snippet is
//     Context. Fingerprint (a hash of the context) is kept in
//     Fingerprints["flawfinder/context"].
package flawfinder

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Name is the adapter's name, as passed to --format.
const Name = "flawfinder"

// expected names the format in errors.
const expected = "Flawfinder CSV report (--csv)"

// header starts every Flawfinder CSV report.
const header = "File,Line,Column,DefaultLevel,Level,Category,Name,Warning,Suggestion,Note,CWEs,Context"

// Adapters returns the package's adapters: one, for Flawfinder's CSV.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads Flawfinder's CSV reports. The zero value is ready to use.
type Adapter struct{}

// Name returns "flawfinder".
func (Adapter) Name() string { return Name }

// Detect reports whether head starts with Flawfinder's CSV header.
func (Adapter) Detect(head []byte) bool {
	return bytes.HasPrefix(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), []byte(header))
}

var cweRE = regexp.MustCompile(`CWE-(\d+)`)

// Decode reads a Flawfinder CSV report.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	var root string
	if opts != nil {
		root = opts.Root
	}
	tool := finding.Tool{Name: Name, InformationURI: "https://dwheeler.com/flawfinder/"}
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return tool, scanners.FormatError(name, expected, "no header: "+err.Error())
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for _, k := range []string{"File", "Line", "Level", "Name", "Warning"} {
		if _, ok := col[k]; !ok {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("no %q column", k))
		}
	}
	get := func(rec []string, k string) string {
		if i, ok := col[k]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return tool, nil
		}
		if err != nil {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("row %d: %v", row, err))
		}
		if v := get(rec, "ToolVersion"); v != "" {
			tool.Version = v
		}
		f, err := convert(tool, root, func(k string) string { return get(rec, k) })
		if err != nil {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("row %d: %v", row, err))
		}
		if err := emit(f); err != nil {
			return tool, err
		}
	}
}

// convert maps one row, whose columns get returns by name, to a finding.
func convert(tool finding.Tool, root string, get func(string) string) (*finding.Finding, error) {
	level, err := strconv.Atoi(get("Level"))
	if err != nil {
		return nil, fmt.Errorf("column Level: %q is not a number", get("Level"))
	}
	f := &finding.Finding{
		Tool:             tool,
		Rule:             finding.Rule{ID: get("RuleId"), Name: get("Category") + "/" + get("Name"), ShortDescription: get("Warning"), HelpURI: get("HelpUri")},
		Message:          get("Warning"),
		Category:         finding.CategorySAST,
		Severity:         severity(level),
		OriginalSeverity: strconv.Itoa(level),
	}
	if f.Rule.ID == "" {
		f.Rule.ID = "flawfinder/" + get("Name")
	}
	for _, k := range []string{"Suggestion", "Note"} {
		if s := strings.TrimSpace(get(k)); s != "" {
			f.Message += " " + s
		}
	}
	for _, m := range cweRE.FindAllStringSubmatch(get("CWEs"), -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && !slices.Contains(f.CWEs, n) {
			f.CWEs = append(f.CWEs, n)
		}
	}
	slices.Sort(f.CWEs)
	line, _ := strconv.Atoi(get("Line"))
	column, _ := strconv.Atoi(get("Column"))
	var reg finding.Region
	if line > 0 {
		reg = finding.Region{StartLine: line, StartColumn: max(column, 0)}
	}
	if adapt.SetLocation(f, root, get("File"), reg) {
		f.Location.Snippet = get("Context")
	}
	if fp := get("Fingerprint"); fp != "" {
		f.Fingerprints = map[string]string{"flawfinder/context": fp}
	}
	return f, nil
}

// severity maps Flawfinder's risk level.
func severity(level int) finding.Severity {
	switch {
	case level >= 4:
		return finding.SeverityHigh
	case level == 3:
		return finding.SeverityMedium
	case level >= 1:
		return finding.SeverityLow
	}
	return finding.SeverityInfo
}
