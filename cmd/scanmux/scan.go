package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/project"
	"github.com/scanmux/scanmux/scanners/builtin"
	gosecembedded "github.com/scanmux/scanmux/scanners/gosec/embedded"
	"github.com/scanmux/scanmux/scanners/registry"
	"github.com/scanmux/scanmux/scanners/runner"
)

const scanLong = `Scans TARGET (default: the current directory) with the built-in scanners
(gosec, gitleaks, scanmux's IaC rules) and every supported tool installed,
plus plugins, DAST URLs, container images and imported reports, then
deduplicates, filters and gates the findings, lists them on the terminal
and writes SARIF (scanmux.sarif unless -o or --format say otherwise).

One engine per tool: a tool that is both built in and installed runs once,
the installed binary when its version is known and not older than the
built-in's, else the built-in (the option <tool>.engine: built-in or
installed decides instead). Code-quality tools (staticcheck) run only with
--include quality. The run ends with what ran, what was skipped and why.

Paths in the outputs are relative to the git repository holding TARGET
(--root overrides it), so that GitHub maps them to its files.

Profiles: full (default) runs everything; pre-commit runs the quick
scanners and reports only files changed since HEAD.

Exit codes: 0 pass, 1 gate failed, 2 usage, configuration, input or
output error, 3 a plugin refused, or a scanner failed with
--fail-on-scanner-error, 130/143 interrupted by SIGINT/SIGTERM. With 2 or
3 no output is written unless --partial.`

// scanFlags are scan's own flags.
type scanFlags struct {
	pf                                  pipelineFlags
	configPath, profile, root           string
	urls, images, imports, plugins, env []string
	trustRepo, inProcess                bool
	dockerfile                          string
	only, disable                       string
	include                             []string
}

func newScanCommand(stdout, stderr io.Writer) *cobra.Command {
	var sf scanFlags
	cmd := &cobra.Command{
		Use:     "scan [flags] [TARGET]",
		Short:   "run the scanners on TARGET, list the findings and write deduplicated, gated SARIF",
		Long:    scanLong,
		Example: "  scanmux scan . -o scanmux.sarif\n  scanmux scan --fail-on high -o scanmux.sarif -o markdown=summary.md\n  scanmux scan --include quality --format table -o -",
		Args:    maxArgs(1, "TARGET"),
		RunE: runE(func(cmd *cobra.Command, args []string) int {
			return runScan(cmd.Context(), &sf, args, stdout, stderr)
		}),
	}
	fs := cmd.Flags()
	sf.pf.register(fs)
	fs.StringVarP(&sf.configPath, "config", "c", "", "config `file` (default: TARGET/.scanmux.yaml when it exists)")
	fs.StringVar(&sf.profile, "profile", "full", "`profile`: full or pre-commit")
	fs.StringVar(&sf.root, "root", "", "repository root `dir` the outputs' paths are relative to (default: the git work tree holding TARGET, else TARGET)")
	fs.StringArrayVar(&sf.urls, "url", nil, "DAST target `URL`; repeatable")
	fs.StringArrayVar(&sf.images, "image", nil, "container image to scan: a `docker save` or OCI archive, an OCI layout directory or a registry reference (pulled without a daemon); repeatable")
	fs.StringVar(&sf.dockerfile, "dockerfile", "", "the Dockerfile that built the --image images: their findings are attached to the line of the instruction that added the package (default: no file, the fallback path)")
	fs.StringArrayVar(&sf.imports, "import", nil, "report `file` made elsewhere (SARIF or any supported tool's format); repeatable")
	fs.StringArrayVar(&sf.plugins, "plugin", nil, "plugin `binary` to run; repeatable")
	fs.BoolVar(&sf.trustRepo, "trust-repo-config", false, "trust TARGET/.scanmux.yaml: run the plugins it pins, use its options that name code (eslint.config) and files outside the target; without it a repository's config cannot make scanmux run anything")
	fs.StringArrayVar(&sf.env, "plugin-env", nil, "pass the environment variable `NAME` (NAME* for every name with that prefix) to plugins, which otherwise get only PATH, HOME, TMPDIR, the locale and the proxy variables; repeatable")
	fs.StringVar(&sf.only, "scanners", "", "comma-separated `names` of the only scanners to run (scanmux plugins lists them)")
	fs.StringVar(&sf.disable, "disable", "", "comma-separated `names` of scanners not to run")
	fs.StringSliceVar(&sf.include, "include", nil, "opt-in scanner `groups` to run too: quality (code-quality tools: "+strings.Join(qualityTools, ", ")+")")
	fs.BoolVar(&sf.inProcess, "in-process", false, "run built-in scanners inside this process instead of as isolated plugins")
	sf.pf.complete(cmd)
	names := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return scannerNames(), cobra.ShellCompDirectiveNoFileComp
	}
	cmd.RegisterFlagCompletionFunc("scanners", names)
	cmd.RegisterFlagCompletionFunc("disable", names)
	cmd.RegisterFlagCompletionFunc("include", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"quality"}, cobra.ShellCompDirectiveNoFileComp
	})
	cmd.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"full", "pre-commit"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// maxArgs allows at most n positional arguments, named what in the error.
func maxArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return fmt.Errorf("one %s at most, got %d: %q", what, len(args), args)
		}
		return nil
	}
}

// qualityTools are the code-quality tools, run only with --include quality.
var qualityTools = []string{"staticcheck"}

// scannerNames lists the names --scanners and --disable take.
func scannerNames() []string {
	var names []string
	for _, b := range builtin.All() {
		names = append(names, b.Name)
	}
	for _, t := range runner.Tools() {
		if !slices.Contains(names, t.Name) {
			names = append(names, t.Name)
		}
	}
	return names
}

// checkScannerNames returns an error naming flag for a name in list that
// no scanner has.
func checkScannerNames(flag string, list []string) error {
	known := scannerNames()
	for _, n := range list {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(known, n) {
			return usagef("%s: unknown scanner %q (known: %s)", flag, n, strings.Join(known, ", "))
		}
	}
	return nil
}

func runScan(ctx context.Context, sf *scanFlags, pos []string, stdout, stderr io.Writer) int {
	pf := &sf.pf
	configPath, profile, trustRepo, inProcess := &sf.configPath, &sf.profile, &sf.trustRepo, &sf.inProcess
	only, disable := &sf.only, &sf.disable
	urls, images, imports, plugins, pluginEnv := sf.urls, sf.images, sf.imports, sf.plugins, sf.env
	target := "."
	if len(pos) == 1 {
		target = pos[0]
	}
	p := &pipeline{name: "scanmux scan", flags: pf, stdout: stdout, stderr: stderr, defaultOutput: "scanmux.sarif",
		stdoutTTY: isTerminal(stdout), stderrTTY: isTerminal(stderr)}
	if err := checkScannerNames("--scanners", splitComma(*only)); err != nil {
		return p.fail(err)
	}
	if err := checkScannerNames("--disable", splitComma(*disable)); err != nil {
		return p.fail(err)
	}
	for _, g := range sf.include {
		if g != "quality" {
			return p.fail(usagef("--include %q: want quality", g))
		}
	}
	root, err := dirArg(target)
	if err != nil {
		return p.fail(usageError{err})
	}
	p.root = root
	if p.cfg, err = scanConfig(root, *configPath, *trustRepo); err != nil {
		return p.fail(usageError{err})
	}
	cfgName := p.cfg.path
	if cfgName == "" {
		cfgName = "config"
	}
	if err := checkScannerNames(cfgName+": scanners.enable", p.cfg.Scanners.Enable); err != nil {
		return p.fail(err)
	}
	if err := checkScannerNames(cfgName+": scanners.disable", p.cfg.Scanners.Disable); err != nil {
		return p.fail(err)
	}
	for _, w := range p.cfg.warnings {
		fmt.Fprintf(stderr, "scanmux scan: warning: %s\n", w)
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

	opts := p.cfg.Scanners.Options
	dirReq := &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: root}, Options: opts}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	var inv *project.Inventory
	if inv, err = project.Discover(root, nil); err != nil {
		return p.fail(err)
	}
	info := stderr // what is found and chosen: quiet leaves it out
	if pf.quiet {
		info = io.Discard
	}
	printInventory(info, inv)

	var sources []aggregate.Source
	var covered []string // languages the scanners that run cover
	found, missing := runner.Find(runner.Tools())
	imgs, err := openImages(ctx, images, sf.dockerfile, root)
	if err != nil {
		return p.fail(err)
	}
	defer imgs.Close()
	quality := slices.Contains(sf.include, "quality")
	skip := func(name, why string) {
		if !slices.ContainsFunc(p.skipped, func(s skipNote) bool { return s.name == name && s.why == why }) {
			p.skipped = append(p.skipped, skipNote{name, why})
		}
	}
	// notWanted says why the selection leaves out a scanner, "" when it runs.
	notWanted := func(name string, quick bool) string {
		switch {
		case sel.disable[name]:
			return "disabled (--disable or scanners.disable)"
		case len(sel.only) > 0 && !sel.only[name]:
			return "not selected (--scanners or scanners.enable)"
		case !quick && sel.quickOnly:
			return "not quick (pre-commit profile)"
		case slices.Contains(qualityTools, name) && !quality && !sel.only[name]:
			return "code-quality tool (--include quality runs it)"
		}
		return ""
	}
	installed := map[string]*runner.Scanner{}
	for _, s := range found {
		s.Inventory = inv
		if s.Tool.Target == plugin.TargetDirectory {
			installed[s.Tool.Name] = s
		}
	}
	skipInstalled := map[string]bool{}
	for _, b := range builtin.All() {
		if why := notWanted(b.Name, b.Quick); why != "" {
			skip(b.Name, why)
			continue
		}
		name := b.Name + " (built-in)"
		if inst := installed[b.Name]; inst != nil {
			useBuiltin, why, err := chooseEngine(ctx, b, inst, opts)
			if err != nil {
				return p.fail(usageError{err})
			}
			fmt.Fprintf(info, "scanmux scan: %s: %s\n", b.Name, why)
			if !useBuiltin {
				skip("built-in "+b.Name, "one engine per tool: the installed binary runs")
				continue
			}
			skip("installed "+b.Name, "one engine per tool: the built-in runs")
			skipInstalled[b.Name] = true
		}
		src := newBuiltinSource(name, b, inv, dirReq, logger, *inProcess)
		src.passEnv = append(slices.Clone(goEnv), pluginEnv...)
		covered = append(covered, src.languages...)
		sources = append(sources, src)
	}
	for _, m := range missing {
		if why := notWanted(m.Tool.Name, m.Tool.Quick); why != "" {
			skip(m.Tool.Name, why)
		} else if _, twin := builtin.Lookup(m.Tool.Name); !twin {
			skip(m.Tool.Name, "not installed (scanmux plugins says how to install it)")
		}
	}
	for _, s := range found {
		if skipInstalled[s.Tool.Name] {
			continue
		}
		if why := notWanted(s.Tool.Name, s.Tool.Quick); why != "" {
			skip(s.Tool.Name, why)
			continue
		}
		if s.Tool.Target == plugin.TargetURL && len(urls) == 0 {
			skip(s.Tool.Name, "DAST: no --url given")
		}
		if s.Tool.Target == plugin.TargetImage && len(images) == 0 {
			skip(s.Tool.Name+" (image)", "container images: no --image given")
		}
		switch s.Tool.Target {
		case plugin.TargetDirectory:
			name := s.Tool.Name
			if _, twin := builtin.Lookup(s.Tool.Name); twin {
				name += " (installed)"
			}
			var src aggregate.Source = s.Source(name, dirReq)
			if slices.Contains(qualityTools, s.Tool.Name) {
				src = asQuality(src)
			}
			sources = append(sources, src)
			covered = append(covered, s.Tool.Languages...)
		case plugin.TargetURL:
			if *profile == "pre-commit" {
				continue
			}
			for _, u := range urls {
				req := &plugin.Request{Target: plugin.Target{Kind: plugin.TargetURL, URL: u, Root: root}, Options: opts}
				sources = append(sources, s.Source(s.Tool.Name+" "+u, req))
			}
		case plugin.TargetImage:
			if *profile == "pre-commit" {
				continue
			}
			sources = append(sources, imgs.sources(s, root, opts)...)
		}
	}
	if un := runner.Uncovered(inv, covered); len(un) > 0 {
		fmt.Fprintf(info, "scanmux scan: no scanner for: %s\n", strings.Join(un, ", "))
	}
	if len(urls) > 0 && !slices.ContainsFunc(sources, func(s aggregate.Source) bool { return strings.Contains(s.Name(), "://") }) && *profile != "pre-commit" {
		fmt.Fprintf(stderr, "scanmux scan: --url given but no DAST tool is installed (apt-get install wapiti)\n")
	}
	for _, pc := range p.cfg.Plugins {
		sources = append(sources, &pluginSource{name: filepath.Base(pc.Path), path: pc.Path, sha256: pc.SHA256,
			req: withOptions(dirReq, pc.Options), logger: logger, passEnv: append(slices.Clone(pluginEnv), pc.Env...)})
	}
	for _, pc := range p.cfg.refused {
		sources = append(sources, &refusedSource{name: filepath.Base(pc.Path), err: fmt.Errorf(
			"%w: plugin %s is named by %s, the scanned repository's config, which is not trusted: it was not run (pin it in %s or a --config file, or pass --trust-repo-config)",
			plugin.ErrRefused, pc.Path, pc.from, userConfigPath())})
	}
	for _, path := range plugins {
		sources = append(sources, &pluginSource{name: filepath.Base(path), path: path, sha256: pinnedSHA(p.cfg, path), req: dirReq, logger: logger, passEnv: pluginEnv})
	}
	disc, err := discoverPlugins()
	if err != nil {
		return p.fail(usageError{err})
	}
	for _, d := range disc {
		if slices.ContainsFunc(sources, func(s aggregate.Source) bool { return s.Name() == filepath.Base(d) }) {
			continue
		}
		sum := pinnedSHA(p.cfg, d)
		if sum == "" {
			fmt.Fprintf(stderr, "scanmux scan: warning: plugin %s is not pinned: not run (pin the sha256 that scanmux plugins prints in %s or a --config file)\n", d, userConfigPath())
			continue
		}
		sources = append(sources, &pluginSource{name: filepath.Base(d), path: d, sha256: sum, req: dirReq, logger: logger, passEnv: pluginEnv})
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
	// Paths relative to the repository, not to TARGET: GitHub maps a
	// SARIF URI to the repository's files.
	repo, err := repoRoot(root, sf.root)
	if err != nil {
		return p.fail(err)
	}
	if prefix := relSlash(repo, root); prefix != "." {
		for i, s := range sources {
			sources[i] = prefixPaths(s, prefix)
		}
		p.root = repo
	}
	if len(sources) == 0 {
		return p.fail(usagef("no scanner selected"))
	}
	return p.run(ctx, sources)
}

