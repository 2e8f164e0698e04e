// Package gitlab writes GitLab's security report artifacts — sast,
// dependency_scanning, container_scanning, secret_detection and dast —
// which GitLab reads from a CI job's artifacts:reports into merge
// request widgets and the vulnerability report.
//
// Each kind is a [report.Format] of its own, registered as gitlab-sast,
// gitlab-dependency-scanning, gitlab-container-scanning,
// gitlab-secret-detection and gitlab-dast, and writes the findings of its
// kind ([KindOf]): a CI job writes one file per kind it has findings of
// (see ci/gitlab in the repository). A GitLab instance accepts only the
// schema versions it ships with, so the version is chosen with the
// "gitlab-schema" parameter: 15.0.7 (older instances) or 15.2.1 (the
// default). Reports are validated against GitLab's published schemas of
// both versions in this package's tests.
//
// What a finding becomes:
//   - id: a UUID made from scanmux's identity of the finding, so the same
//     issue keeps its id across pipelines;
//   - identifiers: the tool's rule first (or, for dependencies and
//     images, the advisory: CVE, GHSA, GO-...), then the other advisories,
//     the CWEs and the rules of the other tools that reported it;
//   - location: the file and lines (sast, secret_detection), the manifest
//     and package (dependency_scanning), the image, operating system and
//     package (container_scanning), the URL's host, path, method and
//     parameter (dast);
//   - severity: Critical, High, Medium, Low or Info ("Unknown" when unset).
//
// Suppressed findings and findings gone since the baseline are left out:
// GitLab has no field that keeps them apart.
package gitlab

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
)

// Schema versions GitLab instances accept that this package writes.
const (
	// Schema1507 is the last 15.0 version, which older instances accept.
	Schema1507 = "15.0.7"
	// Schema1521 is the newest 15.x version, the default.
	Schema1521 = "15.2.1"
)

// Schemas lists the versions that can be written, oldest first.
var Schemas = []string{Schema1507, Schema1521}

// SchemaParam is the report.Options.Params key that chooses the schema
// version.
const SchemaParam = "gitlab-schema"

// CommitParam is the report.Options.Params key of the commit SHA that
// secret_detection's location records; without it the report says
// "0000000", as GitLab's own analyzer does for a scan of the work tree.
const CommitParam = "commit"

// ErrSchemaVersion is returned for a schema version this package does
// not write.
var ErrSchemaVersion = errors.New("unsupported GitLab report schema version")

// Kind is a kind of GitLab security report.
type Kind string

// The report kinds, named as in artifacts:reports.
const (
	SAST               Kind = "sast"
	DependencyScanning Kind = "dependency_scanning"
	ContainerScanning  Kind = "container_scanning"
	SecretDetection    Kind = "secret_detection"
	DAST               Kind = "dast"
)

// Kinds lists every kind.
var Kinds = []Kind{SAST, DependencyScanning, ContainerScanning, SecretDetection, DAST}

// FormatName is the kind's report format name: "gitlab-sast",
// "gitlab-dependency-scanning", ...
func (k Kind) FormatName() string { return "gitlab-" + strings.ReplaceAll(string(k), "_", "-") }

// FileName is the file name GitLab's own analyzers write the kind to:
// "gl-sast-report.json", "gl-dependency-scanning-report.json", ...
func (k Kind) FileName() string {
	return "gl-" + strings.ReplaceAll(string(k), "_", "-") + "-report.json"
}

// SchemaFile is the kind's schema file name in GitLab's schema project.
func (k Kind) SchemaFile() string {
	return strings.ReplaceAll(string(k), "_", "-") + "-report-format.json"
}

func init() {
	for _, k := range Kinds {
		report.Register(report.Format{
			Name:    k.FormatName(),
			Summary: fmt.Sprintf("GitLab %s report (artifacts:reports:%s; --gitlab-schema %s)", strings.ReplaceAll(string(k), "_", " "), k, strings.Join(Schemas, "|")),
			Write: func(w io.Writer, r *aggregate.Report, o *report.Options) error {
				return Write(w, k, r, o)
			},
		})
	}
}

