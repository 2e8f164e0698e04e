package finding

import (
	"bytes"
	"strconv"
)

// FingerprintLineHash is the [Finding.Fingerprints] key of GitHub's
// partial fingerprint, computed by [LineHashes]. GitHub code scanning reads
// it from SARIF's partialFingerprints.
const FingerprintLineHash = "primaryLocationLineHash"

// FingerprintScanmuxV1 is the SARIF partialFingerprints key of scanmux's
// own cross-run identity of a finding, version 1, held in [Finding.ID]. It
// is reserved: readers put its value in Finding.ID, never in
// Finding.Fingerprints.
const FingerprintScanmuxV1 = "scanmux/v1"

// FingerprintScanmuxV2 is the SARIF partialFingerprints key of scanmux's
// cross-run identity, version 2 ("v2:" and 32 hex digits, held in
// [Finding.ID]), which replaced version 1 when its key changed: a v1 and a
// v2 identity of one finding differ. Baselines match either.
const FingerprintScanmuxV2 = "scanmux/v2"

// Parameters of the reference rolling hash (github/codeql-action,
// src/fingerprints.ts).
const (
	lineHashBlock = 100   // characters per window (BLOCK_SIZE)
	lineHashMod   = 37    // multiplier (MOD)
	lineHashEOF   = 65535 // character appended at the end of the input
)

// lineHashFirstMod is lineHashMod**lineHashBlock modulo 2**64: the weight
// of the character that leaves the window.
var lineHashFirstMod = func() uint64 {
	m := uint64(1)
	for range lineHashBlock {
		m *= lineHashMod
	}
	return m
}()

// LineHashes returns GitHub's primaryLocationLineHash of every line of
// content: element i is the hash of line i+1, in the form "hex:n" that
// GitHub code scanning expects.
//
// It computes exactly what the hash function of github/codeql-action's
// src/fingerprints.ts computes: a rolling hash (multiplier 37, 64-bit
// wrap-around arithmetic) of the 100 characters that start at each line's
// first character that is not a space or a tab, where spaces and tabs are
// skipped, "\r\n", "\r" and "\n" all count as one "\n", and the end of the
// file is a character 65535 followed by zeros. Characters are UTF-16 code
// units of content decoded as UTF-8 the way Node.js does it: a character
// outside the BMP counts as two units, each maximal invalid byte sequence
// becomes one U+FFFD, and a byte order mark is an ordinary U+FEFF. The hex
// part has no leading zeros; n counts the lines so far, this one included,
// whose hash has the same hex part.
//
// Lines end at "\r\n", "\r" or "\n", so the number of lines is the number
// of parts of content split at those endings: content that ends with a
// line ending has a last, empty line, and empty content has one line.
func LineHashes(content []byte) []string {
	nLines := 1 + bytes.Count(content, []byte{'\n'}) + bytes.Count(content, []byte{'\r'}) -
		bytes.Count(content, []byte("\r\n"))
	h := lineHasher{
		out:    make([]string, nLines),
		counts: make(map[uint64]int, nLines),
		buf:    make([]byte, 0, 32),

		lineStart: true,
	}

	for i := 0; i < len(content); {
		c := content[i]
		if c < 0x80 {
			h.char(uint16(c))
			i++
			continue
		}
		r, n := decodeUTF8(content[i:])
		i += n
		if r >= 0x10000 {
			r -= 0x10000
			h.char(uint16(0xD800 + r>>10))
			h.char(uint16(0xDC00 + r&0x3FF))
		} else {
			h.char(uint16(r))
		}
	}
	h.char(lineHashEOF)
	// Flush: push zeros through the window until every pending line start
	// has left it.
	for range lineHashBlock {
		if h.lines[h.index] != 0 {
			h.output()
		}
		h.update(0)
	}
	return h.out
}

// lineHasher is the state of the reference's rolling hash.
type lineHasher struct {
	window [lineHashBlock]uint16
	// lines[k] is the line number whose first character is window[k], or
	// 0 if window[k] starts no line.
	lines     [lineHashBlock]int
	index     int    // next slot of window, and oldest character in it
	hash      uint64 // hash of the characters in window, oldest first
	line      int    // number of the current line
	lineStart bool   // whether the next character starts a line
	prevCR    bool   // whether the previous character was "\r"

	out    []string
	counts map[uint64]int
	buf    []byte
}

// char processes one UTF-16 code unit of the input (processCharacter).
func (h *lineHasher) char(c uint16) {
	if c == ' ' || c == '\t' || (h.prevCR && c == '\n') {
		h.prevCR = false
		return
	}
	if c == '\r' {
		c = '\n'
		h.prevCR = true
	} else {
		h.prevCR = false
	}
	if h.lines[h.index] != 0 {
		h.output()
	}
	if h.lineStart {
		h.lineStart = false
		h.line++
		h.lines[h.index] = h.line
	}
	if c == '\n' {
		h.lineStart = true
	}
	h.update(c)
}

// update shifts c into the window (updateHash).
func (h *lineHasher) update(c uint16) {
	begin := h.window[h.index]
	h.window[h.index] = c
	h.hash = lineHashMod*h.hash + uint64(c) - lineHashFirstMod*uint64(begin)
	h.index++
	if h.index == lineHashBlock {
		h.index = 0
	}
}

// output records the hash of the line that starts at the oldest character
// of the window (outputHash).
func (h *lineHasher) output() {
	h.counts[h.hash]++
	b := strconv.AppendUint(h.buf[:0], h.hash, 16)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(h.counts[h.hash]), 10)
	h.out[h.lines[h.index]-1] = string(b)
	h.buf = b
	h.lines[h.index] = 0
}

// decodeUTF8 decodes the first character of b, which is not empty, as the
// WHATWG UTF-8 decoder (and so V8 and Node.js) does: an invalid sequence
// yields U+FFFD and consumes its maximal subpart, that is the longest
// prefix of a valid sequence, or one byte if there is none.
func decodeUTF8(b []byte) (r rune, size int) {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c < 0x80:
		return rune(c), 1
	case c >= 0xC2 && c <= 0xDF:
		need, r = 1, rune(c&0x1F)
	case c >= 0xE0 && c <= 0xEF:
		need, r = 2, rune(c&0x0F)
		if c == 0xE0 {
			lo = 0xA0 // no overlong forms
		} else if c == 0xED {
			hi = 0x9F // no surrogates
		}
	case c >= 0xF0 && c <= 0xF4:
		need, r = 3, rune(c&0x07)
		if c == 0xF0 {
			lo = 0x90 // no overlong forms
		} else if c == 0xF4 {
			hi = 0x8F // nothing above U+10FFFF
		}
	default:
		return 0xFFFD, 1
	}
	for k := 1; k <= need; k++ {
		if k >= len(b) || b[k] < lo || b[k] > hi {
			return 0xFFFD, k
		}
		r = r<<6 | rune(b[k]&0x3F)
		lo, hi = 0x80, 0xBF
	}
	return r, need + 1
}
