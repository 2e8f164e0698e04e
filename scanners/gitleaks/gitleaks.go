// Package gitleaks reads gitleaks JSON reports (gitleaks v8's
// `--report-format json` and gitleaks v7's JSON report) into findings.
//
// # Mapping
//
// Every element of the report's top-level array is one finding of category
// [finding.CategorySecret] with CWE-798 (use of hard-coded credentials).
// gitleaks gives no severity, so every finding is [finding.SeverityHigh] and
// OriginalSeverity stays empty: a leaked credential is high risk until
// someone has checked it.
//
// v8 elements (RuleID, Description, StartLine ... Fingerprint): Rule.ID is
// RuleID, Rule.ShortDescription and Message are Description, the region is
// StartLine/StartColumn to EndLine/EndColumn, the snippet is Match.
// gitleaks' columns are corrected: on lines after a file's first, gitleaks
// counts one column too many (gitleaks issue #1424), so they are lowered
// by one there; and gitleaks' EndColumn is the last column of the match,
// so it is raised by one to be exclusive, as SARIF's is. (Columns count
// bytes, as gitleaks does; they equal UTF-16 units on ASCII lines.)
// gitleaks' Fingerprint is kept in Fingerprints["gitleaks"].
//
// v7 elements (line, lineNumber, offender, rule ...): v7 rules have no id,
// so Rule.ID and Message are the rule's name ("AWS Access Key"); the region
// is lineNumber, the snippet is line, Tags are the comma-separated tags.
//
// Commit, author, e-mail, date, commit message, links, entropy and the like
// go in Properties under the report's own key names.
//
// # Secrets
//
// The secret (v8 Secret, or Match when Secret is empty; v7 offender) is
// never output: every occurrence of it in the message, snippet and
// properties is replaced by "REDACTED", and its SHA-256 (lower-case hex) is
// kept in Fingerprints["secret/sha256"] so that the same secret found by
// other tools can be matched. A secret that gitleaks already redacted
// (--redact: it contains "REDACTED", or ends with "..." for a partial
// redaction) has no hash.
//
// # Paths
//
// File is made relative with [finding.NormalizePath] and the scan root. A
// path that cannot be (an absolute path with no root or outside the root)
// leaves the finding without a path or region; the path as reported is
// then kept in Properties["unresolvedPath"].
package gitleaks

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Adapters returns the gitleaks adapter: "gitleaks", which reads the JSON
// reports of gitleaks v8 and v7.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads gitleaks v7 and v8 JSON reports. Its name is "gitleaks".
type Adapter struct{}

// FingerprintSecret is the Fingerprints key of the SHA-256 of a secret.
const FingerprintSecret = adapt.FingerprintSecret

// Redacted replaces secret values in the findings' text.
const Redacted = adapt.Redacted

const (
	expected = "gitleaks JSON report (v7 or v8)"
	toolURI  = "https://github.com/gitleaks/gitleaks"
	cweHard  = 798
)

// Name returns "gitleaks".
func (Adapter) Name() string { return "gitleaks" }

// Detect reports whether head starts a JSON array whose elements carry
// gitleaks v8 keys (RuleID with StartLine, Secret or Fingerprint) or v7 keys
// (offender with lineNumber, leakURL or commitMessage).
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "[")
	if !ok {
		return false
	}
	v8 := h.Has("RuleID") && (h.Has("StartLine") || h.Has("Secret") || h.Has("Fingerprint"))
	v8 = v8 || (h.Has("StartLine") && h.Has("StartColumn") && h.Has("Secret"))
	v7 := h.Has("offender") && (h.Has("lineNumber") || h.Has("leakURL") || h.Has("commitMessage"))
	return v8 || v7
}

// v8Leak is one element of a gitleaks v8 report.
type v8Leak struct {
	RuleID      string
	Description string
	StartLine   int
	EndLine     int
	StartColumn int
	EndColumn   int
	Match       string
	Secret      string
	File        string
	SymlinkFile string
	Commit      string
	Link        string
	Entropy     float64
	Author      string
	Email       string
	Date        string
	Message     string
	Tags        []string
	Fingerprint string
}

