// Package testscanner is a scanner made for the plugin package's tests: it
// emits synthetic findings and can misbehave on demand.
package testscanner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	sarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
)

// Request options understood by Scanner.Scan.
const (
	OptCount    = "count"     // number of findings to emit (default 3)
	OptMsgBytes = "msg_bytes" // length of each message (default: short)
	OptSnippet  = "snippet"   // length of each snippet (default 0)
	OptBehavior = "behavior"  // "", "crash", "hang", "block", "panic", "stderr", "fail", "flood", "invalid"
	OptSARIFOut = "sarif_out" // write findings to this SARIF file instead of streaming
	// OptSpawn, when "true", starts `sleep 97` before anything else and
	// reports its process id as the property "child_pid" of a finding
	// with rule CHILD: a child the host must not leave running. With
	// "stderr" the child also holds the plugin's stderr open.
	OptSpawn = "spawn"
	// OptEnv names environment variables (comma-separated) whose values
	// the scanner reports, one finding with rule ENV each, its message
	// "NAME=value" or "NAME unset": what a hostile plugin would steal.
	OptEnv = "env"
	// OptStdin, when "true", reads standard input for up to 2 seconds and
	// reports what it read in a finding with rule STDIN.
	OptStdin = "stdin"
)

// Rule is the rule every finding uses; its long help text is what the
// protocol's rule references avoid repeating.
var Rule = finding.Rule{
	ID:               "TEST001",
	Name:             "SyntheticFinding",
	ShortDescription: "A synthetic finding for tests",
	FullDescription:  "Emitted by the plugin package's test scanner.",
	HelpText:         strings.Repeat("Long help text. ", 64),
	HelpURI:          "https://example.com/rules/TEST001",
	Tags:             []string{"security", "test"},
}

// Scanner is the test scanner.
type Scanner struct{}

// Describe describes the test scanner.
func (Scanner) Describe(context.Context) (*plugin.Info, error) {
	return &plugin.Info{
		Name:       "testscanner",
		Version:    "1.0.0",
		Categories: []finding.Category{finding.CategorySAST},
		Targets:    []plugin.TargetKind{plugin.TargetDirectory},
		Rules:      []finding.Rule{Rule},
	}, nil
}

// Make returns synthetic finding i with the given message and snippet sizes.
func Make(i, msgBytes, snippet int) *finding.Finding {
	msg := fmt.Sprintf("finding %d", i)
	if msgBytes > len(msg) {
		msg += strings.Repeat("m", msgBytes-len(msg))
	}
	return &finding.Finding{
		Rule:     Rule,
		Message:  msg,
		Category: finding.CategorySAST,
		Severity: finding.Severity(1 + i%5),
		CWEs:     []int{79},
		Location: finding.Location{
			Path:    fmt.Sprintf("src/file%03d.go", i%500),
			Region:  finding.Region{StartLine: 1 + i%1000, StartColumn: 1, EndLine: 1 + i%1000, EndColumn: 20},
			Snippet: strings.Repeat("s", snippet),
		},
		Properties: map[string]string{"index": strconv.Itoa(i)},
	}
}

func intOpt(req *plugin.Request, key string, def int) int {
	if v, err := strconv.Atoi(req.Options[key]); err == nil {
		return v
	}
	return def
}

