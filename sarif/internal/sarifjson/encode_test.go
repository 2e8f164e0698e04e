package sarifjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// jsonStdString is what encoding/json writes for s without HTML escaping.
func jsonStdString(t testing.TB, s string) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// trickyStrings exercise every escape of encoding/json.
var trickyStrings = []string{
	"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnl\ncr\rbs\bff\f",
	"\x00\x01\x1f\x7f", "line\u2028para\u2029", "bad \xff utf-8 \xc3", "é 中文 😀", "\xed\xa0\x80 surrogate",
	"trailing \\", "\u2028", "\xff",
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range trickyStrings {
		if got, want := string(AppendString(nil, s)), jsonStdString(t, s); got != want {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "<", "&", "\"", "\\", "\n", "\x00", "\x7f", "\u2028", "\u2029", "é", "😀", "\xff", "\xe2\x80", "\xf0\x9f"}
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		if got, want := string(AppendString(nil, s)), jsonStdString(t, s); got != want {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendString(nil, s)), jsonStdString(t, s); got != want {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}

// randomResult returns a result using every member the encoder writes,
// each set or left empty at random, with tricky strings.
func randomResult(rng *rand.Rand) WriteResult {
	str := func() string { return trickyStrings[rng.IntN(len(trickyStrings))] + fmt.Sprint(rng.IntN(100)) }
	maybe := func() bool { return rng.IntN(2) == 0 }
	opt := func() string {
		if maybe() {
			return str()
		}
		return ""
	}
	idx := func() *int {
		if maybe() {
			n := rng.IntN(5)
			return &n
		}
		return nil
	}
	msg := func() *Message {
		m := &Message{Text: str(), Markdown: opt(), ID: opt()}
		if maybe() {
			m.Arguments = []string{str(), str()}
		}
		return m
	}
	optMsg := func() *Message {
		if maybe() {
			return msg()
		}
		return nil
	}
	region := func() Region {
		if maybe() {
			return Region{}
		}
		return Region{StartLine: rng.IntN(30), StartColumn: rng.IntN(3), EndLine: rng.IntN(3), EndColumn: rng.IntN(3), Snippet: ArtifactContent{opt()}}
	}
	loc := func() Location {
		l := Location{ID: WrittenInt(rng.IntN(3)), Message: optMsg()}
		if maybe() {
			l.PhysicalLocation = PhysicalLocation{
				ArtifactLocation: ArtifactLocation{URI: opt(), URIBaseID: opt(), Index: idx(), Description: WrittenText{opt()}},
				Region:           region(), ContextRegion: region(),
			}
		}
		for range rng.IntN(3) {
			l.LogicalLocations = append(l.LogicalLocations, LogicalLocation{Name: opt(), FullyQualifiedName: str(), DecoratedName: opt(), Kind: opt(), Index: idx()})
		}
		return l
	}
	locs := func() []Location {
		var ls []Location
		for range rng.IntN(3) {
			ls = append(ls, loc())
		}
		return ls
	}
	r := WriteResult{RuleID: str(), RuleIndex: idx(), Level: opt(), Message: *msg(), Locations: locs(), RelatedLocations: locs(), BaselineState: WrittenString(opt())}
	for range rng.IntN(3) {
		cf := CodeFlow{Message: optMsg()}
		if maybe() {
			cf.ThreadFlows = []ThreadFlow{}
			for range rng.IntN(3) {
				tf := ThreadFlow{Message: optMsg()}
				if maybe() {
					tf.Locations = []ThreadFlowLocation{}
					for range rng.IntN(3) {
						tl := ThreadFlowLocation{Index: idx()}
						if maybe() {
							l := loc()
							tl.Location = &l
						}
						tf.Locations = append(tf.Locations, tl)
					}
				}
				cf.ThreadFlows = append(cf.ThreadFlows, tf)
			}
		}
		r.CodeFlows = append(r.CodeFlows, cf)
	}
	for range rng.IntN(3) {
		r.PartialFingerprints.Set(nil, str(), str())
	}
	for range rng.IntN(3) {
		s := Suppression{Kind: str(), Status: str(), Justification: opt()}
		if maybe() {
			s.Properties = WrittenStrings{str(): str(), "source": str()}
		}
		r.Suppressions = append(r.Suppressions, s)
	}
	if maybe() {
		p := &ResultProperties{Category: str(), OriginalSeverity: opt(), Precision: opt(), Resource: opt(), Severity: str()}
		if maybe() {
			p.CWE, p.VulnerabilityIDs = []string{str(), "CWE-79"}, []string{str()}
		}
		if maybe() {
			p.Package = &PackageProperties{str(), opt(), opt(), opt(), opt(), opt(), opt()}
		}
		if maybe() {
			p.Web = &WebProperties{str(), opt(), opt(), opt()}
		}
		if maybe() {
			p.ToolProperties = map[string]string{str(): str(), "<&>": "\u2028"}
		}
		for range rng.IntN(3) {
			p.AlsoReportedBy = append(p.AlsoReportedBy, AlsoReported{Tool: str(), ToolVersion: opt(), RuleID: str(), Severity: str(),
				OriginalSeverity: opt(), Message: opt(), Path: opt(), StartLine: rng.IntN(3), EndLine: rng.IntN(3), Resource: opt(), URL: opt(), Package: opt(), Match: opt()})
		}
		r.Properties = p
	}
	return r
}

// TestEncodeResultMatchesEncodingJSON checks that the hand-written result
// encoding gives the bytes encoding/json gives for the same WriteResult, at
// the depth results have in a log, indented and compact. Package sarif's
// TestWriteResultsMatchEncodingJSON checks it on the results its writer
// builds.
func TestEncodeResultMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		res := randomResult(rng)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("        ", "  ")
		if err := enc.Encode(res); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(buf.String(), "\n")
		e := Encoder{Depth: 4}
		e.Result(&res)
		if got := string(e.Buf); got != want {
			t.Fatalf("hand encoding differs from encoding/json:\ngot:\n%s\nwant:\n%s", got, want)
		}
		compact := Encoder{Depth: 4, Compact: true}
		compact.Result(&res)
		wantCompact, err := marshalNoEscape(res)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(compact.Buf); got != wantCompact {
			t.Fatalf("compact hand encoding differs from encoding/json:\ngot:\n%s\nwant:\n%s", got, wantCompact)
		}
	}
}

func TestPlainWords(t *testing.T) {
	plain := func(b []byte) bool {
		for _, c := range b {
			if c >= utf8.RuneSelf || !jsonSafe[c] {
				return false
			}
		}
		return true
	}
	for p := range 8 {
		for c := range 256 {
			b := []byte("aaaaaaaa")
			b[p] = byte(c)
			want := 0
			if plain(b) {
				want = 8
			}
			if got := plainWords(string(b)); got != want {
				t.Errorf("plainWords(%q) = %d, want %d", b, got, want)
			}
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 100000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			if rng.IntN(8) == 0 {
				b[i] = byte(rng.IntN(256))
			} else {
				b[i] = byte(' ' + rng.IntN(95))
			}
		}
		want := 0
		for want+8 <= len(b) && plain(b[want:want+8]) {
			want += 8
		}
		if got := plainWords(string(b)); got != want {
			t.Fatalf("plainWords(%q) = %d, want %d", b, got, want)
		}
	}
}

// marshalNoEscape is json.Marshal without HTML escaping.
func marshalNoEscape(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}
