package sarif

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif/internal/sarifjson"
)

// ruleInfo is a rule descriptor with what the reader derives from it,
// computed once per run.
type ruleInfo struct {
	x    *sarifjson.ReadRule
	rule finding.Rule

	level     string           // defaultConfiguration.level
	sev       finding.Severity // from properties, or unset
	origSev   string
	precision finding.Precision
	vulnIDs   []string
	tagCWEs   []int // from tags and properties
	secretTag bool
	iacTag    bool
	vulnTag   bool

	relCWEs []int // from relationships, once resolved
	relDone bool
}

func (ri *ruleInfo) init() {
	x := ri.x
	r := finding.Rule{ID: x.ID, Name: x.Name, HelpURI: x.HelpURI}
	if x.ShortDescription != nil {
		r.ShortDescription = rdFirst(x.ShortDescription.Text, x.ShortDescription.Markdown)
	}
	if x.FullDescription != nil {
		r.FullDescription = rdFirst(x.FullDescription.Text, x.FullDescription.Markdown)
	}
	if x.Help != nil {
		r.HelpText, r.HelpMarkdown = x.Help.Text, x.Help.Markdown
	}
	r.Tags = rdPropStrings(x.Properties["tags"])
	ri.rule = r
	if x.DefaultConfiguration != nil {
		ri.level = x.DefaultConfiguration.Level
	}
	ri.sev, ri.origSev = rdPropsSeverity(x.Properties, r.Tags)
	ri.precision = rdPropsPrecision(x.Properties)
	ri.tagCWEs = rdAppendCWEs(nil, r.Tags, x.Properties)
	ri.vulnIDs = rdAppendVulnIDs(nil, x.ID)
	ri.vulnIDs = rdAppendVulnIDs(ri.vulnIDs, r.Tags...)
	ri.vulnIDs = rdAppendPropVulnIDs(ri.vulnIDs, x.Properties)
	for _, t := range r.Tags {
		switch lt := strings.ToLower(t); {
		case lt == "secret" || lt == "secrets" || strings.HasSuffix(lt, "/secret") || strings.HasSuffix(lt, "/secrets"):
			ri.secretTag = true
		case lt == "misconfiguration" || lt == "iac" || lt == "infrastructure-as-code":
			ri.iacTag = true
		case lt == "vulnerability":
			ri.vulnTag = true
		}
	}
}

// resultVulnIDs returns the vulnerability ids of the rule first, then the
// result's.
func resultVulnIDs(r *sarifjson.ReadResult, ri *ruleInfo, ruleID string) []string {
	var ids []string
	if ri != nil {
		ids = ri.vulnIDs
	} else {
		ids = rdAppendVulnIDs(nil, ruleID)
	}
	if len(r.Properties) > 0 {
		if more := rdAppendPropVulnIDs(nil, r.Properties); len(more) > 0 {
			ids = rdMergeIDs(ids, more)
		}
	}
	return ids
}

// resultFingerprints sets f's fingerprints: partialFingerprints keep their
// keys (scanmux's own set f.ID), fingerprints go under
// "sarif.fingerprints/<key>".
func resultFingerprints(r *sarifjson.ReadResult, f *finding.Finding) {
	n := len(r.Fingerprints) + len(r.PartialFingerprints)
	if n == 0 {
		return
	}
	f.Fingerprints = make(map[string]string, n)
	for k, v := range r.Fingerprints {
		if k != "" && v != "" {
			f.Fingerprints["sarif.fingerprints/"+k] = v
		}
	}
	for k, v := range r.PartialFingerprints {
		switch {
		case k == finding.FingerprintScanmuxV2 && v != "",
			k == finding.FingerprintScanmuxV1 && v != "" && f.ID == "":
			f.ID = v
		case k != "" && v != "":
			f.Fingerprints[k] = v
		}
	}
	if len(f.Fingerprints) == 0 {
		f.Fingerprints = nil
	}
}

