// Package runner runs external security tools as scanners: each supported
// tool that is installed becomes a plugin.Scanner that runs the tool on the
// target, then reads its report through the tool's adapter (package
// scanners/registry). A tool that is not installed is reported with how to
// install it, never as a failure.
//
// # Coverage
//
// A tool runs once per project it applies to, as package project finds
// them ([Scope]): gosec, govulncheck and staticcheck once per Go module, in
// the module's directory (with GOWORK=off for a module that a go.work
// governs without listing it); bandit, eslint, shellcheck, cppcheck,
// flawfinder and kube-score over the files they read, from the root; the
// others once over the whole tree. Every path in a finding is relative to
// the target's root, whichever directory the tool ran in.
//
// A scan reports what it covered ([Coverage]: "2 modules, 5 packages",
// "4 files (1 Python project)"). A target with nothing for the tool is
// not applicable ([ErrNotApplicable], with the reason). A run that did not
// cover its input is an error carrying the tool's own message: a non-zero
// exit, no report, or a report or stderr that says packages or files could
// not be loaded or parsed (gosec's "Golang errors", staticcheck's compile
// errors, bandit's errors, eslint's and cppcheck's parse errors). Findings
// from the projects that were covered are kept.
package runner

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/project"
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

// Scope says how a tool is run over a directory target.
type Scope int

const (
	// ScopeTree runs the tool once over the whole tree.
	ScopeTree Scope = iota
	// ScopeGoModule runs the tool once per Go module, in its directory,
	// on the module's packages (and once per group of Go packages outside
	// any module, where it fails with its own message).
	ScopeGoModule
	// ScopeFiles runs the tool from the root over the files Select picks
	// (in batches when there are many).
	ScopeFiles
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
	// Scope says how the tool covers a directory target.
	Scope Scope
	// Select picks the files a ScopeFiles tool reads. For a ScopeTree
	// tool, when set, it tells whether the tree has anything for the tool
	// (no file selected: not applicable).
	Select func(inv *project.Inventory) []string
	// What names what Select picks, for "no X" (e.g. "Python files").
	What string
	// Kind is the kind of project a ScopeFiles tool's files belong to,
	// counted in its coverage ("4 files (2 Python projects)").
	Kind project.Kind
	// Languages are the languages (project.Language names) the tool
	// covers, for the list of file types no scanner covers.
	Languages []string
	// Args returns the arguments to scan unit u, writing the report to
	// out when Report is ToFile.
	Args func(u *Unit, opts map[string]string, out string) ([]string, error)
	// Check reads a run that exited as expected and returns the tool's
	// own message when it did not cover its input (packages or files it
	// could not load or parse); nil when it did.
	Check func(r *Run) error
	// Failed reads a run that failed (an exit code not in OKExit, or no
	// report) and returns the error to report instead of the tool's last
	// lines, such as one naming the option for a vulnerability database
	// the tool could not reach; nil keeps the tool's lines.
	Failed func(r *Run) error
	// Drop reports the findings that are the tool's errors, not findings
	// (staticcheck's "compile"); Check reports them.
	Drop func(f *finding.Finding) bool
	// Settings are the options the tool reads from the request (set in
	// .scanmux.yaml's scanners.options as "<tool>.<name>"), with their
	// defaults, for the README.
	Settings []Setting
	// VersionArgs print the tool's version on stdout. Default: --version.
	VersionArgs []string
	// ReportFile is the name of the report the tool writes in the
	// directory of the path Args gets, when it picks the name itself.
	ReportFile string
	// Locate finds the executable; default: Binary on PATH.
	Locate func() (string, error)
}

// Setting is an option a tool reads, with its default and why.
type Setting struct {
	// Option is the key in scanners.options, e.g. "cppcheck.enable".
	Option string
	// Default is the value used when the option is not set.
	Default string
	// Why says why the default was chosen.
	Why string
}

// option returns opts[key], or def.
func option(opts map[string]string, key, def string) string {
	if v, ok := opts[key]; ok && v != "" {
		return v
	}
	return def
}

