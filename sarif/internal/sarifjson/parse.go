package sarifjson

import (
	"slices"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
)

// # Fast path for results
//
// Most results of most tools have one shape: ruleId, level, message,
// physical locations, fingerprints and properties. ParseResult decodes that
// shape from the bytes of one result without json's reflection (which was
// most of the reader's time), checking the JSON grammar as it goes, so
// that the reader need not scan each result a second time with
// jsontext.Decoder.ReadValue (see logDecoder.decodeResults in package
// sarif). Anything else — a member
// it does not handle, a null, a number that is not an integer, invalid
// UTF-8, a duplicate member, nesting deeper than fastDepth, a JSON error —
// makes it give up, and the result is checked and decoded by jsontext and
// json.Unmarshal, so the two paths give the same ReadResult
// (TestFastResultMatchesUnmarshal checks it on the corpus) and ParseResult
// accepts no text that jsontext rejects (FuzzFastResultValid).

// ParseResult decodes raw into r, which must be zero, and reports whether
// it could; when it could not, r holds a partial decoding.
// Strings are carved from slab when it is not nil, and r.Locations reuses
// the array of *locs (which it then holds) when locs is not nil.
func ParseResult(raw []byte, r *ReadResult, slab *StringSlab, locs *[]Location) bool {
	n, ok := ParseResultAt(raw, r, slab, locs)
	if !ok {
		return false
	}
	p := fastParser{b: raw, i: n}
	return p.end()
}

// ParseResultAt is ParseResult on the result at the start of b, after
// optional whitespace, which may be followed by anything: it returns the
// length of the whitespace and the result. It gives up (ok false) if b
// ends before the result does.
func ParseResultAt(b []byte, r *ReadResult, slab *StringSlab, locs *[]Location) (n int, ok bool) {
	p := fastParser{b: b, ok: true, slab: slab, locs: locs}
	var seen uint32
	ok = p.object(func(key []byte) bool {
		bit, known := resultMembers[string(key)]
		if !known {
			return p.skip() // a member the reader does not read
		}
		if bit == 0 || seen&bit != 0 {
			return false // a rarer member, or a duplicate: json.Unmarshal decodes it
		}
		seen |= bit
		switch string(key) {
		case "ruleId":
			r.RuleID, _ = p.str()
		case "ruleIndex":
			n, ok := p.int()
			if !ok {
				return false
			}
			r.RuleIndex = &n
		case "kind":
			r.Kind, _ = p.str()
		case "level":
			r.Level, _ = p.str()
		case "message":
			return p.message(&r.Message)
		case "locations":
			return p.locations(&r.Locations)
		case "fingerprints":
			r.Fingerprints = map[string]string{}
			return p.stringMap(r.Fingerprints)
		case "partialFingerprints":
			r.PartialFingerprints = map[string]string{}
			return p.stringMap(r.PartialFingerprints)
		case "properties":
			r.Properties = Properties{}
			return p.props(r.Properties)
		}
		return p.ok
	})
	return p.i, ok && p.ok
}

// resultMembers are the members of ReadResult: the bit ParseResult marks it
// seen with, 0 for those it leaves to json.Unmarshal.
var resultMembers = map[string]uint32{
	"ruleId": 1 << 0, "ruleIndex": 1 << 1, "kind": 1 << 2, "level": 1 << 3,
	"message": 1 << 4, "locations": 1 << 5, "fingerprints": 1 << 6,
	"partialFingerprints": 1 << 7, "properties": 1 << 8,
	"rule": 0, "relatedLocations": 0, "codeFlows": 0, "suppressions": 0, "taxa": 0, "webRequest": 0,
}

// fastParser reads JSON, giving up on what it does not take or on text
// that is not JSON.
type fastParser struct {
	b    []byte
	i    int
	ok   bool // set false by str when it gives up
	slab *StringSlab
	locs *[]Location // an array for locations to reuse, or nil
}

// StringSlab hands out strings copied into large shared blocks: the strings
// of a result are adjacent in memory, which the passes that read them
// later (validation, identity, sort, writer) find in a cache line or two
// instead of one cache miss each, and they cost no allocation each. A
// block lives as long as any of its strings, so the reader uses slabs only
// when the findings are kept (Read, ReadOptions.retain); the strings are
// never written after they are handed out. The zero value is ready to use.
type StringSlab struct{ buf []byte }

