package grype

import (
	"encoding/json"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// RefineSARIF turns a finding read from Grype's SARIF (grype -o sarif)
// into the finding the JSON adapter makes of the same match, so that the
// two formats of one scan agree and deduplicate.
//
// Grype's SARIF names a rule per vulnerability and package
// ("GHSA-35jh-r3h4-6jhm-lodash"; "ANCHOREVULN_<id>_<type>_<name>-<version>"
// in Grype 0.7) and writes the match's facts in the rule's help text
// ("Vulnerability", "Severity", "Package", "Version", "Fix Version",
// "Type", "Location", "Data Namespace", "Link" lines), in the result's
// message ("A high vulnerability in npm package: lodash, version 4.17.15
// was found at: /samples/js/package-lock.json") and in a location whose
// region is always the placeholder 1:1-1:1. RefineSARIF:
//
//   - sets Rule.ID to the vulnerability id, as the JSON adapter does, and
//     makes the rule's texts the vulnerability's (the package-specific
//     name, short description and help go; the matcher named by the rule
//     name becomes the "grype.matchers" property);
//   - sets Location.Package: name, version and type from the message
//     (the help describes the rule's first match only), the fixed
//     version from the help when it describes this version, the
//     ecosystem from the type (and, for distribution packages, the data
//     namespace), and the purl for the package types whose purl is their
//     name and version (Grype's SARIF keeps its purls in rule properties,
//     which scanmux's SARIF reader does not pass on);
//   - drops the placeholder region, and places the path as the JSON
//     adapter does: Grype writes directory-scan paths from the scanned
//     directory with a leading "/", which the SARIF reader cannot place
//     under the scan root;
//   - for an image scan ("found in image IMAGE at: PATH"), sets the
//     category container, Package.Image and Layer (from the logical
//     location IMAGE@LAYER:/PATH) and keeps the path in the image in the
//     "grype.locations" property, not as a file of the scan root;
//   - takes the severity from the help's word. Grype writes critical,
//     high and medium as they are but folds Low, Negligible and Unknown
//     into "low"; a low match whose security-severity is 0.0 is one
//     without a CVSS score or a known severity, info as in the JSON
//     report. (A Negligible match with a CVSS score stays low: the SARIF
//     cannot tell it from a Low one.)
//
// A finding whose rule has no Grype help text is left as it is.
func (Adapter) RefineSARIF(f *finding.Finding) {
	h := parseHelp(f.Rule.HelpText)
	if h == nil {
		h = parseHelp(f.Rule.HelpMarkdown)
	}
	if h == nil || h["vulnerability"] == "" {
		return
	}
	id := h["vulnerability"]
	name, version, typ := h["package"], h["version"], h["type"]
	loc := h["location"]
	image := ""
	container := false
	m := parseMessage(f.Message)
	if m != nil {
		if m.name != "" {
			name, version = m.name, m.version
		}
		if m.typ != "" {
			typ = m.typ
		}
		if m.at != "" {
			loc = m.at
		}
		image, container = m.image, m.container
	}
	sameMatch := name == h["package"] && version == h["version"]

	// Rule: the vulnerability's, as in the JSON report.
	oldID := f.Rule.ID
	r := finding.Rule{ID: id, HelpURI: f.Rule.HelpURI}
	if link := linkURL(h["link"]); link != "" && (r.HelpURI == "" || r.HelpURI == "https://github.com/anchore/grype") {
		r.HelpURI = link
	}
	if d := f.Rule.FullDescription; d != "" && !strings.HasPrefix(d, "Version ") && !strings.HasPrefix(d, id+" Severity=") {
		r.FullDescription = d
		r.ShortDescription = firstSentence(d)
	}
	matcher := matcherName(f.Rule.Name)
	f.Rule = r
	if !slices.Contains(f.VulnIDs, id) {
		f.VulnIDs = append([]string{id}, f.VulnIDs...)
	}

	// Category and location.
	f.Category = finding.CategoryDependency
	f.Location.Region = finding.Region{}
	f.Location.Snippet = ""
	if container {
		f.Category = finding.CategoryContainer
		if res := f.Location.Resource; image != "" && strings.HasPrefix(res, image+"@") {
			if layer, _, ok := strings.Cut(strings.TrimPrefix(res, image+"@"), ":/"); ok {
				setProp(f, "grype.layer", layer)
			}
		}
		f.Location.Path, f.Location.Resource = "", ""
		delete(f.Properties, "sarif.uri")
	} else if f.Location.Path == "" {
		if u := f.Properties["sarif.uri"]; strings.HasPrefix(u, "/") {
			if rel, err := finding.NormalizePath("", strings.TrimLeft(path.Clean(u), "/")); err == nil {
				f.Location.Path = rel
				delete(f.Properties, "sarif.uri")
			}
		}
	}

	// Package.
	if name == "" {
		name = "unknown"
	}
	pkg := &finding.Package{Name: name, Version: version, Ecosystem: ecosystemOf(typ, h["data namespace"])}
	if sameMatch {
		if fix := strings.TrimSpace(h["fix version"]); fix != "" && !strings.EqualFold(fix, "none") {
			fixes := strings.Split(fix, ",")
			for i := range fixes {
				fixes[i] = strings.TrimSpace(fixes[i])
			}
			pkg.FixedVersion = fixes[0]
			if len(fixes) > 1 {
				setJSONProp(f, "grype.fixVersions", fixes)
			}
		}
	}
	pkg.PURL = purlOf(typ, name, version)
	if container {
		pkg.Image = image
		pkg.Layer = f.Properties["grype.layer"]
		delete(f.Properties, "grype.layer")
	}
	f.Location.Package = pkg

	if ns := h["data namespace"]; ns != "" && ns != "unknown" {
		setProp(f, "grype.namespace", ns)
	}
	setProp(f, "grype.artifactType", typ)
	if loc != "" && loc != "pkgdb" {
		setJSONProp(f, "grype.locations", []string{loc})
	}
	if matcher != "" {
		setProp(f, "grype.matchers", matcher)
	}
	if oldID != id {
		setProp(f, "grype.sarifRuleId", oldID)
	}

	// Severity: the help's word (see above).
	switch w := strings.ToLower(h["severity"]); w {
	case "low":
		if score, err := strconv.ParseFloat(f.OriginalSeverity, 64); err == nil && score == 0 {
			f.Severity = finding.SeverityInfo
		} else {
			f.Severity = finding.SeverityLow
		}
	default:
		if s, err := finding.ParseSeverity(w); err == nil {
			f.Severity = s
		}
	}
}

// parseHelp reads the "Key: value" lines of a Grype rule's help text
// (keys in lower case; the first line, "Vulnerability ID", under
// "vulnerability"), or returns nil when the text is not Grype's.
func parseHelp(s string) map[string]string {
	first, rest, _ := strings.Cut(s, "\n")
	id, ok := strings.CutPrefix(strings.TrimSpace(first), "Vulnerability ")
	if !ok || strings.ContainsAny(id, " *") {
		return nil
	}
	h := map[string]string{"vulnerability": id}
	for line := range strings.Lines(rest) {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r\n"), ":")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if _, seen := h[k]; !seen {
			h[k] = strings.TrimSpace(v)
		}
	}
	if h["package"] == "" {
		return nil
	}
	return h
}

