// Package checkov reads checkov JSON reports (`checkov -o json`) into
// findings.
//
// A report is one object per check type (terraform, kubernetes,
// dockerfile ...) or, when checkov ran several frameworks, a top-level
// array of such objects. Each has results.failed_checks,
// results.skipped_checks, results.passed_checks and a summary carrying
// checkov_version.
//
// # Mapping
//
// Each failed check is one finding. Each skipped check (a check silenced
// by a "checkov:skip=ID:reason" comment in the scanned file) is one finding
// too, with a [finding.Suppression] of kind inSource whose justification is
// the check's suppress_comment: a suppressed finding is kept, never dropped.
// The corpus reports have no skipped checks, so their num_results (the
// failed checks) equals the findings' count either way. Passed checks and
// parsing errors are not findings.
//
// Rule.ID is check_id, Rule.ShortDescription and Message are check_name,
// Rule.FullDescription is description, Rule.HelpURI is guideline,
// Rule.Tags holds bc_category. The location is the file, file_line_range
// as region, code_block as snippet and resource as Location.Resource.
// bc_check_id, check_type, check_class, evaluated_keys, resource_address
// and file_path go in Properties.
//
// Severity is checkov's severity when set ("HIGH" ...; OriginalSeverity
// keeps it). checkov writes null when it runs without a Prisma Cloud API
// key, which is the common case: such findings are [finding.SeverityMedium]
// with an empty OriginalSeverity.
//
// The category is iac, except for check_type "secrets" (secret, CWE-798;
// the snippet is dropped, since checkov masks secrets only in part, and
// there is no secret hash, since checkov never writes the full secret),
// "sca_package" (dependency) and "sca_image" (container), whose
// vulnerability_details give the vulnerability id, package, version and
// fixed version.
//
// # Paths
//
// checkov writes file_path relative to the directory it scanned and
// repo_file_path relative to the repository, both with a leading "/" (or
// "\" on Windows), and file_abs_path. With a scan root, file_abs_path is
// made relative to it; otherwise, or when that fails, repo_file_path (then
// file_path) is used without its leading separator, as checkov's own SARIF
// output does. A path that still cannot be used leaves the finding without
// a path, and Properties["unresolvedPath"] keeps it.
package checkov

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Adapters returns the checkov adapter, "checkov", for checkov's JSON
// report.
func Adapters() []scanners.Adapter { return []scanners.Adapter{Adapter{}} }

// Adapter reads checkov JSON reports. Its name is "checkov".
type Adapter struct{}

const (
	expected = "checkov JSON report"
	toolURI  = "https://www.checkov.io/"
)

// Name returns "checkov".
func (Adapter) Name() string { return "checkov" }

// Detect reports whether head is a JSON object or array with checkov's
// keys: check_type with failed_checks, passed_checks or skipped_checks, or
// a summary's checkov_version.
func (Adapter) Detect(head []byte) bool {
	h, ok := adapt.Sniff(head, "{[")
	if !ok {
		return false
	}
	if h.Has("checkov_version") {
		return true
	}
	return h.Has("check_type") && (h.Has("failed_checks") || h.Has("passed_checks") || h.Has("skipped_checks"))
}

// report is one check type's report.
type report struct {
	CheckType string `json:"check_type"`
	Results   *struct {
		FailedChecks  []check `json:"failed_checks"`
		SkippedChecks []check `json:"skipped_checks"`
	} `json:"results"`
	Summary struct {
		CheckovVersion string `json:"checkov_version"`
	} `json:"summary"`
	// CheckovVersion is set when checkov writes only a summary (nothing
	// was scanned).
	CheckovVersion string `json:"checkov_version"`
}

// check is one failed or skipped check.
type check struct {
	CheckID     string `json:"check_id"`
	BCCheckID   string `json:"bc_check_id"`
	CheckName   string `json:"check_name"`
	CheckResult struct {
		Result          string          `json:"result"`
		EvaluatedKeys   json.RawMessage `json:"evaluated_keys"`
		SuppressComment string          `json:"suppress_comment"`
	} `json:"check_result"`
	CodeBlock       [][2]any `json:"code_block"`
	FilePath        string   `json:"file_path"`
	FileAbsPath     string   `json:"file_abs_path"`
	RepoFilePath    string   `json:"repo_file_path"`
	FileLineRange   []int    `json:"file_line_range"`
	Resource        string   `json:"resource"`
	ResourceAddress string   `json:"resource_address"`
	CheckClass      string   `json:"check_class"`
	Severity        *string  `json:"severity"`
	BCCategory      string   `json:"bc_category"`
	Description     string   `json:"description"`
	ShortDesc       string   `json:"short_description"`
	Guideline       string   `json:"guideline"`
	Vuln            *vuln    `json:"vulnerability_details"`
}

// vuln is the vulnerability_details of an SCA check.
type vuln struct {
	ID             string `json:"id"`
	Severity       string `json:"severity"`
	PackageName    string `json:"package_name"`
	PackageVersion string `json:"package_version"`
	FixedVersion   string `json:"lowest_fixed_version"`
	Link           string `json:"link"`
	Description    string `json:"description"`
}

