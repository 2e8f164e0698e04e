// Package osvscanner reads osv-scanner's JSON report (osv-scanner --format
// json) into scanmux findings.
//
// The adapter, "osv-scanner", makes one finding per vulnerability group per
// package: osv-scanner groups the OSV entries that are aliases of each other
// (a GHSA and the PYSEC entry for the same flaw) under packages[].groups, so
// a group is one flaw. A package without groups (reports of osv-scanner
// before 1.3) gives one finding per vulnerability.
//
// Fields:
//   - Rule.ID is the group's first id; VulnIDs are the group's ids, then its
//     aliases, without repeats.
//   - Severity comes from the group's max_severity (a CVSS base score, as
//     osv-scanner computes it) by finding.SeverityFromScore; without it, from
//     the highest database_specific.severity of the group's entries (GitHub's
//     CRITICAL, HIGH, MODERATE, LOW); without either, medium, with the
//     property "osv.severityNote" saying so. OriginalSeverity is the string
//     the severity came from.
//   - Package.FixedVersion is the "fixed" event of the affected range of the
//     package that contains the installed version (compared segment by
//     segment, numbers as numbers), else the lowest fixed version above it.
//   - Location.Path is the scanned lockfile (results[].source.path) made
//     relative to the scan root; an absolute path outside the root is kept in
//     the "osv.source" property instead.
//   - A package found by git commit has no name: Package.Name is the
//     repository of the entry's GIT range (or the source path) and
//     Package.Version the commit.
//   - VulnIDs also name the entries' upstream ids (OSV 1.7's "upstream":
//     an Alpine or Debian record, ALPINE-CVE-2022-37434, names its CVE
//     there, not among its aliases).
//   - Package.PURL is the affected entry's purl without its qualifiers
//     (pkg:apk/alpine/zlib?arch=source names the source package) with the
//     installed version, else the purl of the ecosystems whose purl is
//     their name and version; a Go module's version gets its "v"
//     (osv-scanner writes 0.7.0 for a Go binary's v0.7.0).
//
// # Images
//
// A report of osv-scanner scan image (it has "image_metadata") gives
// container findings: Package.Layer is the diff ID of the layer that added
// the package (image_origin_details.index into image_metadata's
// layer_metadata), its history command goes in "osv.layerCommand", and the
// path the package was found at in the image ("/lib/apk/db/installed",
// "/app/node_modules/.package-lock.json") in "osv.source", never in
// Location.Path: it is not a file of the scan root. Package.Image is left
// for the caller that knows what the image was called (the report does not
// say).
package osvscanner

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

// Adapters returns the osv-scanner adapter.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads osv-scanner JSON reports. Its name is "osv-scanner".
type Adapter struct{}

// Name returns "osv-scanner".
func (Adapter) Name() string { return "osv-scanner" }

const expected = "osv-scanner JSON report"

var reHead = regexp.MustCompile(`^\s*\{\s*"results"\s*:\s*(null|\[\s*(\]|\{\s*"source"\s*:\s*\{\s*"path"))`)

// Detect claims an object whose first key is "results" and whose first
// result starts with a "source" object holding a "path", as osv-scanner
// writes them.
func (Adapter) Detect(head []byte) bool { return reHead.Match(head) }

type report struct {
	Results *[]struct {
		Source struct {
			Path string `json:"path"`
			Type string `json:"type"`
		} `json:"source"`
		Packages []pkg `json:"packages"`
	} `json:"results"`
	ImageMetadata *struct {
		LayerMetadata []layerMeta `json:"layer_metadata"`
	} `json:"image_metadata"`
}

// layerMeta is an entry of an image scan's history (image_metadata's
// layer_metadata): one per history entry, empty layers included.
type layerMeta struct {
	DiffID  string `json:"diff_id"`
	Command string `json:"command"`
}

type pkg struct {
	Package struct {
		Name               string `json:"name"`
		Version            string `json:"version"`
		Ecosystem          string `json:"ecosystem"`
		Commit             string `json:"commit"`
		ImageOriginDetails *struct {
			Index int `json:"index"`
		} `json:"image_origin_details"`
	} `json:"package"`
	Vulnerabilities []vuln  `json:"vulnerabilities"`
	Groups          []group `json:"groups"`
}

