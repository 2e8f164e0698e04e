// Package grype reads Anchore Grype's JSON report (grype -o json) into
// scanmux findings.
//
// The adapter, "grype", reads the report of every Grype version seen so
// far: the current one (matches[].vulnerability with dataSource, urls,
// cvss[] and fix, relatedVulnerabilities, a matchDetails array) and the
// early one of Grype 0.7 (vulnerability with links and cvssV2, matchDetails
// as one object, CPEs as objects).
//
// Each match is one finding. Its category is container when the scanned
// source is an image (source.type "image"), else dependency. The package
// goes in Location.Package: Image is the image as the user named it
// (source.target.userInput), Layer the layer (diff ID) of the package's
// first location, and the ecosystem of a distribution's package is OSV's
// (Alpine:v3.16 for Alpine 3.16.0, see adapt.DistroEcosystem). Paths inside an image are not files of the scan root, so they
// go in the "grype.locations" property; for a directory scan the first
// location becomes Location.Path (made relative to the scan root, or to the
// scanned directory when Grype wrote it with a leading "/").
//
// VulnIDs lists the match's id first, then the ids of its related
// vulnerabilities (the NVD CVE behind a GHSA or a distro advisory).
// Severity is Grype's word (Critical, High, Medium, Low, Negligible,
// Unknown) read by finding.ParseSeverity: Negligible and Unknown become
// info.
package grype

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Adapters returns the grype adapter.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads Grype JSON reports. Its name is "grype".
type Adapter struct{}

// Name returns "grype".
func (Adapter) Name() string { return "grype" }

const expected = "Grype JSON report"

var (
	reMatches = regexp.MustCompile(`^\s*\{\s*"matches"\s*:`)
	reGrype   = regexp.MustCompile(`"name"\s*:\s*"grype"`)
)

// Detect claims an object that starts with "matches" and has Grype's
// match keys, or names grype as its descriptor.
func (Adapter) Detect(head []byte) bool {
	if reMatches.Match(head) {
		return bytes.Contains(head, []byte(`"artifact"`)) || bytes.Contains(head, []byte(`"vulnerability"`)) ||
			reGrype.Match(head)
	}
	return bytes.Contains(head, []byte(`"matches"`)) && bytes.Contains(head, []byte(`"descriptor"`)) && reGrype.Match(head)
}

type report struct {
	Matches []match `json:"matches"`
	Source  *struct {
		Type   string          `json:"type"`
		Target json.RawMessage `json:"target"`
	} `json:"source"`
	Distro *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"distro"`
	Descriptor struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"descriptor"`
}

type cvss struct {
	Source  string `json:"source"`
	Version string `json:"version"`
	Vector  string `json:"vector"`
	Metrics struct {
		BaseScore float64 `json:"baseScore"`
	} `json:"metrics"`
}

type vulnerability struct {
	ID          string   `json:"id"`
	DataSource  string   `json:"dataSource"`
	Namespace   string   `json:"namespace"`
	Severity    string   `json:"severity"`
	URLs        []string `json:"urls"`
	Links       []string `json:"links"` // Grype 0.7
	Description string   `json:"description"`
	CVSS        []cvss   `json:"cvss"`
	CVSSV2      *struct {
		BaseScore float64 `json:"baseScore"`
		Vector    string  `json:"vector"`
	} `json:"cvssV2"` // Grype 0.7
	Fix *struct {
		Versions []string `json:"versions"`
		State    string   `json:"state"`
	} `json:"fix"`
	EPSS []struct {
		EPSS       float64 `json:"epss"`
		Percentile float64 `json:"percentile"`
	} `json:"epss"`
	Risk float64 `json:"risk"`
	CWEs []struct {
		CWE string `json:"cwe"`
	} `json:"cwes"`
}

type location struct {
	Path    string `json:"path"`
	LayerID string `json:"layerID"`
}

type match struct {
	Vulnerability          vulnerability   `json:"vulnerability"`
	RelatedVulnerabilities []vulnerability `json:"relatedVulnerabilities"`
	MatchDetails           json.RawMessage `json:"matchDetails"`
	Artifact               struct {
		Name      string          `json:"name"`
		Version   string          `json:"version"`
		Type      string          `json:"type"`
		Locations []location      `json:"locations"`
		Language  string          `json:"language"`
		PURL      string          `json:"purl"`
		CPEs      json.RawMessage `json:"cpes"`
	} `json:"artifact"`
}

