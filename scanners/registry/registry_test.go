package registry_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/registry"
)

const corpus = "../../../shared/corpus"

type row struct {
	path, tool, format, parse string
	results                   int // -1 when unknown
}

func manifest(t *testing.T) []row {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "MANIFEST.tsv"))
	if err != nil {
		t.Skipf("../shared is missing (%v): the corpus tests run in CI, which has it", err)
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		n, err := strconv.Atoi(c[7])
		if err != nil {
			n = -1
		}
		rows = append(rows, row{path: strings.TrimPrefix(c[0], "corpus/"), tool: c[1], format: c[2], parse: c[8], results: n})
	}
	return rows
}

// adapterFor maps the corpus's tool and format to the adapter that must
// claim the file; "" means scanmux has no adapter for it and must not
// claim it.
func adapterFor(r row) string {
	if strings.HasPrefix(r.format, "sarif") {
		return registry.SARIF
	}
	if r.format == "gitlab-sast-json" {
		return "gitlab-sast"
	}
	for _, name := range registry.Formats() {
		if name == r.tool || strings.HasPrefix(name, r.tool+"-") {
			return r.tool // zap-json, zap-xml, semgrep-supply-chain: any of the tool's formats
		}
	}
	return ""
}

// Every corpus report is detected as its own tool's format (or as nothing,
// for tools without an adapter), and reads with every result kept.
func TestCorpusDetectAndImport(t *testing.T) {
	for _, r := range manifest(t) {
		if r.tool == "schema" {
			continue
		}
		t.Run(r.path, func(t *testing.T) {
			path := filepath.Join(corpus, r.path)
			head := readHead(t, path)
			want := adapterFor(r)
			got, err := registry.Detect(path, head)
			switch {
			case r.parse == "INVALID":
				if _, err := registry.Import(path, "", "", func(*finding.Finding) error { return nil }); err == nil || !strings.Contains(err.Error(), path) {
					t.Errorf("Import of a broken file: err = %v; want an error naming it", err)
				}
				return
			case want == "":
				if !errors.Is(err, registry.ErrUnknownFormat) {
					t.Errorf("Detect = %q, %v; want ErrUnknownFormat for a tool without an adapter", got, err)
				}
				return
			case err != nil || (got != want && !strings.HasPrefix(got, want+"-")):
				t.Fatalf("Detect = %q, %v; want %q (or one of its formats)", got, err, want)
			}
			n := 0
			tools, err := registry.Import(path, "", "", func(f *finding.Finding) error {
				n++
				return nil
			})
			// SARIF 1.0 is converted to 2.1.0 and read like any log.
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if len(tools) == 0 {
				t.Error("Import returned no tool")
			}
			// Each adapter's own tests check its counts (some tools count
			// alerts where scanmux has one finding per instance); here, a
			// report with results must yield findings.
			if r.results > 0 && n == 0 {
				t.Errorf("Import read no findings; the manifest counts %d", r.results)
			}
		})
	}
}

func readHead(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, scanners.DetectBytes)
	n, _ := f.Read(head)
	return head[:n]
}

func TestDetectErrors(t *testing.T) {
	if _, err := registry.Detect("x.json", []byte(`{"hello": "world"}`)); !errors.Is(err, registry.ErrUnknownFormat) || !strings.Contains(err.Error(), "x.json") || !strings.Contains(err.Error(), "--format") {
		t.Errorf("Detect(unknown) = %v", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "gosec.json")
	if err := os.WriteFile(p, []byte(`{"Issues": [], "Stats": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := registry.Import(p, "no-such-format", "", func(*finding.Finding) error { return nil }); err == nil || !strings.Contains(err.Error(), "no-such-format") {
		t.Errorf("Import with an unknown --format: %v", err)
	}
	// A forced format that does not fit is an adapter error naming the file.
	if _, err := registry.Import(p, "zap-json", "", func(*finding.Finding) error { return nil }); !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), p) {
		t.Errorf("Import(gosec report as zap-json) = %v; want ErrFormat naming the file", err)
	}
}
