package fit

import "errors"

// A Log is a log whose compressed size can be measured keeping its first
// keep results.
type Log interface {
	// Measure measures the log keeping the first keep results. It
	// returns the compressed size, whether that size is exact (else it is
	// an estimate of a log proven over the limit) and the raw size.
	Measure(keep int) (size int64, exact bool, raw int64, err error)
	// Shares sets est[i], for i < keep, to the estimated share of result i
	// in the compressed size of the log measured last, which kept at
	// least keep results.
	Shares(keep int, est []float64)
}

// Result is what [Search] found.
type Result struct {
	// Keep is the most results known to fit, Size the compressed size
	// and Raw the raw size of the log that keeps them.
	Keep      int
	Size, Raw int64
	// Last is the number of results of the last log measured.
	Last int
}

// ErrEmptyOver is the error of [Search] when the log is over the limit
// without any result; Result.Size is then its size.
var ErrEmptyOver = errors.New("over the limit with no results")

// MaxPasses bounds the logs Search measures after the first two.
const MaxPasses = 6

// Search finds how many of the n results of l to keep for the log to fit
// limit, given that the last log measured kept all n and has compressed
// size size: too much if exact, else an estimate (all of them may fit).
// It keeps as many as it can to within 2% of the limit (or one result).
func Search(l Log, n int, limit, size int64, exact bool) (Result, error) {
	est := make([]float64, n)
	l.Shares(n, est)
	g0, _, raw0, err := l.Measure(0)
	if err != nil {
		return Result{}, err
	}
	if g0 > limit {
		return Result{Size: g0}, ErrEmptyOver
	}
	lo, gLo, rawLo := 0, g0, raw0 // the most results known to fit
	hi, gHi := n, size            // the fewest known not to
	if !exact {
		hi++ // all of them may fit
	}
	last := -1
	target := float64(limit - max(limit/100, 16))
	tolerance := max(limit/50, 64)
	for passes := 0; hi-lo > 1 && limit-gLo > tolerance && passes < MaxPasses; passes++ {
		k := next(est, lo, hi, gLo, gHi, target)
		g, ex, raw, err := l.Measure(k)
		if err != nil {
			return Result{}, err
		}
		last = k
		l.Shares(k, est)
		if ex && g <= limit {
			lo, gLo, rawLo = k, g, raw
		} else {
			hi, gHi = k, g
		}
	}
	return Result{Keep: lo, Size: gLo, Raw: rawLo, Last: last}, nil
}

// next interpolates the next count to measure between lo (fits, size gLo)
// and hi (does not, size gHi): the shares est[lo:hi], scaled to the sizes,
// added up to target. It is at least lo+1.
func next(est []float64, lo, hi int, gLo, gHi int64, target float64) int {
	sum := 0.0
	for _, e := range est[lo:min(hi, len(est))] {
		sum += e
	}
	scale := 1.0
	if sum > 0 {
		scale = float64(gHi-gLo) / sum
	}
	k, size := lo, float64(gLo)
	for k < hi-1 && size+est[k]*scale <= target {
		size += est[k] * scale
		k++
	}
	if k == lo {
		k = lo + 1 // the interpolation says none: try one
	}
	return k
}
