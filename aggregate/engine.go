package aggregate

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/toolinfo"
)

// Options configures [Run]. A nil *Options means the defaults given for
// each field.
type Options struct {
	// Root is the scan root directory. Finding paths are made relative to
	// it; a path outside it is cleared with a warning. Default: "", so only
	// relative paths are kept.
	Root string

	// Concurrency is how many sources run at once. Default (0):
	// runtime.GOMAXPROCS(0), and never more than the number of sources.
	Concurrency int

	// SourceTimeout bounds each source's run. A source still running then
	// has its context cancelled and is recorded as timed out; the findings
	// it emitted are kept, marked partial. Default: no limit beyond ctx.
	SourceTimeout time.Duration

	// Filters run on every finding after normalization, in order, each
	// seeing the previous ones' changes, with the context of the source
	// that emitted it (which its SourceTimeout ends). A filter that fails
	// on a finding (a policy that cannot be evaluated) leaves it as it is
	// and fails the gate (see [GateResult]).
	Filters []Filter

	// Baseline, if set, compares the findings with a previous run's.
	Baseline Baseline

	// Dedup configures deduplication. Default: merge, highest severity.
	Dedup DedupOptions

	// Gate decides whether the run fails. Default: never.
	Gate Gate

	// Logger receives the engine's debug and warning logs. Default: a
	// logger that discards everything.
	Logger *slog.Logger

	// Progress, if set, is called when a source starts, every
	// [ProgressEvery] findings or second while it runs, and when it ends.
	// Calls are serialized; Progress must return quickly.
	Progress func(SourceEvent)
}

// ProgressEvery is how many findings a source emits between two progress
// events, besides the one sent every second.
const ProgressEvery = 1000

// abandonGrace is how long the engine waits for a source to return after
// its context is done before it gives up on it. A source that ignores its
// context is abandoned: its goroutine is left running, its later findings
// are dropped.
const abandonGrace = 2 * time.Second

// SourceState is how a source's run went.
type SourceState string

const (
	// SourceRunning is a source that has not finished (progress events).
	SourceRunning SourceState = "running"
	// SourceOK is a source that completed.
	SourceOK SourceState = "ok"
	// SourceFailed is a source that returned an error or was cancelled.
	SourceFailed SourceState = "failed"
	// SourceTimeout is a source that exceeded Options.SourceTimeout.
	SourceTimeout SourceState = "timeout"
	// SourceNotApplicable is a source that found nothing it could scan
	// in the target (no Go module for a Go tool): its Run returned an
	// error wrapping [ErrNotApplicable], whose text is in Err. It counts
	// as completed ([SourceStatus.OK]): it is not a failure, and not a
	// clean pass either.
	SourceNotApplicable SourceState = "not applicable"
)

// SourceEvent reports a source's progress to Options.Progress.
type SourceEvent struct {
	// Source is the source's name.
	Source string
	// State is SourceRunning while the source runs (Started tells the
	// first event), then how it ended.
	State SourceState
	// Started is true for the event sent when the source starts.
	Started bool
	// Findings counts the findings the source emitted so far.
	Findings int
	// Elapsed is the time since the source started.
	Elapsed time.Duration
	// Err is the source's error, when it failed or timed out, or why it
	// was not applicable.
	Err error
	// Coverage is what the source scanned, in its final event, when it
	// says ([Coverer]).
	Coverage string
}

// SourceStatus records one source's run in the report.
type SourceStatus struct {
	// Name is the source's name.
	Name string
	// Tools are the tools the source ran.
	Tools []finding.Tool
	// Findings counts the findings it emitted (before deduplication),
	// including any dropped as invalid.
	Findings int
	// Dropped counts its findings that were invalid even after
	// normalization and so left out (each kind is in Report.Warnings).
	Dropped int
	// Start and Duration time the run.
	Start    time.Time
	Duration time.Duration
	// State is ok, failed, timeout or not applicable.
	State SourceState
	// Err is the error text of a failed or timed-out source, or why a
	// source is not applicable.
	Err string
	// Coverage says what the source scanned ("2 modules, 5 packages",
	// "4 files"), when it says: see [Coverer].
	Coverage string
	// Cause is the error of a failed or timed-out source, whose text is
	// Err, for errors.Is and errors.As (a plugin refused for its checksum,
	// say). It is not encoded.
	Cause error `json:"-"`
}

