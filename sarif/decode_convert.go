package sarif

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/toolinfo"
)

// ruleInfo is a rule descriptor with what the reader derives from it,
// computed once per run.
type ruleInfo struct {
	x    *xRule
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

// cwes returns the rule's CWEs from relationships and tags. miss reports
// that a relationship needs taxonomies the run has not defined yet.
func (st *runState) ruleCWEs(ri *ruleInfo) (cwes []int, miss bool) {
	if !ri.relDone {
		var rel []int
		for _, r := range ri.x.Relationships {
			n, ok, m := st.taxonCWE(&r.Target)
			if m {
				return nil, true
			}
			if ok {
				rel = append(rel, n)
			}
		}
		ri.relCWEs, ri.relDone = rel, true
	}
	if len(ri.relCWEs) == 0 {
		return ri.tagCWEs, false
	}
	return rdNormCWEs(append(slices.Clone(ri.tagCWEs), ri.relCWEs...)), false
}

// taxonCWE resolves a taxon reference to a CWE number. ok reports that
// the reference names a CWE; miss that it needs taxonomies not known yet.
func (st *runState) taxonCWE(ref *xRef) (cwe int, ok, miss bool) {
	var comp *xComponent
	name := ""
	if tc := ref.ToolComponent; tc != nil {
		name = tc.Name
		if tc.Index != nil && *tc.Index >= 0 && *tc.Index < len(st.taxonomies) {
			comp = &st.taxonomies[*tc.Index]
		} else if tc.GUID != "" {
			for i := range st.taxonomies {
				if strings.EqualFold(st.taxonomies[i].GUID, tc.GUID) {
					comp = &st.taxonomies[i]
				}
			}
		}
		if comp == nil && name == "" && !st.taxonomiesSeen && !st.final {
			return 0, false, true
		}
	}
	if comp != nil && name == "" {
		name = comp.Name
	}
	id := ref.ID
	if id == "" && ref.Index != nil && comp != nil && *ref.Index >= 0 && *ref.Index < len(comp.Taxa) {
		id = comp.Taxa[*ref.Index].ID
	}
	if id == "" && ref.Index != nil && comp == nil && !st.taxonomiesSeen && !st.final {
		return 0, false, true
	}
	if strings.EqualFold(name, "CWE") || strings.Contains(strings.ToUpper(name), "CWE") {
		if n, err := strconv.Atoi(strings.TrimLeft(strings.TrimPrefix(strings.ToUpper(id), "CWE-"), "0")); err == nil && n > 0 {
			return n, true, false
		}
	}
	if name == "" {
		if m := rdCWERE.FindStringSubmatch(id); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n, n > 0, false
		}
	}
	return 0, false, false
}

// convert turns one result into a finding. miss reports that the result
// needs run context that is not known yet (only when the run is not
// final). Each concern has its own step: rule, CWE, vulnerability ids,
// severity, locations, category, message, fingerprints, suppressions and
// properties.
func (st *runState) convert(r *xResult) (f *finding.Finding, miss bool, err error) {
	ri := st.lookupRule(r)
	f = st.newFinding()
	f.Tool = st.run.Tool
	ruleID := st.convertRule(r, ri, f)
	resTags := rdPropStrings(r.Properties["tags"])
	if f.CWEs, miss = st.resultCWEs(r, ri, resTags); miss {
		return nil, true, nil
	}
	f.VulnIDs = resultVulnIDs(r, ri, ruleID)
	f.Severity, f.OriginalSeverity = st.severity(r, ri, resTags)
	f.Precision = rdPropsPrecision(r.Properties)
	if f.Precision == "" && ri != nil {
		f.Precision = ri.precision
	}
	if miss, err = st.resultLocations(r, f); err != nil || miss {
		return nil, miss, err
	}
	st.resultCategory(r, ri, f)
	f.Message = st.message(&r.Message, ri, ruleID)
	resultFingerprints(r, f)
	f.Suppressions = resultSuppressions(r.Suppressions)
	readProperties(r, f)
	if toolinfo.IsSecret(f) {
		toolinfo.Redact(f)
	}
	return f, false, nil
}

