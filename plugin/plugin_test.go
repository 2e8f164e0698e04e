package plugin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/plugin/internal/testscanner"
)

// Paths of the plugin binaries built once by TestMain.
var (
	testPlugin   string // plugin/internal/testplugin
	customPlugin string // examples/custom-plugin
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scanmux-plugin-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testPlugin = filepath.Join(dir, "testplugin")
	customPlugin = filepath.Join(dir, "scanmux-plugin-bannedcalls")
	for pkg, out := range map[string]string{
		"./internal/testplugin":     testPlugin,
		"../examples/custom-plugin": customPlugin,
	} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		if b, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", pkg, err, b)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// collector is an Emitter that keeps everything.
type collector struct {
	findings    []*finding.Finding
	progress    []plugin.Progress
	diagnostics []plugin.Diagnostic
	onFinding   func(n int) // called after each finding, with the count so far
}

func (c *collector) Finding(f *finding.Finding) error {
	c.findings = append(c.findings, f)
	if c.onFinding != nil {
		c.onFinding(len(c.findings))
	}
	return nil
}
func (c *collector) Progress(p plugin.Progress) error { c.progress = append(c.progress, p); return nil }
func (c *collector) Diagnostic(d plugin.Diagnostic) error {
	c.diagnostics = append(c.diagnostics, d)
	return nil
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func open(t *testing.T, path string, cfg *plugin.Config) *plugin.Client {
	t.Helper()
	if cfg == nil {
		cfg = &plugin.Config{}
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	c, err := plugin.Open(context.Background(), path, cfg)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func scanReq(opts map[string]string) *plugin.Request {
	return &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: "/src"}, Options: opts}
}

func TestCustomPluginHappyPath(t *testing.T) {
	c := open(t, customPlugin, nil)
	info, err := c.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "bannedcalls" || info.ProtocolVersion != plugin.ProtocolVersion || len(info.Rules) != 4 {
		t.Errorf("Describe = %+v; want bannedcalls, protocol %d, 4 rules", info, plugin.ProtocolVersion)
	}
	root, _ := filepath.Abs("../examples/custom-plugin/testdata/sample")
	var col collector
	err = c.Scan(context.Background(), &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: root}}, &col)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range col.findings {
		if err := f.Validate(); err != nil {
			t.Errorf("invalid finding: %v", err)
		}
		if f.Tool.Name != "bannedcalls" || f.Tool.Version != "1.0.0" {
			t.Errorf("tool = %+v; want the plugin's own name and version filled in", f.Tool)
		}
		if f.Rule.HelpText == "" {
			t.Errorf("rule %s arrived without its help text", f.Rule.ID)
		}
		got = append(got, fmt.Sprintf("%s %s:%d:%d %s CWE-%d", f.Rule.ID, f.Location.Path,
			f.Location.Region.StartLine, f.Location.Region.StartColumn, f.Severity, f.CWEs[0]))
	}
	want := []string{
		"BAN001 app.go:9:39 medium CWE-328",
		"BAN002 app.go:11:37 high CWE-78",
		"BAN004 app.go:13:26 high CWE-295",
		"BAN001 sub/tool.py:4:12 medium CWE-328",
		"BAN003 sub/tool.py:7:11 high CWE-95",
		"BAN003 web.js:2:9 high CWE-95",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n got %q\nwant %q", got, want)
	}
	if n := len(col.progress); n != 4 || col.progress[n-1].Done != 4 {
		t.Errorf("progress = %+v; want 4 events ending at 4/4", col.progress)
	}
}

