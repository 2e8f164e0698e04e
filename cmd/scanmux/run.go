package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/scanmux/scanmux/internal/termsafe"
)

// Exit codes: 0 pass, 1 gate failed (exitGateFailed), 2 usage,
// configuration, input or output error, 3 a scanner failed or was refused
// (exitScannerFailed), 128+N interrupted by signal N (130 SIGINT, 143
// SIGTERM; see interruptedError).
const (
	exitOK    = 0
	exitUsage = 2
)

// extCommand is a subcommand that parses its own arguments (flags
// included): upload, diff. Their files add them with registerCommand from
// an init function.
type extCommand struct {
	name, usage, summary string
	run                  func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var extCommands []extCommand

// registerCommand adds a subcommand written as func(ctx, args, stdout,
// stderr) int; it gets every argument after its name, --help included,
// and its exit code is the process's.
func registerCommand(name, usage, summary string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) int) {
	extCommands = append(extCommands, extCommand{name, usage, summary, run})
}

// run is the whole program: it parses args (without the program name),
// writes to stdout and stderr and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// exitCode carries a command's exit code out of cobra.
type exitCode int

func (e exitCode) Error() string { return "exit " + strconv.Itoa(int(e)) }

// flagError is a bad flag or argument, named in its text: exit 2.
type flagError struct {
	cmd *cobra.Command
	err error
}

func (e flagError) Error() string { return e.err.Error() }

// runContext is run under ctx, which main cancels when a signal asks the
// run to stop (its cause is then an *interruptedError).
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == pluginCommand {
		return runServePlugin(args[1:], stdout, stderr)
	}
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code)
	}
	if cmd == nil {
		cmd = root
	}
	fmt.Fprintf(stderr, "%s: %s\n", cmd.CommandPath(), termsafe.String(err.Error()))
	fmt.Fprintf(stderr, "usage: %s\n(%s --help lists the flags)\n", cmd.UseLine(), cmd.CommandPath())
	return exitUsage
}

// newRootCommand builds the command tree.
func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "scanmux",
		Short: "run security scanners, merge what they report into one deduplicated, gated SARIF log",
		Long: `scanmux runs security scanners (SAST, secrets, IaC, dependencies, containers,
DAST) and merges what they and other tools report into one deduplicated,
filtered, gated finding list, written as SARIF for GitHub code scanning and
in the other formats of --format.

Exit codes: 0 pass, 1 gate failed, 2 usage, configuration, input or output
error, 3 a scanner failed (with --fail-on-scanner-error) or a plugin was
refused, 130 and 143 interrupted by SIGINT and SIGTERM.`,
		Version:       version(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(stderr)
			fmt.Fprintln(stderr, "usage: scanmux COMMAND [flags]: a command is missing")
			cmd.Usage()
			return exitCode(exitUsage)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("scanmux {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return flagError{c, err} })
	root.AddCommand(newScanCommand(stdout, stderr), newMergeCommand("merge", stdout, stderr), newMergeCommand("import", stdout, stderr),
		newPluginsCommand(stdout, stderr), newVersionCommand(stdout, stderr))
	for _, e := range extCommands {
		run := e.run
		root.AddCommand(&cobra.Command{
			Use: e.usage, Short: e.summary, DisableFlagParsing: true,
			RunE: func(cmd *cobra.Command, args []string) error {
				if c := run(cmd.Context(), args, stdout, stderr); c != 0 {
					return exitCode(c)
				}
				return nil
			},
		})
	}
	return root
}

// runE adapts a command's run function, which returns the exit code.
func runE(f func(cmd *cobra.Command, args []string) int) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if c := f(cmd, args); c != 0 {
			return exitCode(c)
		}
		return nil
	}
}

func newVersionCommand(stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version (also scanmux --version, -v)",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintf(stdout, "scanmux %s\n", version())
		},
	}
}

// version is the module's version, "(devel)" in a build from a clone.
func version() string {
	v := "(unknown)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		v = bi.Main.Version
		if v == "" {
			v = "(devel)"
		}
	}
	return v
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

