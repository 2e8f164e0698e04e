package jsonlimit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// limit passes s through a reader of NewReader(max) read one byte at a
// time, so that every state crosses a read boundary, and in large reads
// from a source that gives half of what is asked (the fast path that
// reads into the caller's buffer), and by the reference (process alone):
// all must give the same.
func limit(t *testing.T, s string, max int) string {
	t.Helper()
	b, err := io.ReadAll(iotest.OneByteReader(NewReader(strings.NewReader(s), max)))
	if err != nil {
		t.Fatal(err)
	}
	b2, err := io.ReadAll(NewReader(iotest.HalfReader(strings.NewReader(s)), max))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, b2) {
		t.Fatalf("%q: %q read a byte at a time, %q in large reads", s, b, b2)
	}
	ref := NewReader(iotest.HalfReader(strings.NewReader(s)), max).(*stringLimiter)
	ref.reference = true
	b3, err := io.ReadAll(ref)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b3, b2) {
		t.Fatalf("%q: %q by the reference, %q with the fast path", s, b3, b2)
	}
	return string(b)
}

func TestStringLimiter(t *testing.T) {
	// With max 72, a string of more than 72 bytes keeps 8 (72 less the
	// room of its note) and its note.
	const max = 72
	pad := strings.Repeat("x", 70)
	tests := []struct{ in, want, reason string }{
		{`{"a":"short","b":[1,2,{"c":"xy"}]}`, `{"a":"short","b":[1,2,{"c":"xy"}]}`, "short strings pass"},
		{`["` + pad + `ab"]`, `["` + pad + `ab"]`, "a string of max bytes passes"},
		{`{"a":"0123456789` + pad + `"}`, `{"a":"01234567 [... cut by scanmux: the string had 80 bytes]"}`, "a long string is cut"},
		{`{"0123456789` + pad + `":1}`, `{"01234567 [... cut by scanmux: the string had 80 bytes]":1}`, "a long key is cut"},
		{`["0123456\"89\\\"x` + pad + `"]`, `["0123456\" [... cut by scanmux: the string had 86 bytes]"]`, "not inside an escape; escaped quotes do not end it"},
		{`["0123456\u00e9xxxx` + pad + `"]`, `["0123456\u00e9 [... cut by scanmux: the string had 87 bytes]"]`, "not inside \\u"},
		{`["0123\ud83d\ude00xxxx` + pad + `"]`, `["0123\ud83d\ude00 [... cut by scanmux: the string had 90 bytes]"]`, "not inside a surrogate pair"},
		{"[\"0123456é日本" + pad + "\"]", "[\"0123456é [... cut by scanmux: the string had 85 bytes]\"]", "not inside UTF-8"},
		{`["01234567`, `["01234567`, "a string cut short stays cut short"},
		{`["0123456789xxx`, `["0123456789xxx`, "a held string cut short is passed on"},
		{`["0123456789` + pad, `["01234567`, "a long string cut short stays cut short"},
		{`{"a": tru`, `{"a": tru`, "invalid JSON stays invalid"},
	}
	for _, tt := range tests {
		got := limit(t, tt.in, max)
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.reason, got, tt.want)
		}
		// A text read twice is cut once.
		if again := limit(t, got, max); again != got {
			t.Errorf("%s: cut again:\n%s\n%s", tt.reason, got, again)
		}
	}
}

// Valid JSON stays valid, with every string that fits unchanged and
// every other one a prefix of itself, whatever the limit.
func FuzzStringLimiter(f *testing.F) {
	for _, s := range []string{`{"a":"0123456789"}`, `["\ud83d\ude00\ud83d\ude00\ud83d"]`, `["é日本é日本"]`, `"\\\\\\\"\""`, `[1,"x",{"y":null}]`} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 200 {
			return
		}
		out := limit(t, s, max)
		if max > noteRoom {
			if again := limit(t, out, max); again != out {
				t.Fatalf("%q -> %q -> %q: cut twice", s, out, again)
			}
		}
		var in any
		if json.Unmarshal([]byte(s), &in) != nil {
			return
		}
		var got any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%q -> %q: %v", s, out, err)
		}
		if !utf8.ValidString(s) {
			return
		}
		check(t, in, got, s, out)
	})
}

func check(t *testing.T, in, got any, s, out string) {
	switch v := in.(type) {
	case string:
		g := got.(string)
		if g != v {
			prefix, _, ok := strings.Cut(g, " [... cut by scanmux")
			if !ok || !strings.HasPrefix(v, strings.TrimRight(prefix, "\ufffd")) {
				t.Fatalf("%q -> %q: %q became %q", s, out, v, g)
			}
		}
	case []any:
		for i := range v {
			check(t, v[i], got.([]any)[i], s, out)
		}
	case map[string]any:
		g := got.(map[string]any)
		if len(g) != len(v) {
			return // keys cut to one prefix may merge
		}
		for k := range v {
			if gv, ok := g[k]; ok {
				check(t, v[k], gv, s, out)
			}
		}
	}
}

// BenchmarkReader reads a log of short strings (the shape of SARIF)
// through the reader.
func BenchmarkReader(b *testing.B) {
	var s strings.Builder
	s.WriteString(`{"runs":[{"results":[`)
	for i := range 10000 {
		if i > 0 {
			s.WriteByte(',')
		}
		fmt.Fprintf(&s, `{"ruleId":"R%d","level":"warning","message":{"text":"Potential issue at src/api/handler_%d.go:%d"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/api/handler_%d.go","uriBaseId":"%%SRCROOT%%"},"region":{"startLine":%d,"startColumn":5}}}]}`, i%40, i%2000, i%800+1, i%2000, i%800+1)
	}
	s.WriteString(`]}]}`)
	data := []byte(s.String())
	buf := make([]byte, 64<<10)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), 1<<20)
		for {
			if _, err := r.Read(buf); err != nil {
				break
			}
		}
	}
}
