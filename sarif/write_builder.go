package sarif

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif/internal/fit"
	"github.com/scanmux/scanmux/sarif/internal/gzipsize"
	"github.com/scanmux/scanmux/sarif/internal/sarifjson"
)

// builder holds the state of one Write.
type builder struct {
	resultBuilder
	sum     *WriteSummary
	rootURI string
	headers map[int][]keptHeader // by plan; see runHeader
	// headersMu guards headers, which writeLog fills concurrently.
	headersMu sync.Mutex
	// wrote counts the results writeLog has handed to its writer so far,
	// of the total its log keeps.
	wrote, total int
}

// plan groups runs by tool and category, builds every result and applies
// the count limits. It returns the runs holding the suppressed findings
// left out (ProfileGitHub).
func (b *builder) plan(runs []Run) ([]*runPlan, []Run, error) {
	byKey := map[planKey]*runPlan{}
	var plans []*runPlan
	var suppressed []Run
	// Merge in a fixed order so that notifications and picks do not depend
	// on the input order.
	sorted := slices.Clone(runs)
	slices.SortStableFunc(sorted, func(x, y Run) int { return strings.Compare(runKey(&x), runKey(&y)) })
	for ri := range sorted {
		r := &sorted[ri]
		if r.Tool.Name == "" {
			return nil, nil, fmt.Errorf("%w: run %d has no tool name", ErrInvalidRun, ri)
		}
		p, isNew := b.mergeRun(byKey, r)
		if isNew {
			plans = append(plans, p)
		}
		planned, err := b.items(r)
		if err != nil {
			return nil, nil, err
		}
		if sup := p.add(planned); len(sup) > 0 {
			suppressed = append(suppressed, Run{Tool: r.Tool, Rules: r.Rules, Findings: sup, Category: r.Category})
		}
	}
	slices.SortFunc(plans, func(x, y *runPlan) int {
		return wCmp(strings.Compare(x.tool.Name, y.tool.Name), strings.Compare(x.category, y.category))
	})
	rankURIs(plans)
	parallel(len(plans), func(i int) {
		slices.SortFunc(plans[i].items, b.cmpItems)
	})
	for _, p := range plans {
		for _, it := range p.items {
			p.maxSev = max(p.maxSev, it.sev)
		}
		b.sum.Suppressed += p.suppressed
		b.sum.Unlocated += p.unlocated
	}
	plans = b.limitRuns(plans)
	parallel(len(plans), func(i int) { b.limitCounts(plans[i]) })
	for _, p := range plans {
		for _, c := range []severityCounts{p.droppedCount, p.droppedRules} {
			for s, n := range c {
				b.sum.DroppedResults += n
				b.sum.DroppedBySeverity[s] += n
			}
		}
	}
	return plans, suppressed, nil
}

// mergeRun returns the plan that r goes into, new or not, with r's tool,
// invocation and rule catalog merged into it.
func (b *builder) mergeRun(byKey map[planKey]*runPlan, r *Run) (p *runPlan, isNew bool) {
	cat := r.Category
	if b.opts.Category != "" {
		cat = b.opts.Category
	}
	k := planKey{r.Tool.Name, cat}
	p = byKey[k]
	if p == nil {
		p = &runPlan{tool: r.Tool, category: cat, catalog: map[string][]finding.Rule{},
			droppedCount: severityCounts{}, droppedRules: severityCounts{}}
		p.inv.StartTime, p.inv.EndTime = r.Invocation.StartTime, r.Invocation.EndTime
		byKey[k] = p
		isNew = true
	} else {
		p.tool.Version = wPick(p.tool.Version, r.Tool.Version)
		p.tool.InformationURI = wPick(p.tool.InformationURI, r.Tool.InformationURI)
		p.tool.FullName = wPick(p.tool.FullName, r.Tool.FullName)
		if t := r.Invocation.StartTime; !t.IsZero() && (p.inv.StartTime.IsZero() || t.Before(p.inv.StartTime)) {
			p.inv.StartTime = t
		}
		if t := r.Invocation.EndTime; t.After(p.inv.EndTime) {
			p.inv.EndTime = t
		}
	}
	p.inv.Failed = p.inv.Failed || r.Invocation.Failed
	p.inv.Notifications = append(p.inv.Notifications, r.Invocation.Notifications...)
	for _, rule := range r.Rules {
		p.catalog[rule.ID] = append(p.catalog[rule.ID], rule)
	}
	return p, isNew
}