// repoRoot returns the root the outputs' paths are relative to: flagRoot
// (--root) when given, which must hold target, else the git work tree
// holding target, else target.
func repoRoot(target, flagRoot string) (string, error) {
	if flagRoot != "" {
		abs, err := dirArg(flagRoot)
		if err != nil {
			return "", usagef("--root: %v", err)
		}
		if rel := relSlash(abs, target); rel == ".." || strings.HasPrefix(rel, "../") || filepath.IsAbs(rel) {
			return "", usagef("--root %s does not hold TARGET %s", flagRoot, target)
		}
		return abs, nil
	}
	for d := target; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return target, nil
		}
		d = parent
	}
}

// relSlash returns target relative to base, with slashes.
func relSlash(base, target string) string {
	rel, err := filepath.Rel(base, target)
	if err != nil {
		return target
	}
	return filepath.ToSlash(rel)
}

// prefixPaths makes a source's paths, relative to the scanned directory,
// relative to the repository holding it (prefix is the directory's path in
// it).
func prefixPaths(src aggregate.Source, prefix string) aggregate.Source {
	fix := func(l *finding.Location) {
		if l.Path != "" && !path.IsAbs(l.Path) && !filepath.IsAbs(l.Path) && !strings.Contains(l.Path, "://") {
			l.Path = path.Join(prefix, l.Path)
		}
	}
	return aggregate.MapSource(src, func(f *finding.Finding) bool {
		fix(&f.Location)
		for i := range f.Related {
			fix(&f.Related[i])
		}
		for i := range f.Flows {
			for j := range f.Flows[i].Steps {
				fix(&f.Flows[i].Steps[j])
			}
		}
		return true
	})
}

