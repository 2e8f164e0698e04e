// Package jsonout writes a report as scanmux's own JSON document, the
// "json" format: every key lowercase (snake_case), no nulls (a list is
// [] when empty, an optional field is left out), and a schema_version
// that changes its major number only when a field changes meaning or
// goes away. The JSON Schema of version 1 is [Schema] (schema.json in
// this directory), which the tests hold every written document to.
package jsonout

import (
	_ "embed"
	"encoding/json"
	"io"
	"sort"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
)

// SchemaVersion is the version of the document's layout.
const SchemaVersion = "1.0.0"

// SchemaID is the $id of [Schema].
const SchemaID = "https://github.com/scanmux/scanmux/report/jsonout/schema.json"

// Schema is the JSON Schema (draft 2020-12) of the document.
//
//go:embed schema.json
var Schema []byte

func init() {
	report.Register(report.Format{
		Name:    "json",
		Summary: "scanmux's JSON document (versioned schema: report/jsonout/schema.json)",
		Write:   Write,
	})
}

// Document is the whole JSON document.
type Document struct {
	SchemaVersion string    `json:"schema_version"`
	Tool          ToolInfo  `json:"tool"`
	Gate          Gate      `json:"gate"`
	Counts        Counts    `json:"counts"`
	Sources       []Source  `json:"sources"`
	Findings      []Finding `json:"findings"`
	Absent        []Finding `json:"absent"`
	Warnings      []string  `json:"warnings"`
	Denials       []string  `json:"denials"`
}

// ToolInfo names the program that wrote the document.
type ToolInfo struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// Gate is the gate's decision.
type Gate struct {
	Failed   bool     `json:"failed"`
	ExitCode int      `json:"exit_code"`
	Reasons  []string `json:"reasons"`
}

// Counts summarizes the findings: findings counts the unsuppressed
// ones; received = findings + suppressed + merged.
type Counts struct {
	Findings   int            `json:"findings"`
	Suppressed int            `json:"suppressed"`
	Merged     int            `json:"merged"`
	Received   int            `json:"received"`
	BySeverity map[string]int `json:"by_severity"`
	ByCategory map[string]int `json:"by_category"`
	ByTool     map[string]int `json:"by_tool"`
	New        int            `json:"new"`
	Unchanged  int            `json:"unchanged"`
	Updated    int            `json:"updated"`
	Absent     int            `json:"absent"`
}

// Source is one scanner's or input's run.
type Source struct {
	Name       string  `json:"name"`
	State      string  `json:"state"`
	Findings   int     `json:"findings"`
	Dropped    int     `json:"dropped"`
	DurationMS int64   `json:"duration_ms"`
	Coverage   string  `json:"coverage,omitempty"`
	Error      string  `json:"error,omitempty"`
	Tools      []Named `json:"tools"`
}

// Named is a tool's name and version.
type Named struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// Finding is one finding.
type Finding struct {
	ID               string            `json:"id,omitempty"`
	Tool             Named             `json:"tool"`
	Rule             Rule              `json:"rule"`
	Message          string            `json:"message"`
	Category         string            `json:"category"`
	Severity         string            `json:"severity"`
	OriginalSeverity string            `json:"original_severity,omitempty"`
	Precision        string            `json:"precision,omitempty"`
	CWEs             []int             `json:"cwes"`
	VulnIDs          []string          `json:"vuln_ids"`
	Location         Location          `json:"location"`
	Suppressed       bool              `json:"suppressed"`
	Suppressions     []Suppression     `json:"suppressions"`
	Baseline         string            `json:"baseline,omitempty"`
	Fingerprints     map[string]string `json:"fingerprints"`
	Also             []Also            `json:"also"`
	Properties       map[string]string `json:"properties"`
}

// Rule is a finding's rule.
type Rule struct {
	ID      string   `json:"id"`
	Name    string   `json:"name,omitempty"`
	Summary string   `json:"summary,omitempty"`
	HelpURI string   `json:"help_uri,omitempty"`
	Tags    []string `json:"tags"`
}

// Location is where a finding is: a file region, a package, a URL or a
// resource.
type Location struct {
	Path        string   `json:"path,omitempty"`
	StartLine   int      `json:"start_line,omitempty"`
	StartColumn int      `json:"start_column,omitempty"`
	EndLine     int      `json:"end_line,omitempty"`
	EndColumn   int      `json:"end_column,omitempty"`
	Snippet     string   `json:"snippet,omitempty"`
	Resource    string   `json:"resource,omitempty"`
	Package     *Package `json:"package,omitempty"`
	URL         string   `json:"url,omitempty"`
	Method      string   `json:"method,omitempty"`
	Parameter   string   `json:"parameter,omitempty"`
}

// Package is a dependency or image package.
type Package struct {
	Name         string `json:"name"`
	Version      string `json:"version,omitempty"`
	FixedVersion string `json:"fixed_version,omitempty"`
	Ecosystem    string `json:"ecosystem,omitempty"`
	PURL         string `json:"purl,omitempty"`
	Image        string `json:"image,omitempty"`
	Layer        string `json:"layer,omitempty"`
}

