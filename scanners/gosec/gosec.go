// Package gosec reads the JSON report of gosec, the Go security checker
// (github.com/securego/gosec), written by "gosec -fmt=json".
//
// # Mapping
//
// Each element of the report's "Issues" array becomes one
// [finding.Finding] of category sast, except rule G101 (hard-coded
// credentials), whose findings are of category secret and have every
// string literal of their code redacted (see below).
//
//   - Rule.ID is rule_id; the report has no rule names or descriptions.
//   - Message is details.
//   - Severity is severity through [finding.ParseSeverity] (LOW, MEDIUM,
//     HIGH); OriginalSeverity keeps it verbatim. A severity that does not
//     parse becomes medium.
//   - Precision is confidence (LOW, MEDIUM, HIGH).
//   - CWEs holds cwe.id.
//   - Location.Path is file made relative to [scanners.Options] Root with
//     [finding.NormalizePath]. gosec writes absolute paths, so without a
//     Root (or with a file outside it) the finding keeps no Path and no
//     Region: the file is kept in Properties["unresolvedPath"] and the
//     region in Properties["unresolvedRegion"].
//   - Region: line is "12" or a range "12-14"; column is the start column.
//   - Snippet is code.
//   - nosec and suppressions (reports of "gosec -track-suppressions")
//     become [finding.Suppression]s: kind inSource or external, with the
//     justification.
//   - autofix, when present, is kept in Properties["gosec.autofix"].
//
// Tool.Version is GosecVersion when the report has it (recent gosec
// releases; older reports such as the corpus's have none, and a gosec built
// with "go install" says "dev"). The report is decoded as one JSON
// document, because the version comes after the issues.
//
// # Secrets
//
// gosec does not say which part of the code of a G101 finding is the
// credential. The adapter replaces the contents of every Go string literal
// in the code (context lines included) with "REDACTED" and, when the
// flagged lines hold exactly one distinct non-empty literal, keeps the
// SHA-256 of its value in Fingerprints["secret/sha256"]. details is a fixed
// text per rule and is kept as it is.
package gosec

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Name is the adapter's name, as passed to --format.
const Name = "gosec"

// expected names the format in errors.
const expected = "gosec JSON report"

// Adapters returns the package's adapters: one, for gosec's JSON report.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads gosec's JSON report. The zero value is ready to use.
type Adapter struct{}

// Name returns "gosec".
func (Adapter) Name() string { return Name }

// Detect reports whether head starts a gosec JSON report: a JSON object
// with an "Issues" key and either gosec's "Golang errors" key, an issue's
// "rule_id" together with "details", or a "Stats" object with "nosec".
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "{")
	if !ok || !h.Has("Issues") {
		return false
	}
	return h.Has("Golang errors") || h.Has("rule_id") && h.Has("details") || h.Has("Stats") && h.Has("nosec")
}

// report is gosec's JSON report (gosec's report.Report).
type report struct {
	Issues       *[]issue `json:"Issues"`
	GosecVersion string   `json:"GosecVersion"`
}

// issue is one element of Issues (gosec's issue.Issue).
type issue struct {
	Severity     string        `json:"severity"`
	Confidence   string        `json:"confidence"`
	CWE          *cwe          `json:"cwe"`
	RuleID       string        `json:"rule_id"`
	Details      string        `json:"details"`
	File         string        `json:"file"`
	Code         string        `json:"code"`
	Line         text          `json:"line"`
	Column       text          `json:"column"`
	NoSec        bool          `json:"nosec"`
	Suppressions []suppression `json:"suppressions"`
	Autofix      string        `json:"autofix"`
}

// cwe is an issue's CWE reference.
type cwe struct {
	ID  text   `json:"id"`
	URL string `json:"url"`
}

// suppression is one of an issue's suppressions.
type suppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

// text is a JSON string or number, kept as text: gosec writes lines,
// columns and CWE ids as strings, and some versions as numbers.
type text string

// UnmarshalJSON accepts a string, a number or null.
func (t *text) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
		return nil
	}
	if string(b) == "null" {
		*t = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number, got %s", b)
	}
	*t = text(n)
	return nil
}

// Decode reads a gosec JSON report from r and emits one finding per issue.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "gosec", InformationURI: "https://github.com/securego/gosec"}
	var rep report
	dec := json.NewDecoder(r)
	if err := dec.Decode(&rep); err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if rep.Issues == nil {
		return tool, scanners.FormatError(name, expected, `no "Issues" array`)
	}
	tool.Version = rep.GosecVersion
	var root string
	if opts != nil {
		root = opts.Root
	}
	for i := range *rep.Issues {
		is := &(*rep.Issues)[i]
		if is.RuleID == "" {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("issue %d has no rule_id", i))
		}
		f, err := convert(tool, root, is)
		if err != nil {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("issue %d: %v", i, err))
		}
		if err := emit(f); err != nil {
			return tool, err
		}
	}
	return tool, nil
}