// message is what a Grype SARIF result's message says of its match.
type message struct {
	name, version, typ string
	at                 string // the package's path
	image              string // the image, for an image scan
	container          bool   // the match is in a container image
}

var (
	// reMessage matches the message of current Grype: "A high
	// vulnerability in npm package: lodash, version 4.17.15 was found
	// at: /samples/js/package-lock.json" (or "in image IMAGE at: PATH",
	// or "from purl ...").
	reMessage = regexp.MustCompile(`^A \S+ vulnerability in (\S*) package: (.+), version (\S*) was found (.*)$`)
	// reMessage034 matches Grype 0.3x's: "The path P reports NAME at
	// version V  which would result in a vulnerable (TYPE) package
	// installed" (or "... which is a vulnerable (TYPE) package installed
	// in the container").
	reMessage034 = regexp.MustCompile(`^The path (.*) reports (.+) at version (\S*) +which (.*)\((\S*)\) package installed( in the container)?`)
	// reMessage07 matches Grype 0.7's: "This dockerfile results in a
	// container image that has installed software with a vulnerability:
	// (NAME-VERSION type=TYPE)".
	reMessage07 = regexp.MustCompile(`container image that has installed software with a vulnerability: \((.+) type=(\S+)\)`)
)

// parseMessage reads a Grype SARIF result's message, or returns nil.
func parseMessage(s string) *message {
	if m := reMessage.FindStringSubmatch(s); m != nil {
		msg := &message{typ: m[1], name: m[2], version: m[3]}
		where := m[4]
		if rest, ok := strings.CutPrefix(where, "in image "); ok {
			if img, at, ok := strings.Cut(rest, " at: "); ok {
				msg.image, msg.at, msg.container = img, at, true
			}
		} else if at, ok := strings.CutPrefix(where, "at: "); ok {
			msg.at = at
		}
		return msg
	}
	if m := reMessage034.FindStringSubmatch(s); m != nil {
		return &message{at: m[1], name: m[2], version: m[3], typ: m[5], container: m[6] != ""}
	}
	if m := reMessage07.FindStringSubmatch(s); m != nil {
		// NAME-VERSION cannot be split here; the rule (one per package
		// and version in Grype 0.7) gives them.
		return &message{typ: m[2], container: true}
	}
	return nil
}

