package aggregate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/sarifretain"
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
