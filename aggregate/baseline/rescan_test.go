package baseline_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/aggregate/baseline"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/scanners/registry"
)

// realDir holds the real recordings of many tools on one sample tree
// (testdata/real/README.md).
const realDir = "../../testdata/real"

// realRecordedRoot is where testdata/real/tree was when the recordings
// were made: their absolute paths start with it.
const realRecordedRoot = "/work/main/testdata/real/tree"

// realSources returns a source per recording that the truth set of
// testdata/real/truth.yaml reads (every tool's native report), with the
// tree's root; recordings are rewritten under dir when this checkout is
// not where they were made.
func realSources(t *testing.T, dir string) ([]aggregate.Source, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(realDir, "truth.yaml"))
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	var truth struct {
		Recordings []string `yaml:"recordings"`
	}
	if err := yaml.Unmarshal(data, &truth); err != nil || len(truth.Recordings) == 0 {
		t.Fatalf("truth.yaml: %v (%d recordings)", err, len(truth.Recordings))
	}
	root, err := filepath.Abs(filepath.Join(realDir, "tree"))
	if err != nil {
		t.Fatal(err)
	}
	var srcs []aggregate.Source
	for _, name := range truth.Recordings {
		p := filepath.Join(realDir, "out", name)
		if root != realRecordedRoot {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			p = filepath.Join(dir, strings.ReplaceAll(name, "/", "_"))
			if err := os.WriteFile(p, bytes.ReplaceAll(data, []byte(realRecordedRoot), []byte(filepath.ToSlash(root))), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		srcs = append(srcs, &registry.Source{Path: p, Root: root})
	}
	return srcs, root
}

// TestRescanUnchanged runs the real recordings of 19 tools through the
// engine twice, the second time with the first run's SARIF as baseline,
// as "scanmux merge --baseline previous.sarif" on an unchanged tree: every
// finding must be unchanged and none absent, although the log holds text
// scanmux itself added (the "Also reported by" sentence of merged
// findings, " (at URL)" of findings attached to a fallback file).
func TestRescanUnchanged(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sarif.WriteOptions
	}{
		{"full profile", sarif.WriteOptions{Profile: sarif.ProfileFull}},
		{"github profile", sarif.WriteOptions{Profile: sarif.ProfileGitHub, FallbackPath: "README.md"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			srcs, root := realSources(t, dir)
			first, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{Root: root})
			if err != nil {
				t.Fatal(err)
			}
			merged := 0
			for _, f := range first.Findings {
				if len(f.Also) > 0 {
					merged++
				}
			}
			if merged == 0 {
				t.Fatal("no finding was merged with another tool's: the test would prove nothing")
			}
			opts := tc.opts
			opts.Root = root
			var buf, suppressed bytes.Buffer
			if opts.Profile == sarif.ProfileGitHub {
				opts.SuppressedOut = &suppressed
			}
			if _, err := sarif.Write(&buf, first.Runs(), &opts); err != nil {
				t.Fatal(err)
			}
			logPath := filepath.Join(dir, "previous.sarif")
			if err := os.WriteFile(logPath, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			base, err := baseline.Load(logPath, root)
			if err != nil {
				t.Fatal(err)
			}
			second, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{Root: root, Baseline: base})
			if err != nil {
				t.Fatal(err)
			}
			counts := map[finding.BaselineState]int{}
			for _, f := range second.Findings {
				counts[f.Baseline]++
				if f.Baseline != finding.BaselineUnchanged {
					t.Errorf("%s: %s %s %s:%d %q (also %d)", f.Baseline, f.Tool.Name, f.Rule.ID, f.Location.Path, f.Location.Region.StartLine, f.Message, len(f.Also))
				}
			}
			for _, f := range second.Absent {
				t.Errorf("absent: %s %s %s:%d %q", f.Tool.Name, f.Rule.ID, f.Location.Path, f.Location.Region.StartLine, f.Message)
			}
			t.Logf("%d findings (%d merged across tools): %v, %d absent", len(second.Findings), merged, counts, len(second.Absent))
		})
	}
}

// TestChangedScanmuxText checks that what scanmux adds to a finding in its
// log is not a change: the "Also reported by" sentence of a merged
// finding (even when the log's result no longer lists the merged reports,
// from which the reader knows to remove it) and the severity of a tool
// that rates on a number scale, which the reader takes back as a score.
func TestChangedScanmuxText(t *testing.T) {
	merged := gosec("G404", finding.SeverityHigh, "Use of weak random number generator", 15)
	merged.Also = []finding.Report{{Tool: finding.Tool{Name: "semgrep"}, RuleID: "go.lang.security.audit.crypto.math_random", Severity: finding.SeverityMedium}}
	scored := &finding.Finding{
		Tool:             finding.Tool{Name: "flawfinder"},
		Rule:             finding.Rule{ID: "FF1001"},
		Message:          "Does not check for buffer overflows (CWE-120).",
		Category:         finding.CategorySAST,
		Severity:         finding.SeverityHigh,
		OriginalSeverity: "4",
		Location:         finding.Location{Path: "app.go", Region: finding.Region{StartLine: 11}},
	}
	identify(t, []*finding.Finding{merged, scored}, rootV1)
	var buf bytes.Buffer
	runs := []sarif.Run{{Tool: merged.Tool, Findings: []*finding.Finding{merged}}, {Tool: scored.Tool, Findings: []*finding.Finding{scored}}}
	if _, err := sarif.Write(&buf, runs, &sarif.WriteOptions{Root: rootV1, Profile: sarif.ProfileFull}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	logPath := filepath.Join(t.TempDir(), "previous.sarif")
	if !bytes.Contains(data, []byte(strings.ReplaceAll(baseline.AlsoReportedHead, "\n", `\n`))) {
		t.Fatalf("the writer no longer appends %q to merged findings; update alsoReportedHead:\n%s", baseline.AlsoReportedHead, data)
	}
	// The same log without the list of merged reports.
	stripped := bytes.ReplaceAll(data, []byte(`"`+sarif.AlsoReportedProperty+`"`), []byte(`"x-removed"`))
	if err := os.WriteFile(logPath, stripped, 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := baseline.Load(logPath, rootV1)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range base.Findings() {
		if f.Tool.Name == "gosec" && !strings.Contains(f.Message, "Also reported by") {
			t.Fatalf("the reader removed the sentence without the list (%q): this test no longer checks Compare", f.Message)
		}
		if f.Tool.Name == "flawfinder" && f.Severity == finding.SeverityHigh {
			t.Logf("the reader gives flawfinder's severity back now: logSeverity may go")
		}
	}
	again := identify(t, []*finding.Finding{merged.Clone(), scored.Clone()}, rootV1)
	if absent := base.Compare(again); len(absent) != 0 {
		t.Errorf("%d absent, want 0", len(absent))
	}
	for _, f := range again {
		if f.Baseline != finding.BaselineUnchanged {
			t.Errorf("%s %s: %s, want unchanged", f.Tool.Name, f.Rule.ID, f.Baseline)
		}
	}
}
