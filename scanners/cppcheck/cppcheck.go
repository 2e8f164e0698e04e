// Package cppcheck reads the XML report of Cppcheck, the C and C++ static
// analyzer (cppcheck.sourceforge.io), written by "cppcheck --xml
// --xml-version=2" (to standard error).
//
// # Mapping
//
// Each <error> element becomes one [finding.Finding]. The report is read
// one element at a time.
//
//   - Rule.ID is id.
//   - Message is msg; verbose, when it says more, is kept in
//     Properties["cppcheck.verbose"].
//   - Severity maps severity: error is high, warning medium, style,
//     performance and portability low, information (and anything else,
//     such as debug) info. OriginalSeverity is severity verbatim.
//   - Category is sast, except for information messages, which are about
//     the analysis itself (missing includes, the checkers report), not the
//     code: category other.
//   - Precision is low for inconclusive="true" results; Cppcheck states no
//     confidence otherwise.
//   - CWEs holds cwe (0 means none).
//   - Location is the first <location> (Cppcheck writes the error position
//     first); the other locations become Related, with their info
//     attribute as Message. Paths go through [finding.NormalizePath] with
//     [scanners.Options] Root; a primary path that cannot be made relative
//     leaves the finding without Path and Region and is kept in
//     Properties["cppcheck.file"]. A column of 0 means unknown. An error
//     without locations (such as missingIncludeSystem) has no Location.
//   - hash (Cppcheck 2.7 and later) is kept in
//     Fingerprints["cppcheck/hash"]; the <symbol> names are kept as a JSON
//     array in Properties["cppcheck.symbols"]; file0 (the translation unit)
//     in Properties["cppcheck.file0"] when it differs from the location's
//     file.
//
// Tool.Version is the version attribute of <cppcheck>.
package cppcheck

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Name is the adapter's name, as passed to --format.
const Name = "cppcheck"

// expected names the format in errors.
const expected = "Cppcheck XML report (--xml-version=2)"

// Adapters returns the package's adapters: one, for Cppcheck's XML report.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads Cppcheck's XML report, version 2. The zero value is ready
// to use.
type Adapter struct{}

// Name returns "cppcheck".
func (Adapter) Name() string { return Name }

// Detect reports whether head starts a Cppcheck XML report: a <results>
// root with a <cppcheck> element.
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "<")
	return ok && h.Contains("<results") && h.Contains("<cppcheck ")
}

// xmlError is one <error> element.
type xmlError struct {
	ID           string        `xml:"id,attr"`
	Severity     string        `xml:"severity,attr"`
	Msg          string        `xml:"msg,attr"`
	Verbose      string        `xml:"verbose,attr"`
	CWE          int           `xml:"cwe,attr"`
	Inconclusive bool          `xml:"inconclusive,attr"`
	Hash         string        `xml:"hash,attr"`
	File0        string        `xml:"file0,attr"`
	Locations    []xmlLocation `xml:"location"`
	Symbols      []string      `xml:"symbol"`
}

// xmlLocation is one <location> of an error.
type xmlLocation struct {
	File   string `xml:"file,attr"`
	Line   int    `xml:"line,attr"`
	Column int    `xml:"column,attr"`
	Info   string `xml:"info,attr"`
}

// Decode reads a Cppcheck XML report from r and emits one finding per
// <error>.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "cppcheck", InformationURI: "https://cppcheck.sourceforge.io"}
	var root string
	if opts != nil {
		root = opts.Root
	}
	fail := func(problem string) (finding.Tool, error) {
		return tool, scanners.FormatError(name, expected, problem)
	}
	dec := xml.NewDecoder(r)
	depth := 0
	sawRoot, sawErrors := false, false
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
				if t.Name.Local != "results" {
					return fail(fmt.Sprintf("root element <%s>, want <results>", t.Name.Local))
				}
				sawRoot = true
			case depth == 2 && t.Name.Local == "cppcheck":
				tool.Version = attr(t, "version")
			case depth == 2 && t.Name.Local == "errors":
				sawErrors = true
			case depth == 3 && t.Name.Local == "error":
				var e xmlError
				if err := dec.DecodeElement(&e, &t); err != nil {
					return fail(err.Error())
				}
				depth--
				if e.ID == "" {
					return fail("an <error> has no id")
				}
				if err := emit(convert(tool, root, &e)); err != nil {
					return tool, err
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if !sawRoot || !sawErrors || depth != 0 {
		return fail("no complete <results> element with <errors>")
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

// convert maps one <error> to a finding.
func convert(tool finding.Tool, root string, e *xmlError) *finding.Finding {
	f := &finding.Finding{
		Tool:             tool,
		Rule:             finding.Rule{ID: e.ID},
		Message:          e.Msg,
		Category:         finding.CategorySAST,
		Severity:         severity(e.Severity),
		OriginalSeverity: e.Severity,
	}
	if f.Message == "" {
		f.Message = firstNonEmpty(e.Verbose, "Cppcheck "+e.ID)
	}
	if f.Severity == finding.SeverityInfo {
		f.Category = finding.CategoryOther
	}
	if e.Inconclusive {
		f.Precision = finding.PrecisionLow
	}
	if e.CWE > 0 {
		f.CWEs = []int{e.CWE}
	}
	if e.Hash != "" {
		f.Fingerprints = map[string]string{"cppcheck/hash": e.Hash}
	}
	props := map[string]string{}
	if e.Verbose != "" && e.Verbose != e.Msg {
		props["cppcheck.verbose"] = e.Verbose
	}
	if len(e.Symbols) > 0 {
		b, _ := json.Marshal(e.Symbols)
		props["cppcheck.symbols"] = string(b)
	}
	for i, l := range e.Locations {
		loc, ok := location(root, l)
		if i == 0 {
			f.Location = loc
			if !ok && l.File != "" {
				props["cppcheck.file"] = l.File
			}
			continue
		}
		loc.Message = l.Info
		f.Related = append(f.Related, loc)
	}
	if e.File0 != "" && (len(e.Locations) == 0 || e.File0 != e.Locations[0].File) {
		props["cppcheck.file0"] = e.File0
	}
	if len(props) > 0 {
		f.Properties = props
	}
	return f
}

// location converts l; ok is false if its file cannot be made relative to
// root, in which case the location has no path and no region.
func location(root string, l xmlLocation) (loc finding.Location, ok bool) {
	p, err := finding.NormalizePath(root, l.File)
	if err != nil {
		return loc, false
	}
	loc.Path = p
	if l.Line > 0 {
		loc.Region = finding.Region{StartLine: l.Line, StartColumn: max(l.Column, 0)}
	}
	return loc, true
}

// severity maps Cppcheck's severity (see the package documentation).
func severity(s string) finding.Severity {
	switch strings.ToLower(s) {
	case "error":
		return finding.SeverityHigh
	case "warning":
		return finding.SeverityMedium
	case "style", "performance", "portability":
		return finding.SeverityLow
	}
	return finding.SeverityInfo
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
