// Command scanmux normalizes security-scanner findings and writes
// GitHub-ready SARIF.
//
// Usage:
//
//	scanmux merge -o OUT.sarif [--root DIR] [--category C] [--profile github|full] FILE...
//	scanmux version
//
// Exit codes: 0 success, 1 gate failure (reserved), 2 usage, configuration
// or input error.
//
// For performance work, SCANMUX_CPUPROFILE=FILE writes a CPU profile of the
// whole run and SCANMUX_MEMPROFILE=FILE a heap profile at its end (both read
// with go tool pprof).
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

func main() {
	tuneGC()
	stop := func() {}
	if f := os.Getenv("SCANMUX_CPUPROFILE"); f != "" {
		var err error
		if stop, err = startCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "scanmux:", err)
			os.Exit(exitUsage)
		}
	}
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if f := os.Getenv("SCANMUX_MEMPROFILE"); f != "" {
		if err := writeHeapProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "scanmux:", err)
		}
	}
	os.Exit(code)
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
