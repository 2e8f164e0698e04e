package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/aggregate/baseline"
	"github.com/scanmux/scanmux/aggregate/policy"
	"github.com/scanmux/scanmux/aggregate/suppress"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/progress"
	"github.com/scanmux/scanmux/internal/termsafe"
	"github.com/scanmux/scanmux/plugin"
	reportpkg "github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/table"
	"github.com/scanmux/scanmux/sarif"
)

// Exit codes, the same for every command that gates.
const (
	exitGateFailed    = aggregate.ExitGateFailed   // 1: findings or a policy failed the gate
	exitScannerFailed = aggregate.ExitSourceFailed // 3: a scanner failed (with --fail-on-scanner-error)
)

// pipelineFlags are the flags shared by scan, merge and import: what to do
// with the findings once the sources have produced them, and where to
// write them.
type pipelineFlags struct {
	outputs                             []string // -o/--output values, [FORMAT=]FILE
	format, outputProfile, category     string
	failOn                              string
	newOnly, failOnScannerError         bool
	explain                             explainFlag
	dedup                               bool
	baseline, ignoreFile, policyContext string
	policies                            []string
	timeout                             time.Duration
	quiet                               bool
	fallbackPath                        string
	partial                             bool
	color, groupBy, gitlabSchema        string
	diffBase, diffMode                  string // --diff-base, --diff-mode (diffbase.go)
}

// register defines the flags on fs.
func (p *pipelineFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&p.outputs, "output", "o", nil, "write the report to `[FORMAT=]FILE` (- for stdout) in FORMAT, else in --format; repeatable, to write several formats in one run (-o out.sarif -o gitlab-sast=gl-sast.json -o markdown=summary.md); every file is written whole or not at all, and none is replaced when the run fails")
	fs.StringVarP(&p.format, "format", "f", "", "output `format` of the -o values without FORMAT=: "+formatNames()+" (default sarif)")
	fs.StringVar(&p.outputProfile, "output-profile", "github", "SARIF `profile`: github (suppressed and file-less findings left out, GitHub's limits enforced) or full (everything)")
	fs.StringVar(&p.category, "category", "", "SARIF automationDetails `id` (GitHub category)")
	fs.StringVar(&p.failOn, "fail-on", "", "exit 1 when an unsuppressed finding is this `severity` or worse (critical, high, medium, low, info)")
	fs.BoolVar(&p.newOnly, "new-only", false, "with --fail-on, count only findings new since --baseline (needs --baseline or a config baseline)")
	fs.BoolVar(&p.failOnScannerError, "fail-on-scanner-error", false, "exit 3 when a scanner or input fails")
	fs.Var(&p.explain, "explain", "print every deduplication merge, the rule that matched and the keys compared; --explain=near also prints the pairs that almost merged and why not")
	fs.Lookup("explain").NoOptDefVal = "true"
	fs.BoolVar(&p.dedup, "dedup", true, "merge reports of the same issue across tools and runs (--dedup=false keeps every report)")
	fs.StringVar(&p.baseline, "baseline", "", "previous scanmux SARIF `file`: mark findings new, unchanged or absent")
	fs.StringVar(&p.diffBase, "diff-base", "", "report only findings on lines changed since git `REF` (git diff --merge-base REF, uncommitted changes included); the others are suppressed with that reason")
	fs.StringVar(&p.diffMode, "diff-mode", "", "with --diff-base, what counts as changed, as reviewdog's -filter-mode: added (default: added or changed lines), diff_context (the diff's hunks) or file (changed files)")
	fs.StringVar(&p.ignoreFile, "ignore-file", "", "YAML `file` with an ignore section (default: .scanmux.yaml in the target or current directory)")
	fs.StringArrayVar(&p.policies, "policy", nil, "Rego policy `file or directory` (package scanmux); repeatable")
	fs.StringVar(&p.policyContext, "policy-context", "", "JSON `file` passed to policies as input.context")
	fs.DurationVar(&p.timeout, "timeout", 0, "per-scanner or per-input time `limit` (default: config timeout, else 15m for scanners)")
	fs.BoolVarP(&p.quiet, "quiet", "q", false, "print only the gate's decision, what was written and errors: no progress, no findings list, no summary")
	fs.BoolVar(&p.partial, "partial", false, "when the run fails (an input that cannot be read, a refused plugin, a failed scanner with --fail-on-scanner-error), write what the other sources found anyway, each run saying the log is partial; the exit code stays non-zero (default: the outputs are not written, existing ones are kept)")
	fs.StringVar(&p.fallbackPath, "fallback-path", "", "repo-relative `file` that findings without one (DAST URLs, images) are attached to in the github profile (default: .scanmux.yaml, README.md, go.mod or package.json, the first that exists)")
	fs.StringVar(&p.color, "color", "auto", "colour the findings list: `when` auto (on a terminal, unless NO_COLOR is set), always or never")
	fs.StringVar(&p.groupBy, "group-by", "file", "group the findings list on the terminal by `file` or severity")
	fs.StringVar(&p.gitlabSchema, "gitlab-schema", "", "GitLab report schema `version` the gitlab-* formats write (default: theirs)")
}

