package aggregate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/scanmux/scanmux/finding"
)

// DedupSeverity chooses how a merged finding's severity is set.
type DedupSeverity string

const (
	// DedupHighest, the default, picks as primary the report with the
	// highest severity (then the most precise location, then the tool name)
	// and gives the merged finding the highest severity of its reports.
	DedupHighest DedupSeverity = "highest"
	// DedupPrimary picks as primary the report with the most precise
	// location (then the tool name), ignoring severity, and keeps that
	// report's own severity.
	DedupPrimary DedupSeverity = "primary"
)

// DedupOptions configures deduplication. The zero value merges, keeping
// the highest severity.
type DedupOptions struct {
	// Disabled turns cross-report merging off: every report is kept as its
	// own finding, even exact repeats.
	Disabled bool
	// Severity chooses the merged severity; "" means DedupHighest.
	Severity DedupSeverity
}

// Match text of a report that repeats another exactly.
const matchDuplicate = "duplicate: same tool, rule and location"

// entry is one distinct report kept by the dedup index, with the exact
// repeats of it collapsed on arrival.
type entry struct {
	id   int
	f    *finding.Finding
	src  int // index of the source that emitted f
	sig  *sig
	dups []member // exact repeats, as reports
	adj  []int    // ids of entries f matches, sorted at the end
	why  map[int]string
}

// member is a report that will not be primary of its entry.
type member struct {
	f   *finding.Finding
	src int
}

// dedupIndex merges findings as they arrive. It is safe for concurrent use.
type dedupIndex struct {
	opts     DedupOptions
	mu       sync.Mutex
	entries  []*entry
	exact    map[string]*entry
	byKey    map[string][]int
	received int
}

func newDedupIndex(opts DedupOptions) *dedupIndex {
	if opts.Severity == "" {
		opts.Severity = DedupHighest
	}
	return &dedupIndex{opts: opts, exact: map[string]*entry{}, byKey: map[string][]int{}}
}

// exactKey identifies reports that are the same tool, rule and location,
// and carry the same keys that matching uses, so that collapsing them
// never changes what they match.
func exactKey(f *finding.Finding, s *sig) string {
	var b strings.Builder
	r := f.Location.Region
	fmt.Fprintf(&b, "%s\x00%s\x00%d\x00%s\x00%d:%d:%d:%d\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00",
		f.Tool.Name, f.Rule.ID, s.kind, s.path, r.StartLine, r.StartColumn, r.EndLine, r.EndColumn,
		f.Location.Resource, s.pkg, s.version, s.image, s.web, s.param, s.secret)
	b.WriteString(formatInts(s.cwes))
	b.WriteByte(0)
	b.WriteString(strings.Join(s.vulns, ","))
	if s.kind == kindPackage && f.Location.Package != nil {
		b.WriteString("\x00" + f.Location.Package.Ecosystem)
	}
	// Without the location its kind needs (a package, a URL, a file), the
	// location cannot tell two reports apart: the message must.
	if vague(f, s) {
		b.WriteString("\x00" + f.Message + "\x00" + f.Properties["sarif.uri"] + "\x00" + f.Properties[PropOriginalPath])
	}
	return b.String()
}

// vague reports whether f lacks the location its kind is identified by.
func vague(f *finding.Finding, s *sig) bool {
	l := &f.Location
	switch s.kind {
	case kindPackage:
		return l.Package == nil
	case kindWeb:
		return l.Web == nil
	}
	return l.Path == "" && l.Resource == ""
}

// add indexes f, emitted by source src.
func (d *dedupIndex) add(f *finding.Finding, src int) {
	s := newSig(f)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.received++
	if d.opts.Disabled {
		d.entries = append(d.entries, &entry{id: len(d.entries), f: f, src: src, sig: s})
		return
	}
	key := exactKey(f, s)
	if e := d.exact[key]; e != nil {
		if d.better(f, e.f) {
			e.dups = append(e.dups, member{e.f, e.src})
			e.f, e.src = f, src
		} else {
			e.dups = append(e.dups, member{f, src})
		}
		return
	}
	e := &entry{id: len(d.entries), f: f, src: src, sig: s}
	d.entries = append(d.entries, e)
	d.exact[key] = e
	var seen []int
	for _, k := range s.indexKeys() {
		for _, id := range d.byKey[k] {
			if slices.Contains(seen, id) {
				continue
			}
			seen = append(seen, id)
			o := d.entries[id]
			if why, ok := match(s, o.sig); ok {
				e.link(o, why)
			}
		}
		d.byKey[k] = append(d.byKey[k], e.id)
	}
}

