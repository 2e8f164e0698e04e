package sourcefile_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scanmux/scanmux/sourcefile"
)

// tree makes a root with a regular file, a FIFO, a symlink to /dev/zero,
// one to a file outside the root, and an oversized file.
func tree(t *testing.T) (root string, outside string) {
	t.Helper()
	root, outside = t.TempDir(), t.TempDir()
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "a.go"), "one\r\ntwo\rthree\nfour")
	write(filepath.Join(outside, "secret.go"), "// scanmux:ignore G101 -- from outside\n")
	write(filepath.Join(root, "big.go"), strings.Repeat("x", 2048))
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.go"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"zero.go": "/dev/zero", "out.go": filepath.Join(outside, "secret.go"), "in.go": "a.go"} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root, outside
}

func TestReadFile(t *testing.T) {
	dir, _ := tree(t)
	r, err := sourcefile.Open(dir, 1024)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	lines, err := r.Lines(ctx, "a.go")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range lines {
		got = append(got, string(l))
	}
	if !slices.Equal(got, []string{"one", "two", "three", "four"}) {
		t.Errorf("lines %q", got)
	}
	if _, err := r.ReadFile(ctx, "in.go"); err != nil {
		t.Errorf("a symbolic link inside the root: %v", err)
	}

	for _, c := range []struct {
		name string
		want error
	}{
		{"fifo.go", sourcefile.ErrNotRegular},
		{"zero.go", nil}, // leaves the root: refused by os.Root
		{"out.go", nil},  // likewise
		{"../x.go", nil},
		{"big.go", sourcefile.ErrTooLarge},
		{".", sourcefile.ErrNotRegular},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := r.ReadFile(ctx, c.name)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("%s: got %v, want an error (%v)", c.name, err, c.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the read blocks", c.name)
		}
	}
}

func TestReadFileCancelled(t *testing.T) {
	dir, _ := tree(t)
	r, err := sourcefile.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.ReadFile(ctx, "a.go"); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestSplitLines(t *testing.T) {
	for in, want := range map[string][]string{
		"":         {""},
		"a\n":      {"a", ""},
		"a\r\n\rb": {"a", "", "b"},
		"\n\n":     {"", "", ""},
	} {
		var got []string
		for _, l := range sourcefile.SplitLines([]byte(in)) {
			got = append(got, string(l))
		}
		if !slices.Equal(got, want) {
			t.Errorf("SplitLines(%q) = %q, want %q", in, got, want)
		}
	}
}
