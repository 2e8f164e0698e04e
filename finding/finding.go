// Package finding is scanmux's normalized model of what a security tool
// reports: one [Finding] per issue, whatever the tool or its kind.
//
// The model splits what is the same for every occurrence of an issue type
// (the [Rule], which becomes a SARIF rule) from what belongs to one
// occurrence (message, [Location], fingerprints, which become a SARIF
// result). It has no I/O and depends on the standard library only.
//
// Invariants, checked by [Finding.Validate]:
//   - Paths are relative to the scan root, use "/" and never start with
//     "../" (see [NormalizePath]).
//   - Lines and columns start at 1; 0 means unknown. Columns count
//     UTF-16 code units, as SARIF's default does.
//   - All strings are valid UTF-8.
package finding

import (
	"maps"
	"strconv"
	"strings"
)

// Finding is one issue reported by one tool. The zero value is not valid:
// a finding needs at least a tool name, a rule id, a message, a category and
// a severity.
type Finding struct {
	// Tool is the scanner that reported the finding. Required: Name.
	Tool Tool

	// Rule is the check that fired. Required: ID.
	Rule Rule

	// Message says what is wrong at this location, in plain text. Required.
	Message string

	// Category is the kind of scanner that found it. Required.
	Category Category

	// Severity is the normalized severity. Required (SeverityInfo at least).
	Severity Severity

	// OriginalSeverity is the tool's own severity, as the tool wrote it
	// ("HIGH", "error", "7.5", "3" ...). Optional.
	OriginalSeverity string

	// Precision is how sure the tool is that this is a true positive.
	// Optional; the empty value means unknown.
	Precision Precision

	// CWEs lists the CWE numbers (79 for CWE-79), ascending and distinct.
	// Optional.
	CWEs []int

	// VulnIDs lists vulnerability identifiers such as "CVE-2023-1234" or
	// "GHSA-xxxx-xxxx-xxxx", the primary one first. Optional.
	VulnIDs []string

	// Location says where the issue is. Which fields are set depends on the
	// category: see [Location].
	Location Location

	// Related lists other locations that help explain the finding (SARIF
	// relatedLocations). Optional.
	Related []Location

	// Flows lists data-flow paths from source to sink (SARIF codeFlows).
	// Optional.
	Flows []Flow

	// Fingerprints holds identities of this finding, keyed by a versioned
	// name: "primaryLocationLineHash" (GitHub's, see [LineHashes]) and
	// scanmux's own keys such as "scanmux/v1". Optional.
	Fingerprints map[string]string

	// ID is scanmux's identity of the issue across runs ("v2:" or, from
	// older logs, "v1:" and 32 hex digits), set by aggregate.Identify and
	// written to SARIF as the partial fingerprint of its version (see
	// [IDKey]). It has a field of its own,
	// not a Fingerprints key, because every finding gets one: a map each
	// would be a quarter of a large merge's memory. Optional.
	ID string

	// Suppressions records why the finding is not reported, if it is not.
	// A suppressed finding is kept, never dropped. Optional.
	Suppressions []Suppression

	// Properties holds tool-specific facts that have no field of their own.
	// Values are plain strings; structured values are JSON text. Optional.
	Properties map[string]string

	// Also lists the other reports of the same issue that deduplication
	// merged into this finding, one per tool and rule, each with why it
	// matched. The finding's own fields are the primary report. Optional.
	Also []Report

	// Baseline is the finding's state against a baseline scan; empty when
	// no baseline was given.
	Baseline BaselineState
}

// AllFingerprints returns f's fingerprints with its identity, if any,
// under its version's key ([IDKey]), as SARIF and the plugin protocol
// carry them: f.Fingerprints itself when f has no ID, else a copy.
func (f *Finding) AllFingerprints() map[string]string {
	if f.ID == "" {
		return f.Fingerprints
	}
	fp := make(map[string]string, len(f.Fingerprints)+1)
	maps.Copy(fp, f.Fingerprints)
	fp[IDKey(f.ID)] = f.ID
	return fp
}

// IDKey returns the fingerprint key an identity is written under:
// [FingerprintScanmuxV2] for a "v2:" identity, [FingerprintScanmuxV1]
// for the others.
func IDKey(id string) string {
	if strings.HasPrefix(id, "v2:") {
		return FingerprintScanmuxV2
	}
	return FingerprintScanmuxV1
}

// Report is one tool's report of an issue, kept when deduplication merges
// it into another finding.
type Report struct {
	// Tool is the tool that reported it.
	Tool Tool
	// RuleID is that tool's rule.
	RuleID string
	// Severity is that report's normalized severity.
	Severity Severity
	// OriginalSeverity is that tool's own severity string.
	OriginalSeverity string
	// Message is that tool's message.
	Message string
	// Location is where that tool placed it.
	Location Location
	// Match says which keys matched the primary finding, e.g.
	// "file+lines+CWE-798" or "vuln:CVE-2023-1234+package".
	Match string
}

