// Package kics reads KICS JSON reports (`kics scan --report-formats json`,
// results.json) into findings. KICS's GitLab SAST output is read by
// package scanners/gitlabsast, its SARIF by package sarif.
//
// # Mapping
//
// A report lists queries, each with the files where it matched; each entry
// of a query's files is one finding. Rule.ID is query_id, Rule.Name
// query_name, Rule.FullDescription description, Rule.HelpURI query_url,
// Rule.Tags the query's category and platform. The message is the entry's
// actual_value ("aws_s3_bucket[b].versioning is undefined"), or the query's
// description when that is empty. The location is file_name with line,
// and Location.Resource is "resource_type.resource_name" when the entry
// names a resource. search_key, issue_type, expected_value, actual_value,
// similarity_id and the query's cloud_provider go in Properties.
//
// Severity is the query's severity: CRITICAL, HIGH, MEDIUM and LOW map to
// the same levels, INFO and TRACE to [finding.SeverityInfo]; a word KICS
// does not define is [finding.SeverityMedium]. OriginalSeverity keeps
// KICS's word. CWEs come from the query's cwe (KICS 1.7 and later); a cwe
// that is not a number is kept in Properties["cwe"] instead.
//
// The category is iac, except for queries of KICS's "Secret Management"
// category, which find hard-coded credentials: those are secret findings.
// KICS does not report the secret's value, so there is nothing to redact
// or hash; search_value and value are never copied for them.
//
// # Paths
//
// file_name is made relative with [finding.NormalizePath] and the scan
// root. KICS writes it relative to its working directory, which can lead
// outside the scan root ("../../path/main.tf" when run in Docker): such a
// finding has no path, and Properties["unresolvedPath"] keeps file_name.
package kics

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

// Adapters returns the KICS adapter, "kics", for KICS's JSON report.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads KICS JSON reports. Its name is "kics".
type Adapter struct{}

const (
	expected = "KICS JSON report"
	toolURI  = "https://kics.io/"
)

// Name returns "kics".
func (Adapter) Name() string { return "kics" }

// Detect reports whether head is a JSON object with KICS's keys: queries
// with kics_version, queries_total or a query's query_id and similarity_id.
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "{")
	return ok && (h.Has("kics_version") || h.Has("queries_total") ||
		(h.Has("queries") && h.Has("query_id") && h.Has("similarity_id")))
}

// report is a KICS JSON report.
type report struct {
	KICSVersion string   `json:"kics_version"`
	Queries     *[]query `json:"queries"`
}

// query is one query that matched.
type query struct {
	QueryName     string          `json:"query_name"`
	QueryID       string          `json:"query_id"`
	QueryURL      string          `json:"query_url"`
	Severity      string          `json:"severity"`
	Platform      string          `json:"platform"`
	CWE           json.RawMessage `json:"cwe"`
	CloudProvider string          `json:"cloud_provider"`
	Category      string          `json:"category"`
	Description   string          `json:"description"`
	Files         []file          `json:"files"`
}

// file is one match of a query.
type file struct {
	FileName      string `json:"file_name"`
	SimilarityID  string `json:"similarity_id"`
	Line          int    `json:"line"`
	ResourceType  string `json:"resource_type"`
	ResourceName  string `json:"resource_name"`
	IssueType     string `json:"issue_type"`
	SearchKey     string `json:"search_key"`
	ExpectedValue string `json:"expected_value"`
	ActualValue   string `json:"actual_value"`
}

// Decode reads a whole KICS JSON report and emits one finding per file
// entry of each query.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "kics", InformationURI: toolURI}
	var root string
	if opts != nil {
		root = opts.Root
	}
	var rep report
	dec := json.NewDecoder(r)
	if err := dec.Decode(&rep); err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	if rep.Queries == nil {
		return tool, scanners.FormatError(name, expected, `no "queries" array`)
	}
	tool.Version = strings.TrimPrefix(rep.KICSVersion, "v")
	for qi := range *rep.Queries {
		q := &(*rep.Queries)[qi]
		sev, err := severity(q.Severity)
		if err != nil {
			sev = finding.SeverityMedium
		}
		cwes, cweErr := parseCWE(q.CWE)
		for fi := range q.Files {
			f := convert(q, &q.Files[fi], root)
			f.Tool = tool
			f.Severity = sev
			f.CWEs = cwes
			if cweErr != nil {
				f.Properties["cwe"] = string(q.CWE)
			}
			if err := emit(f); err != nil {
				return tool, err
			}
		}
	}
	return tool, nil
}

// severity maps a KICS severity.
func severity(s string) (finding.Severity, error) {
	if strings.EqualFold(strings.TrimSpace(s), "trace") {
		return finding.SeverityInfo, nil
	}
	return finding.ParseSeverity(s)
}

// parseCWE reads a query's cwe: a number, as a string ("285") or not.
func parseCWE(raw json.RawMessage) ([]int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = string(raw)
	}
	s = strings.TrimPrefix(strings.TrimSpace(strings.ToUpper(s)), "CWE-")
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("cwe %s is not a CWE number", raw)
	}
	return []int{n}, nil
}

// convert turns one file entry of a query into a finding, severity and
// CWEs aside.
func convert(q *query, fl *file, root string) *finding.Finding {
	id := q.QueryID
	if id == "" {
		id = q.QueryName
	}
	if id == "" {
		id = "unknown"
	}
	msg := fl.ActualValue
	if msg == "" {
		msg = q.Description
	}
	if msg == "" {
		msg = q.QueryName
	}
	if msg == "" {
		msg = "KICS query " + id + " matched"
	}
	f := &finding.Finding{
		Rule: finding.Rule{
			ID:              id,
			Name:            q.QueryName,
			FullDescription: q.Description,
			HelpURI:         q.QueryURL,
		},
		Message:          msg,
		Category:         finding.CategoryIaC,
		OriginalSeverity: q.Severity,
		Properties:       map[string]string{},
	}
	for _, t := range []string{q.Category, q.Platform} {
		if t != "" {
			f.Rule.Tags = append(f.Rule.Tags, t)
		}
	}
	if q.Category == "Secret Management" {
		f.Category = finding.CategorySecret
	}
	if adapt.SetPath(f, root, fl.FileName, adapt.UnresolvedPath) && fl.Line > 0 {
		f.Location.Region.StartLine = fl.Line
	}
	switch {
	case fl.ResourceType != "" && fl.ResourceName != "":
		f.Location.Resource = fl.ResourceType + "." + fl.ResourceName
	case fl.ResourceType != "":
		f.Location.Resource = fl.ResourceType
	}
	adapt.Props(f,
		"cloud_provider", q.CloudProvider,
		"similarity_id", fl.SimilarityID,
		"issue_type", fl.IssueType,
		"search_key", fl.SearchKey,
		"expected_value", fl.ExpectedValue,
		"actual_value", fl.ActualValue,
		"line", lineProp(fl, f),
	)
	return f
}

// lineProp keeps the reported line when the location has no path to hold
// it.
func lineProp(fl *file, f *finding.Finding) string {
	if f.Location.Path == "" && fl.Line > 0 {
		return strconv.Itoa(fl.Line)
	}
	return ""
}
