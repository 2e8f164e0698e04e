// Package checkstyle reads Checkstyle XML reports: the format of the Java
// linter Checkstyle (checkstyle.org), which many other linters write too
// (shellcheck -f checkstyle, tfsec --format checkstyle, ESLint 8's
// checkstyle formatter, golangci-lint, hadolint ...):
//
//	<checkstyle version="4.3">
//	  <file name="vuln.sh">
//	    <error line="4" column="12" severity="info" message="..." source="ShellCheck.SC2086"/>
//	  </file>
//	</checkstyle>
//
// # Mapping
//
// Each <error> becomes one [finding.Finding]. The report is read one
// element at a time.
//
// The format does not name the tool that wrote it; the adapter tells the
// tool and the rule from each error's source attribute (or, in old
// reports without source, rule or detector):
//
//   - "ShellCheck.SC2086": tool shellcheck, rule SC2086, with the rule's
//     wiki page as help, as package shellcheck reads ShellCheck's JSON;
//   - "eslint.rules.no-eval": tool eslint, rule no-eval; the " (no-eval)"
//     ESLint appends to the message is dropped;
//   - "com.puppycrawl.tools.checkstyle.checks....Check": tool checkstyle,
//     the source as rule, and the root's version attribute as
//     Tool.Version (Checkstyle writes its own version there; other tools
//     write a format version, which is not kept);
//   - an error whose link attribute points at tfsec's documentation (tfsec
//     1.x writes the check's long id as source): tool tfsec, category iac;
//   - "DL3008" (a hadolint rule): tool hadolint, category iac;
//   - anything else: tool "checkstyle" and the source as rule, or
//     "checkstyle/unknown" when the error names none.
//
// Category is sast except for tfsec and hadolint (iac).
//
// Severity maps the severity attribute. The words rate the tool's
// configuration, not a security impact: error is medium, warning low,
// info (and ignore, and anything else) info, as package shellcheck and
// package eslint map the same words in those tools' JSON. tfsec derives
// them from its own severities (error for HIGH and CRITICAL, warning for
// MEDIUM, info for LOW), which are kept: error is high, warning medium,
// info low, as package tfsec maps them. OriginalSeverity is the attribute
// verbatim.
//
// Location.Path is the file's name attribute made relative to
// [scanners.Options] Root with [finding.NormalizePath]; a name that
// cannot be is kept in Properties["unresolvedPath"] and the finding has no
// Path and no Region. Region is line and column (0 means unknown);
// Checkstyle XML has no end position. A link attribute, when set, is
// Rule.HelpURI.
package checkstyle

import (
	"encoding/xml"
	"errors"
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
const Name = "checkstyle"

// expected names the format in errors.
const expected = "Checkstyle XML report"

// Adapters returns the package's adapters: one, for Checkstyle XML.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads Checkstyle XML reports. The zero value is ready to use.
type Adapter struct{}

// Name returns "checkstyle".
func (Adapter) Name() string { return Name }

// rootRE matches the start of a Checkstyle report: an optional XML
// declaration, comments, and the <checkstyle> root element.
var rootRE = regexp.MustCompile(`^(?s)(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<checkstyle[\s/>]`)

// Detect reports whether head starts a Checkstyle XML report: its root
// element is <checkstyle>.
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "<")
	return ok && rootRE.Match(h)
}