// asQuality makes a code-quality tool's findings of category quality and
// at most low, as they are not vulnerabilities.
func asQuality(src aggregate.Source) aggregate.Source {
	return aggregate.MapSource(src, func(f *finding.Finding) bool {
		f.Category = finding.CategoryQuality
		if f.Severity > finding.SeverityLow {
			if f.OriginalSeverity == "" {
				f.OriginalSeverity = f.Severity.String()
			}
			f.Severity = finding.SeverityLow
		}
		return true
	})
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
	name    string
	path    string // "" = this executable
	args    []string
	sha256  string
	req     *plugin.Request
	logger  *slog.Logger
	passEnv []string // host environment variables it gets (plugin.Config.PassEnv)
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
	c, err := plugin.Open(ctx, path, &plugin.Config{Args: s.args, SHA256: s.sha256, Logger: s.logger, PassEnv: s.passEnv})
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

// refusedSource is a plugin that is not run: Run returns why.
type refusedSource struct {
	name string
	err  error // wraps plugin.ErrRefused
}

func (s *refusedSource) Name() string { return s.name }

func (s *refusedSource) Run(context.Context, func(*finding.Finding) error) ([]finding.Tool, error) {
	return nil, s.err
}

// goEnv names the environment variables the built-in scanners get besides
// a plugin's basic ones: the Go toolchain's, which the built-in gosec
// needs to load packages as the installed one would.
var goEnv = []string{
	"GOROOT", "GOPATH", "GOBIN", "GOCACHE", "GOCACHEPROG", "GOMODCACHE", "GOENV", "GOFLAGS",
	"GOPROXY", "GONOPROXY", "GOPRIVATE", "GONOSUMDB", "GOSUMDB", "GOINSECURE", "GOAUTH", "GOVCS",
	"GOTOOLCHAIN", "GOWORK", "GO111MODULE", "GOOS", "GOARCH", "GOAMD64", "GOARM", "GOARM64", "GO386",
	"GOEXPERIMENT", "GODEBUG", "GOTMPDIR", "GOTELEMETRY", "GOTELEMETRYDIR", "GOFIPS140",
	"CGO_*", "CC", "CXX", "PKG_CONFIG", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "NETRC",
}

// pinnedSHA returns the SHA-256 the config pins for the plugin at path
// (matched by path or by base name), or "". Only a trusted config's pins
// are in c.Plugins.
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
// no file, such as dependency findings, which stay relevant). The source's
// warnings and coverage are passed on.
func onlyFiles(s aggregate.Source, files map[string]bool) aggregate.Source {
	return aggregate.MapSource(s, func(f *finding.Finding) bool {
		return f.Location.Path == "" || files[f.Location.Path]
	})
}

// chooseEngine decides whether the built-in or the installed binary of a
// tool that is both runs, and says why. The option "<tool>.engine" picks
// one ("built-in" or "installed"); by default ("auto") the installed
// binary runs when its version is known and at least the built-in's (the
// user installed it on purpose, and its rules are as new), else the
// built-in, whose version scanmux pins and tests.
func chooseEngine(ctx context.Context, b builtin.Builtin, inst *runner.Scanner, opts map[string]string) (useBuiltin bool, why string, err error) {
	bv := "unknown"
	if sc, err := b.New(); err == nil {
		if info, err := sc.Describe(ctx); err == nil && info.Version != "" {
			bv = strings.TrimPrefix(info.Version, "v")
		}
	}
	iv := strings.TrimPrefix(inst.Version(), "v")
	switch e := opts[b.Name+".engine"]; e {
	case "built-in", "builtin":
		return true, fmt.Sprintf("built-in %s runs (%s.engine: %s; installed %s not run)", bv, b.Name, e, iv), nil
	case "installed":
		return false, fmt.Sprintf("installed %s runs (%s.engine: installed; built-in %s not run)", iv, b.Name, bv), nil
	case "", "auto":
	default:
		return false, "", fmt.Errorf("scanners.options %s.engine: %q: want auto, built-in or installed", b.Name, e)
	}
	c, ok := compareVersions(iv, bv)
	switch {
	case !ok:
		return true, fmt.Sprintf("built-in %s runs (installed version %q unknown; not run)", bv, iv), nil
	case c < 0:
		return true, fmt.Sprintf("built-in %s runs (installed %s is older; not run)", bv, iv), nil
	}
	return false, fmt.Sprintf("installed %s runs (not older than the built-in %s, which does not run)", iv, bv), nil
}

// compareVersions compares two MAJOR.MINOR.PATCH versions (a suffix after
// "-" or "+" is ignored); ok is false when either is not one.
func compareVersions(a, b string) (c int, ok bool) {
	parse := func(v string) ([3]int, bool) {
		var n [3]int
		v, _, _ = strings.Cut(v, "-")
		v, _, _ = strings.Cut(v, "+")
		parts := strings.Split(v, ".")
		if len(parts) < 2 || len(parts) > 3 {
			return n, false
		}
		for i, p := range parts {
			x, err := strconv.Atoi(p)
			if err != nil || x < 0 {
				return n, false
			}
			n[i] = x
		}
		return n, true
	}
	x, ok1 := parse(a)
	y, ok2 := parse(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	for i := range x {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1, true
			}
			return 1, true
		}
	}
	return 0, true
}