// items builds the items of r's findings on all cores. An item with a nil
// f is a finding left out for having no location; one with rank
// rankSuppressed is a suppressed finding left out (ProfileGitHub).
func (b *builder) items(r *Run) ([]item, error) {
	out := make([]item, len(r.Findings))
	errs := make([]error, len(r.Findings))
	parallelChunks(len(r.Findings), 512, func(lo, hi int) {
		a := arenas.Get().(*sarifjson.Arena)
		defer arenas.Put(a)
		for i := lo; i < hi; i++ {
			a.Reset()
			f := r.Findings[i]
			if f == nil {
				errs[i] = errNilFinding
				continue
			}
			if err := f.Validate(); err != nil {
				errs[i] = err
				continue
			}
			if f.Suppressed() && b.opts.Profile == ProfileGitHub {
				out[i] = item{f: f, rank: rankSuppressed}
				continue
			}
			res, dl, ds, ok := b.planResult(f, a)
			if !ok {
				continue
			}
			it := item{f: f, sev: f.Severity, score: securityScore(f), msg: res.Message.Text, dropLocs: dl, dropSteps: ds}
			if len(res.Locations) > 0 {
				pl := &res.Locations[0].PhysicalLocation
				it.uri = pl.ArtifactLocation.URI
				it.line, it.col = pl.Region.StartLine, pl.Region.StartColumn
			}
			out[i] = it
		}
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%w: tool %q finding %d: %w", ErrInvalidRun, r.Tool.Name, i, err)
		}
	}
	return out, nil
}

// cmpItems is the output order of results: path, line, column, rule id,
// message, then the whole result.
func (b *builder) cmpItems(x, y *item) int {
	switch {
	case x.uriRank != y.uriRank:
		return cmp.Compare(x.uriRank, y.uriRank)
	case x.line != y.line:
		return cmp.Compare(x.line, y.line)
	case x.col != y.col:
		return cmp.Compare(x.col, y.col)
	}
	if c := strings.Compare(x.f.Rule.ID, y.f.Rule.ID); c != 0 {
		return c
	}
	if c := strings.Compare(x.msg, y.msg); c != 0 {
		return c
	}
	return bytes.Compare(b.orderKey(x), b.orderKey(y))
}

// orderKey returns the result's JSON (compact, with ruleIndex 0), the last
// tiebreak of the output order, computed when first needed.
func (b *builder) orderKey(it *item) []byte {
	if it.order == nil {
		res, _, _, _ := b.result(it.f, nil)
		it.order, _ = json.Marshal(res) // cannot fail: plain strings, ints and maps
	}
	return it.order
}

// cmpSeverity ranks items most severe first, then in output order.
func (b *builder) cmpSeverity(x, y *item) int {
	if x.sev != y.sev {
		return cmp.Compare(y.sev, x.sev)
	}
	return b.cmpItems(x, y)
}

// limitRuns keeps the MaxRuns runs with the most severe results.
func (b *builder) limitRuns(plans []*runPlan) []*runPlan {
	if !overLimit(len(plans), b.lim.MaxRuns) {
		return plans
	}
	ranked := slices.Clone(plans)
	slices.SortStableFunc(ranked, func(x, y *runPlan) int {
		return wCmp(int(y.maxSev)-int(x.maxSev), len(y.items)-len(x.items))
	})
	keep := map[*runPlan]bool{}
	for _, p := range ranked[:b.lim.MaxRuns] {
		keep[p] = true
	}
	var out []*runPlan
	for _, p := range plans {
		if keep[p] {
			out = append(out, p)
			continue
		}
		b.sum.DroppedRuns = append(b.sum.DroppedRuns, p.tool.Name)
		for _, it := range p.items {
			b.sum.DroppedResults++
			b.sum.DroppedBySeverity[it.sev]++
		}
	}
	return out
}