// convertRule sets f's rule from the run's descriptor ri (nil if none)
// and the result's rule id, and returns that id ("unknown" if none).
func (st *runState) convertRule(r *xResult, ri *ruleInfo, f *finding.Finding) string {
	ruleID := r.RuleID
	if ruleID == "" && r.Rule != nil {
		ruleID = r.Rule.ID
	}
	if ri != nil {
		f.Rule = ri.rule
		if ruleID == "" || ruleID == ri.rule.ID {
			// The descriptor's id, which the rule's findings share: the
			// passes that read ids (dedup, policy, writer) find it in
			// cache, not in each result's own copy.
			ruleID = ri.rule.ID
		}
	}
	if ruleID == "" {
		ruleID = "unknown"
	}
	f.Rule.ID = ruleID
	return ruleID
}

// resultCWEs returns the CWEs of the result's rule, tags, properties and
// taxa. miss reports that a reference needs taxonomies not known yet.
func (st *runState) resultCWEs(r *xResult, ri *ruleInfo, resTags []string) (cwes []int, miss bool) {
	if ri != nil {
		if cwes, miss = st.ruleCWEs(ri); miss {
			return nil, true
		}
	}
	if len(resTags) == 0 && len(r.Properties) == 0 && len(r.Taxa) == 0 {
		return cwes, false
	}
	extra := rdAppendCWEs(nil, resTags, r.Properties)
	for i := range r.Taxa {
		n, ok, m := st.taxonCWE(&r.Taxa[i])
		if m {
			return nil, true
		}
		if ok {
			extra = append(extra, n)
		}
	}
	if len(extra) > 0 {
		cwes = rdNormCWEs(append(slices.Clone(cwes), extra...))
	}
	return cwes, false
}

