package sarif

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

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/scanmux/scanmux/sarif/internal/sarifjson"
	"io"
	"maps"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scanmux/scanmux/finding"
)

// SchemaURI is the $schema the writer puts in every log.
const SchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// SrcRoot is the uriBaseId of every location the writer emits; the run's
// originalUriBaseIds declares it.
const SrcRoot = "%SRCROOT%"

// Errors returned by [Write]; test with errors.Is.
var (
	// ErrInvalidRun means a run or one of its findings breaks the model's
	// invariants; the error also wraps the [*finding.FieldError].
	ErrInvalidRun = errors.New("sarif: invalid run")
	// ErrTooLarge means the log exceeds Limits.MaxGzipBytes (less its
	// margin) even with no results at all.
	ErrTooLarge = errors.New("sarif: log too large")
)

// Profile selects what [Write] emits.
//
// GitHub code scanning ignores SARIF suppressions: a suppressed result in an
// uploaded file opens (or keeps open) an alert. So ProfileGitHub, the
// default, leaves suppressed findings out of the uploadable log, counts
// them in [WriteSummary].Suppressed and, when [WriteOptions].SuppressedOut
// is set, writes them there as a second log (in ProfileFull form, with
// their suppressions) for the record. ProfileFull writes every finding,
// suppressed ones with SARIF "suppressions" (kind, status, justification),
// and findings with no file as logical locations only: valid SARIF for
// other consumers, but not for upload to GitHub.
type Profile int

const (
	// ProfileGitHub writes a log GitHub code scanning accepts. The default.
	ProfileGitHub Profile = iota
	// ProfileFull writes every finding, with suppressions.
	ProfileFull
)

// WriteOptions configures [Write]. A nil *WriteOptions means the defaults
// given for each field.
type WriteOptions struct {
	// Root is the scan root directory: locations are relative to it and
	// source files are read from it (through os.Root, never outside it) to
	// compute primaryLocationLineHash and end columns. It is written as the
	// file:// URI of %SRCROOT% in originalUriBaseIds. Default: none, so no
	// hashes, no end columns and %SRCROOT% without a URI.
	Root string

	// Category is every run's automationDetails.id, overriding
	// Run.Category. GitHub tells analyses apart by tool and category, and
	// reads the id as "category/run-id", so the writer always ends the id
	// with "/": "scanmux" becomes "scanmux/" (category "scanmux"). Runs of
	// one tool are merged when their categories are equal. Default: each
	// Run.Category; no automationDetails when that is empty.
	Category string

	// Profile selects GitHub upload (default) or full output.
	Profile Profile

	// Provenance, if set with a RepositoryURI, is written as every run's
	// versionControlProvenance. See [DetectProvenance].
	Provenance *Provenance

	// Limits bounds the log. Default (nil): [GitHubLimits].
	Limits *Limits

	// SuppressedOut, if set and Profile is ProfileGitHub, receives a
	// second log holding only the suppressed findings, with suppressions.
	SuppressedOut io.Writer

	// FallbackPath is a repository file (relative to Root, "/"-separated)
	// that ProfileGitHub attaches findings to when they have no file and
	// none can be derived, e.g. the DAST workflow file. It must exist when
	// Root is set. Default: none, so such findings are left out.
	FallbackPath string
}

// WriteSummary reports what [Write] wrote and what it left out.
type WriteSummary struct {
	// Runs is the number of runs written.
	Runs int
	// Results is the number of results written per tool name.
	Results map[string]int
	// Suppressed counts suppressed findings left out (ProfileGitHub).
	Suppressed int
	// Unlocated counts findings left out because they have no file to
	// attach to (ProfileGitHub without FallbackPath).
	Unlocated int
	// DroppedResults counts results left out to stay within the limits,
	// and DroppedBySeverity splits them by severity.
	DroppedResults    int
	DroppedBySeverity map[finding.Severity]int
	// DroppedRuns names the runs (tools) left out by Limits.MaxRuns.
	DroppedRuns []string
	// DroppedLocations counts relatedLocations left out by
	// Limits.MaxLocationsPerResult.
	DroppedLocations int
	// DroppedThreadFlowLocations counts code-flow steps left out by
	// Limits.MaxThreadFlowLocationsPerResult.
	DroppedThreadFlowLocations int
	// DroppedTags counts rule tags left out by Limits.MaxTagsPerRule.
	DroppedTags int
	// Bytes is the size of the log written.
	Bytes int64
	// GzipBytes is its gzip-compressed size as Limits.MaxGzipBytes
	// measures it, or 0 when there is no such limit: measuring means
	// compressing the whole log, which would take longer than writing it.
	GzipBytes int64
}

