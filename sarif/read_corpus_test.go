package sarif

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// rdSharedDir is the project's shared directory, a sibling of the repository
// root. Users' clones lack it; CI has it.
const rdSharedDir = "../../shared"

// rdCorpusEntry is one row of the corpus MANIFEST.tsv.
type rdCorpusEntry struct {
	path, tool, format, parse, version string
	results                            int // -1 when not a number
}

// rdReadManifest returns the corpus entries, or skips t when the shared
// directory is missing.
func rdReadManifest(t testing.TB) []rdCorpusEntry {
	t.Helper()
	fh, err := os.Open(filepath.Join(rdSharedDir, "corpus", "MANIFEST.tsv"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("corpus not found: %s/corpus/MANIFEST.tsv is missing (the shared directory ../shared beside the repository is not there; CI has it)", rdSharedDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []rdCorpusEntry
	sc := bufio.NewScanner(fh)
	var col map[string]int
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if col == nil {
			col = make(map[string]int)
			for i, n := range fs {
				col[n] = i
			}
			continue
		}
		get := func(n string) string {
			if i, ok := col[n]; ok && i < len(fs) {
				return fs[i]
			}
			return ""
		}
		n, err := strconv.Atoi(get("num_results"))
		if err != nil {
			n = -1
		}
		out = append(out, rdCorpusEntry{
			path: filepath.Join(rdSharedDir, get("local_path")), tool: get("tool"), format: get("format"),
			parse: get("parse"), version: get("sarif_version"), results: n,
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCorpus reads every SARIF file of the shared corpus: valid 2.1.0
// files give exactly the manifest's number of results (over all runs);
// invalid ones and SARIF 1.0 give a *DecodeError naming the file.
func TestCorpus(t *testing.T) {
	var files, results int
	for _, e := range rdReadManifest(t) {
		if !strings.HasPrefix(e.format, "sarif") {
			continue
		}
		t.Run(filepath.Base(e.path), func(t *testing.T) {
			runs, err := ReadFile(e.path, nil)
			switch {
			case e.parse == "json" && e.version == "2.1.0":
				if err != nil {
					t.Fatalf("ReadFile: %v", err)
				}
				n := 0
				for _, r := range runs {
					n += len(r.Findings)
					for i := range r.Findings {
						rdCheckFinding(t, r.Findings[i])
					}
				}
				if e.results >= 0 && n != e.results {
					t.Errorf("%d findings in %d runs, manifest says %d", n, len(runs), e.results)
				}
				files++
				results += n
			default:
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("ReadFile: got %v, want a *DecodeError", err)
				}
				if !strings.Contains(err.Error(), e.path) || de.File != e.path {
					t.Errorf("error %q does not name the file %s", err, e.path)
				}
				if e.version == "1.0.0" && !errors.Is(err, ErrUnsupportedVersion) {
					t.Errorf("SARIF 1.0: got %v, want ErrUnsupportedVersion", err)
				}
				t.Logf("error, as expected: %v", err)
			}
		})
	}
	t.Logf("corpus: %d valid SARIF files read, %d results", files, results)
}
