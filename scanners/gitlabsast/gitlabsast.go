// Package gitlabsast reads GitLab security reports in the SAST format
// (gl-sast-report.json, schema "sast-report-format", versions 2.x to 15.x)
// and the secret detection format, which has the same shape. Many tools
// write it: GitLab's own analyzers, KICS (--report-formats glsast),
// semgrep, gitleaks and others.
//
// # Mapping
//
// Each element of vulnerabilities is one finding.
//
//   - Tool: the vulnerability's scanner (older schemas), else the report's
//     scan.scanner, else scan.analyzer; its name as written ("Keeping
//     Infrastructure as Code Secure" for KICS), version without a leading
//     "v".
//   - Rule.ID: the value of the first identifier that is not a CWE, CVE,
//     GHSA or OWASP reference (GitLab's "primary identifier": the tool's rule
//     id, e.g. a KICS query id), else the first identifier, else the
//     vulnerability's name. Rule.Name is name, Rule.FullDescription
//     description, Rule.HelpText solution, Rule.HelpURI the identifier's url
//     or the first link.
//   - Message: message (older schemas), else name, else description.
//   - Severity: Critical, High, Medium, Low and Info map to the same levels
//     and Unknown to info, by [finding.ParseSeverity]; OriginalSeverity keeps
//     the report's word. Precision comes from confidence (older schemas):
//     Confirmed is very-high, High high, Medium medium, Low and Experimental
//     low.
//   - CWEs: identifiers of type "cwe", and a "cwe" member that KICS adds.
//     VulnIDs: identifiers of type "cve" and "ghsa", in their order.
//   - Location: location.file with start_line and end_line.
//   - Category: secret for scan.type "secret_detection" (or category
//     "secret_detection"); iac for SAST reports written by KICS (scanner id
//     "kics" or "keeping-infrastructure-as-code-secure"), which checks
//     infrastructure code; sast otherwise.
//   - Properties: the vulnerability's id, cve, location.class and
//     location.method, the commit of a secret, and the raw identifiers as
//     JSON text.
//
// Secret detection reports put the secret in raw_source_code_extract: it
// is never output; its SHA-256 (lower-case hex) goes to
// Fingerprints["secret/sha256"] and every occurrence of it in the finding's
// text is replaced by "REDACTED".
//
// A path that cannot be made relative to the scan root (see
// [finding.NormalizePath]) leaves the finding without a path; the reported
// file is then kept in Properties["unresolvedPath"].
package gitlabsast

import (
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Adapters returns the adapter "gitlab-sast", for GitLab SAST and secret
// detection reports.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads GitLab SAST and secret detection reports. Its name is
// "gitlab-sast".
type Adapter struct{}

const expected = "GitLab SAST report"

// Name returns "gitlab-sast".
func (Adapter) Name() string { return "gitlab-sast" }

// detectRE finds what marks a GitLab SAST or secret detection report: the
// schema URL, or a scan type or vulnerability category of sast or
// secret_detection.
var detectRE = regexp.MustCompile(`(sast|secret-detection)-report-format|"(type|category)"\s*:\s*"(sast|secret_detection)"`)

// Detect reports whether head is a JSON object with a vulnerabilities
// member and the marks of a GitLab SAST or secret detection report.
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "{")
	return ok && h.Has("vulnerabilities") && detectRE.Match(h)
}

// report is a GitLab security report.
type report struct {
	Version         string           `json:"version"`
	Vulnerabilities *[]vulnerability `json:"vulnerabilities"`
	Scan            struct {
		Type     string  `json:"type"`
		Scanner  scanner `json:"scanner"`
		Analyzer scanner `json:"analyzer"`
	} `json:"scan"`
}

// scanner is a scan's scanner or analyzer, or a vulnerability's scanner.
type scanner struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
	URL     string `json:"url"`
}