// Unit is one run of a tool: a directory (a Go module's, or the root) and
// what to scan there.
type Unit struct {
	// Target is the scan's target.
	Target *plugin.Target
	// Dir is where the tool runs, relative to Target.Root ("." for it).
	Dir string
	// Project is the Go module (or Go packages outside any module) of a
	// ScopeGoModule unit.
	Project *project.Project
	// Files are the files (ScopeFiles) or package directories
	// (ScopeGoModule, as "./x", "." for Dir itself) to scan, relative to
	// Dir.
	Files []string
	// Env is added to the tool's environment (GOWORK=off).
	Env []string
	// Whole reports that a ScopeGoModule unit covers all the packages of
	// its module, not only those with changed files.
	Whole bool
}

// Patterns returns the package patterns of a ScopeGoModule unit for tools
// that load packages with the go command: "./..." for a whole module,
// which leaves out nested modules and packages whose build constraints
// exclude every file (tools.go), else its package directories.
func (u *Unit) Patterns() []string {
	if u.Whole {
		return []string{"./..."}
	}
	return u.Files
}

// Abs returns the unit's directory on disk.
func (u *Unit) Abs() string { return filepath.Join(u.Target.Root, filepath.FromSlash(u.Dir)) }

// Run is a finished run of a tool, for Tool.Check.
type Run struct {
	Unit           *Unit
	Report         []byte
	Stdout, Stderr string
	ExitCode       int
}

// ErrNotApplicable means a target has nothing a tool can scan. It is
// aggregate.ErrNotApplicable, so that the engine records the source as not
// applicable, with the reason, rather than as a clean pass.
var ErrNotApplicable = aggregate.ErrNotApplicable

