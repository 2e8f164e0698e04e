package sarif

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// jsonEnc appends JSON to buf in exactly the form of an encoding/json
// Encoder with SetEscapeHTML(false) and SetIndent("", "  "): two spaces
// per level, ": " after names, "{}" and "[]" for empty objects and arrays;
// or, when compact, as json.Marshal writes it (no spaces, no newlines).
// Results are encoded with it, by hand, because encoding/json's reflection
// was most of the writer's time; TestEncodeResultMatchesEncodingJSON
// checks that the bytes are the same.
type jsonEnc struct {
	buf     []byte
	depth   int
	compact bool
	// empty is set right after an opening bracket: the next member needs
	// no comma, and a closing bracket no newline.
	empty bool
}

// spaces is indentation for 32 levels; deeper levels take several appends.
const spaces = "                                                                "

func (e *jsonEnc) newline() {
	if e.compact {
		return
	}
	e.buf = append(e.buf, '\n')
	for n := 2 * e.depth; n > 0; {
		k := min(n, len(spaces))
		e.buf = append(e.buf, spaces[:k]...)
		n -= k
	}
}

func (e *jsonEnc) open(c byte) {
	e.buf = append(e.buf, c)
	e.depth++
	e.empty = true
}

func (e *jsonEnc) close(c byte) {
	e.depth--
	if e.empty {
		e.empty = false
	} else {
		e.newline()
	}
	e.buf = append(e.buf, c)
}

// elem starts an array element.
func (e *jsonEnc) elem() {
	if e.empty {
		e.empty = false
	} else {
		e.buf = append(e.buf, ',')
	}
	e.newline()
}

// key starts an object member; name must need no escaping.
func (e *jsonEnc) key(name string) {
	e.elem()
	e.buf = append(e.buf, '"')
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, '"', ':')
	if !e.compact {
		e.buf = append(e.buf, ' ')
	}
}

// anyKey starts an object member whose name may need escaping.
func (e *jsonEnc) anyKey(name string) {
	e.elem()
	e.buf = appendJSONString(e.buf, name)
	e.buf = append(e.buf, ':')
	if !e.compact {
		e.buf = append(e.buf, ' ')
	}
}

func (e *jsonEnc) str(s string) { e.buf = appendJSONString(e.buf, s) }

func (e *jsonEnc) int(n int) { e.buf = strconv.AppendInt(e.buf, int64(n), 10) }

func (e *jsonEnc) strField(name, v string) {
	e.key(name)
	e.str(v)
}

// optStr writes a string member that is omitempty.
func (e *jsonEnc) optStr(name, v string) {
	if v != "" {
		e.strField(name, v)
	}
}

// text writes {"text": s}.
func (e *jsonEnc) text(t *outText) {
	e.open('{')
	e.strField("text", t.Text)
	e.close('}')
}

func (e *jsonEnc) strings(ss []string) {
	if ss == nil {
		e.buf = append(e.buf, "null"...)
		return
	}
	e.open('[')
	for _, s := range ss {
		e.elem()
		e.str(s)
	}
	e.close(']')
}

// stringMap writes m with its keys sorted, as encoding/json does.
func (e *jsonEnc) stringMap(m map[string]string) {
	if m == nil {
		e.buf = append(e.buf, "null"...)
		return
	}
	var arr [8]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.open('{')
	for _, k := range keys {
		e.anyKey(k)
		e.str(m[k])
	}
	e.close('}')
}

// pairs writes p as an object, in its (key) order.
func (e *jsonEnc) pairs(p stringPairs) {
	e.open('{')
	for _, kv := range p {
		e.anyKey(kv.key)
		e.str(kv.value)
	}
	e.close('}')
}

// result writes r as encoding/json writes an outResult.
func (e *jsonEnc) result(r *outResult) {
	e.open('{')
	e.strField("ruleId", r.RuleID)
	e.key("ruleIndex")
	e.int(r.RuleIndex)
	e.strField("level", r.Level)
	e.key("message")
	e.text(&r.Message)
	if len(r.Locations) > 0 {
		e.key("locations")
		e.locations(r.Locations)
	}
	if len(r.RelatedLocations) > 0 {
		e.key("relatedLocations")
		e.locations(r.RelatedLocations)
	}
	if len(r.CodeFlows) > 0 {
		e.key("codeFlows")
		e.open('[')
		for i := range r.CodeFlows {
			e.elem()
			e.codeFlow(&r.CodeFlows[i])
		}
		e.close(']')
	}
	if len(r.PartialFingerprints) > 0 {
		e.key("partialFingerprints")
		e.pairs(r.PartialFingerprints)
	}
	if len(r.Suppressions) > 0 {
		e.key("suppressions")
		e.open('[')
		for i := range r.Suppressions {
			s := &r.Suppressions[i]
			e.elem()
			e.open('{')
			e.strField("kind", s.Kind)
			e.strField("status", s.Status)
			e.optStr("justification", s.Justification)
			if len(s.Properties) > 0 {
				e.key("properties")
				e.stringMap(s.Properties)
			}
			e.close('}')
		}
		e.close(']')
	}
	e.optStr("baselineState", r.BaselineState)
	if r.Properties != nil {
		e.key("properties")
		e.resultProps(r.Properties)
	}
	e.close('}')
}

func (e *jsonEnc) locations(ls []outLocation) {
	e.open('[')
	for i := range ls {
		e.elem()
		e.location(&ls[i])
	}
	e.close(']')
}

