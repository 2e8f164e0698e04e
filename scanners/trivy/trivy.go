// Package trivy reads Trivy's JSON report (trivy image/fs/repo/config/k8s
// --format json) into scanmux findings.
//
// One adapter, "trivy", reads every JSON shape Trivy has written:
//
//   - the report of SchemaVersion 2 (trivy 0.20 and later): an object with
//     ArtifactName, ArtifactType, Metadata and Results;
//   - the legacy report (before 0.20): a top-level array of results;
//   - the Kubernetes reports: an object with ClusterName and Resources (one
//     entry per workload, each with Results), and the older one with
//     ClusterName and top-level Vulnerabilities and Misconfigurations lists
//     of workloads.
//
// Each result of a report gives findings of three kinds:
//
//   - Vulnerabilities: category container when the artifact is a container
//     image or VM, when the result holds OS packages (Class os-pkgs) or when
//     it comes from a Kubernetes workload, else dependency. The package goes
//     in Location.Package (Image is the artifact name, Layer the layer's
//     diff ID, as grype and osv-scanner give it, else its digest; a digest
//     beside the diff ID goes in "trivy.layerDigest"; the ecosystem of an
//     OS package is OSV's, Alpine:v3.16 for Alpine 3.16.0, see
//     adapt.DistroEcosystem) and Location.Path is the manifest (the
//     result's Target or the package's PkgPath) when that is a file path
//     of the scan root, with the package's lines in it when the result
//     lists its Packages (--list-all-pkgs): the first place is the region,
//     the others related locations. In an image's report the manifest is a
//     path in the image, kept in "trivy.path", never Location.Path.
//   - Misconfigurations: category iac, only those whose Status is FAIL (or
//     empty, as in old reports); PASS and EXCEPTION entries are checks that
//     passed. The rule id is the AVDID when present, else the ID.
//   - Secrets: category secret. Trivy masks the secret with "*" in Match
//     and in the cause lines of Code before writing the report, so the clear
//     secret is never available: the adapter keeps only the masked text
//     (and replaces a match that carries no mask by "REDACTED"), never
//     copies Code lines that are not the cause (they may hold other,
//     unmasked secrets) and cannot compute Fingerprints["secret/sha256"].
//     It sets Fingerprints["trivy/secret-location/sha256"], a hash of the
//     rule id, file and lines, instead.
//   - Licenses (Class license): category other, severity from Trivy's.
//
// Severities are Trivy's words (CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN) read
// by finding.ParseSeverity; UNKNOWN becomes info.
package trivy

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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

// Adapters returns the trivy adapter.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads Trivy JSON reports. Its name is "trivy".
type Adapter struct{}

// Name returns "trivy".
func (Adapter) Name() string { return "trivy" }

const expected = "Trivy JSON report"

var (
	reSchema  = regexp.MustCompile(`"SchemaVersion"\s*:\s*\d`)
	reCluster = regexp.MustCompile(`^\s*\{\s*"ClusterName"\s*:`)
	reLegacy  = regexp.MustCompile(`^\s*\[\s*\{\s*"Target"\s*:`)
)

// Detect claims a head with a "SchemaVersion" number and Trivy's keys, a
// Kubernetes report starting with "ClusterName", or a legacy array whose
// first result starts with "Target".
func (Adapter) Detect(head []byte) bool {
	switch {
	case reSchema.Match(head):
		return bytes.Contains(head, []byte(`"ArtifactName"`)) || bytes.Contains(head, []byte(`"ArtifactType"`)) ||
			bytes.Contains(head, []byte(`"Trivy"`))
	case reCluster.Match(head):
		return bytes.Contains(head, []byte(`"Resources"`)) || bytes.Contains(head, []byte(`"Vulnerabilities"`)) ||
			bytes.Contains(head, []byte(`"Misconfigurations"`)) || bytes.Contains(head, []byte(`"Namespace"`))
	case reLegacy.Match(head):
		return true
	}
	return false
}

// report is a Trivy JSON report, SchemaVersion 2, or a Kubernetes report.
type report struct {
	SchemaVersion *int
	Trivy         struct{ Version string }
	ArtifactName  string
	ArtifactType  string
	Metadata      struct {
		ImageID  string
		RepoTags []string
		OS       *struct{ Family, Name string }
	}
	Results []result

	ClusterName       *string
	Resources         []k8sResource
	Vulnerabilities   []k8sResource
	Misconfigurations []k8sResource
}

// k8sResource is one workload of a Kubernetes report.
type k8sResource struct {
	Namespace, Kind, Name string
	Results               []result
}