// OK reports whether the source completed (or had nothing to scan).
func (s *SourceStatus) OK() bool { return s.State == SourceOK || s.State == SourceNotApplicable }

// Coverer is implemented by sources that say what they scanned. Coverage
// is called once the source's Run has returned.
type Coverer interface {
	Coverage() string
}

// ErrNotApplicable is wrapped by the error of a source that had nothing
// to scan in the target; the source is recorded as
// [SourceNotApplicable], not failed.
var ErrNotApplicable = errors.New("not applicable")

// ErrInvalidOptions is wrapped by the error of [Run] for options it cannot
// use; the CLI maps it to exit code 2.
var ErrInvalidOptions = errors.New("aggregate: invalid options")

// errAbandoned is returned by emit to a source that was given up on.
var errAbandoned = errors.New("aggregate: source abandoned after its deadline")

// Run runs sources concurrently and aggregates their findings: each
// finding is normalized, passed through opts.Filters and merged into the
// dedup index as it arrives; when every source is done the merged findings
// get their identity (Identify), are compared with opts.Baseline and
// judged by opts.Gate.
//
// A failing or timing-out source costs only its own findings: what it
// emitted before failing is kept and marked partial (Properties
// [PropPartial]), and its [SourceStatus] records the failure. Memory grows
// with the number of distinct reports kept, not with the bytes sources
// read: exact repeats are collapsed on arrival.
//
// Run returns an error wrapping [ErrInvalidOptions] for unusable options,
// and the report together with ctx's error when ctx is done before the
// sources are.
func Run(ctx context.Context, sources []Source, opts *Options) (*Report, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Concurrency < 0 || o.SourceTimeout < 0 {
		return nil, fmt.Errorf("%w: negative concurrency or source timeout", ErrInvalidOptions)
	}
	switch o.Dedup.Severity {
	case "", DedupHighest, DedupPrimary:
	default:
		return nil, fmt.Errorf("%w: dedup severity %q", ErrInvalidOptions, o.Dedup.Severity)
	}
	if o.Gate.FailOn != finding.SeverityUnset && !o.Gate.FailOn.Valid() {
		return nil, fmt.Errorf("%w: gate severity %d", ErrInvalidOptions, int(o.Gate.FailOn))
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Concurrency == 0 {
		o.Concurrency = runtime.GOMAXPROCS(0)
	}
	o.Concurrency = max(1, min(o.Concurrency, len(sources)))

	e := &engine{opts: &o, warn: &warnings{}, index: newDedupIndex(o.Dedup), filterErrs: &warnings{}}
	e.norm = &normalizer{root: o.Root, warn: e.warn, paths: newPathResolver(o.Root)}
	defer e.norm.paths.close()
	e.statuses = make([]SourceStatus, len(sources))

	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for i, src := range sources {
		e.statuses[i].Name = src.Name()
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				e.statuses[i].State, e.statuses[i].Err = SourceFailed, "not started: "+ctx.Err().Error()
				return
			}
			defer func() { <-sem }()
			e.runSource(ctx, i, src)
		}()
	}
	wg.Wait()
	rep := e.finish()
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("aggregate: run interrupted: %w", err)
	}
	return rep, nil
}

// engine is the state of one Run.
type engine struct {
	opts     *Options
	norm     *normalizer
	warn     *warnings
	index    *dedupIndex
	statuses []SourceStatus

	progressMu sync.Mutex

	denyMu  sync.Mutex
	denials []string

	filterErrs *warnings // filters that failed, by source
}

