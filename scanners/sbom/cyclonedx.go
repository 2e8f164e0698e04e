package sbom

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// cdxExpected names the CycloneDX format in errors.
const cdxExpected = "CycloneDX BOM (JSON or XML)"

// CycloneDX reads CycloneDX BOMs, JSON and XML, into findings when they
// carry vulnerabilities (see the package documentation). Its name is
// "cyclonedx". The zero value is ready to use.
type CycloneDX struct{}

// Name returns "cyclonedx".
func (CycloneDX) Name() string { return "cyclonedx" }

var (
	// cdxJSONRE matches CycloneDX JSON's format key.
	cdxJSONRE = regexp.MustCompile(`"bomFormat"\s*:\s*"CycloneDX"`)
	// cdxXMLRE matches the start of a CycloneDX XML BOM: the <bom> root
	// (possibly prefixed) with CycloneDX's namespace.
	cdxXMLRE = regexp.MustCompile(`^(?s)(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<(\w+:)?bom\s[^>]*"http://cyclonedx\.org/schema/bom/1\.`)
)

// Detect reports whether head starts a CycloneDX BOM: a JSON object with
// "bomFormat": "CycloneDX", or an XML <bom> root in CycloneDX's
// namespace.
func (CycloneDX) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "{<")
	if !ok {
		return false
	}
	if h[0] == '{' {
		return cdxJSONRE.Match(h)
	}
	return cdxXMLRE.Match(h)
}

// bom is a CycloneDX BOM: what the adapter reads of it. The types below
// carry JSON and XML names, so that both forms decode to them; only the
// root, the tools and the dependencies differ (see xmlBOM).
type bom struct {
	BOMFormat       string           `json:"bomFormat"`
	SpecVersion     string           `json:"specVersion"`
	Metadata        *metadata        `json:"metadata"`
	Components      []component      `json:"components"`
	Dependencies    []dependency     `json:"dependencies"`
	Vulnerabilities *[]vulnerability `json:"vulnerabilities"`

	// tools are the tools of Metadata.Tools, or of the XML metadata.
	tools []finding.Tool
}

type metadata struct {
	Tools     json.RawMessage `json:"tools"`
	Component *component      `json:"component"`
}

type dependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn"`
}

type component struct {
	BOMRef     string      `json:"bom-ref" xml:"bom-ref,attr"`
	Type       string      `json:"type" xml:"type,attr"`
	Group      string      `json:"group" xml:"group"`
	Name       string      `json:"name" xml:"name"`
	Version    string      `json:"version" xml:"version"`
	PURL       string      `json:"purl" xml:"purl"`
	Components []component `json:"components" xml:"components>component"`
	Properties []property  `json:"properties" xml:"properties>property"`
	Evidence   *struct {
		Occurrences []struct {
			Location string `json:"location" xml:"location"`
		} `json:"occurrences" xml:"occurrences>occurrence"`
	} `json:"evidence" xml:"evidence"`
}

type property struct {
	Name  string `json:"name" xml:"name,attr"`
	Value string `json:"value" xml:",chardata"`
}

type source struct {
	Name string `json:"name" xml:"name"`
	URL  string `json:"url" xml:"url"`
}

type vulnerability struct {
	BOMRef     string  `json:"bom-ref" xml:"bom-ref,attr"`
	ID         string  `json:"id" xml:"id"`
	Source     *source `json:"source" xml:"source"`
	References []struct {
		ID string `json:"id" xml:"id"`
	} `json:"references" xml:"references>reference"`
	Ratings        []rating `json:"ratings" xml:"ratings>rating"`
	CWEs           []int    `json:"cwes" xml:"cwes>cwe"`
	Description    string   `json:"description" xml:"description"`
	Detail         string   `json:"detail" xml:"detail"`
	Recommendation string   `json:"recommendation" xml:"recommendation"`
	Advisories     []struct {
		URL string `json:"url" xml:"url"`
	} `json:"advisories" xml:"advisories>advisory"`
	Analysis *struct {
		State         string `json:"state" xml:"state"`
		Justification string `json:"justification" xml:"justification"`
		Detail        string `json:"detail" xml:"detail"`
	} `json:"analysis" xml:"analysis"`
	Affects []struct {
		Ref      string `json:"ref" xml:"ref"`
		Versions []struct {
			Version string `json:"version" xml:"version"`
			Range   string `json:"range" xml:"range"`
			Status  string `json:"status" xml:"status"`
		} `json:"versions" xml:"versions>version"`
	} `json:"affects" xml:"affects>target"`
}