type group struct {
	IDs         []string `json:"ids"`
	Aliases     []string `json:"aliases"`
	MaxSeverity string   `json:"max_severity"`
}

type event struct {
	Introduced   string `json:"introduced"`
	Fixed        string `json:"fixed"`
	LastAffected string `json:"last_affected"`
}

type vuln struct {
	ID       string   `json:"id"`
	Aliases  []string `json:"aliases"`
	Upstream []string `json:"upstream"`
	Summary  string   `json:"summary"`
	Details  string   `json:"details"`
	Affected []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
			PURL      string `json:"purl"`
		} `json:"package"`
		Ranges []struct {
			Type   string  `json:"type"`
			Repo   string  `json:"repo"`
			Events []event `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
	Severity []struct {
		Type  string `json:"type"`
		Score string `json:"score"`
	} `json:"severity"`
	References []struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"references"`
	DatabaseSpecific struct {
		Severity string   `json:"severity"`
		CWEIDs   []string `json:"cwe_ids"`
	} `json:"database_specific"`
}

// Decode reads an osv-scanner JSON report, one JSON document read whole.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "osv-scanner", InformationURI: "https://google.github.io/osv-scanner/"}
	if opts == nil {
		opts = &scanners.Options{}
	}
	var rep report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if rep.Results == nil {
		return tool, scanners.FormatError(name, expected, `no "results" array`)
	}
	for _, res := range *rep.Results {
		for i := range res.Packages {
			p := &res.Packages[i]
			groups := p.Groups
			if len(groups) == 0 {
				for _, v := range p.Vulnerabilities {
					groups = append(groups, group{IDs: []string{v.ID}})
				}
			}
			for _, g := range groups {
				f := convert(p, g, res.Source.Path, res.Source.Type, tool, opts)
				if rep.ImageMetadata != nil {
					inImage(f, p, rep.ImageMetadata.LayerMetadata)
				}
				if err := emit(f); err != nil {
					return tool, err
				}
			}
		}
	}
	return tool, nil
}

// ghSeverity orders GitHub's database_specific severities.
var ghSeverity = map[string]int{"LOW": 1, "MODERATE": 2, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}