// complete registers shell completions of the pipeline flags' values.
func (p *pipelineFlags) complete(cmd *cobra.Command) {
	fixed := func(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return vals, cobra.ShellCompDirectiveNoFileComp
		}
	}
	cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return allFormats(), cobra.ShellCompDirectiveNoFileComp
	})
	cmd.RegisterFlagCompletionFunc("fail-on", fixed("critical", "high", "medium", "low", "info"))
	cmd.RegisterFlagCompletionFunc("output-profile", fixed("github", "full"))
	cmd.RegisterFlagCompletionFunc("color", fixed("auto", "always", "never"))
	cmd.RegisterFlagCompletionFunc("group-by", fixed(table.GroupBys...))
	cmd.RegisterFlagCompletionFunc("explain", fixed("true", "false", "near"))
}

// explainFlag is --explain: a boolean flag (--explain, --explain=false)
// that also takes "near" (--explain=near).
type explainFlag string

const (
	explainOff    explainFlag = ""
	explainMerges explainFlag = "merges"
	explainNear   explainFlag = "near"
)

func (e *explainFlag) String() string {
	if e == nil || *e == explainOff {
		return "false"
	}
	if *e == explainMerges {
		return "true"
	}
	return string(*e)
}

func (e *explainFlag) Set(v string) error {
	switch strings.ToLower(v) {
	case "near":
		*e = explainNear
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("want true, false or near")
	}
	*e = explainOff
	if b {
		*e = explainMerges
	}
	return nil
}

// Type names the flag's value in help.
func (e *explainFlag) Type() string { return "true|false|near" }

// usageError is a bad flag or configuration: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// pipeline runs the sources through the engine and writes the results.
type pipeline struct {
	name   string // the command, for messages
	root   string // scan root, "" when there is none
	flags  *pipelineFlags
	cfg    *config
	stdout io.Writer
	stderr io.Writer
	// inputErrorsFatal makes a failed source (a malformed report) exit 2
	// after writing everything that was good.
	inputErrorsFatal bool
	// defaultOutput is where the report goes without -o or --format
	// (scan: scanmux.sarif), "" when -o is required.
	defaultOutput string
	// outs are the outputs, parsed from the flags.
	outs []outputSpec
	// skipped are the scanners that do not run, and why.
	skipped []skipNote
	// stdoutTTY and stderrTTY say whether they are terminals.
	stdoutTTY, stderrTTY bool
}

// skipNote is a scanner that does not run, and why.
type skipNote struct{ name, why string }