// limitCounts applies MaxResultsPerRun and MaxRulesPerRun to one run,
// keeping the most severe results, and counts what it leaves out in the
// run. It is called for several runs at once.
func (b *builder) limitCounts(p *runPlan) {
	if overLimit(len(p.items), b.lim.MaxResultsPerRun) {
		ranked := slices.Clone(p.items)
		slices.SortFunc(ranked, b.cmpSeverity)
		for _, it := range ranked[b.lim.MaxResultsPerRun:] {
			p.droppedCount[it.sev]++
		}
		p.items = keepItems(p.items, ranked[:b.lim.MaxResultsPerRun])
	}
	if b.lim.MaxRulesPerRun <= 0 {
		return
	}
	ruleSev := map[string]finding.Severity{}
	for _, it := range p.items {
		ruleSev[it.f.Rule.ID] = max(ruleSev[it.f.Rule.ID], it.sev)
	}
	if overLimit(len(ruleSev), b.lim.MaxRulesPerRun) {
		ids := make([]string, 0, len(ruleSev))
		for id := range ruleSev {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(x, y string) int {
			return wCmp(int(ruleSev[y])-int(ruleSev[x]), strings.Compare(x, y))
		})
		keepRule := map[string]bool{}
		for _, id := range ids[:b.lim.MaxRulesPerRun] {
			keepRule[id] = true
		}
		var kept []*item
		for _, it := range p.items {
			if keepRule[it.f.Rule.ID] {
				kept = append(kept, it)
			} else {
				p.droppedRules[it.sev]++
			}
		}
		p.items = kept
	}
}

// run builds one output run, without its results, from its kept items;
// it returns the rule index of each item and what the per-result and
// per-rule limits left out.
func (b *builder) run(p *runPlan, items []*item, sizeDropped severityCounts) (sarifjson.Run, []int32, dropCounts) {
	run := sarifjson.Run{
		Tool: sarifjson.WriteTool{Driver: &sarifjson.ToolComponent[*sarifjson.RuleProperties]{
			Name:           p.tool.Name,
			FullName:       p.tool.FullName,
			Version:        p.tool.Version,
			InformationURI: p.tool.InformationURI,
			Rules:          []sarifjson.WriteRule{},
		}},
		OriginalURIBaseIDs: map[string]sarifjson.ArtifactLocation{SrcRoot: {URI: b.rootURI,
			Description: sarifjson.WrittenText{Text: "The root of the scanned source tree."}}},
		Results: []sarifjson.WriteResult{},
	}
	if sv := semanticVersion(p.tool.Version); sv != "" {
		run.Tool.Driver.SemanticVersion = sv
	}
	if p.category != "" {
		run.AutomationDetails = &sarifjson.AutomationDetails{ID: strings.TrimSuffix(p.category, "/") + "/"}
	}
	if pv := b.opts.Provenance; pv != nil && pv.RepositoryURI != "" {
		run.VersionControlProvenance = []sarifjson.VersionControlDetails{{RepositoryURI: pv.RepositoryURI,
			RevisionID: pv.Revision, Branch: pv.Branch, MappedTo: &sarifjson.ArtifactLocation{URIBaseID: SrcRoot}}}
	}

	var d dropCounts
	var ruleIdx []int32
	run.Tool.Driver.Rules, ruleIdx, d = b.rules(p, items)
	run.Invocations = []sarifjson.Invocation{b.invocation(p, sizeDropped, d)}
	return run, ruleIdx, d
}

