package sarif

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif/internal/sarifjson"
)

// # Findings without a source file
//
// GitHub code scanning rejects a whole upload when one result has no
// physical location ("locationFromSarifResult: expected a physical
// location"), and rejects non-file URI schemes such as https:// ("unrecognized
// SARIF location URI scheme"). A physicalLocation that names a file which
// does not exist in the repository is accepted but shows a broken location,
// so the writer never invents one. What each kind of finding becomes:
//
//	kind                          location written                     what GitHub shows
//	----------------------------  -----------------------------------  -------------------------------------------
//	sast, secret, iac with Path   Path + full region (+ snippet)       the alert on the annotated lines
//	dependency with Path          manifest (go.mod ...), line 1 or     the alert on the manifest line
//	                              its region; logical package
//	container with Path           Dockerfile, line 1 or region;        the alert on the Dockerfile line
//	                              logical image@package
//	dependency/container, no      the ecosystem's manifest or a        the alert on that file's first line, the
//	Path, manifest under Root     Dockerfile found under Root, line 1  package or image named in the message
//	no file at all (dast URL,     WriteOptions.FallbackPath, line 1,   the alert on that file's first line, the
//	image, package), fallback     plus a logicalLocation               URL/image/package named in the message
//	no file, no fallback          ProfileGitHub: left out, counted in  nothing (the log would be rejected)
//	                              WriteSummary.Unlocated and a run
//	                              notification. ProfileFull: a
//	                              logicalLocation only (valid SARIF)
//
// A logicalLocation's fullyQualifiedName is the URL (dast), image@package
// (container), the package (its PURL, else name@version) or the IaC
// resource. When a substitute file is used the message gets " (at FQN)"
// appended, because GitHub does not display logical locations. Related
// locations and flow steps without a file are left out in ProfileGitHub
// for the same reason, and written as logical locations in ProfileFull.

// resultBuilder builds the SARIF result of a finding, the same every time:
// [builder] plans the log from the results it builds and builds them
// again to encode them.
type resultBuilder struct {
	opts *WriteOptions
	lim  Limits
	src  *sourceCache
}

// ecosystemManifests lists, per OSV ecosystem, the files a dependency finding
// without a path is attached to when one exists under the scan root.
var ecosystemManifests = map[string][]string{
	"Go":        {"go.mod"},
	"npm":       {"package-lock.json", "package.json", "yarn.lock", "pnpm-lock.yaml"},
	"PyPI":      {"requirements.txt", "poetry.lock", "Pipfile.lock", "pyproject.toml"},
	"Maven":     {"pom.xml", "build.gradle", "build.gradle.kts"},
	"crates.io": {"Cargo.lock", "Cargo.toml"},
	"RubyGems":  {"Gemfile.lock", "Gemfile"},
	"Packagist": {"composer.lock", "composer.json"},
	"NuGet":     {"packages.lock.json"},
	"Pub":       {"pubspec.lock"},
	"Hex":       {"mix.lock"},
}

// result builds the result of f, without its ruleIndex, and counts the
// related locations and code-flow steps the limits left out. It reports
// false when f has no location GitHub accepts (ProfileGitHub only). It
// depends only on f, the options and the source files, so it gives the
// same result every time: the writer builds each result once to plan the
// log and again to encode it, instead of keeping 500,000 of them. The
// result's parts come from a (see sarifjson.Arena).
func (b *resultBuilder) result(f *finding.Finding, a *sarifjson.Arena) (res sarifjson.WriteResult, dropLocs, dropSteps int, ok bool) {
	return b.build(f, a, false)
}

// planResult is result without what planning does not read: the
// fingerprints, suppressions and properties.
func (b *resultBuilder) planResult(f *finding.Finding, a *sarifjson.Arena) (res sarifjson.WriteResult, dropLocs, dropSteps int, ok bool) {
	return b.build(f, a, true)
}

// build is result; with plan, planResult.
func (b *resultBuilder) build(f *finding.Finding, a *sarifjson.Arena, plan bool) (res sarifjson.WriteResult, dropLocs, dropSteps int, ok bool) {
	res = sarifjson.WriteResult{
		RuleID:        f.Rule.ID,
		Level:         f.Severity.SARIFLevel(),
		Message:       sarifjson.Message{Text: withAlsoReported(f.Message, f.Tool.Name, f.Rule.ID, f.Also)},
		BaselineState: sarifjson.WrittenString(f.Baseline),
	}
	if !b.primaryLocation(f, a, &res) {
		return sarifjson.WriteResult{}, 0, 0, false
	}
	dropLocs = b.relatedLocations(f, &res)
	dropSteps = b.codeFlows(f, &res)
	if plan {
		return res, dropLocs, dropSteps, true
	}
	res.PartialFingerprints = b.fingerprints(f, a, res.Locations)
	if b.opts.Profile == ProfileFull {
		res.Suppressions = suppressions(f.Suppressions)
	}
	res.Properties = resultProperties(f, a)
	return res, dropLocs, dropSteps, true
}