type rating struct {
	Score    *float64 `json:"score" xml:"score"`
	Severity string   `json:"severity" xml:"severity"`
	Vector   string   `json:"vector" xml:"vector"`
}

// Decode reads a CycloneDX BOM from r. It emits one finding per
// vulnerability and affected component when the BOM has vulnerabilities,
// and returns its tool and an error wrapping [ErrNotFindings] when it has
// none.
func (CycloneDX) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "cyclonedx"}
	var root string
	if opts != nil {
		root = opts.Root
	}
	br := bufio.NewReader(r)
	first, err := firstByte(br)
	if err != nil {
		return tool, scanners.FormatError(name, cdxExpected, "empty input")
	}
	var b *bom
	var version string
	if first == '<' {
		b, version, err = decodeXML(br)
	} else {
		b, err = decodeJSON(br)
		if b != nil {
			version = b.SpecVersion
		}
	}
	if err != nil {
		return tool, scanners.FormatError(name, cdxExpected, err.Error())
	}
	if len(b.tools) > 0 {
		tool = b.tools[0]
	}
	if b.Vulnerabilities == nil || len(*b.Vulnerabilities) == 0 {
		return tool, &notFindingsError{file: name, what: strings.TrimSpace("CycloneDX " + version)}
	}
	c := newConverter(b, tool, root)
	for i := range *b.Vulnerabilities {
		v := &(*b.Vulnerabilities)[i]
		refs := []string{""}
		if len(v.Affects) > 0 {
			refs = refs[:0]
			for _, a := range v.Affects {
				if !slices.Contains(refs, a.Ref) {
					refs = append(refs, a.Ref)
				}
			}
		}
		for _, ref := range refs {
			if err := emit(c.convert(v, ref)); err != nil {
				return tool, err
			}
		}
	}
	return tool, nil
}

// firstByte returns the first byte of br that is not white space or a
// byte-order mark, leaving it unread.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case 0xEF: // a UTF-8 byte-order mark
			if p, err := br.Peek(2); err == nil && p[0] == 0xBB && p[1] == 0xBF {
				_, _ = br.Discard(2)
				continue
			}
		}
		return b, br.UnreadByte()
	}
}

// decodeJSON reads a CycloneDX JSON BOM.
func decodeJSON(r io.Reader) (*bom, error) {
	var b bom
	if err := json.NewDecoder(r).Decode(&b); err != nil {
		return nil, err
	}
	if b.BOMFormat != "CycloneDX" {
		return nil, fmt.Errorf("bomFormat is %q, not \"CycloneDX\"", b.BOMFormat)
	}
	if b.Metadata != nil {
		b.tools = jsonTools(b.Metadata.Tools)
	}
	return &b, nil
}

// jsonTools reads metadata.tools: the array of CycloneDX 1.4 or the
// object of 1.5 (components, then services). Tools without a name are
// left out.
func jsonTools(raw json.RawMessage) []finding.Tool {
	type tool struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	var list []tool
	if err := json.Unmarshal(raw, &list); err != nil {
		var obj struct {
			Components []tool `json:"components"`
			Services   []tool `json:"services"`
		}
		if json.Unmarshal(raw, &obj) != nil {
			return nil
		}
		list = append(obj.Components, obj.Services...)
	}
	var out []finding.Tool
	for _, t := range list {
		if t.Name != "" {
			out = append(out, bomTool(t.Name, t.Version))
		}
	}
	return out
}

// bomTool returns the tool of a BOM's metadata. A version in brackets is a
// placeholder (grype built without its release flags writes "[not
// provided]") and is dropped.
func bomTool(name, version string) finding.Tool {
	if strings.HasPrefix(version, "[") {
		version = ""
	}
	return finding.Tool{Name: name, Version: version}
}