// rules returns the rules the kept results use, sorted by id, each once,
// and the rule index of each item; the drop counts add up the items'
// related locations and steps and the rules' tags left out.
func (b *builder) rules(p *runPlan, items []*item) ([]sarifjson.WriteRule, []int32, dropCounts) {
	rules := []sarifjson.WriteRule{}
	// One pass over the items (their findings are scattered in memory)
	// feeds each rule's accumulator.
	byRule := map[string]*ruleAcc{}
	var accs []*ruleAcc // in order of first use
	ruleIdx := make([]int32, len(items))
	var d dropCounts
	for j, it := range items {
		id := it.f.Rule.ID
		a := byRule[id]
		if a == nil {
			a = &ruleAcc{id: id, idx: int32(len(accs))}
			byRule[id] = a
			accs = append(accs, a)
		}
		a.add(it)
		ruleIdx[j] = a.idx // first-use order, sorted below
		d.locs += it.dropLocs
		d.steps += it.dropSteps
	}
	slices.SortFunc(accs, func(x, y *ruleAcc) int { return strings.Compare(x.id, y.id) })
	sortedIdx := make([]int32, len(accs))
	for i, a := range accs {
		sortedIdx[a.idx] = int32(i)
		r, dropped := b.rule(a, p.catalog[a.id])
		rules = append(rules, r)
		d.tags += dropped
	}
	for j := range ruleIdx {
		ruleIdx[j] = sortedIdx[ruleIdx[j]]
	}

	return rules, ruleIdx, d
}

// invocation returns the run's invocation, with a notification for each
// kind of data the writer left out.
func (b *builder) invocation(p *runPlan, sizeDropped severityCounts, d dropCounts) sarifjson.Invocation {
	ok := !p.inv.Failed
	inv := sarifjson.Invocation{ExecutionSuccessful: &ok}
	if !p.inv.StartTime.IsZero() {
		inv.StartTimeUTC = sarifTime(p.inv.StartTime)
	}
	if !p.inv.EndTime.IsZero() {
		inv.EndTimeUTC = sarifTime(p.inv.EndTime)
	}
	for _, n := range p.inv.Notifications {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifjson.Notification{Level: notificationLevel(n.Level), Message: sarifjson.Message{Text: wFirst(n.Message, "(no message)")}})
	}
	note := func(level, text string) {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifjson.Notification{Level: level, Message: sarifjson.Message{Text: text}})
	}
	if p.droppedCount.total() > 0 {
		note("warning", limitNote(p.droppedCount, fmt.Sprintf("%d results per run", b.lim.MaxResultsPerRun)))
	}
	if p.droppedRules.total() > 0 {
		note("warning", limitNote(p.droppedRules, fmt.Sprintf("%d rules per run", b.lim.MaxRulesPerRun)))
	}
	if sizeDropped.total() > 0 {
		note("warning", limitNote(sizeDropped, gzipLimitText(&b.lim)))
	}
	if d.locs > 0 {
		note("warning", fmt.Sprintf("%d related locations left out to stay within GitHub's limit of %d locations per result", d.locs, b.lim.MaxLocationsPerResult))
	}
	if d.steps > 0 {
		note("warning", fmt.Sprintf("%d code flow steps left out to stay within GitHub's limit of %d thread flow locations per result", d.steps, b.lim.MaxThreadFlowLocationsPerResult))
	}
	if d.tags > 0 {
		note("warning", fmt.Sprintf("%d rule tags left out to stay within GitHub's limit of %d tags per rule", d.tags, b.lim.MaxTagsPerRule))
	}
	if p.unlocated > 0 {
		note("warning", fmt.Sprintf("%d results left out: they have no file in the repository to attach to, and GitHub code scanning rejects results without one (set a fallback path to keep them)", p.unlocated))
	}
	if p.suppressed > 0 {
		note("note", fmt.Sprintf("%d suppressed results left out: GitHub code scanning ignores SARIF suppressions", p.suppressed))
	}
	return inv
}

