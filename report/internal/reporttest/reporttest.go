// Package reporttest gives the report formats' tests one real report: the
// recorded scan of examples/vulnerable-app (report/testdata), run through
// the engine with one ignore entry and a baseline, so that every format
// meets suppressed, new and unchanged findings, merged reports and code.
package reporttest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/aggregate/baseline"
	"github.com/scanmux/scanmux/aggregate/suppress"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/sarif"
)

// Update is the -update flag of every format's golden tests.
var Update = flag.Bool("update", false, "rewrite the golden files in testdata")

// RepoRoot is the module's root directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// AppRoot is examples/vulnerable-app, the scanned tree.
func AppRoot() string { return filepath.Join(RepoRoot(), "examples", "vulnerable-app") }

// Recording is the scan's SARIF log (full profile), written by
//
//	cd examples/vulnerable-app && scanmux scan -q --output-profile full -o ../../report/testdata/vulnerable-app.sarif .
func Recording() string {
	return filepath.Join(RepoRoot(), "report", "testdata", "vulnerable-app.sarif")
}

// Ignore is the ignore section the report is filtered with: it suppresses
// the Dockerfile's findings of scanmux-iac with a reason.
const Ignore = `ignore:
  - tool: scanmux-iac
    path: Dockerfile
    reason: "base image pinned by the platform team <see SEC-12>"
`

// Started is the fixed start time of the report's run in Options.
var Started = time.Date(2026, 12, 7, 22, 11, 0, 0, time.UTC)

// VulnerableApp runs the recording through the engine: the ignore entry
// suppresses the Dockerfile's scanmux-iac findings, and a baseline made of
// the same scan without tfsec's findings marks tfsec's new and the others
// unchanged. The gate fails on high. Options carry the tree's root.
func VulnerableApp(t testing.TB) (*aggregate.Report, *report.Options) {
	t.Helper()
	root := AppRoot()
	gate := aggregate.Gate{FailOn: finding.SeverityHigh}
	first := run(t, root, nil, gate)
	// The baseline: the first run's SARIF without tfsec's run.
	var runs []sarif.Run
	for _, r := range first.Runs() {
		if r.Tool.Name != "tfsec" {
			runs = append(runs, r)
		}
	}
	var buf bytes.Buffer
	if _, err := sarif.Write(&buf, runs, &sarif.WriteOptions{Root: root, Profile: sarif.ProfileFull, Limits: &sarif.Limits{}}); err != nil {
		t.Fatal(err)
	}
	bpath := filepath.Join(t.TempDir(), "baseline.sarif")
	if err := os.WriteFile(bpath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := baseline.Load(bpath, root)
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, root, b, gate)
	return r, &report.Options{Root: root, Started: Started, Finished: Started.Add(24 * time.Second), Version: "v0.0.0-test", Gate: gate}
}

func run(t testing.TB, root string, b aggregate.Baseline, gate aggregate.Gate) *aggregate.Report {
	t.Helper()
	ig, err := suppress.ParseIgnore("ignore.yaml", []byte(Ignore), Started)
	if err != nil {
		t.Fatal(err)
	}
	opts := &aggregate.Options{Root: root, Filters: []aggregate.Filter{suppress.NewInline(root), ig}, Gate: gate}
	if b != nil {
		opts.Baseline = b
	}
	r, err := aggregate.Run(context.Background(), []aggregate.Source{recording(t, root)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 {
		t.Fatal("the recording gave no findings")
	}
	return r
}

// recordedRoot is the %SRCROOT% the recording was made with: the
// directory it was scanned in, on the machine that recorded it.
const recordedRoot = "file:///work/main/examples/vulnerable-app/"

// recording is the recording as a source named by its path in the module
// (the same on every machine), with
// its %SRCROOT% pointed at this checkout's examples/vulnerable-app, so that
// it reads the same in any clone (its paths would otherwise point outside
// the root and be dropped).
func recording(t testing.TB, root string) aggregate.Source {
	t.Helper()
	data, err := os.ReadFile(Recording())
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	here := strconv.Quote("file://" + filepath.ToSlash(abs) + "/")
	if !bytes.Contains(data, []byte(strconv.Quote(recordedRoot))) {
		t.Fatalf("%s: no %%SRCROOT%% %s (re-recorded elsewhere? update recordedRoot)", Recording(), recordedRoot)
	}
	data = bytes.ReplaceAll(data, []byte(strconv.Quote(recordedRoot)), []byte(here))
	p := filepath.Join(t.TempDir(), "vulnerable-app.sarif")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return &namedSource{Source: aggregate.SARIFFile(p, root), name: "import:report/testdata/vulnerable-app.sarif"}
}

// namedSource is a source under another name.
type namedSource struct {
	aggregate.Source
	name string
}

func (s *namedSource) Name() string { return s.name }

// Warnings implements aggregate.Warner.
func (s *namedSource) Warnings() []string {
	if w, ok := s.Source.(aggregate.Warner); ok {
		return w.Warnings()
	}
	return nil
}

// Golden compares got with testdata/NAME, or writes it with -update.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *Update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it); got:\n%s", path, got)
	}
}
