package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/scanmux/scanmux/internal/termsafe"
	"github.com/scanmux/scanmux/reportdiff"
)

func init() {
	registerCommand("diff", "diff [flags] OLD.sarif NEW.sarif",
		"compare two scanmux SARIF logs: new, fixed, updated and unchanged findings", runDiff)
}

// diffUsage heads diff's --help.
const diffUsage = `usage: scanmux diff [flags] OLD.sarif NEW.sarif

Compares two scanmux SARIF logs of the same code, an older and a newer
scan: the findings that are new, fixed (in OLD only), updated (another
severity or message) and unchanged. Findings are matched as --baseline
matches them: by scanmux identity, which survives unrelated edits, then by
line hash (reading the code under --root) for logs without identities.
Write the logs with --output-profile full to compare suppressed findings
too.

Exit codes: 0 compared, 1 new findings with --fail-on-new, 2 usage or a
log that cannot be read.

flags:
`

// runDiff is "scanmux diff".
func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("diff", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		format    string
		root      string
		unchanged bool
		failOnNew bool
	)
	fs.StringVarP(&format, "format", "f", "table", "output `format`: table, markdown or json (json lists every state)")
	fs.StringVar(&root, "root", "", "the scanned tree, read to match findings of logs without scanmux identities by line hash")
	fs.BoolVar(&unchanged, "unchanged", false, "also list the unchanged findings (table and markdown)")
	fs.BoolVar(&failOnNew, "fail-on-new", false, "exit 1 when NEW has findings OLD does not")
	fs.Usage = func() {
		fmt.Fprint(stderr, diffUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(stderr, "scanmux diff: want two logs, OLD.sarif NEW.sarif")
		fs.Usage()
		return exitUsage
	}
	switch format {
	case "table", "markdown", "json":
	default:
		fmt.Fprintf(stderr, "scanmux diff: --format %q: want table, markdown or json\n", termsafe.String(format))
		return exitUsage
	}
	if err := ctx.Err(); err != nil {
		return exitUsage
	}
	res, err := reportdiff.Compare(fs.Arg(0), fs.Arg(1), root)
	if err != nil {
		fmt.Fprintf(stderr, "scanmux diff: %s\n", termsafe.String(err.Error()))
		return exitUsage
	}
	switch format {
	case "table":
		err = res.WriteTable(stdout, unchanged)
	case "markdown":
		err = res.WriteMarkdown(stdout, unchanged)
	case "json":
		err = res.WriteJSON(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scanmux diff: writing the comparison: %v\n", err)
		return exitUsage
	}
	if failOnNew && len(res.Added) > 0 {
		fmt.Fprintf(stderr, "scanmux diff: %d new findings\n", len(res.Added))
		return exitGateFailed
	}
	return exitOK
}
