package main

import (
	"os"
	"runtime/debug"

	"github.com/scanmux/scanmux/aggregate"
)

// gcPercent is the collector's GOGC for a run without GOGC in the
// environment. scanmux is a batch job whose heap is mostly findings that
// live to the end: at the default 100 the collector marks them again each
// time the heap doubles while reports are read. afterRun returns the
// merge's garbage before the report is written, which bounds the heap the
// report is written from. On the benchmarks, 300 took 8-10% less CPU time
// than 100 for the same peak memory (merge 1.84 -> 1.73 s, 655 MB;
// pipeline 2.61 -> 2.45 s, 770-800 MB).
const gcPercent = 300

// tuneGC sets gcPercent unless the user set GOGC.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// afterRun returns the memory of a large run's merge (the dedup index and
// the identities' working data, garbage once aggregate.Run returns) to the
// operating system before the report is written: the freed memory lies in
// small pieces between live findings, where the writer's large buffers do
// not fit, so without it they took fresh memory on top of it. On the
// pipeline benchmark (bench/ab-aggregate.md), peak RSS 1154 -> 833 MB in
// the same CPU time; the library (aggregate.Run) calls no GC itself.
func afterRun(rep *aggregate.Report) {
	if rep != nil && len(rep.Findings) >= 100_000 {
		debug.FreeOSMemory()
	}
}
