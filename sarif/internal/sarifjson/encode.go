package sarifjson

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// Encoder appends JSON to Buf in exactly the form of an encoding/json
// Encoder with SetEscapeHTML(false) and SetIndent("", "  ") at Depth
// levels of indentation: two spaces per level, ": " after names, "{}" and
// "[]" for empty objects and arrays; or, when Compact, as json.Marshal
// writes it (no spaces, no newlines). The writer encodes results with it,
// by hand, because encoding/json's reflection was most of its time;
// TestEncodeResultMatchesEncodingJSON checks that the bytes are the same.
type Encoder struct {
	Buf     []byte
	Depth   int
	Compact bool
	// empty is set right after an opening bracket: the next member needs
	// no comma, and a closing bracket no newline.
	empty bool
}

// spaces is indentation for 32 levels; deeper levels take several appends.
const spaces = "                                                                "

// Newline starts a new line at the current depth (nothing when Compact).
func (e *Encoder) Newline() {
	if e.Compact {
		return
	}
	e.Buf = append(e.Buf, '\n')
	for n := 2 * e.Depth; n > 0; {
		k := min(n, len(spaces))
		e.Buf = append(e.Buf, spaces[:k]...)
		n -= k
	}
}

func (e *Encoder) open(c byte) {
	e.Buf = append(e.Buf, c)
	e.Depth++
	e.empty = true
}

func (e *Encoder) close(c byte) {
	e.Depth--
	if e.empty {
		e.empty = false
	} else {
		e.Newline()
	}
	e.Buf = append(e.Buf, c)
}

// elem starts an array element.
func (e *Encoder) elem() {
	if e.empty {
		e.empty = false
	} else {
		e.Buf = append(e.Buf, ',')
	}
	e.Newline()
}

// key starts an object member; name must need no escaping.
func (e *Encoder) key(name string) {
	e.elem()
	e.Buf = append(e.Buf, '"')
	e.Buf = append(e.Buf, name...)
	e.Buf = append(e.Buf, '"', ':')
	if !e.Compact {
		e.Buf = append(e.Buf, ' ')
	}
}

// anyKey starts an object member whose name may need escaping.
func (e *Encoder) anyKey(name string) {
	e.elem()
	e.Buf = AppendString(e.Buf, name)
	e.Buf = append(e.Buf, ':')
	if !e.Compact {
		e.Buf = append(e.Buf, ' ')
	}
}

func (e *Encoder) str(s string) { e.Buf = AppendString(e.Buf, s) }

func (e *Encoder) int(n int) { e.Buf = strconv.AppendInt(e.Buf, int64(n), 10) }

func (e *Encoder) strField(name, v string) {
	e.key(name)
	e.str(v)
}

// optStr writes a string member that is omitempty.
func (e *Encoder) optStr(name, v string) {
	if v != "" {
		e.strField(name, v)
	}
}

// message writes m as encoding/json writes a Message.
func (e *Encoder) message(m *Message) {
	e.open('{')
	e.strField("text", m.Text)
	e.optStr("markdown", m.Markdown)
	e.optStr("id", m.ID)
	if len(m.Arguments) > 0 {
		e.key("arguments")
		e.strings(m.Arguments)
	}
	e.close('}')
}

// text writes {"text": s}.
func (e *Encoder) text(s string) {
	e.open('{')
	e.strField("text", s)
	e.close('}')
}

// optIndex writes an index member that is omitempty.
func (e *Encoder) optIndex(name string, i *int) {
	if i != nil {
		e.key(name)
		e.int(*i)
	}
}