// vulnerability is one element of vulnerabilities.
type vulnerability struct {
	ID                   string          `json:"id"`
	Category             string          `json:"category"`
	Name                 string          `json:"name"`
	Message              string          `json:"message"`
	Description          string          `json:"description"`
	CVE                  string          `json:"cve"`
	Severity             string          `json:"severity"`
	Confidence           string          `json:"confidence"`
	Solution             string          `json:"solution"`
	Scanner              *scanner        `json:"scanner"`
	Identifiers          []identifier    `json:"identifiers"`
	Links                []link          `json:"links"`
	CWE                  json.RawMessage `json:"cwe"`
	RawSourceCodeExtract string          `json:"raw_source_code_extract"`
	Location             struct {
		File      string `json:"file"`
		StartLine int    `json:"start_line"`
		EndLine   int    `json:"end_line"`
		Class     string `json:"class"`
		Method    string `json:"method"`
		Commit    *struct {
			SHA     string `json:"sha"`
			Author  string `json:"author"`
			Date    string `json:"date"`
			Message string `json:"message"`
		} `json:"commit"`
	} `json:"location"`
}

// identifier is one of a vulnerability's identifiers.
type identifier struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
	URL   string `json:"url"`
}

// link is one of a vulnerability's links.
type link struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Decode reads a whole GitLab SAST or secret detection report and emits
// one finding per vulnerability.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	var root string
	if opts != nil {
		root = opts.Root
	}
	var rep report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return finding.Tool{Name: "gitlab-sast"}, scanners.FormatError(name, expected, err.Error())
	}
	tool := toolOf(&rep.Scan.Scanner, &rep.Scan.Analyzer)
	if rep.Vulnerabilities == nil {
		return tool, scanners.FormatError(name, expected, `no "vulnerabilities" array`)
	}
	for i := range *rep.Vulnerabilities {
		v := &(*rep.Vulnerabilities)[i]
		f := convert(v, root)
		f.Tool = tool
		if s := v.Scanner; s != nil && s.Name != "" && s.Name != tool.Name {
			f.Tool = toolOf(s, nil)
		}
		category(f, v, rep.Scan.Type, f.Tool, &rep.Scan.Scanner)
		if err := emit(f); err != nil {
			return tool, err
		}
	}
	return tool, nil
}

// toolOf returns the tool named by s, or a when s has no name.
func toolOf(s, a *scanner) finding.Tool {
	if s.Name == "" && s.ID == "" && a != nil {
		s = a
	}
	t := finding.Tool{Name: s.Name, Version: strings.TrimPrefix(s.Version, "v"), InformationURI: s.URL}
	if t.Name == "" {
		t.Name = s.ID
	}
	if t.Name == "" {
		t.Name = "gitlab-sast"
	}
	return t
}

// iacScanners are the ids of scanners that check infrastructure code.
var iacScanners = []string{"kics", "keeping-infrastructure-as-code-secure"}

// category sets the finding's category (see the package doc).
func category(f *finding.Finding, v *vulnerability, scanType string, tool finding.Tool, s *scanner) {
	switch {
	case scanType == "secret_detection" || v.Category == "secret_detection":
		f.Category = finding.CategorySecret
	case slices.Contains(iacScanners, strings.ToLower(s.ID)) ||
		(v.Scanner != nil && slices.Contains(iacScanners, strings.ToLower(v.Scanner.ID))) ||
		strings.EqualFold(tool.Name, "kics"):
		f.Category = finding.CategoryIaC
	default:
		f.Category = finding.CategorySAST
	}
}

// referenceTypes are identifier types that name a weakness or a
// vulnerability rather than the tool's rule.
var referenceTypes = []string{"cwe", "cve", "ghsa", "owasp", "osvdb", "wasc", "rhsa", "usn", "elsa"}

