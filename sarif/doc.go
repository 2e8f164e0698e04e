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
// [Decode] streams (read_log.go, logDecoder): it walks the log token by
// token with a jsontext decoder (github.com/go-json-experiment/json),
// keeps the run's context (tool, rules, taxonomies, artifacts, base URIs;
// read_run.go, runState) and converts each result to a finding as soon as
// that context is known, so memory is bounded by what the handler keeps.
// Results are decoded into sarifjson.ReadResult by the hand-written
// parser of package internal/sarifjson (parse.go), which checks the
// grammar as it goes; a result it does not take is scanned leniently,
// checked by jsontext and decoded by json.Unmarshal into the same type,
// and at the end of the results (or at bad input) the rest goes back to
// a jsontext decoder (handBack), so errors name the same JSON path and
// offset either way. The parser is kept because it pays
// (bench/ab-sarif.md); TestDecodeResultsSameAsJSONText and
// FuzzDecodeResults (read_log_test.go) hold the reader to the jsontext
// path. The conversion (runState.convert; helpers in read_convert.go) has
// one step per concern: rule, CWE, vulnerability ids, severity,
// locations, category, message, fingerprints, suppressions, properties.
// Strings longer than [MaxStringBytes] are cut while reading (package
// internal/jsonlimit).
//
// # Writing
//
// [Write] (write.go) plans the log first (write_builder.go and
// write_plan.go: runs grouped by tool and category, findings validated,
// one item per result, sorted, the count limits of [Limits] applied),
// then streams it (builder.encode; write_stream.go): run headers (tool,
// rules, invocations) are encoded with encoding/json, results, built by
// resultBuilder (write_result.go) as sarifjson.WriteResult values with
// their small objects from a per-goroutine sarifjson.Arena, by the
// hand-written sarifjson.Encoder into segments on all cores; the segments
// are written in order. Under a gzip limit the log is first measured by
// package internal/gzipsize, and package internal/fit finds the most
// severe results that fit, interpolating the count from the measured
// logs. The same input gives byte-identical output.
//
// The log is indented JSON except that each result takes one line of
// compact JSON: half the bytes of a fully indented log, and a diff of two
// logs shows one line per changed result.
//
// # Packages
//
// The SARIF JSON types (one family for reading and writing), the parser,
// the encoder and the arenas live in package internal/sarifjson; the
// gzip measure in internal/gzipsize; the fitting to GitHub's size limit
// in internal/fit. What converts between SARIF and this package's public
// types ([Run], [ReadOptions], [WriteOptions], [Notification],
// [finding.Finding]) stays here, in the read_* and write_* files: moved
// to an internal package, it would need these types there too, seen from
// here as type aliases, which godoc and pkgsite render badly (the
// documentation would show the internal package's declarations).
//
// # Speed mechanisms
//
// The hand-written parser and encoder, the arenas (all in
// internal/sarifjson), the sampled gzip measure (internal/gzipsize) and
// the block allocation of findings for callers that keep them all
// (package internal/sarifretain) each stay because an A/B run of the
// pipeline benchmark with and without it showed at least 5% of time or
// memory; bench/ab-sarif.md has the table. Each has a simple reference
// it is tested against: json.Unmarshal for the parser, encoding/json for
// the encoder, an exact measure for the sampled one.
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