func (e *jsonEnc) location(l *outLocation) {
	e.open('{')
	if l.ID != 0 {
		e.key("id")
		e.int(l.ID)
	}
	if pl := l.PhysicalLocation; pl != nil {
		e.key("physicalLocation")
		e.open('{')
		e.key("artifactLocation")
		e.artifactLoc(&pl.ArtifactLocation)
		if rg := pl.Region; rg != nil {
			e.key("region")
			e.open('{')
			e.key("startLine")
			e.int(rg.StartLine)
			if rg.StartColumn != 0 {
				e.key("startColumn")
				e.int(rg.StartColumn)
			}
			if rg.EndLine != 0 {
				e.key("endLine")
				e.int(rg.EndLine)
			}
			if rg.EndColumn != 0 {
				e.key("endColumn")
				e.int(rg.EndColumn)
			}
			if rg.Snippet != nil {
				e.key("snippet")
				e.text(rg.Snippet)
			}
			e.close('}')
		}
		e.close('}')
	}
	if len(l.LogicalLocations) > 0 {
		e.key("logicalLocations")
		e.open('[')
		for _, ll := range l.LogicalLocations {
			e.elem()
			e.open('{')
			e.strField("fullyQualifiedName", ll.FullyQualifiedName)
			e.optStr("kind", ll.Kind)
			e.close('}')
		}
		e.close(']')
	}
	if l.Message != nil {
		e.key("message")
		e.text(l.Message)
	}
	e.close('}')
}

func (e *jsonEnc) artifactLoc(a *outArtifactLoc) {
	e.open('{')
	e.optStr("uri", a.URI)
	e.optStr("uriBaseId", a.URIBaseID)
	if a.Description != nil {
		e.key("description")
		e.text(a.Description)
	}
	e.close('}')
}

func (e *jsonEnc) codeFlow(cf *outCodeFlow) {
	e.open('{')
	if cf.Message != nil {
		e.key("message")
		e.text(cf.Message)
	}
	e.key("threadFlows")
	if cf.ThreadFlows == nil {
		e.buf = append(e.buf, "null"...)
	} else {
		e.open('[')
		for _, tf := range cf.ThreadFlows {
			e.elem()
			e.open('{')
			e.key("locations")
			if tf.Locations == nil {
				e.buf = append(e.buf, "null"...)
			} else {
				e.open('[')
				for i := range tf.Locations {
					e.elem()
					e.open('{')
					e.key("location")
					e.location(&tf.Locations[i].Location)
					e.close('}')
				}
				e.close(']')
			}
			e.close('}')
		}
		e.close(']')
	}
	e.close('}')
}

func (e *jsonEnc) resultProps(p *outResultProps) {
	e.open('{')
	e.strField("category", p.Category)
	if len(p.CWE) > 0 {
		e.key("cwe")
		e.strings(p.CWE)
	}
	e.optStr("originalSeverity", p.OriginalSeverity)
	if pk := p.Package; pk != nil {
		e.key("package")
		e.open('{')
		e.strField("name", pk.Name)
		e.optStr("version", pk.Version)
		e.optStr("fixedVersion", pk.FixedVersion)
		e.optStr("ecosystem", pk.Ecosystem)
		e.optStr("purl", pk.PURL)
		e.optStr("image", pk.Image)
		e.optStr("layer", pk.Layer)
		e.close('}')
	}
	e.optStr("precision", p.Precision)
	e.optStr("resource", p.Resource)
	if len(p.AlsoReportedBy) > 0 {
		e.key(AlsoReportedProperty)
		e.open('[')
		for i := range p.AlsoReportedBy {
			a := &p.AlsoReportedBy[i]
			e.elem()
			e.open('{')
			e.strField("tool", a.Tool)
			e.optStr("toolVersion", a.ToolVersion)
			e.strField("ruleId", a.RuleID)
			e.strField("severity", a.Severity)
			e.optStr("originalSeverity", a.OriginalSeverity)
			e.optStr("message", a.Message)
			e.optStr("path", a.Path)
			if a.StartLine != 0 {
				e.key("startLine")
				e.int(a.StartLine)
			}
			if a.EndLine != 0 {
				e.key("endLine")
				e.int(a.EndLine)
			}
			e.optStr("resource", a.Resource)
			e.optStr("url", a.URL)
			e.optStr("package", a.Package)
			e.optStr("match", a.Match)
			e.close('}')
		}
		e.close(']')
	}
	e.strField("severity", p.Severity)
	if len(p.ToolProperties) > 0 {
		e.key("toolProperties")
		e.stringMap(p.ToolProperties)
	}
	if len(p.VulnerabilityIDs) > 0 {
		e.key("vulnerabilityIds")
		e.strings(p.VulnerabilityIDs)
	}
	if w := p.Web; w != nil {
		e.key("web")
		e.open('{')
		e.strField("url", w.URL)
		e.optStr("method", w.Method)
		e.optStr("parameter", w.Parameter)
		e.optStr("evidence", w.Evidence)
		e.close('}')
	}
	e.close('}')
}

// jsonSafe reports the ASCII bytes that encoding/json writes as they are
// when it does not escape HTML: all but control characters, '"' and '\\'.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// plainWords returns the length of the longest prefix of s made of whole
// 8-byte words that JSON writes as is: ASCII without control characters,
// '"' or '\\'.
func plainWords(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		// A byte's high bit is set in x-ones*n &^ x when it is below n
		// (and < 0x80), so: a byte >= 0x80, < 0x20, or equal to '"' or
		// '\\' (zero after the XOR). Borrows make false positives only
		// above a true one.
		q, bs := x^(ones*'"'), x^(ones*'\\')
		if (x|(x-ones*0x20)&^x|(q-ones)&^q|(bs-ones)&^bs)&highs != 0 {
			break
		}
	}
	return i
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// does without HTML escaping: short escapes for \b \f \n \r \t " and \\,
// \u00XX for other control characters, \ufffd for each invalid UTF-8
// byte, and \u2028 and \u2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		i += plainWords(s[i:]) // eight plain bytes at a time
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
