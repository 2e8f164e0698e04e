package baseline_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/aggregate/baseline"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/registry"
)

// realV1Log is a real baseline of an older scanmux: "scanmux merge" of the
// scanmux that wrote scanmux/v1 identities (before v2), default (github)
// profile, on gosec v2.30.0's and staticcheck v0.8.2's (-checks all)
// reports on testdata/v1, which are next to it, with those on testdata/v2.
const realV1Log = "testdata/realv1/scanmux-v1.sarif"

// realV1RecordedDir is where the reports were made: their absolute paths
// start with it.
const realV1RecordedDir = "/work/main/aggregate/baseline/testdata/"

// realV1Run runs the engine on the recorded reports of version v ("v1" or
// "v2") of testdata, with base as the baseline.
func realV1Run(t *testing.T, v string, base aggregate.Baseline) *aggregate.Report {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("testdata", v))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var srcs []aggregate.Source
	for _, name := range []string{"gosec-" + v + ".json", "staticcheck-" + v + ".jsonl"} {
		data, err := os.ReadFile(filepath.Join("testdata", "realv1", name))
		if err != nil {
			t.Fatal(err)
		}
		here := filepath.ToSlash(filepath.Dir(root)) + "/"
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, bytes.ReplaceAll(data, []byte(realV1RecordedDir), []byte(here)), 0o644); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, &registry.Source{Path: p, Root: root})
	}
	rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{Root: root, Baseline: base})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Sources {
		if !s.OK() {
			t.Fatalf("%s: %s %v", s.Name, s.State, s.Err)
		}
	}
	return rep
}

// TestRealV1Baseline uses a baseline written by the scanmux before
// scanmux/v2 (realV1Log): the same scan again, now with scanmux/v2
// identities, is unchanged, and the scan of the edited code gets the
// states its edits call for.
func TestRealV1Baseline(t *testing.T) {
	data, err := os.ReadFile(realV1Log)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"scanmux/v1":"v1:`)) || bytes.Contains(data, []byte("scanmux/v2")) {
		t.Fatalf("%s is not a log of scanmux/v1 identities", realV1Log)
	}

	base, err := baseline.Load(realV1Log, filepath.Join("testdata", "v1"))
	if err != nil {
		t.Fatal(err)
	}
	rep := realV1Run(t, "v1", base)
	if len(rep.Findings) != 5 {
		t.Fatalf("%d findings, want 5", len(rep.Findings))
	}
	for _, f := range rep.Findings {
		if !strings.HasPrefix(f.ID, aggregate.IdentityVersion) {
			t.Errorf("%s: identity %q, want a %s one", f.Rule.ID, f.ID, aggregate.IdentityVersion)
		}
		if f.Baseline != finding.BaselineUnchanged {
			t.Errorf("same code: %s line %d is %s, want unchanged", f.Rule.ID, f.Location.Region.StartLine, f.Baseline)
		}
	}
	if len(rep.Absent) != 0 {
		t.Errorf("same code: %d absent, want 0", len(rep.Absent))
	}

	// testdata/v2: code inserted above everything (an import, a constant),
	// Run's line edited (gosec no longer reports it), Parse added.
	base, err = baseline.Load(realV1Log, filepath.Join("testdata", "v2"))
	if err != nil {
		t.Fatal(err)
	}
	rep = realV1Run(t, "v2", base)
	unchanged := 0
	for _, f := range rep.Findings {
		// Parse's line holds G109 and G115 (one finding or two, as
		// deduplication decides): new; the others moved down: unchanged.
		want := finding.BaselineUnchanged
		if f.Location.Region.StartLine == 32 {
			want = finding.BaselineNew
		} else {
			unchanged++
		}
		if f.Baseline != want {
			t.Errorf("edited code: %s line %d is %s, want %s", f.Rule.ID, f.Location.Region.StartLine, f.Baseline, want)
		}
	}
	if unchanged != 5 || len(rep.Findings) < 6 {
		t.Errorf("edited code: %d findings, %d of them not on Parse's line; want 5 and at least one there", len(rep.Findings), unchanged)
	}
	if len(rep.Absent) != 0 {
		t.Errorf("edited code: %d absent, want 0", len(rep.Absent))
	}
}