// atomicFile is an output being written: to a temporary file beside its
// path, renamed into place by commit, so that the path holds either its
// old content or the whole new output, never a part of it, and a failed
// or interrupted write leaves no temporary file behind. A path that
// exists and is not a regular file (/dev/null, /dev/stdout, a named pipe)
// is written in place: renaming over it would replace it. A symbolic link
// is followed: the file it points to is replaced, the link stays. A
// replaced file keeps its permissions; a new one gets 0666 less the
// umask. Errors name the path, never the temporary file, and are
// outputErrors. Writes fail once ctx is done.
type atomicFile struct {
	ctx     context.Context
	path    string // as the user gave it
	target  string // the file replaced
	f       *os.File
	inPlace bool
	renamed bool
}

// createAtomic starts writing the output path.
func createAtomic(ctx context.Context, path string) (*atomicFile, error) {
	a, err := createAtomicErr(ctx, path)
	if err != nil {
		return nil, a.wrap(err)
	}
	return a, nil
}

func createAtomicErr(ctx context.Context, path string) (*atomicFile, error) {
	a := &atomicFile{ctx: ctx, path: path, target: path}
	if err := ctx.Err(); err != nil {
		return a, err
	}
	if li, err := os.Lstat(path); err == nil && li.Mode()&fs.ModeSymlink != 0 {
		if a.target, err = filepath.EvalSymlinks(path); err != nil {
			return a, err
		}
	}
	perm := fs.FileMode(0o666) // less the umask
	keepMode := false
	switch fi, err := os.Stat(a.target); {
	case err == nil && fi.IsDir():
		return a, errors.New("is a directory")
	case err == nil && !fi.Mode().IsRegular():
		f, err := os.OpenFile(a.target, os.O_WRONLY, 0)
		if err != nil {
			return a, err
		}
		a.f, a.inPlace = f, true
		return a, nil
	case err == nil:
		perm, keepMode = fi.Mode().Perm(), true
	case !errors.Is(err, fs.ErrNotExist):
		return a, err
	}
	dir := filepath.Dir(a.target)
	if st, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return a, fmt.Errorf("directory %s does not exist", dir)
		}
		return a, err
	} else if !st.IsDir() {
		return a, fmt.Errorf("%s is not a directory", dir)
	}
	tmp, err := createTemp(dir, "."+filepath.Base(a.target)+".", ".tmp", perm)
	if err != nil {
		return a, err
	}
	a.f = tmp
	if keepMode {
		// The umask may have taken bits from perm: the old file's mode is
		// what the user chose.
		if err := tmp.Chmod(perm); err != nil {
			a.abort()
			return a, err
		}
	}
	return a, nil
}

// wrap makes err an outputError naming the path.
func (a *atomicFile) wrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // it may name the temporary file
	}
	if ce := context.Cause(a.ctx); ce != nil && errors.Is(err, context.Canceled) {
		err = ce
	}
	return outputError{fmt.Errorf("writing %s: %w", a.path, err)}
}

// Write writes to the temporary file, failing once ctx is done.
func (a *atomicFile) Write(p []byte) (int, error) {
	if err := a.ctx.Err(); err != nil {
		return 0, err
	}
	return a.f.Write(p)
}

// finish syncs and closes the file after a write that went well (or err,
// the write's error: then the file is removed).
func (a *atomicFile) finish(err error) error {
	if err == nil && !a.inPlace {
		err = a.f.Sync() // a full disk may only tell now
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = a.ctx.Err()
	}
	if err != nil {
		a.abort()
		return a.wrap(err)
	}
	return nil
}

// commit renames the finished file into place.
func (a *atomicFile) commit() error {
	if a.inPlace {
		return nil
	}
	if err := a.ctx.Err(); err != nil {
		a.abort()
		return a.wrap(err)
	}
	if err := os.Rename(a.f.Name(), a.target); err != nil {
		a.abort()
		return a.wrap(err)
	}
	a.renamed = true
	removeTempFile(a.f.Name(), true)
	return nil
}

// abort removes the temporary file, if any.
func (a *atomicFile) abort() {
	if a.f == nil || a.inPlace {
		if a.f != nil {
			a.f.Close()
		}
		return
	}
	a.f.Close()
	removeTempFile(a.f.Name(), a.renamed)
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
