// Package staticcheck reads the JSON output of Staticcheck, the Go linter
// (staticcheck.dev), written by "staticcheck -f json": one JSON object a
// line, one line a problem,
//
//	{"code":"SA4006","severity":"error","location":{"file":"/src/main.go","line":30,"column":2},
//	 "end":{...},"message":"this value of data is never used","related":[...]}
//
// Staticcheck's SARIF output ("-f sarif") goes through package sarif.
//
// # Mapping
//
// Each line becomes one [finding.Finding]; lines are read one at a time.
// No output at all is a run without problems.
//
//   - Rule.ID is code; Rule.HelpURI is the check's page on staticcheck.dev
//     (as in Staticcheck's SARIF) for the checks' codes (SA, S, ST, QF and
//     U1000).
//   - Message is message, without the trailing space Staticcheck leaves
//     after some.
//   - Category is sast: the model has no category for code quality, and
//     Staticcheck is a static analysis of source code. The "compile"
//     problems Staticcheck writes for packages it could not load are of
//     category other, like ESLint's parse errors in package eslint.
//   - Severity comes from the check's group, not from severity: that field
//     only says whether the check is in -fail's list ("error", the default
//     for all checks), not what it found. Staticcheck checks find bugs and
//     style, not vulnerabilities, so nothing is above low, as
//     golangci-lint users rate them: SA checks (bugs, suspicious code,
//     deprecated APIs) are low; S (simplifications), ST (style), QF
//     (quick fixes), U1000 (unused code), compile problems and any other
//     code are info. OriginalSeverity is severity verbatim.
//   - A problem of severity "ignored" (written with -show-ignored: a
//     //lint:ignore directive silences it) is kept with a
//     [finding.Suppression] of kind inSource.
//   - Location.Path is location.file made relative to [scanners.Options]
//     Root with [finding.NormalizePath]: Staticcheck writes absolute paths.
//     A path that cannot be made relative is kept in
//     Properties["unresolvedPath"] and the finding has no Path and no
//     Region. Region is location's line and column and end's (end column
//     exclusive, as in the model); Staticcheck counts columns in bytes, as
//     go/token does, so they are off after non-ASCII text on a line.
//   - related becomes Related, each with its message.
//
// The JSON output does not name Staticcheck's version: Tool.Version is
// empty.
package staticcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Name is the adapter's name, as passed to --format.
const Name = "staticcheck"

// expected names the format in errors.
const expected = "staticcheck -f json output"

// docsURL is the prefix of the checks' documentation.
const docsURL = "https://staticcheck.dev/docs/checks#"

// Adapters returns the package's adapters: one, for Staticcheck's JSON
// output.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads Staticcheck's JSON output. The zero value is ready to use.
type Adapter struct{}

// Name returns "staticcheck".
func (Adapter) Name() string { return Name }

// headRE matches the start of Staticcheck's first problem, as its
// encoder orders the keys.
var headRE = regexp.MustCompile(`^\{\s*"code"\s*:\s*"[^"]*"\s*,\s*"severity"\s*:\s*"(error|warning|ignored)"\s*,\s*"location"\s*:\s*\{\s*"file"\s*:`)

// Detect reports whether head starts Staticcheck's JSON output: an object
// whose first keys are "code", "severity" (one of Staticcheck's three
// words) and "location" with a "file".
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "{")
	return ok && headRE.Match(h)
}

// position is a place in a file.
type position struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// problem is one line of the output.
type problem struct {
	Code     string   `json:"code"`
	Severity string   `json:"severity"`
	Location position `json:"location"`
	End      position `json:"end"`
	Message  string   `json:"message"`
	Related  []struct {
		Location position `json:"location"`
		End      position `json:"end"`
		Message  string   `json:"message"`
	} `json:"related"`
}

// Decode reads Staticcheck's JSON output from r and emits one finding per
// problem.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "staticcheck", InformationURI: "https://staticcheck.dev"}
	var root string
	if opts != nil {
		root = opts.Root
	}
	dec := json.NewDecoder(r)
	for n := 1; ; n++ {
		var p problem
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return tool, nil
		}
		if err != nil {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("problem %d: %v", n, err))
		}
		if p.Code == "" {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("problem %d has no code", n))
		}
		if err := emit(convert(tool, root, &p)); err != nil {
			return tool, err
		}
	}
}

// codeRE matches the codes of Staticcheck's checks.
var codeRE = regexp.MustCompile(`^(SA|S|ST|QF|U)[0-9]+$`)

// convert maps one problem to a finding.
func convert(tool finding.Tool, root string, p *problem) *finding.Finding {
	f := &finding.Finding{
		Tool:             tool,
		Rule:             finding.Rule{ID: p.Code},
		Message:          strings.TrimSpace(p.Message),
		Category:         finding.CategorySAST,
		Severity:         finding.SeverityInfo,
		OriginalSeverity: p.Severity,
	}
	f.Severity = severity(p.Code)
	switch {
	case !codeRE.MatchString(p.Code):
		if p.Code == "compile" {
			f.Category = finding.CategoryOther
		}
	default:
		f.Rule.HelpURI = docsURL + p.Code
	}
	if f.Message == "" {
		f.Message = "staticcheck " + p.Code
	}
	if p.Severity == "ignored" {
		f.Suppressions = []finding.Suppression{{Kind: finding.SuppressionInSource, Source: "lint:ignore directive"}}
	}
	adapt.SetLocation(f, root, p.Location.File, region(p.Location, p.End))
	for _, rel := range p.Related {
		var loc finding.Location
		if p, err := finding.NormalizePath(root, rel.Location.File); err == nil {
			loc.Path = p
			loc.Region = region(rel.Location, rel.End)
		}
		loc.Message = strings.TrimSpace(rel.Message)
		if loc.Path != "" || loc.Message != "" {
			f.Related = append(f.Related, loc)
		}
	}
	return f
}

// region returns the region from start to end; end counts only when it is
// in the same file and not before start. Impossible values are dropped.
func region(start, end position) finding.Region {
	if start.Line <= 0 {
		return finding.Region{}
	}
	r := finding.Region{StartLine: start.Line, StartColumn: max(start.Column, 0)}
	if end.File == start.File && end.Line >= start.Line {
		r.EndLine = end.Line
		r.EndColumn = max(end.Column, 0)
		if r.EndLine == r.StartLine && r.EndColumn < r.StartColumn {
			r.EndColumn = 0
		}
	}
	return r
}

// severity is the severity of a problem of check code: low for the
// checks of the SA group (bugs), info for the others (style, simplifications,
// unused code) and for problems that are not checks'.
func severity(code string) finding.Severity {
	if codeRE.MatchString(code) && strings.HasPrefix(code, "SA") {
		return finding.SeverityLow
	}
	return finding.SeverityInfo
}

// RefineSARIF gives a finding read from Staticcheck's SARIF the severity
// its JSON report gives: the SARIF writes every check at level "warning"
// (or "error"), which says nothing of the check's group.
func (Adapter) RefineSARIF(f *finding.Finding) {
	f.Severity = severity(f.Rule.ID)
}
