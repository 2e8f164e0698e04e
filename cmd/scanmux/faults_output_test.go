package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Fault matrix, output faults (hardening issue, defects 1, 7 and 10): the
// output cannot be written (read-only directory, full disk, missing
// directory, a directory in its place) or the run failed. Every row: the
// exit code is 2, the old output is kept byte for byte, no temporary file
// is left, and the message names the output, never its temporary file.
func TestFaultsOutput(t *testing.T) {
	const old = `{"old": "a good log from the last run"}`
	rows := []struct {
		name string
		// setup prepares dir (the output's directory) and returns the
		// output path; it skips t when the fault cannot be made here.
		setup    func(t *testing.T, dir string) string
		input    func(t *testing.T, dir string) string // the report merged
		args     []string
		code     int
		stderr   string // what the message must say
		keepsOld bool   // the old output is kept byte for byte
	}{
		{
			name: "read-only directory",
			setup: func(t *testing.T, dir string) string {
				out := filepath.Join(dir, "o.sarif")
				mustWrite(t, out, []byte(old), 0o644)
				readOnly(t, dir)
				return out
			},
			input: goodInput(10), code: 2, stderr: "writing o.sarif: ", keepsOld: true,
		},
		{
			name: "full disk (a 256 KiB tmpfs)",
			setup: func(t *testing.T, dir string) string {
				mountTmpfs(t, dir, "size=256k")
				out := filepath.Join(dir, "o.sarif")
				mustWrite(t, out, []byte(old), 0o644)
				return out
			},
			input: goodInput(5000), code: 2, stderr: "writing o.sarif: no space left on device", keepsOld: true,
		},
		{
			name: "full device in place (/dev/full)",
			setup: func(t *testing.T, dir string) string {
				if _, err := os.Stat("/dev/full"); err != nil {
					t.Skip("no /dev/full here")
				}
				return "/dev/full"
			},
			input: goodInput(10), code: 2, stderr: "writing /dev/full: no space left on device",
		},
		{
			name: "missing directory",
			setup: func(t *testing.T, dir string) string {
				return filepath.Join(dir, "nope", "o.sarif")
			},
			input: goodInput(10), code: 2, stderr: "writing nope/o.sarif: directory nope does not exist",
		},
		{
			name: "a directory in the output's place",
			setup: func(t *testing.T, dir string) string {
				out := filepath.Join(dir, "o.sarif")
				if err := os.Mkdir(out, 0o755); err != nil {
					t.Fatal(err)
				}
				return out
			},
			input: goodInput(10), code: 2, stderr: "writing o.sarif: is a directory",
		},
		{
			name: "a truncated input (defect 1)",
			setup: func(t *testing.T, dir string) string {
				out := filepath.Join(dir, "o.sarif")
				mustWrite(t, out, []byte(old), 0o644)
				return out
			},
			input: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "in", "truncated.sarif")
				full := sarifLog("t", "", "a.go", 10)
				mustWrite(t, p, full[:len(full)/2], 0o644)
				return p
			},
			code: 2, stderr: "o.sarif not written: import:truncated.sarif failed", keepsOld: true,
		},
		{
			name: "a truncated input with a good one (defect 1)",
			setup: func(t *testing.T, dir string) string {
				out := filepath.Join(dir, "o.sarif")
				mustWrite(t, out, []byte(old), 0o644)
				return out
			},
			input: func(t *testing.T, dir string) string {
				mustWrite(t, filepath.Join(dir, "in", "good.sarif"), sarifLog("g", "", "a.go", 3), 0o644)
				p := filepath.Join(dir, "in", "truncated.sarif")
				full := sarifLog("t", "", "a.go", 10)
				mustWrite(t, p, full[:len(full)-3], 0o644)
				return p
			},
			args: []string{"in/good.sarif"},
			code: 2, stderr: "o.sarif not written: import:truncated.sarif failed", keepsOld: true,
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			top := t.TempDir()
			dir := filepath.Join(top, "out")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			in := row.input(t, top)
			out := row.setup(t, dir)
			rel := out // the output as given, relative to its directory
			if r, err := filepath.Rel(dir, out); err == nil && !strings.HasPrefix(r, "..") {
				rel = r
			}
			args := []string{"merge", "-q", "--root", top, "-o", rel, in}
			for _, a := range row.args {
				args = append(args, filepath.Join(top, a))
			}
			res := runScanmux(t, dir, 2*time.Minute, args...)
			if res.code != row.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", res.code, row.code, res.stderr)
			}
			if !strings.Contains(res.stderr, row.stderr) {
				t.Errorf("stderr does not say %q:\n%s", row.stderr, res.stderr)
			}
			if strings.Contains(res.stderr, ".tmp") {
				t.Errorf("the message names a temporary file:\n%s", res.stderr)
			}
			if row.keepsOld {
				if b, err := os.ReadFile(out); err != nil || string(b) != old {
					t.Errorf("the old output was not kept: %.100q, %v", b, err)
				}
			}
			if _, err := os.Stat(dir); err == nil {
				if tmp := tempFilesIn(t, dir); len(tmp) > 0 {
					t.Errorf("temporary files left: %v", tmp)
				}
			}
		})
	}
}

