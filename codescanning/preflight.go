package codescanning

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Limits are what GitHub code scanning accepts in one upload; a log over
// any of them is rejected. A field that is 0 means no limit.
type Limits struct {
	// MaxGzipBytes is the largest size of the gzip-compressed log.
	MaxGzipBytes int
	// MaxRuns is the most runs in the log.
	MaxRuns int
	// MaxResultsPerRun and MaxRulesPerRun bound each run.
	MaxResultsPerRun, MaxRulesPerRun int
	// MaxLocationsPerResult bounds a result's locations and, separately,
	// its relatedLocations.
	MaxLocationsPerResult int
	// MaxThreadFlowLocationsPerResult bounds a result's thread-flow
	// locations, all its code flows together.
	MaxThreadFlowLocationsPerResult int
	// MaxTagsPerRule bounds a rule's properties.tags.
	MaxTagsPerRule int
	// MaxExtensions bounds a run's tool.extensions.
	MaxExtensions int
}

// GitHubLimits are github.com's limits, from "SARIF support for code
// scanning" (Uploading SARIF files: limits).
var GitHubLimits = Limits{
	MaxGzipBytes:                    10 << 20,
	MaxRuns:                         20,
	MaxResultsPerRun:                25000,
	MaxRulesPerRun:                  25000,
	MaxLocationsPerResult:           1000,
	MaxThreadFlowLocationsPerResult: 10000,
	MaxTagsPerRule:                  20,
	MaxExtensions:                   100,
}

// partialMarker starts the notification that scanmux writes in every run
// of a log it wrote with --partial after a failure.
const partialMarker = "this log is partial"

// diffOnlyMarker starts the notification that scanmux writes in every run
// of a log it wrote with --diff-base: findings outside the change are
// suppressed, and the github profile leaves suppressed findings out.
const diffOnlyMarker = "this log covers only the changes since"

// Sentinel errors of [Check]; the error it returns wraps one of them.
var (
	// ErrPartialLog means the log was written by a run that failed
	// (scanmux --partial): uploading it would close the alerts of the
	// findings it misses.
	ErrPartialLog = errors.New("the log was written by a failed run (--partial)")
	// ErrDiffOnlyLog means the log covers only a change (scanmux
	// --diff-base): uploading it would close the alerts of every finding
	// outside the change.
	ErrDiffOnlyLog = errors.New("the log covers only the lines a change touched (--diff-base)")
	// ErrRejected means GitHub would reject the log; the error is a
	// [*PreflightError] listing why.
	ErrRejected = errors.New("GitHub would reject the log")
)

// CheckOptions configures [Check]. A nil *CheckOptions means the defaults.
type CheckOptions struct {
	// Limits are the limits to enforce. Default: [GitHubLimits].
	Limits *Limits
	// CheckoutURI is the checkout_uri the upload will send; URIs in the
	// log with a scheme must use its scheme. Empty: not checked.
	CheckoutURI string
	// AllowPartial uploads a log written by a failed run anyway.
	AllowPartial bool
	// AllowDiffOnly uploads a log written with --diff-base anyway.
	AllowDiffOnly bool
}

// Checked is a log that passed [Check], ready to send.
type Checked struct {
	// Gzip is the log, gzip-compressed: the bytes that are sent, base64
	// encoded.
	Gzip []byte
	// Runs and Results count the log's runs and results.
	Runs, Results int
	// Tools names each run's tool, in order.
	Tools []string
	// StartedAt is the earliest invocation start time in the log
	// (RFC 3339), empty when none says.
	StartedAt string
	// Partial is set when a failed run wrote the log (--partial), which
	// only CheckOptions.AllowPartial lets through.
	Partial bool
	// DiffOnly is set when the log covers only a change (--diff-base),
	// which only CheckOptions.AllowDiffOnly lets through.
	DiffOnly bool
}

// Problem is one reason GitHub would reject a log.
type Problem struct {
	// Run and Result locate it: indexes in runs and in the run's results,
	// -1 when it is not about one.
	Run, Result int
	// Tool is the run's tool, when Run is set.
	Tool string
	// Message says what is wrong.
	Message string
}

