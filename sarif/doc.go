// Package sarif reads and writes SARIF 2.1.0 logs as scanmux findings.
//
// The API is small: [Decode], [Read] and [ReadFile] turn any tool's SARIF
// into [finding.Finding] values grouped in [Run]s; [Write] turns runs into
// a log that GitHub code scanning accepts; [Validate] checks a log against
// the SARIF 2.1.0 schema and GitHub's upload rules; [UpgradeV1] converts
// SARIF 1.0. [ReadOptions], [WriteOptions], [Limits] and [Profile]
// configure them.
//
// # Reading
//
// [Decode] streams: it walks the log token by token with a jsontext
// decoder (github.com/go-json-experiment/json), keeps the run's context
// (tool, rules, taxonomies, artifacts, base URIs) and converts each result
// to a finding as soon as that context is known, so memory is bounded by
// what the handler keeps. Results are decoded by a hand-written parser
// (decode_fast.go) that checks the grammar as it goes; a result it does
// not take is scanned leniently, checked by jsontext and decoded by
// json.Unmarshal into the same types, and at the end of the results (or
// at bad input) the rest goes back to a jsontext decoder (handBack), so
// errors name the same JSON path and offset either way. The parser is
// kept because it pays (bench/ab-sarif.md); TestDecodeResultsSameAsJSONText
// and FuzzDecodeResults hold it to the jsontext path. The conversion
// (runState.convert) has one step per concern: rule, CWE, vulnerability
// ids, severity, locations, category, message, fingerprints, suppressions,
// properties. Strings longer than [MaxStringBytes] are cut while reading
// (package internal/jsonlimit).
//
// # Writing
//
// [Write] plans the log first (writer.go: runs grouped by tool and
// category, findings validated, one item per result, sorted, the count
// limits of [Limits] applied), then streams it (writer_stream.go): run
// headers (tool, rules, invocations) are encoded with encoding/json,
// results by a hand-written encoder (writer_encode.go) into segments on
// all cores, with their small objects from a per-goroutine arena
// (writer_arena.go); the segments are written in order. Under a gzip
// limit the log is first measured by package internal/gzipsize, and
// package internal/fit finds the most severe results that fit,
// interpolating the count from the measured logs. The same input gives
// byte-identical output.
//
// The log is indented JSON except that each result takes one line of
// compact JSON: half the bytes of a fully indented log, and a diff of two
// logs shows one line per changed result.
//
// # Speed mechanisms
//
// The hand-written parser and encoder, the arenas, the sampled gzip
// measure and the block allocation of findings for callers that keep them all (package
// internal/sarifretain) each stay because an A/B run of the pipeline
// benchmark with and without it showed at least 5% of time or memory;
// bench/ab-sarif.md has the table. Each has a simple reference it is
// tested against: json.Unmarshal for the parser, encoding/json for the
// encoder, an exact measure for the sampled one.
//
// # Dependencies
//
// Reading uses github.com/go-json-experiment/json, writing encoding/json
// for run headers, [Validate] github.com/santhosh-tekuri/jsonschema/v6.
// The go-sarif library (github.com/owenrumney/go-sarif/v2), which many Go
// tools build their reports with, is not used here: package
// [github.com/scanmux/scanmux/sarif/gosarif] converts its reports to and
// from runs, so that programs that do not use it do not link it.
package sarif