// convert turns a vulnerability into a finding, tool and category aside.
func convert(v *vulnerability, root string) *finding.Finding {
	f := &finding.Finding{
		Rule: finding.Rule{
			Name:            v.Name,
			FullDescription: v.Description,
			HelpText:        v.Solution,
		},
		OriginalSeverity: v.Severity,
		Properties:       map[string]string{},
	}
	var primary *identifier
	for i := range v.Identifiers {
		id := &v.Identifiers[i]
		t := strings.ToLower(id.Type)
		if primary == nil && id.Value != "" && !slices.Contains(referenceTypes, t) {
			primary = id
		}
		switch t {
		case "cwe":
			if n, ok := cweNumber(id.Value); ok {
				f.CWEs = append(f.CWEs, n)
			}
		case "cve", "ghsa":
			if id.Value != "" {
				f.VulnIDs = append(f.VulnIDs, id.Value)
			}
		}
	}
	if primary == nil && len(v.Identifiers) > 0 && v.Identifiers[0].Value != "" {
		primary = &v.Identifiers[0]
	}
	if primary != nil {
		f.Rule.ID = primary.Value
		f.Rule.HelpURI = primary.URL
	}
	for _, id := range []string{v.Name, v.CVE, v.ID, "unknown"} {
		if f.Rule.ID == "" {
			f.Rule.ID = id
		}
	}
	if f.Rule.HelpURI == "" && len(v.Links) > 0 {
		f.Rule.HelpURI = v.Links[0].URL
	}
	for _, m := range []string{v.Message, v.Name, v.Description, "GitLab SAST finding " + f.Rule.ID} {
		if f.Message == "" {
			f.Message = m
		}
	}
	if len(v.CWE) > 0 && string(v.CWE) != "null" {
		var s string
		if json.Unmarshal(v.CWE, &s) != nil {
			s = string(v.CWE)
		}
		if n, ok := cweNumber(s); ok {
			f.CWEs = append(f.CWEs, n)
		} else {
			f.Properties["cwe"] = string(v.CWE)
		}
	}
	slices.Sort(f.CWEs)
	f.CWEs = slices.Compact(f.CWEs)

	f.Severity = finding.SeverityMedium
	if s, err := finding.ParseSeverity(v.Severity); err == nil {
		f.Severity = s
	}
	f.Precision = precision(v.Confidence)

	loc := &v.Location
	if adapt.SetPath(f, root, loc.File, adapt.UnresolvedPath) {
		if loc.StartLine > 0 {
			f.Location.Region.StartLine = loc.StartLine
			if loc.EndLine >= loc.StartLine {
				f.Location.Region.EndLine = loc.EndLine
			}
		}
	} else if loc.File != "" && loc.StartLine > 0 {
		f.Properties["start_line"] = strconv.Itoa(loc.StartLine)
	}
	adapt.Props(f,
		"id", v.ID,
		"cve", v.CVE,
		"class", loc.Class,
		"method", loc.Method,
		"confidence", v.Confidence,
	)
	if c := loc.Commit; c != nil {
		adapt.Props(f, "commit", c.SHA, "author", c.Author, "date", c.Date, "commitMessage", c.Message)
	}
	if len(v.Identifiers) > 0 {
		if b, err := json.Marshal(v.Identifiers); err == nil {
			f.Properties["identifiers"] = string(b)
		}
	}
	if secret := v.RawSourceCodeExtract; secret != "" {
		adapt.FingerprintOf(f, secret)
		adapt.Redact(f, secret, &f.Message, &f.Rule.Name, &f.Rule.FullDescription, &f.Rule.HelpText)
	}
	return f
}

// cweNumber parses "79", "CWE-79" or "CWE-79: title".
func cweNumber(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 4 && strings.EqualFold(s[:4], "cwe-") {
		s = s[4:]
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		s = s[:i]
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// precision maps a GitLab confidence.
func precision(c string) finding.Precision {
	switch strings.ToLower(c) {
	case "confirmed":
		return finding.PrecisionVeryHigh
	case "high":
		return finding.PrecisionHigh
	case "medium":
		return finding.PrecisionMedium
	case "low", "experimental":
		return finding.PrecisionLow
	}
	return finding.PrecisionUnknown
}
