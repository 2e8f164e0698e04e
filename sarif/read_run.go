package sarif

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif/internal/sarifjson"
	"github.com/scanmux/scanmux/toolinfo"
)

// pendingResult is a result kept until its run's context is complete.
type pendingResult struct {
	index int
	r     *sarifjson.ReadResult
}

// resultError is an error about one result of a run.
type resultError struct {
	index int
	sub   string // JSON path below the result, e.g. ".locations[0]"
	err   error
}

func (e *resultError) Error() string { return e.err.Error() }
func (e *resultError) Unwrap() error { return e.err }

// rdPathKey identifies an artifact location for the path cache.
type rdPathKey struct{ uri, base string }

// rdPathVal is a resolved artifact location.
type rdPathVal struct {
	path string // repo-relative path, or ""
	web  string // http(s) URL, or ""
	raw  string // the URI, when path could not be made relative
	err  error  // why path is "" when raw is set
}

// runState is what the reader knows about the run being decoded.
type runState struct {
	opts *ReadOptions
	h    Handler
	run  *Run

	tool      *sarifjson.ReadTool
	toolCat   finding.Category // category implied by the tool name, or ""
	rules     []*ruleInfo      // driver rules, by index
	extRules  [][]*ruleInfo    // extension rules, by extension and index
	ruleByID  map[string]*ruleInfo
	artifacts []sarifjson.Artifact
	bases     map[string]sarifjson.ArtifactLocation
	// basesSeen is set once the run's originalUriBaseIds are read: until
	// then a location with a uriBaseId waits, since the member may come
	// after the results (Trivy writes it last).
	basesSeen bool

	taxonomies          []sarifjson.ReadComponent
	taxonomiesSeen      bool
	threadFlowLocations []sarifjson.ThreadFlowLocation
	logicalLocations    []sarifjson.LogicalLocation

	// collect makes the run keep its findings (for Read) instead of
	// passing each to h: in chunks, found being the last, which
	// Run.Findings points into at the end.
	collect bool
	chunks  [][]finding.Finding
	found   []finding.Finding
	nFound  int // in chunks and found, or taken from block
	// block is where findings are allocated when streaming with
	// ReadOptions.retain: the log's block, shared by its runs, so that a
	// log of many small runs does not take a block for each.
	block *[]finding.Finding

	next    int // index of the next result
	pending []pendingResult
	final   bool // the run is complete: no more context will come

	paths       map[rdPathKey]rdPathVal
	outsideRoot int // locations whose path could not be made relative
}

func newRunState(opts *ReadOptions, h Handler) *runState {
	st := &runState{opts: opts, h: h, run: &Run{}, paths: make(map[rdPathKey]rdPathVal)}
	if opts.Category != "" {
		st.run.Category = opts.Category
	}
	return st
}

func (st *runState) setTool(t *sarifjson.ReadTool) error {
	st.tool = t
	d := t.Driver
	st.run.Tool = toolinfo.CanonicalTool(finding.Tool{
		Name:           strings.TrimSpace(d.Name),
		Version:        rdFirst(d.Version, d.SemanticVersion),
		InformationURI: d.InformationURI,
	})
	// A code scanner's findings are inferred as any tool's are (SAST
	// unless they name vulnerabilities or URLs): only the other kinds of
	// tool decide their findings' category.
	if c := toolinfo.Category(st.run.Tool.Name); c != finding.CategorySAST {
		st.toolCat = c
	}
	if st.toolCat == "" {
		st.toolCat = rdToolCategory(d.Name, d.FullName)
	}
	st.ruleByID = make(map[string]*ruleInfo)
	add := func(x *sarifjson.ReadRule) *ruleInfo {
		ri := &ruleInfo{x: x}
		ri.init()
		if ri.rule.ID != "" {
			if _, dup := st.ruleByID[ri.rule.ID]; !dup {
				st.ruleByID[ri.rule.ID] = ri
				st.run.Rules = append(st.run.Rules, ri.rule)
			}
		}
		return ri
	}
	st.rules = make([]*ruleInfo, len(d.Rules))
	for i := range d.Rules {
		st.rules[i] = add(&d.Rules[i])
	}
	st.extRules = make([][]*ruleInfo, len(t.Extensions))
	for e := range t.Extensions {
		rs := t.Extensions[e].Rules
		st.extRules[e] = make([]*ruleInfo, len(rs))
		for i := range rs {
			st.extRules[e][i] = add(&rs[i])
		}
	}
	return st.flush()
}

