// Package sarifretain lets the aggregation engine and the scanner registry,
// whose handlers keep every finding they read, tell package sarif's reader
// so, without a speed-only field in sarif's public API.
//
// With the hint, [sarif.Decode] allocates findings and their strings in
// blocks: on the pipeline benchmark that took 15% less CPU time and 5% less
// peak memory (bench/ab-sarif.md). But a block stays in memory while any of
// its findings is kept, so a handler that keeps few of the findings must
// not give it, and sarif's users, who cannot import this package, never
// do.
package sarifretain

// Retain sets the hint on opts, which must be a non-nil
// *sarif.ReadOptions. Package sarif sets it when it is initialized: it
// takes any because sarif imports this package, which therefore cannot
// name sarif's types.
var Retain func(opts any)