// Suppression says why a finding is suppressed.
type Suppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status,omitempty"`
	Justification string `json:"justification,omitempty"`
	Source        string `json:"source,omitempty"`
}

// Also is another tool's report merged into a finding.
type Also struct {
	Tool     Named    `json:"tool"`
	RuleID   string   `json:"rule_id"`
	Severity string   `json:"severity"`
	Message  string   `json:"message"`
	Location Location `json:"location"`
	Match    string   `json:"match,omitempty"`
}

// Build returns the document of r; version is scanmux's.
func Build(r *aggregate.Report, version string) *Document {
	d := &Document{
		SchemaVersion: SchemaVersion,
		Tool:          ToolInfo{Name: "scanmux", Version: version},
		Gate:          Gate{Failed: r.Gate.Failed, ExitCode: r.Gate.ExitCode, Reasons: nonNil(r.Gate.Reasons)},
		Counts: Counts{
			Findings: r.Counts.Findings, Suppressed: r.Counts.Suppressed, Merged: r.Counts.Merged, Received: r.Counts.Received,
			BySeverity: map[string]int{}, ByCategory: map[string]int{}, ByTool: map[string]int{},
			New: r.Counts.New, Unchanged: r.Counts.Unchanged, Updated: r.Counts.Updated, Absent: r.Counts.Absent,
		},
		Sources:  []Source{},
		Findings: make([]Finding, 0, len(r.Findings)),
		Absent:   make([]Finding, 0, len(r.Absent)),
		Warnings: nonNil(r.Warnings),
		Denials:  nonNil(r.Denials),
	}
	for s, n := range r.Counts.BySeverity {
		d.Counts.BySeverity[s.String()] = n
	}
	for c, n := range r.Counts.ByCategory {
		d.Counts.ByCategory[string(c)] = n
	}
	for t, n := range r.Counts.ByTool {
		d.Counts.ByTool[t] = n
	}
	for _, s := range r.Sources {
		src := Source{Name: s.Name, State: string(s.State), Findings: s.Findings, Dropped: s.Dropped,
			DurationMS: s.Duration.Milliseconds(), Coverage: s.Coverage, Error: s.Err, Tools: []Named{}}
		for _, t := range s.Tools {
			src.Tools = append(src.Tools, Named{t.Name, t.Version})
		}
		d.Sources = append(d.Sources, src)
	}
	for _, f := range r.Findings {
		d.Findings = append(d.Findings, convert(f))
	}
	for _, f := range r.Absent {
		d.Absent = append(d.Absent, convert(f))
	}
	return d
}

// Write writes r's document, indented, to w.
func Write(w io.Writer, r *aggregate.Report, o *report.Options) error {
	v := ""
	if o != nil {
		v = o.Version
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(Build(r, v))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func location(l *finding.Location) Location {
	out := Location{Path: l.Path, StartLine: l.Region.StartLine, StartColumn: l.Region.StartColumn,
		EndLine: l.Region.EndLine, EndColumn: l.Region.EndColumn, Snippet: l.Snippet, Resource: l.Resource}
	if p := l.Package; p != nil {
		out.Package = &Package{Name: p.Name, Version: p.Version, FixedVersion: p.FixedVersion, Ecosystem: p.Ecosystem, PURL: p.PURL, Image: p.Image, Layer: p.Layer}
	}
	if w := l.Web; w != nil {
		out.URL, out.Method, out.Parameter = w.URL, w.Method, w.Parameter
	}
	return out
}

func convert(f *finding.Finding) Finding {
	out := Finding{
		ID:      f.ID,
		Tool:    Named{f.Tool.Name, f.Tool.Version},
		Rule:    Rule{ID: f.Rule.ID, Name: f.Rule.Name, Summary: f.Rule.ShortDescription, HelpURI: f.Rule.HelpURI, Tags: nonNil(f.Rule.Tags)},
		Message: f.Message, Category: string(f.Category), Severity: f.Severity.String(), OriginalSeverity: f.OriginalSeverity,
		Precision: string(f.Precision), CWEs: nonNil(f.CWEs), VulnIDs: nonNil(f.VulnIDs), Location: location(&f.Location),
		Suppressed: f.Suppressed(), Suppressions: []Suppression{}, Baseline: string(f.Baseline),
		Fingerprints: nonNilMap(f.AllFingerprints()), Also: []Also{}, Properties: nonNilMap(f.Properties),
	}
	for _, s := range f.Suppressions {
		out.Suppressions = append(out.Suppressions, Suppression{Kind: string(s.Kind), Status: string(s.Status), Justification: s.Justification, Source: s.Source})
	}
	for _, a := range f.Also {
		out.Also = append(out.Also, Also{Tool: Named{a.Tool.Name, a.Tool.Version}, RuleID: a.RuleID, Severity: a.Severity.String(),
			Message: a.Message, Location: location(&a.Location), Match: a.Match})
	}
	sort.Ints(out.CWEs)
	return out
}
