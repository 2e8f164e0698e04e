package grype

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// grype reads a local database through a configuration file beside the
// report (no update, no age check), an OCI layout as oci-dir:, and a run
// that cannot reach its database says which option to set.
func TestImageArgsAndFailure(t *testing.T) {
	cache := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cache, "6"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cache, "6", "vulnerability.db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report")
	args, err := ImageArgs("/tmp/img.tar", map[string]string{"grype.db": cache}, out)
	if err != nil {
		t.Fatal(err)
	}
	if args[0] != "docker-archive:/tmp/img.tar" || !slices.Contains(args, "-c") {
		t.Errorf("args %q", args)
	}
	cfg, err := os.ReadFile(args[slices.Index(args, "-c")+1])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"check-for-app-update: false", "cache-dir: \"" + cache + "\"", "auto-update: false", "validate-age: false", "require-update-check: false"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}
	if args, _ := ImageArgs(t.TempDir(), map[string]string{"grype.db": cache}, out); !strings.HasPrefix(args[0], "oci-dir:") {
		t.Errorf("an OCI layout: %q", args)
	}
	stderr := `[0000]  WARN error updating db error=unable to download listing: Get "https://grype.anchore.io/databases/v6/latest.json": dial tcp: lookup grype.anchore.io on 10.255.255.53:53: no such host`
	if err := Failed(stderr); err == nil || !strings.Contains(err.Error(), "grype.db") {
		t.Errorf("the failure does not name grype.db: %v", err)
	}
}

// TestFailureSaysWhy runs the real grype with DirArgs on an empty database
// directory: it fails, and its stderr says why (with -q it said nothing,
// and scanmux reported "exit status 1:" alone).
func TestFailureSaysWhy(t *testing.T) {
	bin, err := exec.LookPath("grype")
	if err != nil {
		t.Skip("grype is not installed (go install github.com/anchore/grype/cmd/grype@v0.121.3)")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args, err := DirArgs(dir, map[string]string{"grype.offline": "false"}, filepath.Join(t.TempDir(), "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	// No database where grype looks, and no network to fetch one: the
	// address is a closed port on this host.
	cmd.Env = append(os.Environ(), "GRYPE_DB_CACHE_DIR="+t.TempDir(), "GRYPE_DB_UPDATE_URL=http://127.0.0.1:9/latest.json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		t.Fatal("grype succeeded without a database")
	}
	if !strings.Contains(strings.ToLower(stderr.String()), "error") {
		t.Errorf("grype failed without saying why on stderr: %q", stderr.String())
	}
	if err := Failed(stderr.String()); err == nil || !strings.Contains(err.Error(), "grype.db") {
		t.Errorf("the failure does not name grype.db: %v (stderr %q)", err, stderr.String())
	}
}
