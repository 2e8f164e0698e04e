package aggregate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/sarif"
)

// corpusFiles are SARIF logs of several kinds of tool from the shared
// corpus.
var corpusFiles = []string{
	"gosec/gosec-aws-ssm.sarif",
	"semgrep/semgrep-oss-1.69.sarif",
	"codeql/codeql-2.12.6-js-vulnerable-node.sarif",
	"codeql/lgtm-export-2runs.sarif",
	"trivy/trivy-image-alpine310.sarif",
	"trivy/trivy-0.34-config-terraform.sarif",
	"grype/grype-0.34.7-cxf.sarif",
	"gitleaks/gitleaks-7.4.sarif",
	"checkov/checkov-3.2.510.sarif",
	"kics/kics-2.1.11-gcpgoat.sarif",
	"tfsec/tfsec-defsec.sarif",
	"dependency-check/dependency-check-6.1.2.sarif",
	"nightvision/nightvision-dast.sarif",
}

func corpusPath(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(sharedDir, "corpus", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: %s not found (the shared corpus is not next to this clone)", p)
	}
	return p
}

// TestCorpusFiles runs the engine over real tools' SARIF, one of them not
// valid JSON: that source fails, the others' findings are all there.
func TestCorpusFiles(t *testing.T) {
	var srcs []aggregate.Source
	want := 0
	for _, rel := range corpusFiles {
		p := corpusPath(t, rel)
		runs, err := sarif.ReadFile(p, nil)
		if err != nil {
			t.Fatalf("ReadFile(%s): %v", rel, err)
		}
		for _, r := range runs {
			want += len(r.Findings)
		}
		srcs = append(srcs, aggregate.SARIFFile(p, ""))
	}
	broken := corpusPath(t, "checkov/checkov-stdout-banner-NOT-JSON.sarif")
	srcs = append(srcs, aggregate.SARIFFile(broken, ""))

	rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Sources {
		switch {
		case strings.HasSuffix(s.Name, "NOT-JSON.sarif"):
			if s.State != aggregate.SourceFailed || s.Err == "" {
				t.Errorf("broken log: state %s, error %q; want failed", s.State, s.Err)
			}
		case !s.OK():
			t.Errorf("source %s: %s %s", s.Name, s.State, s.Err)
		case len(s.Tools) == 0:
			t.Errorf("source %s reports no tools", s.Name)
		}
	}
	c := rep.Counts
	if c.Received+sumDropped(rep) != want {
		t.Errorf("received %d (+%d dropped) reports, the files hold %d", c.Received, sumDropped(rep), want)
	}
	if c.Findings+c.Suppressed+c.Merged != c.Received {
		t.Errorf("counts do not add up: %+v", c)
	}
	for _, f := range rep.Findings {
		if err := f.Validate(); err != nil {
			t.Errorf("invalid finding %s: %v", f.Rule.ID, err)
		}
	}
	if rep.Gate.Failed {
		t.Errorf("gate failed without a gate: %v", rep.Gate.Reasons)
	}
	var b bytes.Buffer
	if err := rep.Explain(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d reports -> %d findings, %d merged; %d warnings", c.Received, len(rep.Findings), c.Merged, len(rep.Warnings))
}

func sumDropped(rep *aggregate.Report) int {
	n := 0
	for _, s := range rep.Sources {
		n += s.Dropped
	}
	return n
}

// crossToolFindings are reports that merge, do not merge and are ambiguous.
func crossToolFindings() []*finding.Finding {
	fp := strings.Repeat("c", 64)
	return []*finding.Finding{
		src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89),
		src("semgrep", "go.sqli", finding.SeverityMedium, "app/db.go", 11, 13, 89),
		src("codeql", "go/sql-injection", finding.SeverityHigh, "app/db.go", 10, 20, 89),
		src("gosec", "G201", finding.SeverityHigh, "app/db.go", 18, 18, 89),
		src("gosec", "G201", finding.SeverityHigh, "app/db.go", 18, 18, 89),
		src("semgrep", "go.xss", finding.SeverityLow, "app/view.go", 5, 5, 79),
		src("gosec", "G101", finding.SeverityHigh, "config/keys.go", 7, 7, 798),
		secret("gitleaks", "generic-api-key", "config/keys.go", 7, fp),
		secret("trufflehog", "Generic", "config/keys.go", 7, fp),
		dep("osv-scanner", finding.SeverityHigh, "lodash", "4.17.15", "GHSA-p6mc-m468-83gw", "CVE-2020-8203"),
		dep("grype", finding.SeverityCritical, "lodash", "4.17.15", "CVE-2020-8203"),
		dep("trivy", finding.SeverityHigh, "lodash", "", "GHSA-p6mc-m468-83gw"),
		web("zap", "40012", "https://Example.com/search?q=1", "q", 79),
		web("nuclei", "xss", "http://example.com/search?q=2", "q", 79),
	}
}

