package aggregate

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
)

// maxParts is the most parts forParts makes: GOMAXPROCS, at most 8.
func maxParts() int { return max(1, min(runtime.GOMAXPROCS(0), 8)) }

// forParts splits [0, n) into at most maxParts consecutive parts (one
// when n is below parallelMin), calls fn on each concurrently and returns
// the number of parts. Part p is [n*p/parts, n*(p+1)/parts), so results
// kept per part can be joined in order.
func forParts(n int, fn func(part, lo, hi int)) int {
	parts := 1
	if n >= parallelMin {
		parts = maxParts()
	}
	if parts == 1 {
		fn(0, 0, n)
		return 1
	}
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() { fn(p, n*p/parts, n*(p+1)/parts) })
	}
	wg.Wait()
	return parts
}

// radixSort sorts s by key, ascending and stably: eight bits at a time,
// the least significant first, skipping the bytes all keys share. For
// hashes it takes a fraction of a comparison sort's time. It uses buf as
// scratch space when it is as long as s, and allocates otherwise.
func radixSort[T any](s, buf []T, key func(T) uint64) {
	if len(s) < 512 {
		slices.SortStableFunc(s, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
		return
	}
	var counts [8][256]int
	for _, v := range s {
		k := key(v)
		for d := range counts {
			counts[d][byte(k>>(8*d))]++
		}
	}
	first := key(s[0])
	if len(buf) != len(s) {
		buf = make([]T, len(s))
	}
	src, dst := s, buf
	for d := range counts {
		shift := 8 * d
		if counts[d][byte(first>>shift)] == len(s) {
			continue
		}
		var next [256]int
		n := 0
		for b, c := range counts[d] {
			next[b] = n
			n += c
		}
		for _, v := range src {
			b := byte(key(v) >> shift)
			dst[next[b]] = v
			next[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &s[0] {
		copy(s, src)
	}
}