type result struct {
	Target            string
	Class             string
	Type              string
	Vulnerabilities   []vulnerability
	Misconfigurations []misconfiguration
	Secrets           []secret
	Licenses          []license
	// Packages lists the result's packages (trivy --list-all-pkgs, the
	// default for JSON since 0.5x), with their lines in the manifest.
	Packages []struct {
		Name, Version string
		Locations     []struct{ StartLine, EndLine int }
	}
}

type layer struct{ Digest, DiffID string }

type vulnerability struct {
	VulnerabilityID  string
	VendorIDs        []string
	PkgID            string
	PkgName          string
	PkgPath          string
	PkgIdentifier    struct{ PURL string }
	InstalledVersion string
	FixedVersion     string
	Status           string
	Layer            layer
	SeveritySource   string
	PrimaryURL       string
	DataSource       *struct{ ID, Name, URL string }
	Title            string
	Description      string
	Severity         string
	CweIDs           []string
	CVSS             map[string]struct {
		V3Score  float64
		V40Score float64
	}
	References []string
}

type codeLine struct {
	Number  int
	Content string
	IsCause bool
}

type misconfiguration struct {
	Type, ID, AVDID, Title, Description, Message string
	Namespace, Query, Resolution, Severity       string
	PrimaryURL                                   string
	References                                   []string
	Status                                       string
	CauseMetadata                                struct {
		Resource, Provider, Service string
		StartLine, EndLine          int
		Code                        struct{ Lines []codeLine }
	}
}

type secret struct {
	RuleID, Category, Severity, Title string
	StartLine, EndLine                int
	Code                              struct{ Lines []codeLine }
	Match                             string
	Layer                             layer
}

type license struct {
	Severity, Category, PkgName, FilePath, Name string
	Confidence                                  float64
	Link                                        string
}

// Decode reads a Trivy JSON report. The report is one JSON document, read
// whole.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "trivy", InformationURI: "https://trivy.dev"}
	if opts == nil {
		opts = &scanners.Options{}
	}
	br := bufio.NewReader(r)
	first, err := firstByte(br)
	if err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	var rep report
	dec := json.NewDecoder(br)
	switch first {
	case '[':
		if err := dec.Decode(&rep.Results); err != nil {
			return tool, scanners.FormatError(name, expected, "legacy results array: "+err.Error())
		}
	case '{':
		if err := dec.Decode(&rep); err != nil {
			return tool, scanners.FormatError(name, expected, err.Error())
		}
		if rep.SchemaVersion == nil && rep.ClusterName == nil {
			return tool, scanners.FormatError(name, expected, `no "SchemaVersion" or "ClusterName"`)
		}
	default:
		return tool, scanners.FormatError(name, expected, fmt.Sprintf("starts with %q, not a JSON object or array", first))
	}
	if v := rep.Trivy.Version; v != "dev" { // a trivy built by go install does not know its version
		tool.Version = v
	}
	c := &conv{opts: opts, rep: &rep, tool: tool, emit: emit}
	for i := range rep.Results {
		if err := c.result(&rep.Results[i], nil); err != nil {
			return tool, err
		}
	}
	for _, list := range [][]k8sResource{rep.Resources, rep.Vulnerabilities, rep.Misconfigurations} {
		for i := range list {
			for j := range list[i].Results {
				if err := c.result(&list[i].Results[j], &list[i]); err != nil {
					return tool, err
				}
			}
		}
	}
	return tool, nil
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, fmt.Errorf("empty input")
			}
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case 0xEF: // UTF-8 byte order mark
			br.ReadByte()
			br.ReadByte()
			continue
		}
		return b, br.UnreadByte()
	}
}

// conv converts the results of one report.
type conv struct {
	opts *scanners.Options
	rep  *report
	tool finding.Tool
	emit func(*finding.Finding) error
}

func (c *conv) result(res *result, k8s *k8sResource) error {
	for i := range res.Vulnerabilities {
		if err := c.send(c.vuln(res, &res.Vulnerabilities[i], k8s)); err != nil {
			return err
		}
	}
	for i := range res.Misconfigurations {
		m := &res.Misconfigurations[i]
		if m.Status != "" && !strings.EqualFold(m.Status, "FAIL") {
			continue
		}
		if err := c.send(c.misconf(res, m, k8s)); err != nil {
			return err
		}
	}
	for i := range res.Secrets {
		if err := c.send(c.secret(res, &res.Secrets[i], k8s)); err != nil {
			return err
		}
	}
	for i := range res.Licenses {
		if err := c.send(c.license(res, &res.Licenses[i])); err != nil {
			return err
		}
	}
	return nil
}