// primaryLocation sets res's location, and reports false when the
// finding has none to write: no file in ProfileGitHub and no substitute.
// A substitute file's location gets " (at FQN)" in the message.
func (b *resultBuilder) primaryLocation(f *finding.Finding, a *sarifjson.Arena, res *sarifjson.WriteResult) bool {
	loc, ok := b.location(&f.Location, a)
	if !ok && b.opts.Profile == ProfileGitHub {
		sub := b.substitute(f)
		if sub == "" {
			return false
		}
		l := f.Location
		l.Path, l.Region, l.Snippet = sub, finding.Region{}, ""
		loc, _ = b.location(&l, a)
		if fqn := logicalName(&f.Location); fqn != "" && !strings.Contains(res.Message.Text, fqn) {
			res.Message.Text += " (at " + fqn + ")"
		}
	}
	if ok || loc.PhysicalLocation != (sarifjson.PhysicalLocation{}) || len(loc.LogicalLocations) > 0 {
		res.Locations = a.Locations(1)
		res.Locations[0] = loc
	}
	return true
}

// relatedLocations sets res's related locations, ids from 1 so that
// messages can link "[x](1)", and returns how many the limit left out.
func (b *resultBuilder) relatedLocations(f *finding.Finding, res *sarifjson.WriteResult) (dropped int) {
	for i := range f.Related {
		l, ok := b.location(&f.Related[i], nil)
		if !ok && (b.opts.Profile == ProfileGitHub || len(l.LogicalLocations) == 0) {
			continue
		}
		if overLimit(len(res.RelatedLocations)+1, b.lim.MaxLocationsPerResult) {
			dropped++
			continue
		}
		l.ID = sarifjson.WrittenInt(len(res.RelatedLocations) + 1)
		res.RelatedLocations = append(res.RelatedLocations, l)
	}
	return dropped
}

// codeFlows sets res's code flows, one thread flow each, and returns how
// many steps the limit left out.
func (b *resultBuilder) codeFlows(f *finding.Finding, res *sarifjson.WriteResult) (dropped int) {
	budget := b.lim.MaxThreadFlowLocationsPerResult
	used := 0
	for _, fl := range f.Flows {
		var tf sarifjson.ThreadFlow
		for j := range fl.Steps {
			l, ok := b.location(&fl.Steps[j], nil)
			if !ok && (b.opts.Profile == ProfileGitHub || len(l.LogicalLocations) == 0) {
				continue
			}
			if budget > 0 && used >= budget {
				dropped++
				continue
			}
			used++
			tf.Locations = append(tf.Locations, sarifjson.ThreadFlowLocation{Location: &l})
		}
		if len(tf.Locations) == 0 {
			continue
		}
		cf := sarifjson.CodeFlow{ThreadFlows: []sarifjson.ThreadFlow{tf}}
		if fl.Message != "" {
			cf.Message = &sarifjson.Message{Text: fl.Message}
		}
		res.CodeFlows = append(res.CodeFlows, cf)
	}
	return dropped
}

// fingerprints returns the result's partialFingerprints: the finding's,
// its identity, and GitHub's line hash of the first location when the
// finding has none.
func (b *resultBuilder) fingerprints(f *finding.Finding, a *sarifjson.Arena, locs []sarifjson.Location) sarifjson.Pairs {
	fp := a.Pairs(len(f.Fingerprints) + 2) // + identity and line hash
	for k, v := range f.Fingerprints {
		fp.Set(a, k, v)
	}
	if f.ID != "" {
		fp.Set(a, finding.IDKey(f.ID), f.ID)
	}
	if _, has := f.Fingerprints[finding.FingerprintLineHash]; !has && len(locs) > 0 {
		if h := b.lineHash(&locs[0].PhysicalLocation); h != "" {
			fp.Set(a, finding.FingerprintLineHash, h)
		}
	}
	if len(fp) == 0 {
		return nil
	}
	return fp
}

