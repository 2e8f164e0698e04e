package sarif

import (
	"context"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sourcefile"
)

// sourceFile is what the writer needs from a source file: the
// primaryLocationLineHash and the length in UTF-16 code units of each line.
type sourceFile struct {
	hashes  []string
	lineLen []int
}

// sourceCache reads each source file at most once, through package
// sourcefile: inside the scan root, regular files only, size-capped, never
// blocking on a FIFO. It is safe for concurrent use.
type sourceCache struct {
	root  *sourcefile.Root
	mu    sync.Mutex
	files map[string]*sourceFile // nil value: not readable
}

func newSourceCache(dir string) (*sourceCache, error) {
	c := &sourceCache{files: map[string]*sourceFile{}}
	if dir == "" {
		return c, nil
	}
	r, err := sourcefile.Open(dir, 0)
	if err != nil {
		return nil, fmt.Errorf("sarif: opening scan root: %w", err)
	}
	c.root = r
	return c, nil
}

func (c *sourceCache) close() {
	if c.root != nil {
		c.root.Close()
	}
}

// get returns the file at the slash-separated relative path p, or nil if
// there is no root or the file cannot be read.
func (c *sourceCache) get(p string) *sourceFile {
	if c.root == nil || p == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.files[p]; ok {
		return f
	}
	// A file that cannot be read (missing, not a regular file, too large,
	// no permission, a path leaving the root) is remembered as nil: no
	// hash, no line length.
	var f *sourceFile
	if data, err := c.root.ReadFile(context.Background(), p); err == nil {
		f = &sourceFile{hashes: finding.LineHashes(data), lineLen: lineLengths(data)}
	}
	c.files[p] = f
	return f
}

// exists reports whether the file at p is readable under the root.
func (c *sourceCache) exists(p string) bool { return c.get(p) != nil }

// lineLengths returns the length of each line of data in UTF-16 code units
// (SARIF's default column unit), split by [sourcefile.SplitLines] as
// [finding.LineHashes] splits them: at "\r\n", "\r" and "\n". An invalid
// UTF-8 byte counts as one unit (it decodes to U+FFFD).
func lineLengths(data []byte) []int {
	lines := sourcefile.SplitLines(data)
	out := make([]int, len(lines))
	for i, l := range lines {
		out[i] = utf16Len(l)
	}
	return out
}

// utf16Len returns the length of b in UTF-16 code units.
func utf16Len(b []byte) int {
	n := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}
