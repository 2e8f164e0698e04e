package pluginsource_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/aggregate/pluginsource"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
)

// memScanner is an in-process plugin.Scanner that emits n findings and then
// behaves as asked: "" returns, "fail" fails, "hang" ignores cancellation.
type memScanner struct {
	name     string
	n        int
	behavior string
	reuse    bool // reuse one Finding value for every emit, as scanners may
}

func (s memScanner) Describe(context.Context) (*plugin.Info, error) {
	return &plugin.Info{Name: s.name, Version: "0.1.0", Categories: []finding.Category{finding.CategorySAST}}, nil
}

func (s memScanner) Scan(ctx context.Context, req *plugin.Request, out plugin.Emitter) error {
	var buf finding.Finding
	for i := range s.n {
		f := &finding.Finding{}
		if s.reuse {
			f = &buf
		}
		*f = finding.Finding{Rule: finding.Rule{ID: "MEM1"}, Message: fmt.Sprintf("issue %d", i),
			Category: finding.CategorySAST, Severity: finding.SeverityMedium,
			Location: finding.Location{Path: filepath.Join(req.Target.Root, fmt.Sprintf("f%d.go", i)), Region: finding.Region{StartLine: 1}}}
		if err := out.Finding(f); err != nil {
			return err
		}
	}
	switch s.behavior {
	case "fail":
		return errors.New("memscanner failed on purpose")
	case "hang":
		select {}
	}
	return nil
}

func TestInProcessScanner(t *testing.T) {
	root := t.TempDir()
	req := &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: root}}
	var mu sync.Mutex
	var events []aggregate.SourceEvent
	rep, err := aggregate.Run(context.Background(), []aggregate.Source{
		pluginsource.New(t.Context(), memScanner{name: "mem-ok", n: 5, reuse: true}, req),
		pluginsource.New(t.Context(), memScanner{name: "mem-fail", n: 3, behavior: "fail"}, req),
	}, &aggregate.Options{Root: root, Progress: func(ev aggregate.SourceEvent) {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	st := statusByName(rep)
	if s := st["mem-ok"]; s.State != aggregate.SourceOK || s.Findings != 5 || len(s.Tools) != 1 || s.Tools[0].Version != "0.1.0" {
		t.Errorf("mem-ok status %+v", s)
	}
	if s := st["mem-fail"]; s.State != aggregate.SourceFailed || s.Findings != 3 || !strings.Contains(s.Err, "failed on purpose") {
		t.Errorf("mem-fail status %+v", s)
	}
	msgs := map[string]int{}
	for _, f := range rep.Findings {
		msgs[f.Tool.Name+" "+f.Message]++
		if strings.HasPrefix(f.Location.Path, "/") {
			t.Errorf("path %q not relative to the root", f.Location.Path)
		}
		partial := f.Properties[aggregate.PropPartial] == "true"
		if partial != (f.Tool.Name == "mem-fail") {
			t.Errorf("%s %s: partial = %v", f.Tool.Name, f.Message, partial)
		}
	}
	if len(msgs) != 8 || msgs["mem-ok issue 4"] != 1 {
		t.Errorf("findings %v: a reused finding was not copied?", msgs)
	}
	var starts, ends int
	for _, ev := range events {
		if ev.Started {
			starts++
		}
		if ev.State == aggregate.SourceOK || ev.State == aggregate.SourceFailed {
			ends++
		}
	}
	if starts != 2 || ends != 2 {
		t.Errorf("progress events: %d starts, %d ends, want 2 and 2: %+v", starts, ends, events)
	}
}

func statusByName(rep *aggregate.Report) map[string]aggregate.SourceStatus {
	m := map[string]aggregate.SourceStatus{}
	for _, s := range rep.Sources {
		m[s.Name] = s
	}
	return m
}

// TestSourceTimeoutInProcess checks that a source ignoring its context is
// abandoned and recorded as timed out, keeping what it emitted.
func TestSourceTimeoutInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the abandon grace period")
	}
	rep, err := aggregate.Run(context.Background(), []aggregate.Source{
		pluginsource.New(t.Context(), memScanner{name: "mem-hang", n: 2, behavior: "hang"}, nil),
		pluginsource.New(t.Context(), memScanner{name: "mem-ok", n: 1}, nil),
	}, &aggregate.Options{SourceTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	st := statusByName(rep)
	if s := st["mem-hang"]; s.State != aggregate.SourceTimeout || s.Findings != 2 {
		t.Errorf("mem-hang status %+v", s)
	}
	if s := st["mem-ok"]; s.State != aggregate.SourceOK {
		t.Errorf("mem-ok status %+v", s)
	}
	if len(rep.Findings) != 3 {
		t.Errorf("%d findings, want 3", len(rep.Findings))
	}
}

var (
	buildOnce sync.Once
	pluginBin string
	buildErr  error
)

// testPlugin builds plugin/internal/testplugin once into a temporary
// directory.
func testPlugin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs a plugin process")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scanmux-aggregate-test")
		if err != nil {
			buildErr = err
			return
		}
		pluginBin = filepath.Join(dir, "testplugin")
		out, err := exec.Command("go", "build", "-o", pluginBin, "github.com/scanmux/scanmux/plugin/internal/testplugin").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return pluginBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pluginBin != "" {
		os.RemoveAll(filepath.Dir(pluginBin))
	}
	os.Exit(code)
}

