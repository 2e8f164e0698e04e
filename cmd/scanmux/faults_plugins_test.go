package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/sarif"
)

// The options of plugin/internal/testscanner (an internal package, which
// this one may not import).
const (
	optCount    = "count"
	optBehavior = "behavior"
	optSpawn    = "spawn"
	optEnv      = "env"
	optStdin    = "stdin"
)

// ciSecret is the value of a CI secret in scanmux's environment: no plugin
// may read it unless passed by name, and no output may show it.
const (
	ciSecretName  = "SCANMUX_TEST_CI_SECRET"
	ciSecretValue = "ci-secret-7f3a9c1e-do-not-leak"
)

// oldOutput is what the output holds before a row's run: a row whose run
// fails must keep it byte for byte.
const oldOutput = `{"old": "a good log from the last run"}`

// hostileRun is one run of scanmux scan in the fault matrix.
type hostileRun struct {
	res    result
	out    string      // the output's path
	runs   []sarif.Run // the output, when it was written
	rss    int64       // the process's peak resident memory, in KiB
	took   time.Duration
	output []byte // the output's bytes
}

// want is what a row of the fault matrix expects of its run.
type want struct {
	code    int
	keepOld bool     // the old output is kept byte for byte; else the output holds scanmux-iac's findings
	keep    []string // rules of the plugin's findings the output holds, in any order; nil: not checked
	stderr  []string // what the messages must say
	absent  []string // what must appear nowhere: output, stdout, stderr
}

// check checks h against w.
func (h *hostileRun) check(t *testing.T, w want) {
	t.Helper()
	if h.res.code != w.code {
		t.Errorf("exit %d, want %d", h.res.code, w.code)
	}
	for _, s := range w.stderr {
		if !strings.Contains(h.res.stderr, s) {
			t.Errorf("stderr lacks %q", s)
		}
	}
	switch {
	case w.keepOld:
		if string(h.output) != oldOutput {
			t.Error("the old output was replaced")
		}
	case h.runs == nil:
		t.Error("no output written")
	default:
		if len(h.findings("scanmux-iac")) == 0 {
			t.Error("the built-in IaC rules' findings were lost")
		}
		if w.keep != nil {
			var rules []string
			for _, f := range h.findings("testscanner") {
				rules = append(rules, f.Rule.ID)
			}
			if !slices.Equal(slices.Sorted(slices.Values(rules)), slices.Sorted(slices.Values(w.keep))) {
				t.Errorf("the plugin's findings kept: %v; want %v", rules, w.keep)
			}
		}
	}
	for _, a := range w.absent {
		for what, s := range map[string]string{"output": string(h.output), "stdout": h.res.stdout, "stderr": h.res.stderr} {
			if strings.Contains(s, a) {
				t.Errorf("%s shows %q", what, truncateLog(a))
			}
		}
	}
}

// findings returns the output's findings of tool.
func (h *hostileRun) findings(tool string) []*finding.Finding {
	var out []*finding.Finding
	for _, r := range h.runs {
		if r.Tool.Name == tool {
			out = append(out, r.Findings...)
		}
	}
	return out
}

