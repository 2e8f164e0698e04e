package semgrep

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// expectedSupplyChain names the supply-chain format in errors.
const expectedSupplyChain = "Semgrep supply-chain vulnerability list"

// SupplyChainAdapter reads the supply-chain vulnerabilities that Semgrep's
// web API lists for a deployment ({"vulns": [...], "hasMore", "cursor"}).
// The zero value is ready to use.
//
// Each element of "vulns" becomes one [finding.Finding] of category
// dependency:
//
//   - Rule.ID is advisory.ruleId; Rule.Name and ShortDescription are
//     advisory.title; FullDescription is advisory.description; HelpURI is
//     the first of advisory.references.urls.
//   - Message is title, then the matched dependency and its version.
//   - Severity is advisory.severity through [finding.ParseSeverity]
//     (CRITICAL, HIGH, MEDIUM, LOW); OriginalSeverity keeps it verbatim; a
//     severity that does not parse becomes medium.
//   - CWEs come from advisory.references.cweIds; VulnIDs are cveIds, then
//     the GHSA ids of the reference URLs.
//   - Location.Package is matchedDependency (name, version),
//     closestSafeDependency's version as FixedVersion, and
//     advisory.ecosystem as an OSV ecosystem name (gem is RubyGems, pypi
//     PyPI ...; unknown names are kept as written).
//   - Location.Path and Region.StartLine are dependencyFileLocation's path
//     and startLine ("0" means unknown).
//   - triage.status IGNORED becomes an accepted external suppression,
//     PROVISIONALLY_IGNORED one under review, with the dismiss reason.
//   - exposureType, transitivity, advisory.reachability, triage.status,
//     repositoryName, packageManager and openedAt go to Properties under
//     "semgrep.".
//
// The list does not say which Semgrep version produced it; Tool.Version is
// empty. A list with "hasMore" true is one page: only its findings are
// read.
type SupplyChainAdapter struct{}

// Name returns "semgrep-supply-chain".
func (SupplyChainAdapter) Name() string { return SupplyChainName }

// Detect reports whether head starts a Semgrep supply-chain list: a JSON
// object with "vulns" and "advisory", and an "ssc-" rule id or a
// "matchedDependency".
func (SupplyChainAdapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "{")
	return ok && h.Has("vulns") && h.Has("advisory") && (h.Contains(`"ssc-`) || h.Has("matchedDependency"))
}

// scaList is the API response.
type scaList struct {
	Vulns *[]scaVuln `json:"vulns"`
}