// String says where the problem is and what it is: "runs[2] (gosec).results[7]: ...".
func (p Problem) String() string {
	var b strings.Builder
	if p.Run >= 0 {
		fmt.Fprintf(&b, "runs[%d]", p.Run)
		if p.Tool != "" {
			fmt.Fprintf(&b, " (%s)", p.Tool)
		}
		if p.Result >= 0 {
			fmt.Fprintf(&b, ".results[%d]", p.Result)
		}
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// PreflightError lists what GitHub would reject in a log. It wraps
// [ErrRejected].
type PreflightError struct {
	// Problems are the reasons, in the log's order (at most 50 are kept;
	// Omitted counts the others).
	Problems []Problem
	// Omitted counts problems beyond those listed.
	Omitted int
}

// Error lists the problems.
func (e *PreflightError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v: ", ErrRejected)
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "; and %d more", e.Omitted)
	}
	return b.String()
}

// Unwrap returns [ErrRejected].
func (e *PreflightError) Unwrap() error { return ErrRejected }

const maxProblems = 50

func (e *PreflightError) add(p Problem) {
	if len(e.Problems) < maxProblems {
		e.Problems = append(e.Problems, p)
	} else {
		e.Omitted++
	}
}

// The parts of a SARIF log that GitHub checks. Fields that may be absent
// and must be told apart from empty are raw messages.
type logJSON struct {
	Version string          `json:"version"`
	Runs    json.RawMessage `json:"runs"`
}

type runJSON struct {
	Tool struct {
		Driver     componentJSON   `json:"driver"`
		Extensions []componentJSON `json:"extensions"`
	} `json:"tool"`
	AutomationDetails *struct {
		ID string `json:"id"`
	} `json:"automationDetails"`
	Results            json.RawMessage `json:"results"`
	OriginalURIBaseIDs map[string]struct {
		URI string `json:"uri"`
	} `json:"originalUriBaseIds"`
	Invocations []struct {
		StartTimeUTC               string             `json:"startTimeUtc"`
		ToolExecutionNotifications []notificationJSON `json:"toolExecutionNotifications"`
		ToolConfigNotifications    []notificationJSON `json:"toolConfigurationNotifications"`
	} `json:"invocations"`
}

type notificationJSON struct {
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
}

type componentJSON struct {
	Name  string     `json:"name"`
	Rules []ruleJSON `json:"rules"`
}

type ruleJSON struct {
	ID         string `json:"id"`
	Properties struct {
		Tags             []string        `json:"tags"`
		SecuritySeverity json.RawMessage `json:"security-severity"`
	} `json:"properties"`
}

type resultJSON struct {
	RuleID           string         `json:"ruleId"`
	Locations        []locationJSON `json:"locations"`
	RelatedLocations []locationJSON `json:"relatedLocations"`
	CodeFlows        []struct {
		ThreadFlows []struct {
			Locations []struct {
				Location *locationJSON `json:"location"`
			} `json:"locations"`
		} `json:"threadFlows"`
	} `json:"codeFlows"`
}

type locationJSON struct {
	PhysicalLocation *struct {
		ArtifactLocation *struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
	} `json:"physicalLocation"`
}

func (l *locationJSON) uri() string {
	if l == nil || l.PhysicalLocation == nil || l.PhysicalLocation.ArtifactLocation == nil {
		return ""
	}
	return l.PhysicalLocation.ArtifactLocation.URI
}

