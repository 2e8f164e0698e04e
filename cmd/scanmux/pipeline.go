package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/aggregate/baseline"
	"github.com/scanmux/scanmux/aggregate/policy"
	"github.com/scanmux/scanmux/aggregate/suppress"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/termsafe"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/sarif"
)

// Exit codes, the same for every command that gates.
const (
	exitGateFailed    = aggregate.ExitGateFailed   // 1: findings or a policy failed the gate
	exitScannerFailed = aggregate.ExitSourceFailed // 3: a scanner failed (with --fail-on-scanner-error)
)

// pipelineFlags are the flags shared by scan, merge and import: what to do
// with the findings once the sources have produced them.
type pipelineFlags struct {
	out, format, outputProfile, category string
	failOn                               string
	newOnly, failOnScannerError          bool
	explain                              explainFlag
	dedup                                bool
	baseline, ignoreFile, policyContext  string
	policies                             multiFlag
	timeout                              time.Duration
	quiet                                bool
	fallbackPath                         string
	partial                              bool
}

// register defines the flags; reportFlag names the flag that prints the
// report on stdout ("format" for scan; merge uses --format for its inputs).
func (p *pipelineFlags) register(fs *flag.FlagSet, defaultOut, reportFlag string) {
	fs.StringVar(&p.out, "o", defaultOut, "write the SARIF log to `file`")
	fs.StringVar(&p.format, reportFlag, "", "also print the report on stdout: sarif, json or table")
	fs.StringVar(&p.outputProfile, "output-profile", "github", "SARIF `profile`: github (suppressed and file-less findings left out, GitHub's limits enforced) or full (everything)")
	fs.StringVar(&p.category, "category", "", "SARIF automationDetails `id` (GitHub category)")
	fs.StringVar(&p.failOn, "fail-on", "", "exit 1 when an unsuppressed finding is this `severity` or worse (critical, high, medium, low, info)")
	fs.BoolVar(&p.newOnly, "new-only", false, "with --fail-on, count only findings new since --baseline")
	fs.BoolVar(&p.failOnScannerError, "fail-on-scanner-error", false, "exit 3 when a scanner or input fails")
	fs.Var(&p.explain, "explain", "print every deduplication merge, the rule that matched and the keys compared; --explain=near also prints the pairs that almost merged and why not")
	fs.BoolVar(&p.dedup, "dedup", true, "merge reports of the same issue across tools and runs (--dedup=false keeps every report)")
	fs.StringVar(&p.baseline, "baseline", "", "previous scanmux SARIF `file`: mark findings new, unchanged or absent")
	fs.StringVar(&p.ignoreFile, "ignore-file", "", "YAML `file` with an ignore section (default: .scanmux.yaml in the target or current directory)")
	fs.Var(&p.policies, "policy", "Rego policy `file or directory` (package scanmux); repeatable")
	fs.StringVar(&p.policyContext, "policy-context", "", "JSON `file` passed to policies as input.context")
	fs.DurationVar(&p.timeout, "timeout", 0, "per-scanner or per-input time limit (default: config timeout, else 15m for scanners)")
	fs.BoolVar(&p.quiet, "q", false, "no progress lines")
	fs.BoolVar(&p.partial, "partial", false, "when the run fails (an input that cannot be read, a refused plugin, a failed scanner with --fail-on-scanner-error), write what the other sources found anyway, each run saying the log is partial; the exit code stays non-zero (default: the output is not written, an existing one is kept)")
	fs.StringVar(&p.fallbackPath, "fallback-path", "", "repo-relative `file` that findings without one (DAST URLs, images) are attached to in the github profile (default: .scanmux.yaml, README.md, go.mod or package.json, the first that exists)")
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

// IsBoolFlag lets --explain stand alone.
func (e *explainFlag) IsBoolFlag() bool { return true }

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

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
}

// options builds the engine's options from flags and config.
func (p *pipeline) options() (*aggregate.Options, error) {
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
		pol, err := policy.Load(context.Background(), policies, &policy.Options{Context: pctx})
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
	opts.Gate.FailOnSourceError = f.failOnScannerError || c.FailOnScannerError
	opts.SourceTimeout = f.timeout
	if opts.SourceTimeout == 0 && c.Timeout != "" {
		opts.SourceTimeout, _ = time.ParseDuration(c.Timeout) // checked by loadConfig
	}
	if !f.quiet {
		opts.Progress = newProgress(p.stderr).event
	}
	return opts, nil
}