// KindOf returns the report a finding belongs in: sast for static
// analysis, IaC and other findings; secret_detection for secrets;
// dependency_scanning and container_scanning for vulnerable packages
// (those without a package go in sast, as GitLab needs one); dast for
// findings on a URL; none ("") for code-quality findings, which belong in
// the Code Quality report.
func KindOf(f *finding.Finding) Kind {
	switch f.Category {
	case finding.CategoryQuality:
		return ""
	case finding.CategorySecret:
		return SecretDetection
	case finding.CategoryDependency:
		if p := packageOf(f); p != nil && p.Name != "" {
			return DependencyScanning
		}
	case finding.CategoryContainer:
		if p := packageOf(f); p != nil && p.Name != "" {
			return ContainerScanning
		}
	case finding.CategoryDAST:
		if w := webOf(f); w != nil && w.URL != "" {
			return DAST
		}
	}
	return SAST
}

// Present returns the kinds that r has unsuppressed findings of, in the
// order of [Kinds].
func Present(r *aggregate.Report) []Kind {
	seen := map[Kind]bool{}
	for _, f := range r.Findings {
		if !f.Suppressed() {
			seen[KindOf(f)] = true
		}
	}
	var out []Kind
	for _, k := range Kinds {
		if seen[k] {
			out = append(out, k)
		}
	}
	return out
}

// Write writes the kind's report of r's unsuppressed findings to w, in
// the schema version o.Params["gitlab-schema"] names (default 15.2.1).
func Write(w io.Writer, kind Kind, r *aggregate.Report, o *report.Options) error {
	if o == nil {
		o = &report.Options{}
	}
	version := o.Param(SchemaParam)
	if version == "" {
		version = Schema1521
	}
	if !slices.Contains(Schemas, version) {
		return fmt.Errorf("%w %q: scanmux writes %s", ErrSchemaVersion, version, strings.Join(Schemas, " and "))
	}
	if !slices.Contains(Kinds, kind) {
		return fmt.Errorf("unknown GitLab report kind %q", kind)
	}
	doc := document{
		Version: version,
		Schema: "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v" + version +
			"/dist/" + kind.SchemaFile(),
		Vulnerabilities: []vulnerability{},
	}
	var tools []finding.Tool
	commit := o.Param(CommitParam)
	if commit == "" {
		commit = "0000000"
	}
	resources := map[scannedResource]bool{}
	ids := map[string]int{}
	depFiles := map[string]*dependencyFile{}
	for _, f := range r.Findings {
		if f.Suppressed() || f.Baseline == finding.BaselineAbsent || KindOf(f) != kind {
			continue
		}
		if !slices.ContainsFunc(tools, func(t finding.Tool) bool { return t.Name == f.Tool.Name }) {
			tools = append(tools, f.Tool)
		}
		v := newVulnerability(f, kind)
		if n := ids[v.ID]; n > 0 { // one identity twice (a tool's report of one issue twice): ids must differ
			v.ID = uuidOf(f, strconv.Itoa(n))
		}
		ids[v.ID]++
		switch kind {
		case SAST:
			v.Location = sourceLocation(f, "")
		case SecretDetection:
			v.Location = sourceLocation(f, commit)
		case DependencyScanning:
			loc := depLocation(f)
			v.Location = loc
			df := depFiles[loc.File]
			if df == nil {
				df = &dependencyFile{Path: loc.File, PackageManager: packageManager(packageOf(f).Ecosystem), Dependencies: []dependency{}}
				depFiles[loc.File] = df
			}
			if !slices.Contains(df.Dependencies, *loc.Dependency) {
				df.Dependencies = append(df.Dependencies, *loc.Dependency)
			}
		case ContainerScanning:
			v.Location = containerLocation(f)
		case DAST:
			loc, res := webLocation(webOf(f))
			v.Location = loc
			resources[res] = true
		}
		doc.Vulnerabilities = append(doc.Vulnerabilities, v)
	}
	doc.Scan = newScan(kind, r, o, tools)
	if kind == DAST { // required, empty or not
		scanned := []scannedResource{}
		for res := range resources {
			scanned = append(scanned, res)
		}
		slices.SortFunc(scanned, func(a, b scannedResource) int {
			return strings.Compare(a.URL+" "+a.Method, b.URL+" "+b.Method)
		})
		doc.Scan.ScannedResources = &scanned
	}
	if kind == DependencyScanning && version == Schema1507 { // required in 15.0, gone in 15.2
		files := []dependencyFile{}
		for _, p := range sortedKeys(depFiles) {
			files = append(files, *depFiles[p])
		}
		doc.DependencyFiles = &files
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("writing the GitLab %s report: %w", kind, err)
	}
	return nil
}

