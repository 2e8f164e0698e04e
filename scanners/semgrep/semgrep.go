// Package semgrep reads Semgrep's reports: the JSON report of the
// semgrep command line ("semgrep --json", adapter "semgrep"), and the
// supply-chain findings that Semgrep's web API returns for a deployment
// (adapter "semgrep-supply-chain"). Semgrep's SARIF goes through package
// sarif.
//
// # semgrep --json
//
// Each element of "results" becomes one [finding.Finding] of category sast
// (category secret for secret-detection rules, see below).
//
//   - Rule.ID is check_id; Rule.Name is its last dot-separated part.
//     Rule.HelpURI is metadata.source, else metadata.shortlink, else
//     metadata.source-rule-url. Rule.Tags are metadata.category,
//     subcategory, technology and owasp, in that order.
//   - Message is extra.message, trimmed.
//   - Severity maps extra.severity: ERROR to high, WARNING to medium, INFO
//     to low (Semgrep's three levels, the SARIF level mapping); the newer
//     CRITICAL, HIGH, MEDIUM and LOW go through [finding.ParseSeverity];
//     anything else (EXPERIMENT, INVENTORY) becomes info.
//     OriginalSeverity keeps it verbatim.
//   - Precision is metadata.confidence (LOW, MEDIUM, HIGH).
//   - CWEs are parsed from metadata.cwe, a string or a list of strings such
//     as "CWE-79: Improper Neutralization ...".
//   - Location.Path is path, through [finding.NormalizePath] with
//     [scanners.Options] Root; a path that cannot be made relative leaves
//     the finding without Path and Region and is kept in
//     Properties["semgrep.file"]. Region is start and end (line, col);
//     Semgrep's end column already points past the match. Columns count
//     bytes, not UTF-16 units, on non-ASCII lines.
//   - Snippet is extra.lines, unless it is Semgrep's "requires login"
//     placeholder.
//   - extra.fingerprint (unless "requires login") is kept in
//     Fingerprints["semgrep/fingerprint"]; extra.is_ignored (a nosemgrep
//     comment) becomes an inSource suppression; extra.fix, engine_kind,
//     metadata impact, likelihood and references go to Properties under
//     "semgrep.".
//
// Tool.Version is "version" (Semgrep 0.60 and later); the report is decoded
// as one JSON document because the version follows the results. The errors
// array (files or rules Semgrep could not handle) yields no findings.
//
// Secret-detection results are those whose check_id has a "secrets"
// component (the registry's p/secrets rules) or whose extra has a
// validation_state (Semgrep Secrets). Semgrep does not say which part of
// the match is the secret, so their Snippet is "REDACTED", metavariable
// values found in the message are replaced with "REDACTED", and no
// "secret/sha256" fingerprint is set.
//
// # Supply chain (Semgrep API)
//
// See [SupplyChainAdapter].
package semgrep

import (
	"encoding/json"
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

// Names of the adapters, as passed to --format.
const (
	// Name reads "semgrep --json" reports.
	Name = "semgrep"
	// SupplyChainName reads Semgrep API supply-chain vulnerability lists.
	SupplyChainName = "semgrep-supply-chain"
)

// expected names the format in errors.
const expected = "Semgrep JSON report"

// loginPlaceholder is what Semgrep writes instead of code or fingerprints
// when the user is not logged in.
const loginPlaceholder = "requires login"

// Adapters returns the package's adapters: [Adapter] and
// [SupplyChainAdapter].
func Adapters() []scanners.Adapter {
	return []scanners.Adapter{Adapter{}, SupplyChainAdapter{}}
}

// Adapter reads the JSON report of "semgrep --json". The zero value is
// ready to use.
type Adapter struct{}

// Name returns "semgrep".
func (Adapter) Name() string { return Name }

// Detect reports whether head starts a Semgrep JSON report: a JSON object
// with "results" and either a result's "check_id", "extra" and "start",
// or, for a report without results, "errors" and "paths" with "scanned".
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "{")
	if !ok || !h.Has("results") {
		return false
	}
	return h.Has("check_id") && h.Has("extra") && h.Has("start") ||
		h.Has("errors") && h.Has("paths") && h.Has("scanned")
}

