// Package testscanner is a scanner made for the plugin package's tests: it
// emits synthetic findings and can misbehave on demand.
package testscanner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
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
	OptBehavior = "behavior"  // "", "crash", "hang", "block", "panic", "stderr", "fail"
	OptSARIFOut = "sarif_out" // write findings to this SARIF file instead of streaming
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
