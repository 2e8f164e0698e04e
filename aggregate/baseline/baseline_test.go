package baseline_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/aggregate/baseline"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
)

var (
	rootV1 = filepath.Join("testdata", "v1")
	rootV2 = filepath.Join("testdata", "v2")
)

// gosec returns a gosec finding of app.go.
func gosec(rule string, sev finding.Severity, msg string, line int) *finding.Finding {
	return &finding.Finding{
		Tool:     finding.Tool{Name: "gosec", Version: "2.30.0"},
		Rule:     finding.Rule{ID: rule},
		Message:  msg,
		Category: finding.CategorySAST,
		Severity: sev,
		Location: finding.Location{Path: "app.go", Region: finding.Region{StartLine: line, StartColumn: 9}},
	}
}

// scanV1 and scanV2 are what gosec reports on testdata/v1 and v2: code
// was inserted above every finding; Roll's finding got a higher severity
// and Open's a new message; Run's line was edited; Parse is new.
func scanV1() []*finding.Finding {
	return []*finding.Finding{
		gosec("G401", finding.SeverityMedium, "Use of weak cryptographic primitive", 11),
		gosec("G404", finding.SeverityMedium, "Use of weak random number generator", 15),
		gosec("G204", finding.SeverityMedium, "Subprocess launched with variable", 19),
		gosec("G304", finding.SeverityMedium, "Potential file inclusion via variable", 23),
	}
}

func scanV2() []*finding.Finding {
	return []*finding.Finding{
		gosec("G401", finding.SeverityMedium, "Use of weak cryptographic primitive", 15),
		gosec("G404", finding.SeverityHigh, "Use of weak random number generator", 19),
		gosec("G204", finding.SeverityMedium, "Subprocess launched with variable", 23),
		gosec("G304", finding.SeverityMedium, "Potential file inclusion via variable p", 27),
		gosec("G115", finding.SeverityHigh, "integer overflow conversion int -> int32", 32),
	}
}

// writeLog writes fs, scanned under root, as a SARIF log and returns its
// path.
func writeLog(t *testing.T, fs []*finding.Finding, root string, opts *sarif.WriteOptions) string {
	t.Helper()
	var o sarif.WriteOptions
	if opts != nil {
		o = *opts
	}
	o.Root = root
	run := sarif.Run{Tool: fs[0].Tool, Findings: fs}
	var buf bytes.Buffer
	if _, err := sarif.Write(&buf, []sarif.Run{run}, &o); err != nil {
		t.Fatalf("sarif.Write: %v", err)
	}
	p := filepath.Join(t.TempDir(), "baseline.sarif")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func identify(t *testing.T, fs []*finding.Finding, root string) []*finding.Finding {
	t.Helper()
	if err := aggregate.Identify(fs, root); err != nil {
		t.Fatal(err)
	}
	return fs
}

// states returns "rule state" for each finding.
func states(fs []*finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule.ID+" "+string(f.Baseline))
	}
	return out
}

var wantV2 = []string{
	"G401 unchanged", // moved down 4 lines
	"G404 updated",   // severity raised
	"G204 new",       // its line was edited
	"G304 updated",   // message changed
	"G115 new",
}

// TestCompareTwoScans compares the second scan with the first one's log,
// written by sarif.Write, as the engine would.
func TestCompareTwoScans(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts *sarif.WriteOptions
	}{
		{"github profile", nil},
		{"full profile", &sarif.WriteOptions{Profile: sarif.ProfileFull}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logPath := writeLog(t, identify(t, scanV1(), rootV1), rootV1, tc.opts)
			base, err := baseline.Load(logPath, rootV2)
			if err != nil {
				t.Fatal(err)
			}
			if len(base.Findings()) != 4 {
				t.Fatalf("baseline has %d findings, want 4", len(base.Findings()))
			}
			cur := identify(t, scanV2(), rootV2)
			absent := base.Compare(cur)
			if want, got := wantV2, states(cur); !slices.Equal(want, got) {
				t.Errorf("states: got %q, want %q", got, want)
			}
			if want, got := []string{"G204 absent"}, states(absent); !slices.Equal(want, got) {
				t.Errorf("absent: got %q, want %q", got, want)
			}
			if got := absent[0].Location.Region.StartLine; got != 19 {
				t.Errorf("absent finding at line %d, want 19 (its place in the baseline)", got)
			}

			// The baseline is not modified: comparing again gives the same.
			for _, f := range base.Findings() {
				if f.Baseline != "" {
					t.Errorf("baseline finding %s marked %q", f.Rule.ID, f.Baseline)
				}
			}
			again := identify(t, scanV2(), rootV2)
			if want, got := states(absent), states(base.Compare(again)); !slices.Equal(want, got) {
				t.Errorf("second Compare: got %q, want %q", got, want)
			}
		})
	}
}