// Write writes runs as one SARIF 2.1.0 log to w and reports what it wrote.
// The same input gives byte-identical output whatever the order of runs and
// findings. See [WriteOptions] and [Profile] for the choices it makes, and
// the package documentation for the shape of the log.
func Write(w io.Writer, runs []Run, opts *WriteOptions) (*WriteSummary, error) {
	var o WriteOptions
	if opts != nil {
		o = *opts
	}
	lim := GitHubLimits
	if o.Limits != nil {
		lim = *o.Limits
	}
	src, err := newSourceCache(o.Root)
	if err != nil {
		return nil, err
	}
	defer src.close()
	if o.FallbackPath != "" && o.Root != "" && !src.exists(o.FallbackPath) {
		return nil, fmt.Errorf("sarif: fallback path %q not found under the scan root", o.FallbackPath)
	}

	b := &builder{resultBuilder: resultBuilder{opts: &o, lim: lim, src: src},
		sum: &WriteSummary{Results: map[string]int{}, DroppedBySeverity: map[finding.Severity]int{}}}
	if o.Root != "" {
		abs, err := filepath.Abs(o.Root)
		if err != nil {
			return nil, fmt.Errorf("sarif: scan root: %w", err)
		}
		b.rootURI = (&url.URL{Scheme: "file", Path: strings.TrimSuffix(filepath.ToSlash(abs), "/") + "/"}).String()
	}

	plans, suppressed, err := b.plan(runs)
	if err != nil {
		return nil, err
	}
	if err := b.encode(w, plans); err != nil {
		return nil, err
	}
	if o.SuppressedOut != nil && o.Profile == ProfileGitHub {
		so := o
		so.Profile, so.SuppressedOut = ProfileFull, nil
		if _, err := Write(o.SuppressedOut, suppressed, &so); err != nil {
			return nil, fmt.Errorf("sarif: writing suppressed log: %w", err)
		}
	}
	return b.sum, nil
}

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

// runPlan is one output run before encoding.
type runPlan struct {
	tool     finding.Tool
	category string
	inv      Invocation
	catalog  map[string][]finding.Rule
	items    []*item // sorted in output order
	maxSev   finding.Severity
	// Results left out by MaxResultsPerRun and MaxRulesPerRun, and
	// findings left out for having no file or being suppressed.
	droppedCount, droppedRules severityCounts
	unlocated, suppressed      int
}

// item is one result as planned: what ordering and the limits need. The
// result itself is built again when it is encoded (see builder.result), so
// that the writer never holds the whole log.
type item struct {
	f     *finding.Finding
	score float64 // security-severity
	// The output order: primary location, rule id, message, then order,
	// the result's JSON, computed only when the rest ties.
	uri       string
	uriRank   int // uri's position among all items' uris, sorted
	line, col int
	msg       string
	order     []byte
	sev       finding.Severity
	rank      int // position in the global severity ranking
	plan      int // index of the item's run in the plans encoded
	// Related locations and code-flow steps the limits left out.
	dropLocs, dropSteps int
	// Raw offset and size of the item's bytes in the last measured log.
	off, size int64
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

// planKey identifies an output run: runs of one tool and category merge.
type planKey struct{ tool, cat string }

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

// add adds the planned items to p, counting those left out for having no
// location, and returns the suppressed findings left out.
func (p *runPlan) add(planned []item) (suppressed []*finding.Finding) {
	for fi := range planned {
		it := &planned[fi]
		switch {
		case it.f == nil:
			p.unlocated++
		case it.rank == rankSuppressed:
			p.suppressed++
			suppressed = append(suppressed, it.f)
		default:
			p.items = append(p.items, it)
		}
	}
	return suppressed
}

// rankSuppressed marks a planned item whose finding is suppressed.
const rankSuppressed = -1

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

// errNilFinding is the error of a nil Run.Findings element.
var errNilFinding = errors.New("nil finding")

// parallel calls fn(i) for every i in [0, n), GOMAXPROCS at a time.
func parallel(n int, fn func(i int)) {
	parallelChunks(n, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i)
		}
	})
}