const (
	slabBlock = 64 << 10 // size of a block
	slabMax   = 1 << 10  // longer strings get an allocation of their own
)

// string returns b as a string that does not share b's memory.
func (s *StringSlab) String(b []byte) string {
	if s == nil || len(b) == 0 || len(b) > slabMax {
		return string(b)
	}
	if cap(s.buf)-len(s.buf) < len(b) {
		s.buf = make([]byte, 0, slabBlock)
	}
	off := len(s.buf)
	s.buf = append(s.buf, b...)
	return unsafe.String(&s.buf[off], len(b))
}

func (p *fastParser) ws() { p.i = SkipWS(p.b, p.i) }

// SkipWS returns the index of the first byte of b from i on that is not
// JSON whitespace, or len(b).
func SkipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// end reports whether only whitespace is left.
func (p *fastParser) end() bool {
	p.ws()
	return p.i == len(p.b)
}

// consume reads c, reporting whether it was next.
func (p *fastParser) consume(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// rawStr reads a string and returns it with its quotes, and whether it
// has escapes. It gives up on a control character or an invalid escape,
// which JSON does not allow; it leaves UTF-8 to its callers (the reader
// allows invalid UTF-8, as jsontext.AllowInvalidUTF8 does).
func (p *fastParser) rawStr() (quoted []byte, esc, ok bool) {
	p.ws()
	b := p.b
	if p.i >= len(b) || b[p.i] != '"' {
		return nil, false, false
	}
	for j := p.i + 1; j < len(b); j++ {
		c := b[j]
		if !strSpecial[c] {
			continue
		}
		switch c {
		case '"':
			quoted = b[p.i : j+1]
			p.i = j + 1
			return quoted, esc, true
		case '\\':
			esc = true
			if j+1 >= len(b) {
				return nil, false, false
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if j+6 > len(b) || !isHex4(b[j+2:j+6]) {
					return nil, false, false
				}
				j += 5
			default:
				return nil, false, false
			}
		default:
			return nil, false, false // a control character
		}
	}
	return nil, false, false
}

// strSpecial marks the bytes that end a run of plain bytes in a JSON
// string: the quote, the backslash and the control characters.
var strSpecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// isHex4 reports whether b is 4 hexadecimal digits.
func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// str reads a string; on anything else it clears p.ok.
func (p *fastParser) str() (string, bool) {
	q, esc, ok := p.rawStr()
	if !ok {
		p.ok = false
		return "", false
	}
	s := q[1 : len(q)-1]
	if esc {
		u, err := jsontext.AppendUnquote(nil, q)
		if err != nil {
			p.ok = false
			return "", false
		}
		s = u
	}
	if !utf8.Valid(s) {
		p.ok = false
		return "", false
	}
	return p.slab.String(s), true
}

// int reads an integer that fits an int32 (line numbers, indexes).
func (p *fastParser) int() (int, bool) {
	p.ws()
	neg := false
	if p.i < len(p.b) && p.b[p.i] == '-' {
		neg = true
		p.i++
	}
	start := p.i
	n, digits := 0, 0
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		n = n*10 + int(p.b[p.i]-'0')
		p.i++
		if digits++; digits > 9 {
			return 0, false
		}
	}
	if digits == 0 || digits > 1 && p.b[start] == '0' || p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return 0, false // not an integer, or not JSON (a leading zero)
	}
	if neg {
		n = -n
	}
	return n, true
}

// fastDepth is how deep skip follows nested values before it gives up.
const fastDepth = 100

// skip reads any value.
func (p *fastParser) skip() bool { return p.skipIn(0) }

// skipIn is skip in depth enclosing values.
func (p *fastParser) skipIn(depth int) bool {
	p.ws()
	if p.i >= len(p.b) {
		return false
	}
	switch p.b[p.i] {
	case '"':
		_, _, ok := p.rawStr()
		return ok
	case '{':
		if depth >= fastDepth {
			return false
		}
		return p.object(func([]byte) bool { return p.skipIn(depth + 1) })
	case '[':
		if depth >= fastDepth {
			return false
		}
		return p.array(func() bool { return p.skipIn(depth + 1) })
	case 't':
		return p.literal("true")
	case 'f':
		return p.literal("false")
	case 'n':
		return p.literal("null")
	}
	return p.number()
}

