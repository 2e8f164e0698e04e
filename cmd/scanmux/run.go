package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/scanmux/scanmux/sarif"
)

// Exit codes: 0 pass, 1 gate failed (exitGateFailed), 2 usage,
// configuration, input or output error, 3 a scanner failed or was refused
// (exitScannerFailed), 128+N interrupted by signal N (130 SIGINT, 143
// SIGTERM; see interruptedError).
const (
	exitOK    = 0
	exitUsage = 2
)

// command is one subcommand.
type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// noContext adapts a command that runs nothing worth interrupting.
func noContext(f func(args []string, stdout, stderr io.Writer) int) func(context.Context, []string, io.Writer, io.Writer) int {
	return func(_ context.Context, args []string, stdout, stderr io.Writer) int { return f(args, stdout, stderr) }
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
			"list built-in scanners, installed and missing tools, and plugin binaries", noContext(runPlugins)},
		{"version", "scanmux version", "print the version", noContext(runVersion)},
	}
}

// run is the whole program: it parses args (without the program name),
// writes to stdout and stderr and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run under ctx, which main cancels when a signal asks the
// run to stop (its cause is then an *interruptedError).
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
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
			return c.run(ctx, args[1:], stdout, stderr)
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

// outputError is a failure to write an output: exit 2.
type outputError struct{ err error }

func (e outputError) Error() string { return e.err.Error() }
func (e outputError) Unwrap() error { return e.err }

// interruptedError is the cause of the run's context when a signal asked
// the run to stop; the process exits 128 + the signal's number.
type interruptedError struct {
	name string // "SIGINT", "SIGTERM"
	num  int
}

func (e *interruptedError) Error() string { return "interrupted by " + e.name }

// ExitCode is 128 + the signal's number, as shells report a process the
// signal ended.
func (e *interruptedError) ExitCode() int { return 128 + e.num }

// tempFiles are the temporary files being written, removed by main when
// it has to exit before the run could remove them itself.
var tempFiles struct {
	sync.Mutex
	m map[string]bool
}

// removeTempFile removes the temporary file name, unless it was renamed.
func removeTempFile(name string, renamed bool) {
	tempFiles.Lock()
	defer tempFiles.Unlock()
	delete(tempFiles.m, name)
	if !renamed {
		os.Remove(name)
	}
}

// removeTempFiles removes every temporary file still being written.
func removeTempFiles() {
	tempFiles.Lock()
	defer tempFiles.Unlock()
	for name := range tempFiles.m {
		os.Remove(name)
	}
	tempFiles.m = nil
}

// writeAtomic writes the log to a temporary file beside path, syncs it and
// renames it into place, so that path holds either its old content or the
// whole new log, never a part of it, and a failed or interrupted write
// leaves no temporary file behind. A path that exists and is not a regular
// file (/dev/null, /dev/stdout, a named pipe) is written in place:
// renaming over it would replace it. A symbolic link is followed: the file
// it points to is replaced, the link stays. A replaced file keeps its
// permissions; a new one gets 0666 less the umask. Errors name path, never
// the temporary file, and are outputErrors. The write stops, and fails,
// when ctx is done.
func writeAtomic(ctx context.Context, path string, runs []sarif.Run, opts *sarif.WriteOptions) (*sarif.WriteSummary, error) {
	sum, err := writeAtomicErr(ctx, path, runs, opts)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // it may name the temporary file
		}
		if ce := context.Cause(ctx); ce != nil && errors.Is(err, context.Canceled) {
			err = ce
		}
		return nil, outputError{fmt.Errorf("writing %s: %w", path, err)}
	}
	return sum, nil
}

func writeAtomicErr(ctx context.Context, path string, runs []sarif.Run, opts *sarif.WriteOptions) (*sarif.WriteSummary, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	target := path
	if li, err := os.Lstat(path); err == nil && li.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); err != nil {
			return nil, err
		}
	}
	perm := fs.FileMode(0o666) // less the umask
	keepMode := false
	switch fi, err := os.Stat(target); {
	case err == nil && fi.IsDir():
		return nil, errors.New("is a directory")
	case err == nil && !fi.Mode().IsRegular():
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return writeClose(ctx, f, runs, opts)
	case err == nil:
		perm, keepMode = fi.Mode().Perm(), true
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	dir := filepath.Dir(target)
	if st, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("directory %s does not exist", dir)
		}
		return nil, err
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	tmp, err := createTemp(dir, "."+filepath.Base(target)+".", ".tmp", perm)
	if err != nil {
		return nil, err
	}
	renamed := false
	defer func() { removeTempFile(tmp.Name(), renamed) }()
	if keepMode {
		// The umask may have taken bits from perm: the old file's mode is
		// what the user chose.
		if err := tmp.Chmod(perm); err != nil {
			tmp.Close()
			return nil, err
		}
	}
	sum, err := writeClose(ctx, tmp, runs, opts)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return nil, err
	}
	renamed = true
	return sum, nil
}

// createTemp creates a new file in dir named prefix, a random number and
// suffix, with permissions perm (less the umask), and registers it with
// tempFiles. os.CreateTemp would give it 0600, whatever the umask.
func createTemp(dir, prefix, suffix string, perm fs.FileMode) (*os.File, error) {
	seed := uint64(time.Now().UnixNano()) ^ uint64(os.Getpid())<<32
	for try := 0; ; try++ {
		seed = seed*6364136223846793005 + 1442695040888963407
		name := filepath.Join(dir, prefix+strconv.FormatUint(seed>>33, 36)+suffix)
		tempFiles.Lock() // registered before it exists: main may remove it at any time
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if err == nil {
			if tempFiles.m == nil {
				tempFiles.m = map[string]bool{}
			}
			tempFiles.m[name] = true
		}
		tempFiles.Unlock()
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrExist) || try == 10000 {
			return nil, err
		}
	}
}

// writeClose writes the log into f, syncs it when it is a regular file and
// closes it. Each write first checks ctx.
func writeClose(ctx context.Context, f *os.File, runs []sarif.Run, opts *sarif.WriteOptions) (*sarif.WriteSummary, error) {
	sum, err := sarif.Write(ctxWriter{ctx, f}, runs, opts)
	if err == nil {
		if fi, serr := f.Stat(); serr == nil && fi.Mode().IsRegular() {
			err = f.Sync() // a full disk may only tell now
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return sum, nil
}

// ctxWriter fails its writes once ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (w ctxWriter) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	return w.w.Write(p)
}