// Scan emits the requested findings, then behaves as OptBehavior says.
func (Scanner) Scan(ctx context.Context, req *plugin.Request, out plugin.Emitter) error {
	n := intOpt(req, OptCount, 3)
	msgBytes, snippet := intOpt(req, OptMsgBytes, 0), intOpt(req, OptSnippet, 0)
	behavior := req.Options[OptBehavior]
	if path := req.Options[OptSARIFOut]; path != "" {
		return writeSARIF(path, n, msgBytes, snippet)
	}
	if spawn := req.Options[OptSpawn]; spawn == "true" || spawn == "stderr" {
		child := exec.Command("sleep", "97")
		if spawn == "stderr" {
			child.Stderr = os.Stderr
		}
		if err := child.Start(); err != nil {
			return err
		}
		f := probe("CHILD", "started sleep 97")
		f.Properties = map[string]string{"child_pid": strconv.Itoa(child.Process.Pid)}
		if err := out.Finding(f); err != nil {
			return err
		}
	}
	for _, name := range strings.Split(req.Options[OptEnv], ",") {
		if name == "" {
			continue
		}
		msg := name + " unset"
		if v, ok := os.LookupEnv(name); ok {
			msg = name + "=" + v
		}
		if err := out.Finding(probe("ENV", msg)); err != nil {
			return err
		}
	}
	if req.Options[OptStdin] == "true" {
		if err := out.Finding(probe("STDIN", readStdin())); err != nil {
			return err
		}
	}
	if behavior == "stderr" {
		fmt.Fprintln(os.Stderr, "plain stderr line from testscanner")
		slog.Warn("structured warning from testscanner", "count", n)
	}
	if err := out.Progress(plugin.Progress{Total: int64(n), Phase: "emitting"}); err != nil {
		return err
	}
	for i := range n {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := out.Finding(Make(i, msgBytes, snippet)); err != nil {
			return err
		}
	}
	switch behavior {
	case "crash":
		// Make sure what was emitted has left the process, then die the way
		// a real bug does: a panic on another goroutine.
		if err := out.Progress(plugin.Progress{Done: int64(n), Total: int64(n), Phase: "about to crash"}); err != nil {
			return err
		}
		time.Sleep(300 * time.Millisecond)
		done := make(chan struct{})
		go func() { panic("testscanner crash on purpose") }()
		<-done
	case "hang":
		select {} // ignores cancellation on purpose
	case "block":
		<-ctx.Done()
		return ctx.Err()
	case "panic":
		panic("testscanner panic in Scan")
	case "fail":
		return errors.New("testscanner failed on purpose")
	case "flood":
		return flood(out)
	case "invalid":
		return emitInvalid(out)
	}
	return out.Diagnostic(plugin.Diagnostic{Level: plugin.LevelInfo, Message: "done", Attrs: map[string]string{"count": strconv.Itoa(n)}})
}

// writeSARIF writes n findings as a SARIF file with go-sarif, the way tools
// hand results over without a protocol.
func writeSARIF(path string, n, msgBytes, snippet int) error {
	report, err := sarif.New(sarif.Version210)
	if err != nil {
		return err
	}
	run := sarif.NewRunWithInformationURI("testscanner", "https://example.com")
	run.AddRule(Rule.ID).WithName(Rule.Name).WithDescription(Rule.ShortDescription).
		WithFullDescription(sarif.NewMultiformatMessageString(Rule.FullDescription)).
		WithHelp(sarif.NewMultiformatMessageString(Rule.HelpText)).WithHelpURI(Rule.HelpURI)
	for i := range n {
		f := Make(i, msgBytes, snippet)
		r := f.Location.Region
		region := sarif.NewRegion().WithStartLine(r.StartLine).WithStartColumn(r.StartColumn).
			WithEndLine(r.EndLine).WithEndColumn(r.EndColumn)
		if f.Location.Snippet != "" {
			region.WithSnippet(sarif.NewArtifactContent().WithText(f.Location.Snippet))
		}
		res := sarif.NewRuleResult(Rule.ID).WithRuleIndex(0).WithLevel(f.Severity.SARIFLevel()).
			WithMessage(sarif.NewTextMessage(f.Message)).
			WithLocations([]*sarif.Location{sarif.NewLocationWithPhysicalLocation(
				sarif.NewPhysicalLocation().
					WithArtifactLocation(sarif.NewSimpleArtifactLocation(f.Location.Path)).
					WithRegion(region))})
		res.Properties = sarif.Properties{"index": f.Properties["index"]}
		run.AddResult(res)
	}
	report.AddRun(run)
	return report.WriteFile(path)
}

