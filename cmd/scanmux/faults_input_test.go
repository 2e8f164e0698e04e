package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/scanmux/scanmux/sarif"
)

// Fault matrix, bad input: reports cut short, garbled, nested deeply,
// with huge strings or invalid UTF-8, SARIF 1.0, gzip-compressed, and
// inputs that are no regular file. Every row runs `scanmux merge` on the
// input beside a good report with an old output in place: a bad input
// exits 2 and keeps the old output (written only with --partial); a good
// one exits 0 with its findings. No row may crash (a Go stack trace),
// hang, or put a control character on stderr.
func TestFaultsBadInput(t *testing.T) {
	const old = `{"old": "a good log from the last run"}`
	good := sarifLog("t", "", "a.go", 3)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(sarifLog("z", "", "a.go", 3))
	zw.Close()
	v1, err := os.ReadFile("../../sarif/testdata/upgrade_v1/features-v1.sarif")
	if err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		name string
		data []byte // the input; nil for the special files
		file string // an existing file to pass instead (FIFO, device)
		code int
		// results is how many results the output has (the good
		// report's 3 plus the input's), with --partial for a bad input.
		results int
		stderr  string // what stderr must say
		refused bool   // refused before the run: --partial writes nothing either
	}{
		{name: "truncated", data: good[:len(good)/2], code: 2, results: 3, stderr: "truncated"},
		{name: "truncated gzip", data: gz.Bytes()[:gz.Len()/2], code: 2, results: 3, stderr: "unexpected EOF"},
		{name: "garbled bytes", data: bytes.Repeat([]byte("\x00\x1b[2J\xff\xfe{\"::error::x\n"), 1000), code: 2, results: 3, stderr: "unknown report format"},
		{name: "JSON of no report", data: []byte(`{"hello": "world"}`), code: 2, results: 3, stderr: "unknown report format"},
		{name: "empty", data: []byte{}, code: 2, results: 3, stderr: "import:input"},
		{name: "deep nesting", data: deepLog(1_000_000), code: 2, results: 3, stderr: "exceeded max depth"},
		{name: "huge string (20 MB message)", data: hugeStringLog(20 << 20), code: 0, results: 4},
		{name: "invalid UTF-8", data: invalidUTF8Log(), code: 0, results: 4},
		{name: "SARIF 1.0", data: v1, code: 0, results: 3 + 4},
		{name: "gzip", data: gz.Bytes(), code: 0, results: 3 + 3},
		{name: "named pipe (FIFO)", file: "fifo", code: 2, stderr: "is a named pipe", refused: true},
		{name: "/dev/zero", file: "/dev/zero", code: 2, stderr: "not a regular file", refused: true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			dir := t.TempDir()
			mustWrite(t, filepath.Join(dir, "good.sarif"), good, 0o644)
			in := filepath.Join(dir, "input")
			switch row.file {
			case "":
				mustWrite(t, in, row.data, 0o644)
			case "fifo":
				if err := syscall.Mkfifo(in, 0o600); err != nil {
					t.Skipf("no named pipes here: %v", err)
				}
			default:
				if _, err := os.Stat(row.file); err != nil {
					t.Skipf("no %s here", row.file)
				}
				in = row.file
			}
			out := filepath.Join(dir, "o.sarif")
			mustWrite(t, out, []byte(old), 0o644)
			res := runScanmux(t, dir, 2*time.Minute, "merge", "--output-profile", "full", "-o", out, "good.sarif", in)
			if res.code != row.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", res.code, row.code, res.stderr)
			}
			if row.stderr != "" && !strings.Contains(res.stderr, row.stderr) {
				t.Errorf("stderr does not say %q:\n%s", row.stderr, res.stderr)
			}
			if strings.Contains(res.stderr, "goroutine ") || strings.Contains(res.stderr, "panic:") {
				t.Errorf("scanmux crashed:\n%s", res.stderr)
			}
			checkLogSafe(t, res.stderr)
			if row.code != 0 {
				if b, _ := os.ReadFile(out); string(b) != old {
					t.Errorf("the old output was replaced by a failed run: %.80q", b)
				}
				if row.refused {
					return
				}
				// With --partial the good report is written, marked.
				res = runScanmux(t, dir, 2*time.Minute, "merge", "--partial", "--output-profile", "full", "-o", out, "good.sarif", in)
				if res.code != row.code {
					t.Errorf("--partial: exit %d, want %d", res.code, row.code)
				}
			}
			runs, err := sarif.ReadFile(out, nil)
			if err != nil {
				t.Fatalf("the output: %v", err)
			}
			n, partial := 0, false
			for _, r := range runs {
				n += len(r.Findings)
				for _, note := range r.Invocation.Notifications {
					partial = partial || strings.Contains(note.Message, "this log is partial")
				}
				for _, f := range r.Findings {
					if !utf8.ValidString(f.Message) {
						t.Errorf("a message is not UTF-8: %q", f.Message)
					}
				}
			}
			if n != row.results {
				t.Errorf("%d results, want %d", n, row.results)
			}
			if partial != (row.code != 0) {
				t.Errorf("the log says it is partial: %v, want %v", partial, row.code != 0)
			}
		})
	}
}

