package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners/builtin"
	gosecembedded "github.com/scanmux/scanmux/scanners/gosec/embedded"
	"github.com/scanmux/scanmux/scanners/runner"
)

func newPluginsCommand(stdout, stderr io.Writer) *cobra.Command {
	var configPath string
	var trustRepo bool
	cmd := &cobra.Command{
		Use:   "plugins [flags]",
		Short: "list built-in scanners, installed and missing tools, and plugin binaries",
		Long: `Lists the built-in scanners with their versions, the supported tools found
on PATH (with the engine that runs when a tool is both built in and
installed) and those missing with how to install them, and plugin binaries
with their SHA-256 and whether a trusted config pins them.`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) int {
			return runPlugins(cmd.Context(), configPath, trustRepo, stdout, stderr)
		}),
	}
	cmd.Flags().StringVarP(&configPath, "config", "c", "", "config `file` whose plugins section pins plugin binaries (default: ./.scanmux.yaml, whose pins count only with --trust-repo-config)")
	cmd.Flags().BoolVar(&trustRepo, "trust-repo-config", false, "trust ./.scanmux.yaml, as scan --trust-repo-config does")
	return cmd
}

// runPlugins prints what scanners are available: the built-ins with their
// versions, the supported tools found on PATH and those missing with how
// to install them, and plugin binaries with their SHA-256 and whether a
// trusted config pins them (see scanConfig).
func runPlugins(ctx context.Context, configPathV string, trustRepoV bool, stdout, stderr io.Writer) int {
	configPath, trustRepo := &configPathV, &trustRepoV
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "scanmux plugins:", err)
		return exitUsage
	}
	cfg, err := scanConfig(cwd, *configPath, *trustRepo)
	if err != nil {
		fmt.Fprintln(stderr, "scanmux plugins:", err)
		return exitUsage
	}
	out := &wrapWriter{w: stdout, width: pluginsWidth}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BUILT-IN\tVERSION\tRULES")
	for _, b := range builtin.All() {
		sc, err := b.New()
		var info *plugin.Info
		if err == nil {
			info, err = sc.Describe(ctx)
		}
		if err != nil {
			fmt.Fprintf(tw, "%s\terror: %v\t\n", b.Name, err)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\n", b.Name, strings.TrimPrefix(info.Version, "v"), len(info.Rules))
	}
	tw.Flush()
	found, missing := runner.Find(runner.Tools())
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTALLED TOOL\tTARGET\tVERSION\tPATH")
	var engines []string
	for _, s := range found {
		if b, twin := builtin.Lookup(s.Tool.Name); twin && s.Tool.Target == plugin.TargetDirectory {
			if _, why, err := chooseEngine(ctx, b, s, cfg.Scanners.Options); err == nil {
				engines = append(engines, s.Tool.Name+": "+why)
			}
		}
		v := s.Version()
		if v == "" {
			v = "?"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Tool.Name, s.Tool.Target, v, s.Path)
	}
	tw.Flush()
	for _, e := range engines {
		fmt.Fprintf(out, "  %s\n", e)
	}
	if len(missing) > 0 {
		fmt.Fprintln(out)
		tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NOT INSTALLED\tTARGET\tHOW TO INSTALL")
		for _, m := range missing {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Tool.Name, m.Tool.Target, m.Tool.Install)
		}
		tw.Flush()
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "PLUGIN BINARIES")
	disc, err := discoverPlugins()
	if err != nil {
		fmt.Fprintln(stderr, "scanmux plugins:", err)
		return exitUsage
	}
	paths := disc
	untrusted := map[string]string{} // path -> the config that pins it
	for _, pc := range cfg.Plugins {
		paths = append(paths, pc.Path)
	}
	for _, pc := range cfg.refused {
		paths = append(paths, pc.Path)
		untrusted[pc.Path] = pc.from
	}
	seen := map[string]bool{}
	for _, p := range paths {
		abs, _ := filepath.Abs(p)
		if seen[abs] {
			continue
		}
		seen[abs] = true
		sum, err := plugin.FileSHA256(p)
		if err != nil {
			fmt.Fprintf(out, "%s\n  %v\n", p, err)
			continue
		}
		status := "not pinned: add it with this sha256 to the plugins section of " + userConfigPath() + " or a --config file to run it"
		switch pin := pinnedSHA(cfg, p); {
		case pin == sum:
			status = "pinned, runs in scans"
		case pin != "":
			status = "PINNED TO ANOTHER SHA-256 (" + pin + "): refused"
		case untrusted[p] != "":
			status = "pinned by " + untrusted[p] + ", the repository's config, which is not trusted: not run (--trust-repo-config)"
		}
		fmt.Fprintf(out, "%s\n  sha256 %s\n  %s\n", p, sum, status)
	}
	if len(paths) == 0 {
		fmt.Fprintf(out, "(none in %s)\n", strings.Join(pluginDirs(), ", "))
	}
	if out.err != nil {
		return exitUsage
	}
	return exitOK
}

