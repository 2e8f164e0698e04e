// Command host launches a scanmux plugin, scans a directory with it and
// prints what the plugin streams, as it arrives:
//
//	go build -o /tmp/bannedcalls ./examples/custom-plugin
//	go run ./examples/host -plugin /tmp/bannedcalls ./examples/custom-plugin/testdata/sample
//
// Findings go to stdout, one line each; progress and diagnostics go to
// stderr. The exit code is 0 when the scan completed, 1 when it failed (the
// findings printed before the failure are still valid), 2 on bad usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("host", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pluginPath := fs.String("plugin", "", "path of the plugin binary (required)")
	sum := fs.String("sha256", "", "refuse to run the plugin unless its SHA-256 is this (hex)")
	timeout := fs.Duration("timeout", 10*time.Minute, "kill the plugin if the scan takes longer")
	verbose := fs.Bool("v", false, "log the plugin's debug output")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: host -plugin PATH [-sha256 HEX] [-timeout D] [DIR]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *pluginPath == "" || fs.NArg() > 1 {
		fs.Usage()
		return 2
	}
	dir := "."
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		fmt.Fprintln(stderr, "host:", err)
		return 2
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	client, err := plugin.Open(ctx, *pluginPath, &plugin.Config{SHA256: *sum, Logger: logger, ScanTimeout: *timeout})
	if err != nil {
		fmt.Fprintln(stderr, "host:", err)
		return 1
	}
	defer client.Close()
	info, err := client.Describe(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "host:", err)
		return 1
	}
	fmt.Fprintf(stderr, "host: %s %s (protocol v%d), %d rules, scanning %s\n",
		info.Name, info.Version, info.ProtocolVersion, len(info.Rules), root)

	start := time.Now()
	bySeverity := map[finding.Severity]int{}
	total := 0
	err = client.Scan(ctx, &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: root}}, plugin.EmitFuncs{
		OnFinding: func(f *finding.Finding) error {
			total++
			bySeverity[f.Severity]++
			r := f.Location.Region
			_, err := fmt.Fprintf(stdout, "%-8s %-7s %s:%d:%d: %s [%s]\n",
				f.Severity, f.Rule.ID, f.Location.Path, r.StartLine, r.StartColumn, f.Message, f.Tool.Name)
			return err
		},
		OnProgress: func(p plugin.Progress) error {
			if p.Total > 0 && p.Done > 0 {
				fmt.Fprintf(stderr, "host: %s %d/%d\n", p.Phase, p.Done, p.Total)
			}
			return nil
		},
		OnDiagnostic: func(d plugin.Diagnostic) error {
			fmt.Fprintf(stderr, "host: %s: %s: %s %v\n", info.Name, d.Level, d.Message, d.Attrs)
			return nil
		},
	})
	fmt.Fprintf(stderr, "host: %d findings (", total)
	for i, s := range finding.Severities {
		if i > 0 {
			fmt.Fprint(stderr, ", ")
		}
		fmt.Fprintf(stderr, "%s %d", s, bySeverity[s])
	}
	fmt.Fprintf(stderr, ") in %s\n", time.Since(start).Round(time.Millisecond))
	if err != nil {
		fmt.Fprintln(stderr, "host: scan failed:", err)
		return 1
	}
	return 0
}
