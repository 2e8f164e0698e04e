// Package pluginsource adapts a [plugin.Scanner] (one compiled in, or a
// plugin process opened with [plugin.Open]) to an [aggregate.Source].
//
// It lives apart from package aggregate so that a program that only merges
// SARIF (aggregate and sarif) does not link gRPC, go-plugin and yamux,
// which package plugin brings in for its host and server.
package pluginsource

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
)

// New returns an [aggregate.Source] that runs scanner s, in process or as a
// plugin (a [*plugin.Client]), on req. Its name is the scanner's, from
// Describe; findings without a tool get the scanner's. Findings of an
// in-process scanner are copied, since a scanner may reuse what it emits;
// a *plugin.Client's are not. Warning and error diagnostics become
// warnings.
//
// ctx bounds the Describe call that Name makes, which comes before Run
// (aggregate.Run names its sources first); Run describes under its own
// context if Name has not.
func New(ctx context.Context, s plugin.Scanner, req *plugin.Request) aggregate.Source {
	return &scannerSource{ctx: ctx, s: s, req: req}
}

type scannerSource struct {
	ctx  context.Context // for Name's Describe
	s    plugin.Scanner
	req  *plugin.Request
	once sync.Once
	info *plugin.Info
	err  error

	mu    sync.Mutex
	warns []string
}

// describeTimeout bounds the Describe call, made once (by Name or Run) and
// kept: a context cancelled during it fails the source.
const describeTimeout = 30 * time.Second

func (s *scannerSource) describe(ctx context.Context) (*plugin.Info, error) {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(ctx, describeTimeout)
		defer cancel()
		s.info, s.err = s.s.Describe(ctx)
		if s.err == nil && (s.info == nil || s.info.Name == "") {
			s.err = fmt.Errorf("pluginsource: scanner describes itself without a name")
		}
	})
	return s.info, s.err
}

// Name returns the scanner's name, or "scanner" if Describe fails (Run
// then fails with Describe's error).
func (s *scannerSource) Name() string {
	if info, err := s.describe(s.ctx); err == nil {
		return info.Name
	}
	if c, ok := s.s.(*plugin.Client); ok && c.Name() != "" {
		return c.Name()
	}
	return "scanner"
}

func (s *scannerSource) Run(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
	info, err := s.describe(ctx)
	if err != nil {
		return nil, fmt.Errorf("pluginsource: describe: %w", err)
	}
	tool := info.Tool()
	_, isClient := s.s.(*plugin.Client)
	seen := map[string]finding.Tool{tool.Name: tool}
	req := s.req
	if req == nil {
		req = &plugin.Request{}
	}
	err = s.s.Scan(ctx, req, plugin.EmitFuncs{
		OnFinding: func(f *finding.Finding) error {
			if !isClient {
				f = f.Clone()
			}
			if f.Tool.Name == "" {
				f.Tool = tool
			} else if _, ok := seen[f.Tool.Name]; !ok {
				seen[f.Tool.Name] = f.Tool
			}
			return emit(f)
		},
		OnDiagnostic: func(d plugin.Diagnostic) error {
			if d.Level == plugin.LevelWarning || d.Level == plugin.LevelError {
				s.mu.Lock()
				s.warns = append(s.warns, string(d.Level)+": "+d.Message)
				s.mu.Unlock()
			}
			return nil
		},
	})
	tools := make([]finding.Tool, 0, len(seen))
	for _, t := range seen {
		tools = append(tools, t)
	}
	return tools, err
}

// Warnings implements [aggregate.Warner].
func (s *scannerSource) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.warns
}