// TestPluginProcesses runs three plugin processes: one that completes, one
// that crashes after emitting and one that hangs past SourceTimeout.
func TestPluginProcesses(t *testing.T) {
	bin := testPlugin(t)
	root := t.TempDir()
	var srcs []aggregate.Source
	for _, behavior := range []string{"", "crash", "hang"} {
		c, err := plugin.Open(context.Background(), bin, &plugin.Config{Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		req := &plugin.Request{
			Target:  plugin.Target{Kind: plugin.TargetDirectory, Root: root},
			Options: map[string]string{"count": "40", "behavior": behavior},
		}
		srcs = append(srcs, named{pluginsource.New(t.Context(), c, req), "plugin-" + cmpOr(behavior, "ok")})
	}
	start := time.Now()
	rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{Root: root, SourceTimeout: 3 * time.Second,
		Gate: aggregate.Gate{FailOnSourceError: true}})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("run took %v", d)
	}
	st := statusByName(rep)
	if s := st["plugin-ok"]; s.State != aggregate.SourceOK || s.Findings != 40 {
		t.Errorf("ok plugin: %+v", s)
	}
	if s := st["plugin-crash"]; s.State != aggregate.SourceFailed || s.Findings != 40 || s.Err == "" {
		t.Errorf("crashing plugin: %+v", s)
	}
	if s := st["plugin-hang"]; s.State != aggregate.SourceTimeout || s.Findings != 40 {
		t.Errorf("hanging plugin: %+v", s)
	}
	// The three plugins emit the same 40 findings: reruns collapse.
	if len(rep.Findings) != 40 || rep.Counts.Merged != 80 {
		t.Errorf("%d findings, %d merged; want 40 and 80", len(rep.Findings), rep.Counts.Merged)
	}
	for _, f := range rep.Findings {
		if f.Properties[aggregate.PropPartial] != "" {
			t.Errorf("%s: the primary report of a complete source is marked partial", f.Message)
		}
		partial := 0
		for _, a := range f.Also {
			if strings.Contains(a.Match, "partial: source plugin-") {
				partial++
			}
		}
		if partial != 2 {
			t.Errorf("%s: %d partial reports, want 2", f.Message, partial)
		}
	}
	if !rep.Gate.Failed || rep.Gate.ExitCode != aggregate.ExitSourceFailed || len(rep.Gate.Reasons) != 2 {
		t.Errorf("gate %+v, want exit 3 with two reasons", rep.Gate)
	}
	runs := rep.Runs()
	if len(runs) != 1 || !runs[0].Invocation.Failed || len(runs[0].Findings) != 40 {
		t.Fatalf("runs: %d, failed %v", len(runs), len(runs) > 0 && runs[0].Invocation.Failed)
	}
	var notes []string
	for _, n := range runs[0].Invocation.Notifications {
		notes = append(notes, n.Message)
	}
	for _, want := range []string{"source plugin-crash failed", "source plugin-hang timeout"} {
		if !slices.ContainsFunc(notes, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("no notification mentions %q: %q", want, notes)
		}
	}
}

// named renames a source, so that three runs of one plugin can be told
// apart.
type named struct {
	aggregate.Source
	name string
}

func (n named) Name() string { return n.name }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// stuckScanner's Describe waits for its context.
type stuckScanner struct{ memScanner }

func (stuckScanner) Describe(ctx context.Context) (*plugin.Info, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestNameHonoursContext checks that the Describe call Name makes ends with
// the context given to New, rather than waiting out its own timeout.
func TestNameHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	src := pluginsource.New(ctx, stuckScanner{memScanner{name: "stuck"}}, nil)
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan string, 1)
	go func() { done <- src.Name() }()
	select {
	case name := <-done:
		if name != "scanner" {
			t.Errorf("Name = %q, want the fallback %q", name, "scanner")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Name did not return after its context was cancelled")
	}
}