// sourceRun is one source's state while it runs.
type sourceRun struct {
	e         *engine
	ctx       context.Context // the source's, for its filters
	idx       int
	name      string
	start     time.Time
	tool      finding.Tool
	ix        *indexer // the source's side of the dedup index
	norm      normState
	mu        sync.Mutex // held while a finding is processed
	abandoned bool
	count     atomic.Int64
	dropped   atomic.Int64
}

func (e *engine) progress(ev SourceEvent) {
	if e.opts.Progress == nil {
		return
	}
	e.progressMu.Lock()
	defer e.progressMu.Unlock()
	e.opts.Progress(ev)
}

// runSource runs one source with its own timeout and records its status.
func (e *engine) runSource(ctx context.Context, i int, src Source) {
	sr := &sourceRun{e: e, idx: i, name: e.statuses[i].Name, start: time.Now(), ix: e.index.indexer(i)}
	sr.tool = finding.Tool{Name: sr.name}
	st := &e.statuses[i]
	st.Start = sr.start
	e.opts.Logger.Debug("source started", "source", sr.name)
	e.progress(SourceEvent{Source: sr.name, State: SourceRunning, Started: true})

	sctx, cancel := context.WithCancel(ctx)
	if e.opts.SourceTimeout > 0 {
		sctx, cancel = context.WithTimeout(ctx, e.opts.SourceTimeout)
	}
	defer cancel()
	sr.ctx = sctx

	type result struct {
		tools []finding.Tool
		err   error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r.err = fmt.Errorf("source panicked: %v", p)
			}
			done <- r
		}()
		r.tools, r.err = src.Run(sctx, sr.emit)
	}()

	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	var res result
	abandoned := false
wait:
	for {
		select {
		case res = <-done:
			break wait
		case <-ticker.C:
			e.progress(SourceEvent{Source: sr.name, State: SourceRunning,
				Findings: int(sr.count.Load()), Elapsed: time.Since(sr.start)})
		case <-sctx.Done():
			select {
			case res = <-done:
			case <-time.After(abandonGrace):
				sr.mu.Lock()
				sr.abandoned = true
				sr.mu.Unlock()
				abandoned = true
				res.err = errAbandoned
			}
			break wait
		}
	}

	st.Duration = time.Since(sr.start)
	st.Findings = int(sr.count.Load())
	st.Dropped = int(sr.dropped.Load())
	st.Tools = dedupTools(res.tools)
	if w, ok := src.(Warner); ok && !abandoned {
		for _, s := range w.Warnings() {
			e.warn.addLine(sr.name + ": " + s)
		}
	}
	if c, ok := src.(Coverer); ok && !abandoned {
		st.Coverage = c.Coverage()
	}
	switch {
	case res.err == nil && ctx.Err() == nil:
		st.State = SourceOK
	case errors.Is(res.err, ErrNotApplicable) && ctx.Err() == nil && sctx.Err() == nil:
		st.State = SourceNotApplicable
		st.Err = strings.TrimPrefix(res.err.Error(), ErrNotApplicable.Error()+": ")
	case errors.Is(sctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		st.State = SourceTimeout
		st.Err = fmt.Sprintf("timed out after %v", e.opts.SourceTimeout)
		st.Cause = sctx.Err()
		if res.err != nil && !errors.Is(res.err, context.DeadlineExceeded) {
			st.Err += ": " + res.err.Error()
		}
	default:
		st.State = SourceFailed
		err := res.err
		if err == nil {
			err = ctx.Err()
		}
		st.Err = err.Error()
		st.Cause = err
	}
	ev := SourceEvent{Source: sr.name, State: st.State, Findings: st.Findings, Elapsed: st.Duration, Coverage: st.Coverage}
	if st.Err != "" {
		ev.Err = errors.New(st.Err)
		e.opts.Logger.Warn("source failed", "source", sr.name, "state", st.State, "error", st.Err)
	} else {
		e.opts.Logger.Debug("source done", "source", sr.name, "findings", st.Findings, "elapsed", st.Duration)
	}
	e.progress(ev)
}