// literal reads the literal s.
func (p *fastParser) literal(s string) bool {
	if len(p.b)-p.i < len(s) || string(p.b[p.i:p.i+len(s)]) != s {
		return false
	}
	p.i += len(s)
	return true
}

// number reads a number, as JSON's grammar has it.
func (p *fastParser) number() bool {
	b, i := p.b, p.i
	digits := func() bool {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	p.i = i
	return true
}

// object reads an object, calling member with each key (without escapes)
// for it to read the value.
func (p *fastParser) object(member func(key []byte) bool) bool {
	if !p.consume('{') {
		return false
	}
	if p.consume('}') {
		return true
	}
	for {
		q, esc, ok := p.rawStr()
		if !ok || esc || !p.consume(':') || !member(q[1:len(q)-1]) || !p.ok {
			return false
		}
		if p.consume(',') {
			continue
		}
		return p.consume('}')
	}
}

// array reads an array, calling elem for each element.
func (p *fastParser) array(elem func() bool) bool {
	if !p.consume('[') {
		return false
	}
	if p.consume(']') {
		return true
	}
	for {
		if !elem() || !p.ok {
			return false
		}
		if p.consume(',') {
			continue
		}
		return p.consume(']')
	}
}

func (p *fastParser) message(m *Message) bool {
	return p.object(func(key []byte) bool {
		switch string(key) {
		case "text":
			m.Text, _ = p.str()
		case "markdown":
			m.Markdown, _ = p.str()
		case "id":
			m.ID, _ = p.str()
		case "arguments":
			return false
		default:
			return p.skip()
		}
		return p.ok
	})
}

func (p *fastParser) locations(out *[]Location) bool {
	*out = []Location{}
	if p.locs != nil && *p.locs != nil {
		*out = (*p.locs)[:0]
	}
	return p.array(func() bool {
		*out = append(*out, Location{})
		if p.locs != nil {
			*p.locs = *out
		}
		l := &(*out)[len(*out)-1]
		return p.object(func(key []byte) bool {
			switch string(key) {
			case "physicalLocation":
				return p.physical(&l.PhysicalLocation)
			case "logicalLocations", "message":
				return false
			default:
				return p.skip()
			}
		})
	})
}

func (p *fastParser) physical(pl *PhysicalLocation) bool {
	return p.object(func(key []byte) bool {
		switch string(key) {
		case "artifactLocation":
			a := &pl.ArtifactLocation
			return p.object(func(key []byte) bool {
				switch string(key) {
				case "uri":
					a.URI, _ = p.str()
				case "uriBaseId":
					a.URIBaseID, _ = p.str()
				case "index":
					n, ok := p.int()
					if !ok {
						return false
					}
					a.Index = &n
				default:
					return p.skip()
				}
				return p.ok
			})
		case "region":
			return p.region(&pl.Region)
		case "contextRegion":
			return p.region(&pl.ContextRegion)
		default:
			return p.skip()
		}
	})
}

// region reads a region: its lines, columns and snippet text.
func (p *fastParser) region(r *Region) bool {
	return p.object(func(key []byte) bool {
		var dst *int
		switch string(key) {
		case "startLine":
			dst = &r.StartLine
		case "startColumn":
			dst = &r.StartColumn
		case "endLine":
			dst = &r.EndLine
		case "endColumn":
			dst = &r.EndColumn
		case "snippet":
			return p.object(func(key []byte) bool {
				if string(key) != "text" {
					return p.skip()
				}
				r.Snippet.Text, _ = p.str()
				return p.ok
			})
		default:
			return p.skip()
		}
		n, ok := p.int()
		*dst = n
		return ok
	})
}

func (p *fastParser) stringMap(m map[string]string) bool {
	return p.object(func(key []byte) bool {
		v, ok := p.str()
		m[string(key)] = v
		return ok && utf8.Valid(key)
	})
}

// props reads properties, keeping each value's JSON text.
func (p *fastParser) props(m Properties) bool {
	return p.object(func(key []byte) bool {
		p.ws()
		start := p.i
		if !p.skip() {
			return false
		}
		m[string(key)] = jsontext.Value(slices.Clone(p.b[start:p.i]))
		return utf8.Valid(key)
	})
}
