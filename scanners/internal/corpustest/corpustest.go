// Package corpustest is the adapters' shared test harness: it reads the
// corpus of real scanner reports and checks an adapter against it.
//
// The corpus lives in ../shared/corpus beside the repository root, listed
// by MANIFEST.tsv (one row a file: local_path, tool, format, ...,
// num_results in column 8, notes in column 11). CI checks ../shared out;
// where it is missing, every helper that needs the corpus skips the test.
//
// Only _test.go files import this package.
package corpustest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
)

// Row is one file of the corpus manifest.
type Row struct {
	Path       string // the file on disk
	Rel        string // the path under the corpus, e.g. "grype/grype-many.json"
	Tool       string // the tool that wrote it, e.g. "osv-scanner"
	Format     string // e.g. "native-json", "native-xml", "sarif", "gitlab-sast-json"
	NumResults string // num_results as written ("?" when unknown)
	Num        int    // NumResults as a number, -1 when it is not one
	Notes      string
}

// SARIF reports whether the row is a SARIF file (valid or not), which no
// native adapter may claim.
func (r Row) SARIF() bool { return strings.HasPrefix(r.Format, "sarif") }

// CheckCount checks that n, a number of findings, is the manifest's
// num_results. A row without a count fails the test.
func (r Row) CheckCount(t *testing.T, n int) {
	t.Helper()
	if r.Num < 0 {
		t.Fatalf("%s: num_results %q is not a number", r.Rel, r.NumResults)
	}
	if n != r.Num {
		t.Errorf("%s: %d findings, manifest says %d", r.Rel, n, r.Num)
	}
}

var (
	sharedOnce sync.Once
	sharedDir  string
	sharedErr  error
)

// shared returns ../shared beside the root of the module the test runs in.
func shared() (string, error) {
	sharedOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			sharedErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				sharedDir = filepath.Join(filepath.Dir(dir), "shared")
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				sharedErr = errors.New("no go.mod above the test's directory")
				return
			}
			dir = parent
		}
	})
	return sharedDir, sharedErr
}

// Dir returns the corpus directory, or skips the test when ../shared (or
// its corpus) is missing.
func Dir(t testing.TB) string {
	t.Helper()
	s, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(s, "corpus")
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is missing: the scanner corpus lives in ../shared/corpus beside the repository root, which only CI checks out; skipping", dir)
	} else if err != nil {
		t.Fatal(err)
	}
	return dir
}

// File returns the path of the corpus file rel ("grype/grype-epss.json"),
// or skips the test without the corpus.
func File(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(Dir(t), filepath.FromSlash(rel))
}

