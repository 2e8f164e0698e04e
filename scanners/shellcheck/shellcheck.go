// Package shellcheck reads the JSON reports of ShellCheck, the shell script
// linter (www.shellcheck.net): both "shellcheck -f json1" (an object with
// a "comments" array, the recommended form) and the older "shellcheck -f
// json" (a bare array). One adapter reads both; it tells them apart by the
// first JSON token and reads the comments one at a time.
//
// # Mapping
//
// Each comment becomes one [finding.Finding] of category sast.
//
//   - Rule.ID is "SC" and code ("SC2086"); Rule.HelpURI is the rule's
//     ShellCheck wiki page.
//   - Message is message.
//   - Severity maps level: error is medium, warning low, info and style
//     info. ShellCheck's levels rate how likely a line is wrong as shell
//     code, not a security impact, so even error stays below high.
//     OriginalSeverity is level verbatim.
//   - Location.Path is file through [finding.NormalizePath] with
//     [scanners.Options] Root; a path that cannot be made relative leaves
//     the finding without Path and Region and is kept in
//     Properties["shellcheck.file"]. Region is line, column, endLine,
//     endColumn (end column exclusive). json1 counts a tab as one
//     character, as the model does; the legacy json format expands tabs to
//     the next multiple of 8, so its columns are wrong after a tab. Findings
//     read from the legacy format carry Properties["shellcheck.tabstop"] =
//     "8" to say so.
//   - fix, when set, is kept as JSON text in Properties["shellcheck.fix"].
//
// ShellCheck's JSON has no version and no snippet: Tool.Version and
// Location.Snippet stay empty.
package shellcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Name is the adapter's name, as passed to --format.
const Name = "shellcheck"

// expected names the format in errors.
const expected = "ShellCheck JSON report (-f json1 or -f json)"

// wikiURL is the prefix of the rules' documentation.
const wikiURL = "https://www.shellcheck.net/wiki/"

// Adapters returns the package's adapters: one, for ShellCheck's json1
// and json reports.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads ShellCheck's json1 and json reports. The zero value is
// ready to use.
type Adapter struct{}

// Name returns "shellcheck".
func (Adapter) Name() string { return Name }

var (
	// json1RE matches the start of a json1 report.
	json1RE = regexp.MustCompile(`^\{\s*"comments"\s*:\s*\[`)
	// numericCodeRE matches a numeric "code", which tells ShellCheck's
	// comments from hadolint's (whose codes are strings like "DL3008").
	numericCodeRE = regexp.MustCompile(`"code"\s*:\s*\d`)
)

// Detect reports whether head starts a ShellCheck report: an object whose
// first key is "comments" (json1), or an array of objects with "file",
// "endColumn", "level" and a numeric "code" (json).
func (Adapter) Detect(head []byte) bool {
	h, isArray := adapt.Sniff(head, "[")
	if json1RE.Match(h) {
		return true
	}
	if !isArray {
		return false
	}
	return h.Has("file") && h.Has("endColumn") && h.Has("level") && numericCodeRE.Match(h)
}

// comment is one ShellCheck comment (PositionedComment).
type comment struct {
	File      *string         `json:"file"`
	Line      int             `json:"line"`
	EndLine   int             `json:"endLine"`
	Column    int             `json:"column"`
	EndColumn int             `json:"endColumn"`
	Level     string          `json:"level"`
	Code      *int            `json:"code"`
	Message   string          `json:"message"`
	Fix       json.RawMessage `json:"fix"`
}