func convert(p *pkg, g group, source, sourceType string, tool finding.Tool, opts *scanners.Options) *finding.Finding {
	f := &finding.Finding{Tool: tool, Category: finding.CategoryDependency, Properties: map[string]string{}}
	var vs []*vuln
	for _, id := range g.IDs {
		for i := range p.Vulnerabilities {
			if p.Vulnerabilities[i].ID == id {
				vs = append(vs, &p.Vulnerabilities[i])
			}
		}
	}
	for _, id := range append(slices.Clone(g.IDs), g.Aliases...) {
		if id != "" && !slices.Contains(f.VulnIDs, id) {
			f.VulnIDs = append(f.VulnIDs, id)
		}
	}
	for _, v := range vs {
		for _, id := range slices.Concat(v.Aliases, v.Upstream) {
			if id != "" && !slices.Contains(f.VulnIDs, id) {
				f.VulnIDs = append(f.VulnIDs, id)
			}
		}
	}
	id := "osv-vulnerability"
	if len(f.VulnIDs) > 0 {
		id = f.VulnIDs[0]
	}
	var primary *vuln
	if len(vs) > 0 {
		primary = vs[0]
	} else {
		primary = &vuln{}
	}
	f.Rule = finding.Rule{ID: id, ShortDescription: primary.Summary, FullDescription: primary.Details,
		HelpURI: "https://osv.dev/vulnerability/" + id}
	for _, v := range vs {
		if f.Rule.ShortDescription == "" {
			f.Rule.ShortDescription = v.Summary
		}
		if f.Rule.FullDescription == "" {
			f.Rule.FullDescription = v.Details
		}
	}

	// Severity.
	switch {
	case g.MaxSeverity != "":
		f.OriginalSeverity = g.MaxSeverity
		if score, err := strconv.ParseFloat(g.MaxSeverity, 64); err == nil {
			if s, err := finding.SeverityFromScore(score); err == nil {
				f.Severity = s
			}
		}
	default:
		best := ""
		for _, v := range vs {
			if s := v.DatabaseSpecific.Severity; ghSeverity[strings.ToUpper(s)] > ghSeverity[strings.ToUpper(best)] {
				best = s
			}
		}
		if best != "" {
			f.OriginalSeverity = best
			f.Severity, _ = finding.ParseSeverity(best)
		}
	}
	if !f.Severity.Valid() {
		f.Severity = finding.SeverityMedium
		f.Properties["osv.severityNote"] = "no max_severity nor database_specific.severity; medium assumed"
	}
	var vectors []string
	for _, v := range vs {
		for _, s := range v.Severity {
			if s.Score != "" && !slices.Contains(vectors, s.Score) {
				vectors = append(vectors, s.Score)
			}
		}
		for _, c := range v.DatabaseSpecific.CWEIDs {
			if n, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(c), "CWE-")); err == nil && n > 0 {
				f.CWEs = append(f.CWEs, n)
			}
		}
	}
	slices.Sort(f.CWEs)
	f.CWEs = slices.Compact(f.CWEs)
	if len(vectors) > 0 {
		f.Properties["osv.severityVectors"] = strings.Join(vectors, " ")
	}

	// Package.
	pk := &finding.Package{Name: p.Package.Name, Version: p.Package.Version, Ecosystem: p.Package.Ecosystem}
	if pk.Name == "" && p.Package.Commit != "" {
		pk.Version = p.Package.Commit
		for _, v := range vs {
			for _, a := range v.Affected {
				for _, r := range a.Ranges {
					if r.Repo != "" && pk.Name == "" {
						pk.Name = r.Repo
					}
				}
			}
		}
		if pk.Name == "" {
			pk.Name = source
		}
		f.Properties["osv.commit"] = p.Package.Commit
	}
	if pk.Name == "" {
		pk.Name = "unknown"
	}
	pk.PURL, pk.FixedVersion = fixAndPURL(vs, p)
	f.Location.Package = pk

	if source != "" {
		if rel, err := finding.NormalizePath(opts.Root, source); err == nil {
			f.Location.Path = rel
		} else {
			f.Properties["osv.source"] = source
		}
	}
	if sourceType != "" {
		f.Properties["osv.sourceType"] = sourceType
	}
	msg := fmt.Sprintf("%s %s is affected by %s", pk.Name, pk.Version, id)
	if pk.FixedVersion != "" {
		msg += " (fixed in " + pk.FixedVersion + ")"
	}
	if f.Rule.ShortDescription != "" {
		msg += ": " + f.Rule.ShortDescription
	}
	f.Message = msg
	var refs []string
	for _, v := range vs {
		for _, r := range v.References {
			if r.URL != "" && !slices.Contains(refs, r.URL) {
				refs = append(refs, r.URL)
			}
		}
	}
	if len(refs) > 0 {
		b, _ := json.Marshal(refs)
		f.Properties["references"] = string(b)
	}
	if len(f.Properties) == 0 {
		f.Properties = nil
	}
	return f
}

// fixAndPURL returns the package URL (the affected entry's versionless
// purl with the installed version) and the fixed version for the installed
// version of p.
func fixAndPURL(vs []*vuln, p *pkg) (purl, fixed string) {
	installed := p.Package.Version
	var lowest string
	for _, v := range vs {
		for _, a := range v.Affected {
			if a.Package.Name != p.Package.Name || (p.Package.Ecosystem != "" && a.Package.Ecosystem != p.Package.Ecosystem) {
				continue
			}
			if purl == "" && a.Package.PURL != "" && installed != "" {
				purl, _, _ = strings.Cut(a.Package.PURL, "?")
				purl, _, _ = strings.Cut(purl, "#")
				purl += "@" + goVersion(p.Package.Ecosystem, installed)
			}
			for _, r := range a.Ranges {
				if r.Type == "GIT" {
					continue
				}
				intro := ""
				for _, e := range r.Events {
					switch {
					case e.Introduced != "":
						intro = e.Introduced
					case e.Fixed != "":
						if fixed == "" && installed != "" && (intro == "0" || compareVersions(installed, intro) >= 0) &&
							compareVersions(installed, e.Fixed) < 0 {
							fixed = e.Fixed
						}
						if (installed == "" || compareVersions(e.Fixed, installed) > 0) &&
							(lowest == "" || compareVersions(e.Fixed, lowest) < 0) {
							lowest = e.Fixed
						}
					}
				}
			}
		}
	}
	if fixed == "" {
		fixed = lowest
	}
	if purl == "" {
		purl = adapt.PURL(p.Package.Ecosystem, p.Package.Name, goVersion(p.Package.Ecosystem, installed))
	}
	return purl, fixed
}