// Check reads the SARIF log as GitHub code scanning will and returns it
// compressed, or an error: a [*PreflightError] (wrapping [ErrRejected])
// with every problem found, naming its run and result; an error wrapping
// [ErrPartialLog] for a log a failed run wrote, unless
// o.AllowPartial; or an error saying the log is not JSON.
func Check(log []byte, o *CheckOptions) (*Checked, error) {
	if o == nil {
		o = &CheckOptions{}
	}
	lim := GitHubLimits
	if o.Limits != nil {
		lim = *o.Limits
	}
	var doc logJSON
	// A UTF-8 byte order mark (Windows tools write one) is not JSON, but
	// readers of SARIF skip it.
	if err := json.Unmarshal(bytes.TrimPrefix(log, []byte("\xef\xbb\xbf")), &doc); err != nil {
		return nil, fmt.Errorf("not a SARIF log: %w", err)
	}
	pe := &PreflightError{}
	top := func(format string, args ...any) {
		pe.add(Problem{Run: -1, Result: -1, Message: fmt.Sprintf(format, args...)})
	}
	if doc.Version != "2.1.0" {
		top("version is %q; GitHub reads SARIF 2.1.0", doc.Version)
	}
	var runs []runJSON
	if len(doc.Runs) == 0 || string(doc.Runs) == "null" {
		top("the log has no runs array")
	} else if err := json.Unmarshal(doc.Runs, &runs); err != nil {
		return nil, fmt.Errorf("not a SARIF log: runs: %w", err)
	}
	if overLimit(len(runs), lim.MaxRuns) {
		top("%d runs; GitHub accepts at most %d per upload", len(runs), lim.MaxRuns)
	}
	checkoutScheme := ""
	if o.CheckoutURI != "" {
		checkoutScheme = scheme(o.CheckoutURI)
	}
	c := &Checked{Runs: len(runs)}
	type toolCategory struct{ tool, category string }
	seen := map[toolCategory]int{}
	partial, diffOnly := false, false
	for i := range runs {
		r := &runs[i]
		tool := r.Tool.Driver.Name
		c.Tools = append(c.Tools, tool)
		p := func(result int, format string, args ...any) {
			pe.add(Problem{Run: i, Result: result, Tool: tool, Message: fmt.Sprintf(format, args...)})
		}
		if tool == "" {
			p(-1, "tool.driver.name is missing")
		}
		category := ""
		if r.AutomationDetails != nil {
			category = runCategory(r.AutomationDetails.ID)
		}
		key := toolCategory{tool, category}
		if first, dup := seen[key]; dup {
			p(-1, "runs[%d] has the same tool and category (%q): GitHub rejects an upload with two runs of one tool and one category; give each its own automationDetails.id, or merge them", first, category)
		} else {
			seen[key] = i
		}
		if overLimit(len(r.Tool.Extensions), lim.MaxExtensions) {
			p(-1, "%d tool extensions; GitHub accepts at most %d", len(r.Tool.Extensions), lim.MaxExtensions)
		}
		nRules := len(r.Tool.Driver.Rules)
		for _, comp := range append([]componentJSON{r.Tool.Driver}, r.Tool.Extensions...) {
			for _, rule := range comp.Rules {
				if overLimit(len(rule.Properties.Tags), lim.MaxTagsPerRule) {
					p(-1, "rule %q has %d tags; GitHub accepts at most %d", rule.ID, len(rule.Properties.Tags), lim.MaxTagsPerRule)
				}
				if msg := checkSecuritySeverity(rule.Properties.SecuritySeverity); msg != "" {
					p(-1, "rule %q: %s", rule.ID, msg)
				}
			}
		}
		if overLimit(nRules, lim.MaxRulesPerRun) {
			p(-1, "%d rules; GitHub accepts at most %d per run", nRules, lim.MaxRulesPerRun)
		}
		for name, base := range r.OriginalURIBaseIDs {
			if msg := checkScheme(base.URI, checkoutScheme); msg != "" {
				p(-1, "originalUriBaseIds.%s: %s", name, msg)
			}
		}
		for _, inv := range r.Invocations {
			if inv.StartTimeUTC != "" && (c.StartedAt == "" || inv.StartTimeUTC < c.StartedAt) {
				c.StartedAt = inv.StartTimeUTC
			}
			for _, n := range append(inv.ToolExecutionNotifications, inv.ToolConfigNotifications...) {
				if strings.HasPrefix(n.Message.Text, partialMarker) {
					partial = true
				}
				if strings.HasPrefix(n.Message.Text, diffOnlyMarker) {
					diffOnly = true
				}
			}
		}
		if len(r.Results) == 0 || string(r.Results) == "null" {
			p(-1, "results is missing: a run needs a results array (empty when the tool found nothing)")
			continue
		}
		var results []resultJSON
		if err := json.Unmarshal(r.Results, &results); err != nil {
			return nil, fmt.Errorf("not a SARIF log: runs[%d].results: %w", i, err)
		}
		c.Results += len(results)
		if overLimit(len(results), lim.MaxResultsPerRun) {
			p(-1, "%d results; GitHub accepts at most %d per run", len(results), lim.MaxResultsPerRun)
		}
		for j := range results {
			res := &results[j]
			if overLimit(len(res.Locations), lim.MaxLocationsPerResult) {
				p(j, "%d locations; GitHub accepts at most %d", len(res.Locations), lim.MaxLocationsPerResult)
			}
			if overLimit(len(res.RelatedLocations), lim.MaxLocationsPerResult) {
				p(j, "%d related locations; GitHub accepts at most %d", len(res.RelatedLocations), lim.MaxLocationsPerResult)
			}
			tfl := 0
			for _, cf := range res.CodeFlows {
				for _, tf := range cf.ThreadFlows {
					tfl += len(tf.Locations)
					for _, l := range tf.Locations {
						if msg := checkScheme(l.Location.uri(), checkoutScheme); msg != "" {
							p(j, "thread-flow location: %s", msg)
						}
					}
				}
			}
			if overLimit(tfl, lim.MaxThreadFlowLocationsPerResult) {
				p(j, "%d thread-flow locations; GitHub accepts at most %d", tfl, lim.MaxThreadFlowLocationsPerResult)
			}
			for _, l := range res.Locations {
				if msg := checkScheme(l.uri(), checkoutScheme); msg != "" {
					p(j, "location: %s", msg)
				}
			}
			for _, l := range res.RelatedLocations {
				if msg := checkScheme(l.uri(), checkoutScheme); msg != "" {
					p(j, "related location: %s", msg)
				}
			}
		}
	}
	if partial && !o.AllowPartial {
		return nil, fmt.Errorf("%w: its runs say %q; its missing findings would close open alerts (force to upload it anyway)", ErrPartialLog, partialMarker+" ...")
	}
	if diffOnly && !o.AllowDiffOnly {
		return nil, fmt.Errorf("%w: its runs say %q; the findings it suppresses outside the change would close their alerts (force to upload it anyway)", ErrDiffOnlyLog, diffOnlyMarker+" ...")
	}
	gz, err := compress(log)
	if err != nil {
		return nil, err
	}
	if overLimit(len(gz), lim.MaxGzipBytes) {
		top("%d bytes gzip-compressed (%.1f MiB); GitHub accepts at most %d (%.0f MiB): split the log by tool or category, or write it with scanmux's github output profile, which keeps the most severe results that fit",
			len(gz), float64(len(gz))/(1<<20), lim.MaxGzipBytes, float64(lim.MaxGzipBytes)/(1<<20))
	}
	if len(pe.Problems) > 0 {
		return nil, pe
	}
	c.Gzip, c.Partial, c.DiffOnly = gz, partial, diffOnly
	return c, nil
}