// parallelChunks calls fn on consecutive ranges of at most chunk of
// [0, n), GOMAXPROCS at a time.
func parallelChunks(n, chunk int, fn func(lo, hi int)) {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for lo := 0; lo < n; lo += chunk {
		g.Go(func() error {
			fn(lo, min(lo+chunk, n))
			return nil
		})
	}
	g.Wait() // fn returns no error
}

// gzipLimitText describes the gzip limit in notifications.
func gzipLimitText(l *Limits) string {
	if l.gzipBudget() == l.MaxGzipBytes {
		return fmt.Sprintf("%d bytes per gzip-compressed file", l.MaxGzipBytes)
	}
	return fmt.Sprintf("%d bytes per gzip-compressed file, less a margin of %g%% for the uploader's compression",
		l.MaxGzipBytes, l.GzipMargin*100)
}

// runKey orders input runs for merging.
func runKey(r *Run) string {
	k, _ := json.Marshal([]any{r.Tool, r.Category, r.Invocation, len(r.Findings), len(r.Rules)})
	return string(k)
}

// wPick chooses between two values of a field deterministically: the
// non-empty one, else the longer, else the smaller.
func wPick(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || len(a) > len(b):
		return a
	case len(b) > len(a):
		return b
	}
	return min(a, b)
}