// goVersion gives a Go module's version its "v", which Go purls carry and
// osv-scanner leaves out for the modules of a Go binary.
func goVersion(eco, v string) string {
	if eco == "Go" && v != "" && v[0] >= '0' && v[0] <= '9' {
		return "v" + v
	}
	return v
}

// reDistroCVE matches the OSV id of a distribution's record of a CVE:
// ALPINE-CVE-2022-37434, DEBIAN-CVE-…, UBUNTU-CVE-… name the CVE their
// record's upstream field gives.
var reDistroCVE = regexp.MustCompile(`^[A-Z]+-(CVE-\d{4}-\d{4,})$`)

// distroCVEs returns the CVEs that distribution ids among ids name.
func distroCVEs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if m := reDistroCVE.FindStringSubmatch(id); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// inImage makes f, read from an image scan's report, a container finding:
// the layer's diff ID, its command, and the path in the image kept out of
// Location.
func inImage(f *finding.Finding, p *pkg, layers []layerMeta) {
	f.Category = finding.CategoryContainer
	if f.Location.Path != "" {
		adapt.Props(f, "osv.source", "/"+strings.TrimPrefix(f.Location.Path, "/"))
		f.Location.Path = ""
	}
	if o := p.Package.ImageOriginDetails; o != nil && o.Index >= 0 && o.Index < len(layers) {
		f.Location.Package.Layer = layers[o.Index].DiffID
		adapt.Props(f, "osv.layerCommand", layers[o.Index].Command)
	}
}

// compareVersions compares two version strings segment by segment: runs of
// digits compare as numbers, other runs as text, and a version that is a
// prefix of the other is lower unless the rest starts a pre-release
// ("1.0" > "1.0rc1", "1.0" < "1.0.1").
func compareVersions(a, b string) int {
	sa, sb := segments(strings.TrimPrefix(a, "v")), segments(strings.TrimPrefix(b, "v"))
	for i := 0; i < len(sa) && i < len(sb); i++ {
		x, y := sa[i], sb[i]
		nx, ex := strconv.ParseUint(x, 10, 64)
		ny, ey := strconv.ParseUint(y, 10, 64)
		switch {
		case ex == nil && ey == nil:
			if nx != ny {
				if nx < ny {
					return -1
				}
				return 1
			}
		case ex == nil: // number after text: the number (a release) is higher
			return 1
		case ey == nil:
			return -1
		default:
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	switch {
	case len(sa) == len(sb):
		return 0
	case len(sa) > len(sb):
		if _, err := strconv.ParseUint(sa[len(sb)], 10, 64); err != nil {
			return -1 // a's rest is a pre-release tag
		}
		return 1
	default:
		if _, err := strconv.ParseUint(sb[len(sa)], 10, 64); err != nil {
			return 1
		}
		return -1
	}
}

// segments splits a version into runs of digits and runs of letters,
// dropping separators.
func segments(v string) []string {
	var out []string
	cur := ""
	kind := 0 // 1 digits, 2 letters
	for _, r := range v {
		k := 0
		switch {
		case r >= '0' && r <= '9':
			k = 1
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			k = 2
		}
		if k != kind && cur != "" {
			out = append(out, cur)
			cur = ""
		}
		kind = k
		if k != 0 {
			cur += string(r)
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}
