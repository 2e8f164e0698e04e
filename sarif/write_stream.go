package sarif

import (
	"slices"
	"sync"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif/internal/gzipsize"
	"github.com/scanmux/scanmux/sarif/internal/sarifjson"
)

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

// runPart is what writeLog writes of one run: its kept items, and its
// header once done is closed.
type runPart struct {
	items       []*item
	sizeDropped severityCounts
	hdr         *runHeader
	err         error
	done        chan struct{}
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