func (e *entry) link(o *entry, why string) {
	e.adj = append(e.adj, o.id)
	o.adj = append(o.adj, e.id)
	if e.why == nil {
		e.why = map[int]string{}
	}
	if o.why == nil {
		o.why = map[int]string{}
	}
	e.why[o.id], o.why[e.id] = why, why
}

func (e *entry) adjacent(id int) bool {
	_, ok := slices.BinarySearch(e.adj, id)
	return ok
}

// dedupResult is what deduplication produces.
type dedupResult struct {
	findings  []*finding.Finding
	merged    int
	ambiguous []string
}

// finish resolves the matches into merged findings. failed reports which
// sources failed (their findings are marked partial); names gives source
// names.
//
// The result does not depend on the order in which findings arrived:
// matching is a symmetric relation between reports; a report whose
// matches do not all match each other is ambiguous and kept alone; the
// other reports then form groups in which every report matches every other
// (see the package documentation), and each group becomes one finding whose
// primary is the best report by a total order.
func (d *dedupIndex) finish(failed []bool, names []string) *dedupResult {
	d.mu.Lock()
	defer d.mu.Unlock()
	res := &dedupResult{}
	for _, e := range d.entries {
		slices.Sort(e.adj)
	}
	n := len(d.entries)
	amb := make([]bool, n)
	for _, e := range d.entries {
		if a, b, ok := d.conflict(e); ok {
			amb[e.id] = true
			ea, eb := d.entries[a], d.entries[b]
			res.ambiguous = append(res.ambiguous, fmt.Sprintf("ambiguous: %s could merge with %s (%s) or %s (%s), which do not match each other; kept apart",
				describe(e.f), describe(ea.f), e.why[a], describe(eb.f), e.why[b]))
			setProp(e.f, PropAmbiguous, describe(ea.f)+" | "+describe(eb.f))
		}
	}
	// Union-find over edges between non-ambiguous entries.
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, e := range d.entries {
		if amb[e.id] {
			continue
		}
		for _, o := range e.adj {
			if !amb[o] {
				if ra, rb := find(e.id), find(o); ra != rb {
					parent[max(ra, rb)] = min(ra, rb)
				}
			}
		}
	}
	groups := map[int][]*entry{}
	var roots []int
	for _, e := range d.entries {
		r := find(e.id)
		if groups[r] == nil {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], e)
	}
	for _, r := range roots {
		f, merged := d.merge(groups[r], failed, names)
		res.findings = append(res.findings, f)
		res.merged += merged
	}
	slices.Sort(res.ambiguous)
	d.entries, d.exact, d.byKey = nil, nil, nil
	return res
}

// conflict returns two neighbours of e that do not match each other.
func (d *dedupIndex) conflict(e *entry) (int, int, bool) {
	// Neighbours in a fixed order (best report first), so that the pair
	// named does not depend on arrival order.
	nb := slices.Clone(e.adj)
	slices.SortFunc(nb, func(a, b int) int { return d.compare(d.entries[a].f, d.entries[b].f) })
	for i, a := range nb {
		for _, b := range nb[i+1:] {
			if !d.entries[a].adjacent(b) {
				return a, b, true
			}
		}
	}
	return 0, 0, false
}