// goodInput returns an input maker of a valid report with n results.
func goodInput(n int) func(t *testing.T, dir string) string {
	return func(t *testing.T, dir string) string {
		p := filepath.Join(dir, "in", "good.sarif")
		mustWrite(t, p, sarifLog("t", "", "a.go", n), 0o644)
		return p
	}
}

// readOnly makes dir read-only for scanmux: mode 0555 for a user, a
// read-only remount of a tmpfs for root (whom modes do not stop).
func readOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return
	}
	// Root: the files are copied onto a tmpfs, which is then remounted
	// read-only.
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	saved := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		saved[e.Name()] = b
	}
	mountTmpfs(t, dir, "size=1m")
	for name, b := range saved {
		mustWrite(t, filepath.Join(dir, name), b, 0o644)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT|syscall.MS_RDONLY, "size=1m"); err != nil {
		t.Skipf("cannot remount the tmpfs read-only (%v): the read-only row needs a user other than root, or mount rights", err)
	}
}

// mountTmpfs mounts a tmpfs with the options on dir for the test, or
// skips t saying why it cannot.
func mountTmpfs(t *testing.T, dir, options string) {
	t.Helper()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, options); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): this row needs mount rights (root, or CAP_SYS_ADMIN), which CI may not give", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
}

// A replaced output keeps the old file's mode (0600 stays 0600, 0640
// stays 0640, whatever the umask); a new one gets 0666 less the umask
// (defect 10: the old writer gave every output 0644).
func TestOutputMode(t *testing.T) {
	for _, tc := range []struct {
		old   os.FileMode // 0: no old file
		umask string
		want  os.FileMode
	}{
		{0o600, "022", 0o600},
		{0o640, "077", 0o640},
		{0o644, "077", 0o644},
		{0, "022", 0o644},
		{0, "077", 0o600},
		{0, "027", 0o640},
	} {
		t.Run(fmt.Sprintf("old %04o umask %s", tc.old, tc.umask), func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.sarif")
			mustWrite(t, in, sarifLog("t", "", "a.go", 2), 0o644)
			out := filepath.Join(dir, "o.sarif")
			if tc.old != 0 {
				mustWrite(t, out, []byte("{}"), 0o600)
				if err := os.Chmod(out, tc.old); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command("sh", "-c", `umask "$1"; shift; exec "$@"`, "sh", tc.umask, scanmuxBinary(t), "merge", "-q", "-o", out, in)
			cmd.Dir = dir
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			st, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != tc.want {
				t.Errorf("mode %04o, want %04o", st.Mode().Perm(), tc.want)
			}
		})
	}
}

// An output that is a symbolic link: the file it points to is replaced,
// the link stays a link.
func TestOutputSymlink(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.sarif")
	mustWrite(t, in, sarifLog("t", "", "a.go", 2), 0o644)
	target := filepath.Join(dir, "reports", "real.sarif")
	mustWrite(t, target, []byte("{}"), 0o644)
	link := filepath.Join(dir, "o.sarif")
	if err := os.Symlink("reports/real.sarif", link); err != nil {
		t.Fatal(err)
	}
	if res := runScanmux(t, dir, time.Minute, "merge", "-q", "-o", "o.sarif", in); res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if li, err := os.Lstat(link); err != nil || li.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", li, err)
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), `"runs"`) {
		t.Errorf("the link's target was not written: %.80q", b)
	}
}

// The merged run's informationUri does not depend on the order of the
// inputs (defect 10): two reports of one tool that give it different
// URIs merge into one run whose URI is the same whatever the order.
func TestInformationURIOrder(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.sarif")
	b := filepath.Join(dir, "b.sarif")
	mustWrite(t, a, sarifLog("mytool", "https://example.com/mytool", "a.go", 2), 0o644)
	mustWrite(t, b, sarifLog("mytool", "https://mytool.example.org/docs", "b.go", 2), 0o644)
	uri := func(order ...string) string {
		out := filepath.Join(dir, "o.sarif")
		args := append([]string{"merge", "-q", "-o", out}, order...)
		if res := runScanmux(t, dir, time.Minute, args...); res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		var log struct {
			Runs []struct {
				Tool struct {
					Driver struct {
						Name, InformationURI string
					}
				}
			}
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &log); err != nil {
			t.Fatal(err)
		}
		if len(log.Runs) != 1 {
			t.Fatalf("%d runs, want 1", len(log.Runs))
		}
		return log.Runs[0].Tool.Driver.InformationURI
	}
	ab, ba := uri(a, b), uri(b, a)
	if ab != ba {
		t.Errorf("informationUri depends on the order: %q for a b, %q for b a", ab, ba)
	}
}
