package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/sarif"
)

// Exit codes (hardening issue, defect 7): every code the README lists,
// from a real process. Write and IO failures exit 2, not 1 (the gate's
// code); a plugin refused for its checksum exits 3 without
// --fail-on-scanner-error, as a security control must not fail open; a
// failed run (2 or 3) writes nothing unless --partial, and --partial never
// makes it 0.
func TestFaultsExitCodes(t *testing.T) {
	const old = `{"old": "a good log from the last run"}`
	type row struct {
		name    string
		args    func(t *testing.T, dir string) []string
		stdout  string // a file stdout goes to ("" for a pipe)
		code    int
		written bool   // the output is written (else the old one is kept)
		partial bool   // its runs say the log is partial
		stderr  string // what stderr must say
	}
	merge := func(extra ...string) func(t *testing.T, dir string) []string {
		return func(t *testing.T, dir string) []string {
			return append([]string{"merge", "-o", "o.sarif", "good.sarif"}, extra...)
		}
	}
	rows := []row{
		{name: "pass", args: merge(), code: 0, written: true},
		{name: "gate failed", args: merge("--fail-on", "low"), code: 1, written: true, stderr: "gate: 3 findings at or above low"},
		{name: "usage", args: merge("--nope"), code: 2, stderr: "unknown flag: --nope"},
		{name: "input error", args: merge("truncated.sarif"), code: 2, stderr: "o.sarif not written"},
		{name: "input error, --partial", args: merge("truncated.sarif", "--partial"), code: 2, written: true, partial: true},
		{name: "input error and gate failed", args: merge("truncated.sarif", "--fail-on", "low"), code: 2},
		{name: "write error (/dev/full)", args: func(t *testing.T, dir string) []string {
			return []string{"merge", "-o", "/dev/full", "good.sarif"}
		}, code: 2, stderr: "writing /dev/full: no space left on device"},
		{name: "stdout write error (-o json=- > /dev/full)", args: merge("-o", "json=-"), stdout: "/dev/full", code: 2, written: true, stderr: "writing the report on stdout"},
		{name: "plugin refused for its checksum", args: pluginScan("", "0000000000000000000000000000000000000000000000000000000000000000"), code: 3, stderr: "checksum"},
		{name: "plugin refused, --partial", args: pluginScan("", "0000000000000000000000000000000000000000000000000000000000000000", "--partial"), code: 3, written: true, partial: true},
		{name: "plugin refused and gate failed", args: pluginScan("", "0000000000000000000000000000000000000000000000000000000000000000", "--fail-on", "info"), code: 3},
		{name: "scanner failed", args: pluginScan("fail", ""), code: 0, written: true},
		{name: "scanner failed, --fail-on-scanner-error", args: pluginScan("fail", "", "--fail-on-scanner-error"), code: 3, stderr: "o.sarif not written"},
		{name: "scanner failed, --fail-on-scanner-error --partial", args: pluginScan("fail", "", "--fail-on-scanner-error", "--partial"), code: 3, written: true, partial: true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			dir := t.TempDir()
			mustWrite(t, filepath.Join(dir, "good.sarif"), sarifLog("t", "", "a.go", 3), 0o644)
			full := sarifLog("u", "", "a.go", 3)
			mustWrite(t, filepath.Join(dir, "truncated.sarif"), full[:len(full)-5], 0o644)
			mustWrite(t, filepath.Join(dir, "o.sarif"), []byte(old), 0o644)
			cmd := scanmuxCmd(t, dir, row.args(t, dir)...)
			var res result
			if row.stdout != "" {
				if _, err := os.Stat(row.stdout); err != nil {
					t.Skipf("no %s here", row.stdout)
				}
				f, err := os.OpenFile(row.stdout, os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				cmd.Stdout = f
				var stderr strings.Builder
				cmd.Stderr = &stderr
				err = cmd.Run()
				res = result{stderr: stderr.String()}
				if ee, ok := err.(interface{ ExitCode() int }); ok {
					res.code = ee.ExitCode()
				}
			} else {
				res = runScanmuxCmd(t, cmd, 2*time.Minute)
			}
			if res.code != row.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", res.code, row.code, res.stderr)
			}
			if !strings.Contains(res.stderr, row.stderr) {
				t.Errorf("stderr does not say %q:\n%s", row.stderr, res.stderr)
			}
			b, _ := os.ReadFile(filepath.Join(dir, "o.sarif"))
			if written := string(b) != old; written != row.written {
				t.Errorf("output written: %v, want %v", written, row.written)
			}
			if row.partial {
				runs, err := sarif.ReadFile(filepath.Join(dir, "o.sarif"), nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range runs {
					if !strings.Contains(fmt.Sprint(r.Invocation.Notifications), "this log is partial") {
						t.Errorf("run %s of a failed run's log does not say it is partial", r.Tool.Name)
					}
				}
			}
		})
	}
}

// runScanmuxCmd runs a prepared command with pipes for its output.
func runScanmuxCmd(t *testing.T, cmd *exec.Cmd, timeout time.Duration) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return wait(t, cmd, timeout, &stdout, &stderr)
}

// pluginScan returns the arguments of a scan of a small target by the
// built-in IaC rules and the test plugin, pinned in a --config file to
// pin (its real checksum when ""), behaving as behavior.
func pluginScan(behavior, pin string, extra ...string) func(t *testing.T, dir string) []string {
	return func(t *testing.T, dir string) []string {
		bin := testPluginBinary(t)
		if pin == "" {
			var err error
			if pin, err = plugin.FileSHA256(bin); err != nil {
				t.Fatal(err)
			}
		}
		target := filepath.Join(dir, "target")
		mustWrite(t, filepath.Join(target, "Dockerfile"), []byte("FROM alpine:latest\nUSER root\n"), 0o644)
		cfg := filepath.Join(dir, "scanmux.yaml")
		mustWrite(t, cfg, []byte(fmt.Sprintf("plugins:\n  - path: %s\n    sha256: %s\n    options: {behavior: %q}\n", bin, pin, behavior)), 0o644)
		return append([]string{"scan", "--in-process", "--scanners", "scanmux-iac", "--config", cfg, "-o", "o.sarif", target}, extra...)
	}
}

// The README documents every exit code.
func TestExitCodesDocumented(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"| 0 | pass", "| 1 | gate failed", "| 2 | usage, configuration, input or output error", "| 3 | a plugin refused", "| 130, 143 | interrupted"} {
		if !strings.Contains(string(b), row) {
			t.Errorf("the README's exit codes lack %q", row)
		}
	}
}
