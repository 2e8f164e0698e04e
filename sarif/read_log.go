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
	"github.com/scanmux/scanmux/sarif/internal/sarifjson"
)

// sarif1Hint is the advice given for SARIF 1.0 logs.
const sarif1Hint = "SARIF 1.0 is not supported by this decoder; convert it to 2.1.0 with UpgradeV1 " +
	"(scanmux merge and import do), or with the SARIF Multitool: sarif rewrite --sarif-output-version Current FILE -o FILE2"

var rdBOM = []byte{0xEF, 0xBB, 0xBF}

// rdDecodeOpts are the options of the reader's decoders.
var rdDecodeOpts = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// logDecoder walks one SARIF log token by token, decoding each result into
// a sarifjson.ReadResult and handing it to the run's state.
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
	slab  sarifjson.StringSlab
	// locs is the array of the last result's locations, which the next
	// one reuses: a converted result keeps none of its sarifjson.ReadResult.
	locs []sarifjson.Location
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
		var t sarifjson.ReadTool
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
		var a []sarifjson.Artifact
		if err := d.unmarshal(&a); err != nil {
			return err
		}
		st.artifacts = a
	case "originalUriBaseIds":
		var m map[string]sarifjson.ArtifactLocation
		if err := d.unmarshal(&m); err != nil {
			return err
		}
		if err := st.setBases(m); err != nil {
			return d.wrapRunErr(path, err)
		}
	case "invocations":
		var inv []sarifjson.Invocation
		if err := d.unmarshal(&inv); err != nil {
			return err
		}
		st.setInvocations(inv)
	case "automationDetails":
		var a sarifjson.AutomationDetails
		if err := d.unmarshal(&a); err != nil {
			return err
		}
		if d.opts.Category == "" {
			st.run.Category = a.ID
		}
	case "taxonomies":
		var t []sarifjson.ReadComponent
		if err := d.unmarshal(&t); err != nil {
			return err
		}
		st.setTaxonomies(t)
	case "threadFlowLocations":
		var t []sarifjson.ThreadFlowLocation
		if err := d.unmarshal(&t); err != nil {
			return err
		}
		st.threadFlowLocations = t
	case "logicalLocations":
		var l []sarifjson.LogicalLocation
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

// decodeResults reads the results array of the run with index run, at
// runPath.
func (d *logDecoder) decodeResults(st *runState, run int, runPath string) error {
	ok, err := d.expect('[', "results")
	if err != nil || !ok {
		return err
	}
	// Strings go into shared blocks only when the findings are kept: a
	// handler that keeps one in a hundred would keep a block for each.
	slab := &d.slab
	if !d.collect && !d.opts.retain {
		slab = nil
	}
	if !d.slow && run < fastRuns {
		done, err := d.fastResults(st, run, runPath, slab)
		if done || err != nil {
			return err
		}
	}
	var r *sarifjson.ReadResult
	for {
		ok, err := d.more()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		r = d.nextResult(r)
		raw, err := d.dec.ReadValue()
		if err != nil {
			return d.errAt(err)
		}
		if err := d.decodeRaw(raw, r, slab, true); err != nil {
			return d.errIn(d.dec.StackPointer(), err)
		}
		if r, err = d.addResult(st, r, runPath); err != nil {
			return err
		}
	}
}

// decodeRaw decodes the valid JSON value raw into r, which must be zero:
// with sarifjson.ParseResult if fast, else (or if it gives up) with json.Unmarshal.
func (d *logDecoder) decodeRaw(raw []byte, r *sarifjson.ReadResult, slab *sarifjson.StringSlab, fast bool) error {
	if fast && sarifjson.ParseResult(raw, r, slab, &d.locs) {
		return nil
	}
	*r = sarifjson.ReadResult{}
	return json.Unmarshal(raw, r, rdDecodeOpts...)
}

// nextResult returns a zero sarifjson.ReadResult to decode into: r if it may be
// reused, else a new one.
func (d *logDecoder) nextResult(r *sarifjson.ReadResult) *sarifjson.ReadResult {
	// A result converted at once is not kept: its sarifjson.ReadResult is reused for
	// the next one (converted findings share none of its memory).
	if r == nil {
		return new(sarifjson.ReadResult)
	}
	*r = sarifjson.ReadResult{}
	return r
}