// suppressions converts the finding's suppressions (ProfileFull).
func suppressions(ss []finding.Suppression) []sarifjson.Suppression {
	var out []sarifjson.Suppression
	for _, s := range ss {
		sup := sarifjson.Suppression{Kind: string(s.Kind), Status: string(s.Status), Justification: s.Justification}
		if sup.Status == "" {
			sup.Status = string(finding.SuppressionAccepted)
		}
		if s.Source != "" {
			sup.Properties = map[string]string{"source": s.Source}
		}
		out = append(out, sup)
	}
	return out
}

// substitute returns the file a finding without one is attached to in
// ProfileGitHub: a manifest or Dockerfile found under the root, else the
// fallback path, else "".
func (b *resultBuilder) substitute(f *finding.Finding) string {
	if p := f.Location.Package; p != nil {
		var cands []string
		if p.Image != "" || f.Category == finding.CategoryContainer {
			cands = []string{"Dockerfile"}
		} else {
			cands = ecosystemManifests[p.Ecosystem]
		}
		for _, c := range cands {
			if b.src.exists(c) {
				return c
			}
		}
	}
	return b.opts.FallbackPath
}

// location converts l. It reports whether l has a file (a physical
// location); otherwise the result holds only the logical locations.
func (b *resultBuilder) location(l *finding.Location, a *sarifjson.Arena) (sarifjson.Location, bool) {
	var out sarifjson.Location
	if l.Message != "" {
		out.Message = a.Message(l.Message)
	}
	if fqn := logicalName(l); fqn != "" {
		out.LogicalLocations = []sarifjson.LogicalLocation{{FullyQualifiedName: fqn, Kind: logicalKind(l)}}
	}
	if l.Path == "" {
		return out, false
	}
	out.PhysicalLocation = sarifjson.PhysicalLocation{
		ArtifactLocation: sarifjson.ArtifactLocation{URI: pathURI(l.Path), URIBaseID: SrcRoot},
		Region:           b.region(l),
	}
	return out, true
}

// pathURI turns a relative "/"-separated path into a relative URI
// reference, escaping what must be escaped ("my file.go" becomes
// "my%20file.go"; a first segment with ":" gets "./").
func pathURI(p string) string {
	// Fast path: nothing to escape and no colon, the usual case.
	plain := !strings.HasPrefix(p, "//")
	for i := 0; plain && i < len(p); i++ {
		c := p[i]
		plain = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '/' || c == '.' || c == '-' || c == '_' || c == '~'
	}
	if plain {
		return p
	}
	return (&url.URL{Path: p}).String()
}

// region fills in what the finding leaves out: line 1 for the whole file,
// endLine = startLine, startColumn = 1, and endColumn = the end line's
// length + 1 when the source file is readable.
func (b *resultBuilder) region(l *finding.Location) sarifjson.Region {
	r := l.Region
	out := sarifjson.Region{StartLine: max(r.StartLine, 1), StartColumn: max(r.StartColumn, 1), EndLine: r.EndLine, EndColumn: r.EndColumn}
	if out.EndLine < out.StartLine {
		out.EndLine = out.StartLine
	}
	if out.EndColumn == 0 {
		if sf := b.src.get(l.Path); sf != nil && out.EndLine <= len(sf.lineLen) {
			out.EndColumn = sf.lineLen[out.EndLine-1] + 1
		}
	}
	if out.EndLine == out.StartLine && out.EndColumn != 0 && out.EndColumn < out.StartColumn {
		out.EndColumn = 0 // the file changed under the tool: say less rather than wrong
	}
	if l.Snippet != "" {
		out.Snippet.Text = l.Snippet
	}
	return out
}

// lineHash returns GitHub's primaryLocationLineHash of the start line of
// pl, or "" when the file cannot be read.
func (b *resultBuilder) lineHash(pl *sarifjson.PhysicalLocation) string {
	if pl.Region.StartLine == 0 {
		return ""
	}
	p, err := url.PathUnescape(strings.TrimPrefix(pl.ArtifactLocation.URI, "./"))
	if err != nil {
		return ""
	}
	sf := b.src.get(p)
	if sf == nil || pl.Region.StartLine > len(sf.hashes) {
		return ""
	}
	return sf.hashes[pl.Region.StartLine-1]
}

// logicalName is the fullyQualifiedName of what l names besides a file:
// the URL, image@package, the package, or the resource.
func logicalName(l *finding.Location) string {
	switch {
	case l.Web != nil && l.Web.URL != "":
		return l.Web.URL
	case l.Package != nil:
		p := l.Package
		id := p.PURL
		if id == "" {
			id = p.Name
			if p.Version != "" {
				id += "@" + p.Version
			}
		}
		if p.Image != "" {
			return p.Image + "@" + id
		}
		return id
	}
	return l.Resource
}