// resultSuppressions converts SARIF suppressions.
func resultSuppressions(xs []sarifjson.Suppression) []finding.Suppression {
	var out []finding.Suppression
	for _, s := range xs {
		sp := finding.Suppression{Justification: s.Justification}
		switch strings.ToLower(s.Kind) {
		case "insource":
			sp.Kind = finding.SuppressionInSource
		default:
			sp.Kind = finding.SuppressionExternal
		}
		switch strings.ToLower(s.Status) {
		case "underreview":
			sp.Status = finding.SuppressionUnderReview
		case "rejected":
			sp.Status = finding.SuppressionRejected
		case "accepted":
			sp.Status = finding.SuppressionAccepted
		}
		out = append(out, sp)
	}
	return out
}

// readProperties copies the result's properties into f's. The tool's
// own properties that scanmux's writer nests under "toolProperties" are
// read back as they were, and the reports merged into this one by
// scanmux's deduplication become f.Also.
func readProperties(r *sarifjson.ReadResult, f *finding.Finding) {
	var tool map[string]jsontext.Value
	for k, v := range r.Properties {
		if k == "" {
			continue
		}
		if k == "toolProperties" && v.Kind() == '{' {
			var m map[string]jsontext.Value
			if json.Unmarshal(v, &m) == nil {
				tool = m
				continue
			}
		}
		rdSetProp(f, k, rdPropText(v))
	}
	// After the others: a tool's property wins over scanmux's own of the
	// same name (such as "cwe"), whatever the map's order.
	for tk, tv := range tool {
		if tk != "" {
			rdSetProp(f, tk, rdPropText(tv))
		}
	}
	if r.Kind != "" && r.Kind != "fail" {
		rdSetProp(f, "sarif.kind", r.Kind)
	}
	if also, ok := rdAlso(r.Properties[AlsoReportedProperty]); ok {
		f.Also = also
		delete(f.Properties, AlsoReportedProperty)
		// The sentence the writer appended for GitHub's alert is not
		// the tool's message.
		if i := strings.LastIndex(f.Message, alsoReportedHead); i >= 0 {
			f.Message = f.Message[:i]
		}
	}
}

// rdAlso reads the merged reports scanmux writes under
// AlsoReportedProperty; ok is false when there are none or they do not
// parse (the property is then kept as text).
func rdAlso(v jsontext.Value) ([]finding.Report, bool) {
	if len(v) == 0 || v.Kind() != '[' {
		return nil, false
	}
	var props []sarifjson.AlsoReported
	if err := json.Unmarshal(v, &props); err != nil || len(props) == 0 {
		return nil, false
	}
	out := make([]finding.Report, len(props))
	for i, p := range props {
		sev, _ := finding.ParseSeverity(p.Severity)
		r := finding.Report{
			Tool:             finding.Tool{Name: p.Tool, Version: p.ToolVersion},
			RuleID:           p.RuleID,
			Severity:         sev,
			OriginalSeverity: p.OriginalSeverity,
			Message:          p.Message,
			Location: finding.Location{
				Path:     p.Path,
				Region:   finding.Region{StartLine: p.StartLine, EndLine: p.EndLine},
				Resource: p.Resource,
			},
			Match: p.Match,
		}
		if p.URL != "" {
			r.Location.Web = &finding.Web{URL: p.URL}
		}
		if p.Package != "" {
			r.Location.Package = &finding.Package{Name: p.Package}
		}
		out[i] = r
	}
	return out, true
}

func rdSetProp(f *finding.Finding, k, v string) {
	if f.Properties == nil {
		f.Properties = make(map[string]string)
	}
	f.Properties[k] = v
}

func rdIsResourceKind(k string) bool {
	switch k {
	case "resource", "module", "object", "element", "declaration", "variable", "type":
		return true
	}
	return false
}

func rdRegion(r *sarifjson.Region) finding.Region {
	g := finding.Region{StartLine: max(r.StartLine, 0), StartColumn: max(r.StartColumn, 0),
		EndLine: max(r.EndLine, 0), EndColumn: max(r.EndColumn, 0)}
	if g.StartLine == 0 {
		return finding.Region{}
	}
	// SARIF's defaults (§3.30.5-3.30.6): startColumn 1, endLine startLine.
	if g.StartColumn == 0 {
		g.StartColumn = 1
	}
	if g.EndLine == 0 {
		g.EndLine = g.StartLine
	}
	if g.EndLine != 0 && g.EndLine < g.StartLine {
		g.EndLine, g.EndColumn = 0, 0
	}
	if (g.EndLine == 0 || g.EndLine == g.StartLine) && g.EndColumn != 0 && g.EndColumn < g.StartColumn {
		g.EndColumn = 0
	}
	return g
}

