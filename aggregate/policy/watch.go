package policy

import (
	"context"
	"runtime/metrics"
	"sync"
	"time"
)

// How an evaluation is watched: from watchAfter on (most evaluations end
// long before, and cost only a timer), every watchEvery.
const (
	watchAfter = 100 * time.Millisecond
	watchEvery = 10 * time.Millisecond
)

// watcher stops one evaluation that outlives its time budget or grows the
// heap too much, by cancelling its context with errOverBudget or
// errOverMemory.
type watcher struct {
	cancel context.CancelCauseFunc
	start  time.Time
	left   time.Duration // the budget left, < 0: none
	memory int64         // heap growth allowed, < 0: none

	mu      sync.Mutex
	t       *time.Timer
	base    uint64 // the heap at the first tick
	stopped bool
}

// watch starts watching an evaluation with left of its budget and memory
// bytes of heap growth allowed; it returns nil when there is nothing to
// watch.
func watch(left time.Duration, memory int64, cancel context.CancelCauseFunc) *watcher {
	if left < 0 && memory < 0 {
		return nil
	}
	w := &watcher{cancel: cancel, start: time.Now(), left: left, memory: memory}
	first := watchAfter
	if left >= 0 {
		first = min(first, left)
	}
	w.mu.Lock()
	w.t = time.AfterFunc(first, w.tick)
	w.mu.Unlock()
	return w
}

func (w *watcher) tick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	ran := time.Since(w.start)
	if w.left >= 0 && ran >= w.left {
		w.cancel(errOverBudget)
		return
	}
	if w.memory >= 0 {
		switch h := heapBytes(); {
		case w.base == 0:
			w.base = h
		case h > w.base && h-w.base > uint64(w.memory):
			w.cancel(errOverMemory)
			return
		}
	}
	next := watchEvery
	if w.left >= 0 {
		next = min(next, w.left-ran)
	}
	w.t.Reset(next)
}

// stop ends the watch.
func (w *watcher) stop() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	w.t.Stop()
}

// heapBytes returns the bytes of the heap's objects, live and not yet
// swept.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
