// Package termsafe makes text that scanmux did not write itself — file
// names, rule ids, messages, source names, tools' errors — safe to print
// on a terminal or in a CI log.
//
// Such text can hold a newline that starts a line of its own, a carriage
// return that hides what came before, terminal escape sequences,
// bidirectional-text controls that show code in another order than it
// runs, or a GitHub Actions workflow command: the runner obeys
// "::error file=x.go::..." (or "::add-mask::", "::stop-commands::") on a
// line that starts with it once leading spaces are trimmed, and the legacy
// "##[error]..." anywhere in a line. A file named
// "x\n::error file=x.go::INJECTED\n.go" printed as it is puts an
// annotation of the attacker's on the pull request.
//
// [String] escapes one such string before it is put into a line;
// [Writer] guards a whole stream (stderr) line by line, for text printed
// without [String].
package termsafe

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// String returns s with everything that could change how a terminal or a
// CI log shows it, or what follows it, made visible:
//
//   - control characters (U+0000–U+001F, tab and newline included, DEL and
//     U+0080–U+009F) as \t, \n, \r or \xNN (\u0085 for U+0085);
//   - bytes that are not UTF-8 as \xNN;
//   - line and paragraph separators (U+2028, U+2029) and the
//     bidirectional formatting characters (U+061C, U+200E, U+200F,
//     U+202A–U+202E, U+2066–U+2069) as \uNNNN;
//   - GitHub Actions workflow commands: "##[" anywhere becomes "#\x23[",
//     and a "::" that starts s (after spaces) becomes "\x3a:".
//
// Backslashes are kept as they are, so Windows paths stay readable: the
// result is for people to read, not for a program to unquote. Text that
// needs none of this is returned unchanged, without allocating.
func String(s string) string {
	if !needsEscape(s, false) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	escape(&b, s, false)
	return b.String()
}

// Line is [String] for a whole line of output (without its newline): tabs
// are kept, as columns of a table need them.
func Line(s string) string {
	if !needsEscape(s, true) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	escape(&b, s, true)
	return b.String()
}

// needsEscape reports whether s holds anything [escape] changes.
func needsEscape(s string, keepTab bool) bool {
	if leadingColons(s) >= 0 || strings.Contains(s, "##[") {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && !(keepTab && c == '\t')) || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unsafeRune(r) {
			return true
		}
		i += n
	}
	return false
}

// leadingColons returns the index of a "::" that starts s after leading
// white space (as the Actions runner trims it), or -1.
func leadingColons(s string) int {
	t := strings.TrimLeftFunc(s, unicode.IsSpace)
	if strings.HasPrefix(t, "::") {
		return len(s) - len(t)
	}
	return -1
}

// unsafeRune reports whether r, a valid non-ASCII rune, must be escaped.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // bidi marks
		r >= 0x202a && r <= 0x202e, // embeddings and overrides
		r >= 0x2066 && r <= 0x2069: // isolates
		return true
	}
	return false
}

func escape(b *strings.Builder, s string, keepTab bool) {
	colons := leadingColons(s)
	for i := 0; i < len(s); {
		if i == colons {
			b.WriteString(`\x3a`)
			i++
			continue
		}
		if strings.HasPrefix(s[i:], "##[") {
			b.WriteString(`#\x23[`)
			i += 3
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\t' && keepTab:
				b.WriteByte(c)
			case c == '\t':
				b.WriteString(`\t`)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c < 0x20 || c == 0x7f:
				fmt.Fprintf(b, `\x%02x`, c)
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(b, `\x%02x`, c)
		case unsafeRune(r):
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
}

// maxLine is the longest partial line a [Writer] holds back: a longer one
// is written out (escaped) in pieces.
const maxLine = 64 << 10

// Writer passes what is written to it on to an underlying writer one whole
// line at a time, each escaped with [Line]: a stream guard for stderr, so
// that text printed without [String] (a library's log line, a tool's
// error) can neither inject a workflow command nor drive the terminal. It
// cannot tell a newline inside a file name from the end of a line: values
// must still be escaped with [String] where they are printed. Writes from
// several goroutines are serialized. Call Flush at the end, for a last
// line without a newline.
type Writer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Unwrap returns the underlying writer (to ask it whether it is a
// terminal, say).
func (w *Writer) Unwrap() io.Writer { return w.w }

// Write escapes and writes the complete lines of p, and holds back a last
// partial line until its newline (or Flush) comes. It reports len(p) unless
// the underlying writer fails.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	var out []byte
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		out = append(out, Line(string(bytes.TrimSuffix(w.buf[:i], []byte("\r"))))...)
		out = append(out, '\n')
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > maxLine {
		out = append(out, Line(string(w.buf))...)
		w.buf = w.buf[:0]
	}
	if len(w.buf) == 0 {
		w.buf = nil
	}
	if len(out) == 0 {
		return len(p), nil
	}
	if _, err := w.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes a held-back partial line.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return nil
	}
	s := Line(string(w.buf))
	w.buf = nil
	_, err := io.WriteString(w.w, s)
	return err
}