// options builds the engine's options from flags and config.
func (p *pipeline) options(ctx context.Context) (*aggregate.Options, error) {
	f, c := p.flags, p.cfg
	opts := &aggregate.Options{Root: p.root}
	// Filters: inline comments, the ignore file, then policy.
	if p.root != "" {
		opts.Filters = append(opts.Filters, suppress.NewInline(p.root))
	}
	switch {
	case f.ignoreFile != "":
		ig, err := suppress.LoadIgnoreFile(f.ignoreFile, time.Time{})
		if err != nil {
			return nil, usageError{err}
		}
		opts.Filters = append(opts.Filters, ig)
	case len(c.raw) > 0:
		ig, err := suppress.ParseIgnore(c.path, c.raw, time.Time{})
		if err != nil {
			return nil, usageError{err}
		}
		if ig.Len() > 0 {
			opts.Filters = append(opts.Filters, ig)
		}
	}
	policies := append(append([]string(nil), c.Policies...), f.policies...)
	if len(policies) > 0 {
		pctx := map[string]any{}
		for k, v := range c.PolicyContext {
			pctx[k] = v
		}
		if f.policyContext != "" {
			b, err := os.ReadFile(f.policyContext)
			if err != nil {
				return nil, usageError{fmt.Errorf("--policy-context: %w", err)}
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, usagef("--policy-context %s: %v", f.policyContext, err)
			}
			for k, v := range m {
				pctx[k] = v
			}
		}
		pol, err := policy.Load(ctx, policies, &policy.Options{Context: pctx})
		if err != nil {
			return nil, usageError{err}
		}
		opts.Filters = append(opts.Filters, pol)
	}
	base := f.baseline
	if base == "" {
		base = c.Baseline
	}
	if base != "" {
		b, err := baseline.Load(base, p.root)
		if err != nil {
			return nil, usageError{err}
		}
		opts.Baseline = b
	}
	if db, err := diffBaseFilter(ctx, p.root, f.diffBase, f.diffMode); err != nil {
		return nil, err
	} else if db != nil {
		opts.Filters = append(opts.Filters, db)
	}
	failOn := f.failOn
	if failOn == "" {
		failOn = c.FailOn
	}
	if failOn != "" {
		sev, err := finding.ParseSeverity(failOn)
		if err != nil {
			return nil, usagef("--fail-on: %v", err)
		}
		opts.Gate.FailOn = sev
	}
	opts.Dedup.Disabled = !f.dedup
	opts.Gate.NewOnly = f.newOnly || c.FailOnNewOnly
	if f.newOnly && opts.Baseline == nil {
		return nil, usagef("--new-only needs --baseline FILE (or baseline: in the config): new is counted against a baseline")
	}
	opts.Gate.FailOnSourceError = f.failOnScannerError || c.FailOnScannerError
	opts.SourceTimeout = f.timeout
	if opts.SourceTimeout == 0 && c.Timeout != "" {
		opts.SourceTimeout, _ = time.ParseDuration(c.Timeout) // checked by loadConfig
	}
	return opts, nil
}