func rdMsgText(m *sarifjson.Message) string {
	if m == nil {
		return ""
	}
	return rdFormat(rdFirst(m.Text, m.Markdown), m.Arguments)
}

// rdFormat fills SARIF {n} placeholders from args; "{{" and "}}"
// stand for literal braces.
func rdFormat(t string, args []string) string {
	if !strings.ContainsAny(t, "{}") {
		return t
	}
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '{' && i+1 < len(t) && t[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(t) && t[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			j := strings.IndexByte(t[i:], '}')
			if j > 1 {
				if n, err := strconv.Atoi(t[i+1 : i+j]); err == nil && n >= 0 && n < len(args) {
					b.WriteString(args[n])
					i += j
					continue
				}
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// rdSeverityProps are tool-specific property names that hold a severity
// word or a score, in order of preference.
var rdSeverityProps = []string{
	"severity", "Severity", "issue_severity", "cvssv3_baseScore", "cvssv3_score",
	"cvssv2_severity", "cvssv2_score", "risk", "Risk", "qodanaSeverity", "problem.severity",
}

// rdPropsSeverity finds a severity in properties: security-severity first,
// then tool-specific properties, then an upper-case severity tag.
func rdPropsSeverity(p sarifjson.Properties, tags []string) (finding.Severity, string) {
	if v, ok := p["security-severity"]; ok {
		if s := rdPropText(v); s != "" {
			if sev, err := finding.ParseSeverity(s); err == nil {
				return sev, s
			}
		}
	}
	for _, k := range rdSeverityProps {
		v, ok := p[k]
		if !ok {
			continue
		}
		s := rdPropText(v)
		if k == "problem.severity" && s == "recommendation" {
			return finding.SeverityLow, s
		}
		if sev, err := finding.ParseSeverity(s); err == nil && s != "" {
			return sev, s
		}
	}
	for _, t := range tags {
		switch t {
		case "CRITICAL", "HIGH", "MEDIUM", "LOW":
			sev, _ := finding.ParseSeverity(t)
			return sev, t
		}
	}
	return finding.SeverityUnset, ""
}

func rdPropsPrecision(p sarifjson.Properties) finding.Precision {
	if v, ok := p["precision"]; ok {
		switch s := strings.ToLower(rdPropText(v)); s {
		case "low", "medium", "high", "very-high":
			return finding.Precision(s)
		}
	}
	for _, k := range []string{"confidence", "issue_confidence", "Confidence"} {
		if v, ok := p[k]; ok {
			switch s := strings.ToLower(rdPropText(v)); s {
			case "low", "medium", "high":
				return finding.Precision(s)
			}
		}
	}
	return ""
}

var (
	rdCWERE  = regexp.MustCompile(`(?i)\bcwe[-_: ]?0*([0-9]{1,6})\b`)
	rdVulnRE = regexp.MustCompile(`CVE-[0-9]{4}-[0-9]{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}|\bGO-[0-9]{4}-[0-9]{4,}|RUSTSEC-[0-9]{4}-[0-9]{4,}|PYSEC-[0-9]{4}-[0-9]+`)
)

// rdCWEProps are property names whose values name CWEs.
var rdCWEProps = []string{"cwe", "CWE", "cwe_id", "cweId", "cwes"}

// rdAppendCWEs adds the CWEs named by tags and CWE properties to dst.
func rdAppendCWEs(dst []int, tags []string, p sarifjson.Properties) []int {
	n := len(dst)
	for _, t := range tags {
		for _, m := range rdCWERE.FindAllStringSubmatch(t, -1) {
			if v, err := strconv.Atoi(m[1]); err == nil && v > 0 {
				dst = append(dst, v)
			}
		}
	}
	for _, k := range rdCWEProps {
		v, ok := p[k]
		if !ok {
			continue
		}
		for _, s := range rdPropStrings(v) {
			if m := rdCWERE.FindAllStringSubmatch(s, -1); m != nil {
				for _, mm := range m {
					if v, err := strconv.Atoi(mm[1]); err == nil && v > 0 {
						dst = append(dst, v)
					}
				}
			} else if v, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && v > 0 {
				dst = append(dst, v)
			}
		}
	}
	if len(dst) == n {
		return dst
	}
	return rdNormCWEs(dst)
}

func rdNormCWEs(c []int) []int {
	slices.Sort(c)
	return slices.Clip(slices.Compact(c))
}

// rdAppendVulnIDs adds the vulnerability ids found in ss to dst, once each.
func rdAppendVulnIDs(dst []string, ss ...string) []string {
	for _, s := range ss {
		if !strings.Contains(s, "-") {
			continue
		}
		for _, id := range rdVulnRE.FindAllString(s, -1) {
			if !slices.Contains(dst, id) {
				dst = append(dst, id)
			}
		}
	}
	return dst
}

// rdAppendPropVulnIDs adds ids from properties whose names suggest them.
func rdAppendPropVulnIDs(dst []string, p sarifjson.Properties) []string {
	for k, v := range p {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "cve") || strings.Contains(lk, "ghsa") || strings.Contains(lk, "alias") ||
			strings.Contains(lk, "vuln") || lk == "id" || lk == "ids" {
			dst = rdAppendVulnIDs(dst, rdPropStrings(v)...)
		}
	}
	return dst
}

func rdMergeIDs(a, b []string) []string {
	out := slices.Clone(a)
	for _, id := range b {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// rdPropText returns a property value as text: strings unquoted, other
// values as compact JSON.
func rdPropText(v jsontext.Value) string {
	if len(v) == 0 {
		return ""
	}
	if v.Kind() == '"' {
		b, err := jsontext.AppendUnquote(nil, v)
		if err == nil {
			return string(b)
		}
	}
	c := v.Clone()
	if err := c.Compact(); err != nil {
		return string(v)
	}
	return string(c)
}

// rdPropStrings returns the strings of a property value that is a string or
// an array of strings (other elements are ignored).
func rdPropStrings(v jsontext.Value) []string {
	if len(v) == 0 {
		return nil
	}
	switch v.Kind() {
	case '"':
		if s := rdPropText(v); strings.TrimSpace(s) != "" {
			return []string{s}
		}
		return nil
	case '[':
		var arr []any
		if err := json.Unmarshal(v, &arr); err != nil {
			return nil
		}
		var out []string
		for _, e := range arr {
			if s, ok := e.(string); ok && strings.TrimSpace(s) != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// rdToolCategory is the category implied by a tool's name, or "".
func rdToolCategory(name, fullName string) finding.Category {
	// Match whole words: "clair" must not match "ECLAIR".
	n := " " + strings.Join(strings.FieldsFunc(strings.ToLower(name+" "+fullName), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}), " ") + " "
	has := func(ss ...string) bool {
		for _, s := range ss {
			if strings.Contains(n, " "+s+" ") {
				return true
			}
		}
		return false
	}
	switch {
	case has("gitleaks", "trufflehog", "detect-secrets", "credscan", "ggshield", "secretlint", "secrets", "secret"):
		return finding.CategorySecret
	case has("checkov", "kics", "tfsec", "defsec", "terrascan", "cfn-lint", "cfn_nag", "hadolint", "dockle",
		"infrastructure as code", "tflint", "kube-linter", "kubesec", "kubescape", "trivy config", "trivy-config"):
		return finding.CategoryIaC
	case has("zap", "nuclei", "nightvision", "burp", "arachni", "nikto", "wapiti", "dast", "stackhawk"):
		return finding.CategoryDAST
	case has("grype", "anchore", "snyk container", "clair", "container"):
		return finding.CategoryContainer
	case has("dependency-check", "osv-scanner", "govulncheck", "npm audit", "snyk open source", "retire",
		"pip-audit", "bundler-audit", "dependabot", "dependency"):
		return finding.CategoryDependency
	}
	return ""
}

var rdManifests = []string{"go.mod", "go.sum", "package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml",
	"requirements.txt", "Pipfile.lock", "poetry.lock", "pom.xml", "build.gradle", "Gemfile.lock", "Cargo.lock",
	"composer.lock", "packages.lock.json", "gradle.lockfile", "pubspec.lock", "mix.lock"}

func rdIsManifest(p string) bool {
	if p == "" {
		return false
	}
	base := p[strings.LastIndexByte(p, '/')+1:]
	return slices.Contains(rdManifests, base)
}
