package govulncheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
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
// and, at the symbol level, the last frame's position.
func expectedCount(t *testing.T, b []byte) int {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	deepest := map[string]int{}
	keys := map[string]map[string]bool{}
	for {
		var m map[string]map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		f, ok := m["finding"]
		if !ok {
			continue
		}
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
			k += fmt.Sprint(trace[len(trace)-1].(map[string]any)["position"])
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
