package plugin_test

import (
	"cmp"
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/plugin/internal/testscanner"
)

// childPID returns the process id a scan with testscanner.OptSpawn
// reported.
func childPID(t *testing.T, fs []*finding.Finding) int {
	t.Helper()
	for _, f := range fs {
		if f.Rule.ID == "CHILD" {
			pid, err := strconv.Atoi(f.Properties["child_pid"])
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
	}
	t.Fatal("the plugin reported no child")
	return 0
}

// ProcessGone waits up to 5 seconds for the process pid, a `sleep 97`, to be
// gone (a zombie counts as gone: it no longer runs); it reports whether it
// went.
func processGone(pid int) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !sleepRunning(pid) {
			return true
		}
	}
	return false
}

// sleepRunning reports whether pid is a running (not zombie) `sleep 97`.
func sleepRunning(pid int) bool {
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !strings.Contains(string(cmdline), "97") {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) STATE ...
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// Each plugin runs in a process group of its own, killed as a group: what
// it started does not outlive it, whether it ends normally, is killed at
// its scan timeout or is cancelled.
func TestPluginChildrenDieWithIt(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	cases := []struct {
		name     string
		behavior string
		spawn    string // testscanner.OptSpawn; default "true"
		cfg      plugin.Config
		ctx      func() (context.Context, context.CancelFunc)
		wantErr  error
	}{
		{"normal end, then Close", "", "", plugin.Config{}, nil, nil},
		{"normal end, the child holding the plugin's stderr", "", "stderr", plugin.Config{}, nil, nil},
		{"killed at its scan timeout", "hang", "", plugin.Config{ScanTimeout: 500 * time.Millisecond}, nil, context.DeadlineExceeded},
		{"killed at its scan timeout, the child holding its stderr", "hang", "stderr", plugin.Config{ScanTimeout: 500 * time.Millisecond}, nil, context.DeadlineExceeded},
		{"cancelled", "hang", "", plugin.Config{}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 500*time.Millisecond)
		}, context.DeadlineExceeded},
		{"crashes", "crash", "", plugin.Config{}, nil, plugin.ErrClosed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			cfg := tc.cfg
			cfg.Logger = quietLogger()
			c, err := plugin.Open(context.Background(), testPlugin, &cfg)
			if err != nil {
				t.Fatal(err)
			}
			var col collector
			start := time.Now()
			spawn := cmp.Or(tc.spawn, "true")
			err = c.Scan(ctx, scanReq(map[string]string{testscanner.OptSpawn: spawn, testscanner.OptBehavior: tc.behavior}), &col)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Scan: %v; want %v", err, tc.wantErr)
			}
			pid := childPID(t, col.findings)
			closed := make(chan struct{})
			go func() { c.Close(); close(closed) }()
			select {
			case <-closed:
			case <-time.After(20 * time.Second):
				t.Fatalf("Close did not return in 20s (the child holds the plugin's pipes)")
			}
			if !processGone(pid) {
				if p, err := os.FindProcess(pid); err == nil {
					_ = p.Kill()
				}
				t.Fatalf("the plugin's child (pid %d, sleep 97) outlived the plugin", pid)
			}
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("scan and close took %s", d)
			}
		})
	}
}

// A plugin reads nothing of the host's standard input.
func TestPluginStdinIsEmpty(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := w.WriteString("HOST-STDIN-CONTENT\n"); err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old }()
	c := open(t, testPlugin, nil)
	var col collector
	if err := c.Scan(context.Background(), scanReq(map[string]string{testscanner.OptStdin: "true", testscanner.OptCount: "0"}), &col); err != nil {
		t.Fatal(err)
	}
	for _, f := range col.findings {
		if strings.Contains(f.Message, "HOST-STDIN-CONTENT") {
			t.Errorf("the plugin read the host's stdin: %s", f.Message)
		}
		if f.Rule.ID == "STDIN" && !strings.Contains(f.Message, "EOF") {
			t.Errorf("the plugin's stdin: %s; want EOF at once", f.Message)
		}
	}
}

// A plugin gets a minimal environment: none of the host's variables but
// the basic ones, those named by Config.PassEnv, and Config.Env.
func TestPluginEnvironment(t *testing.T) {
	t.Setenv("SCANMUX_TEST_CI_SECRET", "s3cr3t-value-from-ci")
	t.Setenv("SCANMUX_TEST_PASSED", "passed-value")
	t.Setenv("SCANMUX_TEST_PREFIX_A", "prefixed-value")
	c := open(t, testPlugin, &plugin.Config{
		PassEnv: []string{"SCANMUX_TEST_PASSED", "SCANMUX_TEST_PREFIX_*"},
		Env:     []string{"SCANMUX_TEST_SET=set-value"},
	})
	var col collector
	names := "SCANMUX_TEST_CI_SECRET,SCANMUX_TEST_PASSED,SCANMUX_TEST_PREFIX_A,SCANMUX_TEST_SET,PATH"
	if err := c.Scan(context.Background(), scanReq(map[string]string{testscanner.OptEnv: names, testscanner.OptCount: "0"}), &col); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range col.findings {
		if strings.Contains(f.Message, "s3cr3t-value-from-ci") {
			t.Errorf("the plugin read the CI secret: %s", f.Message)
		}
		got = append(got, f.Message)
	}
	want := []string{
		"SCANMUX_TEST_CI_SECRET unset",
		"SCANMUX_TEST_PASSED=passed-value",
		"SCANMUX_TEST_PREFIX_A=prefixed-value",
		"SCANMUX_TEST_SET=set-value",
		"PATH=" + os.Getenv("PATH"),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the plugin saw:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A plugin that writes 64 MiB without a newline to stdout and stderr, then
// floods the host with findings: the host keeps only the start of each
// line, and every finding.
func TestPluginFlood(t *testing.T) {
	var raw lineLengths
	c := open(t, testPlugin, &plugin.Config{Stderr: &raw})
	var n int
	err := c.Scan(context.Background(), scanReq(map[string]string{testscanner.OptBehavior: "flood", testscanner.OptCount: "0"}),
		plugin.EmitFuncs{OnFinding: func(*finding.Finding) error { n++; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if n != 100_000 {
		t.Errorf("%d findings; want 100000", n)
	}
	if raw.max > 17<<10 || raw.lines == 0 {
		t.Errorf("the host passed on %d lines, the longest %d bytes; want the flood cut at 16 KiB", raw.lines, raw.max)
	}
}

// lineLengths counts the lines written to it and keeps the longest's
// length.
type lineLengths struct {
	mu         sync.Mutex
	lines, max int
}

func (l *lineLengths) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines++
	l.max = max(l.max, len(p))
	return len(p), nil
}