// The host cannot tell a plugin process from the same scanner in process.
func TestOutOfProcessEqualsInProcess(t *testing.T) {
	opts := map[string]string{testscanner.OptCount: "2000", testscanner.OptSnippet: "40"}
	var in, out collector
	if err := (testscanner.Scanner{}).Scan(context.Background(), scanReq(opts), &in); err != nil {
		t.Fatal(err)
	}
	c := open(t, testPlugin, nil)
	if err := c.Scan(context.Background(), scanReq(opts), &out); err != nil {
		t.Fatal(err)
	}
	// In process, findings leave the tool empty for the host to fill in.
	info, _ := testscanner.Scanner{}.Describe(context.Background())
	for _, f := range in.findings {
		f.Tool = info.Tool()
	}
	if !reflect.DeepEqual(in.findings, out.findings) {
		t.Fatalf("out-of-process findings differ from in-process ones (%d vs %d)", len(out.findings), len(in.findings))
	}
	if !reflect.DeepEqual(in.progress, out.progress) || !reflect.DeepEqual(in.diagnostics, out.diagnostics) {
		t.Errorf("events differ:\n in %+v %+v\nout %+v %+v", in.progress, in.diagnostics, out.progress, out.diagnostics)
	}
}

func TestVersionMismatch(t *testing.T) {
	_, err := plugin.Open(context.Background(), testPlugin, &plugin.Config{Env: []string{"TESTPLUGIN_MODE=v2"}, Logger: quietLogger()})
	var ve *plugin.VersionError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v; want a *VersionError", err)
	}
	if ve.PluginVersion != "2" || !reflect.DeepEqual(ve.HostVersions, []int{1}) {
		t.Errorf("VersionError = %+v; want plugin 2, host [1]", ve)
	}
	if msg := err.Error(); !strings.Contains(msg, "version 2") || !strings.Contains(msg, "version 1") {
		t.Errorf("message %q should name both versions", msg)
	}
	if !errors.Is(err, plugin.ErrHandshake) {
		t.Errorf("errors.Is(err, ErrHandshake) = false")
	}
}

func TestWrongMagicCookie(t *testing.T) {
	_, err := plugin.Open(context.Background(), testPlugin, &plugin.Config{Env: []string{"TESTPLUGIN_MODE=cookie"}, Logger: quietLogger()})
	if !errors.Is(err, plugin.ErrHandshake) {
		t.Fatalf("err = %v; want ErrHandshake", err)
	}
	// go-plugin's own explanation, printed by the plugin, is in the error.
	if !strings.Contains(err.Error(), "exit status 1") || !strings.Contains(err.Error(), "plugin") {
		t.Errorf("err = %v; want exit status and the plugin's stderr", err)
	}
}

func TestJunkOnStdout(t *testing.T) {
	_, err := plugin.Open(context.Background(), testPlugin, &plugin.Config{Env: []string{"TESTPLUGIN_MODE=junk"}, Logger: quietLogger()})
	if !errors.Is(err, plugin.ErrHandshake) {
		t.Fatalf("err = %v; want ErrHandshake", err)
	}
	if !strings.Contains(err.Error(), "hello from a plugin that prints to stdout") || !strings.Contains(err.Error(), "must not write to stdout") {
		t.Errorf("err = %v; want the junk line and the rule it broke", err)
	}
}

func TestChecksum(t *testing.T) {
	sum, err := plugin.FileSHA256(testPlugin)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("match", func(t *testing.T) {
		c := open(t, testPlugin, &plugin.Config{SHA256: sum})
		if _, err := c.Describe(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("mismatch", func(t *testing.T) {
		marker := filepath.Join(t.TempDir(), "ran")
		wrong := strings.Repeat("0", 64)
		_, err := plugin.Open(context.Background(), testPlugin, &plugin.Config{
			SHA256: wrong, Env: []string{"TESTPLUGIN_MARKER=" + marker}, Logger: quietLogger(),
		})
		if !errors.Is(err, plugin.ErrChecksum) {
			t.Fatalf("err = %v; want ErrChecksum", err)
		}
		if !strings.Contains(err.Error(), sum) || !strings.Contains(err.Error(), wrong) {
			t.Errorf("err = %v; want both checksums named", err)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Error("the plugin ran although its checksum did not match")
		}
	})
	t.Run("malformed", func(t *testing.T) {
		_, err := plugin.Open(context.Background(), testPlugin, &plugin.Config{SHA256: "xyz", Logger: quietLogger()})
		if err == nil || !strings.Contains(err.Error(), "64 hex digits") {
			t.Errorf("err = %v; want a malformed-checksum error", err)
		}
	})
}

func TestCrashKeepsPartialResults(t *testing.T) {
	c := open(t, testPlugin, nil)
	var col collector
	err := c.Scan(context.Background(), scanReq(map[string]string{
		testscanner.OptCount: "50", testscanner.OptBehavior: "crash",
	}), &col)
	var ce *plugin.CrashError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v; want a *CrashError", err)
	}
	if len(col.findings) != 50 {
		t.Errorf("got %d findings before the crash; want all 50", len(col.findings))
	}
	if ce.ExitCode != 2 {
		t.Errorf("ExitCode = %d (%s); want 2, Go's exit status for a panic", ce.ExitCode, ce.State)
	}
	if !strings.Contains(strings.Join(ce.Stderr, "\n"), "panic: testscanner crash on purpose") {
		t.Errorf("Stderr = %q; want the panic message", ce.Stderr)
	}
	if !errors.Is(err, plugin.ErrClosed) {
		t.Error("errors.Is(crash, ErrClosed) = false")
	}
	if err := c.Scan(context.Background(), scanReq(nil), &collector{}); !errors.Is(err, plugin.ErrClosed) {
		t.Errorf("scan after crash: err = %v; want ErrClosed", err)
	}
}

func TestPanicInScanFailsOnlyTheScan(t *testing.T) {
	c := open(t, testPlugin, nil)
	var col collector
	err := c.Scan(context.Background(), scanReq(map[string]string{
		testscanner.OptCount: "7", testscanner.OptBehavior: "panic",
	}), &col)
	if err == nil || !strings.Contains(err.Error(), "testscanner panic in Scan") {
		t.Fatalf("err = %v; want the panic reported", err)
	}
	var ce *plugin.CrashError
	if errors.As(err, &ce) {
		t.Fatalf("err = %v; a recovered panic is not a crash", err)
	}
	if len(col.findings) != 7 {
		t.Errorf("got %d findings; want the 7 emitted before the panic", len(col.findings))
	}
	// The process is still serving.
	if err := c.Scan(context.Background(), scanReq(nil), &collector{}); err != nil {
		t.Errorf("scan after a recovered panic: %v", err)
	}
}

func TestScanError(t *testing.T) {
	c := open(t, testPlugin, nil)
	var col collector
	err := c.Scan(context.Background(), scanReq(map[string]string{testscanner.OptCount: "2", testscanner.OptBehavior: "fail"}), &col)
	if err == nil || !strings.Contains(err.Error(), "testscanner failed on purpose") || !strings.Contains(err.Error(), "testplugin") {
		t.Fatalf("err = %v; want the plugin's error, naming the plugin", err)
	}
	if len(col.findings) != 2 {
		t.Errorf("got %d findings; want 2", len(col.findings))
	}
}

func TestHangIsKilledAtTimeout(t *testing.T) {
	c := open(t, testPlugin, &plugin.Config{ScanTimeout: 500 * time.Millisecond})
	var col collector
	start := time.Now()
	err := c.Scan(context.Background(), scanReq(map[string]string{testscanner.OptCount: "5", testscanner.OptBehavior: "hang"}), &col)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "timed out after 500ms") {
		t.Errorf("err = %v; want the timeout named", err)
	}
	// Not a performance check: a hang that is not killed never returns.
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Scan returned after %s; the hung plugin was not killed", d)
	}
	if len(col.findings) != 5 {
		t.Errorf("got %d findings before the hang; want 5", len(col.findings))
	}
	waitExited(t, c)
}