func (st *runState) setBases(m map[string]sarifjson.ArtifactLocation) error {
	st.bases, st.basesSeen = m, true
	clear(st.paths)
	return st.flush()
}

func (st *runState) setTaxonomies(t []sarifjson.ReadComponent) {
	st.taxonomies, st.taxonomiesSeen = t, true
}

func (st *runState) setInvocations(invs []sarifjson.Invocation) {
	inv := &st.run.Invocation
	for i, x := range invs {
		if x.ExecutionSuccessful != nil && !*x.ExecutionSuccessful {
			inv.Failed = true
		}
		for _, n := range x.ToolExecutionNotifications {
			msg := rdFormat(rdFirst(n.Message.Text, n.Message.Markdown), n.Message.Arguments)
			if strings.TrimSpace(msg) == "" {
				continue
			}
			lvl := n.Level
			if lvl == "" {
				lvl = "warning"
			}
			inv.Notifications = append(inv.Notifications, Notification{
				Level: lvl, Message: msg,
			})
		}
		if t, err := time.Parse(time.RFC3339Nano, x.StartTimeUTC); err == nil && i == 0 {
			inv.StartTime = t
		}
		if t, err := time.Parse(time.RFC3339Nano, x.EndTimeUTC); err == nil {
			inv.EndTime = t
		}
	}
}

// add takes the next result of the run: it is converted and handed over
// now if the run's context allows it, else kept until it does.
func (st *runState) add(r *sarifjson.ReadResult) error {
	idx := st.next
	st.next++
	if st.tool == nil || len(st.pending) > 0 {
		st.pending = append(st.pending, pendingResult{idx, r})
		return nil
	}
	f, miss, err := st.tryConvert(r)
	if err != nil {
		return &resultError{index: idx, err: err}
	}
	if miss {
		st.pending = append(st.pending, pendingResult{idx, r})
		return nil
	}
	return st.emit(idx, f)
}

// retainBlock is how many findings a block holds with ReadOptions.retain:
// as many as fill Go's largest small-object size class (32 KiB), which
// wastes under 2% of it. A block of 64 would take 5 pages of 8 KiB for
// 4.4 pages of findings, 14% more memory than they need.
const retainBlock = 32 << 10 / unsafe.Sizeof(finding.Finding{})

// newFinding returns a zero finding to fill: a new one, the next element
// of block (streaming with ReadOptions.retain), or the next element of
// found when collecting.
func (st *runState) newFinding() *finding.Finding {
	if !st.collect {
		if !st.opts.retain {
			return new(finding.Finding)
		}
		b := st.block
		if len(*b) == cap(*b) {
			*b = make([]finding.Finding, 0, retainBlock)
		}
		*b = append(*b, finding.Finding{})
		st.nFound++
		return &(*b)[len(*b)-1]
	}
	if len(st.found) == cap(st.found) {
		if st.found != nil {
			st.chunks = append(st.chunks, st.found)
		}
		st.found = make([]finding.Finding, 0, min(max(64, st.nFound), 8192))
	}
	st.found = append(st.found, finding.Finding{})
	st.nFound++
	return &st.found[len(st.found)-1]
}

// tryConvert is convert that takes back the collected finding when the
// result is not converted.
func (st *runState) tryConvert(r *sarifjson.ReadResult) (*finding.Finding, bool, error) {
	n := st.nFound
	f, miss, err := st.convert(r)
	if miss || err != nil {
		last := &st.found
		if !st.collect {
			last = st.block
		}
		for ; st.nFound > n; st.nFound-- {
			// The findings taken since are at the end of the last chunk.
			(*last)[len(*last)-1] = finding.Finding{}
			*last = (*last)[:len(*last)-1]
		}
	}
	return f, miss, err
}

func (st *runState) emit(idx int, f *finding.Finding) error {
	if st.collect {
		return nil
	}
	if err := st.h(st.run, f); err != nil {
		return &resultError{index: idx, err: err}
	}
	return nil
}