// scaVuln is one element of vulns.
type scaVuln struct {
	Title    string `json:"title"`
	Advisory struct {
		RuleID      string `json:"ruleId"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Ecosystem   string `json:"ecosystem"`
		Severity    string `json:"severity"`
		References  struct {
			CVEIDs []string `json:"cveIds"`
			CWEIDs []string `json:"cweIds"`
			URLs   []string `json:"urls"`
		} `json:"references"`
		Reachability string `json:"reachability"`
	} `json:"advisory"`
	ExposureType           string        `json:"exposureType"`
	RepositoryName         string        `json:"repositoryName"`
	MatchedDependency      scaDependency `json:"matchedDependency"`
	ClosestSafeDependency  scaDependency `json:"closestSafeDependency"`
	DependencyFileLocation struct {
		Path      string `json:"path"`
		StartLine string `json:"startLine"`
	} `json:"dependencyFileLocation"`
	Triage struct {
		Status        string `json:"status"`
		DismissReason string `json:"dismissReason"`
	} `json:"triage"`
	OpenedAt       string `json:"openedAt"`
	Transitivity   string `json:"transitivity"`
	PackageManager string `json:"packageManager"`
}

// scaDependency is a package name and version.
type scaDependency struct {
	Name             string `json:"name"`
	VersionSpecifier string `json:"versionSpecifier"`
}

// osvEcosystems maps Semgrep's ecosystem names to OSV's.
var osvEcosystems = map[string]string{
	"gem": "RubyGems", "pypi": "PyPI", "npm": "npm", "maven": "Maven",
	"gomod": "Go", "cargo": "crates.io", "composer": "Packagist",
	"nuget": "NuGet", "pub": "Pub", "hex": "Hex", "swiftpm": "SwiftURL",
}

// ghsaRE matches a GitHub advisory id.
var ghsaRE = regexp.MustCompile(`GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}`)

// Decode reads a Semgrep supply-chain list from r and emits one finding per
// vulnerability.
func (SupplyChainAdapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "semgrep", InformationURI: "https://semgrep.dev"}
	var list scaList
	if err := json.NewDecoder(r).Decode(&list); err != nil {
		return tool, scanners.FormatError(name, expectedSupplyChain, err.Error())
	}
	if list.Vulns == nil {
		return tool, scanners.FormatError(name, expectedSupplyChain, `no "vulns" array`)
	}
	root := rootOf(opts)
	for i := range *list.Vulns {
		v := &(*list.Vulns)[i]
		if v.Advisory.RuleID == "" || v.MatchedDependency.Name == "" {
			return tool, scanners.FormatError(name, expectedSupplyChain,
				fmt.Sprintf("vulnerability %d has no advisory.ruleId or matchedDependency.name", i))
		}
		if err := emit(convertSCA(tool, root, v)); err != nil {
			return tool, err
		}
	}
	return tool, nil
}

// convertSCA maps one supply-chain vulnerability to a finding.
func convertSCA(tool finding.Tool, root string, v *scaVuln) *finding.Finding {
	a := &v.Advisory
	title := firstNonEmpty(v.Title, a.Title, a.RuleID)
	f := &finding.Finding{
		Tool: tool,
		Rule: finding.Rule{
			ID:               a.RuleID,
			Name:             a.Title,
			ShortDescription: a.Title,
			FullDescription:  strings.TrimSpace(a.Description),
		},
		Message:          strings.TrimSpace(title + ": " + v.MatchedDependency.Name + " " + v.MatchedDependency.VersionSpecifier),
		Category:         finding.CategoryDependency,
		OriginalSeverity: a.Severity,
		CWEs:             parseCWEs(a.References.CWEIDs),
	}
	if len(a.References.URLs) > 0 {
		f.Rule.HelpURI = a.References.URLs[0]
	}
	sev, err := finding.ParseSeverity(a.Severity)
	if err != nil {
		sev = finding.SeverityMedium
	}
	f.Severity = sev
	seen := map[string]bool{}
	addID := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			f.VulnIDs = append(f.VulnIDs, id)
		}
	}
	for _, id := range a.References.CVEIDs {
		addID(id)
	}
	for _, u := range a.References.URLs {
		addID(ghsaRE.FindString(u))
	}

	eco := a.Ecosystem
	if e, ok := osvEcosystems[strings.ToLower(eco)]; ok {
		eco = e
	}
	f.Location.Package = &finding.Package{
		Name:         v.MatchedDependency.Name,
		Version:      v.MatchedDependency.VersionSpecifier,
		FixedVersion: v.ClosestSafeDependency.VersionSpecifier,
		Ecosystem:    eco,
	}
	props := map[string]string{}
	setIf := func(k, val string) {
		if val != "" {
			props[k] = val
		}
	}
	if loc := v.DependencyFileLocation; loc.Path != "" {
		if p, err := finding.NormalizePath(root, loc.Path); err == nil {
			f.Location.Path = p
			if n, err := strconv.Atoi(loc.StartLine); err == nil && n > 0 {
				f.Location.Region.StartLine = n
			}
		} else {
			props["semgrep.file"] = loc.Path
		}
	}
	switch v.Triage.Status {
	case "IGNORED", "PROVISIONALLY_IGNORED":
		s := finding.Suppression{Kind: finding.SuppressionExternal, Source: "Semgrep triage"}
		if v.Triage.Status == "PROVISIONALLY_IGNORED" {
			s.Status = finding.SuppressionUnderReview
		}
		if r := v.Triage.DismissReason; r != "" && r != "UNKNOWN_REASON" {
			s.Justification = r
		}
		f.Suppressions = []finding.Suppression{s}
	}
	setIf("semgrep.exposure_type", v.ExposureType)
	setIf("semgrep.transitivity", v.Transitivity)
	setIf("semgrep.reachability", a.Reachability)
	setIf("semgrep.triage_status", v.Triage.Status)
	setIf("semgrep.repository", v.RepositoryName)
	setIf("semgrep.package_manager", v.PackageManager)
	setIf("semgrep.opened_at", v.OpenedAt)
	if len(props) > 0 {
		f.Properties = props
	}
	return f
}