// run runs the pipeline and returns the exit code.
func (p *pipeline) run(ctx context.Context, sources []aggregate.Source) int {
	start := time.Now()
	outs, err := p.flags.parseOutputs(p.defaultOutput)
	if err != nil {
		return p.fail(err)
	}
	p.outs = outs
	switch p.flags.color {
	case "auto", "always", "never":
	default:
		return p.fail(usagef("--color %q: want auto, always or never", p.flags.color))
	}
	if !slices.Contains(table.GroupBys, p.flags.groupBy) {
		return p.fail(usagef("--group-by %q: want %s", p.flags.groupBy, strings.Join(table.GroupBys, " or ")))
	}
	wopts := &sarif.WriteOptions{Root: p.root, Category: p.flags.category}
	if wopts.Category == "" {
		wopts.Category = p.cfg.Category
	}
	switch p.flags.outputProfile {
	case "github":
	case "full":
		wopts.Profile, wopts.Limits = sarif.ProfileFull, &sarif.Limits{}
	default:
		return p.fail(usagef("--output-profile %q: want github or full", p.flags.outputProfile))
	}
	opts, err := p.options(ctx)
	if err != nil {
		return p.fail(err)
	}
	var prog *progress.Display
	if !p.flags.quiet {
		prog = progress.New(p.stderr, progress.Options{})
		opts.Progress = prog.Event
	}
	if p.root != "" {
		if prov, err := sarif.DetectProvenance(p.root); err == nil {
			wopts.Provenance = prov
		}
		wopts.FallbackPath = p.flags.fallbackPath
		if wopts.FallbackPath == "" {
			wopts.FallbackPath = defaultFallback(p.root)
		}
	}
	report, err := aggregate.Run(ctx, sources, opts)
	prog.Stop()
	afterRun(report)
	if cause := context.Cause(ctx); cause != nil {
		return p.fail(cause)
	}
	if err != nil {
		return p.fail(err)
	}
	code, failed := p.outcome(report)
	write := len(failed) == 0 || p.flags.partial
	runs := report.Runs()
	if len(failed) > 0 && p.flags.partial {
		note := sarif.Notification{Level: "error", Message: fmt.Sprintf(
			"this log is partial (written with --partial): %s failed, so the findings of its tools are missing or incomplete", strings.Join(failed, ", "))}
		for i := range runs {
			runs[i].Invocation.Notifications = append(runs[i].Invocation.Notifications, note)
		}
	}
	if p.flags.diffBase != "" {
		// Read by scanmux upload (package codescanning), which refuses such
		// a log: its suppressed findings would close their alerts.
		note := sarif.Notification{Level: "note", Message: fmt.Sprintf(
			"this log covers only the changes since %s (--diff-base): findings elsewhere are suppressed, and uploading it to code scanning would close their alerts", p.flags.diffBase)}
		for i := range runs {
			runs[i].Invocation.Notifications = append(runs[i].Invocation.Notifications, note)
		}
	}
	ropts := &reportOptions{runs: runs, sarif: wopts, report: &reportpkg.Options{Root: p.root, Started: start, Finished: time.Now(), Version: version(),
		Params: map[string]string{"group-by": p.flags.groupBy}, Gate: opts.Gate}}
	if p.flags.gitlabSchema != "" {
		ropts.report.Params["gitlab-schema"] = p.flags.gitlabSchema
	}
	if wopts.FallbackPath != "" {
		ropts.report.Params["fallback-path"] = wopts.FallbackPath
	}
	if wopts.Provenance != nil && wopts.Provenance.Revision != "" {
		ropts.report.Params["commit"] = wopts.Provenance.Revision
	}
	var wrote []string
	if write {
		if wrote, err = p.writeFiles(ctx, report, ropts); err != nil {
			return p.fail(err)
		}
	}
	if write {
		if err := p.writeStdout(report, ropts); err != nil {
			return p.fail(err)
		}
	}
	if p.flags.explain != explainOff {
		if err := report.Explain(p.stderr); err != nil {
			return p.fail(outputError{err})
		}
	}
	if p.flags.explain == explainNear {
		if err := report.ExplainNear(p.stderr); err != nil {
			return p.fail(outputError{err})
		}
	}
	if !p.flags.quiet {
		if err := p.terminalReport(report); err != nil {
			return p.fail(outputError{err})
		}
	} else {
		// Quiet keeps what must not go unseen: failed sources and
		// findings dropped or merged ambiguously.
		for _, s := range report.Sources {
			if s.State == aggregate.SourceFailed || s.State == aggregate.SourceTimeout {
				fmt.Fprintf(p.stderr, "%s: FAILED: %s %s: %s\n", p.name, termsafe.String(s.Name), s.State, termsafe.String(s.Err))
			}
		}
		for _, w := range report.Warnings {
			fmt.Fprintf(p.stderr, "%s: warning: %s\n", p.name, termsafe.String(w))
		}
	}
	for i, w := range wrote {
		if i == len(wrote)-1 {
			w += " in " + table.Duration(time.Since(start))
		}
		fmt.Fprintf(p.stderr, "%s: %s\n", p.name, w)
	}
	for _, r := range report.Gate.Reasons {
		fmt.Fprintf(p.stderr, "%s: gate: %s\n", p.name, termsafe.String(r))
	}
	if len(report.Gate.Reasons) == 0 && !report.Gate.Failed {
		why := ""
		if !opts.Gate.FailOn.Valid() {
			why = " (no --fail-on: findings do not fail the run)"
		}
		fmt.Fprintf(p.stderr, "%s: gate: passed%s\n", p.name, why)
	}
	for _, s := range report.Sources {
		if !s.OK() && (p.inputErrorsFatal || refused(&s)) {
			fmt.Fprintf(p.stderr, "%s: %s: %s\n", p.name, termsafe.String(s.Name), termsafe.String(s.Err))
		}
	}
	if !write {
		fmt.Fprintf(p.stderr, "%s: %s not written: %s failed (an existing file is kept; --partial writes what the other sources found, marked partial)\n",
			p.name, p.outputNames(), termsafe.String(strings.Join(failed, ", ")))
	}
	return code
}

