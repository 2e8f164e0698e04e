package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/scanners/registry"
)

// mergeFlags are merge's and import's own flags.
type mergeFlags struct {
	pf                      pipelineFlags
	root, inputFormat, conf string
	prefixes                []string
}

// newMergeCommand is merge and import: both read reports — SARIF or any
// supported tool's native format, mixed, detected per file unless
// --input-format forces one — and send them through the engine (dedup,
// suppressions, policy, baseline, gate) into one SARIF log (or the
// formats of -o). import is merge under the name that fits one report
// made elsewhere.
func newMergeCommand(name string, stdout, stderr io.Writer) *cobra.Command {
	var mf mergeFlags
	short := "merge SARIF and native reports (any supported tool, mixed) into one deduplicated, gated log"
	if name == "import" {
		short = "convert reports made elsewhere (any supported tool) into GitHub-ready SARIF"
	}
	cmd := &cobra.Command{
		Use:   name + " -o OUT.sarif [flags] FILE...",
		Short: short,
		Long: short + `.

Each FILE is SARIF or a supported tool's native report, detected per file
(--input-format forces one). -o is required: -o OUT.sarif, or -o - for
stdout, repeatable as FORMAT=FILE for other formats.

Exit codes: 0 pass, 1 gate failed, 2 usage, configuration, input or output
error (a report that cannot be read: nothing is written unless --partial),
3 a scanner failed (with --fail-on-scanner-error), 130/143 interrupted.`,
		Example: "  scanmux " + name + " -o merged.sarif gosec.json semgrep.sarif\n  scanmux " + name + " -o merged.sarif -o gitlab-sast=gl-sast-report.json --fail-on high reports/*",
		RunE: runE(func(cmd *cobra.Command, args []string) int {
			return mergeCommand(cmd.Context(), name, &mf, args, stdout, stderr)
		}),
	}
	fs := cmd.Flags()
	mf.pf.register(fs)
	fs.StringVar(&mf.root, "root", "", "scan root `dir`: paths in the inputs are made relative to it, source files are read from it (line hashes, inline suppressions) (default: the git repository holding the current directory, else the current directory)")
	fs.StringArrayVar(&mf.prefixes, "path-prefix", nil, "`[FILE=]DIR`: the tool that wrote FILE (every input, without FILE=) ran in DIR under the root, so its relative paths are relative to DIR (repeatable)")
	fs.StringVar(&mf.inputFormat, "input-format", "", "input format `tool` for every file (detected per file when empty): sarif or "+registry.FormatsHint())
	fs.StringVarP(&mf.conf, "config", "c", "", "config `file` (default: .scanmux.yaml in --root or the current directory, when it exists)")
	mf.pf.complete(cmd)
	cmd.RegisterFlagCompletionFunc("input-format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return append([]string{registry.SARIF}, strings.Split(registry.FormatsHint(), ", ")...), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func mergeCommand(ctx context.Context, name string, mf *mergeFlags, files []string, stdout, stderr io.Writer) int {
	pf := &mf.pf
	root, format, configPath, prefixes := &mf.root, &mf.inputFormat, &mf.conf, mf.prefixes
	if len(pf.outputs) == 0 && pf.format == "" {
		fmt.Fprintf(stderr, "scanmux %s: -o/--output is required: -o OUT.sarif writes the merged SARIF (-o - writes it on stdout)\nusage: scanmux %s -o OUT.sarif [flags] FILE...\n", name, name)
		return exitUsage
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "scanmux %s: no input FILE: name the reports to read\nusage: scanmux %s -o OUT.sarif [flags] FILE...\n", name, name)
		return exitUsage
	}
	p := &pipeline{name: "scanmux " + name, flags: pf, stdout: stdout, stderr: stderr, inputErrorsFatal: true,
		stdoutTTY: isTerminal(stdout), stderrTTY: isTerminal(stderr)}
	rootDir := *root
	if rootDir == "" {
		rootDir = defaultRoot()
	}
	abs, err := dirArg(rootDir)
	if err != nil {
		return p.fail(usagef("--root: %v", err))
	}
	p.root = abs
	dir := "."
	if *root != "" {
		dir = abs
	}
	prefixOf, err := parsePathPrefixes(prefixes, files)
	if err != nil {
		return p.fail(usageError{err})
	}
	cfgFile, explicit := *configPath, true
	if cfgFile == "" {
		cfgFile, explicit = defaultConfigPath(dir), false
	}
	if p.cfg, err = loadConfig(cfgFile, explicit); err != nil {
		return p.fail(usageError{err})
	}
	if *format != "" && *format != registry.SARIF {
		if _, ok := registry.Lookup(*format); !ok {
			return p.fail(usagef("--input-format %q: want sarif or %s", *format, registry.FormatsHint()))
		}
	}
	sources := make([]aggregate.Source, 0, len(files))
	for _, f := range files {
		if err := inputFile(f); err != nil {
			return p.fail(usageError{err})
		}
		sources = append(sources, &registry.Source{Path: f, Format: *format, Root: p.root, PathPrefix: prefixOf(f)})
	}
	return p.run(ctx, sources)
}

// inputFile checks that the report f is a regular file (or a link to one):
// a directory cannot be read, and a named pipe, a device or a socket may
// never end (/dev/zero) or never start (a FIFO nobody writes to).
func inputFile(f string) error {
	st, err := os.Stat(f)
	if err != nil {
		return err
	}
	switch {
	case st.IsDir():
		return fmt.Errorf("%s is a directory", f)
	case st.Mode()&os.ModeNamedPipe != 0:
		return fmt.Errorf("%s is a named pipe: reports are read from regular files (save it to a file first)", f)
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (%s): reports are read from regular files", f, st.Mode().Type())
	}
	return nil
}

// defaultRoot returns the root of the git work tree holding the current
// directory, or "." outside one.
func defaultRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "."
		}
		d = parent
	}
}

// parsePathPrefixes reads the --path-prefix values ([FILE=]DIR) and
// returns the prefix of each input file. DIR must be a relative path that
// stays under the root; FILE must be one of the inputs.
func parsePathPrefixes(values []string, files []string) (func(string) string, error) {
	all := ""
	byFile := map[string]string{}
	for _, v := range values {
		file, dir, ok := strings.Cut(v, "=")
		if !ok {
			file, dir = "", v
		}
		clean := path.Clean(filepath.ToSlash(dir))
		if dir == "" || path.IsAbs(clean) || filepath.IsAbs(dir) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, fmt.Errorf("--path-prefix %q: DIR must be a directory under the root, relative to it", v)
		}
		if !ok {
			all = clean
			continue
		}
		if !slices.Contains(files, file) {
			return nil, fmt.Errorf("--path-prefix %q: %s is not one of the inputs", v, file)
		}
		byFile[file] = clean
	}
	return func(f string) string {
		if p, ok := byFile[f]; ok {
			return p
		}
		return all
	}, nil
}