func TestContextCancelKillsPlugin(t *testing.T) {
	c := open(t, testPlugin, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	col := collector{onFinding: func(n int) {
		if n == 3 {
			cancel()
		}
	}}
	err := c.Scan(ctx, scanReq(map[string]string{testscanner.OptCount: "3", testscanner.OptBehavior: "hang"}), &col)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want Canceled", err)
	}
	waitExited(t, c)
}

// waitExited checks that the plugin process is gone.
func waitExited(t *testing.T, c *plugin.Client) {
	t.Helper()
	if err := c.Scan(context.Background(), scanReq(nil), &collector{}); !errors.Is(err, plugin.ErrClosed) {
		t.Errorf("after kill: err = %v; want ErrClosed", err)
	}
}

func TestHundredThousandFindingsInOrder(t *testing.T) {
	const n = 100_000
	c := open(t, testPlugin, nil)
	next := 0
	err := c.Scan(context.Background(), scanReq(map[string]string{
		testscanner.OptCount: strconv.Itoa(n), testscanner.OptMsgBytes: "2000", testscanner.OptSnippet: "500",
	}), plugin.EmitFuncs{OnFinding: func(f *finding.Finding) error {
		if f.Properties["index"] != strconv.Itoa(next) {
			return fmt.Errorf("finding %s arrived at position %d", f.Properties["index"], next)
		}
		if len(f.Message) != 2000 || len(f.Location.Snippet) != 500 || f.Rule.HelpText == "" {
			return fmt.Errorf("finding %d arrived incomplete", next)
		}
		next++
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if next != n {
		t.Errorf("got %d findings; want %d", next, n)
	}
}

// Four plugins at once: one crashes, the others finish with all their
// findings.
func TestConcurrentPluginsIsolated(t *testing.T) {
	behaviors := []string{"", "crash", "", ""}
	var wg sync.WaitGroup
	counts := make([]int, len(behaviors))
	errs := make([]error, len(behaviors))
	for i, b := range behaviors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := plugin.Open(context.Background(), testPlugin, &plugin.Config{Logger: quietLogger()})
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Close()
			errs[i] = c.Scan(context.Background(), scanReq(map[string]string{
				testscanner.OptCount: "20000", testscanner.OptBehavior: b,
			}), plugin.EmitFuncs{OnFinding: func(*finding.Finding) error { counts[i]++; return nil }})
		}()
	}
	wg.Wait()
	for i, b := range behaviors {
		var ce *plugin.CrashError
		switch {
		case b == "crash" && !errors.As(errs[i], &ce):
			t.Errorf("plugin %d: err = %v; want a crash", i, errs[i])
		case b == "" && errs[i] != nil:
			t.Errorf("plugin %d: %v", i, errs[i])
		}
		if counts[i] != 20000 {
			t.Errorf("plugin %d (%q): %d findings; want 20000", i, b, counts[i])
		}
	}
}

func TestStderrRoutedToLogger(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := open(t, testPlugin, &plugin.Config{Logger: logger})
	if err := c.Scan(context.Background(), scanReq(map[string]string{testscanner.OptBehavior: "stderr"}), &collector{}); err != nil {
		t.Fatal(err)
	}
	c.Close() // stderr is fully read once the process is gone
	out := buf.String()
	for _, want := range []string{
		`level=INFO msg="plain stderr line from testscanner" plugin=testplugin`,
		`level=WARN msg="structured warning from testscanner" plugin=testplugin count=3`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestEmitterErrorStopsScan(t *testing.T) {
	c := open(t, testPlugin, nil)
	stop := errors.New("host has enough")
	n := 0
	err := c.Scan(context.Background(), scanReq(map[string]string{testscanner.OptCount: "10000"}),
		plugin.EmitFuncs{OnFinding: func(*finding.Finding) error {
			n++
			if n == 10 {
				return stop
			}
			return nil
		}})
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v; want the emitter's own error", err)
	}
	// The plugin is still usable: the host only cancelled that stream.
	if _, err := c.Describe(context.Background()); err != nil {
		t.Errorf("Describe after a host-side stop: %v", err)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
