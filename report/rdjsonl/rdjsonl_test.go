package rdjsonl_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/internal/reporttest"
	"github.com/scanmux/scanmux/report/rdjsonl"
)

func TestVulnerableApp(t *testing.T) {
	r, o := reporttest.VulnerableApp(t)
	f, err := report.Lookup("rdjsonl")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	reporttest.Golden(t, "vulnerable-app.rdjsonl", buf.Bytes())

	// One line per unsuppressed finding with a file; by severity as Counts.
	want, bySev := 0, map[string]int{}
	for _, f := range r.Findings {
		if !f.Suppressed() && f.Location.Path != "" {
			want++
			bySev[rdjsonl.Severity(f.Severity)]++
		}
	}
	if want != r.Counts.Findings {
		t.Logf("%d of %d findings have no file", r.Counts.Findings-want, r.Counts.Findings)
	}
	got := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
	n := 0
	for sc.Scan() {
		var d rdjsonl.Diagnostic
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if d.Location.Path == "" || d.Location.Range == nil || d.Location.Range.Start.Line < 1 || d.Message == "" || d.Source == nil {
			t.Errorf("line %d: incomplete diagnostic %s", n+1, sc.Text())
		}
		got[d.Severity]++
		n++
	}
	if n != want || n == 0 {
		t.Errorf("%d diagnostics, want %d (Counts.Findings %d, %d suppressed)", n, want, r.Counts.Findings, r.Counts.Suppressed)
	}
	for s, k := range bySev {
		if got[s] != k {
			t.Errorf("%s: %d diagnostics, want %d", s, got[s], k)
		}
	}

	// reviewdog itself reads them: it parses each line and writes them
	// back as one rdjson document, the same diagnostics.
	rd, err := exec.LookPath("reviewdog")
	if err != nil {
		if rd = filepath.Join(os.Getenv("HOME"), "go", "bin", "reviewdog"); !exists(rd) {
			t.Skip("reviewdog is not installed (go install github.com/reviewdog/reviewdog/cmd/reviewdog@v0.21.0); .ci/run installs it")
		}
	}
	cmd := exec.Command(rd, "-f=rdjsonl", "-reporter=rdjson", "-filter-mode=nofilter", "-fail-level=none")
	cmd.Dir = reporttest.AppRoot()
	cmd.Stdin = bytes.NewReader(buf.Bytes())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reviewdog: %v\n%s", err, out)
	}
	var res struct{ Diagnostics []rdjsonl.Diagnostic }
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("reviewdog's rdjson: %v\n%s", err, out)
	}
	if len(res.Diagnostics) != want {
		t.Errorf("reviewdog read %d diagnostics, want %d:\n%s", len(res.Diagnostics), want, out)
	}
	for _, d := range res.Diagnostics {
		if d.Location.Range == nil || d.Location.Range.Start.Line < 1 || d.Code == nil || d.Source == nil || d.Severity == "" {
			t.Errorf("reviewdog lost a field: %+v", d)
		}
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }
