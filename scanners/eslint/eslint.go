// Package eslint reads the report of ESLint's "json" formatter ("eslint -f
// json"), typically with security plugins such as eslint-plugin-security.
// ESLint's SARIF (@microsoft/eslint-formatter-sarif) goes through package
// sarif.
//
// # Mapping
//
// The report is an array with one object per linted file; each element of
// a file's "messages" and "suppressedMessages" becomes one
// [finding.Finding]. The array is read one file at a time.
//
//   - Rule.ID is ruleId. A message without ruleId is a fatal parse error
//     ("Parsing error: ..."); it becomes a finding of rule
//     "eslint/parse-error", category other, severity info, so that the
//     files ESLint could not check are not lost silently.
//   - Category is sast for security rules: ruleIds of the plugins
//     security/, security-node/, no-unsanitized/, xss/, @microsoft/sdl/,
//     react/no-danger, and the core rules no-eval, no-implied-eval,
//     no-new-func and no-script-url. It is secret for no-secrets/, which
//     is redacted (see below). Any other rule, such as a style rule left in
//     the configuration, is category other.
//   - Message is message.
//   - Severity: ESLint's 2 ("error") is medium and 1 ("warn") is low. The
//     number says how the project configured the rule, not how dangerous
//     the issue is, so neither maps to high; OriginalSeverity is the
//     number as text ("2").
//   - Location.Path is filePath through [finding.NormalizePath] with
//     [scanners.Options] Root (ESLint writes absolute paths); a path that
//     cannot be made relative leaves the finding without Path and Region
//     and is kept in Properties["eslint.file"]. Region is line, column,
//     endLine, endColumn: ESLint counts columns from 1 in UTF-16 units and
//     its end column is exclusive, as the model does.
//   - Snippet is the lines of the region taken from the file's "source",
//     when ESLint included it.
//   - suppressedMessages (ESLint 8.8 and later) carry "suppressions":
//     kind "directive" (an eslint-disable comment) becomes an inSource
//     suppression, "external" an external one, with the justification.
//   - nodeType and messageId go to Properties under "eslint.".
//
// The report does not say which ESLint version wrote it, so Tool.Version
// is empty.
//
// # Secrets
//
// eslint-plugin-no-secrets ends its message with the suspected secret in
// double quotes (`... : "value"`). The adapter replaces the value in
// Message and Snippet with "REDACTED" and keeps its SHA-256 in
// Fingerprints["secret/sha256"]. When the message has no such value, the
// Snippet is "REDACTED".
package eslint

import (
	"bytes"
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
const Name = "eslint"

// ParseErrorRule is the rule id given to ESLint's fatal parse errors,
// which have no ruleId of their own.
const ParseErrorRule = "eslint/parse-error"

// expected names the format in errors.
const expected = "ESLint JSON report"

// Adapters returns the package's adapters: one, for ESLint's JSON report.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads ESLint's JSON report. The zero value is ready to use.
type Adapter struct{}

// Name returns "eslint".
func (Adapter) Name() string { return Name }

// Detect reports whether head starts an ESLint JSON report: a JSON array
// of objects with "filePath" and "messages".
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "[")
	if !ok {
		return false
	}
	rest := bytes.TrimLeft(h[1:], " \t\r\n")
	if len(rest) > 0 && rest[0] != '{' {
		return false
	}
	return h.Has("filePath") && h.Has("messages")
}

// fileResult is one element of the report (ESLint's LintResult).
type fileResult struct {
	FilePath           *string   `json:"filePath"`
	Messages           []message `json:"messages"`
	SuppressedMessages []message `json:"suppressedMessages"`
	Source             string    `json:"source"`
}

// message is one of a file's messages (ESLint's LintMessage).
type message struct {
	RuleID       *string `json:"ruleId"`
	Severity     int     `json:"severity"`
	Fatal        bool    `json:"fatal"`
	Message      string  `json:"message"`
	Line         int     `json:"line"`
	Column       int     `json:"column"`
	EndLine      int     `json:"endLine"`
	EndColumn    int     `json:"endColumn"`
	NodeType     string  `json:"nodeType"`
	MessageID    string  `json:"messageId"`
	Suppressions []struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification"`
	} `json:"suppressions"`
}

