package aggregate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

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

	// Sources wait for a slot in order; those that get one after ctx is
	// done do not start.
	var g errgroup.Group
	g.SetLimit(o.Concurrency)
	for i, src := range sources {
		e.statuses[i].Name = src.Name()
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				e.statuses[i].State, e.statuses[i].Err = SourceFailed, "not started: "+err.Error()
				return nil
			}
			e.runSource(ctx, i, src)
			return nil
		})
	}
	g.Wait()
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
	if err := Identify(findings, e.opts.Root); err != nil {
		e.warn.addLine("identity: " + err.Error())
	}
	var absent []*finding.Finding
	if e.opts.Baseline != nil {
		absent = e.opts.Baseline.Compare(findings)
		absent = slices.DeleteFunc(absent, func(f *finding.Finding) bool {
			err := f.Validate()
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

// sortFindings sorts findings by [compareFindings]: a large slice in two
// halves at once, then merged (bench/ab-aggregate.md). compareFindings ends with the identity,
// which no two findings of a report share, so the order is the one
// slices.SortFunc gives.
func sortFindings(findings []*finding.Finding) {
	if len(findings) < 1<<12 {
		slices.SortFunc(findings, compareFindings)
		return
	}
	left, right := findings[:len(findings)/2], findings[len(findings)/2:]
	var g errgroup.Group
	g.Go(func() error {
		slices.SortFunc(left, compareFindings)
		return nil
	})
	slices.SortFunc(right, compareFindings)
	g.Wait()
	left = slices.Clone(left)
	i, j := 0, 0
	for k := range findings {
		if j == len(right) || i < len(left) && compareFindings(left[i], right[j]) <= 0 {
			findings[k] = left[i]
			i++
		} else {
			findings[k] = right[j]
			j++
		}
	}
}

// inParts calls do(lo, hi) at once for GOMAXPROCS parts of [0, n) and
// waits for them. finish uses it (through Identify too) for the steps that
// split without changing their result: once the sources are done nothing
// else runs, and on one core finish took 0.8 s of the pipeline
// benchmark's 4.5 on 2 cores (bench/ab-aggregate.md, "On a quiet
// machine").
func inParts(n int, do func(lo, hi int)) {
	var g errgroup.Group
	parts := runtime.GOMAXPROCS(0)
	for p := range parts {
		g.Go(func() error {
			do(n*p/parts, n*(p+1)/parts)
			return nil
		})
	}
	g.Wait()
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