// Scanner runs one installed tool. It implements plugin.Scanner.
type Scanner struct {
	Tool Tool
	// Path is the resolved executable.
	Path string
	// Inventory, when set, is the target's projects, shared by the
	// scanners of one scan; otherwise Scan discovers them.
	Inventory *project.Inventory

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

// versionREs find a version in what a tool's version command prints, most
// specific first: "version: 1.20.0" or "govulncheck@v1.9.0", then a word
// of its own ("bandit 1.6.2"), then one after a dash ("Wapiti-3.0.4").
// "go1.26.8" (the Go that built it) is none of them.
var versionREs = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(?:version:?\s+|@)v?(\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?)\b`),
	regexp.MustCompile(`(?m)(?:^|\s)v?(\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?)\b`),
	regexp.MustCompile(`-v?(\d+\.\d+\.\d+)\b`),
}

// Version returns the tool's version: the first version number its
// version command prints, else the module version a Go-built binary
// records (gosec built with go install prints "dev"), else the first line
// it prints, or "".
func (s *Scanner) Version() string {
	s.once.Do(func() {
		args := s.Tool.VersionArgs
		if args == nil {
			args = []string{"--version"}
		}
		out, _ := exec.Command(s.Path, args...).Output()
		text := strings.TrimSpace(string(out))
		for _, re := range versionREs {
			if m := re.FindStringSubmatch(text); m != nil {
				s.version = m[1]
				return
			}
		}
		if bi, err := buildinfo.ReadFile(s.Path); err == nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			s.version = strings.TrimPrefix(bi.Main.Version, "v")
			return
		}
		line, _, _ := strings.Cut(text, "\n")
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

// CoverageAttr is the attribute of the info diagnostic with which Scan
// reports its coverage (the value is Coverage.String()).
const CoverageAttr = "scanmux.coverage"

// Scan runs the tool on the target, once per unit of its scope, and
// streams the findings of its reports. It reports its coverage as an info
// diagnostic with the CoverageAttr attribute, returns an error wrapping
// ErrNotApplicable when the target has nothing for the tool, and an error
// naming each unit that failed, with the tool's message, when any did.
// The processes are killed when ctx is done.
func (s *Scanner) Scan(ctx context.Context, req *plugin.Request, out plugin.Emitter) error {
	cov, err := s.scan(ctx, req, out)
	if cov != nil && cov.Units > 0 {
		if derr := out.Diagnostic(plugin.Diagnostic{Level: plugin.LevelInfo, Message: s.Tool.Name + " covered " + cov.String(),
			Attrs: map[string]string{CoverageAttr: cov.String()}}); derr != nil && err == nil {
			err = derr
		}
	}
	return err
}

// scan is Scan, returning the coverage.
func (s *Scanner) scan(ctx context.Context, req *plugin.Request, out plugin.Emitter) (*Coverage, error) {
	t := &req.Target
	if t.Kind != s.Tool.Target && !(s.Tool.Target == plugin.TargetDirectory && t.Kind == plugin.TargetFiles) {
		return nil, fmt.Errorf("%s scans %s targets, not %s", s.Tool.Name, s.Tool.Target, t.Kind)
	}
	inv := s.Inventory
	if (t.Kind == plugin.TargetDirectory || t.Kind == plugin.TargetFiles) && (inv == nil || inv.Root != filepath.Clean(t.Root)) {
		var err error
		if inv, err = project.Discover(t.Root, nil); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Tool.Name, err)
		}
	}
	units, why := s.Tool.Plan(inv, t)
	if len(units) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotApplicable, why)
	}
	cov := &Coverage{Tool: &s.Tool}
	var failures []string
	for i := range units {
		u := &units[i]
		if err := out.Progress(plugin.Progress{Done: int64(i), Total: int64(len(units)), Phase: "running " + s.Tool.Binary + " in " + u.Dir}); err != nil {
			return cov, err
		}
		err := s.runUnit(ctx, u, req.Options, out)
		if ctx.Err() != nil {
			return cov, ctx.Err()
		}
		cov.Add(u, inv, err == nil)
		if err != nil {
			var fatal fatalError
			if errors.As(err, &fatal) {
				return cov, fatal.err
			}
			msg := strings.ReplaceAll(err.Error(), filepath.Clean(t.Root)+string(filepath.Separator), "")
			if name := unitName(u, len(units)); name != "" {
				msg = name + ": " + msg
			}
			failures = append(failures, msg)
		}
	}
	switch {
	case len(failures) == 0:
		return cov, nil
	case len(units) == 1 && s.Tool.Scope != ScopeGoModule:
		if msg := failures[0]; strings.HasPrefix(msg, s.Tool.Name+" ") {
			return cov, errors.New(msg)
		}
		return cov, fmt.Errorf("%s: %s", s.Tool.Name, failures[0])
	}
	return cov, fmt.Errorf("%s did not cover %d of %d %s: %s", s.Tool.Name, len(failures), len(units), cov.unitWord(len(units)), strings.Join(failures, "; "))
}

// fatalError is an error that stops a scan: the emitter refused a finding.
type fatalError struct{ err error }

func (e fatalError) Error() string { return e.err.Error() }

// unitName names one of n units in messages: "module services/api",
// "the root module", "Go packages outside any module in cmd/tool",
// "files 1-2000"; "" for the only unit of a tool that is not per module.
func unitName(u *Unit, n int) string {
	switch {
	case u.Project != nil && u.Project.Orphan():
		return "Go packages outside any module in " + u.Dir
	case u.Project != nil && u.Dir == ".":
		return "the root module"
	case u.Project != nil:
		return "module " + u.Dir
	case n > 1:
		return "files " + u.Files[0] + "..."
	}
	return ""
}

// runUnit runs the tool on one unit and streams its findings; an error is
// the tool's own message when it failed or did not cover its input.
func (s *Scanner) runUnit(ctx context.Context, u *Unit, opts map[string]string, out plugin.Emitter) error {
	tmp, err := os.MkdirTemp("", "scanmux-"+s.Tool.Name+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	report := filepath.Join(tmp, "report")
	args, err := s.Tool.Args(u, opts, report)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, s.Path, args...)
	cmd.Dir = u.Abs()
	if len(u.Env) > 0 {
		cmd.Env = append(os.Environ(), u.Env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(runErr, &ee) {
		code = ee.ExitCode()
	} else if runErr != nil {
		return runErr
	}
	failed := func() error {
		if s.Tool.Failed == nil {
			return nil
		}
		return s.Tool.Failed(&Run{Unit: u, Stdout: stdout.String(), Stderr: stderr.String(), ExitCode: code})
	}
	if !slices.Contains(append([]int{0}, s.Tool.OKExit...), code) {
		if err := failed(); err != nil {
			return err
		}
		msg := tail(stderr.String(), 3)
		if msg == "" { // flawfinder writes its errors on stdout
			msg = tail(stdout.String(), 3)
		}
		return fmt.Errorf("exit status %d: %s", code, msg)
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
	data, err := os.ReadFile(report)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		if err := failed(); err != nil {
			return err
		}
		return fmt.Errorf("wrote no report (exit status %d): %s", code, tail(stderr.String(), 3))
	}
	var checkErr error
	if s.Tool.Check != nil {
		checkErr = s.Tool.Check(&Run{Unit: u, Report: data, Stdout: stdout.String(), Stderr: stderr.String(), ExitCode: code})
	}
	version := s.Version()
	var emitErr error
	_, err = registry.Import(report, s.Tool.Format, u.Abs(), func(f *finding.Finding) error {
		if s.Tool.Drop != nil && s.Tool.Drop(f) {
			return nil
		}
		if f.Tool.Version == "" {
			f.Tool.Version = version
		}
		Rebase(f, u.Dir)
		if err := out.Finding(f); err != nil {
			emitErr = err
			return err
		}
		return nil
	})
	if emitErr != nil {
		return fatalError{emitErr}
	}
	if err != nil {
		return fmt.Errorf("reading its report: %w", err)
	}
	return checkErr
}

// Rebase makes the paths of a finding read from a report written in dir
// (relative to the root) relative to the root.
func Rebase(f *finding.Finding, dir string) {
	if dir == "." || dir == "" {
		return
	}
	fix := func(l *finding.Location) {
		if l.Path != "" {
			l.Path = path.Join(dir, l.Path)
		}
	}
	fix(&f.Location)
	for i := range f.Related {
		fix(&f.Related[i])
	}
	for i := range f.Flows {
		for j := range f.Flows[i].Steps {
			fix(&f.Flows[i].Steps[j])
		}
	}
}

// errorLine matches the lines of a tool's stderr that say what went wrong.
var errorLine = regexp.MustCompile(`(?i)error|fail|cannot|could not|can't|unable|no go\.mod|not found|no such|invalid|denied|panic`)

// ansi matches terminal colour escapes (gitleaks colours its log).
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// tail returns what a tool's stderr says went wrong, on one line: its
// lines that name an error (the last n of them), else its first n lines,
// joined with " | ".
func tail(s string, n int) string {
	var all, errs []string
	follow := 0 // lines after "...errors:" that belong to it
	for _, l := range strings.Split(ansi.ReplaceAllString(s, ""), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			all = append(all, l)
			switch {
			case errorLine.MatchString(l):
				errs = append(errs, l)
				if strings.HasSuffix(l, ":") {
					follow = 3
				}
			case follow > 0:
				errs = append(errs, l)
				follow--
			}
		}
	}
	lines := all
	if len(errs) > 0 {
		lines = errs
		if len(lines) > n {
			lines = lines[len(lines)-n:]
		}
	} else if len(lines) > n {
		lines = lines[:n]
	}
	out := strings.Join(lines, " | ")
	if len(out) > 1000 {
		out = out[:1000] + "..."
	}
	return out
}

