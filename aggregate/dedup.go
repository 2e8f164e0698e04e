package aggregate

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/scanmux/scanmux/cwe"
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
	f     *finding.Finding
	dups  []member // exact repeats, as reports
	adj   []int32  // ids of entries f matches, sorted by finishTable
	hash  uint64   // hash of the exact key
	sig   sig
	id    int32 // index in the table
	src   int32 // index of the source that emitted f
	visit int32 // id of the last entry whose candidates included this one, plus 1
}

// member is a report that will not be primary of its entry.
type member struct {
	f   *finding.Finding
	src int
}

// dedupIndex merges findings as they arrive. It is safe for concurrent use.
type dedupIndex struct {
	opts     DedupOptions
	seed     maphash.Seed
	tables   [dedupTables]dedupTable // by the hash of a report's place
	received atomic.Int64

	// With Disabled, each source's findings in arrival order, by source.
	plainMu sync.Mutex
	plain   map[int]*[]*finding.Finding
}

// dedupTables is how many tables the index splits its reports into, by
// their place (file, package or endpoint: see sig.placeKey): two reports
// match only at one place, so each table is resolved alone. Sources
// adding reports at once then rarely wait for one lock, and the tables
// are finished in parts on all cores.
const dedupTables = 16

// dedupTable is the entries and keys of one part of the index, under one
// lock.
type dedupTable struct {
	mu      sync.Mutex
	entries []*entry
	exact   map[uint64][]*entry // entries without index keys, by exact hash
	keys    map[uint64]int32    // by index key hash: the last of lists with that hash
	lists   []keyList
}

func newDedupIndex(opts DedupOptions) *dedupIndex {
	if opts.Severity == "" {
		opts.Severity = DedupHighest
	}
	return &dedupIndex{opts: opts, seed: maphash.MakeSeed()}
}

// exactHash hashes the exact key of f: its tool, rule and location, and the
// keys that matching uses (see [sameExact]).
func exactHash(h *maphash.Hash, f *finding.Finding, s *sig) uint64 {
	str := func(v string) {
		h.WriteString(v)
		h.WriteByte(0)
	}
	num := func(n int) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(n))
		h.Write(b[:])
	}
	str(f.Tool.Name)
	str(f.Rule.ID)
	h.WriteByte(byte(s.kind))
	str(s.path)
	r := f.Location.Region
	num(r.StartLine)
	num(r.StartColumn)
	num(r.EndLine)
	num(r.EndColumn)
	str(f.Location.Resource)
	for _, c := range s.cwes {
		num(c)
	}
	if x := s.x; x != nil {
		str(x.pkg)
		str(x.version)
		str(x.image)
		str(x.web)
		str(x.param)
		str(x.secret)
		for _, v := range x.vulns {
			str(v)
		}
	}
	if coarse(f, s) {
		str(f.Message)
	}
	return h.Sum64()
}

// sameExact reports whether two reports are exact repeats: the same tool,
// rule and location, carrying the same keys that matching uses, so that
// collapsing them never changes what they match.
func sameExact(f *finding.Finding, s *sig, g *finding.Finding, t *sig) bool {
	if f.Tool.Name != g.Tool.Name || f.Rule.ID != g.Rule.ID || s.kind != t.kind || s.path != t.path ||
		f.Location.Region != g.Location.Region || f.Location.Resource != g.Location.Resource ||
		!slices.Equal(s.cwes, t.cwes) {
		return false
	}
	x, y := s.extra(), t.extra()
	if x.pkg != y.pkg || x.version != y.version || x.image != y.image || x.web != y.web ||
		x.param != y.param || x.secret != y.secret || !slices.Equal(x.vulns, y.vulns) {
		return false
	}
	if s.kind == kindPackage && (f.Location.Package != nil) == (g.Location.Package != nil) &&
		f.Location.Package != nil && f.Location.Package.Ecosystem != g.Location.Package.Ecosystem {
		return false
	}
	// Where the location cannot tell two reports apart, the message must.
	cf, cg := coarse(f, s), coarse(g, t)
	if cf != cg || cf && f.Message != g.Message {
		return false
	}
	// Without the location its kind needs (a package, a URL, a file), the
	// properties that keep what the reports said of a place that could not
	// be placed (sarif.uri, the original path and region, an adapter's
	// unresolved path and lines): any difference there is another place.
	if vague(f, s) {
		for _, k := range placeProps {
			if f.Properties[k] != g.Properties[k] {
				return false
			}
		}
	}
	return true
}

