package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/scanners/registry"
)

func runMerge(args []string, stdout, stderr io.Writer) int {
	return mergeCommand("merge", args, stdout, stderr)
}

func runImport(args []string, stdout, stderr io.Writer) int {
	return mergeCommand("import", args, stdout, stderr)
}

// mergeCommand is merge and import: both read reports — SARIF or any
// supported tool's native format, mixed, detected per file unless --format
// forces one — and send them through the engine (dedup, suppressions,
// policy, baseline, gate) into one SARIF log. import is merge under the
// name that fits one report made elsewhere.
func mergeCommand(name string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var pf pipelineFlags
	pf.register(fs, "", "report")
	root := fs.String("root", "", "scan root `dir`: absolute paths in the inputs are made relative to it, source files are read from it (line hashes, inline suppressions)")
	format := fs.String("format", "", "input format `tool` for every file (detected per file when empty): sarif or "+registry.FormatsHint())
	configPath := fs.String("config", "", "config `file` (default: .scanmux.yaml in --root or the current directory, when it exists)")
	usage := fmt.Sprintf("usage: scanmux %s -o OUT.sarif [flags] FILE...", name)
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if pf.out == "" || len(files) == 0 {
		fs.Usage()
		return exitUsage
	}
	p := &pipeline{name: "scanmux " + name, flags: &pf, stdout: stdout, stderr: stderr, inputErrorsFatal: true}
	dir := "."
	if *root != "" {
		abs, err := dirArg(*root)
		if err != nil {
			return p.fail(usagef("--root: %v", err))
		}
		p.root, dir = abs, abs
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
			return p.fail(usagef("--format %q: want sarif or %s", *format, registry.FormatsHint()))
		}
	}
	sources := make([]aggregate.Source, 0, len(files))
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			if err == nil {
				err = fmt.Errorf("%s is a directory", f)
			}
			return p.fail(usageError{err})
		}
		sources = append(sources, &registry.Source{Path: f, Format: *format, Root: p.root})
	}
	return p.run(context.Background(), sources)
}