// addResult hands r to the run; it returns r if it may be reused, nil if
// the run keeps it.
func (d *logDecoder) addResult(st *runState, r *sarifjson.ReadResult, runPath string) (*sarifjson.ReadResult, error) {
	pending := len(st.pending)
	if err := st.add(r); err != nil {
		return nil, d.wrapRunErr(runPath, err)
	}
	if len(st.pending) > pending {
		d.locs = nil // kept until the run's context is known, with its locations
		return nil, nil
	}
	return r, nil
}

// fastResults reads the results of run i from the input, after the
// array's '[', until the array ends (done) or a result needs jsontext,
// which then stands where fastResults stopped. The decoder's last result
// is not kept.
func (d *logDecoder) fastResults(st *runState, run int, runPath string, slab *sarifjson.StringSlab) (done bool, err error) {
	in := &resultsInput{r: d.r, off: d.off + d.dec.InputOffset()}
	in.b = append(make([]byte, 0, 2*resultsRead), d.dec.UnreadBuffer()...)
	var r *sarifjson.ReadResult
	for k := 0; ; k++ {
		if !in.ws() {
			return false, d.handBack(in, run, k, false) // cut short, or a read error
		}
		if c := in.b[in.pos]; c == ']' {
			in.pos++
			return true, d.handBack(in, run, -1, false)
		} else if k > 0 {
			if c != ',' {
				return false, d.handBack(in, run, k, false)
			}
			in.pos++
		}
		r = d.nextResult(r)
		n, ok := sarifjson.ParseResultAt(in.b[in.pos:], r, slab, &d.locs)
		if !ok {
			// Find the result's end, check it and decode it as jsontext
			// would; hand back what is not JSON.
			var read bool
			if n, read, ok = d.lenientResult(in); !ok {
				return false, d.handBack(in, run, k, k > 0)
			}
			// sarifjson.ParseResultAt may have given up only because the result
			// did not fit the buffer: then it is tried again.
			*r = sarifjson.ReadResult{}
			if err := d.decodeRaw(in.b[in.pos:in.pos+n], r, slab, read); err != nil {
				return false, d.errIn(resultPointer(run, k), err)
			}
		}
		in.pos += n
		if r, err = d.addResult(st, r, runPath); err != nil {
			return false, err
		}
	}
}

// lenientResult returns the length of the JSON value at in.b[in.pos:],
// reading more as needed (read), and whether it is valid JSON.
func (d *logDecoder) lenientResult(in *resultsInput) (n int, read, ok bool) {
	for {
		n, ok := lenientEnd(in.b[in.pos:])
		if ok {
			return n, read, jsontext.Value(in.b[in.pos : in.pos+n]).IsValid(rdDecodeOpts...)
		}
		if !in.fill() {
			return 0, read, false
		}
		read = true
	}
}

// handBack gives the rest of the input, in.b[in.pos:] and what follows,
// to a new jsontext.Decoder, which first reads a made-up prefix that
// leaves it in the state the reader is in: inside run i's results after k
// results (k >= 0) and the comma after them if comma, or after the array
// (k < 0). Its errors then name the right JSON path, and the right byte
// offset through d.off.
func (d *logDecoder) handBack(in *resultsInput, run, k int, comma bool) error {
	var pre strings.Builder
	pre.WriteString(`{"runs":[`)
	for range run {
		pre.WriteString(`{},`)
	}
	pre.WriteString(`{"results":[`)
	for j := range max(k, 0) {
		if j > 0 {
			pre.WriteByte(',')
		}
		pre.WriteString("{}") // closed: it does not run into what follows, as 0 would
	}
	if comma {
		pre.WriteByte(',')
	}
	if k < 0 {
		pre.WriteByte(']')
	}
	tail := d.r
	if in.err != nil {
		tail = errReader{in.err}
	} else if in.eof {
		tail = bytes.NewReader(nil)
	}
	rest := in.b[in.pos:]
	d.r = io.MultiReader(bytes.NewReader(rest), tail)
	d.dec = jsontext.NewDecoder(io.MultiReader(strings.NewReader(pre.String()), d.r), rdDecodeOpts...)
	d.off = in.off + int64(in.pos) - int64(pre.Len())
	// Read the prefix.
	for range 3 + 2*run + 3 { // {"runs":[ {}× run {"results":[
		if _, err := d.dec.ReadToken(); err != nil {
			return badPrefix(err)
		}
	}
	for range max(k, 0) {
		if err := d.dec.SkipValue(); err != nil {
			return badPrefix(err)
		}
	}
	if k < 0 {
		if _, err := d.dec.ReadToken(); err != nil {
			return badPrefix(err)
		}
	}
	return nil
}

