package sarif

import (
	"compress/flate"
	"fmt"
	"hash/maphash"
	"io"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"
)

// # Measuring the gzip-compressed size
//
// Limits.MaxGzipBytes is checked against the size of the log compressed
// with compress/gzip at the default level in blocks of gzipBlock bytes:
// each block is deflated on its own, primed with the 32 KiB before it as
// the dictionary and ended with a sync flush (the last one with the final
// block), which is how parallel gzip tools (pigz, pgzip) work and gives a
// valid gzip stream. A log up to gzipBlock bytes is measured exactly as
// gzip.NewWriter compresses it; for larger logs, the block boundaries add
// a few bytes each (+0.02% on the 250 MB benchmark log), so the measure is
// slightly conservative. Blocks are compressed in parallel, and a block
// whose bytes (and dictionary) were measured in an earlier pass of the
// same Write is not compressed again, so that a second pass after a cut
// recompresses only what changed. A measure can also be an estimate: of a
// sample of the blocks, or once the log is proven too large (see
// gzipMeter); the writer writes only logs measured exactly.
//
// This measure is not the uploader's: GitHub limits the gzip that the
// upload carries, which codeql-action makes with Node's zlib and scripts
// with zlib or GNU gzip, all at level 6. Their deflate finds other
// matches than compress/flate's and wrote 0.99 to 1.075 times as many bytes
// on 41 SARIF logs (the corpus's larger files, the benchmark's inputs and
// merged outputs: 1.007 to 1.04 on the merged logs of 100 to 400 MB), so
// GitHubLimits keeps an 8% margin (Limits.GzipMargin). TestGzipMarginZlib
// checks a cut log with GNU gzip.

// gzipBlock is the size of the blocks compressed independently.
const gzipBlock = 4 << 20

// gzipHeaderTrailer is the size of gzip's header (without name, comment or
// extra field) and trailer (CRC-32 and length).
const gzipHeaderTrailer = 10 + 8

type blockKey struct {
	hash uint64
	n    int
	last bool
}

// gzipMeter is a writer that measures the gzip-compressed size of what is
// written to it. Its cache survives Reset.
//
// With a budget, it stops compressing once the blocks compressed so far
// prove the log larger than the budget, and estimates the rest from their
// compression ratio. To stay deterministic whatever the scheduling, the
// proof for block i only counts blocks up to i-gzipLag, waiting for them
// if need be. With a sampling stride k, it compresses only every k-th
// block after the first sampleFrom bytes and estimates the others. An estimated block takes the ratio of
// the nearest block compressed.
type gzipMeter struct {
	seed  maphash.Seed
	mu    sync.Mutex
	cache map[blockKey]int64
	pool  sync.Pool // of *[]byte block buffers

	budget     int64 // 0: none
	stride     int   // after sampleFrom bytes, compress blocks i%stride == 0 only; <= 1: all
	sampleFrom int64
	probe      *gzipProbe // with a stride: may sample sparsely earlier
	sparseFrom int        // > 0: from this block on, compress i%gzipSparseStride == 0 only

	buf    *[]byte // the block being filled, after dict bytes of dictionary
	dict   int
	raw    int64
	blocks []*meterBlock
	proven int64 // compressed bytes of blocks[:checked]
	check  int
	// work compresses blocks, GOMAXPROCS at a time; err is the first
	// error of one.
	work errgroup.Group
	err  error
}

// meterBlock is one block's measure.
type meterBlock struct {
	raw     int64
	size    int64 // compressed size; -1 when not compressed (over budget)
	done    chan struct{}
	skipped bool
}

// gzipProbe lets a sampled measure tell early that a log is far over the
// limit and sample it sparsely: at the first block at or past raw offset
// from, the size of the whole log is projected from the blocks before it
// (waited for, so that the decision does not depend on scheduling) and
// from progress, which returns how many of the log's total results were
// written so far. Over over bytes, the rest of the log, even before
// sampleFrom, is sampled one block in gzipSparseStride.
type gzipProbe struct {
	from, over int64
	progress   func() (wrote, total int)
}

// gzipSparseStride is the sampling stride of a log projected far over the
// limit: the estimate only needs the compression ratio along the log.
const gzipSparseStride = 16

// gzipLag is how many blocks before the current one the budget check
// waits for.
const gzipLag = 8

func newGzipMeter() *gzipMeter {
	m := &gzipMeter{seed: maphash.MakeSeed(), cache: map[blockKey]int64{}}
	m.work.SetLimit(runtime.GOMAXPROCS(0))
	return m
}

// Reset starts a new measure with a budget (0: none) or a sampling stride
// (<= 1: none) from raw offset from on, keeping the cache.
func (m *gzipMeter) Reset(budget int64, stride int, from int64) {
	m.budget, m.stride, m.sampleFrom = budget, stride, from
	m.probe, m.sparseFrom = nil, 0
	m.buf, m.dict, m.raw, m.blocks, m.proven, m.check, m.err = nil, 0, 0, nil, 0, 0, nil
}

// flateWindow is deflate's window: the dictionary of each block.
const flateWindow = 32 << 10

func (m *gzipMeter) newBuf() *[]byte {
	if b, ok := m.pool.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, flateWindow+gzipBlock)
	return &b
}