// printInventory says which projects the target holds, and any problem
// found with them.
func printInventory(w io.Writer, inv *project.Inventory) {
	counts := map[project.Kind]int{}
	outside := 0
	var order []project.Kind
	for _, p := range inv.Projects {
		if p.Orphan() {
			outside += len(p.Packages)
			continue
		}
		if counts[p.Kind] == 0 {
			order = append(order, p.Kind)
		}
		counts[p.Kind]++
	}
	names := map[project.Kind][2]string{
		project.Go: {"Go module", "Go modules"}, project.NPM: {"npm package", "npm packages"},
		project.Python: {"Python project", "Python projects"}, project.Maven: {"Maven project", "Maven projects"},
		project.Gradle: {"Gradle project", "Gradle projects"}, project.Terraform: {"Terraform root module", "Terraform root modules"},
		project.Helm: {"Helm chart", "Helm charts"}, project.Kubernetes: {"Kubernetes manifest directory", "Kubernetes manifest directories"},
		project.Docker: {"Dockerfile", "Dockerfiles"},
	}
	var parts []string
	for _, k := range order {
		n := names[k]
		if counts[k] == 1 {
			parts = append(parts, "1 "+n[0])
		} else {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], n[1]))
		}
	}
	if outside > 0 {
		parts = append(parts, fmt.Sprintf("%d Go packages outside any module", outside))
	}
	if len(parts) == 0 {
		parts = []string{"no projects"}
	}
	fmt.Fprintf(w, "scanmux scan: %d files: %s\n", len(inv.Files), strings.Join(parts, ", "))
	for _, pr := range inv.Problems {
		fmt.Fprintf(w, "scanmux scan: warning: %s\n", pr)
	}
}