// placeProps are the properties in which readers keep a location they
// could not place under the root.
var placeProps = []string{"sarif.uri", PropOriginalPath, PropOriginalRegion, PropUnresolvedPath, PropUnresolvedRegion}

// coarse reports whether f's location is too coarse to tell apart two
// reports of one tool and rule, so that only the message can: a location
// without the place its kind is identified by (see vague), without a line,
// or given only by the first line of the object it reports (kube-score); a
// URL without a parameter (a missing header is reported on the page); or a
// rule id that names no check (a policy's deny, warn, violation), whose
// reports differ by their messages only. Such reports are exact repeats
// only when their messages are equal too.
func coarse(f *finding.Finding, s *sig) bool {
	if vague(f, s) {
		return true
	}
	switch s.kind {
	case kindPackage:
		return false
	case kindWeb:
		return f.Location.Web.Parameter == ""
	}
	return f.Location.Region.StartLine == 0 || s.point || s.generic
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

// candidate is an entry listed under an index key, with the lines it
// covers: under the keys of source findings ('s' and 'c'), which only
// source findings of one file share, two entries match exactly when their
// lines overlap, which the list tells without reading the entries.
type candidate struct {
	start, end int // lineSpan of the entry's region
	id         int32
	sc, ec     uint16 // columns of a one-line region (see lineColumns)
}

// keyList is the candidates listed under one index key.
type keyList struct {
	key   indexKey
	prev  int32 // the list before it with the same key hash, or -1
	cands []candidate
}

// list returns the list of key k, whose hash is h, adding it if new.
func (s *dedupTable) list(k *indexKey, h uint64) *keyList {
	i, ok := s.keys[h]
	for j := i; ok && j >= 0; j = s.lists[j].prev {
		if s.lists[j].key == *k {
			return &s.lists[j]
		}
	}
	prev := int32(-1)
	if ok {
		prev = i
	}
	s.keys[h] = int32(len(s.lists))
	s.lists = append(s.lists, keyList{key: *k, prev: prev})
	return &s.lists[len(s.lists)-1]
}

// hashKey hashes an index key.
func hashKey(h *maphash.Hash, k *indexKey) uint64 {
	h.Reset()
	var b [9]byte
	b[0] = k.kind
	binary.LittleEndian.PutUint64(b[1:], uint64(k.n))
	h.Write(b[:])
	h.WriteString(k.a)
	h.WriteByte(0)
	h.WriteString(k.b)
	return h.Sum64()
}

// entryChunk is how many entries an indexer allocates at a time.
const entryChunk = 256

// indexer prepares one source's findings for the index; each source has its
// own.
type indexer struct {
	d     *dedupIndex
	src   int
	plain *[]*finding.Finding // with Disabled: the source's findings
	chunk []entry             // where the next entries are allocated
	cache sigCache
	h     maphash.Hash
	keys  [8]indexKey
	khash [8]uint64 // hashes of keys
	adj   []int32   // the matches of the entry being added
}

func (d *dedupIndex) indexer(src int) *indexer {
	ix := &indexer{d: d, src: src}
	ix.h.SetSeed(d.seed)
	if d.opts.Disabled {
		d.plainMu.Lock()
		if d.plain == nil {
			d.plain = map[int]*[]*finding.Finding{}
		}
		ix.plain = new([]*finding.Finding)
		d.plain[src] = ix.plain
		d.plainMu.Unlock()
	}
	return ix
}

// add indexes f, emitted by the indexer's source.
func (ix *indexer) add(f *finding.Finding) {
	d := ix.d
	if ix.plain != nil {
		// Nothing to match: keep the findings in order, each source
		// apart (a source's findings are added one at a time).
		d.received.Add(1)
		*ix.plain = append(*ix.plain, f)
		return
	}
	if len(ix.chunk) == cap(ix.chunk) {
		ix.chunk = make([]entry, 0, entryChunk)
	}
	ix.chunk = append(ix.chunk, entry{f: f, src: int32(ix.src), sig: newSig(f, &ix.cache)})
	e := &ix.chunk[len(ix.chunk)-1]
	ix.h.Reset()
	ix.h.WriteString(e.sig.placeKey())
	tab := &d.tables[ix.h.Sum64()%dedupTables]
	d.received.Add(1)
	ix.h.Reset()
	e.hash = exactHash(&ix.h, f, &e.sig)
	keys := e.sig.indexKeys(ix.keys[:0])
	khash := ix.khash[:0]
	for i := range keys {
		khash = append(khash, hashKey(&ix.h, &keys[i]))
	}

	tab.mu.Lock()
	defer tab.mu.Unlock()
	if tab.keys == nil {
		tab.keys = map[uint64]int32{}
	}
	start, end := lineSpan(e.sig.region)
	sc, ec := lineColumns(e.sig.region)
	// An exact repeat of an entry has its keys and lines: it is listed
	// under e's first key with e's line span. Findings without keys are
	// found by their exact hash.
	var repeat *entry
	var first *keyList
	if len(keys) > 0 {
		first = tab.list(&keys[0], khash[0])
		for _, c := range first.cands {
			if c.start != start || c.end != end {
				continue
			}
			if o := tab.entries[c.id]; o.hash == e.hash && sameExact(f, &e.sig, o.f, &o.sig) {
				repeat = o
				break
			}
		}
	} else {
		if tab.exact == nil {
			tab.exact = map[uint64][]*entry{}
		}
		for _, o := range tab.exact[e.hash] {
			if sameExact(f, &e.sig, o.f, &o.sig) {
				repeat = o
				break
			}
		}
	}
	if o := repeat; o != nil {
		if d.better(f, o.f) {
			o.dups = append(o.dups, member{o.f, int(o.src)})
			o.f, o.src = f, int32(ix.src)
		} else {
			o.dups = append(o.dups, member{f, ix.src})
		}
		// e is not kept: its place in the chunk is the next entry's.
		*e = entry{}
		ix.chunk = ix.chunk[:len(ix.chunk)-1]
		return
	}
	e.id = int32(len(tab.entries))
	tab.entries = append(tab.entries, e)
	if len(keys) == 0 {
		tab.exact[e.hash] = append(tab.exact[e.hash], e)
	}
	mark := e.id + 1
	adj := ix.adj[:0]
	for i := range keys {
		k := &keys[i]
		classCWE := k.kind == 's' && !cwe.Specific(k.n)
		l := first // no list was added since
		if i > 0 {
			l = tab.list(k, khash[i])
		}
		for _, c := range l.cands {
			if k.kind == 's' || k.kind == 'c' {
				// Both are source findings of one file that share a CWE
				// or a rule class: they match when their lines overlap
				// (see matchSource), whatever else the entries say; for a
				// Class-level CWE, when both are on one and the same line.
				if !spansOverlap(start, end, c.start, c.end) || i > 0 && slices.Contains(adj, c.id) {
					continue
				}
				if classCWE && (start == 0 || start != end || c.start != c.end) || columnsApart(sc, ec, c.sc, c.ec) {
					continue
				}
				adj = append(adj, c.id)
				continue
			}
			if k.kind == 'k' && !spansOverlap(start, end, c.start, c.end) {
				// Source and secret findings of one file match only on
				// a shared line (matchSource, matchSecrets,
				// matchCredential): no need to read the entry.
				continue
			}
			o := tab.entries[c.id]
			if o.visit == mark || i > 0 && slices.Contains(adj, c.id) {
				continue
			}
			o.visit = mark
			if _, ok := match(&e.sig, &o.sig, false); ok {
				adj = append(adj, c.id)
			}
		}
		l.cands = append(l.cands, candidate{start: start, end: end, id: e.id, sc: sc, ec: ec})
	}
	for _, id := range adj {
		e.adj = append(e.adj, id)
		o := tab.entries[id]
		o.adj = append(o.adj, e.id)
	}
	ix.adj = adj
}

// spansOverlap is linesOverlap on line spans.
func spansOverlap(s1, e1, s2, e2 int) bool {
	if s1 == 0 || s2 == 0 {
		return s1 == s2
	}
	return s1 <= e2 && s2 <= e1
}

// why returns the keys on which two adjacent entries matched.
func why(a, b *entry) string {
	s, ok := match(&a.sig, &b.sig, true)
	if !ok && samePackage(&a.sig, &b.sig) {
		x := a.sig.x
		s = "same advisory, by the aliases another report of the group gives: package=" + x.pkg
		if x.version != "" {
			s += "@" + x.version
		}
	}
	return s
}

func (e *entry) adjacent(id int32) bool {
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
	if d.opts.Disabled {
		// Every report is its own finding, in source order.
		res := &dedupResult{}
		srcs := slices.Sorted(maps.Keys(d.plain))
		n := 0
		for _, src := range srcs {
			n += len(*d.plain[src])
		}
		res.findings = make([]*finding.Finding, 0, n)
		for _, src := range srcs {
			found := *d.plain[src]
			if failed[src] {
				for _, f := range found {
					setProp(f, PropPartial, "true")
				}
			}
			res.findings = append(res.findings, found...)
		}
		d.plain = nil
		return res
	}
	var parts [dedupTables]dedupResult
	inParts(dedupTables, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			sh := &d.tables[i]
			sh.mu.Lock()
			d.finishTable(sh, failed, names, &parts[i])
			sh.entries, sh.exact, sh.keys, sh.lists = nil, nil, nil, nil
			sh.mu.Unlock()
		}
	})
	res := &dedupResult{}
	for i := range parts {
		res.findings = append(res.findings, parts[i].findings...)
		res.merged += parts[i].merged
		res.ambiguous = append(res.ambiguous, parts[i].ambiguous...)
	}
	slices.Sort(res.ambiguous)
	return res
}