// The report's JSON, as GitLab's schemas define it.
type document struct {
	Version         string            `json:"version"`
	Schema          string            `json:"schema"`
	Scan            scan              `json:"scan"`
	Vulnerabilities []vulnerability   `json:"vulnerabilities"`
	DependencyFiles *[]dependencyFile `json:"dependency_files,omitempty"`
}

type scan struct {
	Analyzer         component          `json:"analyzer"`
	Scanner          component          `json:"scanner"`
	Type             Kind               `json:"type"`
	StartTime        string             `json:"start_time"`
	EndTime          string             `json:"end_time"`
	Status           string             `json:"status"`
	Messages         []message          `json:"messages,omitempty"`
	ScannedResources *[]scannedResource `json:"scanned_resources,omitempty"`
}

type component struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
	Version string `json:"version"`
	Vendor  vendor `json:"vendor"`
}

type vendor struct {
	Name string `json:"name"`
}

type message struct {
	Level string `json:"level"`
	Value string `json:"value"`
}

type scannedResource struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Type   string `json:"type"`
}

type vulnerability struct {
	ID          string       `json:"id"`
	Name        string       `json:"name,omitempty"`
	Description string       `json:"description,omitempty"`
	Severity    string       `json:"severity"`
	Solution    string       `json:"solution,omitempty"`
	Identifiers []identifier `json:"identifiers"`
	Links       []link       `json:"links,omitempty"`
	Location    any          `json:"location"`
}

type identifier struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	URL   string `json:"url,omitempty"`
	Value string `json:"value"`
}

type link struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url"`
}

type sourceLoc struct {
	File      string  `json:"file,omitempty"`
	StartLine int     `json:"start_line,omitempty"`
	EndLine   int     `json:"end_line,omitempty"`
	Commit    *commit `json:"commit,omitempty"`
}

type commit struct {
	SHA string `json:"sha"`
}

type dependency struct {
	Package struct {
		Name string `json:"name"`
	} `json:"package"`
	Version string `json:"version"`
}

type depLoc struct {
	File       string      `json:"file"`
	Dependency *dependency `json:"dependency"`
}

type dependencyFile struct {
	Path           string       `json:"path"`
	PackageManager string       `json:"package_manager"`
	Dependencies   []dependency `json:"dependencies"`
}

type containerLoc struct {
	Dependency      dependency `json:"dependency"`
	OperatingSystem string     `json:"operating_system"`
	Image           string     `json:"image"`
}

type webLoc struct {
	Hostname string `json:"hostname,omitempty"`
	Method   string `json:"method,omitempty"`
	Param    string `json:"param,omitempty"`
	Path     string `json:"path,omitempty"`
}

// GitLab's limits on a vulnerability's texts, in characters.
const (
	maxName        = 255
	maxDescription = 1 << 20
	maxSolution    = 7000
)

