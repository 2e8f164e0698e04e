package sarif

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scanmux/scanmux/finding"
)

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

// planKey identifies an output run: runs of one tool and category merge.
type planKey struct{ tool, cat string }

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
