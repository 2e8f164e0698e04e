package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/plugin"
)

// scanmux plugins counts only trusted pins: the current directory's
// .scanmux.yaml with --trust-repo-config, ~/.scanmux/config.yaml always.
func TestPluginsCommandTrust(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	home := filepath.Join(dir, "home")
	t.Setenv("HOME", home)
	t.Setenv("SCANMUX_PLUGIN_PATH", filepath.Join(dir, "none"))
	bin := filepath.Join(dir, "tools", "scanmux-plugin-x")
	mustWrite(t, bin, []byte("#!/bin/sh\nexit 1\n"), 0o755)
	sum, err := plugin.FileSHA256(bin)
	if err != nil {
		t.Fatal(err)
	}
	pins := fmt.Sprintf("plugins:\n  - path: %s\n    sha256: %s\n", bin, sum)
	mustWrite(t, filepath.Join(dir, ".scanmux.yaml"), []byte(pins), 0o644)
	plugins := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"plugins"}, args...), &stdout, &stderr); code != 0 {
			t.Fatalf("plugins %v: exit %d\n%s", args, code, stderr.String())
		}
		// The plugin's block: its path, then its indented lines.
		lines := strings.Split(stdout.String(), "\n")
		for i, l := range lines {
			if strings.HasPrefix(l, bin) {
				for _, more := range lines[i+1:] {
					if !strings.HasPrefix(more, " ") {
						break
					}
					l += "\n" + more
				}
				return strings.Join(strings.Fields(l), " ") // lines wrapped at 100 columns joined

			}
		}
		t.Fatalf("plugins %v does not list %s:\n%s", args, bin, stdout.String())
		return ""
	}
	if l := plugins(); !strings.Contains(l, "the repository's config, which is not trusted: not run (--trust-repo-config)") {
		t.Errorf("untrusted pin: %q", l)
	}
	if l := plugins("--trust-repo-config"); !strings.Contains(l, "pinned, runs in scans") {
		t.Errorf("trusted pin: %q", l)
	}
	mustWrite(t, filepath.Join(home, ".scanmux", "config.yaml"), []byte(pins), 0o644)
	if l := plugins(); !strings.Contains(l, "pinned, runs in scans") {
		t.Errorf("pin in the user's config: %q", l)
	}
	mustWrite(t, filepath.Join(home, ".scanmux", "config.yaml"), []byte("fail-on: high\n"), 0o644)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"plugins"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "the user's config holds only plugins and policies") {
		t.Errorf("a user config with other settings: exit %d, %s", code, stderr.String())
	}
}