// deepLog is a SARIF log whose one result has a property nested depth
// arrays deep.
func deepLog(depth int) []byte {
	return []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"d"}},"results":[{"ruleId":"r","message":{"text":"m"},"properties":{"x":` +
		strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}}]}]}`)
}

// hugeStringLog is a SARIF log (version first) of one result whose
// message is n bytes on one line.
func hugeStringLog(n int) []byte {
	var b bytes.Buffer
	writeHugeStringLog(&b, n, false)
	return b.Bytes()
}

// writeHugeStringLog writes hugeStringLog(n) into w, a piece at a time;
// runsFirst writes "runs" first and "version" last, as gosec does.
func writeHugeStringLog(w io.Writer, n int, runsFirst bool) error {
	head := `{"version":"2.1.0","runs":[`
	tail := `]}`
	if runsFirst {
		head, tail = `{"runs":[`, `],"version":"2.1.0"}`
	}
	io.WriteString(w, head+`{"tool":{"driver":{"name":"h"}},"results":[{"ruleId":"r","message":{"text":"`)
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			return err
		}
		n -= k
	}
	_, err := io.WriteString(w, `"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":1}}}]}]}`+tail)
	return err
}

// invalidUTF8Log is a SARIF log whose rule id, message and path hold
// bytes that are not UTF-8.
func invalidUTF8Log() []byte {
	return []byte("{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"u\"}},\"results\":[{\"ruleId\":\"r\xff\",\"message\":{\"text\":\"bad \xff\xfe \xc3 utf8\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"a\xc3.go\"},\"region\":{\"startLine\":1}}}]}]}]}")
}

var (
	plainBinOnce sync.Once
	plainBin     string
	plainBinErr  error
)

// scanmuxBinaryNoRace is scanmuxBinary built without -race, whose memory
// use is the real one.
func scanmuxBinaryNoRace(t *testing.T) string {
	t.Helper()
	if !raceEnabled || os.Getenv("SCANMUX_TEST_BINARY") != "" {
		return scanmuxBinary(t)
	}
	plainBinOnce.Do(func() {
		dir, err := buildDir("scanmux-faults-norace")
		if err != nil {
			plainBinErr = err
			return
		}
		plainBin = filepath.Join(dir, "scanmux")
		if out, err := exec.Command("go", "build", "-o", plainBin, ".").CombinedOutput(); err != nil {
			plainBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if plainBinErr != nil {
		t.Fatal(plainBinErr)
	}
	return plainBin
}

// Acceptance (hardening issue): the peak memory of a merge of a 200 MB
// single-line string input stays under twice the input's size, measured
// as the maximum resident set size of the real scanmux process
// (getrusage of the child). The string was read whole, then copied by the
// reader and three times by the writer: 3.5 GB, 17 times the input.
func TestHugeStringMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 200 MB input")
	}
	const size = 200 << 20
	for _, row := range []struct {
		name      string
		runsFirst bool
		skip      string
	}{
		{name: "SARIF, version first"},
		{name: "SARIF, runs first (as gosec writes it)", runsFirst: true},
	} {
		t.Run(row.name, func(t *testing.T) {
			if row.skip != "" {
				t.Skip(row.skip)
			}
			dir := t.TempDir()
			in := filepath.Join(dir, "huge.sarif")
			f, err := os.Create(in)
			if err != nil {
				t.Fatal(err)
			}
			bw := bufio.NewWriter(f)
			if err := writeHugeStringLog(bw, size, row.runsFirst); err != nil {
				t.Fatal(err)
			}
			if err := bw.Flush(); err != nil {
				t.Fatal(err)
			}
			st, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			inSize := st.Size()
			peak := peakRSS(t, dir, scanmuxBinaryNoRace(t), "merge", "-q", "-o", filepath.Join(dir, "o.sarif"), in)
			t.Logf("peak RSS %d MB for a %d MB input (%.2fx)", peak>>20, inSize>>20, float64(peak)/float64(inSize))
			if peak >= 2*inSize {
				t.Errorf("peak RSS %d MB, want under %d MB (twice the input)", peak>>20, 2*inSize>>20)
			}
			runs, err := sarif.ReadFile(filepath.Join(dir, "o.sarif"), nil)
			if err != nil || len(runs) != 1 || len(runs[0].Findings) != 1 {
				t.Fatalf("the output: %v", err)
			}
			if msg := runs[0].Findings[0].Message; !strings.Contains(msg, fmt.Sprintf("cut by scanmux: the string had %d bytes", size)) {
				t.Errorf("the message does not say it was cut: ...%q", msg[max(0, len(msg)-100):])
			}
		})
	}
}

// peakRSS runs the command in dir and returns its peak resident set size
// in bytes. getrusage of a direct child counts the test process's memory
// too (the child is forked from it, with its memory, before it execs
// scanmux), which is large under the race detector: so the child is
// started by GNU time (a small process), whose report is of scanmux alone;
// without GNU time, by getrusage, when the test process is small.
func peakRSS(t *testing.T, dir, bin string, args ...string) int64 {
	t.Helper()
	var stderr bytes.Buffer
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		report := filepath.Join(t.TempDir(), "rss")
		cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", report, bin}, args...)...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = dir, io.Discard, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %s", err, stderr.String())
		}
		b, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		var kb int64
		if _, err := fmt.Sscan(strings.TrimSpace(string(b)), &kb); err != nil {
			t.Fatalf("GNU time's report %q: %v", b, err)
		}
		return kb << 10
	}
	if raceEnabled {
		t.Skip("no GNU time (/usr/bin/time) to measure the child alone, and the race detector makes this process too large to fork from")
	}
	debug.FreeOSMemory()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no rusage of the child here")
	}
	return ru.Maxrss << 10 // KiB on Linux
}
