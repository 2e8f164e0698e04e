package gzipsize

import (
	"compress/flate"
	"fmt"
	"hash/maphash"
	"io"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"
)

// BlockSize is the size of the blocks compressed independently.
const BlockSize = 4 << 20

// headerTrailer is the size of gzip's header (without name, comment or
// extra field) and trailer (CRC-32 and length).
const headerTrailer = 10 + 8

type blockKey struct {
	hash uint64
	n    int
	last bool
}

// Meter is a writer that measures the gzip-compressed size of what is
// written to it. Its cache survives Reset.
//
// With a budget, it stops compressing once the blocks compressed so far
// prove the log larger than the budget, and estimates the rest from their
// compression ratio. To stay deterministic whatever the scheduling, the
// proof for block i only counts blocks up to i-lag, waiting for them
// if need be. With a sampling stride k, it compresses only every k-th
// block after the first sampleFrom bytes and estimates the others. An estimated block takes the ratio of
// the nearest block compressed.
type Meter struct {
	seed  maphash.Seed
	mu    sync.Mutex
	cache map[blockKey]int64
	pool  sync.Pool // of *[]byte block buffers

	budget     int64 // 0: none
	stride     int   // after sampleFrom bytes, compress blocks i%stride == 0 only; <= 1: all
	sampleFrom int64
	prb        *probe // with a stride: may sample sparsely earlier
	sparseFrom int    // > 0: from this block on, compress i%SparseStride == 0 only

	buf    *[]byte // the block being filled, after dict bytes of dictionary
	dict   int
	raw    int64
	blocks []*block
	proven int64 // compressed bytes of blocks[:checked]
	check  int
	// work compresses blocks, GOMAXPROCS at a time; err is the first
	// error of one.
	work errgroup.Group
	err  error
}

// block is one block's measure.
type block struct {
	raw     int64
	size    int64 // compressed size; -1 when not compressed (over budget)
	done    chan struct{}
	skipped bool
}

// probe lets a sampled measure tell early that a log is far over the
// limit and sample it sparsely: at the first block at or past raw offset
// from, the size of the whole log is projected from the blocks before it
// (waited for, so that the decision does not depend on scheduling) and
// from progress, which returns how many of the log's total results were
// written so far. Over over bytes, the rest of the log, even before
// sampleFrom, is sampled one block in SparseStride.
type probe struct {
	from, over int64
	progress   func() (wrote, total int)
}

// SparseStride is the sampling stride of a log projected far over the
// limit: the estimate only needs the compression ratio along the log.
const SparseStride = 16

// lag is how many blocks before the current one the budget check
// waits for.
const lag = 8

func New() *Meter {
	m := &Meter{seed: maphash.MakeSeed(), cache: map[blockKey]int64{}}
	m.work.SetLimit(runtime.GOMAXPROCS(0))
	return m
}

// Reset starts a new measure with a budget (0: none) or a sampling stride
// (<= 1: none) from raw offset from on, keeping the cache.
func (m *Meter) Reset(budget int64, stride int, from int64) {
	m.budget, m.stride, m.sampleFrom = budget, stride, from
	m.prb, m.sparseFrom = nil, 0
	m.buf, m.dict, m.raw, m.blocks, m.proven, m.check, m.err = nil, 0, 0, nil, 0, 0, nil
}

// Window is deflate's window: the dictionary of each block.
const Window = 32 << 10

func (m *Meter) newBuf() *[]byte {
	if b, ok := m.pool.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, Window+BlockSize)
	return &b
}

