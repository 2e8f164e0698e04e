package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scanmux/scanmux/plugin"
)

// Fault matrix, signals (hardening issue, defect 5): SIGINT and SIGTERM
// during a large merge (while it reads, while it writes) and during a scan
// whose plugin hangs. Every row: the exit code is 128 + the signal (130,
// 143), the old output is kept byte for byte, no temporary file is left,
// no plugin process outlives scanmux, and the run stops within seconds.
func TestFaultsSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("large merges and plugin processes")
	}
	const old = `{"old": "a good log from the last run"}`
	big := sync.OnceValue(func() string { return bigReport(t, 300_000) })
	rows := []struct {
		name string
		sig  syscall.Signal
		// when says when to send the signal: "read" (soon after the
		// start, while the inputs are read), "write" (once the output's
		// temporary file exists), "plugin" (once the plugin runs), "twice"
		// (twice at once while reading: exit without waiting).
		when string
		scan bool
	}{
		{"SIGTERM during a merge, reading", syscall.SIGTERM, "read", false},
		{"SIGINT during a merge, reading", syscall.SIGINT, "read", false},
		{"SIGTERM during a merge, writing", syscall.SIGTERM, "write", false},
		{"SIGINT during a merge, writing", syscall.SIGINT, "write", false},
		{"SIGTERM twice during a merge", syscall.SIGTERM, "twice", false},
		{"SIGTERM during a scan, plugin hanging", syscall.SIGTERM, "plugin", true},
		{"SIGINT during a scan, plugin hanging", syscall.SIGINT, "plugin", true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "o.sarif")
			mustWrite(t, out, []byte(old), 0o644)
			var cmd *exec.Cmd
			if row.scan {
				cmd = hangingScan(t, dir, out)
			} else {
				cmd = scanmuxCmd(t, dir, "merge", "-q", "--output-profile", "full", "-o", out, big())
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pid := cmd.Process.Pid
			var plugins []int
			switch row.when {
			case "read", "twice":
				// Once the input is open the run is under way (and its
				// signal handlers are in place: a child built with -race
				// takes a while to start).
				waitFor(t, time.Minute, "the input open", func() bool { return hasOpen(pid, big()) })
				time.Sleep(100 * time.Millisecond)
			case "write":
				waitFor(t, 2*time.Minute, "the output's temporary file", func() bool { return len(tempFilesIn(t, dir)) > 0 })
			case "plugin":
				waitFor(t, time.Minute, "the plugin process", func() bool {
					plugins = childrenNamed(pid, "testplugin")
					return len(plugins) > 0
				})
				time.Sleep(200 * time.Millisecond) // into its Scan
			}
			sent := time.Now()
			syscall.Kill(pid, row.sig)
			if row.when == "twice" {
				syscall.Kill(pid, row.sig)
			}
			res := wait(t, cmd, time.Minute, &stdout, &stderr)
			took := time.Since(sent)
			if want := 128 + int(row.sig); res.code != want {
				t.Errorf("exit %d, want %d; stderr:\n%s", res.code, want, res.stderr)
			}
			if row.when != "twice" && !strings.Contains(res.stderr, "interrupted by "+sigName(row.sig)) {
				t.Errorf("stderr does not say it was interrupted:\n%s", res.stderr)
			}
			if took > 15*time.Second {
				t.Errorf("took %s to stop", took)
			}
			if b, err := os.ReadFile(out); err != nil || string(b) != old {
				t.Errorf("the old output was not kept: %.100q, %v", b, err)
			}
			if tmp := tempFilesIn(t, dir); len(tmp) > 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
			for _, p := range plugins {
				waitFor(t, 5*time.Second, fmt.Sprintf("plugin process %d to end", p), func() bool { return !alive(p) })
			}
		})
	}
}

func sigName(s syscall.Signal) string {
	if s == syscall.SIGINT {
		return "SIGINT"
	}
	return "SIGTERM"
}

// bigReport writes a SARIF log of n distinct results (about 170 bytes
// each) into a temporary directory shared by the rows.
func bigReport(t *testing.T, n int) string {
	dir, err := os.MkdirTemp("", "scanmux-big-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p := filepath.Join(dir, "big.sarif")
	var b bytes.Buffer
	b.WriteString(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[{"id":"R1"}]}},"results":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"ruleId":"R1","level":"warning","message":{"text":"finding %d"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/f%d.go"},"region":{"startLine":%d}}}]}`, i, i%1000, i/1000+1)
	}
	b.WriteString(`]}]}`)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	testPluginOnce sync.Once
	testPluginPath string
	testPluginErr  error
)

// testPluginBinary builds plugin/internal/testplugin once.
func testPluginBinary(t *testing.T) string {
	t.Helper()
	testPluginOnce.Do(func() {
		dir, err := buildDir("scanmux-testplugin")
		if err != nil {
			testPluginErr = err
			return
		}
		testPluginPath = filepath.Join(dir, "testplugin")
		out, err := exec.Command("go", "build", "-o", testPluginPath, "github.com/scanmux/scanmux/plugin/internal/testplugin").CombinedOutput()
		if err != nil {
			testPluginErr = fmt.Errorf("go build testplugin: %v\n%s", err, out)
		}
	})
	if testPluginErr != nil {
		t.Fatal(testPluginErr)
	}
	return testPluginPath
}

// hangingScan returns the command of a scan whose only plugin, pinned in
// a --config file, emits three findings and then hangs, ignoring its
// context.
func hangingScan(t *testing.T, dir, out string) *exec.Cmd {
	t.Helper()
	bin := testPluginBinary(t)
	sum, err := plugin.FileSHA256(bin)
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target")
	mustWrite(t, filepath.Join(target, "main.go"), []byte("package main\n"), 0o644)
	cfg := filepath.Join(dir, "scanmux.yaml")
	mustWrite(t, cfg, []byte(fmt.Sprintf("plugins:\n  - path: %s\n    sha256: %s\n    options: {behavior: hang}\n", bin, sum)), 0o644)
	return scanmuxCmd(t, dir, "scan", "--in-process", "--scanners", "scanmux-iac", "--config", cfg, "-o", out, target)
}

// waitFor polls cond until it holds, failing t after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("no %s after %s", what, d)
		}
	}
}

// childrenNamed returns the processes whose parent is pid and whose
// command name is name (from /proc).
func childrenNamed(pid int, name string) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, ppid, ok := procStat(p)
		if ok && ppid == pid && comm == name {
			out = append(out, p)
		}
	}
	return out
}

// procStat returns a process's command name and parent from
// /proc/PID/stat.
func procStat(pid int) (comm string, ppid int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0, false
	}
	s := string(b)
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if i < 0 || j < i {
		return "", 0, false
	}
	f := strings.Fields(s[j+1:])
	if len(f) < 2 {
		return "", 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	return s[i+1 : j], ppid, true
}

// alive reports whether pid is a running process (not gone, not a
// zombie).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	j := strings.LastIndexByte(s, ')')
	f := strings.Fields(s[j+1:])
	return len(f) > 0 && f[0] != "Z"
}

// hasOpen reports whether process pid has the file path open.
func hasOpen(pid int, path string) bool {
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && l == path {
			return true
		}
	}
	return false
}