// Decode reads an ESLint JSON report from r, one file object at a time,
// and emits one finding per message.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "eslint", InformationURI: "https://eslint.org"}
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if tok != json.Delim('[') {
		return tool, scanners.FormatError(name, expected, "not a JSON array")
	}
	var root string
	if opts != nil {
		root = opts.Root
	}
	for i := 0; dec.More(); i++ {
		var fr fileResult
		if err := dec.Decode(&fr); err != nil {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("file result %d: %v", i, err))
		}
		if fr.FilePath == nil {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("file result %d has no filePath", i))
		}
		var lines []string
		if fr.Source != "" {
			lines = strings.Split(fr.Source, "\n")
			for k, l := range lines {
				lines[k] = strings.TrimSuffix(l, "\r")
			}
		}
		for _, list := range [][]message{fr.Messages, fr.SuppressedMessages} {
			for j := range list {
				if err := emit(convert(tool, root, *fr.FilePath, lines, &list[j])); err != nil {
					return tool, err
				}
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	return tool, nil
}

// convert maps one message of the file path, whose source lines are lines
// (nil if unknown), to a finding.
func convert(tool finding.Tool, root, path string, lines []string, m *message) *finding.Finding {
	f := &finding.Finding{
		Tool:             tool,
		Message:          m.Message,
		OriginalSeverity: strconv.Itoa(m.Severity),
		Severity:         finding.SeverityLow,
	}
	if m.Severity >= 2 {
		f.Severity = finding.SeverityMedium
	}
	if m.RuleID == nil || *m.RuleID == "" {
		f.Rule.ID = ParseErrorRule
		f.Category = finding.CategoryOther
		f.Severity = finding.SeverityInfo
	} else {
		f.Rule.ID = *m.RuleID
		f.Category = category(f.Rule.ID)
	}
	if f.Message == "" {
		f.Message = "ESLint rule " + f.Rule.ID
	}
	props := map[string]string{}
	if m.NodeType != "" {
		props["eslint.nodeType"] = m.NodeType
	}
	if m.MessageID != "" {
		props["eslint.messageId"] = m.MessageID
	}
	if p, err := finding.NormalizePath(root, path); err == nil {
		f.Location.Path = p
		f.Location.Region = region(m)
		f.Location.Snippet = snippet(lines, f.Location.Region)
	} else if path != "" {
		props["eslint.file"] = path
	}
	if len(props) > 0 {
		f.Properties = props
	}
	for _, s := range m.Suppressions {
		kind := finding.SuppressionInSource
		if s.Kind == "external" {
			kind = finding.SuppressionExternal
		}
		f.Suppressions = append(f.Suppressions, finding.Suppression{
			Kind: kind, Justification: s.Justification, Source: "eslint " + s.Kind,
		})
	}
	if f.Category == finding.CategorySecret {
		redact(f)
	}
	return f
}

// sastPrefixes are the ruleId prefixes of security plugins.
var sastPrefixes = []string{"security/", "security-node/", "no-unsanitized/", "xss/", "@microsoft/sdl/"}

// sastRules are single security rules, of ESLint's core or of other
// plugins.
var sastRules = map[string]bool{
	"no-eval": true, "no-implied-eval": true, "no-new-func": true, "no-script-url": true,
	"react/no-danger": true,
}

// category returns the category of a rule's findings.
func category(rule string) finding.Category {
	if strings.HasPrefix(rule, "no-secrets/") {
		return finding.CategorySecret
	}
	if sastRules[rule] {
		return finding.CategorySAST
	}
	for _, p := range sastPrefixes {
		if strings.HasPrefix(rule, p) {
			return finding.CategorySAST
		}
	}
	return finding.CategoryOther
}

// region returns a message's region; impossible values are dropped.
func region(m *message) finding.Region {
	if m.Line <= 0 {
		return finding.Region{}
	}
	r := finding.Region{StartLine: m.Line, StartColumn: max(m.Column, 0)}
	if m.EndLine >= m.Line {
		r.EndLine = m.EndLine
		r.EndColumn = max(m.EndColumn, 0)
		if r.EndLine == r.StartLine && r.EndColumn < r.StartColumn {
			r.EndColumn = 0
		}
	}
	return r
}

// snippet returns the source lines of r, or "" if unknown.
func snippet(lines []string, r finding.Region) string {
	if r.StartLine == 0 || r.StartLine > len(lines) {
		return ""
	}
	end := min(max(r.EndLine, r.StartLine), len(lines))
	return strings.Join(lines[r.StartLine-1:end], "\n")
}

// redact hides the secret of a no-secrets finding.
func redact(f *finding.Finding) {
	i := strings.LastIndex(f.Message, `: "`)
	if i < 0 || !strings.HasSuffix(f.Message, `"`) || len(f.Message) <= i+4 {
		if f.Location.Snippet != "" {
			f.Location.Snippet = "REDACTED"
		}
		return
	}
	secret := f.Message[i+3 : len(f.Message)-1]
	f.Message = f.Message[:i+3] + `REDACTED"`
	f.Location.Snippet = strings.ReplaceAll(f.Location.Snippet, secret, "REDACTED")
	adapt.FingerprintOf(f, secret)
}

// RefineSARIF gives a finding read from ESLint's SARIF (its
// @microsoft/eslint-formatter-sarif) the severity its JSON report gives:
// the formatter writes ESLint's 2 as level "error" and 1 as "warning".
func (Adapter) RefineSARIF(f *finding.Finding) {
	switch f.OriginalSeverity {
	case "error":
		f.Severity = finding.SeverityMedium
	case "warning":
		f.Severity = finding.SeverityLow
	}
}