// Decode reads a ShellCheck json1 or json report from r and emits one
// finding per comment.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "shellcheck", InformationURI: "https://www.shellcheck.net"}
	var root string
	if opts != nil {
		root = opts.Root
	}
	dec := json.NewDecoder(r)
	fail := func(problem string) (finding.Tool, error) {
		return tool, scanners.FormatError(name, expected, problem)
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(err.Error())
	}
	switch tok {
	case json.Delim('['): // -f json
		if err := decodeComments(dec, tool, root, true, emit); err != nil {
			return decodeError(tool, name, err)
		}
		return tool, nil
	case json.Delim('{'): // -f json1
	default:
		return fail("not a JSON array or object")
	}
	found := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return fail(err.Error())
		}
		if key != "comments" || found {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err.Error())
			}
			continue
		}
		found = true
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return fail(`"comments" is not an array`)
		}
		if err := decodeComments(dec, tool, root, false, emit); err != nil {
			return decodeError(tool, name, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(err.Error())
	}
	if !found {
		return fail(`no "comments" array`)
	}
	return tool, nil
}

// emitError wraps an error returned by emit, so that Decode returns it
// as it is rather than as a format error.
type emitError struct{ err error }

func (e emitError) Error() string { return e.err.Error() }

// decodeError returns err as Decode's error: emit's errors unchanged, anything
// else as a format error.
func decodeError(tool finding.Tool, name string, err error) (finding.Tool, error) {
	if e, ok := err.(emitError); ok {
		return tool, e.err
	}
	return tool, scanners.FormatError(name, expected, err.Error())
}

// decodeComments reads the elements of an array whose '[' has been read,
// and its ']'. legacy says the report is -f json.
func decodeComments(dec *json.Decoder, tool finding.Tool, root string, legacy bool, emit func(*finding.Finding) error) error {
	for i := 0; dec.More(); i++ {
		var c comment
		if err := dec.Decode(&c); err != nil {
			return fmt.Errorf("comment %d: %w", i, err)
		}
		if c.Code == nil || c.File == nil {
			return fmt.Errorf("comment %d has no code or file", i)
		}
		if err := emit(convert(tool, root, legacy, &c)); err != nil {
			return emitError{err}
		}
	}
	_, err := dec.Token() // ']'
	return err
}

// convert maps one comment to a finding.
func convert(tool finding.Tool, root string, legacy bool, c *comment) *finding.Finding {
	id := "SC" + strconv.Itoa(*c.Code)
	f := &finding.Finding{
		Tool:             tool,
		Rule:             finding.Rule{ID: id, HelpURI: wikiURL + id},
		Message:          c.Message,
		Category:         finding.CategorySAST,
		Severity:         severity(c.Level),
		OriginalSeverity: c.Level,
	}
	if f.Message == "" {
		f.Message = "ShellCheck " + id
	}
	props := map[string]string{}
	if p, err := finding.NormalizePath(root, *c.File); err == nil {
		f.Location.Path = p
		f.Location.Region = region(c)
	} else if *c.File != "" {
		props["shellcheck.file"] = *c.File
	}
	if len(c.Fix) > 0 && string(c.Fix) != "null" {
		var buf bytes.Buffer
		if json.Compact(&buf, c.Fix) == nil {
			// RawMessage keeps invalid UTF-8 that string fields would
			// have replaced.
			props["shellcheck.fix"] = strings.ToValidUTF8(buf.String(), "\uFFFD")
		}
	}
	if legacy {
		props["shellcheck.tabstop"] = "8"
	}
	if len(props) > 0 {
		f.Properties = props
	}
	return f
}

// severity maps ShellCheck's level (see the package documentation).
func severity(level string) finding.Severity {
	switch level {
	case "error":
		return finding.SeverityMedium
	case "warning":
		return finding.SeverityLow
	}
	return finding.SeverityInfo
}

// region returns a comment's region; impossible values are dropped.
func region(c *comment) finding.Region {
	if c.Line <= 0 {
		return finding.Region{}
	}
	r := finding.Region{StartLine: c.Line, StartColumn: max(c.Column, 0)}
	if c.EndLine >= c.Line {
		r.EndLine = c.EndLine
		r.EndColumn = max(c.EndColumn, 0)
		if r.EndLine == r.StartLine && r.EndColumn < r.StartColumn {
			r.EndColumn = 0
		}
	}
	return r
}