// convert maps one issue to a finding.
func convert(tool finding.Tool, root string, is *issue) (*finding.Finding, error) {
	f := &finding.Finding{
		Tool:             tool,
		Rule:             finding.Rule{ID: is.RuleID},
		Message:          is.Details,
		Category:         finding.CategorySAST,
		OriginalSeverity: is.Severity,
		Precision:        adapt.Precision(is.Confidence),
		Location:         finding.Location{Snippet: is.Code},
	}
	if f.Message == "" {
		f.Message = "gosec rule " + is.RuleID
	}
	sev, err := finding.ParseSeverity(is.Severity)
	if err != nil {
		sev = finding.SeverityMedium
	}
	f.Severity = sev
	if is.CWE != nil && is.CWE.ID != "" {
		id, err := strconv.Atoi(strings.TrimPrefix(string(is.CWE.ID), "CWE-"))
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("bad cwe id %q", is.CWE.ID)
		}
		f.CWEs = []int{id}
	}
	region, err := parseRegion(string(is.Line), string(is.Column))
	if err != nil {
		return nil, err
	}
	adapt.SetLocation(f, root, is.File, region)
	adapt.Props(f, "gosec.autofix", is.Autofix)
	for _, s := range is.Suppressions {
		kind := finding.SuppressionInSource
		if s.Kind == string(finding.SuppressionExternal) {
			kind = finding.SuppressionExternal
		}
		f.Suppressions = append(f.Suppressions, finding.Suppression{
			Kind: kind, Justification: s.Justification, Source: "gosec " + s.Kind,
		})
	}
	if is.NoSec && len(f.Suppressions) == 0 {
		f.Suppressions = []finding.Suppression{{Kind: finding.SuppressionInSource, Source: "#nosec"}}
	}
	if is.RuleID == "G101" {
		redact(f)
	}
	return f, nil
}

// parseRegion parses gosec's line ("12" or "12-14") and column.
func parseRegion(line, column string) (finding.Region, error) {
	var r finding.Region
	if line == "" {
		return r, nil
	}
	start, end, isRange := strings.Cut(line, "-")
	var err error
	if r.StartLine, err = strconv.Atoi(start); err != nil || r.StartLine < 0 {
		return r, fmt.Errorf("bad line %q", line)
	}
	if isRange {
		if r.EndLine, err = strconv.Atoi(end); err != nil || r.EndLine < r.StartLine {
			return r, fmt.Errorf("bad line %q", line)
		}
	}
	if column != "" && r.StartLine > 0 {
		if r.StartColumn, err = strconv.Atoi(column); err != nil || r.StartColumn < 0 {
			return r, fmt.Errorf("bad column %q", column)
		}
	}
	return r, nil
}

// redact turns a G101 finding into a secret finding: it replaces the
// contents of every Go string literal of the snippet with "REDACTED" and
// keeps the SHA-256 of the value when the flagged lines hold exactly one
// distinct non-empty literal. gosec 2.x prefixes each line of code with
// its number ("14: ") and adds a line of context on each side; only the
// lines of the region count for the fingerprint.
func redact(f *finding.Finding) {
	f.Category = finding.CategorySecret
	// details is a fixed text per rule ("Potential hardcoded
	// credentials[: pattern name]"), never the value: only the code needs
	// redacting.
	code := f.Location.Snippet
	snippet, values := redactLiterals(code)
	f.Location.Snippet = snippet
	if flagged := flaggedLines(code, f.Location.Region); flagged != "" {
		_, values = redactLiterals(flagged)
	}
	if len(values) == 1 {
		adapt.FingerprintOf(f, values[0])
	}
}

// flaggedLines returns the lines of code, in gosec's "N: text" form,
// whose number N lies in r, or "" if code is not in that form.
func flaggedLines(code string, r finding.Region) string {
	if r.StartLine == 0 {
		return ""
	}
	var b strings.Builder
	for line := range strings.SplitSeq(code, "\n") {
		if line == "" {
			continue
		}
		num, text, ok := strings.Cut(line, ": ")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			return ""
		}
		if n >= r.StartLine && n <= max(r.EndLine, r.StartLine) {
			b.WriteString(text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// redactLiterals replaces the contents of the Go string literals of src
// ("..." with escapes, `...`) with "REDACTED" and returns the distinct
// non-empty values it replaced, unquoted where possible. An unterminated
// literal is redacted up to the end of src.
func redactLiterals(src string) (string, []string) {
	var b strings.Builder
	var values []string
	seen := map[string]bool{}
	for i := 0; i < len(src); {
		c := src[i]
		if c == '\'' { // rune literal: copy as is, so a '"' inside is no quote
			end := i + 1
			for end < len(src) && src[end] != '\'' && src[end] != '\n' {
				if src[end] == '\\' {
					end++
				}
				end++
			}
			end = min(end+1, len(src))
			b.WriteString(src[i:end])
			i = end
			continue
		}
		if c != '"' && c != '`' {
			b.WriteByte(c)
			i++
			continue
		}
		end := i + 1
		for end < len(src) && src[end] != c && (c == '`' || src[end] != '\n') {
			if c == '"' && src[end] == '\\' {
				end++
			}
			end++
		}
		end = min(end, len(src))
		lit := src[i+1 : end]
		value := lit
		if c == '"' {
			if u, err := strconv.Unquote(`"` + lit + `"`); err == nil {
				value = u
			}
		}
		if value != "" && !seen[value] {
			seen[value] = true
			values = append(values, value)
		}
		b.WriteByte(c)
		if lit != "" {
			b.WriteString("REDACTED")
		}
		if end < len(src) {
			b.WriteByte(src[end])
		}
		i = end + 1
	}
	return b.String(), values
}
