package aggregate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/sarifretain"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/sarif"
)

// FuncSource returns a Source named name that runs fn: the form adapters
// of native report formats take. fn reports findings through emit, which
// takes ownership of them, and returns the tools that ran.
func FuncSource(name string, fn func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error)) Source {
	return &funcSource{name: name, fn: fn}
}

type funcSource struct {
	name string
	fn   func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error)
}

func (s *funcSource) Name() string { return s.name }

func (s *funcSource) Run(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
	return s.fn(ctx, emit)
}

// SARIFFile returns a Source that reads the SARIF log at path with
// [sarif.Decode], streaming its results. Paths are made relative to root
// (see [sarif.ReadOptions].Root). Its name is "import:" followed by path;
// its tools are those of the runs read. Runs that the log itself records
// as failed, and error notifications, become warnings.
func SARIFFile(path, root string) Source {
	return &sarifSource{path: path, root: root}
}

type sarifSource struct {
	path, root string
	mu         sync.Mutex
	warns      []string
}

func (s *sarifSource) Name() string { return "import:" + filepath.ToSlash(s.path) }

func (s *sarifSource) Run(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
	fh, err := os.Open(s.path)
	if err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	defer fh.Close()
	var tools []finding.Tool
	var warns []string
	opts := &sarif.ReadOptions{Root: s.root}
	sarifretain.Retain(opts) // the engine keeps every finding
	err = sarif.Decode(fh, s.path, opts, func(run *sarif.Run, f *finding.Finding) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f != nil {
			return emit(f)
		}
		tools = append(tools, run.Tool)
		if run.Invocation.Failed {
			warns = append(warns, fmt.Sprintf("the log records that %s did not complete", run.Tool.Name))
		}
		for _, n := range run.Invocation.Notifications {
			if n.Level == "error" {
				warns = append(warns, fmt.Sprintf("%s: %s", run.Tool.Name, n.Message))
			}
		}
		return nil
	})
	s.mu.Lock()
	s.warns = warns
	s.mu.Unlock()
	return tools, err
}

// Warnings implements [Warner].
func (s *sarifSource) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.warns
}

// ScannerSource returns a Source that runs scanner s, in process or as a
// plugin (a [*plugin.Client]), on req. Its name is the scanner's, from
// Describe; findings without a tool get the scanner's. Findings of an
// in-process scanner are copied, since a scanner may reuse what it emits;
// a *plugin.Client's are not. Warning and error diagnostics become
// warnings.
func ScannerSource(s plugin.Scanner, req *plugin.Request) Source {
	return &scannerSource{s: s, req: req}
}

type scannerSource struct {
	s    plugin.Scanner
	req  *plugin.Request
	once sync.Once
	info *plugin.Info
	err  error

	mu    sync.Mutex
	warns []string
}

// describeTimeout bounds the Describe call Name makes.
const describeTimeout = 30 * time.Second

func (s *scannerSource) describe(ctx context.Context) (*plugin.Info, error) {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), describeTimeout)
		defer cancel()
		s.info, s.err = s.s.Describe(ctx)
		if s.err == nil && (s.info == nil || s.info.Name == "") {
			s.err = fmt.Errorf("aggregate: scanner describes itself without a name")
		}
	})
	return s.info, s.err
}

// Name returns the scanner's name, or "scanner" if Describe fails (Run
// then fails with Describe's error).
func (s *scannerSource) Name() string {
	if info, err := s.describe(context.Background()); err == nil {
		return info.Name
	}
	if c, ok := s.s.(*plugin.Client); ok && c.Name() != "" {
		return c.Name()
	}
	return "scanner"
}

func (s *scannerSource) defaultTool() finding.Tool {
	if info, err := s.describe(context.Background()); err == nil {
		return info.Tool()
	}
	return finding.Tool{Name: s.Name()}
}

func (s *scannerSource) Run(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
	info, err := s.describe(ctx)
	if err != nil {
		return nil, fmt.Errorf("aggregate: describe: %w", err)
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

// Warnings implements [Warner].
func (s *scannerSource) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.warns
}
