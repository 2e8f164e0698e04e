package sarif

import (
	"compress/flate"
	"fmt"
	"hash/maphash"
	"runtime"
	"sync"
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
// recompresses only what changed.

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
type gzipMeter struct {
	seed  maphash.Seed
	mu    sync.Mutex
	cache map[blockKey]int64
	pool  sync.Pool // of *[]byte block buffers

	buf   *[]byte // the block being filled, after dict bytes of dictionary
	dict  int
	raw   int64
	sizes []*int64 // compressed size of each block, in order
	wg    sync.WaitGroup
	sem   chan struct{}
	err   error
}

func newGzipMeter() *gzipMeter {
	return &gzipMeter{seed: maphash.MakeSeed(), cache: map[blockKey]int64{},
		sem: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// Reset starts a new measure, keeping the cache.
func (m *gzipMeter) Reset() {
	m.buf, m.dict, m.raw, m.sizes, m.err = nil, 0, 0, nil, nil
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

// emit hands the block in buf to a compressing goroutine and, unless it is
// the last, starts the next block with its last flateWindow bytes as
// dictionary.
func (m *gzipMeter) emit(last bool) {
	if m.buf == nil {
		m.buf = m.newBuf()
	}
	bp, dict := m.buf, m.dict
	blk := *bp
	size := new(int64)
	m.sizes = append(m.sizes, size)
	key := blockKey{hash: maphash.Bytes(m.seed, blk), n: len(blk) - dict, last: last}
	m.buf, m.dict = nil, 0
	if !last {
		m.buf = m.newBuf()
		*m.buf = append(*m.buf, blk[len(blk)-flateWindow:]...)
		m.dict = flateWindow
	}
	m.mu.Lock()
	cached, ok := m.cache[key]
	m.mu.Unlock()
	if ok {
		*size = cached
		m.pool.Put(bp)
		return
	}
	m.sem <- struct{}{}
	m.wg.Add(1)
	go func() {
		defer func() { m.pool.Put(bp); <-m.sem; m.wg.Done() }()
		n, err := deflateSize(blk[:dict], blk[dict:], last)
		m.mu.Lock()
		defer m.mu.Unlock()
		if err != nil {
			m.err = err
			return
		}
		m.cache[key] = n
		*size = n
	}()
}

// Close ends the measure and returns the compressed size.
func (m *gzipMeter) Close() (int64, error) {
	m.emit(true)
	m.wg.Wait()
	if m.err != nil {
		return 0, fmt.Errorf("sarif: measuring compressed size: %w", m.err)
	}
	total := int64(gzipHeaderTrailer)
	for _, s := range m.sizes {
		total += *s
	}
	return total, nil
}

// ratio returns the compression ratio of the block holding raw offset off
// in the last measure; valid after Close.
func (m *gzipMeter) ratio(off int64) float64 {
	i := min(int(off/gzipBlock), len(m.sizes)-1)
	raw := min(int64(gzipBlock), m.raw-int64(i)*gzipBlock)
	if raw <= 0 {
		return 1
	}
	return float64(*m.sizes[i]) / float64(raw)
}

func deflateSize(dict, data []byte, last bool) (int64, error) {
	var n countWriter
	zw, err := flate.NewWriterDict(&n, flate.DefaultCompression, dict)
	if err != nil {
		return 0, err
	}
	if _, err := zw.Write(data); err != nil {
		return 0, err
	}
	if last {
		err = zw.Close()
	} else {
		err = zw.Flush()
	}
	return int64(n), err
}

// gzipSize returns the compressed size of data as [Write] measures it.
func gzipSize(data []byte) (int64, error) {
	m := newGzipMeter()
	m.Write(data)
	return m.Close()
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