// emit is the function a source reports findings through.
func (sr *sourceRun) emit(f *finding.Finding) error {
	if f == nil {
		return nil
	}
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if sr.abandoned {
		return errAbandoned
	}
	n := sr.count.Add(1)
	if n%ProgressEvery == 0 {
		sr.e.progress(SourceEvent{Source: sr.name, State: SourceRunning, Findings: int(n), Elapsed: time.Since(sr.start)})
	}
	e := sr.e
	if err := e.norm.normalize(f, sr.name, sr.tool, &sr.norm); err != nil {
		sr.dropped.Add(1)
		e.warn.add(sr.name, "invalid findings dropped", err.Error())
		return nil
	}
	for _, flt := range e.opts.Filters {
		v, err := flt.Apply(sr.ctx, f)
		if err != nil {
			e.filterErrs.add(sr.name, "filter "+flt.Name()+" failed on findings", err.Error())
			continue
		}
		e.apply(flt, f, v, sr.name)
	}
	sr.ix.add(f)
	return nil
}

// apply applies a filter's verdict to f. A verdict that would make f
// invalid (a suppression or reason that is not valid UTF-8, say) is
// dropped with a warning naming the filter: every finding of a Report
// stays valid.
func (e *engine) apply(flt Filter, f *finding.Finding, v Verdict, src string) {
	if setSev := v.Severity.Valid() && v.Severity != f.Severity; v.Suppress != nil || setSev {
		nsup, sev := len(f.Suppressions), f.Severity
		reason, hadReason := f.Properties[PropSeverityReason]
		if v.Suppress != nil {
			s := *v.Suppress
			if s.Source == "" {
				s.Source = flt.Name()
			}
			if s.Kind == "" {
				s.Kind = finding.SuppressionExternal
			}
			f.Suppressions = append(f.Suppressions, s)
		}
		if setSev {
			f.Severity = v.Severity
			setProp(f, PropSeverityReason, cmpOr(v.SeverityReason, "set by filter "+flt.Name()))
		}
		if err := f.Validate(); err != nil {
			f.Suppressions, f.Severity = f.Suppressions[:nsup], sev
			if hadReason {
				f.Properties[PropSeverityReason] = reason
			} else {
				delete(f.Properties, PropSeverityReason)
			}
			e.warn.add(src, "invalid verdicts of filter "+flt.Name()+" ignored", err.Error())
		}
	}
	if len(v.Deny) > 0 {
		e.denyMu.Lock()
		for _, d := range v.Deny {
			e.denials = append(e.denials, flt.Name()+": "+d+" ("+describe(f)+")")
		}
		e.denyMu.Unlock()
	}
}

// finish merges, identifies, compares and gates what the sources produced.
func (e *engine) finish() *Report {
	failed := make([]bool, len(e.statuses))
	names := make([]string, len(e.statuses))
	for i := range e.statuses {
		failed[i] = !e.statuses[i].OK()
		names[i] = e.statuses[i].Name
	}
	dr := e.index.finish(failed, names)
	findings := dr.findings
	if err := identifyParallel(findings, e.opts.Root); err != nil {
		e.warn.addLine("identity: " + err.Error())
	}
	var absent []*finding.Finding
	if e.opts.Baseline != nil {
		absent = e.opts.Baseline.Compare(findings)
		var v finding.Validator
		absent = slices.DeleteFunc(absent, func(f *finding.Finding) bool {
			err := v.Validate(f)
			if err != nil {
				e.warn.add("baseline", "invalid baseline findings left out of the absent ones", err.Error())
			}
			return err != nil
		})
		slices.SortFunc(absent, compareFindings)
	}
	rep := &Report{Findings: findings, Absent: absent}
	// Counted before the sort, in the order the index left the findings,
	// which is closer to their order in memory than the sorted one.
	rep.Counts = countReport(rep, dr.merged, int(e.index.received.Load()))
	sortFindings(findings)

	for _, flt := range e.opts.Filters {
		if w, ok := flt.(Warner); ok {
			for _, s := range w.Warnings() {
				e.warn.addLine(flt.Name() + ": " + s)
			}
		}
	}
	for _, s := range dr.ambiguous {
		e.warn.addLine(s)
	}
	slices.Sort(e.denials)
	rep.Sources = e.statuses
	rep.Denials = slices.Compact(e.denials)
	rep.Warnings = e.warn.list()
	rep.Gate = e.opts.Gate.evaluate(rep, e.filterErrs.list())
	return rep
}