func newVulnerability(f *finding.Finding, kind Kind) vulnerability {
	v := vulnerability{ID: uuidOf(f), Severity: severity(f.Severity)}
	name := f.Rule.ShortDescription
	if name == "" {
		name = f.Rule.Name
	}
	if name == "" {
		name = f.Rule.ID
	}
	v.Name = cut(oneLine(name), maxName)
	var desc strings.Builder
	desc.WriteString(f.Message)
	if f.Rule.FullDescription != "" && f.Rule.FullDescription != f.Message {
		desc.WriteString("\n\n" + f.Rule.FullDescription)
	}
	fmt.Fprintf(&desc, "\n\nReported by %s (%s)", f.Tool.Name, f.Rule.ID)
	for _, a := range f.Also {
		fmt.Fprintf(&desc, "; also by %s (%s)", a.Tool.Name, a.RuleID)
	}
	desc.WriteString(".")
	v.Description = cut(desc.String(), maxDescription)
	solution := f.Rule.HelpText
	if p := packageOf(f); p != nil && p.FixedVersion != "" && (kind == DependencyScanning || kind == ContainerScanning) {
		solution = strings.TrimSpace(fmt.Sprintf("Upgrade %s to %s or later. %s", p.Name, p.FixedVersion, solution))
	}
	v.Solution = cut(solution, maxSolution)
	v.Identifiers = identifiers(f, kind)
	if httpURL(f.Rule.HelpURI) {
		v.Links = []link{{Name: f.Rule.ID, URL: f.Rule.HelpURI}}
	}
	return v
}

// identifiers lists the finding's identifiers, the primary one first:
// the advisory for packages, else the tool's rule.
func identifiers(f *finding.Finding, kind Kind) []identifier {
	rule := identifier{Type: toolType(f.Tool.Name), Name: f.Tool.Name + " " + f.Rule.ID, Value: f.Rule.ID}
	if httpURL(f.Rule.HelpURI) {
		rule.URL = f.Rule.HelpURI
	}
	var advisories []identifier
	for _, id := range vulnIDs(f) {
		advisories = append(advisories, advisory(id))
	}
	var ids []identifier
	if (kind == DependencyScanning || kind == ContainerScanning) && len(advisories) > 0 {
		ids = append(ids, advisories...)
		ids = append(ids, rule)
	} else {
		ids = append(ids, rule)
		ids = append(ids, advisories...)
	}
	for _, c := range f.CWEs {
		ids = append(ids, identifier{Type: "cwe", Name: "CWE-" + strconv.Itoa(c), Value: strconv.Itoa(c),
			URL: "https://cwe.mitre.org/data/definitions/" + strconv.Itoa(c) + ".html"})
	}
	for _, a := range f.Also {
		ids = append(ids, identifier{Type: toolType(a.Tool.Name), Name: a.Tool.Name + " " + a.RuleID, Value: a.RuleID})
	}
	// Identifiers are matched by type and value: keep each once.
	out := ids[:0]
	seen := map[[2]string]bool{}
	for _, id := range ids {
		k := [2]string{id.Type, id.Value}
		if id.Value == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, id)
	}
	return out
}

// toolType is the identifier type of a tool's rules: "gosec_rule_id".
func toolType(tool string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(tool) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String() + "_rule_id"
}

// advisory makes the identifier of a vulnerability id, with its
// database's URL.
func advisory(id string) identifier {
	up := strings.ToUpper(id)
	switch {
	case strings.HasPrefix(up, "CVE-"):
		return identifier{Type: "cve", Name: up, Value: up, URL: "https://nvd.nist.gov/vuln/detail/" + up}
	case strings.HasPrefix(up, "GHSA-"):
		return identifier{Type: "ghsa", Name: id, Value: id, URL: "https://github.com/advisories/" + id}
	case strings.HasPrefix(up, "GO-"):
		return identifier{Type: "go", Name: up, Value: up, URL: "https://pkg.go.dev/vuln/" + up}
	}
	kind, _, _ := strings.Cut(id, "-")
	t := strings.ToLower(kind)
	if t == "" || t == id {
		t = "advisory"
	}
	return identifier{Type: t, Name: id, Value: id, URL: "https://osv.dev/vulnerability/" + url.PathEscape(id)}
}

