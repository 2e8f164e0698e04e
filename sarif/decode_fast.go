package sarif

import (
	"slices"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
)

// # Fast path for results
//
// Most results of most tools have one shape: ruleId, level, message,
// physical locations, fingerprints and properties. fastResult decodes that
// shape from the raw bytes of one result, which jsontext.Decoder.ReadValue
// has already checked to be one syntactically valid JSON value, without
// json's reflection (which was most of the reader's time). Anything else —
// a member it does not handle, a null, a number that is not an integer,
// invalid UTF-8, a duplicate member — makes it give up, and the result is
// decoded by json.Unmarshal as before, so the two paths give the same
// xResult (TestFastResultMatchesUnmarshal checks it on the corpus).

// fastResult decodes raw into r, which must be zero, and reports whether
// it could; when it could not, r holds a partial decoding.
// Strings are carved from slab when it is not nil, and r.Locations reuses
// the array of *locs (which it then holds) when locs is not nil.
func fastResult(raw []byte, r *xResult, slab *strSlab, locs *[]xLocation) bool {
	p := fastParser{b: raw, ok: true, slab: slab, locs: locs}
	var seen uint32
	ok := p.object(func(key []byte) bool {
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
			r.Properties = xProps{}
			return p.props(r.Properties)
		}
		return p.ok
	})
	return ok && p.ok && p.end()
}

// resultMembers are the members of xResult: the bit fastResult marks it
// seen with, 0 for those it leaves to json.Unmarshal.
var resultMembers = map[string]uint32{
	"ruleId": 1 << 0, "ruleIndex": 1 << 1, "kind": 1 << 2, "level": 1 << 3,
	"message": 1 << 4, "locations": 1 << 5, "fingerprints": 1 << 6,
	"partialFingerprints": 1 << 7, "properties": 1 << 8,
	"rule": 0, "relatedLocations": 0, "codeFlows": 0, "suppressions": 0, "taxa": 0, "webRequest": 0,
}

// fastParser reads one JSON value that is known to be valid.
type fastParser struct {
	b    []byte
	i    int
	ok   bool // set false by str when it gives up
	slab *strSlab
	locs *[]xLocation // an array for locations to reuse, or nil
}

// strSlab hands out strings copied into large shared blocks: the strings
// of a result are adjacent in memory, which the passes that read them
// later (validation, identity, sort, writer) find in a cache line or two
// instead of one cache miss each, and they cost no allocation each. A
// block lives as long as any of its strings, so the reader uses slabs only
// when the findings are kept (Read, ReadOptions.Retain); the strings are
// never written after they are handed out. The zero value is ready to use.
type strSlab struct{ buf []byte }

const (
	slabBlock = 64 << 10 // size of a block
	slabMax   = 1 << 10  // longer strings get an allocation of their own
)

// string returns b as a string that does not share b's memory.
func (s *strSlab) string(b []byte) string {
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

func (p *fastParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
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
// has escapes.
func (p *fastParser) rawStr() (quoted []byte, esc, ok bool) {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, false, false
	}
	for j := p.i + 1; j < len(p.b); j++ {
		switch p.b[j] {
		case '"':
			quoted = p.b[p.i : j+1]
			p.i = j + 1
			return quoted, esc, true
		case '\\':
			esc = true
			j++
		}
	}
	return nil, false, false
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
	return p.slab.string(s), true
}

// int reads an integer that fits an int32 (line numbers, indexes).
func (p *fastParser) int() (int, bool) {
	p.ws()
	neg := false
	if p.i < len(p.b) && p.b[p.i] == '-' {
		neg = true
		p.i++
	}
	n, digits := 0, 0
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		n = n*10 + int(p.b[p.i]-'0')
		p.i++
		if digits++; digits > 9 {
			return 0, false
		}
	}
	if digits == 0 || p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// skip reads any value.
func (p *fastParser) skip() bool {
	p.ws()
	if p.i >= len(p.b) {
		return false
	}
	switch p.b[p.i] {
	case '"':
		_, _, ok := p.rawStr()
		return ok
	case '{', '[':
		depth := 0
		for p.i < len(p.b) {
			switch p.b[p.i] {
			case '"':
				if _, _, ok := p.rawStr(); !ok {
					return false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			p.i++
			if depth == 0 {
				return true
			}
		}
		return false
	}
	// A number or literal runs to the next delimiter.
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return true
		}
		p.i++
	}
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

func (p *fastParser) message(m *xMessage) bool {
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

func (p *fastParser) locations(out *[]xLocation) bool {
	*out = []xLocation{}
	if p.locs != nil && *p.locs != nil {
		*out = (*p.locs)[:0]
	}
	return p.array(func() bool {
		*out = append(*out, xLocation{})
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

func (p *fastParser) physical(pl *xPhysical) bool {
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
			r := &pl.Region
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
		default:
			return p.skip()
		}
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
func (p *fastParser) props(m xProps) bool {
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