// Decode reads a whole checkov JSON report (a single report or an array of
// reports) and emits its failed and skipped checks.
func (Adapter) Decode(r io.Reader, name string, opts *scanners.Options, emit func(*finding.Finding) error) (finding.Tool, error) {
	tool := finding.Tool{Name: "checkov", InformationURI: toolURI}
	var root string
	if opts != nil {
		root = opts.Root
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return tool, fmt.Errorf("%s: %w", name, err)
	}
	b := bytes.TrimLeft(data, " \t\r\n\ufeff")
	var reports []report
	switch {
	case len(b) > 0 && b[0] == '[':
		err = json.Unmarshal(b, &reports)
	case len(b) > 0 && b[0] == '{':
		reports = make([]report, 1)
		err = json.Unmarshal(b, &reports[0])
	default:
		return tool, scanners.FormatError(name, expected, "not a JSON object or array")
	}
	if err != nil {
		return tool, scanners.FormatError(name, expected, err.Error())
	}
	for i, rep := range reports {
		if rep.Results == nil && rep.CheckovVersion == "" && rep.Summary.CheckovVersion == "" {
			return tool, scanners.FormatError(name, expected, fmt.Sprintf("report %d has neither results nor a checkov_version", i))
		}
		if tool.Version == "" {
			tool.Version = rep.Summary.CheckovVersion
		}
		if tool.Version == "" {
			tool.Version = rep.CheckovVersion
		}
	}
	for _, rep := range reports {
		if rep.Results == nil {
			continue
		}
		for _, list := range []struct {
			checks  []check
			skipped bool
		}{{rep.Results.FailedChecks, false}, {rep.Results.SkippedChecks, true}} {
			for i := range list.checks {
				f := convert(&list.checks[i], rep.CheckType, root, list.skipped)
				f.Tool = tool
				if err := emit(f); err != nil {
					return tool, err
				}
			}
		}
	}
	return tool, nil
}

// convert turns one check into a finding.
func convert(c *check, checkType, root string, skipped bool) *finding.Finding {
	id := c.CheckID
	if id == "" {
		id = c.BCCheckID
	}
	if id == "" {
		id = "unknown"
	}
	msg := c.CheckName
	if msg == "" {
		msg = c.ShortDesc
	}
	if msg == "" {
		msg = "checkov check " + id + " failed"
	}
	f := &finding.Finding{
		Rule: finding.Rule{
			ID:               id,
			ShortDescription: c.CheckName,
			FullDescription:  c.Description,
			HelpURI:          c.Guideline,
		},
		Message:    msg,
		Category:   finding.CategoryIaC,
		Severity:   finding.SeverityMedium,
		Properties: map[string]string{},
	}
	if c.BCCategory != "" {
		f.Rule.Tags = []string{c.BCCategory}
	}
	if c.Severity != nil && *c.Severity != "" {
		f.OriginalSeverity = *c.Severity
		if s, err := finding.ParseSeverity(*c.Severity); err == nil {
			f.Severity = s
		}
	}
	setLocation(f, c, root)
	f.Location.Resource = c.Resource
	f.Location.Snippet = snippet(c.CodeBlock)
	switch checkType {
	case "secrets":
		f.Category = finding.CategorySecret
		f.CWEs = []int{798}
		f.Location.Snippet = ""
	case "sca_package", "sca_image":
		f.Category = finding.CategoryDependency
		if checkType == "sca_image" {
			f.Category = finding.CategoryContainer
		}
		if v := c.Vuln; v != nil {
			if v.ID != "" {
				f.VulnIDs = []string{v.ID}
			}
			if v.PackageName != "" {
				f.Location.Package = &finding.Package{Name: v.PackageName, Version: v.PackageVersion, FixedVersion: v.FixedVersion}
			}
			if f.OriginalSeverity == "" && v.Severity != "" {
				f.OriginalSeverity = v.Severity
				if s, err := finding.ParseSeverity(v.Severity); err == nil {
					f.Severity = s
				}
			}
			if f.Rule.HelpURI == "" {
				f.Rule.HelpURI = v.Link
			}
			if f.Rule.FullDescription == "" {
				f.Rule.FullDescription = v.Description
			}
		}
	}
	if skipped {
		f.Suppressions = []finding.Suppression{{
			Kind:          finding.SuppressionInSource,
			Justification: c.CheckResult.SuppressComment,
			Source:        "checkov:skip comment",
		}}
	}
	adapt.Props(f,
		"bc_check_id", c.BCCheckID,
		"check_type", checkType,
		"check_class", c.CheckClass,
		"resource_address", c.ResourceAddress,
		"file_path", c.FilePath,
		"check_result", c.CheckResult.Result,
	)
	if k := c.CheckResult.EvaluatedKeys; len(k) > 0 && string(k) != "null" {
		f.Properties["evaluated_keys"] = string(k)
	}
	return f
}

// setLocation sets the finding's path and region (see the package doc).
func setLocation(f *finding.Finding, c *check, root string) {
	rel := ""
	if root != "" && c.FileAbsPath != "" {
		if p, err := finding.NormalizePath(root, c.FileAbsPath); err == nil {
			rel = p
		}
	}
	for _, p := range []string{c.RepoFilePath, c.FilePath} {
		if rel != "" || p == "" {
			continue
		}
		if q, err := finding.NormalizePath("", strings.TrimLeft(p, `/\`)); err == nil {
			rel = q
		}
	}
	if rel == "" {
		for _, p := range []string{c.RepoFilePath, c.FilePath, c.FileAbsPath} {
			if p != "" {
				f.Properties[adapt.UnresolvedPath] = p
				break
			}
		}
		return
	}
	f.Location.Path = rel
	if len(c.FileLineRange) == 2 && c.FileLineRange[0] > 0 {
		f.Location.Region.StartLine = c.FileLineRange[0]
		if c.FileLineRange[1] >= c.FileLineRange[0] {
			f.Location.Region.EndLine = c.FileLineRange[1]
		}
	}
}

// snippet joins the lines of a code_block ([[line, text], ...]).
func snippet(block [][2]any) string {
	var sb strings.Builder
	for _, l := range block {
		if s, ok := l[1].(string); ok {
			sb.WriteString(s)
		}
	}
	return sb.String()
}
