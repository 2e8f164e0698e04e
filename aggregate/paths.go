package aggregate

import (
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
)

// maxIndexedFiles bounds the walk of the scan root that suffix matching
// needs: past it, paths that do not exist are kept as reported.
const maxIndexedFiles = 500_000

// pathResolver finds the file under the scan root that a reported path
// means when the path names no file there. A tool run in a sub-directory
// reports paths relative to it (gosec's "main.go" for "samples/go/main.go"),
// and one run in another checkout or container reports absolute paths of
// that checkout ("/src/samples/go/main.go"). The resolver matches such a
// path by suffix against the files under the root: a relative path must
// be a whole suffix of exactly one file's path; an absolute path outside
// the root takes the one file with which it shares the most trailing
// components, at least two (a base name alone says too little). It is safe
// for concurrent use.
type pathResolver struct {
	root *os.Root // nil: no root, nothing is resolved

	mu      sync.Mutex
	exists  map[string]bool
	indexed bool
	byBase  map[string][]string // base name → relative paths of the files with that name
}

func newPathResolver(dir string) *pathResolver {
	r := &pathResolver{exists: map[string]bool{}}
	if dir != "" {
		if root, err := os.OpenRoot(dir); err == nil {
			r.root = root
		}
	}
	return r
}

// close releases the root.
func (r *pathResolver) close() {
	if r.root != nil {
		r.root.Close()
	}
}

// exist reports whether the clean relative path p names a file or
// directory under the root (true when there is no root: nothing can be
// checked).
func (r *pathResolver) exist(p string) bool {
	if r.root == nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ok, seen := r.exists[p]
	if !seen {
		_, err := r.root.Stat(p)
		ok = err == nil
		r.exists[p] = ok
	}
	return ok
}

// resolve returns the path under the root that p means: p is a clean
// relative path that does not exist, or an absolute slash path outside the
// root. ok is false when no single file matches.
func (r *pathResolver) resolve(p string) (string, bool) {
	if r.root == nil {
		return "", false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.index()
	abs := strings.HasPrefix(p, "/")
	p = strings.TrimLeft(p, "/")
	want := strings.Count(p, "/") + 1 // components a relative path must share
	if abs {
		want = 2
	}
	best, bestN, ties := "", 0, 0
	for _, c := range r.byBase[path.Base(p)] {
		n := commonSuffix(c, p)
		switch {
		case n > bestN:
			best, bestN, ties = c, n, 1
		case n == bestN:
			ties++
		}
	}
	if bestN < want || ties != 1 {
		return "", false
	}
	return best, true
}

// commonSuffix counts the trailing path components a and b share.
func commonSuffix(a, b string) int {
	n := 0
	for a != "" && b != "" {
		ia, ib := strings.LastIndexByte(a, '/'), strings.LastIndexByte(b, '/')
		if a[ia+1:] != b[ib+1:] {
			break
		}
		n++
		if ia < 0 || ib < 0 {
			break
		}
		a, b = a[:ia], b[:ib]
	}
	return n
}

// index lists the files under the root by base name, once. Directories
// named .git are skipped.
func (r *pathResolver) index() {
	if r.indexed {
		return
	}
	r.indexed = true
	r.byBase = map[string][]string{}
	n := 0
	fs.WalkDir(r.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return fs.SkipDir
			}
			return nil
		}
		if n++; n > maxIndexedFiles {
			return fs.SkipAll
		}
		r.byBase[d.Name()] = append(r.byBase[d.Name()], p)
		return nil
	})
}
