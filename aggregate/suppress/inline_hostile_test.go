package suppress_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/scanmux/scanmux/aggregate/suppress"
	"github.com/scanmux/scanmux/finding"
)

// A hostile tree cannot make the inline filter hang, exhaust memory or
// take a suppression from a file outside the root: a FIFO, a symbolic link
// to /dev/zero and one to a file elsewhere that holds a matching
// "scanmux:ignore" are all read as no file.
func TestInlineHostileFiles(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	marker := "x := 1 // scanmux:ignore G101 -- planted outside the root\n"
	if err := os.WriteFile(filepath.Join(outside, "elsewhere.go"), []byte(marker), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "elsewhere.go"), filepath.Join(root, "out.go")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(root, "zero.go")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.go"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "in.go"), []byte(marker), 0o644); err != nil {
		t.Fatal(err)
	}
	in := suppress.NewInline(root)
	for _, c := range []struct {
		path     string
		suppress bool
	}{{"out.go", false}, {"zero.go", false}, {"fifo.go", false}, {"in.go", true}} {
		f := &finding.Finding{Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G101"},
			Location: finding.Location{Path: c.path, Region: finding.Region{StartLine: 1}}}
		done := make(chan bool, 1)
		go func() {
			v, err := in.Apply(context.Background(), f)
			done <- err == nil && v.Suppress != nil
		}()
		select {
		case got := <-done:
			if got != c.suppress {
				t.Errorf("%s: suppressed %v, want %v", c.path, got, c.suppress)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the filter hangs", c.path)
		}
	}
}
