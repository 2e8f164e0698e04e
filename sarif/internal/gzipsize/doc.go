// Package gzipsize measures the gzip-compressed size of a stream without
// keeping it, for the writer of package sarif, which keeps a log under
// GitHub's limit on the compressed upload.
//
// Package sarif checks Limits.MaxGzipBytes against the size of the log
// compressed with compress/gzip at the default level in blocks of [BlockSize] bytes:
// each block is deflated on its own, primed with the 32 KiB before it as
// the dictionary and ended with a sync flush (the last one with the final
// block), which is how parallel gzip tools (pigz, pgzip) work and gives a
// valid gzip stream. A log up to [BlockSize] bytes is measured exactly as
// gzip.NewWriter compresses it; for larger logs, the block boundaries add
// a few bytes each (+0.02% on the 250 MB benchmark log), so the measure is
// slightly conservative. Blocks are compressed in parallel, and a block
// whose bytes (and dictionary) were measured in an earlier pass of the
// same sarif.Write is not compressed again, so that a second pass after a cut
// recompresses only what changed. A measure can also be an estimate: of a
// sample of the blocks, or once the log is proven too large (see
// [Meter]); the writer writes only logs measured exactly.
//
// This measure is not the uploader's: GitHub limits the gzip that the
// upload carries, which codeql-action makes with Node's zlib and scripts
// with zlib or GNU gzip, all at level 6. Their deflate finds other
// matches than compress/flate's and wrote 0.99 to 1.075 times as many bytes
// on 41 SARIF logs (the corpus's larger files, the benchmark's inputs and
// merged outputs: 1.007 to 1.04 on the merged logs of 100 to 400 MB), so
// sarif.GitHubLimits keeps an 8% margin (Limits.GzipMargin); sarif's
// TestGzipMarginZlib checks a cut log with GNU gzip.
//
// A measure is started by [Meter.Reset] with a budget (stop compressing
// once the log is proven larger) or a sampling stride (compress one block
// in stride past an offset), and optionally a probe ([Meter.SetProbe])
// that switches to sparse sampling when the log is projected far over the
// limit. Sampling is a speed mechanism: bench/ab-sarif.md has its A/B
// against exact measures, and BenchmarkMeter its cost per byte.
package gzipsize