// Manifest returns the rows of the corpus manifest, or skips the test
// without the corpus.
func Manifest(t testing.TB) []Row {
	t.Helper()
	dir := Dir(t)
	fh, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var rows []Row
	sc := bufio.NewScanner(fh)
	for first := true; sc.Scan(); first = false {
		c := strings.Split(sc.Text(), "\t")
		if first || len(c) < 11 {
			continue
		}
		rel := strings.TrimPrefix(c[0], "corpus/")
		n, err := strconv.Atoi(c[7])
		if err != nil {
			n = -1
		}
		rows = append(rows, Row{
			Path: filepath.Join(dir, filepath.FromSlash(rel)), Rel: rel,
			Tool: c[1], Format: c[2], NumResults: c[7], Num: n, Notes: c[10],
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("the corpus manifest lists no file")
	}
	return rows
}

// Head returns what Detect sees of the file at path: its first
// [scanners.DetectBytes] bytes.
func Head(t testing.TB, path string) []byte {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, scanners.DetectBytes))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Decode decodes r (named name) with a and returns the tool and the
// findings. An error fails the test; so does each finding that does not
// validate.
func Decode(t testing.TB, a scanners.Adapter, r io.Reader, name string, opts *scanners.Options) (finding.Tool, []*finding.Finding) {
	t.Helper()
	var got []*finding.Finding
	tool, err := a.Decode(r, name, opts, func(f *finding.Finding) error {
		if err := f.Validate(); err != nil {
			t.Errorf("%s: finding %d (%s) invalid: %v", name, len(got), f.Rule.ID, err)
		}
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatalf("Decode(%s): %v", name, err)
	}
	return tool, got
}

// DecodeFile is [Decode] on the file at path.
func DecodeFile(t testing.TB, a scanners.Adapter, path string, opts *scanners.Options) (finding.Tool, []*finding.Finding) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	return Decode(t, a, fh, path, opts)
}

// Claims says whether the adapter named name must claim the corpus file r.
type Claims func(r Row, name string) bool

// None is the Claims of an adapter whose tool has no file in the corpus.
func None(Row, string) bool { return false }

// DecodeEach decodes with a, each in a subtest named after the file, every
// corpus file that claims gives to a, checks that the findings validate,
// and passes them to check, which checks the count ([Row.CheckCount]) and
// what else holds for the tool. opts gives the options for a file (the
// scan root its paths are under); nil means none. The test fails when
// claims gives a no file, so that a renamed tool or format cannot make it
// pass unseen.
func DecodeEach(t *testing.T, claims Claims, a scanners.Adapter, opts func(Row) *scanners.Options, check func(t *testing.T, r Row, tool finding.Tool, got []*finding.Finding)) {
	t.Helper()
	n := 0
	for _, r := range Manifest(t) {
		if !claims(r, a.Name()) {
			continue
		}
		n++
		t.Run(r.Rel, func(t *testing.T) {
			var o *scanners.Options
			if opts != nil {
				o = opts(r)
			}
			tool, got := DecodeFile(t, a, r.Path, o)
			check(t, r, tool, got)
		})
	}
	if n == 0 {
		t.Errorf("no corpus file for %s in the manifest", a.Name())
	}
}

// cuts are the lengths a head is cut to, to check that Detect does not
// panic mid-token.
var cuts = []int{1, 7, 9, 100, 120, 333, 4000, 4097}

// CheckDetect checks, over the whole corpus, that each adapter's Detect
// claims exactly the files claims says, and never a SARIF file, and that
// it does not panic on a head cut short.
func CheckDetect(t *testing.T, claims Claims, adapters ...scanners.Adapter) {
	t.Helper()
	for _, r := range Manifest(t) {
		h := Head(t, r.Path)
		for _, a := range adapters {
			want := claims(r, a.Name())
			if want && r.SARIF() {
				t.Errorf("%s: the test says it must claim %s, a SARIF file (%s): no native adapter may", a.Name(), r.Rel, r.Format)
				want = false
			}
			if got := a.Detect(h); got != want {
				t.Errorf("%s: Detect(%s) = %v, want %v (%s %s)", a.Name(), r.Rel, got, want, r.Tool, r.Format)
			}
			for _, n := range cuts {
				if n < len(h) {
					a.Detect(h[:n]) // must not panic on a cut head
				}
			}
		}
	}
}

// Fuzz is the body of an adapter's FuzzDecode: each adapter's Detect and
// Decode must not panic on b, every finding must validate, and Decode may
// fail only with an error wrapping [scanners.ErrFormat].
func Fuzz(t *testing.T, b []byte, adapters ...scanners.Adapter) {
	t.Helper()
	for _, a := range adapters {
		a.Detect(b)
		_, err := a.Decode(bytes.NewReader(b), "fuzz", &scanners.Options{Root: "/src"}, func(fd *finding.Finding) error {
			if err := fd.Validate(); err != nil {
				t.Errorf("%s: invalid finding %+v: %v", a.Name(), fd, err)
			}
			return nil
		})
		if err != nil && !errors.Is(err, scanners.ErrFormat) {
			t.Errorf("%s: error %v does not wrap ErrFormat", a.Name(), err)
		}
	}
}