// BaselineState is a finding's state against a baseline, as in SARIF's
// result.baselineState.
type BaselineState string

const (
	// BaselineNew means the finding is not in the baseline.
	BaselineNew BaselineState = "new"
	// BaselineUnchanged means the finding is in the baseline, unchanged.
	BaselineUnchanged BaselineState = "unchanged"
	// BaselineUpdated means the finding is in the baseline but changed (for
	// example its severity).
	BaselineUpdated BaselineState = "updated"
	// BaselineAbsent means the finding was in the baseline and is gone.
	BaselineAbsent BaselineState = "absent"
)

// Tool identifies a scanner.
type Tool struct {
	// Name is the tool's name, e.g. "gosec". Required. scanmux's readers
	// set it to the tool's canonical id (lower case, see package toolinfo),
	// so that every format of one tool names the same tool.
	Name string
	// FullName is the name the tool's report gave it, when it differs
	// from Name: SARIF's driver name ("Golang Security Checker", "ESLint").
	// Optional.
	FullName string
	// Version is the tool's version, e.g. "2.30.0". Optional.
	Version string
	// InformationURI is the tool's home page. Optional.
	InformationURI string
}

// Rule describes a check: the facts shared by every finding it produces.
type Rule struct {
	// ID is the tool's identifier for the rule, e.g. "G101". Required.
	ID string
	// Name is a short readable name, e.g. "HardcodedCredentials". Optional.
	Name string
	// ShortDescription is a one-line description. Optional.
	ShortDescription string
	// FullDescription is a longer description. Optional.
	FullDescription string
	// HelpText is remediation advice in plain text. Optional.
	HelpText string
	// HelpMarkdown is remediation advice in Markdown. Optional.
	HelpMarkdown string
	// HelpURI links to the rule's documentation. Optional.
	HelpURI string
	// Tags are free-form labels such as "security" or "owasp-a03". Optional.
	Tags []string
}

// SameTexts reports whether r and o have the same name, descriptions, help
// and help URI. Strings that share their bytes, as the findings of one rule
// read from a report do, compare in constant time.
func (r *Rule) SameTexts(o *Rule) bool {
	return r.Name == o.Name && r.ShortDescription == o.ShortDescription &&
		r.FullDescription == o.FullDescription && r.HelpText == o.HelpText &&
		r.HelpMarkdown == o.HelpMarkdown && r.HelpURI == o.HelpURI
}

// Location says where a finding is. Which fields are set depends on the
// finding's category:
//
//   - source (sast, secret): Path and Region, Snippet when known;
//   - iac: Path and Region of the file, Resource names the resource;
//   - dependency, container: Package, with Path pointing at the manifest or
//     Dockerfile when known (go.mod, package-lock.json);
//   - dast: Web; Path is usually empty.
//
// Any kind may carry a Path; only the fields that apply need be set.
type Location struct {
	// Path is the file, relative to the scan root, with "/" separators.
	Path string
	// Region is the part of the file. The zero Region means the whole file.
	Region Region
	// Snippet is the source text of the region, if known. For secrets it
	// must be redacted.
	Snippet string
	// Resource is an infrastructure resource address, e.g.
	// "aws_s3_bucket.public" or "Deployment/default/web".
	Resource string
	// Package describes a dependency or an image's package. Optional.
	Package *Package
	// Web describes a finding on a URL. Optional.
	Web *Web
	// Message explains this location's role, for related locations and flow
	// steps ("tainted value enters here"). Optional.
	Message string
}

// Region is a part of a text file. Lines and columns start at 1; 0 means
// unknown. End positions are inclusive for lines and exclusive for columns,
// as in SARIF.
type Region struct {
	StartLine   int
	StartColumn int
	EndLine     int
	EndColumn   int
}

// IsZero reports whether r is the zero Region (the whole file).
func (r Region) IsZero() bool { return r == Region{} }

// RegionText returns r as "startLine:startColumn-endLine:endColumn", with 0
// for what is unknown ("12:5-12:20"): the form in which readers keep, in a
// finding's properties, the region of a location they could not place.
// ParseRegionText reads it back.
func RegionText(r Region) string {
	return strconv.Itoa(r.StartLine) + ":" + strconv.Itoa(r.StartColumn) + "-" + strconv.Itoa(r.EndLine) + ":" + strconv.Itoa(r.EndColumn)
}

// ParseRegionText reads a region written by RegionText; ok is false when s
// is not one or has no start line.
func ParseRegionText(s string) (r Region, ok bool) {
	start, end, found := strings.Cut(s, "-")
	if !found {
		return Region{}, false
	}
	for _, c := range []struct {
		text      string
		line, col *int
	}{{start, &r.StartLine, &r.StartColumn}, {end, &r.EndLine, &r.EndColumn}} {
		l, col, found := strings.Cut(c.text, ":")
		var err1, err2 error
		*c.line, err1 = strconv.Atoi(l)
		*c.col, err2 = strconv.Atoi(col)
		if !found || err1 != nil || err2 != nil {
			return Region{}, false
		}
	}
	return r, r.StartLine > 0
}