// finishTable resolves the matches of sh's entries into res.
func (d *dedupIndex) finishTable(sh *dedupTable, failed []bool, names []string, res *dedupResult) {
	entries := sh.entries
	n := len(entries)
	for _, e := range entries {
		slices.Sort(e.adj)
	}
	// Whether an entry's neighbours may not all match each other reads
	// the adjacency lists only, and is found in parts at once; the pairs
	// named (which read the findings, and mark them) in order.
	amb := make([]bool, n)
	inParts(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			_, _, amb[i] = apart(entries, entries[i].adj, &entries[i].sig)
		}
	})
	for _, e := range entries {
		if !amb[e.id] {
			continue
		}
		amb[e.id] = false
		if a, b, ok := d.conflict(entries, e); ok {
			amb[e.id] = true
			ea, eb := entries[a], entries[b]
			res.ambiguous = append(res.ambiguous, fmt.Sprintf("ambiguous: %s could merge with %s (%s) or %s (%s), which do not match each other; kept apart",
				describe(e.f), describe(ea.f), why(e, ea), describe(eb.f), why(e, eb)))
			setProp(e.f, PropAmbiguous, describe(ea.f)+" | "+describe(eb.f))
		}
	}
	// Union-find over edges between non-ambiguous entries. The root of a
	// group is its smallest id.
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, e := range entries {
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
	// Lay the groups out one after the other, in the order of their roots.
	size := make([]int32, n)
	for i := range parent {
		parent[i] = find(int32(i))
		size[parent[i]]++
	}
	start := make([]int32, n)
	pos := int32(0)
	for i := range start {
		if parent[i] == int32(i) {
			start[i] = pos
			pos += size[i]
		}
	}
	fill := slices.Clone(start)
	flat := make([]*entry, n)
	for i, e := range entries {
		r := parent[i]
		flat[fill[r]] = e
		fill[r]++
	}
	res.findings = make([]*finding.Finding, 0, n)
	for i := range parent {
		if parent[i] != int32(i) {
			continue
		}
		f, merged := d.merge(flat[start[i]:start[i]+size[i]], failed, names)
		res.findings = append(res.findings, f)
		res.merged += merged
	}
}