// # Results without jsontext
//
// A results array is most of a log. decodeResults reads it straight from
// the input: sarifjson.ParseResultAt decodes each result and checks its grammar in
// one pass, where jsontext.Decoder.ReadValue would scan it once more
// first. A result that sarifjson.ParseResultAt does not take is found by a lenient
// scan (lenientEnd), checked by jsontext.Value.IsValid and decoded by
// json.Unmarshal, as before. At the end of the array, or at the first
// result that is not valid JSON or that the input cuts short, the reader
// hands the rest of the input back to a jsontext.Decoder (see handBack),
// which goes on as if it had read everything, errors included.

// resultsRead is the size of the reads of decodeResults.
const resultsRead = 64 << 10

// fastRuns is the number of runs of a log whose results decodeResults
// reads itself: handBack's prefix grows with the run's index.
const fastRuns = 256

// resultsInput is the input of fastResults: b[pos:] is read and not yet
// decoded, and b[0] is at input offset off.
type resultsInput struct {
	r   io.Reader
	b   []byte
	pos int
	off int64
	eof bool
	err error // a read error other than io.EOF
}

// fill compacts b to b[pos:] and reads more. It returns false when there
// is nothing more to read.
func (in *resultsInput) fill() bool {
	if in.eof || in.err != nil {
		return false
	}
	if in.pos > 0 {
		n := copy(in.b, in.b[in.pos:])
		in.b = in.b[:n]
		in.off += int64(in.pos)
		in.pos = 0
	}
	if cap(in.b)-len(in.b) < resultsRead {
		in.b = append(make([]byte, 0, 2*cap(in.b)+resultsRead), in.b...)
	}
	// Read a block, not what one read gives: a result that straddles
	// reads is scanned again after each.
	added := 0
	for added < resultsRead && in.err == nil && !in.eof {
		n, err := in.r.Read(in.b[len(in.b):cap(in.b)])
		in.b = in.b[:len(in.b)+n]
		added += n
		switch {
		case err == io.EOF:
			in.eof = true
		case err != nil:
			in.err = err
		}
	}
	return added > 0
}

// ws skips whitespace, reading more as needed, and reports whether a byte
// follows.
func (in *resultsInput) ws() bool {
	for {
		if in.pos = sarifjson.SkipWS(in.b, in.pos); in.pos < len(in.b) {
			return true
		}
		if !in.fill() {
			return false
		}
	}
}

// lenientEnd returns the length of the value at the start of b (after
// whitespace) by matching brackets outside strings, without checking the
// grammar; ok is false when b may end before the value does.
func lenientEnd(b []byte) (n int, ok bool) {
	i := sarifjson.SkipWS(b, 0)
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if i >= len(b) {
				return 0, false
			}
		case '{', '[':
			depth++
			continue
		case '}', ']':
			depth--
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i, true // the end of a number or literal
			}
			continue
		default:
			continue
		}
		if depth <= 0 {
			return i + 1, true
		}
	}
	return 0, false
}

// resultPointer is the JSON pointer of result k of run i.
func resultPointer(run, k int) jsontext.Pointer {
	return jsontext.Pointer("/runs/" + strconv.Itoa(run) + "/results/" + strconv.Itoa(k))
}

// badPrefix is the error of handBack when its decoder does not read its
// prefix as made, which is a bug.
func badPrefix(err error) error {
	return fmt.Errorf("sarif: internal error: bad prefix: %w", err)
}

// errReader returns err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
