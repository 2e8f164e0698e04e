package main

// Helpers of the fault-matrix tests (faults_*_test.go): they build the
// scanmux binary once and run it as a real process, with real files and
// real signals. SCANMUX_TEST_BINARY runs them against another build (an
// older release, to see which rows it fails).

import (
	"bytes"
	"encoding/json"
	"errors"
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
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// scanmuxBinary returns the path of a scanmux binary built from this
// package (once per test run), or $SCANMUX_TEST_BINARY.
func scanmuxBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds scanmux and runs it as a process")
	}
	if p := os.Getenv("SCANMUX_TEST_BINARY"); p != "" {
		return p
	}
	binOnce.Do(func() {
		dir, err := buildDir("scanmux-faults")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "scanmux")
		args := []string{"build", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// buildDir returns a new directory for the binaries this test process
// builds, named after its process id, having removed those of test
// processes that have ended (the package's TestMain is not ours to
// clean up after).
func buildDir(prefix string) (string, error) {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"-*"))
	for _, d := range old {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), prefix+"-"))
		if err == nil && pid != os.Getpid() && syscall.Kill(pid, 0) != nil {
			os.RemoveAll(d)
		}
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("%s-%d", prefix, os.Getpid()))
	return dir, os.MkdirAll(dir, 0o755)
}

// result is how a scanmux process ended.
type result struct {
	code           int // exit code, or 128+N for a process killed by signal N
	stdout, stderr string
}

// scanmuxCmd returns the command that runs scanmux with args in dir.
func scanmuxCmd(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(scanmuxBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SCANMUX_PLUGIN_PATH="+filepath.Join(dir, "no-plugins"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a group of its own, killed as one at the end
	return cmd
}

// runScanmux runs scanmux with args in dir and waits at most timeout.
func runScanmux(t *testing.T, dir string, timeout time.Duration, args ...string) result {
	t.Helper()
	cmd := scanmuxCmd(t, dir, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return wait(t, cmd, timeout, &stdout, &stderr)
}

// wait waits for cmd, killing its process group after timeout (a failure).
func wait(t *testing.T, cmd *exec.Cmd, timeout time.Duration, stdout, stderr *bytes.Buffer) result {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(timeout):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("scanmux %s still running after %s; stderr:\n%s", strings.Join(cmd.Args[1:], " "), timeout, stderr)
	}
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.code = 128 + int(ws.Signal())
		}
	default:
		t.Fatal(err)
	}
	return res
}

// mustWrite writes a file, creating its directory.
func mustWrite(t *testing.T, path string, data []byte, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
}

// tempFilesIn returns the names in dir that look like scanmux's
// temporary files (".NAME.*.tmp").
func tempFilesIn(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") && strings.HasSuffix(e.Name(), ".tmp") {
			out = append(out, e.Name())
		}
	}
	return out
}

// sarifLog returns a SARIF 2.1.0 log of one run of tool with n results,
// rule R1, on path at lines 1..n.
func sarifLog(tool, uri, path string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":%s`, jsonString(tool))
	if uri != "" {
		fmt.Fprintf(&b, `,"informationUri":%s`, jsonString(uri))
	}
	b.WriteString(`,"rules":[{"id":"R1","shortDescription":{"text":"rule one"}}]}},"results":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"ruleId":"R1","level":"warning","message":{"text":"finding %d"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":%s},"region":{"startLine":%d}}}]}`, i, jsonString(path), i+1)
	}
	b.WriteString(`]}]}`)
	return []byte(b.String())
}

// jsonString returns s as a JSON string.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