// Package is a software package found in a dependency manifest or a
// container image.
type Package struct {
	// Name is the package name in its ecosystem, e.g. "golang.org/x/net".
	Name string
	// Version is the installed version.
	Version string
	// FixedVersion is the first version without the vulnerability, if known.
	FixedVersion string
	// Ecosystem is the OSV ecosystem name, e.g. "Go", "npm", "Debian:12".
	Ecosystem string
	// PURL is the package URL, e.g. "pkg:golang/golang.org/x/net@v0.1.0".
	PURL string
	// Image is the container image reference, for container findings.
	Image string
	// Layer is the digest of the image layer that added the package.
	Layer string
}

// Web locates a finding on a web application.
type Web struct {
	// URL is the full URL that was tested.
	URL string
	// Method is the HTTP method, e.g. "GET".
	Method string
	// Parameter is the name of the vulnerable parameter or header, if any.
	Parameter string
	// Evidence is what in the response proves the issue, if any.
	Evidence string
}

// Flow is one path of data through the program, e.g. from a tainted source
// to a sink.
type Flow struct {
	// Message describes the flow. Optional.
	Message string
	// Steps are the locations in order, source first.
	Steps []Location
}

// Suppression records why a finding is not reported.
type Suppression struct {
	// Kind is where the suppression was stated.
	Kind SuppressionKind
	// Status is the suppression's review state; the empty value means
	// accepted.
	Status SuppressionStatus
	// Justification is the reason given. Optional but encouraged.
	Justification string
	// Source names what suppressed the finding, e.g. "nosec comment",
	// ".scanmux.yaml", "policy/prod.rego". Optional.
	Source string
}

// SuppressionKind says where a suppression was stated, as in SARIF.
type SuppressionKind string

const (
	// SuppressionInSource is a suppression written in the scanned code,
	// such as a "#nosec" comment.
	SuppressionInSource SuppressionKind = "inSource"
	// SuppressionExternal is a suppression stated outside the code, such as
	// an ignore file, a baseline or a policy.
	SuppressionExternal SuppressionKind = "external"
)

// SuppressionStatus is the review state of a suppression, as in SARIF.
type SuppressionStatus string

const (
	// SuppressionAccepted means the suppression is in force.
	SuppressionAccepted SuppressionStatus = "accepted"
	// SuppressionUnderReview means the suppression awaits review.
	SuppressionUnderReview SuppressionStatus = "underReview"
	// SuppressionRejected means the suppression was refused.
	SuppressionRejected SuppressionStatus = "rejected"
)

// Suppressed reports whether f has a suppression in force (any suppression
// whose status is empty or accepted).
func (f *Finding) Suppressed() bool {
	for _, s := range f.Suppressions {
		if s.Status == "" || s.Status == SuppressionAccepted {
			return true
		}
	}
	return false
}

// Precision is a tool's confidence that a finding is a true positive. The
// values are SARIF's (and GitHub's) "precision" property values.
type Precision string

const (
	// PrecisionUnknown means the tool did not say.
	PrecisionUnknown Precision = ""
	// PrecisionLow means many false positives are expected.
	PrecisionLow Precision = "low"
	// PrecisionMedium means some false positives are expected.
	PrecisionMedium Precision = "medium"
	// PrecisionHigh means false positives are rare.
	PrecisionHigh Precision = "high"
	// PrecisionVeryHigh means false positives are very rare.
	PrecisionVeryHigh Precision = "very-high"
)

// Category is the kind of scanner, and so the kind of finding.
type Category string

const (
	// CategorySAST is static analysis of source code (gosec, semgrep, CodeQL).
	CategorySAST Category = "sast"
	// CategorySecret is a leaked credential (gitleaks).
	CategorySecret Category = "secret"
	// CategoryIaC is infrastructure as code (checkov, kics, trivy config).
	CategoryIaC Category = "iac"
	// CategoryDependency is a vulnerable dependency (govulncheck, osv-scanner).
	CategoryDependency Category = "dependency"
	// CategoryContainer is a vulnerable package in a container image (trivy,
	// grype).
	CategoryContainer Category = "container"
	// CategoryDAST is dynamic testing of a running application (ZAP, nuclei).
	CategoryDAST Category = "dast"
	// CategoryQuality is a code-quality finding (staticcheck's unused code,
	// deprecated calls): not a vulnerability, reported at low or below.
	CategoryQuality Category = "quality"
	// CategoryOther is anything else.
	CategoryOther Category = "other"
)

// Categories lists every category, in a fixed order.
var Categories = []Category{
	CategorySAST, CategorySecret, CategoryIaC, CategoryDependency,
	CategoryContainer, CategoryDAST, CategoryQuality, CategoryOther,
}

// Valid reports whether c is one of the defined categories.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// ParseCategory returns the category named s ("sast", "secret", ...).
func ParseCategory(s string) (Category, bool) {
	c := Category(s)
	return c, c.Valid()
}