// conflict returns two neighbours of e that do not match each other.
func (d *dedupIndex) conflict(entries []*entry, e *entry) (int32, int32, bool) {
	if len(e.adj) < 2 {
		return 0, 0, false
	}
	// Most neighbourhoods match among themselves: find out before ordering
	// the neighbours, which reads their findings.
	if _, _, ok := apart(entries, e.adj, &e.sig); !ok {
		return 0, 0, false
	}
	// Neighbours in a fixed order (best report first), so that the pair
	// named does not depend on arrival order.
	nb := slices.Clone(e.adj)
	slices.SortFunc(nb, func(a, b int32) int { return d.compare(entries[a].f, entries[b].f) })
	return apart(entries, nb, &e.sig)
}

// apart returns the first pair of ids, in ids' order, whose entries do not
// match each other, where all match mid. Two package findings that match
// mid are one issue when they are the same package and mid names one
// advisory (one id of each scheme: CVE, GHSA, GO…): mid's ids are the
// aliases of that advisory and join theirs (a report that names the GHSA
// id, one that names the CVE, and one that names both). An advisory with
// two CVEs is a chain that is split.
func apart(entries []*entry, ids []int32, mid *sig) (int32, int32, bool) {
	join := oneAdvisory(mid)
	for i, a := range ids {
		for _, b := range ids[i+1:] {
			if !entries[a].adjacent(b) && !(join && samePackage(&entries[a].sig, &entries[b].sig)) {
				return a, b, true
			}
		}
	}
	return 0, 0, false
}

