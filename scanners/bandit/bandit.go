// Package bandit reads the JSON report of Bandit, the Python security
// linter (github.com/PyCQA/bandit), written by "bandit -f json".
//
// # Mapping
//
// Each element of the report's "results" array becomes one
// [finding.Finding] of category sast, except the hard-coded password
// tests B105, B106 and B107, whose findings are of category secret and
// redacted (see below).
//
//   - Rule.ID is test_id, Rule.Name test_name, Rule.HelpURI more_info.
//   - Message is issue_text.
//   - Severity is issue_severity through [finding.ParseSeverity] (LOW,
//     MEDIUM, HIGH); OriginalSeverity keeps it verbatim. A severity that
//     does not parse (bandit's UNDEFINED) becomes medium.
//   - Precision is issue_confidence (LOW, MEDIUM, HIGH).
//   - CWEs holds issue_cwe.id (bandit 1.7.4 and later).
//   - Location.Path is filename, cleaned with [finding.NormalizePath]
//     (bandit writes the paths it was given, usually relative; "\" become
//     "/"). A path that cannot be made relative to [scanners.Options] Root
//     leaves the finding without Path and Region: it is kept in
//     Properties["unresolvedPath"], the region in
//     Properties["unresolvedRegion"].
//   - Region: line_number to the last line of line_range; col_offset and
//     end_col_offset (0-based, bandit 1.7.5 and later) plus one. Python
//     counts these offsets in UTF-8 bytes, so on lines with non-ASCII text
//     before the column they are not UTF-16 columns.
//   - Snippet is the lines of code inside the region with bandit's line
//     number prefixes removed (code holds context lines too); code is used
//     verbatim if it is not in bandit's "N text" form.
//
// The report does not say which bandit version wrote it, so Tool.Version
// is empty. The errors array (files bandit could not parse) yields no
// findings. The report is decoded as one JSON document.
//
// # Secrets
//
// B105, B106 and B107 put the suspected password in issue_text ("Possible
// hardcoded password: 'value'"). The adapter replaces every occurrence of
// the value in Message and Snippet with "REDACTED" and keeps its SHA-256
// in Fingerprints["secret/sha256"].
package bandit

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
const Name = "bandit"

// expected names the format in errors.
const expected = "bandit JSON report"

// Adapters returns the package's adapters: one, for Bandit's JSON report.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads Bandit's JSON report. The zero value is ready to use.
type Adapter struct{}

// Name returns "bandit".
func (Adapter) Name() string { return Name }

// Detect reports whether head starts a Bandit JSON report: a JSON object
// with "generated_at" and bandit's metric keys ("CONFIDENCE.HIGH" ...) or
// a result's "issue_confidence".
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "{")
	return ok && h.Has("generated_at") && (h.Contains(`"CONFIDENCE.`) || h.Has("issue_confidence"))
}

// report is Bandit's JSON report.
type report struct {
	GeneratedAt string    `json:"generated_at"`
	Results     *[]result `json:"results"`
}

// result is one element of results (bandit's Issue.as_dict).
type result struct {
	Code            string `json:"code"`
	ColOffset       *int   `json:"col_offset"`
	EndColOffset    *int   `json:"end_col_offset"`
	Filename        string `json:"filename"`
	IssueConfidence string `json:"issue_confidence"`
	IssueCWE        *struct {
		ID   int    `json:"id"`
		Link string `json:"link"`
	} `json:"issue_cwe"`
	IssueSeverity string `json:"issue_severity"`
	IssueText     string `json:"issue_text"`
	LineNumber    int    `json:"line_number"`
	LineRange     []int  `json:"line_range"`
	MoreInfo      string `json:"more_info"`
	TestID        string `json:"test_id"`
	TestName      string `json:"test_name"`
}