// builtinSource runs a built-in scanner, as a plugin process (or in
// process with --in-process), once per unit: gosec once per Go module, in
// the module's directory, like the installed gosec; the others once on
// the whole target. Paths are made relative to the target's root. It says
// what it covered and is not applicable when the target has nothing for
// it.
type builtinSource struct {
	name      string
	b         builtin.Builtin
	inv       *project.Inventory
	units     []runner.Unit
	req       *plugin.Request
	logger    *slog.Logger
	inProcess bool
	passEnv   []string // host environment variables its plugin process gets
	why       string   // not applicable, when set
	languages []string // the languages it covers

	mu       sync.Mutex
	warns    []string
	coverage string
}

func newBuiltinSource(name string, b builtin.Builtin, inv *project.Inventory, req *plugin.Request, logger *slog.Logger, inProcess bool) *builtinSource {
	s := &builtinSource{name: name, b: b, inv: inv, req: req, logger: logger, inProcess: inProcess}
	switch b.Name {
	case "gosec":
		s.languages = []string{"Go"}
		tool := runner.Tool{Scope: runner.ScopeGoModule}
		s.units, s.why = tool.Plan(inv, &req.Target)
	case "scanmux-iac":
		s.languages = []string{"Terraform", "Dockerfile"}
		n := 0
		for _, k := range []project.Kind{project.Terraform, project.Kubernetes, project.Docker} {
			n += len(inv.Of(k))
		}
		if n == 0 {
			s.why = "no Terraform, Kubernetes manifests or Dockerfiles"
		}
		s.units = []runner.Unit{{Target: &req.Target, Dir: "."}}
	default:
		s.units = []runner.Unit{{Target: &req.Target, Dir: "."}}
	}
	return s
}