func (c *conv) send(f *finding.Finding) error {
	if len(f.Properties) == 0 {
		f.Properties = nil
	}
	return c.emit(f)
}

// base returns a finding with the fields every kind shares.
func (c *conv) base(res *result, k8s *k8sResource) *finding.Finding {
	f := &finding.Finding{Tool: c.tool, Properties: map[string]string{}}
	adapt.Props(f, "trivy.target", res.Target)
	adapt.Props(f, "trivy.class", res.Class)
	adapt.Props(f, "trivy.type", res.Type)
	adapt.Props(f, "trivy.artifactName", c.rep.ArtifactName)
	adapt.Props(f, "trivy.artifactType", c.rep.ArtifactType)
	if c.rep.ClusterName != nil {
		adapt.Props(f, "k8s.cluster", *c.rep.ClusterName)
	}
	if k8s != nil {
		adapt.Props(f, "k8s.namespace", k8s.Namespace)
		adapt.Props(f, "k8s.kind", k8s.Kind)
		adapt.Props(f, "k8s.name", k8s.Name)
	}
	return f
}

func (c *conv) severity(f *finding.Finding, s string) {
	f.OriginalSeverity = s
	sev, err := finding.ParseSeverity(s)
	if err != nil {
		sev = finding.SeverityInfo
		f.Properties["trivy.severityNote"] = "severity missing or unknown; info assumed"
	}
	f.Severity = sev
}

// osTypes are Trivy result types of operating-system package databases.
var osTypes = map[string]bool{
	"alpine": true, "alma": true, "amazon": true, "azurelinux": true, "cbl-mariner": true, "centos": true,
	"chainguard": true, "debian": true, "echo": true, "fedora": true, "opensuse": true, "opensuse-leap": true,
	"opensuse-tumbleweed": true, "oracle": true, "photon": true, "redhat": true, "rocky": true, "sles": true,
	"suse linux enterprise server": true, "ubuntu": true, "wolfi": true, "minimos": true, "bottlerocket": true,
}

// ecosystems maps Trivy package types to OSV ecosystem names.
var ecosystems = map[string]string{
	"npm": "npm", "yarn": "npm", "pnpm": "npm", "node-pkg": "npm", "bun": "npm",
	"pip": "PyPI", "pipenv": "PyPI", "poetry": "PyPI", "python-pkg": "PyPI", "uv": "PyPI",
	"gomod": "Go", "gobinary": "Go",
	"jar": "Maven", "pom": "Maven", "gradle": "Maven", "sbt": "Maven",
	"cargo": "crates.io", "rustbinary": "crates.io",
	"composer": "Packagist", "composer-vendor": "Packagist",
	"bundler": "RubyGems", "gemspec": "RubyGems",
	"nuget": "NuGet", "dotnet-core": "NuGet", "packages-props": "NuGet",
	"pub": "Pub", "hex": "Hex", "swift": "SwiftURL", "cocoapods": "CocoaPods", "conan": "ConanCenter",
}

// langTargets are Target values that name a language, not a file: Trivy
// uses them for packages found in several files (PkgPath says which).
var langTargets = map[string]bool{
	"Java": true, "Python": true, "Node.js": true, "Ruby": true, "PHP": true, ".NET": true,
	"Rust": true, "Go": true, "Conda": true, "Elixir": true, "Dart": true, "Swift": true,
}

func (c *conv) ecosystem(res *result) string {
	if e, ok := ecosystems[res.Type]; ok {
		return e
	}
	if osTypes[res.Type] {
		fam, version := res.Type, ""
		if os := c.rep.Metadata.OS; os != nil {
			if os.Family != "" {
				fam = os.Family
			}
			version = os.Name
		}
		return adapt.DistroEcosystem(fam, version)
	}
	return ""
}