// TestCompareWithoutIdentity compares with a log that has no scanmux/v1
// fingerprints (another tool's, or an older scanmux's): findings match by
// tool, rule, path and primaryLocationLineHash, which the writer computed
// from the v1 sources and Compare computes from the v2 sources. That hash
// covers the 100 non-blank characters from the start of the line, so it
// only survives when the next lines are unchanged too: G401 moved with
// its context; G404 is followed by the edited G204 line and G304 by the
// new function Parse, so both look new (scanmux/v1 keeps them).
func TestCompareWithoutIdentity(t *testing.T) {
	logPath := writeLog(t, scanV1(), rootV1, nil)
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(finding.FingerprintScanmuxV1)) || !bytes.Contains(data, []byte(finding.FingerprintLineHash)) {
		t.Fatalf("the log should have line hashes and no scanmux/v1:\n%s", data)
	}
	base, err := baseline.Load(logPath, rootV2)
	if err != nil {
		t.Fatal(err)
	}
	cur := identify(t, scanV2(), rootV2)
	absent := base.Compare(cur)
	if want, got := []string{"G401 unchanged", "G404 new", "G204 new", "G304 new", "G115 new"}, states(cur); !slices.Equal(want, got) {
		t.Errorf("states: got %q, want %q", got, want)
	}
	if want, got := []string{"G404 absent", "G204 absent", "G304 absent"}, states(absent); !slices.Equal(want, got) {
		t.Errorf("absent: got %q, want %q", got, want)
	}

	// The current findings' own line hashes are used when they have them.
	for _, f := range cur {
		f.Fingerprints = map[string]string{finding.FingerprintLineHash: "0:1"}
	}
	if absent := base.Compare(cur); len(absent) != 4 || cur[0].Baseline != finding.BaselineNew {
		t.Errorf("with other line hashes: %d absent and G401 %s, want 4 absent and G401 new", len(absent), cur[0].Baseline)
	}

	// Without a root, nothing can be hashed: everything is new.
	base, err = baseline.Load(logPath, "")
	if err != nil {
		t.Fatal(err)
	}
	cur = identify(t, scanV2(), rootV2)
	if got := len(base.Compare(cur)); got != 4 {
		t.Errorf("no root: %d absent, want 4", got)
	}
}

// TestCompareWebFinding checks a finding without a file: the GitHub
// profile attaches it to the fallback file and appends " (at URL)" to its
// message, which does not count as a change.
func TestCompareWebFinding(t *testing.T) {
	zap := func(url string) *finding.Finding {
		return &finding.Finding{
			Tool:     finding.Tool{Name: "zap"},
			Rule:     finding.Rule{ID: "40012"},
			Message:  "Cross Site Scripting (Reflected)",
			Category: finding.CategoryDAST,
			Severity: finding.SeverityHigh,
			Location: finding.Location{Web: &finding.Web{URL: url, Method: "GET", Parameter: "q"}},
		}
	}
	logPath := writeLog(t, identify(t, []*finding.Finding{zap("https://staging.example.com/search?q=1")}, rootV1),
		rootV1, &sarif.WriteOptions{FallbackPath: "app.go"})
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(" (at https://staging.example.com/search?q=1)")) {
		t.Fatalf("the writer no longer appends the URL to the message; update this test:\n%s", data)
	}
	base, err := baseline.Load(logPath, rootV2)
	if err != nil {
		t.Fatal(err)
	}
	cur := identify(t, []*finding.Finding{zap("https://staging.example.com/search?q=2")}, rootV2)
	if absent := base.Compare(cur); len(absent) != 0 || cur[0].Baseline != finding.BaselineUnchanged {
		t.Errorf("state %q, %d absent; want unchanged, 0 absent", cur[0].Baseline, len(absent))
	}
}