// pluginsWidth is the width scanmux plugins' lines fit in.
const pluginsWidth = 100

// wrapWriter writes lines of at most width columns: a longer line is
// broken at spaces, its continuation indented to where its last column
// starts (a run of two spaces), or by four spaces.
type wrapWriter struct {
	w     io.Writer
	width int
	buf   []byte
	err   error
}

func (ww *wrapWriter) Write(p []byte) (int, error) {
	ww.buf = append(ww.buf, p...)
	for {
		i := bytes.IndexByte(ww.buf, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(ww.buf[:i]), " ")
		ww.buf = ww.buf[i+1:]
		for _, l := range wrapLine(line, ww.width) {
			if _, err := io.WriteString(ww.w, l+"\n"); err != nil && ww.err == nil {
				ww.err = err
			}
		}
	}
	return len(p), ww.err
}

// wrapLine breaks line into lines of at most width runes.
func wrapLine(line string, width int) []string {
	if utf8.RuneCountInString(line) <= width {
		return []string{line}
	}
	indent := 4
	if k := strings.LastIndex(strings.TrimRight(line[:min(len(line), width)], " "), "  "); k > 0 {
		indent = k + 2
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
	}
	if indent > width/2 {
		indent = 4
	}
	var out []string
	pad := ""
	for utf8.RuneCountInString(line) > width {
		cut := strings.LastIndex(line[:width], " ")
		if cut <= len(pad) {
			cut = width // no space: cut the word
		}
		out = append(out, strings.TrimRight(line[:cut], " "))
		pad = strings.Repeat(" ", indent)
		line = pad + strings.TrimLeft(line[cut:], " ")
	}
	return append(out, line)
}

// runServePlugin is the hidden command with which scanmux serves one of
// its built-in scanners as a plugin: scanmux __plugin NAME, and for gosec
// --exclude REGEXP (repeatable) for the directories to leave out (the
// modules nested in the one it scans).
func runServePlugin(args []string, stdout, stderr io.Writer) int {
	const usage = "usage: scanmux __plugin NAME [--exclude REGEXP]... (started by scanmux itself)"
	if len(args) < 1 {
		fmt.Fprintln(stderr, usage)
		return exitUsage
	}
	b, ok := builtin.Lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "scanmux: no built-in scanner %q\n", args[0])
		return exitUsage
	}
	var exclude []string
	for rest := args[1:]; len(rest) > 0; rest = rest[2:] {
		if rest[0] != "--exclude" || len(rest) < 2 || b.Name != "gosec" {
			fmt.Fprintln(stderr, usage)
			return exitUsage
		}
		exclude = append(exclude, rest[1])
	}
	var sc plugin.Scanner = gosecembedded.Scanner{Exclude: exclude}
	if b.Name != "gosec" {
		var err error
		if sc, err = b.New(); err != nil {
			fmt.Fprintf(stderr, "scanmux: built-in %s: %v\n", args[0], err)
			return exitUsage
		}
	}
	plugin.Serve(sc)
	return exitOK
}