// resultVulnIDs returns the vulnerability ids of the rule first, then the
// result's.
func resultVulnIDs(r *xResult, ri *ruleInfo, ruleID string) []string {
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

// resultLocations sets f's location (the first location with the web
// request), related locations and flows.
func (st *runState) resultLocations(r *xResult, f *finding.Finding) (miss bool, err error) {
	var loc finding.Location
	for i := range r.Locations {
		l, m, err := st.location(&r.Locations[i], f)
		if err != nil || m {
			return m, err
		}
		if i == 0 {
			loc = l
		} else {
			f.Related = append(f.Related, l)
		}
	}
	if w := r.WebRequest; w != nil && w.Target != "" {
		web := finding.Web{URL: w.Target, Method: w.Method}
		if len(w.Parameters) == 1 {
			for k := range w.Parameters {
				web.Parameter = k
			}
		}
		if loc.Web != nil && web.URL == "" {
			web.URL = loc.Web.URL
		}
		loc.Web = &web
	}
	f.Location = loc
	for i := range r.RelatedLocations {
		l, m, err := st.location(&r.RelatedLocations[i], f)
		if err != nil || m {
			return m, err
		}
		f.Related = append(f.Related, l)
	}
	for i := range r.CodeFlows {
		cf := &r.CodeFlows[i]
		for j := range cf.ThreadFlows {
			fl, m, err := st.threadFlow(cf, &cf.ThreadFlows[j], f)
			if err != nil || m {
				return m, err
			}
			if len(fl.Steps) > 0 {
				f.Flows = append(f.Flows, fl)
			}
		}
	}
	return false, nil
}

// threadFlow converts one thread flow of code flow cf.
func (st *runState) threadFlow(cf *xCodeFlow, tf *xThreadFlow, f *finding.Finding) (fl finding.Flow, miss bool, err error) {
	fl.Message = rdMsgText(tf.Message)
	if fl.Message == "" {
		fl.Message = rdMsgText(cf.Message)
	}
	for k := range tf.Locations {
		tl := &tf.Locations[k]
		xl := tl.Location
		if xl == nil && tl.Index != nil && *tl.Index >= 0 {
			if *tl.Index >= len(st.threadFlowLocations) {
				if !st.final {
					return fl, true, nil
				}
				continue
			}
			xl = st.threadFlowLocations[*tl.Index].Location
		}
		if xl == nil {
			continue
		}
		l, m, err := st.location(xl, f)
		if err != nil || m {
			return fl, m, err
		}
		fl.Steps = append(fl.Steps, l)
	}
	return fl, false, nil
}

// resultCategory sets f's category: the result's own "category" property
// (scanmux writes it) wins over inference, and ReadOptions.FindingCategory
// over both. Logical locations name infrastructure resources only for the
// categories whose locations are resources; elsewhere (functions,
// modules) they are dropped when there is a path.
func (st *runState) resultCategory(r *xResult, ri *ruleInfo, f *finding.Finding) {
	f.Category = st.category(ri, f)
	if c, ok := finding.ParseCategory(rdPropText(r.Properties["category"])); ok {
		f.Category = c
	}
	if st.opts.FindingCategory != "" {
		f.Category = st.opts.FindingCategory
	}
	switch f.Category {
	case finding.CategoryIaC, finding.CategoryContainer, finding.CategoryDependency:
		return
	}
	dropResource := func(l *finding.Location) {
		if l.Path != "" {
			l.Resource = ""
		}
	}
	dropResource(&f.Location)
	for i := range f.Related {
		dropResource(&f.Related[i])
	}
	for i := range f.Flows {
		for j := range f.Flows[i].Steps {
			dropResource(&f.Flows[i].Steps[j])
		}
	}
}

// resultFingerprints sets f's fingerprints: partialFingerprints keep their
// keys (scanmux's own set f.ID), fingerprints go under
// "sarif.fingerprints/<key>".
func resultFingerprints(r *xResult, f *finding.Finding) {
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
func resultSuppressions(xs []xSuppression) []finding.Suppression {
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
func readProperties(r *xResult, f *finding.Finding) {
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
	var props []alsoProps
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

// location converts a SARIF location. f receives "sarif.uri" for a path
// that could not be made relative.
func (st *runState) location(xl *xLocation, f *finding.Finding) (loc finding.Location, miss bool, err error) {
	if xl.Message != nil {
		loc.Message = rdMsgText(xl.Message)
	}
	// An absent physical location, artifact location, region or snippet
	// is the zero value, which adds nothing.
	pl := &xl.PhysicalLocation
	uri, base, m := st.resolveURI(&pl.ArtifactLocation)
	if m {
		return loc, true, nil
	}
	if uri != "" {
		pv := st.resolvePath(uri, base)
		switch {
		case pv.path != "":
			loc.Path = pv.path
		case pv.web != "":
			loc.Web = &finding.Web{URL: pv.web}
		case pv.err != nil:
			if st.opts.StrictPaths {
				return loc, false, pv.err
			}
			st.outsideRoot++
			rdSetProp(f, "sarif.uri", pv.raw)
		case pv.raw != "":
			if loc.Message == "" {
				loc.Message = pv.raw
			}
		}
	}
	if loc.Path != "" {
		loc.Region = rdRegion(&pl.Region)
		if loc.Region.StartLine == 0 {
			// Some tools (kube-score) give the lines in the context region
			// only: it contains the region, so its start line is the
			// nearest known.
			if c := rdRegion(&pl.ContextRegion); c.StartLine > 0 {
				loc.Region = finding.Region{StartLine: c.StartLine}
			}
		}
	}
	loc.Snippet = pl.Region.Snippet.Text
	for i := range xl.LogicalLocations {
		ll := &xl.LogicalLocations[i]
		if ll.Name == "" && ll.FullyQualifiedName == "" && ll.Index != nil && *ll.Index >= 0 {
			if *ll.Index >= len(st.logicalLocations) {
				if !st.final {
					return loc, true, nil
				}
				continue
			}
			ll = &st.logicalLocations[*ll.Index]
		}
		name := rdFirst(ll.FullyQualifiedName, ll.Name, ll.DecoratedName)
		if name == "" {
			continue
		}
		if rdIsWebURL(name) {
			if loc.Web == nil {
				loc.Web = &finding.Web{URL: name}
			}
		} else if loc.Resource == "" && loc.Path == "" || loc.Resource == "" && rdIsResourceKind(ll.Kind) {
			loc.Resource = name
		}
		break
	}
	return loc, false, nil
}

func rdIsResourceKind(k string) bool {
	switch k {
	case "resource", "module", "object", "element", "declaration", "variable", "type":
		return true
	}
	return false
}

func rdRegion(r *xRegion) finding.Region {
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

func rdMsgText(m *xMessage) string {
	if m == nil {
		return ""
	}
	return rdFormat(rdFirst(m.Text, m.Markdown), m.Arguments)
}

// message returns the result's message text: message.text or markdown, or
// the rule's messageStrings[message.id], with {n} placeholders filled;
// else the rule's description; else the rule id.
func (st *runState) message(m *xMessage, ri *ruleInfo, ruleID string) string {
	t := rdFirst(m.Text, m.Markdown)
	if t == "" && m.ID != "" && ri != nil {
		if ms, ok := ri.x.MessageStrings[m.ID]; ok {
			t = rdFirst(ms.Text, ms.Markdown)
		}
	}
	if t != "" {
		t = rdFormat(t, m.Arguments)
	}
	if strings.TrimSpace(t) == "" && ri != nil {
		t = rdFirst(ri.rule.ShortDescription, ri.rule.FullDescription)
	}
	if strings.TrimSpace(t) == "" {
		t = ruleID
	}
	return t
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

// severity decides a finding's severity; see Decode.
func (st *runState) severity(r *xResult, ri *ruleInfo, resTags []string) (finding.Severity, string) {
	if v, ok := r.Properties["security-severity"]; ok {
		if s := rdPropText(v); s != "" {
			if sev, err := finding.ParseSeverity(s); err == nil {
				return sev, s
			}
		}
	}
	if ri != nil && ri.sev != finding.SeverityUnset && ri.origSev != "" && ri.x.Properties["security-severity"] != nil {
		return ri.sev, ri.origSev
	}
	if len(r.Properties) > 0 {
		if sev, orig := rdPropsSeverity(r.Properties, resTags); sev != finding.SeverityUnset {
			return sev, orig
		}
	}
	if ri != nil && ri.sev != finding.SeverityUnset {
		return ri.sev, ri.origSev
	}
	if r.Level != "" {
		if sev, err := finding.SeverityFromSARIFLevel(r.Level); err == nil {
			return sev, r.Level
		}
	}
	if ri != nil && ri.level != "" {
		if sev, err := finding.SeverityFromSARIFLevel(ri.level); err == nil {
			return sev, ri.level
		}
	}
	return finding.SeverityMedium, ""
}

// rdSeverityProps are tool-specific property names that hold a severity
// word or a score, in order of preference.
var rdSeverityProps = []string{
	"severity", "Severity", "issue_severity", "cvssv3_baseScore", "cvssv3_score",
	"cvssv2_severity", "cvssv2_score", "risk", "Risk", "qodanaSeverity", "problem.severity",
}

// rdPropsSeverity finds a severity in properties: security-severity first,
// then tool-specific properties, then an upper-case severity tag.
func rdPropsSeverity(p xProps, tags []string) (finding.Severity, string) {
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

func rdPropsPrecision(p xProps) finding.Precision {
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
func rdAppendCWEs(dst []int, tags []string, p xProps) []int {
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
func rdAppendPropVulnIDs(dst []string, p xProps) []string {
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

// category infers a finding's category; see Decode. A code scanner's
// finding of a credential rule of its tool is a secret.
func (st *runState) category(ri *ruleInfo, f *finding.Finding) finding.Category {
	c := st.inferCategory(ri, f)
	if c == finding.CategorySAST && toolinfo.IsCredentialRule(st.run.Tool.Name, f.Rule.ID) {
		return finding.CategorySecret
	}
	return c
}

// inferCategory infers a finding's category from its rule's tags, its
// tool, its vulnerability ids and its location.
func (st *runState) inferCategory(ri *ruleInfo, f *finding.Finding) finding.Category {
	if ri != nil {
		switch {
		case ri.secretTag:
			return finding.CategorySecret
		case ri.iacTag:
			return finding.CategoryIaC
		}
	}
	if st.toolCat != "" {
		return st.toolCat
	}
	if strings.Contains(strings.ToLower(st.run.Tool.Name), "trivy") {
		if ri != nil && ri.vulnTag || len(f.VulnIDs) > 0 {
			if rdIsManifest(f.Location.Path) {
				return finding.CategoryDependency
			}
			return finding.CategoryContainer
		}
		return finding.CategoryIaC
	}
	if len(f.VulnIDs) > 0 {
		return finding.CategoryDependency
	}
	if f.Location.Web != nil && f.Location.Path == "" {
		return finding.CategoryDAST
	}
	return finding.CategorySAST
}

func rdIsManifest(p string) bool {
	if p == "" {
		return false
	}
	base := p[strings.LastIndexByte(p, '/')+1:]
	return slices.Contains(rdManifests, base)
}