// v7Leak is one element of a gitleaks v7 report.
type v7Leak struct {
	Line            string  `json:"line"`
	LineNumber      int     `json:"lineNumber"`
	Offender        string  `json:"offender"`
	OffenderEntropy float64 `json:"offenderEntropy"`
	Commit          string  `json:"commit"`
	Repo            string  `json:"repo"`
	RepoURL         string  `json:"repoURL"`
	LeakURL         string  `json:"leakURL"`
	Rule            string  `json:"rule"`
	CommitMessage   string  `json:"commitMessage"`
	Author          string  `json:"author"`
	Email           string  `json:"email"`
	File            string  `json:"file"`
	Date            string  `json:"date"`
	Tags            string  `json:"tags"`
}

// Decode reads a gitleaks v7 or v8 JSON report (a JSON array, read one
// element at a time) and emits one finding per element.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "gitleaks", InformationURI: toolURI}
	var root string
	if opts != nil {
		root = opts.Root
	}
	return tool, adapt.EachElement(r, name, expected, func(i int, elem *json.RawMessage) error {
		msg := *elem
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(msg, &raw); err != nil {
			return scanners.FormatError(name, expected, fmt.Sprintf("element %d is not an object", i))
		}
		var f *finding.Finding
		switch {
		case raw["RuleID"] != nil || raw["StartLine"] != nil || raw["Secret"] != nil:
			var l v8Leak
			if err := json.Unmarshal(msg, &l); err != nil {
				return scanners.FormatError(name, expected, fmt.Sprintf("element %d: %v", i, err))
			}
			f = fromV8(&l, root)
		case raw["offender"] != nil || raw["lineNumber"] != nil || raw["rule"] != nil:
			var l v7Leak
			if err := json.Unmarshal(msg, &l); err != nil {
				return scanners.FormatError(name, expected, fmt.Sprintf("element %d: %v", i, err))
			}
			f = fromV7(&l, root)
		default:
			return scanners.FormatError(name, expected,
				fmt.Sprintf("element %d has neither v8 keys (RuleID, StartLine, Secret) nor v7 keys (offender, lineNumber, rule)", i))
		}
		f.Tool = tool
		if err := emit(f); err != nil {
			return err
		}
		return nil
	})
}

// fromV8 converts a v8 leak.
func fromV8(l *v8Leak, root string) *finding.Finding {
	secret := l.Secret
	if secret == "" {
		secret = l.Match
	}
	id := l.RuleID
	if id == "" {
		id = l.Description
	}
	if id == "" {
		id = "unknown"
	}
	msg := l.Description
	if msg == "" {
		msg = "Secret detected by gitleaks rule " + id
	}
	f := newFinding(id, msg)
	f.Rule.ShortDescription = l.Description
	f.Rule.Tags = nonEmpty(l.Tags)
	setPath(f, root, l.File, v8Region(l))
	f.Location.Snippet = l.Match
	if l.Fingerprint != "" {
		f.Fingerprints["gitleaks"] = l.Fingerprint
	}
	adapt.Props(f,
		"symlinkFile", l.SymlinkFile,
		"commit", l.Commit,
		"link", l.Link,
		"author", l.Author,
		"email", l.Email,
		"date", l.Date,
		"commitMessage", l.Message,
	)
	if l.Entropy != 0 {
		f.Properties["entropy"] = strconv.FormatFloat(l.Entropy, 'g', -1, 64)
	}
	redact(f, secret)
	return f
}

// fromV7 converts a v7 leak.
func fromV7(l *v7Leak, root string) *finding.Finding {
	id := l.Rule
	if id == "" {
		id = "unknown"
	}
	msg := l.Rule
	if msg == "" {
		msg = "Secret detected by gitleaks"
	}
	f := newFinding(id, msg)
	f.Rule.Name = l.Rule
	for _, t := range strings.Split(l.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			f.Rule.Tags = append(f.Rule.Tags, t)
		}
	}
	setPath(f, root, l.File, finding.Region{StartLine: l.LineNumber})
	f.Location.Snippet = l.Line
	adapt.Props(f,
		"commit", l.Commit,
		"repo", l.Repo,
		"repoURL", l.RepoURL,
		"leakURL", l.LeakURL,
		"author", l.Author,
		"email", l.Email,
		"date", l.Date,
		"commitMessage", l.CommitMessage,
	)
	if l.OffenderEntropy != 0 {
		f.Properties["entropy"] = strconv.FormatFloat(l.OffenderEntropy, 'g', -1, 64)
	}
	redact(f, l.Offender)
	return f
}