// batchBytes bounds the arguments of one run of a ScopeFiles tool.
const batchBytes = 64 << 10

// Plan returns the units a tool runs on for target t, whose projects inv
// lists, or none and why ("no Python files").
func (tl *Tool) Plan(inv *project.Inventory, t *plugin.Target) ([]Unit, string) {
	if t.Kind == plugin.TargetURL || t.Kind == plugin.TargetImage {
		return []Unit{{Target: t, Dir: "."}}, ""
	}
	var changed map[string]bool
	if t.Kind == plugin.TargetFiles {
		changed = map[string]bool{}
		for _, f := range t.Files {
			changed[filepath.ToSlash(f)] = true
		}
	}
	switch tl.Scope {
	case ScopeGoModule:
		var units []Unit
		for i := range inv.Projects {
			p := &inv.Projects[i]
			if p.Kind != project.Go {
				continue
			}
			u := Unit{Target: t, Dir: p.Dir, Project: p, Whole: changed == nil}
			for _, pkg := range p.Packages {
				if changed != nil && !dirChanged(pkg, changed) {
					continue
				}
				rel := "."
				if pkg != p.Dir {
					rel = "./" + strings.TrimPrefix(pkg, p.Dir+"/")
					if p.Dir == "." {
						rel = "./" + pkg
					}
				}
				u.Files = append(u.Files, rel)
			}
			if len(u.Files) == 0 {
				continue
			}
			if p.GoWork != "" && !p.InWorkspace && os.Getenv("GOWORK") == "" {
				u.Env = []string{"GOWORK=off"}
			}
			units = append(units, u)
		}
		if len(units) == 0 {
			return nil, "no Go packages"
		}
		return units, ""
	case ScopeFiles:
		var files []string
		for _, f := range tl.Select(inv) {
			if changed == nil || changed[f] {
				files = append(files, f)
			}
		}
		if len(files) == 0 {
			return nil, "no " + tl.What
		}
		var units []Unit
		size := 0
		for _, f := range files {
			if len(units) == 0 || size+len(f)+1 > batchBytes {
				units = append(units, Unit{Target: t, Dir: "."})
				size = 0
			}
			u := &units[len(units)-1]
			u.Files = append(u.Files, f)
			size += len(f) + 1
		}
		return units, ""
	}
	if tl.Select != nil && len(tl.Select(inv)) == 0 {
		return nil, "no " + tl.What
	}
	return []Unit{{Target: t, Dir: "."}}, ""
}

