package fit

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// sumLog is a log whose compressed size is base plus the sizes of the
// results kept, scaled by ratio: shares estimated without the scale are
// off by it, as real estimates are off.
type sumLog struct {
	base     int64
	sizes    []int64
	ratio    float64
	measures int
}

func (l *sumLog) Measure(keep int) (int64, bool, int64, error) {
	l.measures++
	n := l.base
	for _, s := range l.sizes[:keep] {
		n += s
	}
	return int64(float64(n) * l.ratio), true, n, nil
}

func (l *sumLog) Shares(keep int, est []float64) {
	for i := range keep {
		est[i] = float64(l.sizes[i])
	}
}

func TestSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		n := 1 + rng.IntN(5000)
		l := &sumLog{base: 1000, ratio: 0.5 + rng.Float64()}
		for range n {
			l.sizes = append(l.sizes, 1+rng.Int64N(3000))
		}
		all, _, _, _ := l.Measure(n)
		limit := 2000 + rng.Int64N(all)
		l.measures = 0
		res, err := Search(l, n, limit, all, true)
		if err != nil {
			t.Fatal(err)
		}
		size, _, raw, _ := l.Measure(res.Keep)
		if size != res.Size || raw != res.Raw {
			t.Fatalf("result %+v, but keeping %d measures %d (raw %d)", res, res.Keep, size, raw)
		}
		if res.Size > limit {
			t.Fatalf("keeps %d of %d: %d bytes, over the limit %d", res.Keep, n, res.Size, limit)
		}
		// Within 2% of the limit, or one more result does not fit, or
		// the passes ran out.
		if next, _, _, _ := l.Measure(min(res.Keep+1, n)); limit-res.Size > max(limit/50, 64) && next <= limit && l.measures-2 < MaxPasses+1 {
			t.Fatalf("keeps %d of %d: %d bytes of %d, but %d fit in %d bytes", res.Keep, n, res.Size, limit, res.Keep+1, next)
		}
	}
}

func TestSearchEmptyOver(t *testing.T) {
	l := &sumLog{base: 5000, ratio: 1, sizes: []int64{10, 10}}
	res, err := Search(l, 2, 4000, 5020, true)
	if !errors.Is(err, ErrEmptyOver) || res.Size != 5000 {
		t.Errorf("Search = %+v, %v; want size 5000, ErrEmptyOver", res, err)
	}
}
