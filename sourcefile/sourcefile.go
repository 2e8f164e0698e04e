// Package sourcefile reads the scanned tree's source files for everything
// in scanmux that looks at code: line hashes and snippets, inline
// suppressions, identities and baselines. A scanned tree is untrusted
// input, so every read
//
//   - stays inside the root: it goes through an [os.Root], so neither a
//     "../" path nor a symbolic link can leave it;
//   - takes regular files only: a FIFO, a device (/dev/zero) or a socket
//     is refused, and opening one never blocks;
//   - is bounded: a file larger than the size limit is refused, whatever
//     it claims to be;
//   - honours its context between chunks.
//
// Lines are split at "\r\n", "\r" and "\n", as GitHub's line hash does.
package sourcefile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// DefaultMaxSize is the size limit of [Open]: larger files are not source
// code anyone reviews line by line.
const DefaultMaxSize = 16 << 20

// Errors of [Root.ReadFile], to test with errors.Is.
var (
	// ErrNotRegular is wrapped by the error for a path that names
	// something other than a regular file (a directory, FIFO, device or
	// socket).
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge is wrapped by the error for a file over the size limit.
	ErrTooLarge = errors.New("file over the size limit")
)

// Root reads the files under one directory. It is safe for concurrent
// use. The zero value is not usable: call [Open].
type Root struct {
	root *os.Root
	max  int64
}

// Open returns a Root for the directory dir with the size limit
// DefaultMaxSize, or maxSize when it is positive.
func Open(dir string, maxSize int64) (*Root, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	return &Root{root: r, max: maxSize}, nil
}

// Close releases the directory.
func (r *Root) Close() error { return r.root.Close() }

// ReadFile returns the contents of the regular file at the slash-separated
// path rel under the root. Errors name rel.
func (r *Root) ReadFile(ctx context.Context, rel string) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO would otherwise wait for a writer.
	f, err := r.root.OpenFile(filepath.FromSlash(rel), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", rel, ErrNotRegular, st.Mode().Type())
	}
	if st.Size() > r.max {
		return nil, fmt.Errorf("%s: %w of %d bytes (%d bytes)", rel, ErrTooLarge, r.max, st.Size())
	}
	data := make([]byte, 0, st.Size()+1)
	buf := make([]byte, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		n, err := f.Read(buf)
		data = append(data, buf[:n]...)
		if int64(len(data)) > r.max { // the file grew while read
			return nil, fmt.Errorf("%s: %w of %d bytes", rel, ErrTooLarge, r.max)
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
	}
}

// Lines returns the lines of the regular file at rel (see ReadFile),
// without their line ends.
func (r *Root) Lines(ctx context.Context, rel string) ([][]byte, error) {
	data, err := r.ReadFile(ctx, rel)
	if err != nil {
		return nil, err
	}
	return SplitLines(data), nil
}

// SplitLines splits data into lines at "\r\n", "\r" and "\n"; the line ends
// are left out. Text after the last line end is a line of its own, even
// when empty, as in GitHub's line hash.
func SplitLines(data []byte) [][]byte {
	var out [][]byte
	start := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			out = append(out, data[start:i])
			start = i + 1
		case '\r':
			out = append(out, data[start:i])
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	return append(out, data[start:])
}