// compress gzips log at the default level.
func compress(log []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(log) / 4)
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(log); err != nil {
		return nil, fmt.Errorf("compressing the log: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compressing the log: %w", err)
	}
	return buf.Bytes(), nil
}

// runCategory is the category part of an automationDetails.id: what
// comes before its last "/" ("backend/" and "backend/run-12" are both
// "backend"), or the whole id when it has no "/".
func runCategory(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[:i]
	}
	return id
}

// checkSecuritySeverity returns what is wrong with a rule's
// security-severity property, or "": GitHub reads it as a number from 0.0
// to 10.0 written as a string.
func checkSecuritySeverity(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		var n float64
		if json.Unmarshal(raw, &n) != nil {
			return fmt.Sprintf("security-severity is %s, not a number", raw)
		}
		text = strconv.FormatFloat(n, 'f', -1, 64)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil {
		return fmt.Sprintf("security-severity %q is not a number", text)
	}
	if v < 0 || v > 10 {
		return fmt.Sprintf("security-severity %s is outside 0.0-10.0", text)
	}
	return ""
}

// checkScheme returns what is wrong with a URI in the log given the
// checkout URI's scheme, or "": an absolute URI must use the checkout
// URI's scheme, which GitHub needs to make it relative.
func checkScheme(uri, checkoutScheme string) string {
	if uri == "" || checkoutScheme == "" {
		return ""
	}
	s := scheme(uri)
	if s == "" || strings.EqualFold(s, checkoutScheme) {
		return ""
	}
	return fmt.Sprintf("URI %q has the scheme %q, the checkout URI %q: GitHub rejects it (SARIF URI scheme did not match the checkout URI scheme)", uri, s, checkoutScheme)
}

// scheme returns the scheme of an absolute URI, or "" for a relative one.
func scheme(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || len(u.Scheme) < 2 { // "C:/x" is a Windows path, not a URI
		return ""
	}
	return u.Scheme
}

func overLimit(n, max int) bool { return max > 0 && n > max }