// ratingSeverity returns the severity of one rating and the string it
// came from; ok is false when the rating gives none.
func ratingSeverity(r *rating) (sev finding.Severity, from string, ok bool) {
	switch w := strings.ToLower(strings.TrimSpace(r.Severity)); w {
	case "", "none", "unknown":
	default:
		if s, err := finding.ParseSeverity(w); err == nil {
			return s, r.Severity, true
		}
	}
	if r.Score != nil {
		if s, err := finding.SeverityFromScore(*r.Score); err == nil {
			return s, strconv.FormatFloat(*r.Score, 'f', -1, 64), true
		}
	}
	if score, valid := cvss3Score(r.Vector); valid {
		if s, err := finding.SeverityFromScore(score); err == nil {
			return s, r.Vector, true
		}
	}
	return finding.SeverityUnset, "", false
}

// converter turns a BOM's vulnerabilities into findings.
type converter struct {
	b         *bom
	tool      finding.Tool
	root      string
	container bool
	image     string
	byRef     map[string]*component
	parents   map[string][]string // ref -> refs of the components that depend on it
}

func newConverter(b *bom, tool finding.Tool, root string) *converter {
	c := &converter{b: b, tool: tool, root: root, byRef: map[string]*component{}, parents: map[string][]string{}}
	if m := b.Metadata; m != nil && m.Component != nil {
		if m.Component.Type == "container" {
			c.container = true
			c.image = m.Component.Name
		}
		c.index(m.Component, "")
	}
	for i := range b.Components {
		c.index(&b.Components[i], "")
	}
	for _, d := range b.Dependencies {
		for _, on := range d.DependsOn {
			c.parents[on] = append(c.parents[on], d.Ref)
		}
	}
	return c
}

// index records cp and its nested components by bom-ref; parent is the
// ref of the component cp is nested in.
func (c *converter) index(cp *component, parent string) {
	if cp.BOMRef != "" {
		if _, dup := c.byRef[cp.BOMRef]; !dup {
			c.byRef[cp.BOMRef] = cp
		}
		if parent != "" {
			c.parents[cp.BOMRef] = append(c.parents[cp.BOMRef], parent)
		}
	}
	for i := range cp.Components {
		c.index(&cp.Components[i], cp.BOMRef)
	}
}

// lookup returns the component ref names: by bom-ref, else, for a purl
// without version or qualifiers, the first component whose purl extends
// it.
func (c *converter) lookup(ref string) *component {
	if ref == "" {
		return nil
	}
	if cp, ok := c.byRef[ref]; ok {
		return cp
	}
	if !strings.HasPrefix(ref, "pkg:") || strings.ContainsAny(ref, "@?#") {
		return nil
	}
	var found *component
	var walk func(cs []component)
	walk = func(cs []component) {
		for i := range cs {
			if found != nil {
				return
			}
			p := cs[i].PURL
			if strings.HasPrefix(p, ref) && len(p) > len(ref) && strings.ContainsRune("@?#", rune(p[len(ref)])) {
				found = &cs[i]
				return
			}
			walk(cs[i].Components)
		}
	}
	walk(c.b.Components)
	return found
}