// dedupTools returns tools with each name once, sorted by name.
func dedupTools(tools []finding.Tool) []finding.Tool {
	out := make([]finding.Tool, 0, len(tools))
	for _, t := range tools {
		if t.Name != "" {
			out = append(out, toolinfo.CanonicalTool(t))
		}
	}
	slices.SortStableFunc(out, func(a, b finding.Tool) int {
		if a.Name != b.Name {
			if a.Name < b.Name {
				return -1
			}
			return 1
		}
		return 0
	})
	return slices.CompactFunc(out, func(a, b finding.Tool) bool { return a.Name == b.Name })
}

// parallelMin is the number of findings from which finish splits Identify
// and the final sort over GOMAXPROCS goroutines.
const parallelMin = 20000

// identifyParallel is [Identify] on findings, split over GOMAXPROCS
// goroutines when there are many findings. Findings whose identity keys
// are equal have the same tool and rule (every key starts with them), so
// each part holds all the findings of its keys and gets the occurrence
// numbers a single call gives. Across parts, computed identities differ as
// their keys do (barring a SHA-256 collision); only identities kept from
// the input can clash, and then the parts' work is undone and one call
// decides, as it always would. Each part reads the source files of its
// findings, so a file may be read once per part.
func identifyParallel(findings []*finding.Finding, root string) error {
	parts := runtime.GOMAXPROCS(0)
	if parts < 2 || len(findings) < parallelMin {
		return Identify(findings, root)
	}
	type kept struct {
		f  *finding.Finding
		id string
	}
	// Split on all cores: each chunk of findings is split apart, then the
	// chunks' shares are joined in order, so that each part keeps the
	// findings' order.
	type chunk struct {
		split [][]*finding.Finding
		old   []kept // identities the findings came with
	}
	chunks := make([]chunk, maxParts())
	seed := maphash.MakeSeed()
	nc := forParts(len(findings), func(c, lo, hi int) {
		ch := &chunks[c]
		ch.split = make([][]*finding.Finding, parts)
		var h maphash.Hash
		h.SetSeed(seed)
		for _, f := range findings[lo:hi] {
			if f.ID != "" {
				ch.old = append(ch.old, kept{f, f.ID})
			}
			h.Reset()
			h.WriteString(f.Tool.Name)
			h.WriteByte(0)
			h.WriteString(f.Rule.ID)
			i := h.Sum64() % uint64(parts)
			ch.split[i] = append(ch.split[i], f)
		}
	})
	var old []kept
	split := make([][]*finding.Finding, parts)
	for _, ch := range chunks[:nc] {
		old = append(old, ch.old...)
	}
	for i := range split {
		n := 0
		for _, ch := range chunks[:nc] {
			n += len(ch.split[i])
		}
		split[i] = make([]*finding.Finding, 0, n)
		for _, ch := range chunks[:nc] {
			split[i] = append(split[i], ch.split[i]...)
		}
	}
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for i := range split {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Identify(split[i], root)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err // the root cannot be opened
		}
	}
	if len(old) == 0 {
		return nil
	}
	uses := make(map[string]int, len(old))
	for _, k := range old {
		uses[k.id] = 0
	}
	for _, f := range findings {
		id := f.ID
		if n, ok := uses[id]; ok {
			if n > 0 {
				for _, f := range findings {
					f.ID = ""
				}
				for _, k := range old {
					k.f.ID = k.id
				}
				return Identify(findings, root)
			}
			uses[id] = n + 1
		}
	}
	return nil
}

