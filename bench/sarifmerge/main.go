// Command sarifmerge reads SARIF logs with package sarif and writes them as
// one log, without the aggregation engine (no deduplication, policies or
// gate): the read and write path that `scanmux merge` runs around the
// engine. bench/merge.sh times it beside `scanmux merge` to tell the SARIF
// package's share from the engine's.
//
// usage: sarifmerge -o OUT.sarif [-profile github|full] [-cpuprofile FILE] FILE...
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"

	"github.com/scanmux/scanmux/sarif"
)

func main() {
	out := flag.String("o", "", "output `file` (required)")
	profile := flag.String("profile", "github", "output `profile`: github or full (no limits)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to `file`")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, *profile, *cpuprofile, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "sarifmerge:", err)
		os.Exit(1)
	}
}

func run(out, profile, cpuprofile string, files []string) error {
	opts := &sarif.WriteOptions{}
	switch profile {
	case "github":
	case "full":
		opts.Profile, opts.Limits = sarif.ProfileFull, &sarif.Limits{}
	default:
		return fmt.Errorf("unknown profile %q", profile)
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	// Read the files concurrently, GOMAXPROCS at a time, keeping their order.
	res := make([][]sarif.Run, len(files))
	errs := make([]error, len(files))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, f := range files {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			res[i], errs[i] = sarif.ReadFile(f, nil)
		})
	}
	wg.Wait()
	var runs []sarif.Run
	n := 0
	for i := range files {
		if errs[i] != nil {
			return errs[i]
		}
		for _, r := range res[i] {
			n += len(r.Findings)
		}
		runs = append(runs, res[i]...)
	}

	fh, err := os.Create(out)
	if err != nil {
		return err
	}
	sum, err := sarif.Write(fh, runs, opts)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	results := 0
	for _, k := range sum.Results {
		results += k
	}
	fmt.Fprintf(os.Stderr, "sarifmerge: %d findings from %d files -> %s: %d results in %d runs, %d left out over the limits, %d bytes (%d compressed)\n",
		n, len(files), out, results, sum.Runs, sum.DroppedResults, sum.Bytes, sum.GzipBytes)
	return nil
}