// convert maps vulnerability v's report for the component ref to a
// finding.
func (c *converter) convert(v *vulnerability, ref string) *finding.Finding {
	f := &finding.Finding{Tool: c.tool, Category: finding.CategoryDependency, CWEs: cwes(v.CWEs)}
	if c.container {
		f.Category = finding.CategoryContainer
	}
	id := strings.TrimSpace(v.ID)
	if id == "" {
		id = "cyclonedx-vulnerability"
	} else {
		f.VulnIDs = []string{id}
	}
	for _, r := range v.References {
		if r.ID != "" && !slices.Contains(f.VulnIDs, r.ID) {
			f.VulnIDs = append(f.VulnIDs, r.ID)
		}
	}
	f.Rule = finding.Rule{ID: id, ShortDescription: firstSentence(v.Description),
		FullDescription: strings.TrimSpace(firstNonEmpty(v.Detail, v.Description))}
	for _, a := range v.Advisories {
		if a.URL != "" {
			f.Rule.HelpURI = a.URL
			break
		}
	}
	if f.Rule.HelpURI == "" && v.Source != nil {
		f.Rule.HelpURI = v.Source.URL
	}
	c.severity(f, v)
	pkg := c.pkg(f, v, ref)
	if v.Analysis != nil && v.Analysis.State != "" {
		adapt.Props(f, "cyclonedx.analysisState", v.Analysis.State)
		switch v.Analysis.State {
		case "not_affected", "false_positive", "resolved", "resolved_with_pedigree":
			just := strings.TrimSpace(strings.Join(nonEmpty(v.Analysis.Justification, v.Analysis.Detail), ": "))
			f.Suppressions = []finding.Suppression{{Kind: finding.SuppressionExternal, Justification: just,
				Source: "CycloneDX analysis (" + v.Analysis.State + ")"}}
		}
	}
	adapt.Props(f, "cyclonedx.bomRef", v.BOMRef)
	if v.Source != nil {
		adapt.Props(f, "cyclonedx.source", v.Source.Name)
	}
	// The message, like trivy's.
	var b strings.Builder
	if pkg != nil {
		b.WriteString(pkg.Name)
		if pkg.Version != "" {
			b.WriteString(" " + pkg.Version)
		}
		b.WriteString(" is affected by " + id)
		if pkg.FixedVersion != "" {
			b.WriteString(" (fixed in " + pkg.FixedVersion + ")")
		}
	} else {
		b.WriteString("Vulnerability " + id)
	}
	if f.Rule.ShortDescription != "" {
		b.WriteString(": " + f.Rule.ShortDescription)
	}
	f.Message = b.String()
	return f
}

// severity sets f's severity from v's ratings (see the package
// documentation).
func (c *converter) severity(f *finding.Finding, v *vulnerability) {
	for i := range v.Ratings {
		if s, from, ok := ratingSeverity(&v.Ratings[i]); ok && s > f.Severity {
			f.Severity, f.OriginalSeverity = s, from
		}
	}
	for i := range v.Ratings {
		// A rating that says only "unknown" or "none" (grype's for a
		// vulnerability without severity): info, as the tools' JSON
		// adapters read their own "Unknown".
		if w := strings.ToLower(strings.TrimSpace(v.Ratings[i].Severity)); f.Severity == finding.SeverityUnset && (w == "unknown" || w == "none") {
			f.Severity, f.OriginalSeverity = finding.SeverityInfo, v.Ratings[i].Severity
		}
	}
	if f.Severity == finding.SeverityUnset {
		f.Severity = finding.SeverityMedium
		adapt.Props(f, "cyclonedx.severityNote", "no rating with a severity, score or CVSS v3 vector; medium assumed")
	}
}

// pkg sets f's package and path from the component ref and returns the
// package, or nil when there is none.
func (c *converter) pkg(f *finding.Finding, v *vulnerability, ref string) *finding.Package {
	cp := c.lookup(ref)
	var pkg *finding.Package
	switch {
	case cp != nil:
		pkg = &finding.Package{Name: packageName(cp), Version: cp.Version, PURL: cp.PURL, Ecosystem: ecosystem(cp.PURL),
			Layer: prop(cp, "aquasecurity:trivy:LayerDigest")}
		if pkg.Name == "" {
			pkg.Name = firstNonEmpty(cp.BOMRef, "unknown")
		}
	case strings.HasPrefix(ref, "pkg:"):
		adapt.Props(f, "cyclonedx.ref", ref)
		name, version := purlNameVersion(ref)
		pkg = &finding.Package{Name: firstNonEmpty(name, ref), Version: version, PURL: ref, Ecosystem: ecosystem(ref)}
	case ref != "":
		adapt.Props(f, "cyclonedx.ref", ref)
		pkg = &finding.Package{Name: ref}
	default:
		return nil
	}
	pkg.FixedVersion = fixedVersion(v, ref, pkg.Name)
	if c.container {
		pkg.Image = c.image
	}
	f.Location.Package = pkg
	if cp != nil && !c.container {
		adapt.SetPath(f, c.root, c.file(cp), adapt.UnresolvedPath)
	}
	return pkg
}

