// Package jsonlimit cuts long strings out of JSON text as it streams, so
// that a decoder never holds one: a JSON decoder buffers a whole string
// token (jsontext.Decoder, encoding/json), so one 200 MB string in a
// hostile report costs its size several times over, however the decoder
// is used afterwards.
package jsonlimit

import (
	"bytes"
	"io"
	"strconv"
	"strings"
)

// noteRoom is the room a cut string keeps for its note:
// " [... cut by scanmux: the string had N bytes]" is at most 57 bytes.
const noteRoom = 64

// NewReader returns a reader of the JSON text r reads with every string
// longer than limit bytes (of its JSON text, escapes counted as written) cut
// at a character boundary and ended with a note of its length, "[... cut
// by scanmux: the string had N bytes]", the whole at most limit bytes (for
// limit over 64): a text read twice is cut once. Only strings change: the
// reader follows strings, escapes and UTF-8, not the rest of the grammar,
// so invalid JSON stays invalid for the decoder to report. It is for JSON
// only: in XML or CSV a quote does not start a string.
//
// Byte offsets of a decoder reading it count the text as cut.
func NewReader(r io.Reader, limit int) io.Reader {
	return &stringLimiter{r: r, max: limit, keep: max(limit-noteRoom, 0)}
}

// stringLimiter is the reader of NewReader. Text is read straight into
// the caller's buffer and only followed (scan) as long as it needs no
// change; from the first string that reaches keep bytes to the end of
// that read it goes through process into out. A string that reaches keep
// bytes is held back from there until it either ends within max bytes
// (it is passed on whole) or exceeds them (it is cut where the hold
// began).
type stringLimiter struct {
	r          io.Reader
	max, keep  int
	out        []byte // processed, not yet returned
	obuf       []byte // out's array
	held       []byte // the current string's bytes after keep, held back
	holding    bool
	err        error // r's error, returned once out is empty
	inStr      bool
	esc        int     // 0, 1 after a backslash, 2-5 reading the hex digits of \uXXXX
	hex        [4]byte // those digits
	high       bool    // the last escape was a high surrogate (\uD800-\uDBFF)
	n          int     // bytes of the current string so far
	skipping   bool    // the current string is being cut
	totalBytes int64   // bytes of the current string, when skipping
	reference  bool    // process only, no scan (for tests)
}

func (l *stringLimiter) Read(p []byte) (int, error) {
	for {
		if len(l.out) > 0 {
			n := copy(p, l.out)
			l.out = l.out[n:]
			return n, nil
		}
		if l.err != nil || len(p) == 0 {
			if l.err != nil && len(l.held) > 0 {
				// Cut short inside a held string: pass on what was held,
				// for the decoder to find the text cut short.
				l.out, l.held, l.holding = l.held, nil, false
				continue
			}
			return 0, l.err
		}
		n, err := l.r.Read(p)
		l.err = err
		k := 0
		if !l.reference {
			k = l.scan(p[:n])
		}
		if k < n {
			l.out = l.process(p[k:n], l.obuf[:0])
			l.obuf = l.out[:0]
		}
		if k > 0 {
			return k, nil
		}
	}
}

// special are the bytes that end a run of plain characters in a string.
var special = [256]bool{'"': true, '\\': true}

// scan follows in as far as it passes unchanged, and returns how far: up
// to a string's byte keep. It is process without the output, made fast
// for the common case, short strings; process is the reference.
func (l *stringLimiter) scan(in []byte) int {
	if l.skipping || l.holding {
		return 0
	}
	inStr, n, esc, high := l.inStr, l.n, l.esc, l.high
	i := 0
	for i < len(in) {
		if !inStr {
			// The next quote: short gaps (":", ",") by hand.
			j := i
			for j < len(in) && j < i+16 && in[j] != '"' {
				j++
			}
			if j < len(in) && in[j] != '"' {
				if k := bytes.IndexByte(in[j:], '"'); k < 0 {
					j = len(in)
				} else {
					j += k
				}
			}
			if j == len(in) {
				i = j
				break
			}
			i = j + 1
			inStr, n, esc, high = true, 0, 0, false
			continue
		}
		if n >= l.keep {
			break // process decides
		}
		if esc == 0 {
			// Plain characters up to keep, then a closing quote.
			end := len(in)
			if rest := l.keep - n; rest < end-i {
				end = i + rest
			}
			k := i
			for k < end && !special[in[k]] {
				k++
			}
			if k > i {
				n += k - i
				i = k
				high = false
				continue
			}
			if in[i] == '"' {
				n++
				i++
				inStr = false
				continue
			}
		}
		c := in[i]
		n++
		i++
		if c == '"' && esc == 0 {
			inStr = false
			continue
		}
		l.esc, l.high = esc, high
		l.escape(c)
		esc, high = l.esc, l.high
	}
	l.inStr, l.n, l.esc, l.high = inStr, n, esc, high
	return i
}

// process appends what in becomes to out.
func (l *stringLimiter) process(in, out []byte) []byte {
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case !l.inStr:
			// Outside strings: copy up to the next quote at once.
			j := i
			for j < len(in) && in[j] != '"' {
				j++
			}
			out = append(out, in[i:j]...)
			if j < len(in) {
				out = append(out, '"')
				l.inStr, l.n, l.esc, l.high = true, 0, 0, false
			}
			i = j
		case l.skipping:
			if c == '"' && l.esc == 0 {
				out = append(out, " [... cut by scanmux: the string had "...)
				out = strconv.AppendInt(out, l.totalBytes, 10)
				out = append(out, " bytes]\""...)
				l.inStr, l.skipping = false, false
				continue
			}
			l.totalBytes++
			l.escape(c)
		case c == '"' && l.esc == 0:
			// The string ends within max: what was held goes on.
			out = append(append(out, l.held...), c)
			l.held, l.holding, l.inStr = l.held[:0], false, false
		case !l.holding && l.n >= l.keep && l.safe(c):
			l.holding = true
			i--
		case l.holding && l.n >= l.max:
			// Over max: cut where the hold began.
			l.skipping, l.holding = true, false
			l.totalBytes = int64(l.n)
			l.held = l.held[:0]
			i--
		default:
			if l.holding {
				l.held = append(l.held, c)
			} else {
				out = append(out, c)
			}
			l.n++
			l.escape(c)
		}
	}
	return out
}

// safe reports whether the current string may be cut before its byte c:
// c is not inside an escape, a UTF-8 sequence or a surrogate pair.
func (l *stringLimiter) safe(c byte) bool {
	return l.esc == 0 && c&0xc0 != 0x80 && !(c == '\\' && l.high)
}

// escape follows the escapes of a string through its byte c (not its
// closing quote).
func (l *stringLimiter) escape(c byte) {
	switch {
	case l.esc == 0 && c == '\\':
		l.esc = 1
	case l.esc == 0:
		l.high = false
	case l.esc == 1 && c == 'u':
		l.esc = 2
	case l.esc == 1:
		l.esc, l.high = 0, false
	default: // a hex digit of \uXXXX
		l.hex[l.esc-2] = c
		if l.esc++; l.esc == 6 {
			h := l.hex
			l.esc = 0
			l.high = (h[0] == 'd' || h[0] == 'D') && strings.IndexByte("89abAB", h[1]) >= 0
		}
	}
}