// merge turns a group of matching entries into one finding. It returns the
// finding and the number of reports merged into it.
func (d *dedupIndex) merge(group []*entry, failed []bool, names []string) (*finding.Finding, int) {
	// Reports that compare equal (the same finding from two sources) are
	// told apart by whether their source completed, then by its name.
	cmpMember := func(a, b member) int {
		if c := d.compare(a.f, b.f); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(b2i(failed[a.src]), b2i(failed[b.src])), strings.Compare(names[a.src], names[b.src]))
	}
	for _, e := range group {
		if len(e.dups) > 0 {
			all := append([]member{{e.f, e.src}}, e.dups...)
			slices.SortFunc(all, cmpMember)
			e.f, e.src, e.dups = all[0].f, all[0].src, all[1:]
		}
	}
	slices.SortFunc(group, func(a, b *entry) int { return cmpMember(member{a.f, a.src}, member{b.f, b.src}) })
	p := group[0]
	out := p.f
	if failed[p.src] {
		setProp(out, PropPartial, "true")
	}
	var also []finding.Report
	sev := out.Severity
	cwes := slices.Clone(out.CWEs)
	vulns := slices.Clone(out.VulnIDs)
	add := func(m member, match string) {
		if m.f.Suppressed() {
			match += "; suppressed by " + suppressionSource(m.f)
		}
		if failed[m.src] {
			match += "; partial: source " + names[m.src] + " failed"
		}
		also = append(also, report(m.f, match))
		sev = max(sev, m.f.Severity)
		cwes = append(cwes, m.f.CWEs...)
		vulns = append(vulns, m.f.VulnIDs...)
		if s := m.f.Fingerprints["secret/sha256"]; s != "" && out.Fingerprints["secret/sha256"] == "" {
			if out.Fingerprints == nil {
				out.Fingerprints = map[string]string{}
			}
			out.Fingerprints["secret/sha256"] = s
		}
	}
	for _, dup := range p.dups {
		add(dup, matchDuplicate)
	}
	for _, e := range group[1:] {
		why := e.why[p.id]
		add(member{e.f, e.src}, why)
		for _, dup := range e.dups {
			add(dup, matchDuplicate+" as "+e.f.Tool.Name+" "+e.f.Rule.ID+"; "+why)
		}
	}
	if len(also) == 0 {
		return out, 0
	}
	slices.SortFunc(also, compareReports)
	out.Also = append(out.Also, also...)
	if d.opts.Severity != DedupPrimary {
		out.Severity = sev
	}
	slices.Sort(cwes)
	out.CWEs = slices.Compact(cwes)
	out.VulnIDs = mergeIDs(out.VulnIDs, vulns)
	return out, len(also)
}

// report is f as a merged report.
func report(f *finding.Finding, match string) finding.Report {
	return finding.Report{Tool: f.Tool, RuleID: f.Rule.ID, Severity: f.Severity,
		OriginalSeverity: f.OriginalSeverity, Message: f.Message, Location: f.Location, Match: match}
}

// mergeIDs returns primary's ids followed by the others, each once.
func mergeIDs(primary, all []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range primary {
		if !seen[strings.ToUpper(id)] {
			seen[strings.ToUpper(id)] = true
			out = append(out, id)
		}
	}
	rest := slices.Clone(all)
	slices.Sort(rest)
	for _, id := range rest {
		if !seen[strings.ToUpper(id)] {
			seen[strings.ToUpper(id)] = true
			out = append(out, id)
		}
	}
	return out
}

func suppressionSource(f *finding.Finding) string {
	for _, s := range f.Suppressions {
		if s.Status == "" || s.Status == finding.SuppressionAccepted {
			return cmpOr(s.Source, string(s.Kind))
		}
	}
	return ""
}

// describe names a finding in warnings and explanations.
func describe(f *finding.Finding) string {
	return f.Tool.Name + " " + f.Rule.ID + " at " + where(&f.Location)
}

// where formats a location briefly.
func where(l *finding.Location) string {
	var s string
	switch {
	case l.Path != "":
		s = l.Path
		if st, en := lineSpan(l.Region); st > 0 {
			s += ":" + strconv.Itoa(st)
			if en != st {
				s += "-" + strconv.Itoa(en)
			}
		}
	case l.Web != nil:
		s = l.Web.URL
		if l.Web.Parameter != "" {
			s += " [" + l.Web.Parameter + "]"
		}
	case l.Package != nil:
		s = l.Package.Name
		if l.Package.Version != "" {
			s += "@" + l.Package.Version
		}
		if l.Package.Image != "" {
			s = l.Package.Image + " " + s
		}
	default:
		s = "(no location)"
	}
	if l.Resource != "" {
		s += " (" + l.Resource + ")"
	}
	return s
}

// better reports whether a should be primary rather than b.
func (d *dedupIndex) better(a, b *finding.Finding) bool { return d.compare(a, b) < 0 }