// file returns the file a component was found in, if the BOM says.
func (c *converter) file(cp *component) string {
	if e := cp.Evidence; e != nil {
		for _, o := range e.Occurrences {
			if o.Location != "" {
				return o.Location
			}
		}
	}
	if p := prop(cp, "aquasecurity:trivy:FilePath"); p != "" {
		return p
	}
	if p := prop(cp, "syft:location:0:path"); p != "" {
		// Syft (grype's BOMs) writes the path from the scanned directory
		// with a leading "/", as grype's JSON report does.
		if _, err := finding.NormalizePath(c.root, p); err != nil && strings.HasPrefix(p, "/") {
			p = strings.TrimLeft(path.Clean(p), "/")
		}
		return p
	}
	// The nearest lang-pkgs target among the components that depend on
	// cp, directly or not (trivy puts a Go module's dependencies under
	// the module, and the module under go.mod).
	seen := map[string]bool{cp.BOMRef: true}
	queue := []string{cp.BOMRef}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		for _, parent := range c.parents[ref] {
			if seen[parent] {
				continue
			}
			seen[parent] = true
			if pc := c.byRef[parent]; pc != nil && pc.Type == "application" && prop(pc, "aquasecurity:trivy:Class") == "lang-pkgs" {
				return pc.Name
			}
			queue = append(queue, parent)
		}
	}
	return ""
}

// fixedRangeRE matches a vers range of one lower bound, "vers:npm/>=4.17.21",
// as grype writes the unaffected versions.
var fixedRangeRE = regexp.MustCompile(`^vers:[^/]+/>=([^|<>=!*]+)$`)

// recommendationRE matches one of trivy's recommendations.
var recommendationRE = regexp.MustCompile(`^Upgrade (.+) to version (\S+)$`)