// packageOf returns the finding's package: its location's, or for a
// finding read back from scanmux's own SARIF, whose reader keeps it as
// the "package" property, that property's.
func packageOf(f *finding.Finding) *finding.Package {
	if f.Location.Package != nil {
		return f.Location.Package
	}
	raw := f.Properties["package"]
	if raw == "" {
		return nil
	}
	var p struct {
		Name, Version, FixedVersion, Ecosystem, PURL, Image, Layer string
	}
	if json.Unmarshal([]byte(raw), &p) != nil || p.Name == "" {
		return nil
	}
	return &finding.Package{Name: p.Name, Version: p.Version, FixedVersion: p.FixedVersion, Ecosystem: p.Ecosystem,
		PURL: p.PURL, Image: p.Image, Layer: p.Layer}
}

// webOf returns the finding's web location, completed from scanmux's
// own SARIF "web" property (method, parameter) when read back from it.
func webOf(f *finding.Finding) *finding.Web {
	raw := f.Properties["web"]
	if raw == "" {
		return f.Location.Web
	}
	var w finding.Web
	if json.Unmarshal([]byte(raw), &w) != nil {
		return f.Location.Web
	}
	if f.Location.Web != nil {
		merged := *f.Location.Web
		if merged.Method == "" {
			merged.Method = w.Method
		}
		if merged.Parameter == "" {
			merged.Parameter = w.Parameter
		}
		return &merged
	}
	if w.URL == "" {
		return nil
	}
	return &w
}

// vulnIDs returns the finding's vulnerability ids, or those of scanmux's
// own SARIF "vulnerabilityIds" property when read back from it.
func vulnIDs(f *finding.Finding) []string {
	if len(f.VulnIDs) > 0 {
		return f.VulnIDs
	}
	var ids []string
	if raw := f.Properties["vulnerabilityIds"]; raw != "" && json.Unmarshal([]byte(raw), &ids) == nil {
		return ids
	}
	return nil
}

func sourceLocation(f *finding.Finding, sha string) sourceLoc {
	l := sourceLoc{File: f.Location.Path, StartLine: f.Location.Region.StartLine, EndLine: f.Location.Region.EndLine}
	if l.EndLine < l.StartLine {
		l.EndLine = 0
	}
	if sha != "" {
		l.Commit = &commit{SHA: sha}
	}
	return l
}

func depLocation(f *finding.Finding) depLoc {
	p := packageOf(f)
	file := f.Location.Path
	if file == "" { // GitLab needs a file: the package's URL says what
		file = p.PURL
	}
	if file == "" {
		file = p.Name
	}
	d := dependencyOf(p)
	return depLoc{File: file, Dependency: &d}
}

func containerLocation(f *finding.Finding) containerLoc {
	p := packageOf(f)
	return containerLoc{dependencyOf(p), orUnknown(operatingSystem(p.Ecosystem)), orUnknown(p.Image)}
}

// dependencyOf is a package's dependency entry.
func dependencyOf(p *finding.Package) dependency {
	d := dependency{Version: p.Version}
	d.Package.Name = p.Name
	return d
}