// rule builds the reportingDescriptor of a rule from what its findings
// gave a and the run's catalog, and returns how many tags the tag limit
// left out.
func (b *builder) rule(a *ruleAcc, catalog []finding.Rule) (sarifjson.WriteRule, int) {
	// Field values: the findings' best, completed from the catalog's.
	id, fr, tagSet, cwes, cats := a.id, a.fr, a.tagSet, a.cwes, a.cats
	best, score, prec := a.best, a.score, a.prec
	var cr finding.Rule
	for i := range catalog {
		mergeRuleTexts(&cr, &catalog[i])
		for _, t := range catalog[i].Tags {
			tagSet[t] = true
		}
	}
	first := func(a, b string) string { return wFirst(a, b) }
	name := first(fr.Name, cr.Name)
	short := first(fr.ShortDescription, cr.ShortDescription)
	full := first(fr.FullDescription, cr.FullDescription)
	helpText := first(fr.HelpText, cr.HelpText)
	helpMD := first(fr.HelpMarkdown, cr.HelpMarkdown)
	helpURI := first(fr.HelpURI, cr.HelpURI)
	msg := a.first.f.Message

	texts := &[3]sarifjson.MultiformatMessageString{ // short, full, help: one allocation
		{Text: limitText(wFirst(short, name, msg, id), maxDescription)},
		{Text: limitText(wFirst(full, short, msg, name, id), maxDescription)},
		{Text: wFirst(helpText, full, short, msg, name, id)},
	}
	r := sarifjson.WriteRule{
		ID:                   id,
		Name:                 limitText(wFirst(name, id), maxRuleName),
		ShortDescription:     &texts[0],
		FullDescription:      &texts[1],
		Help:                 &texts[2],
		HelpURI:              helpURI,
		DefaultConfiguration: &sarifjson.ReportingConfiguration{Level: best.SARIFLevel()},
	}
	switch {
	case helpMD != "":
		r.Help.Markdown = helpMD
	case helpURI != "":
		r.Help.Markdown = r.Help.Text + "\n\n[More information](" + helpURI + ")"
	default:
		r.Help.Markdown = r.Help.Text
	}

	// Tags: security, the categories, the CWEs, then the tool's own.
	tags := []string{"security"}
	for _, c := range finding.Categories {
		if cats[string(c)] {
			tags = append(tags, string(c))
		}
	}
	cweList := make([]int, 0, len(cwes))
	for c := range cwes {
		cweList = append(cweList, c)
	}
	slices.Sort(cweList)
	for _, c := range cweList {
		tags = append(tags, "external/cwe/cwe-"+strconv.Itoa(c))
	}
	own := make([]string, 0, len(tagSet))
	for t := range tagSet {
		own = append(own, t)
	}
	slices.Sort(own)
	tags = append(tags, own...)
	tags = wDedup(tags)
	dropped := 0
	if overLimit(len(tags), b.lim.MaxTagsPerRule) {
		dropped = len(tags) - b.lim.MaxTagsPerRule
		tags = tags[:b.lim.MaxTagsPerRule]
	}
	r.Properties = &sarifjson.RuleProperties{Tags: tags, Precision: string(prec),
		SecuritySeverity: strconv.FormatFloat(score, 'f', 1, 64)}
	return r, dropped
}

// # Encoding
//
// The writer plans the log first (builder.plan: which findings become
// results, in which order, within which count limits), keeping only an
// [item] per result. It then streams the log: run headers (tool, rules,
// invocations) are encoded with encoding/json, results by hand
// (sarifjson.Encoder) in segments on all cores, and the segments are
// written in order. Without a gzip limit that is one pass straight into
// the output. With one, the log is first streamed into a gzipsize.Meter that
// compresses it, only a sample of it past eight times the limit (and it is
// kept in memory when it is one block). If it may be too large, builder.fit
// (package internal/fit) estimates each result's share of the
// compressed size from its encoded size and the compression ratio of its
// part of the log, cuts the least severe results to fit with a small
// margin, measures the cut log exactly (the meter recompresses only the
// blocks that changed, and stops once a log is proven too large), and
// interpolates again from the logs measured until the most results that
// fit are kept, to within 2% of the limit less its margin
// (Limits.GzipMargin). Then the log kept is
// streamed into the output: results are encoded once per pass, never
// kept, and a log of one block is kept in memory from its measure.