func wCmp(cs ...int) int {
	for _, c := range cs {
		if c != 0 {
			return c
		}
	}
	return 0
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

// rankURIs sets the uriRank of every item, so that sorting compares
// integers rather than long paths with common prefixes. Items usually
// come in path order (a Report's findings are sorted), so a uri is looked
// up only when it changes.
func rankURIs(plans []*runPlan) {
	rank := map[string]int{}
	for _, p := range plans {
		for i, it := range p.items {
			if i == 0 || it.uri != p.items[i-1].uri {
				rank[it.uri] = 0
			}
		}
	}
	uris := slices.Sorted(maps.Keys(rank))
	for i, u := range uris {
		rank[u] = i
	}
	for _, p := range plans {
		for i, it := range p.items {
			if i == 0 || it.uri != p.items[i-1].uri {
				it.uriRank = rank[it.uri]
			} else {
				it.uriRank = p.items[i-1].uriRank
			}
		}
	}
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

// keepItems returns the items of all that are in keep, in all's order.
// It marks them with rank 1 while it works (rank is set later, by
// rankItems).
func keepItems(all, keep []*item) []*item {
	for _, it := range keep {
		it.rank = 1
	}
	out := make([]*item, 0, len(keep))
	for _, it := range all {
		if it.rank == 1 {
			out = append(out, it)
		}
		it.rank = 0
	}
	return out
}

// dropCounts counts what the per-result and per-rule limits left out.
type dropCounts struct{ tags, locs, steps int }

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

func sarifTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func notificationLevel(l string) string {
	switch l {
	case "error", "warning", "note", "none":
		return l
	}
	return "warning"
}

func wFirst(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// semverRE is the regular expression that semver.org suggests.
var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// semanticVersion returns v (without a leading "v") if it is a valid
// semantic version, else "".
func semanticVersion(v string) string {
	v = strings.TrimPrefix(v, "v")
	if semverRE.MatchString(v) {
		return v
	}
	return ""
}

// limitText truncates s to at most n bytes on a rune boundary, ending
// with "…" when it cut.
func limitText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// GitHub's limits on rule text.
const (
	maxDescription = 1024
	maxRuleName    = 255
)

var precisionRank = map[finding.Precision]int{
	finding.PrecisionLow: 1, finding.PrecisionMedium: 2, finding.PrecisionHigh: 3, finding.PrecisionVeryHigh: 4,
}

// ruleAcc accumulates what a rule's reportingDescriptor takes from the
// findings that use it, fed in output order.
type ruleAcc struct {
	id     string
	idx    int32
	first  *item // the first item, whose message stands in for missing descriptions
	fr     finding.Rule
	tagSet map[string]bool
	cwes   map[int]bool
	cats   map[string]bool
	best   finding.Severity
	score  float64
	prec   finding.Precision
	// Findings of one rule usually share their tags and CWEs (the reader
	// gives them the rule's slices) and their texts: each is added once.
	lastTags []string
	lastCWEs []int
	lastCat  finding.Category
	lastRule *finding.Rule
}

// add adds the finding of it.
func (a *ruleAcc) add(it *item) {
	f := it.f
	first := a.first == nil
	if first {
		a.first = it
		a.tagSet, a.cwes, a.cats = map[string]bool{}, map[int]bool{}, map[string]bool{}
		a.prec = finding.PrecisionUnknown
	}
	if r := &f.Rule; first || !r.SameTexts(a.lastRule) {
		mergeRuleTexts(&a.fr, r)
		a.lastRule = r
	}
	if tags := f.Rule.Tags; first || !sameSlice(tags, a.lastTags) {
		for _, t := range tags {
			a.tagSet[t] = true
		}
		a.lastTags = tags
	}
	if cwes := f.CWEs; first || !sameSlice(cwes, a.lastCWEs) {
		for _, c := range cwes {
			a.cwes[c] = true
		}
		a.lastCWEs = cwes
	}
	if cat := f.Category; first || cat != a.lastCat {
		a.cats[string(cat)] = true
		a.lastCat = cat
	}
	a.best = max(a.best, f.Severity)
	a.score = max(a.score, it.score)
	if r, ok := precisionRank[f.Precision]; ok && (a.prec == "" || r < precisionRank[a.prec]) {
		a.prec = f.Precision
	}
}

// mergeRuleTexts merges the texts of r into dst, field by field (wPick).
func mergeRuleTexts(dst, r *finding.Rule) {
	dst.Name = wPick(dst.Name, r.Name)
	dst.ShortDescription = wPick(dst.ShortDescription, r.ShortDescription)
	dst.FullDescription = wPick(dst.FullDescription, r.FullDescription)
	dst.HelpText = wPick(dst.HelpText, r.HelpText)
	dst.HelpMarkdown = wPick(dst.HelpMarkdown, r.HelpMarkdown)
	dst.HelpURI = wPick(dst.HelpURI, r.HelpURI)
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

	texts := new([3]sarifjson.MultiformatMessageString) // one allocation
	texts[0].Text = limitText(wFirst(short, name, msg, id), maxDescription)
	texts[1].Text = limitText(wFirst(full, short, msg, name, id), maxDescription)
	r := sarifjson.WriteRule{
		ID:                   id,
		Name:                 limitText(wFirst(name, id), maxRuleName),
		ShortDescription:     &texts[0],
		FullDescription:      &texts[1],
		Help:                 &texts[2],
		HelpURI:              helpURI,
		DefaultConfiguration: &sarifjson.ReportingConfiguration{Level: best.SARIFLevel()},
	}
	r.Help.Text = wFirst(helpText, full, short, msg, name, id)
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

// sameSlice reports whether a and b are the same elements of the same
// array.
func sameSlice[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func wDedup(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// securityScore is the tool's own numeric severity when OriginalSeverity is
// a score from 0 to 10 in the normalized severity's band (a CVSS score),
// else the normalized severity's score: a number on another scale
// (flawfinder's levels 0-5, wapiti's 1-4) is not a score.
func securityScore(f *finding.Finding) float64 {
	if v, err := strconv.ParseFloat(strings.TrimSpace(f.OriginalSeverity), 64); err == nil {
		if band, err := finding.SeverityFromScore(v); err == nil && band == f.Severity {
			return v
		}
	}
	v, _ := strconv.ParseFloat(f.Severity.Score(), 64)
	return v
}