// scanTarget writes a target with a Dockerfile the built-in IaC rules
// report (latest tag, root, a password in the environment), and returns
// the findings that every row must keep: scanmux-iac's.
func scanTarget(t *testing.T, dir string) string {
	t.Helper()
	target := filepath.Join(dir, "target")
	src, err := os.ReadFile("../../examples/vulnerable-app/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(target, "Dockerfile"), src, 0o644)
	mustWrite(t, filepath.Join(target, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
	return target
}

// scanProcess runs `scanmux scan ARGS TARGET` in dir with the output o.sarif
// (holding oldOutput before), HOME in dir/home, the CI secret in the
// environment, plus env, and stdin on its standard input.
func scanProcess(t *testing.T, dir, target string, env []string, stdin string, timeout time.Duration, args ...string) *hostileRun {
	t.Helper()
	out := filepath.Join(dir, "o.sarif")
	mustWrite(t, out, []byte(oldOutput), 0o644)
	args = append(append([]string{"scan", "-q", "-o", out}, args...), target)
	cmd := scanmuxCmd(t, dir, args...)
	cmd.Env = append(cmd.Env, append([]string{"HOME=" + filepath.Join(dir, "home"), ciSecretName + "=" + ciSecretValue}, env...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &hostileRun{out: out}
	h.res = wait(t, cmd, timeout, &stdout, &stderr)
	h.took = time.Since(start)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		h.rss = ru.Maxrss
	}
	h.output, _ = os.ReadFile(out)
	if string(h.output) != oldOutput {
		runs, err := sarif.ReadFile(out, nil)
		if err != nil {
			t.Fatalf("the output is not a SARIF log: %v", err)
		}
		h.runs = runs
	}
	return h
}

// pinnedConfig writes a --config file that pins the plugin at bin with
// options (and env, the host variables it gets) and returns its path.
func pinnedConfig(t *testing.T, dir, bin string, options map[string]string, env ...string) string {
	t.Helper()
	sum, err := plugin.FileSHA256(bin)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "plugins:\n  - path: %s\n    sha256: %s\n    options:\n", bin, sum)
	for k, v := range options {
		fmt.Fprintf(&b, "      %s: %q\n", k, v)
	}
	if len(env) > 0 {
		fmt.Fprintf(&b, "    env: [%s]\n", strings.Join(env, ", "))
	}
	cfg := filepath.Join(dir, "trusted.yaml")
	mustWrite(t, cfg, []byte(b.String()), 0o644)
	return cfg
}

// copyFile copies the executable src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, dst, b, 0o755)
}

// markerScript is a plugin that is no plugin: run, it leaves a marker
// file beside itself with the environment it got.
const markerScript = "#!/bin/sh\nenv > \"$(dirname \"$0\")/ran\"\necho 'not a plugin'\n"

// Fault matrix, hostile plugins (hardening issue, defects 2, 6 and 10):
// a plugin that misbehaves costs only its own findings. Every row runs
// scanmux scan as a process on a target whose Dockerfile the built-in IaC
// rules report, with a real plugin process (plugin/internal/testplugin,
// or a script), a CI secret in scanmux's environment and an old output in
// place. Each row says its exit code, what must be kept and what must not
// appear anywhere (output, stdout, stderr) nor be left running.
func TestFaultsHostilePlugins(t *testing.T) {
	bin := testPluginBinary(t)
	base := []string{"--in-process", "--scanners", "scanmux-iac"}
	rows := []struct {
		name string
		// setup returns the extra arguments, environment and stdin of the
		// run; dir is the row's directory.
		setup func(t *testing.T, dir string) (args, env []string, stdin string)
		code  int
		// keep lists the plugin findings (by rule) the output must hold
		// besides scanmux-iac's; nil when the output must stay the old one.
		keep     []string
		keepOld  bool     // the old output is kept byte for byte
		stderr   []string // what the messages must say
		absent   []string // what must appear nowhere
		maxTime  time.Duration
		maxRSSMB int64
		check    func(t *testing.T, h *hostileRun)
	}{
		{
			name: "junk on stdout before the handshake",
			setup: func(t *testing.T, dir string) ([]string, []string, string) {
				cfg := pinnedConfig(t, dir, bin, nil, "TESTPLUGIN_MODE")
				return []string{"--config", cfg, "--fail-on-scanner-error", "--partial"}, []string{"TESTPLUGIN_MODE=junk"}, ""
			},
			code: 3, keep: []string{},
			stderr: []string{"wrote \"hello from a plugin that prints to stdout\" to stdout before the handshake"},
			absent: []string{ciSecretValue},
		},
		{
			name: "hangs, ignoring its context, killed at --timeout",
			setup: func(t *testing.T, dir string) ([]string, []string, string) {
				cfg := pinnedConfig(t, dir, bin, map[string]string{optCount: "3", optBehavior: "hang", optSpawn: "stderr"})
				return []string{"--config", cfg, "--timeout", "3s", "--fail-on-scanner-error", "--partial"}, nil, ""
			},
			code: 3, keep: []string{"TEST001", "TEST001", "TEST001", "CHILD"},
			stderr:  []string{"timeout"},
			absent:  []string{ciSecretValue},
			maxTime: 30 * time.Second,
			check:   childGone,
		},
		{
			name: "floods: 64 MiB without a newline on stdout and stderr, then 100,000 findings",
			setup: func(t *testing.T, dir string) ([]string, []string, string) {
				cfg := pinnedConfig(t, dir, bin, map[string]string{optCount: "0", optBehavior: "flood"})
				return []string{"--config", cfg, "--fail-on-scanner-error", "--dedup=false", "--output-profile", "full"}, nil, ""
			},
			code:   0,
			absent: []string{ciSecretValue, strings.Repeat("flood", 4000)},
			// Before, the host held each 64 MiB line whole, and took 90s.
			maxRSSMB: 600,
			maxTime:  30 * time.Second,
			check: func(t *testing.T, h *hostileRun) {
				if n := len(h.findings("testscanner")); n != 100_000 {
					t.Errorf("%d of the plugin's 100,000 findings in the output", n)
				}
			},
		},
		{
			name: "sends invalid findings around a valid one",
			setup: func(t *testing.T, dir string) ([]string, []string, string) {
				cfg := pinnedConfig(t, dir, bin, map[string]string{optCount: "0", optBehavior: "invalid"})
				return []string{"--config", cfg, "--fail-on-scanner-error", "--output-profile", "full"}, nil, ""
			},
			// Kept, repaired: the finding without a rule id (rule
			// "unknown"), those whose paths lie outside the target
			// (placed nowhere, their paths kept in properties). Dropped
			// with a warning: negative lines (by scanmux), a string that
			// is not UTF-8 (by the plugin's side, which would otherwise
			// lose the whole batch it was in, the valid finding too).
			code: 0, keep: []string{"VALID", "BAD2", "BAD3", "unknown"},
			stderr: []string{"1 findings could not be sent and were dropped", "invalid findings dropped", "findings without a rule id"},
			absent: []string{ciSecretValue, "\xff", "\x00"},
			check: func(t *testing.T, h *hostileRun) {
				for _, f := range h.findings("testscanner") {
					if p := f.Location.Path; strings.HasPrefix(p, "/") || strings.HasPrefix(p, "..") || f.Location.Region.StartLine < 0 || !f.Severity.Valid() {
						t.Errorf("the output keeps %s at %q line %d, severity %v", f.Rule.ID, p, f.Location.Region.StartLine, f.Severity)
					}
				}
			},
		},
		{
			name: "crashes after 5 findings",
			setup: func(t *testing.T, dir string) ([]string, []string, string) {
				cfg := pinnedConfig(t, dir, bin, map[string]string{optCount: "5", optBehavior: "crash", optSpawn: "true"})
				return []string{"--config", cfg, "--fail-on-scanner-error", "--partial"}, nil, ""
			},
			code: 3, keep: []string{"CHILD", "TEST001", "TEST001", "TEST001", "TEST001", "TEST001"},
			stderr: []string{"crashed", "testscanner crash on purpose"},
			absent: []string{ciSecretValue},
			check:  childGone,
		},
		{
			name: "starts a child (sleep 97) and ends",
			setup: func(t *testing.T, dir string) ([]string, []string, string) {
				cfg := pinnedConfig(t, dir, bin, map[string]string{optCount: "1", optSpawn: "stderr"})
				return []string{"--config", cfg, "--fail-on-scanner-error"}, nil, ""
			},
			code: 0, keep: []string{"CHILD", "TEST001"},
			absent:  []string{ciSecretValue},
			maxTime: 30 * time.Second,
			check:   childGone,
		},
		{
			name: "reads stdin",
			setup: func(t *testing.T, dir string) ([]string, []string, string) {
				cfg := pinnedConfig(t, dir, bin, map[string]string{optCount: "0", optStdin: "true"})
				return []string{"--config", cfg, "--fail-on-scanner-error"}, nil, "HOST-STDIN-7d1e: what the CI piped to scanmux\n"
			},
			code: 0, keep: []string{"STDIN"},
			absent: []string{ciSecretValue, "HOST-STDIN-7d1e"},
			check: func(t *testing.T, h *hostileRun) {
				for _, f := range h.findings("testscanner") {
					if !strings.Contains(f.Message, "read 0 bytes") || !strings.Contains(f.Message, "EOF") {
						t.Errorf("the plugin's stdin gave %q; want EOF at once", f.Message)
					}
				}
			},
		},
		{
			name: "reads the CI's secret from its environment",
			setup: func(t *testing.T, dir string) ([]string, []string, string) {
				cfg := pinnedConfig(t, dir, bin, map[string]string{optCount: "0", optEnv: ciSecretName + ",PATH"})
				return []string{"--config", cfg, "--fail-on-scanner-error"}, nil, ""
			},
			code: 0, keep: []string{"ENV", "ENV"},
			absent: []string{ciSecretValue},
			check: func(t *testing.T, h *hostileRun) {
				got := messages(h.findings("testscanner"))
				if !strings.Contains(got, ciSecretName+" unset") || !strings.Contains(got, "PATH=/") {
					t.Errorf("the plugin saw %q; want the secret unset and PATH set", got)
				}
			},
		},
		{
			name: "gets a variable passed by --plugin-env (the control of the row above)",
			setup: func(t *testing.T, dir string) ([]string, []string, string) {
				cfg := pinnedConfig(t, dir, bin, map[string]string{optCount: "0", optEnv: "SCANMUX_TEST_PASSED," + ciSecretName})
				return []string{"--config", cfg, "--plugin-env", "SCANMUX_TEST_PASSED"}, []string{"SCANMUX_TEST_PASSED=passed-on-purpose"}, ""
			},
			code: 0, keep: []string{"ENV", "ENV"},
			absent: []string{ciSecretValue},
			check: func(t *testing.T, h *hostileRun) {
				if got := messages(h.findings("testscanner")); !strings.Contains(got, "SCANMUX_TEST_PASSED=passed-on-purpose") {
					t.Errorf("the plugin saw %q; want the variable --plugin-env names", got)
				}
			},
		},
		{
			name: "unpinned, on the plugin path",
			setup: func(t *testing.T, dir string) ([]string, []string, string) {
				mustWrite(t, filepath.Join(dir, "plugins", "scanmux-plugin-unpinned"), []byte(markerScript), 0o755)
				return nil, []string{"SCANMUX_PLUGIN_PATH=" + filepath.Join(dir, "plugins")}, ""
			},
			code: 0, keep: []string{},
			stderr: []string{"scanmux-plugin-unpinned is not pinned: not run"},
			absent: []string{ciSecretValue},
			check:  notRun,
		},
		{
			name: "replaced after pinning",
			setup: func(t *testing.T, dir string) ([]string, []string, string) {
				p := filepath.Join(dir, "plugins", "scanmux-plugin-replaced")
				copyFile(t, bin, p)
				cfg := pinnedConfig(t, dir, p, nil)
				mustWrite(t, p, []byte(markerScript), 0o755)
				return []string{"--config", cfg}, nil, ""
			},
			code: 3, keepOld: true,
			stderr: []string{"plugin checksum mismatch", "refusing to run it"},
			absent: []string{ciSecretValue},
			check:  notRun,
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			dir := t.TempDir()
			target := scanTarget(t, dir)
			args, env, stdin := row.setup(t, dir)
			maxTime := row.maxTime
			if maxTime == 0 {
				maxTime = 2 * time.Minute
			}
			h := scanProcess(t, dir, target, env, stdin, maxTime+time.Minute, append(base, args...)...)
			t.Logf("exit %d in %s, peak RSS %d MiB; stderr:\n%s", h.res.code, h.took.Round(time.Millisecond), h.rss>>10, truncateLog(h.res.stderr))
			h.check(t, want{code: row.code, keepOld: row.keepOld, keep: row.keep, stderr: row.stderr, absent: row.absent})
			if row.maxTime > 0 && h.took > row.maxTime {
				t.Errorf("the run took %s, want at most %s", h.took, row.maxTime)
			}
			// Under the race detector, a process's resident memory is its
			// shadow memory's: 1 GiB for a scan of one Dockerfile.
			if row.maxRSSMB > 0 && !raceEnabled && h.rss>>10 > row.maxRSSMB {
				t.Errorf("peak RSS %d MiB, want at most %d", h.rss>>10, row.maxRSSMB)
			}
			if row.check != nil {
				row.check(t, h)
			}
		})
	}
}

// childGone checks that the `sleep 97` the plugin reported starting does
// not outlive scanmux.
func childGone(t *testing.T, h *hostileRun) {
	t.Helper()
	for _, f := range h.findings("testscanner") {
		if f.Rule.ID != "CHILD" {
			continue
		}
		pid, err := strconv.Atoi(f.Properties["child_pid"])
		if err != nil {
			t.Fatalf("CHILD finding without its pid: %v", f.Properties)
		}
		if cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); alive(pid) && bytes.Contains(cmdline, []byte("97")) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("the plugin's child (pid %d, sleep 97) outlived scanmux", pid)
		}
		return
	}
	t.Error("no CHILD finding: the plugin did not say which child it started")
}

// notRun checks that the marker script did not run.
func notRun(t *testing.T, h *hostileRun) {
	t.Helper()
	dir := filepath.Dir(h.out)
	ran, _ := filepath.Glob(filepath.Join(dir, "plugins", "ran"))
	if len(ran) > 0 {
		t.Errorf("the plugin ran")
	}
}

func messages(fs []*finding.Finding) string {
	var s []string
	for _, f := range fs {
		s = append(s, f.Message)
	}
	return strings.Join(s, "\n")
}

// truncateLog keeps a log readable in a test's output.
func truncateLog(s string) string {
	if len(s) > 4000 {
		return s[:4000] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}
