package govulncheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// claims says whether the adapter named name must claim the corpus file r:
// the corpus has no govulncheck stream, so none.
func claims(r corpustest.Row, name string) bool { return r.Tool == "govulncheck" }

// TestDetectCorpus checks that Detect claims this tool's native reports (as
// claims says) and nothing else in the corpus, even with the head cut short.
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, claims, Adapters()...) }

// expectedCount computes, with generic JSON code, how many findings a
// stream should give: for each OSV id, the number of distinct findings at
// the deepest level reached (3 when trace[0] has a function, 2 with a
// package, 1 otherwise), where a finding is identified by its whole trace[0]
// and, at the symbol level, the position of the first frame after trace[0]
// whose module is one of the SBOM's roots or the last frame's.
func expectedCount(t *testing.T, b []byte) int {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	deepest := map[string]int{}
	keys := map[string]map[string]bool{}
	var roots []any
	var findings []map[string]any
	for {
		var m map[string]map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if sbom, ok := m["SBOM"]; ok {
			roots, _ = sbom["roots"].([]any)
		}
		if f, ok := m["finding"]; ok {
			findings = append(findings, f)
		}
	}
	for _, f := range findings {
		id := f["osv"].(string)
		trace := f["trace"].([]any)
		t0 := trace[0].(map[string]any)
		lv := 1
		if t0["function"] != nil {
			lv = 3
		} else if t0["package"] != nil {
			lv = 2
		}
		k := fmt.Sprint(t0["module"], t0["package"], t0["receiver"], t0["function"])
		if lv == 3 {
			last := trace[len(trace)-1].(map[string]any)
			site := last
			for _, fr := range trace[1:] {
				mod := fr.(map[string]any)["module"]
				if mod == last["module"] || slices.Contains(roots, mod) {
					site = fr.(map[string]any)
					break
				}
			}
			k += fmt.Sprint(site["position"])
		}
		if lv > deepest[id] {
			deepest[id] = lv
			keys[id] = map[string]bool{}
		}
		if lv == deepest[id] {
			keys[id][k] = true
		}
	}
	n := 0
	for _, k := range keys {
		n += len(k)
	}
	return n
}

// TestTestdata decodes the real govulncheck v1.9.0 streams of the three
// scan levels in testdata.
func TestTestdata(t *testing.T) {
	for _, level := range []string{"symbol", "package", "module"} {
		t.Run(level, func(t *testing.T) {
			path := "testdata/govulncheck-v1.9.0-" + level + ".json"
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !(Adapter{}).Detect(b) {
				t.Error("Detect false")
			}
			tool, got := corpustest.DecodeFile(t, Adapter{}, path, nil)
			if tool.Name != "govulncheck" || tool.Version != "v1.9.0" {
				t.Errorf("tool %+v", tool)
			}
			if want := expectedCount(t, b); len(got) != want || want != 3 {
				t.Errorf("%d findings, want %d (and 3)", len(got), want)
			}
			for _, f := range got {
				if f.Category != finding.CategoryDependency || f.Location.Package.Name != "golang.org/x/net" ||
					f.Location.Package.Version != "v0.7.0" || f.Location.Package.Ecosystem != "Go" ||
					f.Location.Package.PURL != "pkg:golang/golang.org/x/net@v0.7.0" || f.OriginalSeverity != "" {
					t.Errorf("%s: %+v %+v", f.Rule.ID, f, f.Location.Package)
				}
			}
		})
	}
}

// TestSpot checks the symbol-level stream's findings field by field.
func TestSpot(t *testing.T) {
	_, got := corpustest.DecodeFile(t, Adapter{}, "testdata/govulncheck-v1.9.0-symbol.json", nil)
	by := map[string]*finding.Finding{}
	for _, f := range got {
		by[f.Rule.ID] = f
	}
	s := by["GO-2024-3333"]
	if s == nil || s.Severity != finding.SeverityHigh || s.Properties["govulncheck.level"] != "symbol" ||
		s.Location.Path != "main.go" || s.Location.Region != (finding.Region{StartLine: 14, StartColumn: 24}) ||
		strings.Join(s.VulnIDs, ",") != "GO-2024-3333,CVE-2024-45338,GHSA-w32m-9786-jp63" ||
		s.Location.Package.FixedVersion != "v0.33.0" || s.Properties["govulncheck.symbol"] != "golang.org/x/net/html.Parse" ||
		s.Rule.HelpURI != "https://pkg.go.dev/vuln/GO-2024-3333" ||
		s.Message != "example.com/vulnmod.main calls golang.org/x/net/html.Parse, which has vulnerability GO-2024-3333: Non-linear parsing of case-insensitive content in golang.org/x/net/html; fixed in v0.33.0" {
		t.Errorf("symbol: %+v", s)
	}
	p := by["GO-2023-1988"]
	if p == nil || p.Severity != finding.SeverityMedium || p.Location.Path != "go.mod" || !p.Location.Region.IsZero() ||
		p.Properties["govulncheck.package"] != "golang.org/x/net/html" {
		t.Errorf("package: %+v", p)
	}
	m := by["GO-2023-2102"]
	if m == nil || m.Severity != finding.SeverityLow || m.Location.Path != "go.mod" || m.Properties["govulncheck.level"] != "module" ||
		m.Location.Package.FixedVersion != "v0.17.0" {
		t.Errorf("module: %+v", m)
	}
}