func (m *Meter) Write(p []byte) (int, error) {
	n := len(p)
	m.raw += int64(n)
	for len(p) > 0 {
		if m.buf == nil {
			m.buf = m.newBuf()
		}
		b := *m.buf
		if len(b) == m.dict+BlockSize {
			m.emit(false)
			continue
		}
		k := min(len(p), m.dict+BlockSize-len(b))
		*m.buf = append(b, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

// overBudget reports whether the blocks before the last lag prove the
// log over budget.
func (m *Meter) overBudget() bool {
	if m.budget <= 0 {
		return false
	}
	for ; m.check < len(m.blocks)-lag; m.check++ {
		bl := m.blocks[m.check]
		<-bl.done
		if bl.skipped {
			return true
		}
		m.proven += bl.size
	}
	return m.proven+headerTrailer > m.budget
}

// emit hands the block in buf to a compressing goroutine and, unless it is
// the last, starts the next block with its last Window bytes as
// dictionary.
func (m *Meter) emit(last bool) {
	if m.buf == nil {
		m.buf = m.newBuf()
	}
	bp, dict := m.buf, m.dict
	blk := *bp
	bl := &block{raw: int64(len(blk) - dict), done: make(chan struct{})}
	m.blocks = append(m.blocks, bl)
	m.buf, m.dict = nil, 0
	if !last {
		m.buf = m.newBuf()
		*m.buf = append(*m.buf, blk[len(blk)-Window:]...)
		m.dict = Window
	}
	i := len(m.blocks) - 1
	m.probeAt(i)
	if m.stride > 1 && int64(i)*BlockSize >= m.sampleFrom && i%m.stride != 0 ||
		m.sparseFrom > 0 && i >= m.sparseFrom && i%SparseStride != 0 || m.overBudget() {
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
func (m *Meter) probeAt(i int) {
	p := m.prb
	if p == nil || m.stride <= 1 || int64(i)*BlockSize < p.from {
		return
	}
	m.prb = nil
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

// ProvenOver reports whether the blocks compressed so far already make
// more than limit compressed bytes. It does not wait for any block.
func (m *Meter) ProvenOver(limit int64) bool {
	n := int64(headerTrailer)
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
func (m *Meter) Close() (size int64, exact bool, err error) {
	m.emit(true)
	m.work.Wait() // the blocks' errors are in m.err
	if m.err != nil {
		return 0, false, fmt.Errorf("measuring compressed size: %w", m.err)
	}
	exact = true
	size = headerTrailer
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
func (m *Meter) nearestRatio(i int) float64 {
	for d := 1; d <= len(m.blocks); d++ {
		for _, j := range [2]int{i - d, i + d} {
			if j >= 0 && j < len(m.blocks) && !m.blocks[j].skipped && m.blocks[j].raw > 0 {
				return float64(m.blocks[j].size) / float64(m.blocks[j].raw)
			}
		}
	}
	return 1
}

// Ratio returns the compression ratio (measured or estimated) of the
// block holding raw offset off in the last measure; valid after Close.
func (m *Meter) Ratio(off int64) float64 {
	bl := m.blocks[min(int(off/BlockSize), len(m.blocks)-1)]
	if bl.raw <= 0 {
		return 1
	}
	return float64(bl.size) / float64(bl.raw)
}

func deflateSize(dict, data []byte, last bool) (int64, error) {
	var n countWriter
	err := DeflateBlock(&n, dict, data, last)
	return int64(n), err
}

// DeflateBlock writes data deflated with dict as dictionary to w, ended
// with a sync flush, or with the final block when last.
func DeflateBlock(w io.Writer, dict, data []byte, last bool) error {
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

// Size returns the compressed size of data as a [Meter] measures it.
func Size(data []byte) (int64, error) {
	m := New()
	m.Write(data)
	n, _, err := m.Close()
	return n, err
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// SetProbe makes the measure started by the last Reset, which must have
// a sampling stride, project the log's compressed size at the first block
// at or past raw offset from, from the blocks before it and from
// progress, which returns how many of the log's total items were written
// so far; a log projected over over bytes is sampled one block in
// SparseStride from there on.
func (m *Meter) SetProbe(from, over int64, progress func() (wrote, total int)) {
	m.prb = &probe{from: from, over: over, progress: progress}
}

// Raw returns the number of bytes written since Reset.
func (m *Meter) Raw() int64 { return m.raw }

// Sparse reports whether the probe found the log far over and the
// measure samples it sparsely.
func (m *Meter) Sparse() bool { return m.sparseFrom > 0 }
