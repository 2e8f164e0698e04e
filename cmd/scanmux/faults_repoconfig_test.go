package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/scanmux/scanmux/plugin"
)

// Fault matrix, hostile repository config (hardening issue, defect 2):
// the scanned repository's own .scanmux.yaml, which whoever can push to it
// writes, tries to make scanmux run its code or read files outside it.
// Every row runs scanmux scan as a process, without --config, on a target
// whose Dockerfile the built-in IaC rules report, with a CI secret in the
// environment and an old output in place. A repository's plugins are
// refused, which fails the run (exit 3) and keeps the old output; with
// --partial the other sources' findings are written, marked partial.
func TestFaultsHostileRepoConfig(t *testing.T) {
	bin := testPluginBinary(t)
	base := []string{"--in-process", "--scanners", "scanmux-iac"}
	rows := []struct {
		name string
		// setup writes the repository's config (and files) into target
		// and returns the extra arguments and environment of the run.
		setup   func(t *testing.T, dir, target string) (args, env []string)
		code    int
		keepOld bool     // the old output is kept byte for byte
		keep    []string // rules of the plugin's findings the output must hold
		stderr  []string
		absent  []string // anywhere: output, stdout, stderr
		check   func(t *testing.T, dir, target string, h *hostileRun)
	}{
		{
			name: "pins a plugin binary committed in the tree",
			setup: func(t *testing.T, dir, target string) ([]string, []string) {
				// The test plugin: it reports the CI's secret as a finding
				// and, when it runs, leaves a marker.
				p := filepath.Join(target, "tools", "scanmux-plugin-evil")
				copyFile(t, bin, p)
				repoConfig(t, target, "plugins:\n  - path: tools/scanmux-plugin-evil\n    sha256: %s\n    options: {count: \"0\", env: %s}\n", sha(t, p), ciSecretName)
				return nil, []string{"TESTPLUGIN_MARKER=" + filepath.Join(target, "tools", "ran")}
			},
			code: 3, keepOld: true,
			stderr: []string{"plugin refused: plugin ", "tools/scanmux-plugin-evil is named by ", "the scanned repository's config, which is not trusted: it was not run", "--trust-repo-config"},
			absent: []string{ciSecretValue},
			check: func(t *testing.T, dir, target string, h *hostileRun) {
				if _, err := os.Stat(filepath.Join(target, "tools", "ran")); err == nil {
					t.Error("the repository's plugin ran")
				}
			},
		},
		{
			name: "the same, trusted with --trust-repo-config: runs, without the CI's secret",
			setup: func(t *testing.T, dir, target string) ([]string, []string) {
				p := filepath.Join(target, "tools", "scanmux-plugin-probe")
				copyFile(t, bin, p)
				repoConfig(t, target, "plugins:\n  - path: tools/scanmux-plugin-probe\n    sha256: %s\n    options: {count: \"0\", env: %s}\n", sha(t, p), ciSecretName)
				return []string{"--trust-repo-config", "--fail-on-scanner-error"}, nil
			},
			code: 0, keep: []string{"ENV"},
			absent: []string{ciSecretValue},
			check: func(t *testing.T, dir, target string, h *hostileRun) {
				if got := messages(h.findings("testscanner")); got != ciSecretName+" unset" {
					t.Errorf("the trusted plugin saw %q; want the secret unset", got)
				}
			},
		},
		{
			name: "pins a plugin found on the plugin path",
			setup: func(t *testing.T, dir, target string) ([]string, []string) {
				p := filepath.Join(dir, "plugins", "scanmux-plugin-found")
				mustWrite(t, p, []byte(markerScript), 0o755)
				repoConfig(t, target, "plugins:\n  - path: scanmux-plugin-found\n    sha256: %s\n", sha(t, p))
				return []string{"--partial"}, []string{"SCANMUX_PLUGIN_PATH=" + filepath.Join(dir, "plugins")}
			},
			code: 3, keep: []string{},
			stderr: []string{"scanmux-plugin-found is named by ", "which is not trusted: it was not run"},
			absent: []string{ciSecretValue},
			check: func(t *testing.T, dir, target string, h *hostileRun) {
				if _, err := os.Stat(filepath.Join(dir, "plugins", "ran")); err == nil {
					t.Error("the plugin the repository pinned ran")
				}
			},
		},
		{
			name: "imports /proc/self/environ",
			setup: func(t *testing.T, dir, target string) ([]string, []string) {
				repoConfig(t, target, "imports:\n  - path: /proc/self/environ\n")
				return nil, nil
			},
			code: 2, keepOld: true,
			stderr: []string{"imports[0] /proc/self/environ is outside the repository; a repository's config names only files inside it"},
			absent: []string{ciSecretValue},
		},
		{
			name: "imports a symbolic link to /proc/self/environ",
			setup: func(t *testing.T, dir, target string) ([]string, []string) {
				if err := os.Symlink("/proc/self/environ", filepath.Join(target, "report.json")); err != nil {
					t.Fatal(err)
				}
				repoConfig(t, target, "imports:\n  - path: report.json\n")
				return nil, nil
			},
			code: 2, keepOld: true,
			stderr: []string{"report.json is outside the repository"},
			absent: []string{ciSecretValue},
		},
		{
			name: "a policy outside the repository (/etc/passwd)",
			setup: func(t *testing.T, dir, target string) ([]string, []string) {
				repoConfig(t, target, "policies: [/etc/passwd]\n")
				return nil, nil
			},
			code: 2, keepOld: true,
			stderr: []string{"policies[0] /etc/passwd is outside the repository"},
			absent: []string{ciSecretValue, "root:x:0:0"},
		},
		{
			name: "a baseline outside the repository",
			setup: func(t *testing.T, dir, target string) ([]string, []string) {
				mustWrite(t, filepath.Join(dir, "outside.sarif"), []byte(`{"version":"2.1.0","runs":[]}`), 0o644)
				repoConfig(t, target, "baseline: ../outside.sarif\n")
				return nil, nil
			},
			code: 2, keepOld: true,
			stderr: []string{"baseline ", "outside.sarif is outside the repository"},
			absent: []string{ciSecretValue},
		},
		{
			name: "an option naming code for a tool to run (eslint.config)",
			setup: func(t *testing.T, dir, target string) ([]string, []string) {
				mustWrite(t, filepath.Join(target, "evil.config.mjs"), []byte(
					`import fs from "node:fs"; fs.writeFileSync(new URL("./ran", import.meta.url), JSON.stringify(process.env)); export default [];`), 0o644)
				mustWrite(t, filepath.Join(target, "app.js"), []byte("eval(location.hash)\n"), 0o644)
				repoConfig(t, target, "scanners:\n  options:\n    eslint.config: evil.config.mjs\n")
				// eslint runs too when it is installed: it must not load the
				// repository's config.
				return []string{"--scanners", "scanmux-iac,eslint"}, nil
			},
			code:   0,
			stderr: []string{"scanners.options eslint.config left out: eslint runs the JavaScript config it names, and this config is the scanned repository's"},
			absent: []string{ciSecretValue},
			check: func(t *testing.T, dir, target string, h *hostileRun) {
				if _, err := os.Stat(filepath.Join(target, "ran")); err == nil {
					t.Error("eslint ran the repository's config")
				}
			},
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			dir := t.TempDir()
			target := scanTarget(t, dir)
			args, env := row.setup(t, dir, target)
			h := scanProcess(t, dir, target, env, "", 3*time.Minute, append(base, args...)...)
			t.Logf("exit %d in %s; stderr:\n%s", h.res.code, h.took.Round(time.Millisecond), truncateLog(h.res.stderr))
			h.check(t, want{code: row.code, keepOld: row.keepOld, keep: row.keep, stderr: row.stderr, absent: row.absent})
			if row.check != nil {
				row.check(t, dir, target, h)
			}
		})
	}
}

// repoConfig writes the repository's .scanmux.yaml into target.
func repoConfig(t *testing.T, target, format string, args ...any) {
	t.Helper()
	mustWrite(t, filepath.Join(target, ".scanmux.yaml"), fmt.Appendf(nil, format, args...), 0o644)
}

// sha returns the SHA-256 of the file at path, as a config pins it.
func sha(t *testing.T, path string) string {
	t.Helper()
	s, err := plugin.FileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