// TestDedupe checks that a stream repeating its findings gives the same
// findings once.
func TestDedupe(t *testing.T) {
	b, err := os.ReadFile("testdata/govulncheck-v1.9.0-symbol.json")
	if err != nil {
		t.Fatal(err)
	}
	twice := append(append([]byte{}, b...), b...)
	n := 0
	if _, err := (Adapter{}).Decode(bytes.NewReader(twice), "twice.json", nil, func(f *finding.Finding) error {
		n++
		return f.Validate()
	}); err != nil || n != 3 {
		t.Fatalf("%v, %d findings, want 3", err, n)
	}
}

// TestWrongShape checks that streams of other shapes are format errors.
func TestWrongShape(t *testing.T) {
	b, err := os.ReadFile("testdata/govulncheck-v1.9.0-symbol.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"empty":     "",
		"text":      "hello",
		"truncated": string(b[:len(b)-40]),
		"other":     `{"matches": []}`,
		"array":     `[{"config": {}}]`,
	} {
		_, err := Adapter{}.Decode(strings.NewReader(in), name+".json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), name+".json") {
			t.Errorf("%s: err = %v, want a format error naming the file", name, err)
		}
	}
}

// TestCallSite is the regression test for the location of symbol-level
// findings. In testdata/httpmod, main only calls http.ListenAndServe, and
// net/http calls the module's handler, which calls the vulnerable
// html.Parse: govulncheck's trace runs html.Parse <- handleTitle <- eight
// net/http frames <- main. The adapter used to report the finding at
// main's call of ListenAndServe (main.go:41, the trace's last frame); it
// must report it at handleTitle's call of html.Parse (main.go:31), and
// keep the whole trace as related locations.
func TestCallSite(t *testing.T) {
	path := "testdata/govulncheck-v1.9.0-httpmod.json"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, got := corpustest.DecodeFile(t, Adapter{}, path, nil)
	if want := expectedCount(t, b); len(got) != want || want != 3 {
		t.Fatalf("%d findings, want %d (and 3)", len(got), want)
	}
	var s *finding.Finding
	for _, f := range got {
		if f.Rule.ID == "GO-2024-3333" {
			s = f
		}
	}
	if s == nil || s.Properties["govulncheck.level"] != "symbol" {
		t.Fatalf("no symbol-level GO-2024-3333 finding in %v", got)
	}
	if s.Location.Path != "main.go" || s.Location.Region != (finding.Region{StartLine: 31, StartColumn: 24}) {
		t.Errorf("location %s %+v, want main.go 31:24 (handleTitle's call of html.Parse), not 41:31 (main's call of ListenAndServe)",
			s.Location.Path, s.Location.Region)
	}
	if s.Message != "example.com/httpmod.handleTitle calls golang.org/x/net/html.Parse, which has vulnerability GO-2024-3333: "+
		"Non-linear parsing of case-insensitive content in golang.org/x/net/html; fixed in v0.33.0" ||
		s.Properties["govulncheck.entryPoint"] != "example.com/httpmod.main" {
		t.Errorf("message %q, properties %v", s.Message, s.Properties)
	}
	want := []finding.Location{
		{Path: "main.go", Region: finding.Region{StartLine: 41, StartColumn: 31}, Message: "example.com/httpmod.main"},
		{Message: "net/http.ListenAndServe (stdlib@v1.26.8 src/net/http/server.go:3675)"},
		{Message: "net/http.Server.ListenAndServe (stdlib@v1.26.8 src/net/http/server.go:3360)"},
		{Message: "net/http.Server.Serve (stdlib@v1.26.8 src/net/http/server.go:3464)"},
		{Message: "net/http.conn.serve (stdlib@v1.26.8 src/net/http/server.go:2067)"},
		{Message: "net/http.serverHandler.ServeHTTP (stdlib@v1.26.8 src/net/http/server.go:3311)"},
		{Message: "net/http.ServeMux.ServeHTTP (stdlib@v1.26.8 src/net/http/server.go:2828)"},
		{Message: "net/http.HandlerFunc.ServeHTTP (stdlib@v1.26.8 src/net/http/server.go:2286)"},
		{Path: "main.go", Region: finding.Region{StartLine: 31, StartColumn: 24}, Message: "example.com/httpmod.handleTitle"},
		{Message: "golang.org/x/net/html.Parse (golang.org/x/net@v0.7.0 html/parse.go:2343)"},
	}
	if !slices.Equal(s.Related, want) {
		t.Errorf("related:\n%s\nwant:\n%s", locs(s.Related), locs(want))
	}

	// Without the SBOM message, the entry point's module still counts as
	// the main module.
	var noSBOM bytes.Buffer
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var m map[string]json.RawMessage
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if _, ok := m["SBOM"]; ok {
			continue
		}
		line, _ := json.Marshal(m)
		noSBOM.Write(append(line, '\n'))
	}
	_, got = corpustest.Decode(t, Adapter{}, &noSBOM, "nosbom.json", nil)
	for _, f := range got {
		if f.Rule.ID == "GO-2024-3333" && f.Location.Region.StartLine != 31 {
			t.Errorf("without SBOM: %+v", f.Location)
		}
	}
}

// locs formats locations one a line, for failure messages.
func locs(ls []finding.Location) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "  %s %+v %s\n", l.Path, l.Region, l.Message)
	}
	return b.String()
}