// linkURL returns the URL of the help's "[ID](URL)" link.
func linkURL(s string) string {
	_, u, ok := strings.Cut(s, "](")
	if !ok {
		return ""
	}
	u, _, _ = strings.Cut(u, ")")
	return u
}

// matcherName returns the Grype matcher named by a SARIF rule name, which
// is the matcher and the match type in camel case
// ("JavascriptMatcherExactDirectMatch" is javascript-matcher).
func matcherName(s string) string {
	i := strings.Index(s, "Matcher")
	if i <= 0 {
		return ""
	}
	var b strings.Builder
	for j, r := range s[:i+len("Matcher")] {
		if r >= 'A' && r <= 'Z' {
			if j > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ecosystemOf returns the OSV ecosystem of a Grype package type. For
// distribution packages it comes from the data namespace, e.g.
// "debian:distro:debian:12" is Debian:12, "alpine:distro:alpine:3.18"
// Alpine:v3.18.
func ecosystemOf(typ, namespace string) string {
	if e, ok := ecosystems[typ]; ok {
		return e
	}
	if typ != "deb" && typ != "apk" && typ != "rpm" {
		return ""
	}
	parts := strings.Split(namespace, ":")
	if len(parts) != 4 || parts[1] != "distro" || parts[2] == "" {
		return ""
	}
	return adapt.DistroEcosystem(parts[2], parts[3])
}

// purlTypes maps the Grype package types whose package URL (as Syft
// writes it) is pkg:TYPE/NAME@VERSION to the purl type.
var purlTypes = map[string]string{
	"npm": "npm", "go-module": "golang", "gem": "gem", "rust-crate": "cargo", "php-composer": "composer",
	"dotnet": "nuget", "pub": "pub", "hex": "hex",
}

// purlOf returns the package URL of a package of a type in purlTypes, or
// "".
func purlOf(typ, name, version string) string {
	t, ok := purlTypes[typ]
	if !ok || name == "" || version == "" {
		return ""
	}
	n := name
	if strings.HasPrefix(n, "@") {
		n = "%40" + n[1:]
	}
	return "pkg:" + t + "/" + n + "@" + version
}

func setProp(f *finding.Finding, k, v string) {
	if v == "" {
		return
	}
	if f.Properties == nil {
		f.Properties = map[string]string{}
	}
	f.Properties[k] = v
}

func setJSONProp(f *finding.Finding, k string, v []string) {
	if len(v) == 0 {
		return
	}
	if b, err := json.Marshal(v); err == nil {
		setProp(f, k, string(b))
	}
}