func (s *builtinSource) Name() string { return s.name }

// Warnings implements aggregate.Warner.
func (s *builtinSource) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.warns
}

// Coverage implements aggregate.Coverer.
func (s *builtinSource) Coverage() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.coverage
}

// How the built-in gosec reports a package it could not load or
// type-check (a warning diagnostic), and a tree where it found no package
// (an info diagnostic).
const (
	loadFailure = "gosec could not analyze "
	noPackages  = "no Go packages under "
)

func (s *builtinSource) Run(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
	if s.why != "" {
		return nil, fmt.Errorf("%w: %s", aggregate.ErrNotApplicable, s.why)
	}
	var clients []*plugin.Client
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	// open starts the scanner for one unit: the built-in gosec leaves out
	// the modules nested in the unit's (they are units of their own, which
	// it cannot load from the outer module), and runs in the unit's
	// environment (GOWORK=off); the others are started once.
	var shared plugin.Scanner
	open := func(u *runner.Unit) (plugin.Scanner, error) {
		if shared != nil {
			return shared, nil
		}
		var exclude []string
		if s.b.Name == "gosec" {
			exclude = nestedModules(s.inv, u)
		}
		var sc plugin.Scanner
		var err error
		switch {
		case s.inProcess && s.b.Name == "gosec":
			sc = gosecembedded.Scanner{Exclude: exclude}
		case s.inProcess:
			sc, err = s.b.New()
		default:
			path, perr := os.Executable()
			if perr != nil {
				return nil, perr
			}
			args := []string{pluginCommand, s.b.Name}
			for _, e := range exclude {
				args = append(args, "--exclude", e)
			}
			var c *plugin.Client
			c, err = plugin.Open(ctx, path, &plugin.Config{Args: args, Env: u.Env, PassEnv: s.passEnv, Logger: s.logger})
			if err == nil {
				clients = append(clients, c)
				sc = c
			}
		}
		if err != nil {
			return nil, err
		}
		if s.b.Name != "gosec" {
			shared = sc
		}
		return sc, nil
	}
	var tool finding.Tool
	var failures []string
	cov := &runner.Coverage{Tool: &runner.Tool{Scope: runner.ScopeGoModule}}
	if s.b.Name != "gosec" {
		cov.Tool.Scope = runner.ScopeTree
	}
	for i := range s.units {
		u := &s.units[i]
		sc, err := open(u)
		if err != nil {
			return nil, err
		}
		if tool.Name == "" {
			info, err := sc.Describe(ctx)
			if err != nil {
				return nil, err
			}
			tool = info.Tool()
		}
		req := *s.req
		req.Target.Root = u.Abs()
		var loadErrs []string
		analyzed := int64(-1) // packages the built-in gosec says it analyzes
		err = sc.Scan(ctx, &req, plugin.EmitFuncs{
			OnProgress: func(p plugin.Progress) error {
				analyzed = max(analyzed, p.Total)
				return nil
			},
			OnFinding: func(f *finding.Finding) error {
				if s.inProcess {
					f = f.Clone()
				}
				if f.Tool.Name == "" {
					f.Tool = tool
				}
				runner.Rebase(f, u.Dir)
				return emit(f)
			},
			OnDiagnostic: func(d plugin.Diagnostic) error {
				if strings.HasPrefix(d.Message, noPackages) {
					analyzed = 0
				}
				if d.Level != plugin.LevelWarning && d.Level != plugin.LevelError {
					return nil
				}
				if strings.HasPrefix(d.Message, loadFailure) {
					loadErrs = append(loadErrs, strings.TrimPrefix(d.Message, loadFailure))
					return nil
				}
				s.mu.Lock()
				s.warns = append(s.warns, d.Message)
				s.mu.Unlock()
				return nil
			},
		})
		if ctx.Err() != nil {
			return []finding.Tool{tool}, ctx.Err()
		}
		if want := int64(len(u.Files)); err == nil && s.b.Name == "gosec" && analyzed >= 0 && analyzed < want {
			// Its directory filters match anywhere in the absolute path:
			// a module under testdata, vendor or a dot-directory loses
			// its packages.
			err = fmt.Errorf("gosec analyzed %d of the %d packages: its directory exclusions (vendor, testdata, node_modules, dot-directories), matched anywhere in the absolute path, left out the rest", analyzed, want)
		}
		if err == nil && len(loadErrs) > 0 {
			more := ""
			if len(loadErrs) > 3 {
				loadErrs, more = loadErrs[:3], fmt.Sprintf(" (and %d more)", len(loadErrs)-3)
			}
			err = fmt.Errorf("gosec could not load packages: %s%s", strings.Join(loadErrs, "; "), more)
		}
		cov.Add(u, s.inv, err == nil)
		if err != nil {
			where := u.Dir
			if u.Project != nil && !u.Project.Orphan() {
				where = "module " + u.Dir
			}
			msg := strings.ReplaceAll(err.Error(), filepath.Clean(s.req.Target.Root)+string(filepath.Separator), "")
			failures = append(failures, where+": "+msg)
		}
	}
	s.mu.Lock()
	s.coverage = s.describeCoverage(cov)
	s.mu.Unlock()
	if len(failures) > 0 {
		word := "runs"
		if s.b.Name == "gosec" {
			word = "Go modules"
		}
		return []finding.Tool{tool}, fmt.Errorf("%s did not cover %d of %d %s: %s", s.b.Name, len(failures), len(s.units), word, strings.Join(failures, "; "))
	}
	return []finding.Tool{tool}, nil
}