// merge turns a group of matching entries into one finding. It returns the
// finding and the number of reports merged into it.
func (d *dedupIndex) merge(group []*entry, failed []bool, names []string) (*finding.Finding, int) {
	if len(group) == 1 && len(group[0].dups) == 0 {
		out := group[0].f
		if failed[group[0].src] {
			setProp(out, PropPartial, "true")
		}
		return out, 0
	}
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
			all := append([]member{{e.f, int(e.src)}}, e.dups...)
			slices.SortFunc(all, cmpMember)
			e.f, e.src, e.dups = all[0].f, int32(all[0].src), all[1:]
		}
	}
	slices.SortFunc(group, func(a, b *entry) int { return cmpMember(member{a.f, int(a.src)}, member{b.f, int(b.src)}) })
	p := group[0]
	out := p.f
	if failed[p.src] {
		setProp(out, PropPartial, "true")
	}
	n := len(p.dups)
	for _, e := range group[1:] {
		n += 1 + len(e.dups)
	}
	also := make([]finding.Report, 0, n)
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
		why := why(e, p)
		add(member{e.f, int(e.src)}, why)
		for _, dup := range e.dups {
			add(dup, matchDuplicate+" as "+e.f.Tool.Name+" "+e.f.Rule.ID+"; "+why)
		}
	}
	if len(also) == 0 {
		return out, 0
	}
	slices.SortFunc(also, compareReports)
	if out.Also == nil {
		out.Also = also
	} else {
		out.Also = append(out.Also, also...)
	}
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
// location and message, and as a last resort every other field (see
// [compareRest]), so that the pick never depends on arrival order.
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
	return compareRest(a, b)
}