// Decode reads a Grype JSON report, one JSON document read whole.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "grype", InformationURI: "https://github.com/anchore/grype"}
	if opts == nil {
		opts = &scanners.Options{}
	}
	var rep report
	var raw map[string]json.RawMessage
	b, err := io.ReadAll(r)
	if err != nil {
		return tool, fmt.Errorf("%s: reading: %w", name, err)
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if _, ok := raw["matches"]; !ok {
		return tool, scanners.FormatError(name, expected, `no "matches" array`)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if v := rep.Descriptor.Version; v != "" && v != "[not provided]" { // a grype built by go install does not know its version
		tool.Version = v
	}
	image := false
	var userInput, dir string
	if s := rep.Source; s != nil {
		image = s.Type == "image"
		var t struct {
			UserInput string `json:"userInput"`
		}
		if json.Unmarshal(s.Target, &t) == nil {
			userInput = t.UserInput
		} else {
			json.Unmarshal(s.Target, &dir)
			userInput = dir
		}
	}
	for i := range rep.Matches {
		f := convert(&rep, &rep.Matches[i], tool, image, userInput, opts)
		if err := emit(f); err != nil {
			return tool, err
		}
	}
	return tool, nil
}

// ecosystems maps Grype artifact types to OSV ecosystem names.
var ecosystems = map[string]string{
	"python": "PyPI", "npm": "npm", "go-module": "Go", "java-archive": "Maven", "jenkins-plugin": "Maven",
	"gem": "RubyGems", "rust-crate": "crates.io", "php-composer": "Packagist", "dotnet": "NuGet",
	"pub": "Pub", "hex": "Hex", "conan": "ConanCenter", "swift": "SwiftURL", "cocoapods": "CocoaPods",
}

func ecosystem(rep *report, typ string) string {
	if e, ok := ecosystems[typ]; ok {
		return e
	}
	if (typ == "deb" || typ == "apk" || typ == "rpm") && rep.Distro != nil && rep.Distro.Name != "" {
		return adapt.DistroEcosystem(rep.Distro.Name, rep.Distro.Version)
	}
	return ""
}

func convert(rep *report, m *match, tool finding.Tool, image bool, userInput string, opts *scanners.Options) *finding.Finding {
	v := &m.Vulnerability
	a := &m.Artifact
	f := &finding.Finding{Tool: tool, Properties: map[string]string{}}
	f.Category = finding.CategoryDependency
	if image {
		f.Category = finding.CategoryContainer
	}
	f.OriginalSeverity = v.Severity
	sev, err := finding.ParseSeverity(v.Severity)
	if err != nil {
		sev = finding.SeverityInfo
		f.Properties["grype.severityNote"] = "severity missing or unknown; info assumed"
	}
	f.Severity = sev
	id := v.ID
	if id == "" {
		id = "grype-vulnerability"
	} else {
		f.VulnIDs = []string{id}
	}
	desc := v.Description
	for _, rv := range m.RelatedVulnerabilities {
		if rv.ID != "" && !slices.Contains(f.VulnIDs, rv.ID) {
			f.VulnIDs = append(f.VulnIDs, rv.ID)
		}
		if desc == "" {
			desc = rv.Description
		}
	}
	urls := v.URLs
	if len(urls) == 0 {
		urls = v.Links
	}
	help := v.DataSource
	if help == "" && len(urls) > 0 {
		help = urls[0]
	}
	f.Rule = finding.Rule{ID: id, FullDescription: desc, HelpURI: help}
	if desc != "" {
		f.Rule.ShortDescription = firstSentence(desc)
	}
	for _, c := range v.CWEs {
		if n, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(c.CWE), "CWE-")); err == nil && n > 0 {
			f.CWEs = append(f.CWEs, n)
		}
	}
	slices.Sort(f.CWEs)
	f.CWEs = slices.Compact(f.CWEs)

	pkg := &finding.Package{Name: a.Name, Version: a.Version, Ecosystem: ecosystem(rep, a.Type), PURL: a.PURL}
	if pkg.Name == "" {
		pkg.Name = "unknown"
	}
	if v.Fix != nil && len(v.Fix.Versions) > 0 {
		pkg.FixedVersion = v.Fix.Versions[0]
		if len(v.Fix.Versions) > 1 {
			setJSON(f, "grype.fixVersions", v.Fix.Versions)
		}
	}
	if image {
		pkg.Image = userInput
		if len(a.Locations) > 0 {
			pkg.Layer = a.Locations[0].LayerID
		}
	} else if len(a.Locations) > 0 && a.Locations[0].Path != "" {
		p := a.Locations[0].Path
		rel, err := finding.NormalizePath(opts.Root, p)
		if err != nil && strings.HasPrefix(p, "/") {
			// Grype writes directory-scan paths from the scanned
			// directory, with a leading "/".
			rel, err = finding.NormalizePath("", strings.TrimLeft(path.Clean(p), "/"))
		}
		if err == nil {
			f.Location.Path = rel
		}
	}
	f.Location.Package = pkg
	msg := fmt.Sprintf("%s %s is affected by %s", pkg.Name, a.Version, id)
	if pkg.FixedVersion != "" {
		msg += " (fixed in " + pkg.FixedVersion + ")"
	}
	f.Message = msg

	set(f, "grype.namespace", v.Namespace)
	set(f, "grype.artifactType", a.Type)
	set(f, "grype.language", a.Language)
	if v.Fix != nil {
		set(f, "grype.fixState", v.Fix.State)
	}
	if score, vec := bestCVSS(m); score > 0 {
		f.Properties["cvss.baseScore"] = strconv.FormatFloat(score, 'f', -1, 64)
		set(f, "cvss.vector", vec)
	}
	if len(v.EPSS) > 0 {
		f.Properties["epss.score"] = strconv.FormatFloat(v.EPSS[0].EPSS, 'f', -1, 64)
		f.Properties["epss.percentile"] = strconv.FormatFloat(v.EPSS[0].Percentile, 'f', -1, 64)
	}
	if v.Risk > 0 {
		f.Properties["grype.risk"] = strconv.FormatFloat(v.Risk, 'f', -1, 64)
	}
	var locs []string
	for _, l := range a.Locations {
		locs = append(locs, l.Path)
	}
	setJSON(f, "grype.locations", locs)
	setJSON(f, "references", urls)
	if matchers := matchers(m.MatchDetails); len(matchers) > 0 {
		f.Properties["grype.matchers"] = strings.Join(matchers, ",")
	}
	if len(f.Properties) == 0 {
		f.Properties = nil
	}
	return f
}