// run runs the pipeline and returns the exit code.
func (p *pipeline) run(ctx context.Context, sources []aggregate.Source) int {
	start := time.Now()
	switch p.flags.format {
	case "", "sarif", "json", "table":
	default:
		return p.fail(usagef("--format %q: want sarif, json or table", p.flags.format))
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
	opts, err := p.options()
	if err != nil {
		return p.fail(err)
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
	for i := range runs {
		runs[i].Validated = true // the engine's findings are valid
	}
	if len(failed) > 0 && p.flags.partial {
		note := sarif.Notification{Level: "error", Message: fmt.Sprintf(
			"this log is partial (written with --partial): %s failed, so the findings of its tools are missing or incomplete", strings.Join(failed, ", "))}
		for i := range runs {
			runs[i].Invocation.Notifications = append(runs[i].Invocation.Notifications, note)
		}
	}
	var sum *sarif.WriteSummary
	if write && p.flags.out != "" && p.flags.out != "-" {
		if sum, err = writeAtomic(ctx, p.flags.out, runs, wopts); err != nil {
			return p.fail(err)
		}
	}
	switch p.flags.format {
	case "sarif":
		if write {
			if _, err := sarif.Write(p.stdout, runs, wopts); err != nil {
				return p.fail(outputError{fmt.Errorf("writing the report on stdout: %w", err)})
			}
		}
	case "json":
		if write {
			enc := json.NewEncoder(p.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(jsonReport(report)); err != nil {
				return p.fail(outputError{fmt.Errorf("writing the report on stdout: %w", err)})
			}
		}
	case "table":
		if err := report.Summary(p.stdout); err != nil {
			return p.fail(outputError{fmt.Errorf("writing the report on stdout: %w", err)})
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
	if p.flags.format != "table" {
		if err := report.Summary(p.stderr); err != nil {
			return p.fail(outputError{err})
		}
	}
	if sum != nil {
		n := 0
		for _, r := range sum.Results {
			n += r
		}
		fmt.Fprintf(p.stderr, "%s: wrote %s: %d results in %d runs", p.name, termsafe.String(p.flags.out), n, sum.Runs)
		var left []string
		if sum.Suppressed > 0 {
			left = append(left, fmt.Sprintf("%d suppressed", sum.Suppressed))
		}
		if sum.Unlocated > 0 {
			left = append(left, fmt.Sprintf("%d without a file", sum.Unlocated))
		}
		if sum.DroppedResults > 0 {
			left = append(left, fmt.Sprintf("%d over GitHub's limits", sum.DroppedResults))
		}
		if len(left) > 0 {
			fmt.Fprintf(p.stderr, " (left out: %s)", strings.Join(left, ", "))
		}
		fmt.Fprintf(p.stderr, " in %s\n", time.Since(start).Round(time.Millisecond))
	}
	for _, r := range report.Gate.Reasons {
		fmt.Fprintf(p.stderr, "%s: gate: %s\n", p.name, termsafe.String(r))
	}
	for _, s := range report.Sources {
		if !s.OK() && (p.inputErrorsFatal || refused(&s)) {
			fmt.Fprintf(p.stderr, "%s: %s: %s\n", p.name, termsafe.String(s.Name), termsafe.String(s.Err))
		}
	}
	if !write {
		what := "the output"
		if p.flags.out != "" && p.flags.out != "-" {
			what = termsafe.String(p.flags.out)
		}
		fmt.Fprintf(p.stderr, "%s: %s not written: %s failed (an existing file is kept; --partial writes what the other sources found, marked partial)\n",
			p.name, what, termsafe.String(strings.Join(failed, ", ")))
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
		what := "the output"
		if p.flags.out != "" && p.flags.out != "-" {
			what = termsafe.String(p.flags.out)
		}
		fmt.Fprintf(p.stderr, "%s: %v: %s not written\n", p.name, err, what)
		return ie.ExitCode()
	}
	fmt.Fprintf(p.stderr, "%s: %s\n", p.name, termsafe.String(err.Error()))
	return exitUsage
}

// jsonReport is the --format json document.
func jsonReport(r *aggregate.Report) any {
	type jf struct {
		*finding.Finding
		Suppressed bool `json:"Suppressed"`
	}
	fs := make([]jf, len(r.Findings))
	for i, f := range r.Findings {
		fs[i] = jf{f, f.Suppressed()}
	}
	return map[string]any{
		"findings": fs,
		"absent":   r.Absent,
		"sources":  r.Sources,
		"counts":   r.Counts,
		"denials":  r.Denials,
		"warnings": r.Warnings,
		"gate":     r.Gate,
	}
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