// TestOrderIndependence runs the same reports 20 times with sources and
// findings shuffled and a random concurrency: the report is identical.
func TestOrderIndependence(t *testing.T) {
	byTool := map[string][]*finding.Finding{}
	for _, rel := range corpusFiles[:8] {
		runs, err := sarif.ReadFile(corpusPath(t, rel), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			for i := range r.Findings {
				f := r.Findings[i]
				byTool[f.Tool.Name] = append(byTool[f.Tool.Name], f)
			}
		}
	}
	for _, f := range crossToolFindings() {
		byTool["x-"+f.Tool.Name] = append(byTool["x-"+f.Tool.Name], f)
	}
	filters := []aggregate.Filter{suppressFilter{rule: "G201", line: 18}}

	rng := rand.New(rand.NewPCG(1, 2))
	var first []byte
	for i := range 20 {
		var srcs []aggregate.Source
		for name, fs := range byTool {
			fs := slices.Clone(fs)
			rng.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
			srcs = append(srcs, aggregate.FuncSource(name, func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
				for _, f := range fs {
					if err := emit(f.Clone()); err != nil {
						return nil, err
					}
				}
				return nil, nil
			}))
		}
		slices.SortFunc(srcs, func(a, b aggregate.Source) int { return strings.Compare(a.Name(), b.Name()) })
		rng.Shuffle(len(srcs), func(i, j int) { srcs[i], srcs[j] = srcs[j], srcs[i] })
		rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{
			Concurrency: 1 + rng.IntN(4), Filters: filters})
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.MarshalIndent(struct {
			Findings []*finding.Finding
			Warnings []string
			Counts   aggregate.Counts
			Denials  []string
		}{rep.Findings, rep.Warnings, rep.Counts, rep.Denials}, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = got
			if rep.Counts.Merged == 0 || !slices.ContainsFunc(rep.Warnings, func(s string) bool { return strings.HasPrefix(s, "ambiguous: ") }) {
				t.Fatalf("the input should merge and be ambiguous somewhere: %+v %q", rep.Counts, rep.Warnings)
			}
			continue
		}
		if !bytes.Equal(got, first) {
			t.Fatalf("run %d differs from run 0:\n%s", i, firstDiff(first, got))
		}
	}
}

// suppressFilter suppresses findings of one rule on one line.
type suppressFilter struct {
	rule string
	line int
}

func (suppressFilter) Name() string { return "test-suppress" }

func (s suppressFilter) Apply(_ context.Context, f *finding.Finding) (aggregate.Verdict, error) {
	if f.Rule.ID == s.rule && f.Location.Region.StartLine == s.line {
		return aggregate.Verdict{Suppress: &finding.Suppression{Justification: "test"}}, nil
	}
	return aggregate.Verdict{}, nil
}

func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, la[i], lb[i])
		}
	}
	return "lengths differ"
}

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
		aggregate.ScannerSource(memScanner{name: "mem-ok", n: 5, reuse: true}, req),
		aggregate.ScannerSource(memScanner{name: "mem-fail", n: 3, behavior: "fail"}, req),
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
		aggregate.ScannerSource(memScanner{name: "mem-hang", n: 2, behavior: "hang"}, nil),
		aggregate.ScannerSource(memScanner{name: "mem-ok", n: 1}, nil),
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
		srcs = append(srcs, named{aggregate.ScannerSource(c, req), "plugin-" + cmpOr(behavior, "ok")})
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

// badVerdictFilter gives every finding a suppression whose status is not
// one SARIF defines, and a severity with an invalid UTF-8 reason.
type badVerdictFilter struct{}

func (badVerdictFilter) Name() string { return "bad-verdicts" }

func (badVerdictFilter) Apply(_ context.Context, f *finding.Finding) (aggregate.Verdict, error) {
	if f.Rule.ID == "bad-status" {
		return aggregate.Verdict{Suppress: &finding.Suppression{Status: "maybe", Justification: "x"}}, nil
	}
	return aggregate.Verdict{Severity: finding.SeverityCritical, SeverityReason: "\xff"}, nil
}

// TestInvalidVerdictIgnored checks that a filter cannot make a finding
// invalid: its verdict is ignored with a warning naming the filter, and
// every finding of the report stays valid, as sarif.Run.Validated relies on.
func TestInvalidVerdictIgnored(t *testing.T) {
	mk := func(rule string) *finding.Finding {
		return &finding.Finding{Tool: finding.Tool{Name: "t"}, Rule: finding.Rule{ID: rule}, Message: "m",
			Severity: finding.SeverityLow, Location: finding.Location{Path: "a.go", Region: finding.Region{StartLine: 3}}}
	}
	src := aggregate.FuncSource("s", func(_ context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
		for _, f := range []*finding.Finding{mk("bad-status"), mk("bad-reason")} {
			if err := emit(f); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	rep, err := aggregate.Run(context.Background(), []aggregate.Source{src}, &aggregate.Options{Filters: []aggregate.Filter{badVerdictFilter{}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 2 {
		t.Fatalf("got %d findings, want 2", len(rep.Findings))
	}
	for _, f := range rep.Findings {
		if err := f.Validate(); err != nil {
			t.Errorf("%s: invalid finding in the report: %v", f.Rule.ID, err)
		}
		if f.Suppressed() || f.Severity != finding.SeverityLow || f.Properties[aggregate.PropSeverityReason] != "" {
			t.Errorf("%s: the invalid verdict was applied: suppressions %v, severity %s, properties %v", f.Rule.ID, f.Suppressions, f.Severity, f.Properties)
		}
	}
	n := 0
	for _, w := range rep.Warnings {
		if strings.Contains(w, "invalid verdicts of filter bad-verdicts ignored") {
			n++
		}
	}
	if n == 0 {
		t.Errorf("no warning names the filter: %q", rep.Warnings)
	}
}