// encode writes the log of plans to w, leaving out the least severe
// results until it fits Limits.MaxGzipBytes less its margin, and
// completes the summary.
func (b *builder) encode(w io.Writer, plans []*runPlan) error {
	ranked := rankItems(plans)
	keep := len(ranked)
	limit := b.lim.gzipBudget()
	if limit <= 0 {
		n, err := b.output(w, plans, keep)
		if err != nil {
			return err
		}
		b.sum.Bytes = n
		b.assembleSummary(plans, keep)
		return nil
	}

	m := gzipsize.New()
	small := &capBuffer{max: gzipsize.BlockSize}
	// The first measure may sample a long log; fit measures exactly.
	gz, exact, err := b.measure(m, plans, keep, gzipSampleStride, small)
	if err != nil {
		return err
	}
	raw := m.Raw()
	if !exact || overLimit(gz, limit) {
		keep, gz, raw, err = b.fit(m, plans, ranked, gz, exact, small)
		if err != nil {
			return err
		}
		// Count what the size limit left out.
		for _, it := range ranked[keep:] {
			b.sum.DroppedResults++
			b.sum.DroppedBySeverity[it.sev]++
		}
	}
	switch {
	case small.ok():
		if _, err := w.Write(small.buf); err != nil {
			return fmt.Errorf("sarif: writing log: %w", err)
		}
		b.sum.Bytes = int64(len(small.buf))
	default:
		n, err := b.output(w, plans, keep)
		if err != nil {
			return err
		}
		if n != raw {
			return fmt.Errorf("sarif: internal error: wrote %d bytes, measured %d", n, raw)
		}
		b.sum.Bytes = n
	}
	b.sum.GzipBytes = gz
	b.assembleSummary(plans, keep)
	return nil
}

// fit finds how many of the ranked items to keep for the log to fit
// Limits.MaxGzipBytes less its margin, given that all of them compress to
// gz: too much if exact, else an estimate (all of them may fit); see
// package fit. small holds the log kept if it was the last measured.
func (b *builder) fit(m *gzipsize.Meter, plans []*runPlan, ranked []*item, gz int64, exact bool, small *capBuffer) (keep int, size, raw int64, err error) {
	limit := b.lim.gzipBudget()
	res, err := fit.Search(&fitLog{b: b, m: m, plans: plans, ranked: ranked, small: small}, len(ranked), limit, gz, exact)
	if errors.Is(err, fit.ErrEmptyOver) {
		return 0, 0, 0, fmt.Errorf("%w: %d bytes compressed with no results, limit %d", ErrTooLarge, res.Size, limit)
	}
	if err != nil {
		return 0, 0, 0, err
	}
	if res.Last != res.Keep {
		small.over = true // holds another log: encode the kept one again
	}
	return res.Keep, res.Size, res.Raw, nil
}

// measure streams the log keeping the keep most severe results into m,
// and into small, and returns its compressed size,
// exact or, once proven over the limit, estimated. It records the offset
// and size of each kept item.
func (b *builder) measure(m *gzipsize.Meter, plans []*runPlan, keep int, stride int, small *capBuffer) (int64, bool, error) {
	if budget := b.lim.gzipBudget(); stride > 1 {
		m.Reset(0, stride, gzipSampleFrom*budget)
		m.SetProbe(gzipProbeFrom*budget, int64(gzipSparseOver*float64(budget)),
			func() (int, int) { return b.wrote, b.total })
	} else {
		m.Reset(budget, 0, 0)
	}
	var dst io.Writer = m
	if small != nil {
		dst = io.MultiWriter(m, small)
	}
	if _, err := b.writeLog(dst, plans, keep, true); err != nil {
		return 0, false, err
	}
	return m.Close()
}

// output streams the log keeping the keep most severe results into w.
func (b *builder) output(w io.Writer, plans []*runPlan, keep int) (int64, error) {
	bw := bufio.NewWriterSize(w, writeBuffer)
	n, err := b.writeLog(bw, plans, keep, false)
	if err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("sarif: writing log: %w", err)
	}
	return n, nil
}

