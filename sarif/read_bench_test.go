package sarif

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
)

// rdBenchLog builds a log shaped like ../shared/bench/gen_sarif.py output:
// one run, rules with CWE tags and security-severity, n results.
func rdBenchLog(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"tool00","version":"1.0.0","rules":[`)
	for i := range 40 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"R%d","name":"Rule%d","shortDescription":{"text":"Possible CWE-%d issue"},"helpUri":"https://cwe.mitre.org/","properties":{"tags":["security","external/cwe/cwe-%d"],"security-severity":"%d.5"}}`, i, i, 20+i, 20+i, i%10)
	}
	b.WriteString(`]}},"results":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"ruleId":"R%d","level":"warning","message":{"text":"Potential issue at src/api/handler_%d.go:%d (finding %d)"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/api/handler_%d.go","uriBaseId":"%%SRCROOT%%"},"region":{"startLine":%d,"startColumn":5,"endLine":%d,"endColumn":80,"snippet":{"text":"x := unsafe(input)"}}}}]}`,
			i%40, i%2000, i%800+1, i, i%2000, i%800+1, i%800+1)
	}
	b.WriteString(`]}]}`)
	return []byte(b.String())
}

// BenchmarkDecode measures Decode on a 10,000-result log, discarding the
// findings.
func BenchmarkDecode(b *testing.B) {
	data := rdBenchLog(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := Decode(bytes.NewReader(data), "bench.sarif", nil, func(_ *Run, f *finding.Finding) error {
			if f != nil {
				n++
			}
			return nil
		})
		if err != nil || n != 10000 {
			b.Fatalf("Decode: %d findings, %v", n, err)
		}
	}
}

// TestDecodeKeepsLittle checks that a handler that keeps few findings keeps
// little memory: without ReadOptions.retain, a kept finding holds no
// block of other findings' strings or structs.
func TestDecodeKeepsLittle(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	data := rdBenchLog(200000)
	var kept []*finding.Finding
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	err := Decode(bytes.NewReader(data), "big.sarif", nil, func(_ *Run, f *finding.Finding) error {
		if f != nil {
			if n%200 == 0 {
				kept = append(kept, f)
			}
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	// 1,000 findings of about 1 KB each; a 64 KiB string block per kept
	// finding would be 64 MB.
	if len(kept) != 1000 || grown > 8<<20 {
		t.Errorf("kept %d findings of %d: heap grew by %d bytes", len(kept), n, grown)
	}
	t.Logf("kept %d findings of %d: heap grew by %d bytes", len(kept), n, grown)
	runtime.KeepAlive(data)
}