func (c *conv) vuln(res *result, v *vulnerability, k8s *k8sResource) *finding.Finding {
	f := c.base(res, k8s)
	container := c.rep.ArtifactType == "container_image" || c.rep.ArtifactType == "vm" ||
		res.Class == "os-pkgs" || (res.Class == "" && osTypes[res.Type]) || k8s != nil
	f.Category = finding.CategoryDependency
	if container {
		f.Category = finding.CategoryContainer
	}
	c.severity(f, v.Severity)
	id := v.VulnerabilityID
	if id == "" {
		id = "trivy-vulnerability"
	} else {
		f.VulnIDs = appendDistinct(f.VulnIDs, id)
	}
	for _, vid := range v.VendorIDs {
		f.VulnIDs = appendDistinct(f.VulnIDs, vid)
	}
	f.Rule = finding.Rule{ID: id, ShortDescription: v.Title, FullDescription: v.Description, HelpURI: v.PrimaryURL}
	f.CWEs = parseCWEs(v.CweIDs)
	pkg := &finding.Package{
		Name: v.PkgName, Version: v.InstalledVersion, FixedVersion: v.FixedVersion,
		Ecosystem: c.ecosystem(res), PURL: v.PkgIdentifier.PURL, Layer: firstNonEmpty(v.Layer.DiffID, v.Layer.Digest),
	}
	if pkg.Name == "" {
		pkg.Name = v.PkgID
	}
	if pkg.Name == "" {
		pkg.Name = "unknown"
	}
	if container {
		pkg.Image = c.rep.ArtifactName
		if pkg.Image == "" && k8s != nil {
			// The Target of a workload's image result is "IMAGE (OS VERSION)".
			pkg.Image, _, _ = strings.Cut(res.Target, " (")
		}
	}
	f.Location.Package = pkg
	manifest := v.PkgPath
	if manifest == "" && res.Class != "os-pkgs" && !(res.Class == "" && osTypes[res.Type]) && !langTargets[res.Target] {
		manifest = res.Target
	}
	if c.inImage() {
		// A path in the image is not a file of the scan root.
		adapt.Props(f, "trivy.path", manifest)
	} else {
		c.setPath(f, manifest)
	}
	if f.Location.Path != "" {
		packageLines(f, res, v)
	}
	msg := fmt.Sprintf("%s %s is affected by %s", pkg.Name, v.InstalledVersion, id)
	if v.FixedVersion != "" {
		msg += " (fixed in " + v.FixedVersion + ")"
	}
	if v.Title != "" {
		msg += ": " + v.Title
	}
	f.Message = msg
	adapt.Props(f, "trivy.pkgID", v.PkgID)
	adapt.Props(f, "trivy.pkgPath", v.PkgPath)
	adapt.Props(f, "trivy.status", v.Status)
	adapt.Props(f, "trivy.severitySource", v.SeveritySource)
	if v.Layer.DiffID != "" {
		adapt.Props(f, "trivy.layerDigest", v.Layer.Digest)
	}
	if v.DataSource != nil {
		adapt.Props(f, "trivy.dataSource", v.DataSource.ID)
	}
	if s, ok := v.CVSS[v.SeveritySource]; ok && s.V3Score > 0 {
		adapt.Props(f, "cvss.v3Score", strconv.FormatFloat(s.V3Score, 'f', -1, 64))
	} else if s, ok := v.CVSS["nvd"]; ok && s.V3Score > 0 {
		adapt.Props(f, "cvss.v3Score", strconv.FormatFloat(s.V3Score, 'f', -1, 64))
	}
	setJSONProp(f, "references", v.References)
	return f
}

