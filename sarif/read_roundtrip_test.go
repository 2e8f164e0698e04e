package sarif

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/scanmux/scanmux/finding"
)

// rdKey is what a round trip must keep of a finding.
func rdKey(f *finding.Finding) string {
	l := f.Location
	if l.Path != "" && l.Region.IsZero() {
		// The writer gives whole-file locations line 1, as GitHub wants.
		l.Region = finding.Region{StartLine: 1, StartColumn: 1, EndLine: 1}
	}
	return fmt.Sprintf("%s|%s|%s|%d:%d-%d:%d", f.Tool.Name, f.Rule.ID, l.Path,
		l.Region.StartLine, l.Region.StartColumn, l.Region.EndLine, l.Region.EndColumn)
}

// rdKeys returns the sorted keys of all findings of runs, and the number
// of findings per tool.
func rdKeys(runs []Run) ([]string, map[string]int) {
	var keys []string
	per := map[string]int{}
	for _, r := range runs {
		for i := range r.Findings {
			keys = append(keys, rdKey(r.Findings[i]))
			per[r.Tool.Name]++
		}
	}
	slices.Sort(keys)
	return keys, per
}

// TestRoundTrip reads every valid corpus file, writes it with ProfileFull
// and no limits, reads the output back and checks that every result is
// kept with its tool, rule and location. The written logs, and the same
// runs written with ProfileGitHub, must pass the SARIF Multitool's
// validator with GitHub's rules (../shared/tools/sarif-validate), run once
// on all of them unless -short.
func TestRoundTrip(t *testing.T) {
	out := os.Getenv("SCANMUX_ROUNDTRIP_DIR") // keep the written logs there
	if out == "" {
		out = t.TempDir()
	}
	var written []string
	for _, e := range rdReadManifest(t) {
		if e.format != "sarif" || e.parse != "json" || e.version != "2.1.0" {
			continue
		}
		name := filepath.Base(e.path)
		runs, err := ReadFile(e.path, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var buf bytes.Buffer
		if _, err := Write(&buf, runs, &WriteOptions{Profile: ProfileFull, Limits: &Limits{}}); err != nil {
			t.Errorf("%s: Write: %v", name, err)
			continue
		}
		p := filepath.Join(out, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		// ProfileFull writes findings without a file as logical locations
		// only, which GitHub's rules reject: validate such logs in their
		// ProfileGitHub form only.
		if rdAllLocated(runs) {
			written = append(written, p)
		}
		var gh bytes.Buffer
		if _, err := Write(&gh, runs, nil); err != nil {
			t.Errorf("%s: Write (ProfileGitHub): %v", name, err)
			continue
		}
		pg := filepath.Join(out, "github-"+name)
		if err := os.WriteFile(pg, gh.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		written = append(written, pg)
		back, err := Read(bytes.NewReader(buf.Bytes()), p, nil)
		if err != nil {
			t.Errorf("%s: reading the written log: %v", name, err)
			continue
		}
		wantKeys, wantPer := rdKeys(runs)
		gotKeys, gotPer := rdKeys(back)
		if !rdEqualMaps(wantPer, gotPer) {
			t.Errorf("%s: findings per tool: got %v, want %v", name, gotPer, wantPer)
		}
		if !slices.Equal(wantKeys, gotKeys) {
			for i := range min(len(wantKeys), len(gotKeys)) {
				if wantKeys[i] != gotKeys[i] {
					t.Errorf("%s: first difference: got %q, want %q", name, gotKeys[i], wantKeys[i])
					break
				}
			}
			if len(wantKeys) != len(gotKeys) {
				t.Errorf("%s: %d results back, want %d", name, len(gotKeys), len(wantKeys))
			}
		}
	}
	if testing.Short() || len(written) == 0 {
		return
	}
	validator := filepath.Join(rdSharedDir, "tools", "sarif-validate")
	if _, err := os.Stat(validator); errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not found", validator)
	}
	cmd := exec.Command(validator, written...)
	b, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		t.Errorf("sarif-validate found errors in the written logs:\n%s", rdTail(string(b), 8000))
	case err != nil:
		t.Skipf("sarif-validate could not run (%v):\n%s", err, rdTail(string(b), 2000))
	default:
		t.Logf("sarif-validate: %d written logs, 0 errors", len(written))
	}
}

// rdAllLocated reports whether every finding of runs has a file.
func rdAllLocated(runs []Run) bool {
	for _, r := range runs {
		for _, f := range r.Findings {
			if f.Location.Path == "" {
				return false
			}
		}
	}
	return true
}

func rdEqualMaps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func rdTail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
