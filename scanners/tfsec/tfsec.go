// Package tfsec reads tfsec JSON reports (`tfsec --format json`) into
// findings. tfsec's SARIF output is read by package sarif.
//
// # Mapping
//
// Each element of results is one finding of category iac, except passed
// checks (status "passed" or 1, written only with --include-passed), which
// are not findings. An ignored check (status "ignored" or 2: a
// "tfsec:ignore" comment in the code) is kept as a finding with a
// [finding.Suppression] of kind inSource.
//
// Rule.ID is long_id ("aws-ec2-no-public-ingress-sgr", the id tfsec's own
// SARIF uses) or, in reports of tfsec before 1.0 that have none, rule_id.
// Rule.ShortDescription is rule_description, Rule.FullDescription impact,
// Rule.HelpText resolution, Rule.HelpURI the first link, Rule.Tags the
// provider and service. Message is description ("Resource 'x' defines a
// fully open ingress ..."), or rule_description when that is empty. The
// location is location.filename with start_line and end_line, and
// Location.Resource is resource. rule_id, legacy_rule_id, the other links
// and warning go in Properties.
//
// Severity is tfsec's (CRITICAL, HIGH, MEDIUM, LOW; OriginalSeverity keeps
// it); a word tfsec does not define is [finding.SeverityMedium].
//
// tfsec writes absolute file names: they are made relative to the scan
// root with [finding.NormalizePath]. A path that cannot be (no root, or
// outside it) leaves the finding without a path; Properties
// "unresolvedPath" and "start_line" then keep what tfsec wrote.
package tfsec

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Adapters returns the tfsec adapter, "tfsec", for tfsec's JSON report.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads tfsec JSON reports. Its name is "tfsec".
type Adapter struct{}

const (
	expected = "tfsec JSON report"
	toolURI  = "https://github.com/aquasecurity/tfsec"
)

// Name returns "tfsec".
func (Adapter) Name() string { return "tfsec" }

// Detect reports whether head is a JSON object whose results carry tfsec's
// keys: rule_description or rule_provider, with location or impact.
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "{")
	return ok && h.Has("results") && (h.Has("rule_description") || h.Has("rule_provider")) &&
		(h.Has("location") || h.Has("impact") || h.Has("resolution"))
}

// report is a tfsec JSON report.
type report struct {
	Results *[]result `json:"results"`
}

// result is one check result.
type result struct {
	RuleID          string          `json:"rule_id"`
	LongID          string          `json:"long_id"`
	LegacyRuleID    string          `json:"legacy_rule_id"`
	RuleDescription string          `json:"rule_description"`
	RuleProvider    string          `json:"rule_provider"`
	RuleService     string          `json:"rule_service"`
	Impact          string          `json:"impact"`
	Resolution      string          `json:"resolution"`
	Links           []string        `json:"links"`
	Description     string          `json:"description"`
	Severity        string          `json:"severity"`
	Warning         bool            `json:"warning"`
	Status          json.RawMessage `json:"status"`
	Resource        string          `json:"resource"`
	Location        struct {
		Filename  string `json:"filename"`
		StartLine int    `json:"start_line"`
		EndLine   int    `json:"end_line"`
	} `json:"location"`
}

// Decode reads a whole tfsec JSON report and emits one finding per failed
// or ignored result.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "tfsec", InformationURI: toolURI}
	var root string
	if opts != nil {
		root = opts.Root
	}
	// A report with no results has "results": null, so check that the key
	// is there at all.
	var keys map[string]json.RawMessage
	data, err := io.ReadAll(r)
	if err != nil {
		return tool, fmt.Errorf("%s: %w", name, err)
	}
	if err := json.Unmarshal(data, &keys); err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if _, ok := keys["results"]; !ok {
		return tool, scanners.FormatError(name, expected, `no "results" member`)
	}
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if rep.Results == nil {
		return tool, nil
	}
	for i := range *rep.Results {
		res := &(*rep.Results)[i]
		st, err := status(res.Status)
		if err != nil {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("result %d: %v", i, err))
		}
		if st == statusPassed {
			continue
		}
		f := convert(res, root)
		f.Tool = tool
		if st == statusIgnored {
			f.Suppressions = []finding.Suppression{{Kind: finding.SuppressionInSource, Source: "tfsec:ignore comment"}}
		}
		if err := emit(f); err != nil {
			return tool, err
		}
	}
	return tool, nil
}

// Result statuses, as tfsec (defsec scan.Status) numbers them.
const (
	statusFailed  = 0
	statusPassed  = 1
	statusIgnored = 2
)

// status reads a result's status: a number, a word, or nothing (failed).
func status(raw json.RawMessage) (int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return statusFailed, nil
	}
	var n int
	if err := json.Unmarshal(raw, &n); err == nil {
		if n < statusFailed || n > statusIgnored {
			return 0, fmt.Errorf("unknown status %d", n)
		}
		return n, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("status %s is neither a number nor a string", raw)
	}
	switch strings.ToLower(s) {
	case "failed", "":
		return statusFailed, nil
	case "passed":
		return statusPassed, nil
	case "ignored":
		return statusIgnored, nil
	}
	return 0, fmt.Errorf("unknown status %q", s)
}

// convert turns a failed or ignored result into a finding.
func convert(res *result, root string) *finding.Finding {
	id := res.LongID
	if id == "" {
		id = res.RuleID
	}
	if id == "" {
		id = res.LegacyRuleID
	}
	if id == "" {
		id = "unknown"
	}
	msg := res.Description
	if msg == "" {
		msg = res.RuleDescription
	}
	if msg == "" {
		msg = "tfsec check " + id + " failed"
	}
	f := &finding.Finding{
		Rule: finding.Rule{
			ID:               id,
			ShortDescription: res.RuleDescription,
			FullDescription:  res.Impact,
			HelpText:         res.Resolution,
		},
		Message:          msg,
		Category:         finding.CategoryIaC,
		Severity:         finding.SeverityMedium,
		OriginalSeverity: res.Severity,
		Properties:       map[string]string{},
	}
	if s, err := finding.ParseSeverity(res.Severity); err == nil {
		f.Severity = s
	}
	for _, t := range []string{res.RuleProvider, res.RuleService} {
		if t != "" {
			f.Rule.Tags = append(f.Rule.Tags, t)
		}
	}
	if len(res.Links) > 0 {
		f.Rule.HelpURI = res.Links[0]
		if len(res.Links) > 1 {
			b, _ := json.Marshal(res.Links)
			f.Properties["links"] = string(b)
		}
	}
	loc := &res.Location
	if adapt.SetPath(f, root, loc.Filename, adapt.UnresolvedPath) {
		if loc.StartLine > 0 {
			f.Location.Region.StartLine = loc.StartLine
			if loc.EndLine >= loc.StartLine {
				f.Location.Region.EndLine = loc.EndLine
			}
		}
	} else if loc.Filename != "" && loc.StartLine > 0 {
		f.Properties["start_line"] = strconv.Itoa(loc.StartLine)
	}
	f.Location.Resource = res.Resource
	if res.RuleID != "" && res.RuleID != id {
		f.Properties["rule_id"] = res.RuleID
	}
	if res.LegacyRuleID != "" {
		f.Properties["legacy_rule_id"] = res.LegacyRuleID
	}
	if res.Warning {
		f.Properties["warning"] = "true"
	}
	return f
}