// compareRest orders findings that [compareFindings] finds equal by the
// fields it does not read, in the order of the Finding struct, so that
// only findings equal in every field compare equal. A nil slice, map or
// pointer sorts before an empty or zero one.
func compareRest(a, b *finding.Finding) int {
	if c := cmp.Or(
		strings.Compare(a.Tool.InformationURI, b.Tool.InformationURI),
		strings.Compare(a.Rule.Name, b.Rule.Name),
		strings.Compare(a.Rule.ShortDescription, b.Rule.ShortDescription),
		strings.Compare(a.Rule.FullDescription, b.Rule.FullDescription),
		strings.Compare(a.Rule.HelpText, b.Rule.HelpText),
		strings.Compare(a.Rule.HelpMarkdown, b.Rule.HelpMarkdown),
		strings.Compare(a.Rule.HelpURI, b.Rule.HelpURI),
		compareNil(a.Rule.Tags == nil, b.Rule.Tags == nil),
		slices.Compare(a.Rule.Tags, b.Rule.Tags),
		strings.Compare(string(a.Precision), string(b.Precision)),
		compareNil(a.CWEs == nil, b.CWEs == nil),
		compareNil(a.VulnIDs == nil, b.VulnIDs == nil),
	); c != 0 {
		return c
	}
	if c := compareLocationRest(&a.Location, &b.Location); c != 0 {
		return c
	}
	if c := cmp.Or(compareNil(a.Related == nil, b.Related == nil),
		slices.CompareFunc(a.Related, b.Related, func(x, y finding.Location) int { return compareLocationAll(&x, &y) }),
		compareNil(a.Flows == nil, b.Flows == nil),
		slices.CompareFunc(a.Flows, b.Flows, func(x, y finding.Flow) int {
			return cmp.Or(strings.Compare(x.Message, y.Message), compareNil(x.Steps == nil, y.Steps == nil),
				slices.CompareFunc(x.Steps, y.Steps, func(p, q finding.Location) int { return compareLocationAll(&p, &q) }))
		}),
		compareNil(a.Fingerprints == nil, b.Fingerprints == nil),
		compareNil(a.Suppressions == nil, b.Suppressions == nil),
		slices.CompareFunc(a.Suppressions, b.Suppressions, func(x, y finding.Suppression) int {
			return cmp.Or(strings.Compare(string(x.Kind), string(y.Kind)), strings.Compare(string(x.Status), string(y.Status)),
				strings.Compare(x.Justification, y.Justification), strings.Compare(x.Source, y.Source))
		}),
		compareNil(a.Properties == nil, b.Properties == nil),
		compareNil(a.Also == nil, b.Also == nil),
		slices.CompareFunc(a.Also, b.Also, func(x, y finding.Report) int {
			return cmp.Or(compareReports(x, y), compareLocationRest(&x.Location, &y.Location),
				strings.Compare(x.Tool.InformationURI, y.Tool.InformationURI))
		}),
	); c != 0 {
		return c
	}
	return strings.Compare(string(a.Baseline), string(b.Baseline))
}

// compareNil orders nil (true) before set (false).
func compareNil(aNil, bNil bool) int { return cmp.Compare(b2i(!aNil), b2i(!bNil)) }

// compareLocationAll compares every field of two locations.
func compareLocationAll(a, b *finding.Location) int {
	return cmp.Or(compareLocations(a, b), compareLocationRest(a, b))
}

// compareLocationRest compares the fields of two locations that
// [compareLocations] does not read.
func compareLocationRest(a, b *finding.Location) int {
	if c := cmp.Or(strings.Compare(a.Snippet, b.Snippet), strings.Compare(a.Message, b.Message),
		compareNil(a.Package == nil, b.Package == nil), compareNil(a.Web == nil, b.Web == nil)); c != 0 {
		return c
	}
	if a.Package != nil && b.Package != nil {
		pa, pb := a.Package, b.Package
		if c := cmp.Or(strings.Compare(pa.FixedVersion, pb.FixedVersion), strings.Compare(pa.PURL, pb.PURL),
			strings.Compare(pa.Layer, pb.Layer)); c != 0 {
			return c
		}
	}
	if a.Web != nil && b.Web != nil {
		return strings.Compare(a.Web.Evidence, b.Web.Evidence)
	}
	return 0
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
	if c := strings.Compare(a.ID, b.ID); c != 0 {
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
