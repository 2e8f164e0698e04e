package sarif

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/jsonlimit"
)

// sarif1Hint is the advice given for SARIF 1.0 logs.
const sarif1Hint = "SARIF 1.0 is not supported by this decoder; convert it to 2.1.0 with UpgradeV1 " +
	"(scanmux merge and import do), or with the SARIF Multitool: sarif rewrite --sarif-output-version Current FILE -o FILE2"

var rdBOM = []byte{0xEF, 0xBB, 0xBF}

// rdDecodeOpts are the options of the reader's decoders.
var rdDecodeOpts = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// logDecoder walks one SARIF log token by token, decoding each result into
// an xResult and handing it to the run's state.
type logDecoder struct {
	dec *jsontext.Decoder
	// r is the reader dec reads the input from; off is the input offset
	// of dec's first byte, which is negative when dec reads a made-up
	// prefix first (see handBack).
	r   io.Reader
	off int64
	// slow makes decodeResults leave every result to jsontext (tests
	// compare the two ways).
	slow    bool
	name    string
	opts    *ReadOptions
	h       Handler
	version string
	hasVer  bool
	hasRuns bool
	v1      bool // $schema names SARIF 1.0
	collect bool // runs keep their findings (Read)
	// block is where the runs allocate findings with ReadOptions.retain.
	block []finding.Finding
	slab  strSlab
	// locs is the array of the last result's locations, which the next
	// one reuses: a converted result keeps none of its xResult.
	locs []xLocation
}

func newLogDecoder(r io.Reader, name string, opts *ReadOptions, h Handler) *logDecoder {
	// Drop a UTF-8 byte order mark.
	var head [3]byte
	n, _ := io.ReadFull(r, head[:])
	if n == 3 && bytes.Equal(head[:], rdBOM) {
		n = 0
	}
	if n > 0 {
		r = io.MultiReader(bytes.NewReader(append([]byte(nil), head[:n]...)), r)
	}
	r = jsonlimit.NewReader(r, MaxStringBytes)
	return &logDecoder{dec: jsontext.NewDecoder(r, rdDecodeOpts...), r: r, name: name, opts: opts, h: h}
}

// errAt returns a *DecodeError for err at the decoder's current position,
// or at the position the error names.
func (d *logDecoder) errAt(err error) error {
	var de *DecodeError
	if errors.As(err, &de) {
		return err
	}
	d.inputOffsets(err)
	ptr := d.dec.StackPointer()
	var se *json.SemanticError
	var ye *jsontext.SyntacticError
	switch {
	case errors.As(err, &se):
		if se.JSONPointer != "" {
			ptr = se.JSONPointer
		}
		err = &rdJSONError{msg: rdSemanticMessage(se), err: err}
	case errors.As(err, &ye):
		if ye.JSONPointer != "" {
			ptr = ye.JSONPointer
		}
		msg := "invalid JSON"
		if errors.Is(ye.Err, io.ErrUnexpectedEOF) {
			msg = "truncated JSON (unexpected end of input)"
		} else if ye.Err != nil {
			msg += ": " + ye.Err.Error()
		}
		msg += " at byte offset " + strconv.FormatInt(ye.ByteOffset, 10)
		err = &rdJSONError{msg: msg, err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = &rdJSONError{msg: "truncated JSON (unexpected end of input)", err: err}
	}
	return &DecodeError{File: d.name, Path: rdPointerPath(ptr), Err: err}
}

// inputOffsets makes the byte offset of a syntax error of dec in err an
// offset in the input.
func (d *logDecoder) inputOffsets(err error) {
	if d.off == 0 {
		return
	}
	var ye *jsontext.SyntacticError
	if errors.As(err, &ye) {
		ye.ByteOffset += d.off
	}
}

// errIn is errAt for an error of json.Unmarshal on the value at ptr, to
// whose JSON pointer the error's is relative.
func (d *logDecoder) errIn(ptr jsontext.Pointer, err error) error {
	var se *json.SemanticError
	if errors.As(err, &se) {
		se.JSONPointer = ptr + se.JSONPointer
	}
	return d.errAt(err)
}

// errPath returns a *DecodeError for err at the given JSON path.
func (d *logDecoder) errPath(path string, err error) error {
	return &DecodeError{File: d.name, Path: path, Err: err}
}

// rdJSONError gives a readable message for an error of the JSON packages,
// which it wraps.
type rdJSONError struct {
	msg string
	err error
}

func (e *rdJSONError) Error() string { return e.msg }
func (e *rdJSONError) Unwrap() error { return e.err }

// rdSemanticMessage describes a type mismatch in SARIF terms, not Go's.
func rdSemanticMessage(se *json.SemanticError) string {
	if se.Err != nil && !errors.Is(se.Err, json.ErrUnknownName) && se.GoType == nil {
		return se.Err.Error()
	}
	want := "value"
	if se.GoType != nil {
		t := se.GoType
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Slice, reflect.Array:
			want = "array"
		case reflect.Struct, reflect.Map:
			want = "object"
		case reflect.String:
			want = "string"
		case reflect.Int, reflect.Int64, reflect.Int32:
			want = "integer"
		case reflect.Float64, reflect.Float32:
			want = "number"
		case reflect.Bool:
			want = "boolean"
		}
	}
	got := rdKindName(se.JSONKind)
	msg := "expected " + want
	if got != "" {
		msg += ", found " + got
		if want == "integer" && got == "number" && len(se.JSONValue) > 0 {
			msg += " " + rdTruncate(string(se.JSONValue), 40)
		}
	}
	if se.Err != nil {
		msg += " (" + se.Err.Error() + ")"
	}
	return msg
}

func rdKindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return ""
}

func rdTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// rdPointerPath turns a JSON Pointer ("/runs/1/results/17") into the path
// notation used in errors ("$.runs[1].results[17]").
func rdPointerPath(p jsontext.Pointer) string {
	var b strings.Builder
	b.WriteString("$")
	n := 0
	for tok := range p.Tokens() {
		if n++; n > 24 {
			b.WriteString("...")
			break
		}
		if _, err := strconv.ParseUint(tok, 10, 64); err == nil && tok != "" && (tok == "0" || tok[0] != '0') {
			b.WriteString("[" + tok + "]")
			continue
		}
		if rdIsIdent(tok) {
			b.WriteString("." + tok)
		} else {
			b.WriteString("[" + strconv.Quote(tok) + "]")
		}
	}
	return b.String()
}

func rdIsIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// expect reads the opening delimiter of a value of kind want ('{' or '[').
// A null gives ok == false. what names the value in errors.
func (d *logDecoder) expect(want jsontext.Kind, what string) (ok bool, err error) {
	k := d.dec.PeekKind()
	if k == 0 {
		_, err := d.dec.ReadToken()
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return false, d.errAt(err)
	}
	if k == 'n' {
		if _, err := d.dec.ReadToken(); err != nil {
			return false, d.errAt(err)
		}
		return false, nil
	}
	if k != want {
		return false, d.errAt(fmt.Errorf("%w: %s must be %s, found %s", ErrInvalidLog, what, rdKindName(want), rdKindName(k)))
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return false, d.errAt(err)
	}
	return true, nil
}

// more reports whether the current object or array has another member.
func (d *logDecoder) more() (bool, error) {
	switch d.dec.PeekKind() {
	case '}', ']':
		_, err := d.dec.ReadToken()
		if err != nil {
			return false, d.errAt(err)
		}
		return false, nil
	case 0:
		_, err := d.dec.ReadToken()
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return false, d.errAt(err)
	}
	return true, nil
}

// name reads an object member name.
func (d *logDecoder) memberName() (string, error) {
	tok, err := d.dec.ReadToken()
	if err != nil {
		return "", d.errAt(err)
	}
	return tok.String(), nil
}

func (d *logDecoder) skip() error {
	if err := d.dec.SkipValue(); err != nil {
		return d.errAt(err)
	}
	return nil
}

// unmarshal decodes the next value into v.
func (d *logDecoder) unmarshal(v any) error {
	if err := json.UnmarshalDecode(d.dec, v); err != nil {
		return d.errAt(err)
	}
	return nil
}

func (d *logDecoder) decodeLog() error {
	k := d.dec.PeekKind()
	if k != '{' {
		if k == 0 {
			_, err := d.dec.ReadToken()
			if err == io.EOF {
				return d.errPath("$", fmt.Errorf("%w: empty input", ErrInvalidLog))
			}
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return d.errAt(err)
		}
		return d.errPath("$", fmt.Errorf("%w: a SARIF log must be a JSON object, found %s", ErrInvalidLog, rdKindName(k)))
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return d.errAt(err)
	}
	for {
		ok, err := d.more()
		if err != nil || !ok {
			if err != nil {
				return err
			}
			break
		}
		n, err := d.memberName()
		if err != nil {
			return err
		}
		if err := d.logMember(n); err != nil {
			return err
		}
	}
	if _, err := d.dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the SARIF log")
		}
		d.inputOffsets(err)
		return d.errPath("$", err)
	}
	if !d.hasVer {
		return d.errPath("$", fmt.Errorf("%w: missing version", ErrInvalidLog))
	}
	if !d.hasRuns {
		return d.errPath("$", fmt.Errorf("%w: missing runs", ErrInvalidLog))
	}
	return nil
}