// assembleSummary records the per-tool and per-result counts of the log
// that keeps the keep most severe results.
func (b *builder) assembleSummary(plans []*runPlan, keep int) {
	b.sum.Runs = len(plans)
	for _, p := range plans {
		n := 0
		for _, it := range p.items {
			if it.rank < keep {
				n++
			}
		}
		b.sum.Results[p.tool.Name] += n
	}
}

// writeLog streams the log keeping, of each run's items, those ranked
// below keep into w and returns the number of bytes written. Results are
// encoded on all cores and written in order. With track, it records the
// offset and size of each result written.
func (b *builder) writeLog(w io.Writer, plans []*runPlan, keep int, track bool) (int64, error) {
	workers := runtime.GOMAXPROCS(0)
	parts := b.keptParts(plans, keep)
	headersDone := b.buildHeaders(plans, parts, workers)
	pieces := make(chan *piece, 4*workers)
	var d dropCounts
	var encErr error
	go func() {
		defer close(pieces)
		d, encErr = b.produce(pieces, parts, workers)
	}()
	n, werr := b.drain(w, pieces, track)
	<-headersDone
	if encErr != nil {
		return n, encErr
	}
	if werr != nil {
		return n, fmt.Errorf("sarif: writing log: %w", werr)
	}
	b.sum.DroppedTags, b.sum.DroppedLocations, b.sum.DroppedThreadFlowLocations = d.tags, d.locs, d.steps
	return n, nil
}

// keptParts splits each run's items into those ranked below keep and
// the counts of the others, and counts the items kept in b.total.
func (b *builder) keptParts(plans []*runPlan, keep int) []runPart {
	parts := make([]runPart, len(plans))
	b.wrote, b.total = 0, 0
	for pi, p := range plans {
		h := &parts[pi]
		h.sizeDropped, h.done = severityCounts{}, make(chan struct{})
		for _, it := range p.items {
			if it.rank < keep {
				h.items = append(h.items, it)
			} else {
				h.sizeDropped[it.sev]++
			}
		}
		b.total += len(h.items)
	}
	return parts
}

// buildHeaders builds the runs' headers (their rules read every kept
// finding) ahead, workers at a time, concurrently with the encoding and
// writing of the runs before them, not in between. The channel returned
// is closed when all are built.
func (b *builder) buildHeaders(plans []*runPlan, parts []runPart, workers int) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		var g errgroup.Group // returns no error: each part keeps its own
		g.SetLimit(workers)
		for pi, p := range plans {
			g.Go(func() error {
				h := &parts[pi]
				h.hdr, h.err = b.runHeader(pi, p, h.items, h.sizeDropped)
				close(h.done)
				return nil
			})
		}
		g.Wait()
	}()
	return done
}

// produce sends the log's pieces in order: the log's head, each run's
// header and its results in segments encoded workers at a time, the
// log's tail. It returns the runs' drop counts, or the first header's
// error (and then sends no more).
func (b *builder) produce(pieces chan<- *piece, parts []runPart, workers int) (dropCounts, error) {
	var d dropCounts
	var encoders errgroup.Group // returns no error
	encoders.SetLimit(workers)
	head := append([]byte("{\n  \"$schema\": "), sarifjson.AppendString(nil, SchemaURI)...)
	head = append(head, ",\n  \"version\": \"2.1.0\",\n  \"runs\": ["...)
	if len(parts) == 0 {
		head = append(head, ']')
	}
	pieces <- &piece{buf: head}
	for pi := range parts {
		h := &parts[pi]
		<-h.done
		items, hdr := h.items, h.hdr
		if h.err != nil {
			return d, h.err
		}
		d.tags += hdr.drops.tags
		d.locs += hdr.drops.locs
		d.steps += hdr.drops.steps
		sep := []byte(",\n    ")
		if pi == 0 {
			sep = sep[1:]
		}
		pieces <- &piece{buf: sep}
		if len(items) == 0 {
			pieces <- &piece{buf: hdr.json}
			continue
		}
		// The run up to and with "[" of "results": [].
		pieces <- &piece{buf: hdr.json[:len(hdr.json)-len("]\n    }")]}
		for lo := 0; lo < len(items); lo += resultsPerSegment {
			hi := min(lo+resultsPerSegment, len(items))
			pc := &piece{items: items[lo:hi], done: make(chan struct{})}
			ruleIdx := hdr.ruleIdx[lo:hi]
			first := lo == 0
			encoders.Go(func() error {
				bp := segmentBufs.Get().(*[]byte)
				pc.buf = b.encodeResults((*bp)[:0], pc.items, ruleIdx, first)
				close(pc.done)
				return nil
			})
			pieces <- pc
		}
		pieces <- &piece{buf: []byte("\n      ]\n    }")}
	}
	if len(parts) > 0 {
		pieces <- &piece{buf: []byte("\n  ]")}
	}
	pieces <- &piece{buf: []byte("\n}\n")}
	return d, nil
}

