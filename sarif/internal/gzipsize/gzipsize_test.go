package gzipsize

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"testing"
)

// The sampling of package sarif's first measure.
const (
	sampleFrom   = 8
	sampleStride = 4
	probeFrom    = 2
)

// TestGzipMeterStream checks that the block compression the meter
// measures is a valid gzip stream of that size, and that a log smaller
// than a block measures as gzip.NewWriter compresses it.
func TestGzipMeterStream(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var data []byte
	for len(data) < 2*BlockSize+12345 {
		data = fmt.Appendf(data, `{"ruleId": "R%d", "message": {"text": "finding %d at line %d"}},`+"\n", rng.IntN(40), rng.IntN(1e6), rng.IntN(800))
	}
	// The stream the meter measures, built block by block.
	var stream bytes.Buffer
	stream.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	for lo := 0; lo < len(data); lo += BlockSize {
		hi := min(lo+BlockSize, len(data))
		if err := DeflateBlock(&stream, data[max(0, lo-Window):lo], data[lo:hi], hi == len(data)); err != nil {
			t.Fatal(err)
		}
	}
	stream.Write(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(data)), uint32(len(data))))
	n := int64(stream.Len())
	zr, err := gzip.NewReader(&stream)
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("block stream does not decompress to the data: %v", err)
	}
	if got, _ := Size(data); got != n {
		t.Errorf("Size = %d, block stream has %d bytes", got, n)
	}
	// Writes in odd pieces measure the same.
	m := New()
	for rest := data; len(rest) > 0; {
		k := min(len(rest), 1+rng.IntN(1<<20))
		m.Write(rest[:k])
		rest = rest[k:]
	}
	if got, exact, err := m.Close(); got != n || !exact || err != nil {
		t.Errorf("pieces: %d, %v, %v; want %d", got, exact, err, n)
	}
	var std countWriter
	zw := gzip.NewWriter(&std)
	small := data[:100000]
	zw.Write(small)
	zw.Close()
	if got, _ := Size(small); got != int64(std) {
		t.Errorf("small: Size = %d, gzip.NewWriter = %d", got, std)
	}
}

// TestGzipMeterProbe checks that a sampled measure of a log projected far
// over the limit compresses only one block in SparseStride after the
// probe, and that its estimate stays close to the exact size; a log not
// projected over is sampled as before.
func TestGzipMeterProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	var data []byte
	for len(data) < 5*BlockSize+777 {
		data = fmt.Appendf(data, `{"ruleId": "R%d", "message": {"text": "finding %d at line %d"}},`+"\n", rng.IntN(40), rng.IntN(1e6), rng.IntN(800))
	}
	exact, _ := Size(data)
	const budget = 1 << 20
	measure := func(over int64) (*Meter, int64, bool) {
		m := New()
		m.Reset(0, sampleStride, sampleFrom*budget)
		wrote := 0
		m.SetProbe(probeFrom*budget, over, func() (int, int) { return wrote, len(data) })
		for rest := data; len(rest) > 0; {
			k := min(len(rest), 1<<20)
			wrote += k // "results" are bytes here
			m.Write(rest[:k])
			rest = rest[k:]
		}
		size, ex, err := m.Close()
		if err != nil {
			t.Fatal(err)
		}
		return m, size, ex
	}
	m, size, ex := measure(budget) // the log compresses to several MiB
	if m.sparseFrom != 1 || ex {
		t.Fatalf("sparse: from block %d, exact %v; want 1, false", m.sparseFrom, ex)
	}
	for i, bl := range m.blocks {
		if want := i%SparseStride != 0; bl.skipped != want {
			t.Errorf("sparse: block %d skipped %v, want %v", i, bl.skipped, want)
		}
	}
	if d := float64(size)/float64(exact) - 1; d < -0.05 || d > 0.05 {
		t.Errorf("sparse estimate %d, exact %d (%+.1f%%)", size, exact, 100*d)
	}
	m, _, _ = measure(1 << 40)
	if m.sparseFrom != 0 {
		t.Errorf("not projected over: sparse from block %d", m.sparseFrom)
	}
	for i, bl := range m.blocks {
		if want := int64(i)*BlockSize >= sampleFrom*budget && i%sampleStride != 0; bl.skipped != want {
			t.Errorf("block %d skipped %v, want %v", i, bl.skipped, want)
		}
	}
}

// BenchmarkMeter measures a 16 MiB log exactly, and sampled one block in
// four (the mechanism the writer's first measure of a long log uses).
func BenchmarkMeter(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var data []byte
	for len(data) < 4*BlockSize {
		data = fmt.Appendf(data, `{"ruleId": "R%d", "message": {"text": "finding %d at line %d"}},`+"\n", rng.IntN(40), rng.IntN(1e6), rng.IntN(800))
	}
	for _, stride := range []int{0, sampleStride} {
		b.Run(fmt.Sprintf("stride=%d", stride), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				m := New() // a new cache: every block is compressed
				m.Reset(0, stride, 0)
				m.Write(data)
				if _, _, err := m.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
