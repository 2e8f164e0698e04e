package aggregate

import (
	"runtime"
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