// fixedVersion returns the version that fixes v for the component ref
// named name: trivy's recommendation for name (or its only one), else an
// unaffected version of ref.
func fixedVersion(v *vulnerability, ref, name string) string {
	var only string
	recs := strings.Split(v.Recommendation, "; ")
	for _, r := range recs {
		m := recommendationRE.FindStringSubmatch(strings.TrimSpace(r))
		if m == nil {
			continue
		}
		if m[1] == name {
			return m[2]
		}
		if len(recs) == 1 {
			only = m[2]
		}
	}
	if only != "" {
		return only
	}
	for _, a := range v.Affects {
		if a.Ref != ref {
			continue
		}
		for _, ver := range a.Versions {
			if ver.Status != "unaffected" {
				continue
			}
			if ver.Version != "" {
				return ver.Version
			}
			if m := fixedRangeRE.FindStringSubmatch(ver.Range); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// packageName names a component as its ecosystem does.
func packageName(cp *component) string {
	switch {
	case cp.Group == "":
		return cp.Name
	case strings.HasPrefix(cp.PURL, "pkg:maven/"):
		return cp.Group + ":" + cp.Name
	}
	return cp.Group + "/" + cp.Name
}

// purlEcosystems maps purl types to OSV ecosystems.
var purlEcosystems = map[string]string{
	"golang": "Go", "npm": "npm", "pypi": "PyPI", "maven": "Maven", "cargo": "crates.io",
	"gem": "RubyGems", "nuget": "NuGet", "composer": "Packagist", "pub": "Pub", "hex": "Hex",
	"swift": "SwiftURL", "cocoapods": "CocoaPods", "conan": "ConanCenter", "conda": "conda",
}

// ecosystem returns the OSV ecosystem of a purl: its type's, or for
// operating system packages (deb, rpm, apk) the distribution from the
// distro qualifier ("debian-12" is "Debian:12") or the namespace.
func ecosystem(purl string) string {
	typ, rest, ok := strings.Cut(strings.TrimPrefix(purl, "pkg:"), "/")
	if !ok || !strings.HasPrefix(purl, "pkg:") {
		return ""
	}
	typ = strings.ToLower(typ)
	if e, ok := purlEcosystems[typ]; ok {
		return e
	}
	if typ != "deb" && typ != "rpm" && typ != "apk" {
		return ""
	}
	ns, _, _ := strings.Cut(rest, "/")
	name, version := ns, ""
	if _, q, ok := strings.Cut(rest, "?"); ok {
		q, _, _ = strings.Cut(q, "#")
		if vals, err := url.ParseQuery(q); err == nil && vals.Get("distro") != "" {
			d := vals.Get("distro")
			if i := strings.LastIndexByte(d, '-'); i > 0 {
				name, version = d[:i], d[i+1:]
			} else {
				name = d
			}
		}
	}
	if name == "" {
		return ""
	}
	name = strings.ToUpper(name[:1]) + name[1:]
	if version != "" {
		return name + ":" + version
	}
	return name
}

// purlNameVersion returns the name (namespace/name) and version of a purl.
func purlNameVersion(purl string) (name, version string) {
	_, rest, ok := strings.Cut(strings.TrimPrefix(purl, "pkg:"), "/")
	if !ok {
		return "", ""
	}
	rest, _, _ = strings.Cut(rest, "#")
	rest, _, _ = strings.Cut(rest, "?")
	rest, version, _ = strings.Cut(rest, "@")
	if n, err := url.PathUnescape(rest); err == nil {
		rest = n
	}
	if v, err := url.PathUnescape(version); err == nil {
		version = v
	}
	return rest, version
}

// prop returns the value of the property name of cp.
func prop(cp *component, name string) string {
	for _, p := range cp.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// cwes returns ns ascending and distinct, without non-positive numbers.
func cwes(ns []int) []int {
	var out []int
	for _, n := range ns {
		if n > 0 {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// firstSentence returns the first line of s cut to its first sentence and
// at most 300 bytes.
func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	s, _, _ = strings.Cut(s, "\n")
	if i := strings.Index(s, ". "); i > 0 && i < 300 {
		return s[:i+1]
	}
	if len(s) > 300 {
		cut := 300
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		return s[:cut] + "…"
	}
	return strings.TrimSpace(s)
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

// nonEmpty returns the strings of ss that are not empty.
func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// xmlBOM is a CycloneDX XML BOM: the parts whose XML form differs from
// the JSON one.
type xmlBOM struct {
	XMLName  xml.Name
	Metadata struct {
		Tools struct {
			Legacy     []xmlTool `xml:"tool"`
			Components []xmlTool `xml:"components>component"`
			Services   []xmlTool `xml:"services>service"`
		} `xml:"tools"`
		Component *component `xml:"component"`
	} `xml:"metadata"`
	Components   []component `xml:"components>component"`
	Dependencies []struct {
		Ref       string `xml:"ref,attr"`
		DependsOn []struct {
			Ref string `xml:"ref,attr"`
		} `xml:"dependency"`
	} `xml:"dependencies>dependency"`
	Vulnerabilities *struct {
		List []vulnerability `xml:"vulnerability"`
	} `xml:"vulnerabilities"`
}

type xmlTool struct {
	Name    string `xml:"name"`
	Version string `xml:"version"`
}

// cdxNamespace is the prefix of CycloneDX XML namespaces; the spec
// version follows it.
const cdxNamespace = "http://cyclonedx.org/schema/bom/"

// decodeXML reads a CycloneDX XML BOM, with the spec version from its
// namespace.
func decodeXML(r io.Reader) (*bom, string, error) {
	var x xmlBOM
	if err := xml.NewDecoder(r).Decode(&x); err != nil {
		return nil, "", err
	}
	if x.XMLName.Local != "bom" || !strings.HasPrefix(x.XMLName.Space, cdxNamespace) {
		return nil, "", fmt.Errorf("root element <%s> in namespace %q, want <bom> in %s1.x", x.XMLName.Local, x.XMLName.Space, cdxNamespace)
	}
	b := &bom{BOMFormat: "CycloneDX", Metadata: &metadata{Component: x.Metadata.Component}, Components: x.Components}
	t := x.Metadata.Tools
	for _, tl := range slices.Concat(t.Legacy, t.Components, t.Services) {
		if tl.Name != "" {
			b.tools = append(b.tools, bomTool(tl.Name, tl.Version))
		}
	}
	for _, d := range x.Dependencies {
		dep := dependency{Ref: d.Ref}
		for _, on := range d.DependsOn {
			dep.DependsOn = append(dep.DependsOn, on.Ref)
		}
		b.Dependencies = append(b.Dependencies, dep)
	}
	if x.Vulnerabilities != nil {
		b.Vulnerabilities = &x.Vulnerabilities.List
		if x.Vulnerabilities.List == nil {
			b.Vulnerabilities = &[]vulnerability{}
		}
	}
	return b, strings.TrimPrefix(x.XMLName.Space, cdxNamespace), nil
}
