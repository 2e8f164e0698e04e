// Package sarifjson is the one family of SARIF 2.1.0 JSON types that
// package sarif reads and writes, with the hand-written result parser and
// encoder and the arenas that make them fast.
//
// # Types
//
// Each SARIF object has one declaration (types.go) holding the members
// the reader reads and those the writer writes; the declaration order is
// the writer's output order. Members only one side uses are empty on the
// other: reader-only members are omitempty, so the writer does not write
// them; writer-only members have a Written* type that decoding skips
// (written.go), so declaring them does not change what the reader
// accepts. Property bags and fingerprints are the exception (props.go):
// the reader keeps any tool's properties as JSON text in maps, the writer
// writes scanmux's own from typed structs and sorted pairs, in a fixed
// order and without a map per result; so [Result], [ReportingDescriptor],
// [ToolComponent] and [Tool] take them as type parameters, and
// [ReadResult] and [WriteResult] (and the like) name the two instances.
//
// # Parser
//
// [ParseResult] and [ParseResultAt] (parse.go) decode the common shape of
// a result without reflection, checking the JSON grammar as they go, and
// give up on anything else, which the reader then decodes with
// github.com/go-json-experiment/json into the same [ReadResult].
// TestFastResultMatchesUnmarshal and FuzzFastResultValid hold them to
// json.Unmarshal and jsontext. [StringSlab] lets the strings of kept
// results share large blocks.
//
// # Encoder
//
// [Encoder] (encode.go) appends a [WriteResult] in exactly the bytes that
// encoding/json writes for it, indented or compact, without reflection;
// TestEncodeResultMatchesEncodingJSON checks it. Run headers are encoded
// with encoding/json itself. [Arena] (arena.go) hands out a result's small
// objects, reused from one result to the next.
//
// The parser, the encoder and the arenas stay because they pay: package
// sarif's doc names the benchmarks.
package sarifjson