// drain writes the pieces to w in order as they are done, and returns the
// bytes written and the first write error (after which it only drains).
// With track, it records the offset and size of each result written.
func (b *builder) drain(w io.Writer, pieces <-chan *piece, track bool) (int64, error) {
	var n int64
	var werr error
	for pc := range pieces {
		if pc.done != nil {
			<-pc.done
		}
		b.wrote += len(pc.items) // before writing: a gzipsize probe reads it
		if werr == nil {
			if track {
				off := n
				for _, it := range pc.items {
					it.off = off
					off += it.size
				}
			}
			k, err := w.Write(pc.buf)
			n += int64(k)
			werr = err
		}
		if pc.done != nil {
			buf := pc.buf[:0]
			segmentBufs.Put(&buf)
		}
	}
	return n, werr
}

// runHeader returns the encoding of plan pi without results when it keeps
// items. It depends only on how many of the run's items are kept (they are
// always the most severe), so the headers of the last few counts of each
// run are kept for the next measures.
func (b *builder) runHeader(pi int, p *runPlan, items []*item, sizeDropped severityCounts) (*runHeader, error) {
	b.headersMu.Lock()
	for _, kh := range b.headers[pi] {
		if kh.kept == len(items) {
			b.headersMu.Unlock()
			return kh.h, nil
		}
	}
	b.headersMu.Unlock()
	run, ruleIdx, d := b.run(p, items, sizeDropped)
	run.Results = []sarifjson.WriteResult{}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	if err := enc.Encode(run); err != nil {
		return nil, fmt.Errorf("sarif: encoding log: %w", err)
	}
	js := bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))) // not the buffer's spare room
	if !bytes.HasSuffix(js, []byte(runTail)) {
		return nil, errors.New("sarif: internal error: unexpected encoding of a run")
	}
	h := &runHeader{json: js, ruleIdx: ruleIdx, drops: d}
	b.headersMu.Lock()
	defer b.headersMu.Unlock()
	if b.headers == nil {
		b.headers = map[int][]keptHeader{}
	}
	hs := append([]keptHeader{{len(items), h}}, b.headers[pi]...)
	b.headers[pi] = hs[:min(len(hs), headersKept)]
	return h, nil
}

// encodeResults appends the results of items, each after a comma (but
// the first of a run) and a new line, and records each one's size.
func (b *builder) encodeResults(dst []byte, items []*item, ruleIdx []int32, first bool) []byte {
	e := sarifjson.Encoder{Buf: dst, Depth: 4}
	a := arenas.Get().(*sarifjson.Arena)
	defer arenas.Put(a)
	for j, it := range items {
		a.Reset()
		res, _, _, _ := b.result(it.f, a)
		ri := int(ruleIdx[j])
		res.RuleIndex = &ri
		start := len(e.Buf)
		if j > 0 || !first {
			e.Buf = append(e.Buf, ',')
		}
		e.Newline()
		e.Compact = true
		e.Result(&res)
		e.Compact = false
		it.size = int64(len(e.Buf) - start)
	}
	return e.Buf
}
