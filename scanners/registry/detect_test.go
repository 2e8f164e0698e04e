package registry_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/registry"
)

// importAll imports path with a detected format and returns its findings.
func importAll(t *testing.T, path, root string) ([]finding.Tool, []*finding.Finding, error) {
	t.Helper()
	var fs []*finding.Finding
	tools, err := registry.Import(path, "", root, func(f *finding.Finding) error {
		fs = append(fs, f)
		return nil
	})
	return tools, fs, err
}

// gosec's SARIF writes "runs" first and "version" last: a log larger than
// the detection head is SARIF all the same (it was "unknown report
// format").
func TestDetectSARIFMembersLast(t *testing.T) {
	const path = "testdata/gosec-2.30.0-xnet.sarif"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) <= scanners.DetectBytes || bytes.Contains(data[:scanners.DetectBytes], []byte(`"version"`)) {
		t.Fatalf("%s no longer has its version beyond the first %d bytes", path, scanners.DetectBytes)
	}
	if _, err := registry.Detect(path, data[:scanners.DetectBytes]); !errors.Is(err, registry.ErrUnknownFormat) {
		t.Fatalf("the head alone decides (%v): the test no longer tests reading on", err)
	}
	tools, fs, err := importAll(t, path, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 140 || len(tools) != 1 || !strings.EqualFold(tools[0].Name, "gosec") {
		t.Fatalf("got %d findings of %v, want 140 of gosec", len(fs), tools)
	}

	// Compressed, under any name.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	for _, name := range []string{"gosec.sarif.gz", "gosec.sarif"} {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, gz.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, fs, err := importAll(t, p, ""); err != nil || len(fs) != 140 {
			t.Errorf("%s (gzip): %d findings, %v; want 140", name, len(fs), err)
		}
	}
}

// A log cut short says so, with the byte where it ends, instead of
// "unknown report format".
func TestDetectTruncated(t *testing.T) {
	data, err := os.ReadFile("testdata/gosec-2.30.0-xnet.sarif")
	if err != nil {
		t.Fatal(err)
	}
	cut := data[:len(data)*3/4]
	p := filepath.Join(t.TempDir(), "truncated.sarif")
	if err := os.WriteFile(p, cut, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = importAll(t, p, "")
	if !errors.Is(err, registry.ErrTruncated) || errors.Is(err, registry.ErrUnknownFormat) {
		t.Fatalf("got %v, want ErrTruncated", err)
	}
	if !strings.Contains(err.Error(), "truncated.sarif") || !strings.Contains(err.Error(), "truncated JSON at byte") {
		t.Errorf("message %q does not name the file and the byte", err)
	}
}

// A JSON object that is no known report names its members.
func TestDetectUnknownObject(t *testing.T) {
	p := filepath.Join(t.TempDir(), "other.json")
	big := `{"items":[` + strings.Repeat(`"xxxxxxxxxxxxxxxx",`, scanners.DetectBytes/16) + `"x"],"kind":"list"}`
	if err := os.WriteFile(p, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := importAll(t, p, "")
	if !errors.Is(err, registry.ErrUnknownFormat) || !strings.Contains(err.Error(), `"items", "kind"`) {
		t.Fatalf("got %v", err)
	}
}

// SARIF 1.0 (the corpus's real Roslyn /errorlog) is read, converted to
// 2.1.0 in memory, instead of "unsupported SARIF version".
func TestImportSARIF1(t *testing.T) {
	p := filepath.Join(corpus, "roslyn", "roslyn-errorlog-sarif-v1.0.0.sarif")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("../shared is missing (%v): the corpus tests run in CI, which has it", err)
	}
	tools, fs, err := importAll(t, p, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) == 0 || len(tools) != 1 {
		t.Fatalf("%d findings of %v", len(fs), tools)
	}
	for _, f := range fs {
		if f.Rule.ID == "" || f.Tool.Name == "" {
			t.Errorf("finding without rule or tool: %+v", f)
		}
	}
	t.Logf("%s: %d findings of %s %s", filepath.Base(p), len(fs), tools[0].Name, tools[0].Version)
}

// An SBOM is said to be one, with its format and version.
func TestImportSBOMSaysSo(t *testing.T) {
	// cyclonedx-gomod's BOM of a module: components, no vulnerabilities.
	p := filepath.Join("..", "sbom", "testdata", "cyclonedx-gomod-1.10.0-cdx1.5.json")
	_, _, err := importAll(t, p, "")
	if err == nil || !strings.Contains(err.Error(), "this is an SBOM (CycloneDX") || !strings.Contains(err.Error(), "not a findings report") {
		t.Fatalf("got %v, want an error saying the file is an SBOM", err)
	}
}

// A gosec SARIF of more than 10 MB (the real log's results repeated, in
// gosec's member order: runs first, version last) is detected and read
// whole, streaming.
func TestDetectLargeSARIFMembersLast(t *testing.T) {
	data, err := os.ReadFile("testdata/gosec-2.30.0-xnet.sarif")
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []json.RawMessage `json:"results"`
			Tool    json.RawMessage   `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("%v (%d runs)", err, len(log.Runs))
	}
	var b bytes.Buffer
	b.WriteString(`{"runs":[{"results":[`)
	n := 0
	for b.Len() < 11<<20 {
		for _, r := range log.Runs[0].Results {
			if n > 0 {
				b.WriteByte(',')
			}
			b.Write(r)
			n++
		}
	}
	b.WriteString(`],"tool":`)
	b.Write(log.Runs[0].Tool)
	b.WriteString(`}],"$schema":"https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json","version":"2.1.0"}`)
	p := filepath.Join(t.TempDir(), "big.sarif")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tools, fs, err := importAll(t, p, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != n || len(tools) != 1 || tools[0].Name != "gosec" {
		t.Fatalf("%d MB: %d findings of %v, want %d of gosec", b.Len()>>20, len(fs), tools, n)
	}
}

// Every recording of a real tool is detected as its tool's format: the
// tool a report names is the tool that wrote it (an osv-scanner BOM, which
// names no tool, is the cyclonedx adapter's).
func TestRecordingsDetected(t *testing.T) {
	for _, r := range recordings(t) {
		if !readable(r) {
			continue
		}
		tools, _, err := importAll(t, rec(r.file), treeRoot(t))
		if err != nil {
			t.Errorf("%s: %v", r.file, err)
			continue
		}
		want := r.tool
		if r.tool == "osv-scanner" && r.format == "cyclonedx" {
			want = "cyclonedx"
		}
		if len(tools) != 1 || tools[0].Name != want {
			t.Errorf("%s: read as %v, want %s", r.file, tools, want)
		}
	}
}