// report is the JSON report (semgrep_output_v1 cli_output).
type report struct {
	Version string    `json:"version"`
	Results *[]result `json:"results"`
}

// result is one element of results (cli_match).
type result struct {
	CheckID string   `json:"check_id"`
	Path    string   `json:"path"`
	Start   position `json:"start"`
	End     position `json:"end"`
	Extra   struct {
		Message         string                    `json:"message"`
		Severity        string                    `json:"severity"`
		Metadata        metadata                  `json:"metadata"`
		Lines           string                    `json:"lines"`
		Fingerprint     string                    `json:"fingerprint"`
		IsIgnored       bool                      `json:"is_ignored"`
		Fix             string                    `json:"fix"`
		EngineKind      string                    `json:"engine_kind"`
		ValidationState string                    `json:"validation_state"`
		Metavars        map[string]map[string]any `json:"metavars"`
	} `json:"extra"`
}

// position is a point in a file.
type position struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// metadata is the part of a rule's metadata the adapter reads. Semgrep
// rules write most keys either as a string or as a list of strings.
type metadata struct {
	CWE           stringList `json:"cwe"`
	OWASP         stringList `json:"owasp"`
	Confidence    string     `json:"confidence"`
	Category      string     `json:"category"`
	Subcategory   stringList `json:"subcategory"`
	Technology    stringList `json:"technology"`
	References    stringList `json:"references"`
	Source        string     `json:"source"`
	Shortlink     string     `json:"shortlink"`
	SourceRuleURL string     `json:"source-rule-url"`
	Impact        string     `json:"impact"`
	Likelihood    string     `json:"likelihood"`
}

// stringList is a JSON string or list of strings (or null).
type stringList []string

// UnmarshalJSON accepts a string, a list of strings or null. Non-string
// list elements are skipped.
func (s *stringList) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = nil
	switch v := v.(type) {
	case string:
		*s = stringList{v}
	case []any:
		for _, e := range v {
			if e, ok := e.(string); ok {
				*s = append(*s, e)
			}
		}
	}
	return nil
}

// Decode reads a Semgrep JSON report from r and emits one finding per
// result.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "semgrep", InformationURI: "https://semgrep.dev"}
	var rep report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if rep.Results == nil {
		return tool, scanners.FormatError(name, expected, `no "results" array`)
	}
	tool.Version = rep.Version
	root := rootOf(opts)
	for i := range *rep.Results {
		res := &(*rep.Results)[i]
		if res.CheckID == "" {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("result %d has no check_id", i))
		}
		if err := emit(convert(tool, root, res)); err != nil {
			return tool, err
		}
	}
	return tool, nil
}

