// Package codequality writes GitLab's Code Quality report
// (artifacts:reports:codequality), the subset of the Code Climate issue
// format that GitLab shows in merge requests' Code Quality widget and
// diff: an array of issues, each with description, check_name,
// fingerprint, severity and location (path and lines.begin).
//
// It is registered as the report format "codequality". Every
// unsuppressed finding with a file is an issue; a finding without one (a
// URL, an image) is attached to the file the "fallback-path" parameter
// names, or left out when there is none: GitLab's security reports
// (package report/gitlab) carry those. Severities map one to one onto
// GitLab's five: critical→blocker, high→critical, medium→major,
// low→minor, info→info. The fingerprint comes from scanmux's identity,
// so GitLab tells new issues from old ones across pipelines.
package codequality

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
)

// FallbackParam is the report.Options.Params key of the repository file
// that findings without a file are attached to.
const FallbackParam = "fallback-path"

func init() {
	report.Register(report.Format{
		Name:    "codequality",
		Summary: "GitLab Code Quality report (artifacts:reports:codequality) for the merge request widget",
		Write:   Write,
	})
}

// Issue is one Code Quality issue.
type Issue struct {
	// Type is always "issue".
	Type string `json:"type"`
	// CheckName is the tool and rule ("gosec/G101").
	CheckName string `json:"check_name"`
	// Description is the finding's message.
	Description string `json:"description"`
	// Categories is ["Security"].
	Categories []string `json:"categories"`
	// Severity is info, minor, major, critical or blocker.
	Severity string `json:"severity"`
	// Fingerprint identifies the issue across pipelines.
	Fingerprint string `json:"fingerprint"`
	// Location is where it is.
	Location Location `json:"location"`
}

// Location is an issue's file and lines.
type Location struct {
	// Path is relative to the repository's root.
	Path string `json:"path"`
	// Lines are the first and last lines (1 when unknown: the file).
	Lines Lines `json:"lines"`
}

// Lines is a range of lines.
type Lines struct {
	// Begin is the first line, from 1.
	Begin int `json:"begin"`
	// End is the last line, when the issue spans several.
	End int `json:"end,omitempty"`
}

// Issues returns the Code Quality issues of r's unsuppressed findings, in
// the report's order.
func Issues(r *aggregate.Report, o *report.Options) []Issue {
	fallback := o.Param(FallbackParam)
	issues := []Issue{}
	seen := map[string]int{}
	for _, f := range r.Findings {
		if f.Suppressed() || f.Baseline == finding.BaselineAbsent {
			continue
		}
		path, begin, end := f.Location.Path, f.Location.Region.StartLine, f.Location.Region.EndLine
		if path == "" {
			if fallback == "" {
				continue
			}
			path, begin, end = fallback, 1, 0
		}
		if begin < 1 {
			begin = 1
		}
		if end <= begin {
			end = 0
		}
		desc := f.Message
		if len(f.Also) > 0 {
			names := make([]string, 0, len(f.Also))
			for _, a := range f.Also {
				names = append(names, a.Tool.Name+"/"+a.RuleID)
			}
			desc += " (also reported by " + strings.Join(names, ", ") + ")"
		}
		fp := fingerprint(f)
		if n := seen[fp]; n > 0 { // GitLab shows one issue per fingerprint
			fp = fingerprint(f, fmt.Sprint(n))
		}
		seen[fp]++
		issues = append(issues, Issue{
			Type: "issue", CheckName: f.Tool.Name + "/" + f.Rule.ID, Description: desc,
			Categories: []string{"Security"}, Severity: severity(f.Severity), Fingerprint: fp,
			Location: Location{Path: path, Lines: Lines{Begin: begin, End: end}},
		})
	}
	return issues
}

// Write writes r's Code Quality report to w.
func Write(w io.Writer, r *aggregate.Report, o *report.Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Issues(r, o)); err != nil {
		return fmt.Errorf("writing the Code Quality report: %w", err)
	}
	return nil
}

// fingerprint is 32 hex digits from the finding's identity (or, without
// one, its tool, rule, place and message) and extra.
func fingerprint(f *finding.Finding, extra ...string) string {
	key := f.ID
	if key == "" {
		key = strings.Join([]string{f.Tool.Name, f.Rule.ID, f.Location.Path, finding.RegionText(f.Location.Region), f.Message}, "\x00")
	}
	sum := sha256.Sum256([]byte(strings.Join(append([]string{key}, extra...), "\x00")))
	return hex.EncodeToString(sum[:16])
}

func severity(s finding.Severity) string {
	switch s {
	case finding.SeverityCritical:
		return "blocker"
	case finding.SeverityHigh:
		return "critical"
	case finding.SeverityMedium:
		return "major"
	case finding.SeverityLow:
		return "minor"
	}
	return "info"
}