// sortFindings sorts findings by compareFindings. The findings are
// decorated, on all cores, with their path's rank and their region packed
// into a small key, which is radix sorted without reading the findings
// (scattered in memory, they made a comparison sort wait on memory); only
// findings at one place are compared. A region beyond 32 bits, which no
// real file has, sorts the findings themselves.
func sortFindings(findings []*finding.Finding) {
	n := len(findings)
	if n < 2 {
		return
	}
	if uint64(n) > math.MaxUint32 {
		slices.SortFunc(findings, compareFindings)
		return
	}
	// Decorate in parts on all cores: each part reads its findings once,
	// keeping their paths aside and collecting the distinct ones; once
	// these are ranked, the keys get their paths' ranks.
	keys := make([]sortKey, n)
	paths := make([]string, n)
	parts := make([]map[string]uint32, maxParts())
	var wide atomic.Bool
	np := forParts(n, func(p, lo, hi int) {
		seen := make(map[string]uint32)
		last := ""
		for i, f := range findings[lo:hi] {
			if path := f.Location.Path; i == 0 || path != last {
				seen[path] = 0
				last = path
			}
			paths[lo+i] = last
			r := &f.Location.Region
			if !fits32(r.StartLine) || !fits32(r.StartColumn) || !fits32(r.EndLine) || !fits32(r.EndColumn) {
				wide.Store(true)
			}
			keys[lo+i] = sortKey{
				line: uint64(uint32(r.StartLine)),
				mid:  uint64(uint32(r.StartColumn))<<32 | uint64(uint32(r.EndLine)),
				ec:   uint32(r.EndColumn),
				i:    uint32(lo + i),
			}
		}
		parts[p] = seen
	})
	if wide.Load() {
		slices.SortFunc(findings, compareFindings)
		return
	}
	ranks := parts[0]
	for _, m := range parts[1:np] {
		for p := range m {
			ranks[p] = 0
		}
	}
	sorted := slices.Sorted(maps.Keys(ranks))
	for i, p := range sorted {
		ranks[p] = uint32(i)
	}
	forParts(n, func(_, lo, hi int) {
		var last string
		var rank uint64
		for i, path := range paths[lo:hi] {
			if i == 0 || path != last {
				rank, last = uint64(ranks[path]), path
			}
			keys[lo+i].line |= rank << 32
		}
	})
	// Radix sorts, the least significant word first, then each run of
	// equal keys (findings at one place) by compareFindings.
	buf := make([]sortKey, n)
	radixSort(keys, buf, func(k sortKey) uint64 { return uint64(k.ec) })
	radixSort(keys, buf, func(k sortKey) uint64 { return k.mid })
	radixSort(keys, buf, func(k sortKey) uint64 { return k.line })
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && keys[hi].line == keys[lo].line && keys[hi].mid == keys[lo].mid && keys[hi].ec == keys[lo].ec {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(keys[lo:hi], func(a, b sortKey) int {
				return compareFindings(findings[a.i], findings[b.i])
			})
		}
		lo = hi
	}
	out := make([]*finding.Finding, n)
	for i := range keys {
		out[i] = findings[keys[i].i]
	}
	copy(findings, out)
}

// sortKey is a finding decorated with the first fields compareFindings
// compares (compareLocations: path, then the region), each in 32 bits.
type sortKey struct {
	line uint64 // the path's rank << 32 | start line
	mid  uint64 // start column << 32 | end line
	ec   uint32 // end column
	i    uint32 // the finding's index
}

// fits32 reports whether a region field fits a sortKey.
func fits32(n int) bool { return n >= 0 && uint64(n) <= math.MaxUint32 }