func (c *conv) misconf(res *result, m *misconfiguration, k8s *k8sResource) *finding.Finding {
	f := c.base(res, k8s)
	f.Category = finding.CategoryIaC
	c.severity(f, m.Severity)
	id := m.AVDID
	if id == "" {
		id = m.ID
	}
	if id == "" {
		id = "trivy-misconfiguration"
	}
	var tags []string
	for _, t := range []string{m.Type, m.CauseMetadata.Provider, m.CauseMetadata.Service} {
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	f.Rule = finding.Rule{
		ID: id, Name: m.ID, ShortDescription: m.Title, FullDescription: m.Description,
		HelpText: m.Resolution, HelpURI: m.PrimaryURL, Tags: tags,
	}
	if f.Rule.Name == id {
		f.Rule.Name = ""
	}
	f.Message = firstNonEmpty(m.Message, m.Title, m.Description, id)
	f.Location.Resource = m.CauseMetadata.Resource
	if k8s != nil && f.Location.Resource == "" {
		f.Location.Resource = strings.Join(nonEmpty(k8s.Kind, k8s.Namespace, k8s.Name), "/")
	}
	if k8s == nil {
		// A Kubernetes report's Target is "Kind/Name", not a file.
		c.setPath(f, res.Target)
	}
	if f.Location.Path != "" {
		f.Location.Region = region(m.CauseMetadata.StartLine, m.CauseMetadata.EndLine)
		f.Location.Snippet = causeLines(m.CauseMetadata.Code.Lines)
	}
	adapt.Props(f, "trivy.id", m.ID)
	adapt.Props(f, "trivy.namespace", m.Namespace)
	adapt.Props(f, "trivy.query", m.Query)
	adapt.Props(f, "trivy.status", m.Status)
	setJSONProp(f, "references", m.References)
	return f
}

func (c *conv) secret(res *result, s *secret, k8s *k8sResource) *finding.Finding {
	f := c.base(res, k8s)
	f.Category = finding.CategorySecret
	c.severity(f, s.Severity)
	id := firstNonEmpty(s.RuleID, "trivy-secret")
	f.Rule = finding.Rule{ID: id, ShortDescription: s.Title}
	if s.Category != "" {
		f.Rule.Tags = []string{s.Category}
	}
	f.Message = firstNonEmpty(s.Title, id) + " found"
	c.setPath(f, res.Target)
	match := redact(s.Match)
	if f.Location.Path != "" {
		f.Location.Region = region(s.StartLine, s.EndLine)
		f.Location.Snippet = match
	}
	if c.rep.ArtifactType == "container_image" {
		adapt.Props(f, "trivy.image", c.rep.ArtifactName)
	}
	adapt.Props(f, "trivy.layer", s.Layer.Digest)
	adapt.Props(f, "trivy.match", match)
	sum := sha256.Sum256([]byte(id + "\x00" + res.Target + "\x00" + strconv.Itoa(s.StartLine) + "\x00" + strconv.Itoa(s.EndLine)))
	f.Fingerprints = map[string]string{"trivy/secret-location/sha256": hex.EncodeToString(sum[:])}
	return f
}

func (c *conv) license(res *result, l *license) *finding.Finding {
	f := c.base(res, nil)
	f.Category = finding.CategoryOther
	c.severity(f, l.Severity)
	name := firstNonEmpty(l.Name, "unknown")
	f.Rule = finding.Rule{ID: "license/" + name, ShortDescription: "License " + name, HelpURI: l.Link}
	if l.Category != "" {
		f.Rule.Tags = []string{"license", l.Category}
	}
	f.Message = "License " + name
	if l.PkgName != "" {
		f.Message += " of package " + l.PkgName
		f.Location.Package = &finding.Package{Name: l.PkgName}
	}
	c.setPath(f, firstNonEmpty(l.FilePath, res.Target))
	adapt.Props(f, "trivy.licenseCategory", l.Category)
	return f
}

// packageLines sets the region of a vulnerability of a package that the
// result lists with its lines in the manifest: the first place is the
// finding's, the others are related locations. Trivy's SARIF writes the
// same lines, taken from the first package of the same name and version.
func packageLines(f *finding.Finding, res *result, v *vulnerability) {
	for _, p := range res.Packages {
		if p.Name != v.PkgName || p.Version != v.InstalledVersion {
			continue
		}
		for _, l := range p.Locations {
			r := region(l.StartLine, l.EndLine)
			if r.IsZero() {
				continue
			}
			if f.Location.Region.IsZero() {
				f.Location.Region = r
			} else {
				f.Related = append(f.Related, finding.Location{Path: f.Location.Path, Region: r})
			}
		}
		return
	}
}

// inImage reports whether the report is of a container image or a VM,
// whose paths are inside it.
func (c *conv) inImage() bool {
	return c.rep.ArtifactType == "container_image" || c.rep.ArtifactType == "vm"
}

// setPath sets the finding's path when p is a file path that normalizes
// under the scan root; otherwise it keeps p in the "trivy.path" property.
func (c *conv) setPath(f *finding.Finding, p string) {
	adapt.SetPath(f, c.opts.Root, p, "trivy.path")
}

func region(start, end int) finding.Region {
	if start <= 0 {
		return finding.Region{}
	}
	if end < start {
		end = 0
	}
	return finding.Region{StartLine: start, EndLine: end}
}

// causeLines joins the lines Trivy marks as the cause.
func causeLines(lines []codeLine) string {
	var b strings.Builder
	for _, l := range lines {
		if !l.IsCause {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.Content)
	}
	return b.String()
}

// redact returns Trivy's masked match; a match without Trivy's "*" mask
// is replaced whole, as the secret's place in it is unknown.
func redact(s string) string {
	if s == "" || strings.Contains(s, "****") {
		return s
	}
	return "REDACTED"
}

var reCWE = regexp.MustCompile(`(?i)^CWE-(\d+)$`)

// parseCWEs turns "CWE-79" strings into sorted distinct numbers, skipping
// NVD's placeholders ("NVD-CWE-Other", "NVD-CWE-noinfo").
func parseCWEs(ids []string) []int {
	var out []int
	for _, s := range ids {
		m := reCWE.FindStringSubmatch(strings.TrimSpace(s))
		if m == nil {
			continue
		}
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func appendDistinct(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func setJSONProp(f *finding.Finding, k string, v []string) {
	if len(v) == 0 {
		return
	}
	b, err := json.Marshal(v)
	if err == nil {
		f.Properties[k] = string(b)
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}
