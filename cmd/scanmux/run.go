package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/scanmux/scanmux/sarif"
)

// Exit codes. 1 is reserved for gate failures.
const (
	exitOK    = 0
	exitUsage = 2 // usage, configuration or input error
)

// command is one subcommand.
type command struct {
	name, usage, summary string
	run                  func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"merge", "scanmux merge -o OUT.sarif [--root DIR] [--category C] [--profile github|full] FILE...",
			"read SARIF files and write one GitHub-ready SARIF log", runMerge},
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

func runMerge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output SARIF `file` (required)")
	root := fs.String("root", "", "scan root `dir`: absolute paths in the inputs are made relative to it, and source files are read from it")
	category := fs.String("category", "", "automationDetails `id` (GitHub category) of every run")
	profile := fs.String("profile", "github", "output `profile`: github (GitHub-ready: suppressed and file-less findings left out, GitHub's limits enforced) or full (everything, no limits)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: scanmux merge -o OUT.sarif [--root DIR] [--category C] [--profile github|full] FILE...")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *out == "" || len(files) == 0 {
		fs.Usage()
		return exitUsage
	}
	if *root != "" {
		abs, err := filepath.Abs(*root)
		if err == nil {
			*root = abs
		}
		if st, err := os.Stat(*root); err != nil || !st.IsDir() {
			fmt.Fprintf(stderr, "scanmux merge: --root %s is not a directory\n", *root)
			return exitUsage
		}
	}

	wopts := &sarif.WriteOptions{Root: *root, Category: *category}
	switch *profile {
	case "github":
	case "full":
		wopts.Profile, wopts.Limits = sarif.ProfileFull, &sarif.Limits{}
	default:
		fmt.Fprintf(stderr, "scanmux merge: unknown --profile %q (want github or full)\n", *profile)
		return exitUsage
	}

	runs, nFindings, err := readAll(files, &sarif.ReadOptions{Root: *root})
	if err != nil {
		fmt.Fprintf(stderr, "scanmux merge: %v\n", err)
		return exitUsage
	}
	sum, err := writeAtomic(*out, runs, wopts)
	if err != nil {
		fmt.Fprintf(stderr, "scanmux merge: %v\n", err)
		return exitUsage
	}
	results := 0
	for _, n := range sum.Results {
		results += n
	}
	var left []string
	for _, x := range []struct {
		n    int
		what string
	}{{sum.Suppressed, "suppressed"}, {sum.Unlocated, "without a file"}, {sum.DroppedResults, "over GitHub's limits"}} {
		if x.n > 0 {
			left = append(left, fmt.Sprintf("%d %s", x.n, x.what))
		}
	}
	leftOut := ""
	if len(left) > 0 {
		leftOut = "; left out " + strings.Join(left, ", ")
	}
	fmt.Fprintf(stderr, "scanmux merge: %d findings from %d files (%d runs) -> %s: %d results in %d runs%s\n",
		nFindings, len(files), len(runs), *out, results, sum.Runs, leftOut)
	return exitOK
}

// readAll reads the SARIF files concurrently, at most GOMAXPROCS at a
// time, and returns their runs in the order of files. The first error, in
// the order of files, is returned.
func readAll(files []string, opts *sarif.ReadOptions) ([]sarif.Run, int, error) {
	type result struct {
		runs []sarif.Run
		err  error
	}
	res := make([]result, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				runs, err := sarif.ReadFile(files[i], opts)
				res[i] = result{runs, err}
			}
		}()
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	var all []sarif.Run
	n := 0
	for _, r := range res {
		if r.err != nil {
			return nil, 0, r.err
		}
		for _, run := range r.runs {
			n += len(run.Findings)
		}
		all = append(all, r.runs...)
	}
	return all, n, nil
}

// writeAtomic writes the log to a temporary file beside path and renames
// it into place, so that path is never left half-written.
func writeAtomic(path string, runs []sarif.Run, opts *sarif.WriteOptions) (*sarif.WriteSummary, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	sum, err := sarif.Write(tmp, runs, opts)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	return sum, nil
}