// xmlError is one <error> element. Rule and Detector are what old
// versions of tfsec and tflint wrote instead of source.
type xmlError struct {
	Line     string `xml:"line,attr"`
	Column   string `xml:"column,attr"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
	Rule     string `xml:"rule,attr"`
	Detector string `xml:"detector,attr"`
	Link     string `xml:"link,attr"`
}

// Decode reads a Checkstyle XML report from r and emits one finding per
// <error>. The tool it returns is that of the first error, or
// "checkstyle" for a report without errors, which does not say.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	var root string
	if opts != nil {
		root = opts.Root
	}
	tool := finding.Tool{Name: "checkstyle"}
	fail := func(problem string) (finding.Tool, error) {
		return tool, scanners.FormatError(name, expected, problem)
	}
	dec := xml.NewDecoder(r)
	var version, file string
	depth, n := 0, 0
	sawRoot := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				if t.Name.Local != "checkstyle" {
					return fail(fmt.Sprintf("root element <%s>, want <checkstyle>", t.Name.Local))
				}
				sawRoot = true
				version = attr(t, "version")
			case depth == 2 && t.Name.Local == "file":
				file = attr(t, "name")
			case depth == 3 && t.Name.Local == "error":
				var e xmlError
				if err := dec.DecodeElement(&e, &t); err != nil {
					return fail(err.Error())
				}
				depth--
				f := convert(root, version, file, &e)
				if n == 0 {
					tool = f.Tool
				}
				n++
				if err := emit(f); err != nil {
					return tool, err
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if !sawRoot || depth != 0 {
		return fail("no complete <checkstyle> element")
	}
	return tool, nil
}

// attr returns the value of the attribute name of t.
func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// Sources' forms (see the package documentation).
var (
	hadolintRE  = regexp.MustCompile(`^DL[0-9]{4}$`)
	tfsecLinkRE = regexp.MustCompile(`(?i)(aquasecurity\.github\.io/tfsec|tfsec\.dev)/`)
)

// origin is what an error's source says about who reported it.
type origin struct {
	tool     finding.Tool
	rule     string
	helpURI  string
	category finding.Category
	scale    int // 1 for tools whose severities are shifted up one step (tfsec)
}

// originOf tells the tool and rule of e; version is the root's version
// attribute.
func originOf(e *xmlError, version string) origin {
	src := strings.TrimSpace(firstNonEmpty(e.Source, e.Rule, e.Detector))
	o := origin{tool: finding.Tool{Name: "checkstyle"}, rule: src, category: finding.CategorySAST}
	switch {
	case strings.HasPrefix(src, "ShellCheck.") && len(src) > len("ShellCheck."):
		o.tool = finding.Tool{Name: "shellcheck", InformationURI: "https://www.shellcheck.net"}
		o.rule = strings.TrimPrefix(src, "ShellCheck.")
		o.helpURI = "https://www.shellcheck.net/wiki/" + o.rule
	case strings.HasPrefix(src, "eslint.rules.") && len(src) > len("eslint.rules."):
		o.tool = finding.Tool{Name: "eslint", InformationURI: "https://eslint.org"}
		o.rule = strings.TrimPrefix(src, "eslint.rules.")
	case strings.HasPrefix(src, "com.puppycrawl.tools.checkstyle."):
		o.tool = finding.Tool{Name: "checkstyle", Version: version, InformationURI: "https://checkstyle.org"}
	case tfsecLinkRE.MatchString(e.Link):
		o.tool = finding.Tool{Name: "tfsec", InformationURI: "https://github.com/aquasecurity/tfsec"}
		o.category = finding.CategoryIaC
		o.scale = 1
	case hadolintRE.MatchString(src):
		o.tool = finding.Tool{Name: "hadolint", InformationURI: "https://github.com/hadolint/hadolint"}
		o.category = finding.CategoryIaC
		o.helpURI = "https://github.com/hadolint/hadolint/wiki/" + src
	}
	if o.rule == "" {
		o.rule = "checkstyle/unknown"
	}
	if e.Link != "" {
		o.helpURI = e.Link
	}
	return o
}

// convert maps one <error> of file to a finding.
func convert(root, version, file string, e *xmlError) *finding.Finding {
	o := originOf(e, version)
	f := &finding.Finding{
		Tool:             o.tool,
		Rule:             finding.Rule{ID: o.rule, HelpURI: o.helpURI},
		Message:          strings.TrimSpace(e.Message),
		Category:         o.category,
		Severity:         severity(e.Severity, o.scale),
		OriginalSeverity: e.Severity,
	}
	if o.tool.Name == "eslint" {
		f.Message = strings.TrimSpace(strings.TrimSuffix(f.Message, "("+o.rule+")"))
	}
	if f.Message == "" {
		f.Message = o.tool.Name + " " + o.rule
	}
	if adapt.SetPath(f, root, file, adapt.UnresolvedPath) {
		if line := number(e.Line); line > 0 {
			f.Location.Region = finding.Region{StartLine: line, StartColumn: number(e.Column)}
		}
	}
	return f
}

// number parses a line or column; anything but a positive integer is 0,
// unknown.
func number(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// severity maps a Checkstyle severity word, shifted up scale steps (see
// the package documentation).
func severity(s string, scale int) finding.Severity {
	sev := finding.SeverityInfo
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		sev = finding.SeverityMedium
	case "warning", "warn":
		sev = finding.SeverityLow
	}
	return min(sev+finding.Severity(scale), finding.SeverityCritical)
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
