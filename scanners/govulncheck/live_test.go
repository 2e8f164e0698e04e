package govulncheck

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
)

// TestLive runs the real govulncheck, when installed, on testdata/vulnmod
// with the small vulnerability database in testdata/vulndb, and decodes its
// stream. It needs the module proxy (or a module cache holding
// golang.org/x/net v0.7.0) and nothing else from the network.
func TestLive(t *testing.T) {
	out := runGovulncheck(t, "testdata/vulnmod")
	var got []*finding.Finding
	tool, err := Adapter{}.Decode(bytes.NewReader(out), "live.json", nil, func(f *finding.Finding) error {
		got = append(got, f)
		return f.Validate()
	})
	if err != nil {
		t.Fatal(err)
	}
	if tool.Name != "govulncheck" || tool.Version == "" {
		t.Errorf("tool %+v", tool)
	}
	levels := map[string]string{}
	for _, f := range got {
		levels[f.Rule.ID] = f.Properties["govulncheck.level"]
	}
	want := map[string]string{"GO-2024-3333": "symbol", "GO-2023-1988": "package", "GO-2023-2102": "module"}
	for id, lv := range want {
		if levels[id] != lv {
			t.Errorf("%s at level %q, want %q (all: %v)", id, levels[id], lv, levels)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d findings, want %d", len(got), len(want))
	}
}

// TestLiveCallSite runs the real govulncheck, when installed, on
// testdata/httpmod (see TestCallSite) and checks that its symbol-level
// finding is at the handler's call of html.Parse.
func TestLiveCallSite(t *testing.T) {
	out := runGovulncheck(t, "testdata/httpmod")
	n := 0
	_, err := Adapter{}.Decode(bytes.NewReader(out), "live.json", nil, func(f *finding.Finding) error {
		if f.Rule.ID == "GO-2024-3333" {
			n++
			if f.Location.Path != "main.go" || f.Location.Region.StartLine != 31 {
				t.Errorf("GO-2024-3333 at %s %+v, want main.go:31", f.Location.Path, f.Location.Region)
			}
		}
		return f.Validate()
	})
	if err != nil || n != 1 {
		t.Fatalf("%v; %d GO-2024-3333 findings, want 1", err, n)
	}
}

// runGovulncheck runs govulncheck -json -scan symbol ./... in dir with the
// database in testdata/vulndb and returns its output. It skips the test in
// -short mode or when govulncheck is not installed.
func runGovulncheck(t *testing.T, dir string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("live govulncheck run skipped in -short mode")
	}
	bin, err := exec.LookPath("govulncheck")
	if err != nil {
		t.Skip("govulncheck not installed: install with go install golang.org/x/vuln/cmd/govulncheck@v1.9.0")
	}
	db, err := filepath.Abs("testdata/vulndb")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-db", "file://"+filepath.ToSlash(db), "-json", "-scan", "symbol", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("govulncheck: %v\n%s", err, stderr.Bytes())
	}
	return out
}
