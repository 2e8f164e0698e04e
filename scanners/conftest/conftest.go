// Package conftest reads conftest JSON output (`conftest test --output
// json`) into findings.
//
// # Mapping
//
// The output is an array with one element per tested file and policy
// namespace. Each of its failures, warnings and exceptions is one finding
// of category iac; successes (a count) and skipped results are not.
//
//   - failures (deny and violation rules) are [finding.SeverityHigh] with
//     OriginalSeverity "failure": conftest fails the build on them.
//   - warnings (warn rules) are [finding.SeverityMedium] with
//     OriginalSeverity "warning": conftest reports them without failing.
//   - exceptions (failures that an exception rule of the policy waived)
//     are high, like failures, and carry a [finding.Suppression] of kind
//     external (the policy, not the scanned file, waived them) whose
//     justification is conftest's message.
//
// A policy can return an object instead of a message, whose "details"
// conftest copies into the result's metadata; when details has a
// "severity" that [finding.ParseSeverity] understands, it wins, and
// OriginalSeverity keeps it.
//
// Rule.ID is the result's metadata.query ("data.main.deny_privileged"),
// the rule that produced it. Exceptions have no query: their message names
// the waived rule (`data.main.exception[_][_] == "latest_tag"`), so their
// Rule.ID is "data.<namespace>.exception/<rule>". The message is msg; the
// location is the file (conftest gives no line). The namespace, details
// (as JSON text) and any other metadata go in Properties. conftest's JSON
// does not say its version.
package conftest

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Adapters returns the conftest adapter, "conftest".
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads conftest JSON output. Its name is "conftest".
type Adapter struct{}

const (
	expected = "conftest JSON output"
	toolURI  = "https://www.conftest.dev/"
)

// Name returns "conftest".
func (Adapter) Name() string { return "conftest" }

// Detect reports whether head is a JSON array of conftest check results:
// filename and namespace with successes, failures or warnings.
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "[")
	return ok && h.Has("filename") && h.Has("namespace") && (h.Has("successes") || h.Has("failures") || h.Has("warnings"))
}

// checkResult is the result of one namespace's policies on one file.
type checkResult struct {
	Filename   string   `json:"filename"`
	Namespace  string   `json:"namespace"`
	Successes  *int     `json:"successes"`
	Warnings   []result `json:"warnings"`
	Failures   []result `json:"failures"`
	Exceptions []result `json:"exceptions"`
}

// result is one warning, failure or exception.
type result struct {
	Msg      string                     `json:"msg"`
	Metadata map[string]json.RawMessage `json:"metadata"`
}

// Decode reads conftest JSON output one file result at a time and emits a
// finding per failure, warning and exception.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "conftest", InformationURI: toolURI}
	var root string
	if opts != nil {
		root = opts.Root
	}
	return tool, adapt.EachElement(r, name, expected, func(i int, cr *checkResult) error {
		if cr.Successes == nil && cr.Namespace == "" {
			return scanners.FormatError(name, expected, fmt.Sprintf("element %d is not a check result (no namespace or successes)", i))
		}
		for _, kind := range []struct {
			list      []result
			sev       finding.Severity
			orig      string
			exception bool
		}{
			{cr.Failures, finding.SeverityHigh, "failure", false},
			{cr.Warnings, finding.SeverityMedium, "warning", false},
			{cr.Exceptions, finding.SeverityHigh, "failure", true},
		} {
			for j := range kind.list {
				f := convert(cr, &kind.list[j], root)
				f.Tool = tool
				if f.Severity == finding.SeverityUnset {
					f.Severity, f.OriginalSeverity = kind.sev, kind.orig
				}
				if kind.exception {
					exception(f, cr, &kind.list[j])
				}
				if err := emit(f); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// convert turns a result into a finding; its severity is left unset
// unless the policy's details give one.
func convert(cr *checkResult, res *result, root string) *finding.Finding {
	f := &finding.Finding{
		Message:    res.Msg,
		Category:   finding.CategoryIaC,
		Properties: map[string]string{},
	}
	if cr.Namespace != "" {
		f.Properties["namespace"] = cr.Namespace
	}
	keys := make([]string, 0, len(res.Metadata))
	for k := range res.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := res.Metadata[k]
		var s string
		if json.Unmarshal(v, &s) == nil {
			if k == "query" {
				f.Rule.ID = s
			} else {
				f.Properties[k] = s
			}
			continue
		}
		f.Properties[k] = string(v)
		if k == "details" {
			var d struct {
				Severity string `json:"severity"`
			}
			if json.Unmarshal(v, &d) == nil && d.Severity != "" {
				if sev, err := finding.ParseSeverity(d.Severity); err == nil {
					f.Severity, f.OriginalSeverity = sev, d.Severity
				}
			}
		}
	}
	if f.Rule.ID == "" && cr.Namespace != "" {
		f.Rule.ID = "data." + cr.Namespace
	}
	if f.Rule.ID == "" {
		f.Rule.ID = "conftest"
	}
	if f.Message == "" {
		f.Message = "conftest policy " + f.Rule.ID + " failed"
	}
	adapt.SetPath(f, root, cr.Filename, adapt.UnresolvedPath)
	return f
}

// exceptionRE parses the message conftest writes for an exception.
var exceptionRE = regexp.MustCompile(`^data\.(.+)\.exception\[_\]\[_\] == "(.*)"$`)

// exception marks f as an exception: a failure that the policy waived.
func exception(f *finding.Finding, cr *checkResult, res *result) {
	if _, ok := res.Metadata["query"]; !ok {
		if m := exceptionRE.FindStringSubmatch(res.Msg); m != nil {
			f.Rule.ID = "data." + m[1] + ".exception/" + m[2]
			f.Rule.Name = m[2]
		} else if cr.Namespace != "" {
			f.Rule.ID = "data." + cr.Namespace + ".exception"
		}
	}
	f.Suppressions = []finding.Suppression{{
		Kind:          finding.SuppressionExternal,
		Justification: res.Msg,
		Source:        "conftest exception rule",
	}}
}

// RefineSARIF gives a finding read from conftest's SARIF the rule id its
// JSON report gives: conftest names a SARIF rule "main/deny" for the query
// "data.main.deny".
func (Adapter) RefineSARIF(f *finding.Finding) {
	if ns, rule, ok := strings.Cut(f.Rule.ID, "/"); ok && !strings.HasPrefix(f.Rule.ID, "data.") && ns != "" && rule != "" {
		f.Rule.ID = "data." + ns + "." + rule
	}
}
