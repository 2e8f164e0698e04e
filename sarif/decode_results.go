package sarif

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// # Results without jsontext
//
// A results array is most of a log. decodeResults reads it straight from
// the input: fastResultAt decodes each result and checks its grammar in
// one pass, where jsontext.Decoder.ReadValue would scan it once more
// first. A result that fastResultAt does not take is found by a lenient
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
	var r *xResult
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
// with fastResult if fast, else (or if it gives up) with json.Unmarshal.
func (d *logDecoder) decodeRaw(raw []byte, r *xResult, slab *strSlab, fast bool) error {
	if fast && fastResult(raw, r, slab, &d.locs) {
		return nil
	}
	*r = xResult{}
	return json.Unmarshal(raw, r, rdDecodeOpts...)
}

// nextResult returns a zero xResult to decode into: r if it may be
// reused, else a new one.
func (d *logDecoder) nextResult(r *xResult) *xResult {
	// A result converted at once is not kept: its xResult is reused for
	// the next one (converted findings share none of its memory).
	if r == nil {
		return new(xResult)
	}
	*r = xResult{}
	return r
}

// addResult hands r to the run; it returns r if it may be reused, nil if
// the run keeps it.
func (d *logDecoder) addResult(st *runState, r *xResult, runPath string) (*xResult, error) {
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
		if in.pos = skipWS(in.b, in.pos); in.pos < len(in.b) {
			return true
		}
		if !in.fill() {
			return false
		}
	}
}

// fastResults reads the results of run i from the input, after the
// array's '[', until the array ends (done) or a result needs jsontext,
// which then stands where fastResults stopped. The decoder's last result
// is not kept.
func (d *logDecoder) fastResults(st *runState, run int, runPath string, slab *strSlab) (done bool, err error) {
	in := &resultsInput{r: d.r, off: d.off + d.dec.InputOffset()}
	in.b = append(make([]byte, 0, 2*resultsRead), d.dec.UnreadBuffer()...)
	var r *xResult
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
		n, ok := fastResultAt(in.b[in.pos:], r, slab, &d.locs)
		if !ok {
			// Find the result's end, check it and decode it as jsontext
			// would; hand back what is not JSON.
			var read bool
			if n, read, ok = d.lenientResult(in); !ok {
				return false, d.handBack(in, run, k, k > 0)
			}
			// fastResultAt may have given up only because the result
			// did not fit the buffer: then it is tried again.
			*r = xResult{}
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

// lenientEnd returns the length of the value at the start of b (after
// whitespace) by matching brackets outside strings, without checking the
// grammar; ok is false when b may end before the value does.
func lenientEnd(b []byte) (n int, ok bool) {
	i := skipWS(b, 0)
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

// badPrefix is the error of handBack when its decoder does not read its
// prefix as made, which is a bug.
func badPrefix(err error) error {
	return fmt.Errorf("sarif: internal error: bad prefix: %w", err)
}

// errReader returns err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
