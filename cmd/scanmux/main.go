// Command scanmux runs security scanners and merges what they and other
// tools report into one deduplicated, filtered, gated finding list, listed
// on the terminal and written as GitHub-ready SARIF and other formats.
//
// Usage:
//
//	scanmux scan [flags] [TARGET]
//	scanmux merge -o OUT.sarif [flags] FILE...
//	scanmux import -o OUT.sarif [flags] FILE...
//	scanmux diff OLD.sarif NEW.sarif
//	scanmux upload [flags] FILE.sarif
//	scanmux plugins
//	scanmux version (or --version, -v)
//	scanmux completion bash|zsh|fish
//
// Commands are cobra commands (run.go); --format is the output format and
// -o [FORMAT=]FILE the output in every command. Other files add commands
// that parse their own flags with registerCommand.
//
// Exit codes: 0 pass, 1 gate failed, 2 usage, configuration, input or
// output error, 3 a scanner failed or a plugin was refused, 130 and 143
// interrupted by SIGINT and SIGTERM.
//
// SIGINT and SIGTERM cancel the run: plugins and tools are stopped, the
// output is not replaced, temporary files are removed. A second signal,
// or a run that has not stopped 10 seconds after the first, ends the
// process at once (after removing the output's temporary file).
//
// Text from the scanned tree, reports and plugins (file names, messages,
// errors) is escaped before it reaches stderr (package
// internal/termsafe), and stderr itself goes through a line guard.
//
// For performance work, SCANMUX_CPUPROFILE=FILE writes a CPU profile of the
// whole run and SCANMUX_MEMPROFILE=FILE a heap profile at its end (both read
// with go tool pprof).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/scanmux/scanmux/internal/termsafe"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == pluginCommand {
		// A built-in serving as a plugin: its host stops it, and go-plugin
		// owns its stdio and its signals.
		os.Exit(runServePlugin(os.Args[2:], os.Stdout, os.Stderr))
	}
	tuneGC()
	stderr := termsafe.NewWriter(os.Stderr)
	stopProfile := func() {}
	if f := os.Getenv("SCANMUX_CPUPROFILE"); f != "" {
		var err error
		if stopProfile, err = startCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "scanmux:", err)
			stderr.Flush()
			os.Exit(exitUsage)
		}
	}
	ctx, interrupted, stopSignals := handleSignals(stderr, stopProfile)
	code := runContext(ctx, os.Args[1:], os.Stdout, stderr)
	stopSignals()
	stopProfile()
	if f := os.Getenv("SCANMUX_MEMPROFILE"); f != "" {
		if err := writeHeapProfile(f); err != nil {
			fmt.Fprintln(stderr, "scanmux:", err)
		}
	}
	if ie := interrupted(); ie != nil {
		code = ie.ExitCode()
	}
	stderr.Flush()
	os.Exit(code)
}

// stopGrace is how long a run may take to stop after the first signal.
const stopGrace = 10 * time.Second

// handleSignals returns a context that the first SIGINT or SIGTERM
// cancels, with an *interruptedError as its cause; interrupted returns
// that error once a signal came. A second signal, or the run still going
// stopGrace after the first, removes the temporary files and exits at
// once with 128 + the signal's number. stop ends the handling.
func handleSignals(stderr *termsafe.Writer, stopProfile func()) (ctx context.Context, interrupted func() *interruptedError, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	caught := make(chan *interruptedError, 1)
	go func() {
		var first *interruptedError
		var timeout <-chan time.Time
		for {
			select {
			case <-done:
				return
			case s := <-ch:
				ie := signalError(s)
				if first == nil {
					first = ie
					caught <- ie
					fmt.Fprintf(stderr, "scanmux: %s: stopping (the output is not replaced); send it again to exit at once\n", ie)
					cancel(ie)
					timeout = time.After(stopGrace)
					continue
				}
				exitNow(stderr, stopProfile, ie, "")
			case <-timeout:
				exitNow(stderr, stopProfile, first, fmt.Sprintf(" did not stop within %s;", stopGrace))
			}
		}
	}()
	interrupted = func() *interruptedError {
		select {
		case ie := <-caught:
			caught <- ie
			return ie
		default:
			return nil
		}
	}
	stop = func() {
		signal.Stop(ch)
		close(done)
	}
	return ctx, interrupted, stop
}

// exitNow ends the process after removing the temporary files.
func exitNow(stderr *termsafe.Writer, stopProfile func(), ie *interruptedError, why string) {
	removeTempFiles()
	stopProfile()
	fmt.Fprintf(stderr, "scanmux: %s:%s exiting\n", ie, why)
	stderr.Flush()
	os.Exit(ie.ExitCode())
}

// signalError describes a signal.
func signalError(s os.Signal) *interruptedError {
	switch s {
	case os.Interrupt:
		return &interruptedError{name: "SIGINT", num: 2}
	case syscall.SIGTERM:
		return &interruptedError{name: "SIGTERM", num: 15}
	}
	n := 0
	if ss, ok := s.(syscall.Signal); ok {
		n = int(ss)
	}
	return &interruptedError{name: s.String(), num: n}
}

// startCPUProfile starts a CPU profile into file and returns its stop.
func startCPUProfile(file string) (func(), error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("SCANMUX_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("SCANMUX_CPUPROFILE: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeHeapProfile writes the heap profile into file.
func writeHeapProfile(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("SCANMUX_MEMPROFILE: %w", err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return fmt.Errorf("SCANMUX_MEMPROFILE: %w", err)
	}
	return nil
}