// probe returns a finding of rule id that reports what the scanner saw,
// on a line of its own.
func probe(id, msg string) *finding.Finding {
	line := int(probes.Add(1))
	return &finding.Finding{
		Rule:     finding.Rule{ID: id, ShortDescription: "What the test scanner saw"},
		Message:  msg,
		Category: finding.CategoryOther,
		Severity: finding.SeverityInfo,
		Location: finding.Location{Path: "probe.txt", Region: finding.Region{StartLine: line}},
	}
}

// probes counts the probe findings, which each get their line.
var probes atomic.Int32

// readStdin reads what standard input gives within 2 seconds.
func readStdin() string {
	got := make(chan string, 1)
	go func() {
		b := make([]byte, 4096)
		n, err := os.Stdin.Read(b)
		got <- fmt.Sprintf("read %d bytes %q, err %v", n, b[:n], err)
	}()
	select {
	case s := <-got:
		return s
	case <-time.After(2 * time.Second):
		return "read blocked"
	}
}

// FloodBytes is how much the flood behavior writes to stdout and to
// stderr, without a newline.
const FloodBytes = 64 << 20

// flood writes FloodBytes without a newline to stdout and to stderr, then
// sends 100,000 findings as fast as it can, then returns normally.
func flood(out plugin.Emitter) error {
	junk := []byte(strings.Repeat("flood", 1<<14))
	for _, w := range []*os.File{os.Stdout, os.Stderr} {
		for n := 0; n < FloodBytes; n += len(junk) {
			if _, err := w.Write(junk); err != nil {
				return err
			}
		}
	}
	for i := range 100_000 {
		if err := out.Finding(Make(i, 0, 0)); err != nil {
			return err
		}
	}
	return nil
}

// InvalidMessages are the messages of the findings the invalid behavior
// sends that a host must drop or repair, never write as they are.
var InvalidMessages = []string{"invalid: no rule id", "invalid: traversal path", "invalid: absolute path outside the root", "invalid: bad lines"}

// emitInvalid sends findings no host may take as they are, around one
// valid finding (rule VALID).
func emitInvalid(out plugin.Emitter) error {
	bad := []*finding.Finding{
		{Message: InvalidMessages[0], Category: finding.CategorySAST, Severity: finding.SeverityHigh, Location: finding.Location{Path: "a.go"}},
		{Rule: finding.Rule{ID: "BAD2"}, Message: InvalidMessages[1], Category: finding.CategorySAST, Severity: finding.SeverityHigh,
			Location: finding.Location{Path: "../../../../etc/passwd", Region: finding.Region{StartLine: 1}}},
		{Rule: finding.Rule{ID: "BAD3"}, Message: InvalidMessages[2], Category: finding.CategorySAST, Severity: finding.SeverityHigh,
			Location: finding.Location{Path: "/etc/shadow", Region: finding.Region{StartLine: 1}}},
		{Rule: finding.Rule{ID: "BAD4"}, Message: InvalidMessages[3], Category: finding.CategorySAST, Severity: finding.Severity(42),
			Location: finding.Location{Path: "a.go", Region: finding.Region{StartLine: -5, EndLine: -9}}},
		{Rule: finding.Rule{ID: "BAD5\xff"}, Message: "invalid: \xff\xfe not UTF-8", Category: "weird", Severity: finding.SeverityLow,
			Location: finding.Location{Path: "a\x00.go"}},
	}
	valid := probe("VALID", "a valid finding between invalid ones")
	if err := out.Finding(bad[0]); err != nil {
		return err
	}
	if err := out.Finding(valid); err != nil {
		return err
	}
	for _, f := range bad[1:] {
		if err := out.Finding(f); err != nil {
			return err
		}
	}
	return nil
}