// bestCVSS returns the highest CVSS v3 (else v2) base score of the match
// and its related vulnerabilities, with its vector.
func bestCVSS(m *match) (float64, string) {
	var best float64
	var vec string
	for _, v := range append([]vulnerability{m.Vulnerability}, m.RelatedVulnerabilities...) {
		for _, c := range v.CVSS {
			if strings.HasPrefix(c.Version, "3") && c.Metrics.BaseScore > best {
				best, vec = c.Metrics.BaseScore, c.Vector
			}
		}
	}
	if best > 0 {
		return best, vec
	}
	for _, v := range append([]vulnerability{m.Vulnerability}, m.RelatedVulnerabilities...) {
		for _, c := range v.CVSS {
			if c.Metrics.BaseScore > best {
				best, vec = c.Metrics.BaseScore, c.Vector
			}
		}
		if v.CVSSV2 != nil && v.CVSSV2.BaseScore > best {
			best, vec = v.CVSSV2.BaseScore, v.CVSSV2.Vector
		}
	}
	return best, vec
}

// matchers returns the matcher names of matchDetails, an array in current
// Grype and one object in Grype 0.7.
func matchers(raw json.RawMessage) []string {
	type detail struct {
		Matcher string `json:"matcher"`
	}
	var list []detail
	if json.Unmarshal(raw, &list) != nil {
		var one detail
		if json.Unmarshal(raw, &one) != nil {
			return nil
		}
		list = []detail{one}
	}
	var out []string
	for _, d := range list {
		if d.Matcher != "" && !slices.Contains(out, d.Matcher) {
			out = append(out, d.Matcher)
		}
	}
	return out
}

func firstSentence(s string) string {
	s = strings.TrimSpace(s)
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
	return s
}

func set(f *finding.Finding, k, v string) {
	if v != "" {
		f.Properties[k] = v
	}
}

func setJSON(f *finding.Finding, k string, v []string) {
	if len(v) == 0 {
		return
	}
	if b, err := json.Marshal(v); err == nil {
		f.Properties[k] = string(b)
	}
}
