package nikto

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
)

// corpusDir is the shared corpus of real reports, beside the repository.
const corpusDir = "../../../shared/corpus"

// row is one line of the corpus MANIFEST.tsv.
type row struct {
	path, tool, format, notes string
	num                       int // -1 when not a number
}

// manifest reads the corpus manifest, or skips the test without it.
func manifest(t *testing.T) []row {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "MANIFEST.tsv"))
	if err != nil {
		t.Skipf("corpus missing (%v): the real reports live in ../shared beside the repository (CI has it)", err)
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		c := strings.Split(sc.Text(), "\t")
		if first || len(c) < 11 {
			continue
		}
		n, err := strconv.Atoi(c[7])
		if err != nil {
			n = -1
		}
		rows = append(rows, row{path: strings.TrimPrefix(c[0], "corpus/"), tool: c[1], format: c[2], notes: c[10], num: n})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// decodeAll decodes a file with a and returns the findings, checking that
// each validates.
func decodeAll(t *testing.T, a scanners.Adapter, path string, opts *scanners.Options) (finding.Tool, []*finding.Finding) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []*finding.Finding
	tool, err := a.Decode(f, filepath.Base(path), opts, func(x *finding.Finding) error {
		if err := x.Validate(); err != nil {
			t.Errorf("%s: finding %d (%s) invalid: %v", path, len(got), x.Rule.ID, err)
		}
		got = append(got, x)
		return nil
	})
	if err != nil {
		t.Fatalf("Decode(%s): %v", path, err)
	}
	return tool, got
}

// head returns the first DetectBytes of a file.
func head(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, scanners.DetectBytes))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDetectCorpus checks that Detect claims this tool's native reports (as claims says) and
// nothing else in the corpus, even with the head cut short.
func TestDetectCorpus(t *testing.T) {
	rows := manifest(t)
	for _, r := range rows {
		h := head(t, filepath.Join(corpusDir, r.path))
		for _, a := range Adapters() {
			want := claims(r, a.Name())
			if got := a.Detect(h); got != want {
				t.Errorf("%s: Detect(%s) = %v, want %v", a.Name(), r.path, got, want)
			}
			for _, n := range []int{1, 7, 100, 333, 4097} {
				if n < len(h) {
					a.Detect(h[:n]) // must not panic on a cut head
				}
			}
		}
	}
}
