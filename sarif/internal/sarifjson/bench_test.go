package sarifjson

import (
	"fmt"
	"testing"
)

// benchResult is a result of the shape most tools write.
var benchResult = []byte(`{"ruleId":"R7","level":"warning","message":{"text":"Potential issue at src/api/handler_7.go:42 (finding 7)"},` +
	`"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/api/handler_7.go","uriBaseId":"%SRCROOT%"},` +
	`"region":{"startLine":42,"startColumn":5,"endLine":42,"endColumn":80,"snippet":{"text":"x := unsafe(input)"}}}}],` +
	`"partialFingerprints":{"primaryLocationLineHash":"0123456789abcdef:1"},"properties":{"security-severity":"7.5","tags":["security"]}}`)

// BenchmarkParseResult measures ParseResult on a typical result.
func BenchmarkParseResult(b *testing.B) {
	b.SetBytes(int64(len(benchResult)))
	b.ReportAllocs()
	var locs []Location
	for b.Loop() {
		var r ReadResult
		if !ParseResult(benchResult, &r, nil, &locs) {
			b.Fatal("ParseResult gave up")
		}
	}
}

// BenchmarkEncodeResult measures Encoder.Result on a typical result, built
// from an Arena as the writer builds it.
func BenchmarkEncodeResult(b *testing.B) {
	a := new(Arena)
	e := Encoder{Depth: 4, Compact: true}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.Reset()
		ri := i % 40
		r := WriteResult{RuleID: "R7", RuleIndex: &ri, Level: "warning",
			Message: Message{Text: fmt.Sprintf("Potential issue at src/api/handler_7.go:42 (finding %d)", i%100)}}
		r.Locations = a.Locations(1)
		r.Locations[0].PhysicalLocation = PhysicalLocation{
			ArtifactLocation: ArtifactLocation{URI: "src/api/handler_7.go", URIBaseID: "%SRCROOT%"},
			Region:           Region{StartLine: 42, StartColumn: 5, EndLine: 42, EndColumn: 80, Snippet: ArtifactContent{"x := unsafe(input)"}},
		}
		r.PartialFingerprints = a.Pairs(2)
		r.PartialFingerprints.Set(a, "primaryLocationLineHash", "0123456789abcdef:1")
		p := a.ResultProperties()
		p.Category, p.Severity, p.CWE = "sast", "high", a.Strings(1)
		p.CWE[0] = "CWE-79"
		r.Properties = p
		e.Buf = e.Buf[:0]
		e.Result(&r)
	}
	b.SetBytes(int64(len(e.Buf)))
}