// v8Region returns the region of a v8 leak. gitleaks counts columns from
// 1 on a file's first line but from 2 on the others (its column count
// includes the previous line's newline: gitleaks issue #1424, open in
// 8.30.1), and its EndColumn is the match's last column, where SARIF's is
// the one after it.
func v8Region(l *v8Leak) finding.Region {
	return fixColumns(finding.Region{StartLine: l.StartLine, StartColumn: l.StartColumn, EndLine: l.EndLine, EndColumn: l.EndColumn})
}

// fixColumns corrects the columns of a region as gitleaks 8 writes them,
// in JSON and in SARIF alike: see v8Region.
func fixColumns(r finding.Region) finding.Region {
	if r.StartLine > 1 && r.StartColumn > 0 {
		r.StartColumn--
	}
	if r.EndLine > 1 && r.EndColumn > 0 {
		r.EndColumn--
	}
	if r.EndColumn > 0 {
		r.EndColumn++
	}
	return r
}

// RefineSARIF corrects the columns of a finding read from gitleaks 8's
// SARIF, which writes the same numbers as its JSON report (see
// v8Region). gitleaks 7's SARIF has no columns.
//
// Every gitleaks finding is a hard-coded secret of high severity, as its
// JSON adapter says, whatever level the SARIF gives.
func (Adapter) RefineSARIF(f *finding.Finding) {
	if f.Location.Region.StartColumn > 0 && !strings.HasPrefix(f.Tool.Version, "7.") && !strings.HasPrefix(f.Tool.Version, "v7.") {
		f.Location.Region = fixColumns(f.Location.Region)
	}
	f.Category, f.Severity = finding.CategorySecret, finding.SeverityHigh
	if !slices.Contains(f.CWEs, cweHard) {
		f.CWEs = append(f.CWEs, cweHard)
		slices.Sort(f.CWEs)
	}
}

// newFinding returns a secret finding with the fields every gitleaks
// finding shares.
func newFinding(id, msg string) *finding.Finding {
	return &finding.Finding{
		Rule:         finding.Rule{ID: id},
		Message:      msg,
		Category:     finding.CategorySecret,
		Severity:     finding.SeverityHigh,
		CWEs:         []int{cweHard},
		Fingerprints: map[string]string{},
		Properties:   map[string]string{},
	}
}

// setPath sets the location's path and region, or keeps the reported path
// in Properties["unresolvedPath"] when it cannot be made relative.
func setPath(f *finding.Finding, root, p string, reg finding.Region) {
	if !adapt.SetPath(f, root, p, adapt.UnresolvedPath) {
		if p != "" && reg.StartLine > 0 {
			f.Properties["startLine"] = strconv.Itoa(reg.StartLine)
		}
		return
	}
	if reg.StartLine <= 0 {
		reg = finding.Region{}
	}
	if reg.EndLine != 0 && reg.EndLine < reg.StartLine {
		reg.EndLine = 0
	}
	if reg.EndLine <= reg.StartLine && reg.EndColumn != 0 && reg.EndColumn < reg.StartColumn {
		reg.EndColumn = 0
	}
	if reg.StartColumn == 0 {
		reg.EndColumn = 0
	}
	f.Location.Region = reg
}

// nonEmpty returns the non-empty strings of s, or nil.
func nonEmpty(s []string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// redact replaces secret in every text of f and records its hash.
func redact(f *finding.Finding, secret string) {
	if secret == "" {
		return
	}
	if !alreadyRedacted(secret) {
		adapt.FingerprintOf(f, secret)
	}
	if secret == Redacted {
		return
	}
	adapt.Redact(f, secret, &f.Message, &f.Location.Snippet, &f.Rule.ShortDescription)
	for k, v := range f.Fingerprints {
		if k != FingerprintSecret {
			f.Fingerprints[k] = strings.ReplaceAll(v, secret, Redacted)
		}
	}
}

// alreadyRedacted reports whether gitleaks redacted the secret itself
// (--redact, or --redact=N which keeps a prefix followed by "...").
func alreadyRedacted(secret string) bool {
	return strings.Contains(secret, Redacted) || strings.HasSuffix(secret, "...")
}
