// Package runner runs external security tools as scanners: each supported
// tool that is installed becomes a plugin.Scanner that runs the tool on the
// target, then reads its report through the tool's adapter (package
// scanners/registry). A tool that is not installed is reported with how to
// install it, never as a failure.
package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners/registry"
)

// Stream says where a tool writes its report.
type Stream int

const (
	// ToFile means the tool writes the report to the path it is given.
	ToFile Stream = iota
	// ToStdout means the tool writes the report to stdout.
	ToStdout
	// ToStderr means the tool writes the report to stderr (cppcheck).
	ToStderr
)

// Tool describes how to run one external tool.
type Tool struct {
	// Name is the tool's name, as its findings carry it.
	Name string
	// Binary is the executable looked up on PATH.
	Binary string
	// Format is the registry format of the tool's report.
	Format string
	// Categories are the kinds of finding it reports.
	Categories []finding.Category
	// Target is the kind of target it scans.
	Target plugin.TargetKind
	// Quick marks tools fast enough for the pre-commit profile.
	Quick bool
	// Install says how to install the tool.
	Install string
	// Report is where the tool writes its report.
	Report Stream
	// OKExit lists the exit codes that mean the tool ran (many exit 1 when
	// they find something). Default: 0.
	OKExit []int
	// Args returns the arguments to scan t, writing the report to out when
	// Report is ToFile. It returns ErrNotApplicable when the target has
	// nothing for this tool (no Go module, no shell scripts).
	Args func(t *plugin.Target, opts map[string]string, out string) ([]string, error)
	// Dir returns the working directory; default: the target root.
	Dir func(t *plugin.Target) string
	// VersionArgs print the tool's version on stdout. Default: --version.
	VersionArgs []string
	// ReportFile is the name of the report the tool writes in the
	// directory of the path Args gets, when it picks the name itself.
	ReportFile string
	// Locate finds the executable; default: Binary on PATH.
	Locate func() (string, error)
}

// ErrNotApplicable means a target has nothing a tool can scan.
var ErrNotApplicable = errors.New("nothing to scan for this tool")

// Scanner runs one installed tool. It implements plugin.Scanner.
type Scanner struct {
	Tool Tool
	// Path is the resolved executable.
	Path string

	once    sync.Once
	version string
}

var _ plugin.Scanner = (*Scanner)(nil)

// Missing is a supported tool that is not installed.
type Missing struct {
	Tool Tool
	// Why says what was not found.
	Why string
}

// Find returns a scanner for each tool found on PATH, and the tools that
// are missing with how to install them.
func Find(tools []Tool) (found []*Scanner, missing []Missing) {
	for _, t := range tools {
		locate := t.Locate
		if locate == nil {
			locate = func() (string, error) { return exec.LookPath(t.Binary) }
		}
		p, err := locate()
		if err != nil {
			missing = append(missing, Missing{Tool: t, Why: t.Binary + " not found on PATH"})
			continue
		}
		found = append(found, &Scanner{Tool: t, Path: p})
	}
	return found, missing
}

// Version returns the tool's version as it prints it (first line), or "".
func (s *Scanner) Version() string {
	s.once.Do(func() {
		args := s.Tool.VersionArgs
		if args == nil {
			args = []string{"--version"}
		}
		out, err := exec.Command(s.Path, args...).Output()
		if err != nil {
			return
		}
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		s.version = strings.TrimSpace(line)
	})
	return s.version
}

// Describe names the tool.
func (s *Scanner) Describe(context.Context) (*plugin.Info, error) {
	return &plugin.Info{
		Name:        s.Tool.Name,
		Version:     s.Version(),
		Description: fmt.Sprintf("%s, run from %s", s.Tool.Name, s.Path),
		Categories:  s.Tool.Categories,
		Targets:     []plugin.TargetKind{s.Tool.Target},
	}, nil
}

// Scan runs the tool on the target and streams the findings of its report.
// The process is killed when ctx is done.
func (s *Scanner) Scan(ctx context.Context, req *plugin.Request, out plugin.Emitter) error {
	t := &req.Target
	if t.Kind != s.Tool.Target && !(s.Tool.Target == plugin.TargetDirectory && t.Kind == plugin.TargetFiles) {
		return fmt.Errorf("%s scans %s targets, not %s", s.Tool.Name, s.Tool.Target, t.Kind)
	}
	tmp, err := os.MkdirTemp("", "scanmux-"+s.Tool.Name+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	report := filepath.Join(tmp, "report")
	args, err := s.Tool.Args(t, req.Options, report)
	if errors.Is(err, ErrNotApplicable) {
		return out.Diagnostic(plugin.Diagnostic{Level: plugin.LevelInfo, Message: s.Tool.Name + ": " + err.Error()})
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.Tool.Name, err)
	}
	cmd := exec.CommandContext(ctx, s.Path, args...)
	cmd.Dir = t.Root
	if s.Tool.Dir != nil {
		cmd.Dir = s.Tool.Dir(t)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := out.Progress(plugin.Progress{Phase: "running " + s.Tool.Binary}); err != nil {
		return err
	}
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(runErr, &ee) {
		code = ee.ExitCode()
	} else if runErr != nil {
		return fmt.Errorf("%s: %w", s.Tool.Name, runErr)
	}
	ok := append([]int{0}, s.Tool.OKExit...)
	if !slices.Contains(ok, code) {
		return fmt.Errorf("%s exited with status %d: %s", s.Tool.Name, code, tail(stderr.String(), 10))
	}
	if s.Tool.ReportFile != "" {
		report = filepath.Join(tmp, s.Tool.ReportFile)
	}
	switch s.Tool.Report {
	case ToStdout:
		err = os.WriteFile(report, stdout.Bytes(), 0o600)
	case ToStderr:
		err = os.WriteFile(report, stderr.Bytes(), 0o600)
	}
	if err != nil {
		return err
	}
	if fi, err := os.Stat(report); err != nil || fi.Size() == 0 {
		return fmt.Errorf("%s wrote no report (exit status %d): %s", s.Tool.Name, code, tail(stderr.String(), 10))
	}
	version := s.Version()
	_, err = registry.Import(report, s.Tool.Format, t.Root, func(f *finding.Finding) error {
		if f.Tool.Version == "" {
			f.Tool.Version = version
		}
		return out.Finding(f)
	})
	if err != nil {
		return fmt.Errorf("%s: reading its report: %w", s.Tool.Name, err)
	}
	return nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// files returns the target's files (relative to root) whose names match
// one of the given extensions or names, skipping dot-directories, vendor
// and node_modules.
func files(t *plugin.Target, match func(name string) bool) []string {
	if t.Kind == plugin.TargetFiles {
		var out []string
		for _, f := range t.Files {
			if match(filepath.Base(f)) {
				out = append(out, f)
			}
		}
		return out
	}
	var out []string
	_ = filepath.WalkDir(t.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != t.Root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "vendor" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if match(d.Name()) {
			rel, _ := filepath.Rel(t.Root, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func hasExt(exts ...string) func(string) bool {
	return func(name string) bool { return slices.Contains(exts, strings.ToLower(filepath.Ext(name))) }
}

// goModule returns ErrNotApplicable unless the target root holds go.mod.
func goModule(t *plugin.Target) error {
	if _, err := os.Stat(filepath.Join(t.Root, "go.mod")); err != nil {
		return fmt.Errorf("%w: no go.mod at %s", ErrNotApplicable, t.Root)
	}
	return nil
}
