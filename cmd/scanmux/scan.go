package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners/builtin"
	"github.com/scanmux/scanmux/scanners/registry"
	"github.com/scanmux/scanmux/scanners/runner"
)

const scanUsage = `usage: scanmux scan [flags] [TARGET]

Scans TARGET (default: the current directory) with the built-in scanners
(gosec, gitleaks, scanmux's IaC rules) and every supported tool installed,
plus plugins, DAST URLs, container images and imported reports, then
deduplicates, filters and gates the findings and writes SARIF.

Profiles: full (default) runs everything; pre-commit runs the quick
scanners and reports only files changed since HEAD.

Exit codes: 0 pass, 1 gate failed, 2 usage or configuration error,
3 a scanner failed (with --fail-on-scanner-error).

flags:`

func runScan(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var pf pipelineFlags
	pf.register(fs, "scanmux.sarif", "format")
	configPath := fs.String("config", "", "config `file` (default: TARGET/.scanmux.yaml when it exists)")
	profile := fs.String("profile", "full", "`profile`: full or pre-commit")
	var urls, images, imports, plugins multiFlag
	fs.Var(&urls, "url", "DAST target `URL`; repeatable")
	fs.Var(&images, "image", "container image `reference` to scan; repeatable")
	fs.Var(&imports, "import", "report `file` made elsewhere (SARIF or any supported tool's format); repeatable")
	fs.Var(&plugins, "plugin", "plugin `binary` to run; repeatable")
	only := fs.String("scanners", "", "comma-separated `names` of the only scanners to run")
	disable := fs.String("disable", "", "comma-separated `names` of scanners not to run")
	inProcess := fs.Bool("in-process", false, "run built-in scanners inside this process instead of as isolated plugins")
	fs.Usage = func() {
		fmt.Fprintln(stderr, scanUsage)
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(pos) > 1 {
		fs.Usage()
		return exitUsage
	}
	target := "."
	if len(pos) == 1 {
		target = pos[0]
	}
	p := &pipeline{name: "scanmux scan", flags: &pf, stdout: stdout, stderr: stderr}
	root, err := dirArg(target)
	if err != nil {
		return p.fail(usageError{err})
	}
	p.root = root
	cfgFile, explicit := *configPath, true
	if cfgFile == "" {
		cfgFile, explicit = defaultConfigPath(root), false
	}
	if p.cfg, err = loadConfig(cfgFile, explicit); err != nil {
		return p.fail(usageError{err})
	}
	if *profile != "full" && *profile != "pre-commit" {
		return p.fail(usagef("--profile %q: want full or pre-commit", *profile))
	}
	sel := newSelection(p.cfg, *only, *disable, *profile == "pre-commit")
	var changed map[string]bool
	if *profile == "pre-commit" {
		if changed, err = changedFiles(root); err != nil {
			return p.fail(usagef("--profile pre-commit needs a git checkout: %v", err))
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := p.cfg.Scanners.Options
	dirReq := &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: root}, Options: opts}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	var sources []aggregate.Source
	for _, b := range builtin.All() {
		if !sel.wants(b.Name, b.Quick) {
			continue
		}
		name := b.Name + " (built-in)"
		if *inProcess {
			sc, err := b.New()
			if err != nil {
				return p.fail(fmt.Errorf("built-in %s: %w", b.Name, err))
			}
			sources = append(sources, named(name, aggregate.ScannerSource(sc, dirReq)))
		} else {
			sources = append(sources, &pluginSource{name: name, args: []string{pluginCommand, b.Name}, req: dirReq, logger: logger})
		}
	}
	found, _ := runner.Find(runner.Tools())
	for _, s := range found {
		if !sel.wants(s.Tool.Name, s.Tool.Quick) {
			continue
		}
		switch s.Tool.Target {
		case plugin.TargetDirectory:
			sources = append(sources, named(s.Tool.Name, aggregate.ScannerSource(s, dirReq)))
		case plugin.TargetURL:
			if *profile == "pre-commit" {
				continue
			}
			for _, u := range urls {
				req := &plugin.Request{Target: plugin.Target{Kind: plugin.TargetURL, URL: u, Root: root}, Options: opts}
				sources = append(sources, named(s.Tool.Name+" "+u, aggregate.ScannerSource(s, req)))
			}
		case plugin.TargetImage:
			if *profile == "pre-commit" {
				continue
			}
			for _, im := range images {
				req := &plugin.Request{Target: plugin.Target{Kind: plugin.TargetImage, Image: im, Root: root}, Options: opts}
				sources = append(sources, named(s.Tool.Name+" "+im, aggregate.ScannerSource(s, req)))
			}
		}
	}
	if len(urls) > 0 && !slices.ContainsFunc(sources, func(s aggregate.Source) bool { return strings.Contains(s.Name(), "://") }) && *profile != "pre-commit" {
		fmt.Fprintf(stderr, "scanmux scan: --url given but no DAST tool is installed (apt-get install wapiti)\n")
	}
	for _, pc := range p.cfg.Plugins {
		sources = append(sources, &pluginSource{name: filepath.Base(pc.Path), path: pc.Path, sha256: pc.SHA256, req: withOptions(dirReq, pc.Options), logger: logger})
	}
	for _, path := range plugins {
		sources = append(sources, &pluginSource{name: filepath.Base(path), path: path, sha256: pinnedSHA(p.cfg, path), req: dirReq, logger: logger})
	}
	disc, err := discoverPlugins()
	if err != nil {
		return p.fail(usageError{err})
	}
	for _, d := range disc {
		if sum := pinnedSHA(p.cfg, d); sum != "" && !slices.ContainsFunc(sources, func(s aggregate.Source) bool { return s.Name() == filepath.Base(d) }) {
			sources = append(sources, &pluginSource{name: filepath.Base(d), path: d, sha256: sum, req: dirReq, logger: logger})
		}
	}
	for _, im := range p.cfg.Imports {
		sources = append(sources, &registry.Source{Path: im.Path, Format: im.Format, Root: root})
	}
	for _, path := range imports {
		sources = append(sources, &registry.Source{Path: path, Root: root})
	}
	if changed != nil {
		for i, s := range sources {
			sources[i] = onlyFiles(s, changed)
		}
	}
	if len(sources) == 0 {
		return p.fail(usagef("no scanner selected"))
	}
	return p.run(ctx, sources)
}

// selection decides which scanners run.
type selection struct {
	only, disable map[string]bool
	quickOnly     bool
}

func newSelection(c *config, only, disable string, quickOnly bool) *selection {
	set := func(lists ...[]string) map[string]bool {
		m := map[string]bool{}
		for _, l := range lists {
			for _, n := range l {
				if n = strings.TrimSpace(n); n != "" {
					m[n] = true
				}
			}
		}
		return m
	}
	s := &selection{only: set(c.Scanners.Enable, splitComma(only)), disable: set(c.Scanners.Disable, splitComma(disable)), quickOnly: quickOnly}
	if only != "" { // the flag replaces the config's list
		s.only = set(splitComma(only))
	}
	return s
}

func splitComma(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (s *selection) wants(name string, quick bool) bool {
	if s.disable[name] || (len(s.only) > 0 && !s.only[name]) {
		return false
	}
	return quick || !s.quickOnly
}

// named gives a source another name (built-in and installed gosec are both
// "gosec" otherwise).
func named(name string, s aggregate.Source) aggregate.Source { return &namedSource{name, s} }

type namedSource struct {
	name string
	aggregate.Source
}

func (n *namedSource) Name() string { return n.name }

func withOptions(req *plugin.Request, opts map[string]string) *plugin.Request {
	if len(opts) == 0 {
		return req
	}
	r := *req
	r.Options = map[string]string{}
	for k, v := range req.Options {
		r.Options[k] = v
	}
	for k, v := range opts {
		r.Options[k] = v
	}
	return &r
}

// pluginCommand is the hidden command with which scanmux serves one of its
// built-in scanners as a plugin.
const pluginCommand = "__plugin"

// pluginSource launches a plugin process for one scan: an external plugin
// binary, or this binary serving a built-in.
type pluginSource struct {
	name   string
	path   string // "" = this executable
	args   []string
	sha256 string
	req    *plugin.Request
	logger *slog.Logger
}

func (s *pluginSource) Name() string { return s.name }

func (s *pluginSource) Run(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
	path := s.path
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		path = exe
	}
	c, err := plugin.Open(ctx, path, &plugin.Config{Args: s.args, SHA256: s.sha256, Logger: s.logger})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	info, err := c.Describe(ctx)
	if err != nil {
		return nil, err
	}
	err = c.Scan(ctx, s.req, plugin.EmitFuncs{
		OnFinding: emit,
		OnDiagnostic: func(d plugin.Diagnostic) error {
			if d.Level == plugin.LevelWarning || d.Level == plugin.LevelError {
				s.logger.Warn(d.Message, "scanner", s.name)
			}
			return nil
		},
	})
	return []finding.Tool{info.Tool()}, err
}

// pinnedSHA returns the SHA-256 the config pins for the plugin at path
// (matched by path or by base name), or "".
func pinnedSHA(c *config, path string) string {
	abs, _ := filepath.Abs(path)
	for _, pc := range c.Plugins {
		pabs, _ := filepath.Abs(pc.Path)
		if pabs == abs || filepath.Base(pc.Path) == filepath.Base(path) {
			return pc.SHA256
		}
	}
	return ""
}

// pluginDirs returns the directories searched for scanmux-plugin-*
// binaries: $SCANMUX_PLUGIN_PATH (a path list), then ~/.scanmux/plugins.
func pluginDirs() []string {
	var dirs []string
	if v := os.Getenv("SCANMUX_PLUGIN_PATH"); v != "" {
		dirs = append(dirs, filepath.SplitList(v)...)
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".scanmux", "plugins"))
	}
	return dirs
}

