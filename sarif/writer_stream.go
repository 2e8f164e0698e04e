package sarif

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif/internal/fit"
	"github.com/scanmux/scanmux/sarif/internal/gzipsize"
	"github.com/scanmux/scanmux/sarif/internal/sarifjson"
)

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

// rankItems ranks the items of all plans most severe first, in plan and
// output order within a severity, and numbers their ranks and plans.
func rankItems(plans []*runPlan) []*item {
	var sevs []finding.Severity
	n := 0
	for pi, p := range plans {
		n += len(p.items)
		for _, it := range p.items {
			it.plan = pi
			if !slices.Contains(sevs, it.sev) {
				sevs = append(sevs, it.sev)
			}
		}
	}
	slices.Sort(sevs)
	slices.Reverse(sevs)
	ranked := make([]*item, 0, n)
	for _, s := range sevs {
		for _, p := range plans {
			for _, it := range p.items {
				if it.sev == s {
					it.rank = len(ranked)
					ranked = append(ranked, it)
				}
			}
		}
	}
	return ranked
}

// fitLog is the log of a Write as package fit searches it: measured
// into m keeping the most severe results, the last measure that kept any
// also into small.
type fitLog struct {
	b      *builder
	m      *gzipsize.Meter
	plans  []*runPlan
	ranked []*item
	small  *capBuffer
}

// Measure measures the log keeping the keep most severe results.
func (l *fitLog) Measure(keep int) (int64, bool, int64, error) {
	var small *capBuffer
	if keep > 0 {
		small = l.small
		small.Reset()
	}
	size, exact, err := l.b.measure(l.m, l.plans, keep, 0, small)
	return size, exact, l.m.Raw(), err
}

// Shares sets est[i] to the share of the compressed size of the last
// measured log that the item ranked i is estimated to take: its encoded
// size times the compression ratio of the block it starts in.
func (l *fitLog) Shares(keep int, est []float64) {
	for i, it := range l.ranked[:keep] {
		est[i] = float64(it.size) * l.m.Ratio(it.off)
	}
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

// The first measure of a log is exact for its first gzipSampleFrom times
// the limit bytes, which holds every log that fits unless it compresses
// more than that, then samples one block in gzipSampleStride: a log that
// long is usually far above the limit, and a sample tells by how much.
const (
	gzipSampleFrom   = 8
	gzipSampleStride = 4
)

// A sampled measure projects the log's compressed size once it has
// gzipProbeFrom times the limit raw bytes, and samples sparsely a log
// projected over gzipSparseOver times the limit (see gzipsize.Meter.SetProbe): such a
// log is cut, and the cut changes blocks all along it, so an exact
// measure of its first part would be lost. The projection, from the
// first part's compression ratio and the share of the results written,
// was within 1% of the sampled measure on the benchmark's logs.
const (
	gzipProbeFrom  = 2
	gzipSparseOver = 1.25
)

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

// writeBuffer is the size of the buffer between a log and its writer. It
// gathers the small pieces of a log (run headers, separators); a piece of
// results, hundreds of KiB, mostly passes through to the writer instead of
// being copied into the buffer first.
const writeBuffer = 64 << 10

// capBuffer keeps what is written to it as long as it stays under max.
type capBuffer struct {
	max  int
	buf  []byte
	over bool
}

func (c *capBuffer) Write(p []byte) (int, error) {
	if !c.over {
		if len(c.buf)+len(p) > c.max {
			c.over, c.buf = true, c.buf[:0] // the array serves the next measure
		} else {
			c.buf = append(c.buf, p...)
		}
	}
	return len(p), nil
}

func (c *capBuffer) ok() bool { return !c.over && len(c.buf) > 0 }

func (c *capBuffer) Reset() { c.buf, c.over = c.buf[:0], false }

// piece is a part of the log: ready, or being encoded until done is
// closed.
type piece struct {
	buf   []byte
	items []*item // the results in buf, for their offsets
	done  chan struct{}
}

// resultsPerSegment is how many results one goroutine encodes at a time.
const resultsPerSegment = 512

var arenas = sync.Pool{New: func() any { return new(sarifjson.Arena) }}

var segmentBufs = sync.Pool{New: func() any { return new([]byte) }}

// runTail is how the encoding of a run without results ends.
const runTail = `"results": []` + "\n    }"

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

// runPart is what writeLog writes of one run: its kept items, and its
// header once done is closed.
type runPart struct {
	items       []*item
	sizeDropped severityCounts
	hdr         *runHeader
	err         error
	done        chan struct{}
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

// runHeader is a run encoded without its results.
type runHeader struct {
	json    []byte  // ends with runTail
	ruleIdx []int32 // the rule index of each kept item, in order
	drops   dropCounts
}

// keptHeader is a run's header for a number of kept results.
type keptHeader struct {
	kept int
	h    *runHeader
}

// headersKept is how many headers of each run builder.headers keeps, the
// most recent first: enough for the measures of a fit, whose last logs
// differ in few runs, and for the log kept.
const headersKept = 3

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