// operatingSystem reads an OSV ecosystem of a distribution ("Debian:12",
// "Alpine:v3.18") as GitLab's operating_system ("Debian 12").
func operatingSystem(eco string) string {
	name, ver, ok := strings.Cut(eco, ":")
	if !ok {
		return eco
	}
	return name + " " + strings.TrimPrefix(ver, "v")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// webLocation splits a URL into GitLab's dast location and the scanned
// resource it names.
func webLocation(w *finding.Web) (webLoc, scannedResource) {
	method := strings.ToUpper(w.Method)
	if method == "" {
		method = "GET"
	}
	l := webLoc{Method: method, Param: w.Parameter}
	if u, err := url.Parse(w.URL); err == nil && u.Host != "" {
		l.Hostname = u.Scheme + "://" + u.Host
		l.Path = u.EscapedPath()
		if l.Path == "" {
			l.Path = "/"
		}
		if u.RawQuery != "" {
			l.Path += "?" + u.RawQuery
		}
	} else {
		l.Path = w.URL
	}
	return l, scannedResource{Method: method, URL: w.URL, Type: "url"}
}

// packageManager names the package manager of an OSV ecosystem as
// GitLab's dependency_files do.
func packageManager(eco string) string {
	name, _, _ := strings.Cut(eco, ":")
	switch strings.ToLower(name) {
	case "go":
		return "go"
	case "npm":
		return "npm"
	case "pypi":
		return "pip"
	case "maven":
		return "maven"
	case "rubygems":
		return "bundler"
	case "packagist":
		return "composer"
	case "nuget":
		return "nuget"
	case "crates.io":
		return "cargo"
	case "":
		return "unknown"
	}
	return strings.ToLower(name)
}

func newScan(kind Kind, r *aggregate.Report, o *report.Options, tools []finding.Tool) scan {
	version := o.Version
	if version == "" {
		version = "unknown"
	}
	s := scan{
		Analyzer: component{ID: "scanmux", Name: "scanmux", URL: "https://github.com/scanmux/scanmux", Version: version,
			Vendor: vendor{Name: "scanmux"}},
		Type:   kind,
		Status: "success",
	}
	switch len(tools) {
	case 1:
		t := tools[0]
		name := t.FullName
		if name == "" {
			name = t.Name
		}
		s.Scanner = component{ID: t.Name, Name: name, Version: orUnknown(t.Version), Vendor: vendor{Name: name}}
		if httpURL(t.InformationURI) {
			s.Scanner.URL = t.InformationURI
		}
	default:
		names := make([]string, 0, len(tools))
		for _, t := range tools {
			names = append(names, t.Name)
		}
		slices.Sort(names)
		name := "scanmux"
		if len(names) > 0 {
			name += " (" + strings.Join(names, ", ") + ")"
		}
		s.Scanner = component{ID: "scanmux", Name: name, URL: "https://github.com/scanmux/scanmux", Version: version,
			Vendor: vendor{Name: "scanmux"}}
	}
	start, end := o.Started, o.Finished
	for _, src := range r.Sources {
		if src.Start.IsZero() {
			continue
		}
		if start.IsZero() || src.Start.Before(start) {
			start = src.Start
		}
		if e := src.Start.Add(src.Duration); o.Finished.IsZero() && e.After(end) {
			end = e
		}
		if !src.OK() {
			s.Messages = append(s.Messages, message{Level: "warn", Value: fmt.Sprintf("source %s %s: %s", src.Name, src.State, src.Err)})
		}
	}
	if start.IsZero() {
		start = time.Now()
	}
	if end.Before(start) {
		end = start
	}
	const layout = "2006-01-02T15:04:05" // GitLab's pattern: no zone, UTC
	s.StartTime, s.EndTime = start.UTC().Format(layout), end.UTC().Format(layout)
	return s
}

// uuidOf returns a UUID (version 8, RFC 9562) made from the finding's
// identity, so that one issue keeps its id across pipelines; a finding
// without one (not run through the engine) gets one from its tool, rule,
// location and message.
func uuidOf(f *finding.Finding, extra ...string) string {
	key := f.ID
	if key == "" {
		key = strings.Join([]string{f.Tool.Name, f.Rule.ID, f.Location.Path, finding.RegionText(f.Location.Region),
			f.Location.Resource, f.Message}, "\x00")
	}
	sum := sha256.Sum256([]byte(strings.Join(append([]string{"scanmux gitlab id", key}, extra...), "\x00")))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80 // version 8
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func severity(s finding.Severity) string {
	switch s {
	case finding.SeverityCritical:
		return "Critical"
	case finding.SeverityHigh:
		return "High"
	case finding.SeverityMedium:
		return "Medium"
	case finding.SeverityLow:
		return "Low"
	case finding.SeverityInfo:
		return "Info"
	}
	return "Unknown"
}

func httpURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "ftp://")
}

// oneLine joins a text's lines with spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cut shortens s to at most n characters, at a character boundary.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
			break
		}
		count++
	}
	return s[:i] + "…"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