// logMember decodes the top-level member n of the log.
func (d *logDecoder) logMember(n string) error {
	switch n {
	case "version":
		var v any
		if err := d.unmarshal(&v); err != nil {
			return err
		}
		s, _ := v.(string)
		if s == "" {
			s = fmt.Sprint(v)
		}
		d.version, d.hasVer = s, true
		if err := d.checkVersion("$.version"); err != nil {
			return err
		}
	case "$schema":
		var s string
		if err := d.unmarshal(&s); err != nil {
			return err
		}
		if strings.Contains(s, "sarif-1.0") || strings.Contains(s, "sarif-schema-1") {
			d.v1 = true
		}
	case "runs":
		if d.v1 && !d.hasVer {
			return d.errPath("$", fmt.Errorf("%w: %s", ErrUnsupportedVersion, sarif1Hint))
		}
		d.hasRuns = true
		if err := d.decodeRuns(); err != nil {
			return err
		}
	default:
		if err := d.skip(); err != nil {
			return err
		}
	}
	return nil
}

func (d *logDecoder) checkVersion(path string) error {
	switch {
	case d.version == "2.1.0":
		return nil
	case strings.HasPrefix(d.version, "1."):
		return d.errPath(path, fmt.Errorf("%w: %s", ErrUnsupportedVersion, sarif1Hint))
	}
	return d.errPath(path, fmt.Errorf("%w %q: only 2.1.0 is supported", ErrUnsupportedVersion, rdTruncate(d.version, 40)))
}

func (d *logDecoder) decodeRuns() error {
	ok, err := d.expect('[', "runs")
	if err != nil {
		return err
	}
	if !ok {
		return d.errPath("$.runs", fmt.Errorf("%w: runs must be an array, found null", ErrInvalidLog))
	}
	for i := 0; ; i++ {
		ok, err := d.more()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := d.decodeRun(i); err != nil {
			return err
		}
	}
}

func (d *logDecoder) decodeRun(i int) error {
	path := fmt.Sprintf("$.runs[%d]", i)
	ok, err := d.expect('{', "a run")
	if err != nil {
		return err
	}
	if !ok {
		return d.errPath(path, fmt.Errorf("%w: a run must be an object, found null", ErrInvalidLog))
	}
	st := newRunState(d.opts, d.h)
	st.collect = d.collect
	st.block = &d.block
	for {
		ok, err := d.more()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		n, err := d.memberName()
		if err != nil {
			return err
		}
		if err := d.runMember(st, n, i, path); err != nil {
			return err
		}
	}
	if st.tool == nil {
		return d.errPath(path+".tool", fmt.Errorf("%w: missing tool.driver.name", ErrInvalidLog))
	}
	if err := st.finish(); err != nil {
		return d.wrapRunErr(path, err)
	}
	return nil
}

// runMember decodes the member n of run i, at path, into st.
func (d *logDecoder) runMember(st *runState, n string, i int, path string) error {
	switch n {
	case "tool":
		var t xTool
		if err := d.unmarshal(&t); err != nil {
			return err
		}
		if t.Driver == nil || strings.TrimSpace(t.Driver.Name) == "" {
			return d.errPath(path+".tool.driver.name", fmt.Errorf("%w: missing tool.driver.name", ErrInvalidLog))
		}
		if err := st.setTool(&t); err != nil {
			return d.errPath(path+".tool", err)
		}
	case "results":
		if err := d.decodeResults(st, i, path); err != nil {
			return err
		}
	case "artifacts":
		var a []xArtifact
		if err := d.unmarshal(&a); err != nil {
			return err
		}
		st.artifacts = a
	case "originalUriBaseIds":
		var m map[string]xArtifactLocation
		if err := d.unmarshal(&m); err != nil {
			return err
		}
		if err := st.setBases(m); err != nil {
			return d.wrapRunErr(path, err)
		}
	case "invocations":
		var inv []xInvocation
		if err := d.unmarshal(&inv); err != nil {
			return err
		}
		st.setInvocations(inv)
	case "automationDetails":
		var a xAutomationDetails
		if err := d.unmarshal(&a); err != nil {
			return err
		}
		if d.opts.Category == "" {
			st.run.Category = a.ID
		}
	case "taxonomies":
		var t []xComponent
		if err := d.unmarshal(&t); err != nil {
			return err
		}
		st.setTaxonomies(t)
	case "threadFlowLocations":
		var t []xThreadFlowLocation
		if err := d.unmarshal(&t); err != nil {
			return err
		}
		st.threadFlowLocations = t
	case "logicalLocations":
		var l []xLogical
		if err := d.unmarshal(&l); err != nil {
			return err
		}
		st.logicalLocations = l
	default:
		if err := d.skip(); err != nil {
			return err
		}
	}
	return nil
}

// wrapRunErr turns an error of the run state (which carries a result
// index) into a *DecodeError.
func (d *logDecoder) wrapRunErr(runPath string, err error) error {
	var re *resultError
	if errors.As(err, &re) {
		return d.errPath(fmt.Sprintf("%s.results[%d]%s", runPath, re.index, re.sub), re.err)
	}
	return d.errPath(runPath, err)
}