// Decode reads a Bandit JSON report from r and emits one finding per
// result.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "bandit", InformationURI: "https://github.com/PyCQA/bandit"}
	var rep report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if rep.Results == nil || rep.GeneratedAt == "" {
		return tool, scanners.FormatError(name, expected, `no "results" array or "generated_at"`)
	}
	var root string
	if opts != nil {
		root = opts.Root
	}
	for i := range *rep.Results {
		res := &(*rep.Results)[i]
		if res.TestID == "" {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("result %d has no test_id", i))
		}
		if err := emit(convert(tool, root, res)); err != nil {
			return tool, err
		}
	}
	return tool, nil
}

// convert maps one result to a finding.
func convert(tool finding.Tool, root string, res *result) *finding.Finding {
	f := &finding.Finding{
		Tool:             tool,
		Rule:             finding.Rule{ID: res.TestID, Name: res.TestName, HelpURI: res.MoreInfo},
		Message:          res.IssueText,
		Category:         finding.CategorySAST,
		OriginalSeverity: res.IssueSeverity,
		Precision:        adapt.Precision(res.IssueConfidence),
	}
	if f.Message == "" {
		f.Message = "bandit test " + res.TestID
		if res.TestName != "" {
			f.Message += " (" + res.TestName + ")"
		}
	}
	sev, err := finding.ParseSeverity(res.IssueSeverity)
	if err != nil {
		sev = finding.SeverityMedium
	}
	f.Severity = sev
	if res.IssueCWE != nil && res.IssueCWE.ID > 0 {
		f.CWEs = []int{res.IssueCWE.ID}
	}

	reg := region(res)
	f.Location.Snippet = snippet(res.Code, reg)
	adapt.SetLocation(f, root, res.Filename, reg)
	switch res.TestID {
	case "B105", "B106", "B107":
		redact(f)
	}
	return f
}

// region returns the region of a result; zero values are unknown.
func region(res *result) finding.Region {
	var r finding.Region
	if res.LineNumber <= 0 {
		return r
	}
	r.StartLine = res.LineNumber
	for _, l := range res.LineRange {
		if l > r.EndLine {
			r.EndLine = l
		}
	}
	if r.EndLine < r.StartLine {
		r.EndLine = r.StartLine
	}
	if res.ColOffset != nil && *res.ColOffset >= 0 {
		r.StartColumn = *res.ColOffset + 1
	}
	if res.EndColOffset != nil && *res.EndColOffset >= 0 {
		r.EndColumn = *res.EndColOffset + 1
		if r.EndLine == r.StartLine && r.EndColumn < r.StartColumn {
			r.EndColumn = 0 // inconsistent; keep the start only
		}
	}
	return r
}

// snippet returns the lines of code, in bandit's "N text" form, that lie
// inside reg, without their number prefixes. It returns code unchanged if
// code is not in that form or no line lies inside reg.
func snippet(code string, reg finding.Region) string {
	if reg.StartLine == 0 {
		return code
	}
	var b strings.Builder
	for line := range strings.SplitSeq(strings.TrimSuffix(code, "\n"), "\n") {
		digits := len(line) - len(strings.TrimLeft(line, "0123456789"))
		if digits == 0 {
			return code
		}
		n, err := strconv.Atoi(line[:digits])
		text := line[digits:]
		if err != nil || text != "" && text[0] != ' ' && text[0] != '\t' {
			return code
		}
		if text != "" {
			text = text[1:] // bandit's separator, " " or "\t"
		}
		if n >= reg.StartLine && n <= reg.EndLine {
			b.WriteString(text)
			b.WriteByte('\n')
		}
	}
	if b.Len() == 0 {
		return code
	}
	return b.String()
}

// passwordPrefix starts the issue text of B105, B106 and B107.
const passwordPrefix = "Possible hardcoded password: '"

// redact turns a hard-coded password finding into a secret finding.
func redact(f *finding.Finding) {
	f.Category = finding.CategorySecret
	secret, ok := strings.CutPrefix(f.Message, passwordPrefix)
	if !ok || !strings.HasSuffix(secret, "'") {
		return
	}
	secret = strings.TrimSuffix(secret, "'")
	if secret == "" {
		return
	}
	f.Message = passwordPrefix + "REDACTED'"
	adapt.Redact(f, secret, &f.Location.Snippet)
	adapt.FingerprintOf(f, secret)
}