// describeCoverage says what the built-in covered.
func (s *builtinSource) describeCoverage(cov *runner.Coverage) string {
	if s.b.Name != "scanmux-iac" || cov.Failed > 0 {
		return cov.String()
	}
	var parts []string
	for _, k := range []struct {
		kind      project.Kind
		one, many string
	}{{project.Terraform, "Terraform root module", "Terraform root modules"}, {project.Kubernetes, "Kubernetes manifest", "Kubernetes manifests"}, {project.Docker, "Dockerfile", "Dockerfiles"}} {
		n := 0
		for _, p := range s.inv.Of(k.kind) {
			if k.kind == project.Kubernetes {
				n += len(p.Files)
			} else {
				n++
			}
		}
		switch {
		case n == 1:
			parts = append(parts, "1 "+k.one)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n, k.many))
		}
	}
	return strings.Join(parts, ", ")
}

// nestedModules returns, as regular expressions of the built-in gosec's
// Exclude, the directories of the Go modules nested in unit u's module.
func nestedModules(inv *project.Inventory, u *runner.Unit) []string {
	var out []string
	for _, p := range inv.Of(project.Go) {
		if p.Orphan() || p.Dir == u.Dir || (u.Dir != "." && !strings.HasPrefix(p.Dir, u.Dir+"/")) {
			continue
		}
		abs := filepath.ToSlash(filepath.Join(inv.Root, filepath.FromSlash(p.Dir)))
		out = append(out, regexp.QuoteMeta(abs)+"(/|$)")
	}
	return out
}