// discoverPlugins returns the executable scanmux-plugin-* files in the
// plugin directories; a name found twice is taken from the first directory.
func discoverPlugins() ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, dir := range pluginDirs() {
		matches, err := filepath.Glob(filepath.Join(dir, "scanmux-plugin-*"))
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil || st.IsDir() || st.Mode()&0o111 == 0 || seen[filepath.Base(m)] {
				continue
			}
			seen[filepath.Base(m)] = true
			out = append(out, m)
		}
	}
	return out, nil
}

// changedFiles lists the files changed since HEAD (staged, unstaged and
// untracked), relative to root, for the pre-commit profile.
func changedFiles(root string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, args := range [][]string{
		{"diff", "--name-only", "--relative", "HEAD"},
		{"ls-files", "--others", "--exclude-standard"},
	} {
		cmd := exec.Command("git", append([]string{"-C", root}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("git %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if l != "" {
				out[filepath.ToSlash(l)] = true
			}
		}
	}
	return out, nil
}

// onlyFiles keeps a source's findings in the given files (and findings with
// no file, such as dependency findings, which stay relevant).
func onlyFiles(s aggregate.Source, files map[string]bool) aggregate.Source {
	return aggregate.FuncSource(s.Name(), func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
		return s.Run(ctx, func(f *finding.Finding) error {
			if f.Location.Path != "" && !files[f.Location.Path] {
				return nil
			}
			return emit(f)
		})
	})
}