// flush hands over the kept results, in order, as far as the run's
// context allows (all of them once the run is final).
func (st *runState) flush() error {
	if st.tool == nil {
		return nil
	}
	for len(st.pending) > 0 {
		p := st.pending[0]
		f, miss, err := st.tryConvert(p.r)
		if err != nil {
			return &resultError{index: p.index, err: err}
		}
		if miss && !st.final {
			return nil
		}
		st.pending[0] = pendingResult{}
		st.pending = st.pending[1:]
		if err := st.emit(p.index, f); err != nil {
			return err
		}
	}
	st.pending = nil
	return nil
}

// finish completes the run: kept results are handed over, then the run
// itself.
func (st *runState) finish() error {
	st.final = true
	if err := st.flush(); err != nil {
		return err
	}
	if st.outsideRoot > 0 {
		what := "no scan root was given"
		if st.opts.Root != "" {
			what = "they are outside the scan root " + st.opts.Root
		}
		st.run.Invocation.Notifications = append(st.run.Invocation.Notifications, Notification{
			Level:   "warning",
			Message: fmt.Sprintf("scanmux: %d locations have absolute paths that cannot be made relative (%s); they were kept without a path", st.outsideRoot, what),
		})
	}
	if st.collect && st.nFound > 0 {
		all := make([]*finding.Finding, 0, st.nFound)
		for _, c := range append(st.chunks, st.found) {
			for i := range c {
				all = append(all, &c[i])
			}
		}
		st.run.Findings = all
		st.chunks, st.found, st.nFound = nil, nil, 0
	}
	return st.h(st.run, nil)
}

// lookupRule finds the rule descriptor of r, or nil.
func (st *runState) lookupRule(r *sarifjson.ReadResult) *ruleInfo {
	if ref := r.Rule; ref != nil {
		if ref.ToolComponent != nil && ref.ToolComponent.Index != nil {
			if e := *ref.ToolComponent.Index; e >= 0 && e < len(st.extRules) && ref.Index != nil {
				if i := *ref.Index; i >= 0 && i < len(st.extRules[e]) {
					return st.extRules[e][i]
				}
			}
		} else if ref.Index != nil {
			if i := *ref.Index; i >= 0 && i < len(st.rules) {
				return st.rules[i]
			}
		}
		if ri := st.ruleByID[ref.ID]; ref.ID != "" && ri != nil {
			return ri
		}
	}
	if r.RuleIndex != nil {
		if i := *r.RuleIndex; i >= 0 && i < len(st.rules) {
			return st.rules[i]
		}
	}
	if r.RuleID != "" {
		if ri := st.ruleByID[r.RuleID]; ri != nil {
			return ri
		}
		// A hierarchical id "parent/child" may name its parent's descriptor.
		if i := strings.LastIndexByte(r.RuleID, '/'); i > 0 {
			return st.ruleByID[r.RuleID[:i]]
		}
	}
	return nil
}

// resolveURI resolves an artifact location to a URI or path, following
// artifact indexes and uriBaseIds. miss reports that an artifact the
// location refers to, or the run's originalUriBaseIds, is not known yet.
func (st *runState) resolveURI(al *sarifjson.ArtifactLocation) (uri, base string, miss bool) {
	uri, base = al.URI, al.URIBaseID
	if uri == "" && al.Index != nil && *al.Index >= 0 {
		i := *al.Index
		if i >= len(st.artifacts) {
			return "", "", !st.final
		}
		if a := st.artifacts[i].Location; a != nil {
			uri, base = a.URI, a.URIBaseID
		}
	}
	if base != "" && !st.basesSeen && !st.final && !rdIsAbs(uri) && !rdIsWebURL(uri) {
		return "", "", true
	}
	return uri, base, false
}

// location path resolution: see ReadOptions.Root.
func (st *runState) resolvePath(uri, base string) rdPathVal {
	k := rdPathKey{uri, base}
	if v, ok := st.paths[k]; ok {
		return v
	}
	v := st.computePath(uri, base)
	st.paths[k] = v
	return v
}

func (st *runState) computePath(uri, base string) rdPathVal {
	if rdIsWebURL(uri) {
		return rdPathVal{web: uri}
	}
	full := uri
	if !rdIsAbs(uri) && base != "" {
		if _, defined := st.bases[base]; !defined && rdForeignBase(base) {
			// Outside the scan root, somewhere only the tool's machine
			// knows: no path, the URI is kept.
			return rdPathVal{raw: base + "/" + uri}
		}
		full = st.joinBase(uri, base, 0)
	}
	if !rdIsAbs(full) && !rdHasFileScheme(full) {
		if u, err := url.PathUnescape(full); err == nil {
			full = u
		}
	}
	p, err := finding.NormalizePath(st.opts.Root, full)
	if err != nil {
		return rdPathVal{raw: uri, err: err}
	}
	return rdPathVal{path: p}
}