func (m *gzipMeter) Write(p []byte) (int, error) {
	n := len(p)
	m.raw += int64(n)
	for len(p) > 0 {
		if m.buf == nil {
			m.buf = m.newBuf()
		}
		b := *m.buf
		if len(b) == m.dict+gzipBlock {
			m.emit(false)
			continue
		}
		k := min(len(p), m.dict+gzipBlock-len(b))
		*m.buf = append(b, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

// overBudget reports whether the blocks before the last gzipLag prove the
// log over budget.
func (m *gzipMeter) overBudget() bool {
	if m.budget <= 0 {
		return false
	}
	for ; m.check < len(m.blocks)-gzipLag; m.check++ {
		bl := m.blocks[m.check]
		<-bl.done
		if bl.skipped {
			return true
		}
		m.proven += bl.size
	}
	return m.proven+gzipHeaderTrailer > m.budget
}

// emit hands the block in buf to a compressing goroutine and, unless it is
// the last, starts the next block with its last flateWindow bytes as
// dictionary.
func (m *gzipMeter) emit(last bool) {
	if m.buf == nil {
		m.buf = m.newBuf()
	}
	bp, dict := m.buf, m.dict
	blk := *bp
	bl := &meterBlock{raw: int64(len(blk) - dict), done: make(chan struct{})}
	m.blocks = append(m.blocks, bl)
	m.buf, m.dict = nil, 0
	if !last {
		m.buf = m.newBuf()
		*m.buf = append(*m.buf, blk[len(blk)-flateWindow:]...)
		m.dict = flateWindow
	}
	i := len(m.blocks) - 1
	m.probeAt(i)
	if m.stride > 1 && int64(i)*gzipBlock >= m.sampleFrom && i%m.stride != 0 ||
		m.sparseFrom > 0 && i >= m.sparseFrom && i%gzipSparseStride != 0 || m.overBudget() {
		bl.skipped = true
		close(bl.done)
		m.pool.Put(bp)
		return
	}
	key := blockKey{hash: maphash.Bytes(m.seed, blk), n: len(blk) - dict, last: last}
	m.mu.Lock()
	cached, ok := m.cache[key]
	m.mu.Unlock()
	if ok {
		bl.size = cached
		close(bl.done)
		m.pool.Put(bp)
		return
	}
	m.work.Go(func() error {
		defer func() { m.pool.Put(bp); close(bl.done) }()
		n, err := deflateSize(blk[:dict], blk[dict:], last)
		m.mu.Lock()
		defer m.mu.Unlock()
		if err != nil {
			m.err = err
			return nil
		}
		m.cache[key] = n
		bl.size = n
		return nil
	})
}

// probeAt makes the probe's decision at block i, if it is due.
func (m *gzipMeter) probeAt(i int) {
	p := m.probe
	if p == nil || m.stride <= 1 || int64(i)*gzipBlock < p.from {
		return
	}
	m.probe = nil
	var raw, size int64
	for _, bl := range m.blocks[:i] {
		<-bl.done
		if !bl.skipped {
			raw, size = raw+bl.raw, size+bl.size
		}
	}
	wrote, total := p.progress()
	if raw == 0 || wrote == 0 {
		return
	}
	projected := float64(m.raw) * float64(total) / float64(wrote) * float64(size) / float64(raw)
	if projected > float64(p.over) {
		m.sparseFrom = max(i, 1)
	}
}

// provenOver reports whether the blocks compressed so far already make
// more than limit compressed bytes. It does not wait for any block.
func (m *gzipMeter) provenOver(limit int64) bool {
	n := int64(gzipHeaderTrailer)
	for _, bl := range m.blocks {
		select {
		case <-bl.done:
			if !bl.skipped {
				n += bl.size
			}
		default:
		}
	}
	return n > limit
}

// Close ends the measure and returns the compressed size; exact is false
// when the log proved over budget and the size is partly estimated.
func (m *gzipMeter) Close() (size int64, exact bool, err error) {
	m.emit(true)
	m.work.Wait() // the blocks' errors are in m.err
	if m.err != nil {
		return 0, false, fmt.Errorf("sarif: measuring compressed size: %w", m.err)
	}
	exact = true
	size = gzipHeaderTrailer
	for i, bl := range m.blocks {
		if bl.skipped {
			exact = false
			bl.size = int64(float64(bl.raw)*m.nearestRatio(i)) + 1
		}
		size += bl.size
	}
	return size, exact, nil
}

// nearestRatio returns the compression ratio of the compressed block
// nearest to block i, the earlier one on a tie, or 1 if there is none.
func (m *gzipMeter) nearestRatio(i int) float64 {
	for d := 1; d <= len(m.blocks); d++ {
		for _, j := range [2]int{i - d, i + d} {
			if j >= 0 && j < len(m.blocks) && !m.blocks[j].skipped && m.blocks[j].raw > 0 {
				return float64(m.blocks[j].size) / float64(m.blocks[j].raw)
			}
		}
	}
	return 1
}

// ratio returns the compression ratio (measured or estimated) of the
// block holding raw offset off in the last measure; valid after Close.
func (m *gzipMeter) ratio(off int64) float64 {
	bl := m.blocks[min(int(off/gzipBlock), len(m.blocks)-1)]
	if bl.raw <= 0 {
		return 1
	}
	return float64(bl.size) / float64(bl.raw)
}

func deflateSize(dict, data []byte, last bool) (int64, error) {
	var n countWriter
	err := deflateBlock(&n, dict, data, last)
	return int64(n), err
}

// deflateBlock writes data deflated with dict as dictionary to w, ended
// with a sync flush, or with the final block when last.
func deflateBlock(w io.Writer, dict, data []byte, last bool) error {
	zw, err := flate.NewWriterDict(w, flate.DefaultCompression, dict)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if last {
		return zw.Close()
	}
	return zw.Flush()
}

// gzipSize returns the compressed size of data as [Write] measures it.
func gzipSize(data []byte) (int64, error) {
	m := newGzipMeter()
	m.Write(data)
	n, _, err := m.Close()
	return n, err
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