func dirChanged(dir string, changed map[string]bool) bool {
	for f := range changed {
		if path.Dir(f) == dir {
			return true
		}
	}
	return false
}

// Coverage is what a scan covered.
type Coverage struct {
	// Tool is the tool that ran.
	Tool *Tool
	// Units counts the runs; Failed those that failed.
	Units, Failed int
	// Modules and Packages count the Go modules (or groups of packages
	// outside modules) and packages covered, ScopeGoModule.
	Modules, Packages int
	// Outside counts the Go packages outside any module that were
	// covered (gosec and staticcheck read them as plain files).
	Outside int
	// Files counts the files covered (ScopeFiles), or the tree's files
	// (ScopeTree).
	Files int
	// Projects counts the projects of Tool.Kind the files belong to.
	Projects int

	projects map[string]bool
}

// Add counts a unit that ran, covered (ok) or not.
func (c *Coverage) Add(u *Unit, inv *project.Inventory, ok bool) {
	c.Units++
	if !ok {
		c.Failed++
		return
	}
	switch {
	case u.Project != nil && u.Project.Orphan():
		c.Outside += len(u.Files)
	case u.Project != nil:
		c.Modules++
		c.Packages += len(u.Files)
	case c.Tool.Scope == ScopeFiles:
		c.Files += len(u.Files)
		if c.Tool.Kind != "" && inv != nil {
			if c.projects == nil {
				c.projects = map[string]bool{}
			}
			for _, f := range u.Files {
				if p := inv.Owner(c.Tool.Kind, f); p != nil {
					c.projects[p.Dir] = true
				}
			}
			c.Projects = len(c.projects)
		}
	case c.Tool.Scope == ScopeTree && inv != nil:
		c.Files = len(inv.Files)
	}
}

// unitWord names n units: "Go modules", "batches of files", "runs".
func (c *Coverage) unitWord(n int) string {
	one, many := "run", "runs"
	switch c.Tool.Scope {
	case ScopeGoModule:
		one, many = "Go module", "Go modules"
	case ScopeFiles:
		one, many = "batch of files", "batches of files"
	}
	if n == 1 {
		return one
	}
	return many
}