// TestCompareDuplicates checks that each baseline finding matches one
// current finding at most, and that nil findings are skipped.
func TestCompareDuplicates(t *testing.T) {
	logPath := writeLog(t, identify(t, scanV1()[:1], rootV1), rootV1, nil)
	base, err := baseline.Load(logPath, rootV1)
	if err != nil {
		t.Fatal(err)
	}
	a := identify(t, scanV1()[:1], rootV1)[0]
	b := a.Clone() // the same identity twice: the engine never does this
	if absent := base.Compare([]*finding.Finding{nil, a, b}); len(absent) != 0 {
		t.Errorf("%d absent, want 0", len(absent))
	}
	if a.Baseline != finding.BaselineUnchanged || b.Baseline != finding.BaselineNew {
		t.Errorf("states %q, %q; want unchanged, new", a.Baseline, b.Baseline)
	}
}

// TestLoadErrors checks that errors name the file and keep their cause.
func TestLoadErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.sarif")
	_, err := baseline.Load(missing, "")
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: error %v, want fs.ErrNotExist naming %s", err, missing)
	}

	bad := filepath.Join(t.TempDir(), "bad.sarif")
	if err := os.WriteFile(bad, []byte(`{"version": "2.1.0", "runs": [{"tool": 3}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = baseline.Load(bad, "")
	var de *sarif.DecodeError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), bad) {
		t.Errorf("malformed log: error %v, want a *sarif.DecodeError naming %s", err, bad)
	}

	old := filepath.Join(t.TempDir(), "old.sarif")
	if err := os.WriteFile(old, []byte(`{"version": "1.0.0", "runs": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err = baseline.Load(old, ""); !errors.Is(err, sarif.ErrUnsupportedVersion) {
		t.Errorf("SARIF 1.0: error %v, want sarif.ErrUnsupportedVersion", err)
	}
}

// TestCompareOtherTool compares with another tool's log: absolute file
// URIs and no fingerprints. Paths under the root are made relative, and
// findings match by place and message.
func TestCompareOtherTool(t *testing.T) {
	abs, err := filepath.Abs(rootV2)
	if err != nil {
		t.Fatal(err)
	}
	uri := "file://" + filepath.ToSlash(abs) + "/app.go"
	log := `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "gosec"}}, "results": [
		{"ruleId": "G401", "level": "warning", "message": {"text": "Use of weak cryptographic primitive"},
		 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "` + uri + `"}, "region": {"startLine": 15}}}]},
		{"ruleId": "G404", "level": "warning", "message": {"text": "Use of weak random number generator"},
		 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///elsewhere/app.go"}, "region": {"startLine": 19}}}]}
	]}]}`
	p := filepath.Join(t.TempDir(), "other.sarif")
	if err := os.WriteFile(p, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := baseline.Load(p, rootV2)
	if err != nil {
		t.Fatal(err)
	}
	if got := base.Findings()[0].Location; got.Path != "app.go" || got.Region.StartLine != 15 {
		t.Fatalf("absolute location under the root read as %+v, want app.go line 15", got)
	}
	cur := identify(t, scanV2()[:2], rootV2)
	absent := base.Compare(cur)
	if want, got := []string{"G401 unchanged", "G404 new"}, states(cur); !slices.Equal(want, got) {
		t.Errorf("states: got %q, want %q", got, want)
	}
	if want, got := []string{"G404 absent"}, states(absent); !slices.Equal(want, got) {
		t.Errorf("absent: got %q, want %q", got, want)
	}
}