func (e *Encoder) strings(ss []string) {
	if ss == nil {
		e.Buf = append(e.Buf, "null"...)
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
func (e *Encoder) stringMap(m map[string]string) {
	if m == nil {
		e.Buf = append(e.Buf, "null"...)
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
func (e *Encoder) pairs(p Pairs) {
	e.open('{')
	for _, kv := range p {
		e.anyKey(kv.Key)
		e.str(kv.Value)
	}
	e.close('}')
}

// Result writes r as encoding/json writes it. The members only the reader
// reads (Rule, Kind, Fingerprints, Taxa, WebRequest) are not written: the
// writer leaves them empty.
func (e *Encoder) Result(r *WriteResult) {
	e.open('{')
	e.strField("ruleId", r.RuleID)
	e.optIndex("ruleIndex", r.RuleIndex)
	e.strField("level", r.Level)
	e.key("message")
	e.message(&r.Message)
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
				e.stringMap(map[string]string(s.Properties))
			}
			e.close('}')
		}
		e.close(']')
	}
	e.optStr("baselineState", string(r.BaselineState))
	if r.Properties != nil {
		e.key("properties")
		e.resultProps(r.Properties)
	}
	e.close('}')
}

func (e *Encoder) locations(ls []Location) {
	e.open('[')
	for i := range ls {
		e.elem()
		e.location(&ls[i])
	}
	e.close(']')
}

func (e *Encoder) location(l *Location) {
	e.open('{')
	if l.ID != 0 {
		e.key("id")
		e.int(int(l.ID))
	}
	if pl := &l.PhysicalLocation; *pl != (PhysicalLocation{}) {
		e.key("physicalLocation")
		e.open('{')
		e.key("artifactLocation")
		e.artifactLoc(&pl.ArtifactLocation)
		if pl.Region != (Region{}) {
			e.key("region")
			e.region(&pl.Region)
		}
		if pl.ContextRegion != (Region{}) {
			e.key("contextRegion")
			e.region(&pl.ContextRegion)
		}
		e.close('}')
	}
	if len(l.LogicalLocations) > 0 {
		e.key("logicalLocations")
		e.open('[')
		for i := range l.LogicalLocations {
			ll := &l.LogicalLocations[i]
			e.elem()
			e.open('{')
			e.optStr("name", ll.Name)
			e.strField("fullyQualifiedName", ll.FullyQualifiedName)
			e.optStr("decoratedName", ll.DecoratedName)
			e.optStr("kind", ll.Kind)
			e.optIndex("index", ll.Index)
			e.close('}')
		}
		e.close(']')
	}
	if l.Message != nil {
		e.key("message")
		e.message(l.Message)
	}
	e.close('}')
}

func (e *Encoder) region(rg *Region) {
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
	if rg.Snippet != (ArtifactContent{}) {
		e.key("snippet")
		e.text(rg.Snippet.Text)
	}
	e.close('}')
}

func (e *Encoder) artifactLoc(a *ArtifactLocation) {
	e.open('{')
	e.optStr("uri", a.URI)
	e.optStr("uriBaseId", a.URIBaseID)
	e.optIndex("index", a.Index)
	if a.Description != (WrittenText{}) {
		e.key("description")
		e.text(a.Description.Text)
	}
	e.close('}')
}

func (e *Encoder) codeFlow(cf *CodeFlow) {
	e.open('{')
	if cf.Message != nil {
		e.key("message")
		e.message(cf.Message)
	}
	e.key("threadFlows")
	if cf.ThreadFlows == nil {
		e.Buf = append(e.Buf, "null"...)
	} else {
		e.open('[')
		for i := range cf.ThreadFlows {
			tf := &cf.ThreadFlows[i]
			e.elem()
			e.open('{')
			if tf.Message != nil {
				e.key("message")
				e.message(tf.Message)
			}
			e.key("locations")
			if tf.Locations == nil {
				e.Buf = append(e.Buf, "null"...)
			} else {
				e.open('[')
				for j := range tf.Locations {
					tl := &tf.Locations[j]
					e.elem()
					e.open('{')
					e.key("location")
					if tl.Location == nil {
						e.Buf = append(e.Buf, "null"...)
					} else {
						e.location(tl.Location)
					}
					e.optIndex("index", tl.Index)
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

func (e *Encoder) resultProps(p *ResultProperties) {
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
		e.key(AlsoReportedKey)
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

// AppendString appends s as a JSON string exactly as encoding/json
// does without HTML escaping: short escapes for \b \f \n \r \t " and \\,
// \u00XX for other control characters, \ufffd for each invalid UTF-8
// byte, and \u2028 and \u2029 escaped.
func AppendString(dst []byte, s string) []byte {
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