// outcome returns the run's exit code and the sources whose failure fails
// the run, by name (none when the run did not fail, even when it failed the
// gate): every failed input of merge and import (exit 2), every plugin
// refused (its checksum differs from its pin, or it comes from a config
// that is not trusted: exit 3, as a security control does not fail open),
// and with --fail-on-scanner-error every failed scanner (exit 3).
func (p *pipeline) outcome(r *aggregate.Report) (code int, failed []string) {
	code = r.Gate.ExitCode
	for i := range r.Sources {
		s := &r.Sources[i]
		switch {
		case s.OK():
			continue
		case p.inputErrorsFatal:
			code = exitUsage
		case refused(s):
			if code != exitUsage {
				code = exitScannerFailed
			}
		case r.Gate.ExitCode == exitScannerFailed: // the gate fails on source errors
		default:
			continue
		}
		failed = append(failed, s.Name)
	}
	return code, failed
}

// refused reports whether s is a plugin that a security control did not
// run (plugin.ErrRefused: a checksum that differs from the pin, a plugin
// named by a config that is not trusted).
func refused(s *aggregate.SourceStatus) bool {
	return errors.Is(s.Cause, plugin.ErrRefused)
}

// fail prints err and returns its exit code: 128+N when a signal
// interrupted the run, else 2 (usage, configuration, input or output
// error: the gate alone exits 1).
func (p *pipeline) fail(err error) int {
	var ie *interruptedError
	if errors.As(err, &ie) {
		fmt.Fprintf(p.stderr, "%s: %v: %s not written\n", p.name, err, p.outputNames())
		return ie.ExitCode()
	}
	fmt.Fprintf(p.stderr, "%s: %s\n", p.name, termsafe.String(err.Error()))
	return exitUsage
}

// defaultFallback returns the file under root that GitHub alerts for
// findings without a file are attached to, or "".
func defaultFallback(root string) string {
	for _, name := range []string{".scanmux.yaml", "README.md", "README", "go.mod", "package.json"} {
		if st, err := os.Stat(filepath.Join(root, name)); err == nil && !st.IsDir() {
			return name
		}
	}
	return ""
}

// dirArg returns the absolute path of a directory given on the command
// line, or an error naming it when it is missing or not a directory.
func dirArg(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory", path)
	}
	return abs, nil
}

// defaultConfigPath returns dir/.scanmux.yaml.
func defaultConfigPath(dir string) string { return filepath.Join(dir, ".scanmux.yaml") }