// compare is the total order that picks the primary report: unsuppressed
// first, then secrets before other kinds, then (DedupHighest) higher
// severity, then the more precise location, then tool name, rule id,
// location and message, and as a last resort the reports' JSON form, so
// that the pick never depends on arrival order.
func (d *dedupIndex) compare(a, b *finding.Finding) int {
	if c := cmp.Compare(b2i(a.Suppressed()), b2i(b.Suppressed())); c != 0 {
		return c
	}
	if c := cmp.Compare(b2i(a.Category != finding.CategorySecret), b2i(b.Category != finding.CategorySecret)); c != 0 {
		return c
	}
	if d.opts.Severity != DedupPrimary {
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(precision(&b.Location), precision(&a.Location)); c != 0 {
		return c
	}
	if c := cmp.Compare(span(&a.Location), span(&b.Location)); c != 0 {
		return c
	}
	if c := compareFindings(a, b); c != 0 {
		return c
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return strings.Compare(string(ja), string(jb))
}

// precision ranks how exactly a location is given.
func precision(l *finding.Location) int {
	switch {
	case l.Path != "" && l.Region.StartLine > 0 && l.Region.StartColumn > 0:
		return 3
	case l.Path != "" && l.Region.StartLine > 0:
		return 2
	case l.Path != "":
		return 1
	}
	return 0
}

// span is the number of lines a location covers; narrower is more precise.
func span(l *finding.Location) int {
	s, e := lineSpan(l.Region)
	if s == 0 {
		return 1 << 30
	}
	return e - s
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// compareFindings is the report order: location, tool, rule, severity
// (higher first), message, then the rest of the identifying fields.
func compareFindings(a, b *finding.Finding) int {
	if c := compareLocations(&a.Location, &b.Location); c != 0 {
		return c
	}
	if c := cmp.Or(strings.Compare(a.Tool.Name, b.Tool.Name), strings.Compare(a.Rule.ID, b.Rule.ID),
		cmp.Compare(b.Severity, a.Severity), strings.Compare(a.Message, b.Message)); c != 0 {
		return c
	}
	if c := cmp.Or(strings.Compare(string(a.Category), string(b.Category)), slices.Compare(a.CWEs, b.CWEs),
		slices.Compare(a.VulnIDs, b.VulnIDs), strings.Compare(a.OriginalSeverity, b.OriginalSeverity),
		strings.Compare(a.Tool.Version, b.Tool.Version)); c != 0 {
		return c
	}
	if c := compareMaps(a.Fingerprints, b.Fingerprints); c != 0 {
		return c
	}
	if c := compareMaps(a.Properties, b.Properties); c != 0 {
		return c
	}
	return cmp.Compare(len(a.Suppressions), len(b.Suppressions))
}

func compareMaps(a, b map[string]string) int {
	ka, kb := slices.Sorted(maps.Keys(a)), slices.Sorted(maps.Keys(b))
	if c := slices.Compare(ka, kb); c != 0 {
		return c
	}
	for _, k := range ka {
		if c := strings.Compare(a[k], b[k]); c != 0 {
			return c
		}
	}
	return 0
}

func compareLocations(a, b *finding.Location) int {
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	c := cmp.Or(
		strings.Compare(a.Path, b.Path),
		cmp.Compare(a.Region.StartLine, b.Region.StartLine),
		cmp.Compare(a.Region.StartColumn, b.Region.StartColumn),
		cmp.Compare(a.Region.EndLine, b.Region.EndLine),
		cmp.Compare(a.Region.EndColumn, b.Region.EndColumn),
		strings.Compare(a.Resource, b.Resource),
	)
	if c != 0 {
		return c
	}
	var pa, pb finding.Package
	if a.Package != nil {
		pa = *a.Package
	}
	if b.Package != nil {
		pb = *b.Package
	}
	var wa, wb finding.Web
	if a.Web != nil {
		wa = *a.Web
	}
	if b.Web != nil {
		wb = *b.Web
	}
	return cmp.Or(
		strings.Compare(pa.Image, pb.Image), strings.Compare(pa.Name, pb.Name),
		strings.Compare(pa.Version, pb.Version), strings.Compare(pa.Ecosystem, pb.Ecosystem),
		strings.Compare(wa.URL, wb.URL), strings.Compare(wa.Parameter, wb.Parameter),
		strings.Compare(wa.Method, wb.Method),
	)
}

func compareReports(a, b finding.Report) int {
	if c := compareLocations(&a.Location, &b.Location); c != 0 {
		return c
	}
	return cmp.Or(
		strings.Compare(a.Tool.Name, b.Tool.Name),
		strings.Compare(a.RuleID, b.RuleID),
		cmp.Compare(b.Severity, a.Severity),
		strings.Compare(a.Message, b.Message),
		strings.Compare(a.OriginalSeverity, b.OriginalSeverity),
		strings.Compare(a.Match, b.Match),
		strings.Compare(a.Tool.Version, b.Tool.Version),
	)
}
