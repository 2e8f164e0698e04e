package sarif_test

import (
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
)

// A FIFO as the fallback file or as a finding's source file cannot make
// the writer hang: it is no file for line hashes or fallbacks.
func TestWriteFIFOSources(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"fallback.md", "a.go"} {
		if err := syscall.Mkfifo(filepath.Join(root, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runs := []sarif.Run{{Tool: finding.Tool{Name: "t"}, Findings: []*finding.Finding{{
		Tool: finding.Tool{Name: "t"}, Rule: finding.Rule{ID: "R1"}, Message: "m", Category: finding.CategorySAST,
		Severity: finding.SeverityHigh, Location: finding.Location{Path: "a.go", Region: finding.Region{StartLine: 1}},
	}}}}
	write := func(opts *sarif.WriteOptions) error {
		done := make(chan error, 1)
		go func() {
			_, err := sarif.Write(io.Discard, runs, opts)
			done <- err
		}()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("the writer hangs on a FIFO")
			return nil
		}
	}
	if err := write(&sarif.WriteOptions{Root: root}); err != nil {
		t.Errorf("a FIFO as a source file: %v", err)
	}
	if err := write(&sarif.WriteOptions{Root: root, FallbackPath: "fallback.md"}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("a FIFO as the fallback file: got %v, want not found", err)
	}
}