func logicalKind(l *finding.Location) string {
	switch {
	case l.Web != nil && l.Web.URL != "":
		return "url"
	case l.Package != nil:
		return "package"
	}
	return "resource"
}

// resultProperties returns the result's property bag: category, severity,
// cwe ("CWE-79"), vulnerabilityIds, originalSeverity, precision, resource,
// package, web, and the tool's own Properties under "toolProperties".
func resultProperties(f *finding.Finding, a *sarifjson.Arena) *sarifjson.ResultProperties {
	p := a.ResultProperties()
	*p = sarifjson.ResultProperties{
		Category:         string(f.Category),
		Severity:         f.Severity.String(),
		VulnerabilityIDs: f.VulnIDs,
		OriginalSeverity: f.OriginalSeverity,
		Precision:        string(f.Precision),
		Resource:         f.Location.Resource,
	}
	if len(f.CWEs) > 0 {
		p.CWE = a.Strings(len(f.CWEs))
		for i, c := range f.CWEs {
			p.CWE[i] = cweName(c)
		}
	}
	l := &f.Location
	if pk := l.Package; pk != nil {
		p.Package = &sarifjson.PackageProperties{Name: pk.Name, Version: pk.Version, FixedVersion: pk.FixedVersion, Ecosystem: pk.Ecosystem, PURL: pk.PURL, Image: pk.Image, Layer: pk.Layer}
	}
	if w := l.Web; w != nil {
		p.Web = &sarifjson.WebProperties{URL: w.URL, Method: w.Method, Parameter: w.Parameter, Evidence: w.Evidence}
	}
	if len(f.Properties) > 0 {
		p.ToolProperties = f.Properties
	}
	if len(f.Also) > 0 {
		also := a.AlsoReported(len(f.Also))
		for i, r := range f.Also {
			also[i] = sarifjson.AlsoReported{
				Tool: r.Tool.Name, ToolVersion: r.Tool.Version, RuleID: r.RuleID,
				Severity: r.Severity.String(), OriginalSeverity: r.OriginalSeverity,
				Message: r.Message, Path: r.Location.Path,
				StartLine: r.Location.Region.StartLine, EndLine: r.Location.Region.EndLine,
				Resource: r.Location.Resource, Match: r.Match,
			}
			if w := r.Location.Web; w != nil {
				also[i].URL = w.URL
			}
			if pk := r.Location.Package; pk != nil {
				also[i].Package = pk.Name
			}
		}
		p.AlsoReportedBy = also
	}
	return p
}

// cweNames holds "CWE-n" for the common CWE ids, so that results do not
// allocate it.
var cweNames [1400]string

func init() {
	for i := range cweNames {
		cweNames[i] = "CWE-" + strconv.Itoa(i)
	}
}

func cweName(c int) string {
	if c >= 0 && c < len(cweNames) {
		return cweNames[c]
	}
	return "CWE-" + strconv.Itoa(c)
}

// AlsoReportedProperty is the result property that lists the other tools'
// reports merged into a result by deduplication (finding.Also).
const AlsoReportedProperty = sarifjson.AlsoReportedKey

// alsoReportedHead starts the sentence withAlsoReported appends.
const alsoReportedHead = "\n\nAlso reported by: "

// withAlsoReported is msg followed by a sentence naming the other tools
// and rules that reported a merged finding, each once, so that GitHub's
// alert shows them; the finding's own tool and rule (tool, rule), which an
// exact repeat merged into it names again, are not listed.
func withAlsoReported(msg, tool, rule string, also []finding.Report) string {
	type name struct{ tool, rule string }
	seen := map[name]bool{{tool, rule}: true}
	var b strings.Builder
	for _, r := range also {
		k := name{r.Tool.Name, r.RuleID}
		if seen[k] {
			continue
		}
		seen[k] = true
		if b.Len() == 0 {
			b.WriteString(msg)
			b.WriteString(alsoReportedHead)
		} else {
			b.WriteString(", ")
		}
		b.WriteString(r.Tool.Name)
		if r.RuleID != "" {
			b.WriteString(" (")
			b.WriteString(r.RuleID)
			b.WriteByte(')')
		}
	}
	if b.Len() == 0 {
		return msg
	}
	b.WriteString(".")
	return b.String()
}