// convert maps one result to a finding.
func convert(tool finding.Tool, root string, res *result) *finding.Finding {
	x, md := &res.Extra, &res.Extra.Metadata
	f := &finding.Finding{
		Tool: tool,
		Rule: finding.Rule{
			ID:      res.CheckID,
			Name:    res.CheckID[strings.LastIndexByte(res.CheckID, '.')+1:],
			HelpURI: firstNonEmpty(md.Source, md.Shortlink, md.SourceRuleURL),
		},
		Message:          strings.TrimSpace(x.Message),
		Category:         finding.CategorySAST,
		Severity:         severity(x.Severity),
		OriginalSeverity: x.Severity,
		Precision:        adapt.Precision(md.Confidence),
		CWEs:             parseCWEs(md.CWE),
	}
	if f.Rule.Name == "" {
		f.Rule.Name = res.CheckID
	}
	if f.Message == "" {
		f.Message = "Semgrep rule " + res.CheckID
	}
	if md.Category != "" {
		f.Rule.Tags = append(f.Rule.Tags, md.Category)
	}
	for _, list := range []stringList{md.Subcategory, md.Technology, md.OWASP} {
		for _, t := range list {
			if t != "" {
				f.Rule.Tags = append(f.Rule.Tags, t)
			}
		}
	}
	if x.Lines != loginPlaceholder {
		f.Location.Snippet = x.Lines
	}
	if x.Fingerprint != "" && x.Fingerprint != loginPlaceholder {
		f.Fingerprints = map[string]string{"semgrep/fingerprint": x.Fingerprint}
	}
	if x.IsIgnored {
		f.Suppressions = []finding.Suppression{{Kind: finding.SuppressionInSource, Source: "nosemgrep"}}
	}
	props := map[string]string{}
	setIf := func(k, v string) {
		if v != "" {
			props[k] = v
		}
	}
	setIf("semgrep.fix", x.Fix)
	setIf("semgrep.engine_kind", x.EngineKind)
	setIf("semgrep.validation_state", x.ValidationState)
	setIf("semgrep.impact", md.Impact)
	setIf("semgrep.likelihood", md.Likelihood)
	if len(md.References) > 0 {
		b, _ := json.Marshal([]string(md.References))
		props["semgrep.references"] = string(b)
	}

	if res.Path != "" {
		if p, err := finding.NormalizePath(root, res.Path); err == nil {
			f.Location.Path = p
			f.Location.Region = region(res.Start, res.End)
		} else {
			props["semgrep.file"] = res.Path
		}
	}
	if len(props) > 0 {
		f.Properties = props
	}
	if isSecret(res) {
		redact(f, res)
	}
	return f
}

// region returns the region from start to end; impossible values are
// dropped rather than made up.
func region(start, end position) finding.Region {
	if start.Line <= 0 {
		return finding.Region{}
	}
	r := finding.Region{StartLine: start.Line, StartColumn: max(start.Col, 0)}
	if end.Line >= start.Line {
		r.EndLine = end.Line
		r.EndColumn = max(end.Col, 0)
		if r.EndLine == r.StartLine && r.EndColumn < r.StartColumn {
			r.EndColumn = 0
		}
	}
	return r
}

// severity maps Semgrep's severity (see the package documentation).
func severity(s string) finding.Severity {
	switch strings.ToUpper(s) {
	case "ERROR":
		return finding.SeverityHigh
	case "WARNING":
		return finding.SeverityMedium
	case "INFO":
		return finding.SeverityLow
	case "CRITICAL", "HIGH", "MEDIUM", "LOW":
		sev, _ := finding.ParseSeverity(s)
		return sev
	}
	return finding.SeverityInfo
}

// cweRE matches a CWE reference such as "CWE-79" or "CWE 79".
var cweRE = regexp.MustCompile(`(?i)\bCWE[- ]?(\d+)`)

// parseCWEs returns the CWE numbers named in refs, ascending and distinct.
func parseCWEs(refs []string) []int {
	var ids []int
	for _, s := range refs {
		for _, m := range cweRE.FindAllStringSubmatch(s, -1) {
			if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
				ids = append(ids, n)
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// isSecret reports whether res comes from a secret-detection rule.
func isSecret(res *result) bool {
	return res.Extra.ValidationState != "" ||
		slices.Contains(strings.Split(res.CheckID, "."), "secrets")
}

// redact turns a secret-detection finding into a redacted secret finding.
func redact(f *finding.Finding, res *result) {
	f.Category = finding.CategorySecret
	if f.Location.Snippet != "" {
		f.Location.Snippet = "REDACTED"
	}
	for _, mv := range res.Extra.Metavars {
		if v, ok := mv["abstract_content"].(string); ok && len(v) >= 4 {
			f.Message = strings.ReplaceAll(f.Message, v, "REDACTED")
		}
	}
	delete(f.Properties, "semgrep.fix")
	if len(f.Properties) == 0 {
		f.Properties = nil
	}
}

// rootOf returns opts.Root, or "" for nil opts.
func rootOf(opts *scanners.Options) string {
	if opts == nil {
		return ""
	}
	return opts.Root
}

// firstNonEmpty returns the first of ss that is not empty.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
