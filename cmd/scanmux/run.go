package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/scanmux/scanmux/sarif"
)

// Exit codes: 0 pass, 1 gate failed (exitGateFailed), 2 usage,
// configuration or input error, 3 a scanner failed (exitScannerFailed,
// with --fail-on-scanner-error).
const (
	exitOK    = 0
	exitUsage = 2
)

// command is one subcommand.
type command struct {
	name, usage, summary string
	run                  func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"scan", "scanmux scan [flags] [TARGET]",
			"run the scanners on TARGET and write deduplicated, gated SARIF", runScan},
		{"merge", "scanmux merge -o OUT.sarif [flags] FILE...",
			"merge SARIF and native reports into one deduplicated, gated SARIF log", runMerge},
		{"import", "scanmux import -o OUT.sarif [--format TOOL] [flags] FILE...",
			"convert reports made elsewhere (any supported tool) into GitHub-ready SARIF", runImport},
		{"plugins", "scanmux plugins [--config FILE]",
			"list built-in scanners, installed and missing tools, and plugin binaries", runPlugins},
		{"version", "scanmux version", "print the version", runVersion},
	}
}

// run is the whole program: it parses args (without the program name),
// writes to stdout and stderr and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	if args[0] == pluginCommand {
		return runServePlugin(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "scanmux: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-62s %s\n", c.usage, c.summary)
	}
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: scanmux version")
		return exitUsage
	}
	v := "(unknown)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		v = bi.Main.Version
		if v == "" {
			v = "(devel)"
		}
	}
	fmt.Fprintf(stdout, "scanmux %s\n", v)
	return exitOK
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments, which it returns. "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// writeAtomic writes the log to a temporary file beside path and renames
// it into place, so that path is never left half-written. A path that
// exists and is not a regular file (/dev/null, /dev/stdout, a named pipe)
// is written in place: renaming over it would replace it.
func writeAtomic(path string, runs []sarif.Run, opts *sarif.WriteOptions) (*sarif.WriteSummary, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return writeClose(f, path, runs, opts)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	sum, err := writeClose(tmp, path, runs, opts)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	return sum, nil
}

// writeClose writes the log into f and closes it; its errors name path,
// the output f is for.
func writeClose(f *os.File, path string, runs []sarif.Run, opts *sarif.WriteOptions) (*sarif.WriteSummary, error) {
	sum, err := sarif.Write(f, runs, opts)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return sum, nil
}