// String says what was covered: "2 modules, 5 packages", "4 files (1
// Python project)", "the tree (120 files)", "the URL".
func (c *Coverage) String() string {
	var parts []string
	switch {
	case c.Tool.Target == plugin.TargetURL:
		parts = append(parts, "the URL")
	case c.Tool.Target == plugin.TargetImage:
		parts = append(parts, "the image")
	case c.Tool.Scope == ScopeGoModule:
		parts = append(parts, plural(c.Modules, "module", "modules"), plural(c.Packages, "package", "packages"))
		if c.Outside > 0 {
			parts = append(parts, plural(c.Outside, "package", "packages")+" outside any module")
		}
	case c.Tool.Scope == ScopeFiles:
		s := plural(c.Files, "file", "files")
		if c.Projects > 0 {
			s += " (" + plural(c.Projects, kindName(c.Tool.Kind), kindName(c.Tool.Kind)+"s") + ")"
		}
		parts = append(parts, s)
	default:
		parts = append(parts, "the tree ("+plural(c.Files, "file", "files")+")")
	}
	if c.Failed > 0 && c.Failed == c.Units {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

func kindName(k project.Kind) string {
	switch k {
	case project.Python:
		return "Python project"
	case project.NPM:
		return "npm package"
	case project.Kubernetes:
		return "manifest directory"
	}
	return string(k) + " project"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Source returns an aggregate.Source named name that runs the scanner on
// req. Besides findings, it says what it covered (aggregate.Coverer) and
// passes on the scanner's warnings (aggregate.Warner); a target with
// nothing for the tool ends it as not applicable.
func (s *Scanner) Source(name string, req *plugin.Request) aggregate.Source {
	return &source{s: s, name: name, req: req}
}

type source struct {
	s    *Scanner
	name string
	req  *plugin.Request

	mu       sync.Mutex
	warns    []string
	coverage string
}

func (src *source) Name() string { return src.name }

func (src *source) Run(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
	tool := finding.Tool{Name: src.s.Tool.Name, Version: src.s.Version()}
	cov, err := src.s.scan(ctx, src.req, plugin.EmitFuncs{
		OnFinding: func(f *finding.Finding) error {
			if f.Tool.Name == "" {
				f.Tool = tool
			}
			return emit(f)
		},
		OnDiagnostic: func(d plugin.Diagnostic) error {
			if d.Level == plugin.LevelWarning || d.Level == plugin.LevelError {
				src.mu.Lock()
				src.warns = append(src.warns, d.Message)
				src.mu.Unlock()
			}
			return nil
		},
	})
	if cov != nil && cov.Units > 0 {
		src.mu.Lock()
		src.coverage = cov.String()
		src.mu.Unlock()
	}
	if errors.Is(err, ErrNotApplicable) {
		return nil, err
	}
	return []finding.Tool{tool}, err
}

// Warnings implements aggregate.Warner.
func (src *source) Warnings() []string {
	src.mu.Lock()
	defer src.mu.Unlock()
	return src.warns
}

// Coverage implements aggregate.Coverer.
func (src *source) Coverage() string {
	src.mu.Lock()
	defer src.mu.Unlock()
	return src.coverage
}

// languageHints says what to install for a language no enabled scanner
// covers.
var languageHints = map[string]string{
	"Go":         "gosec is built in; enable it",
	"Python":     "install bandit or semgrep",
	"JavaScript": "install eslint with eslint-plugin-security, or semgrep",
	"TypeScript": "install semgrep",
	"Java":       "install semgrep or spotbugs",
	"Kotlin":     "install semgrep",
	"Scala":      "install semgrep",
	"C/C++":      "install cppcheck or flawfinder",
	"C#":         "install semgrep",
	"Ruby":       "install semgrep or brakeman",
	"PHP":        "install semgrep",
	"Rust":       "install semgrep",
	"Swift":      "install semgrep",
	"Shell":      "install shellcheck",
	"Terraform":  "scanmux-iac is built in; enable it, or install tfsec",
	"Dockerfile": "scanmux-iac is built in; enable it",
}

// Uncovered returns, for each language with files in inv that none of
// the covered languages is, a line such as "*.java (3 files; install
// semgrep or spotbugs)".
func Uncovered(inv *project.Inventory, covered []string) []string {
	var out []string
	for _, l := range inv.Languages() {
		if slices.Contains(covered, l.Name) {
			continue
		}
		out = append(out, fmt.Sprintf("%s (%s; %s)", l.Pattern, plural(l.Files, "file", "files"), languageHints[l.Name]))
	}
	return out
}