// joinBase resolves the relative reference rel against the uriBaseId
// base. An undefined base is the scan root; so is an absolute base when
// no Root was given.
func (st *runState) joinBase(rel, base string, depth int) string {
	b, ok := st.bases[base]
	if !ok || b.URI == "" || depth > 10 {
		return rel
	}
	if rdIsAbs(b.URI) {
		if st.opts.Root == "" {
			return rel
		}
		return rdJoinURI(b.URI, rel)
	}
	joined := rdJoinURI(b.URI, rel)
	if b.URIBaseID != "" {
		return st.joinBase(joined, b.URIBaseID, depth+1)
	}
	return joined
}

// rdForeignBase reports whether an undefined uriBaseId names a place that
// is not the scan root: the Go toolchain and module cache (govulncheck's
// %GOROOT% and %GOMODCACHE%), a home or temporary directory.
func rdForeignBase(base string) bool {
	b := strings.ToUpper(strings.Trim(base, "%$"))
	switch b {
	case "GOROOT", "GOMODCACHE", "GOPATH", "HOME", "USERPROFILE", "TMP", "TEMP", "TMPDIR", "JAVA_HOME":
		return true
	}
	return false
}

func rdJoinURI(base, rel string) string {
	if !rdHasFileScheme(base) {
		if u, err := url.PathUnescape(rel); err == nil {
			rel = u
		}
	}
	if strings.HasSuffix(base, "/") || strings.HasSuffix(base, `\`) {
		return base + rel
	}
	return base + "/" + rel
}

func rdHasFileScheme(p string) bool { return len(p) >= 5 && strings.EqualFold(p[:5], "file:") }

func rdIsWebURL(s string) bool {
	l := len(s)
	return l > 7 && strings.EqualFold(s[:7], "http://") || l > 8 && strings.EqualFold(s[:8], "https://")
}

// rdIsAbs reports whether s is an absolute path or a file URI.
func rdIsAbs(s string) bool {
	switch {
	case s == "":
		return false
	case rdHasFileScheme(s), s[0] == '/', s[0] == '\\':
		return true
	case len(s) >= 2 && s[1] == ':' && (s[0]|0x20) >= 'a' && (s[0]|0x20) <= 'z':
		return true
	}
	return false
}

func rdFirst(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
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
func (st *runState) taxonCWE(ref *sarifjson.ReportingDescriptorReference) (cwe int, ok, miss bool) {
	var comp *sarifjson.ReadComponent
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
func (st *runState) convert(r *sarifjson.ReadResult) (f *finding.Finding, miss bool, err error) {
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
func (st *runState) convertRule(r *sarifjson.ReadResult, ri *ruleInfo, f *finding.Finding) string {
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
func (st *runState) resultCWEs(r *sarifjson.ReadResult, ri *ruleInfo, resTags []string) (cwes []int, miss bool) {
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

// resultLocations sets f's location (the first location with the web
// request), related locations and flows.
func (st *runState) resultLocations(r *sarifjson.ReadResult, f *finding.Finding) (miss bool, err error) {
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
func (st *runState) threadFlow(cf *sarifjson.CodeFlow, tf *sarifjson.ThreadFlow, f *finding.Finding) (fl finding.Flow, miss bool, err error) {
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
func (st *runState) resultCategory(r *sarifjson.ReadResult, ri *ruleInfo, f *finding.Finding) {
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

// location converts a SARIF location. f receives "sarif.uri" for a path
// that could not be made relative.
func (st *runState) location(xl *sarifjson.Location, f *finding.Finding) (loc finding.Location, miss bool, err error) {
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

// message returns the result's message text: message.text or markdown, or
// the rule's messageStrings[message.id], with {n} placeholders filled;
// else the rule's description; else the rule id.
func (st *runState) message(m *sarifjson.Message, ri *ruleInfo, ruleID string) string {
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

// severity decides a finding's severity; see Decode.
func (st *runState) severity(r *sarifjson.ReadResult, ri *ruleInfo, resTags []string) (finding.Severity, string) {
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
