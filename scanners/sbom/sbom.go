// Package sbom reads software bills of materials: CycloneDX (JSON and
// XML) and SPDX (JSON and tag-value). An SBOM lists components, not
// problems, so only a CycloneDX BOM that carries vulnerabilities (as
// trivy, grype and osv-scanner write with their CycloneDX formats when
// they scan for vulnerabilities) gives findings. Any other SBOM is
// recognized, so that it is not mistaken for an unknown format, and
// refused with an error wrapping [ErrNotFindings] that says what it is.
//
// # CycloneDX
//
// Adapter "cyclonedx" reads CycloneDX JSON (bomFormat "CycloneDX") and
// XML (a <bom> root in the namespace http://cyclonedx.org/schema/bom/1.x),
// any spec version from 1.2. A BOM without vulnerabilities is not a
// findings report: Decode returns "FILE: this is an SBOM (CycloneDX 1.5),
// not a findings report", wrapping [ErrNotFindings], with the BOM's tool.
// An empty vulnerabilities array counts as none: trivy writes one in every
// CycloneDX BOM, so it cannot tell a vulnerability scan that found
// nothing from an SBOM; callers that know the file came from a
// vulnerability scan may treat the error as no findings. In a BOM with
// vulnerabilities, each pair of a vulnerability and a component it
// affects (affects[].ref) becomes one [finding.Finding]:
//
//   - Category is dependency, or container when the BOM describes a
//     container image (metadata.component.type "container"), whose name
//     is then Package.Image.
//   - Rule.ID is the vulnerability's id; Rule.ShortDescription its
//     description (osv-scanner's summary, trivy's long description cut to
//     its first sentence), Rule.FullDescription its detail or
//     description; Rule.HelpURI the first advisory's URL, else the
//     source's.
//   - VulnIDs is the id, then the ids of references (the aliases grype and
//     osv-scanner list there), without repeats.
//   - Severity is the highest of the ratings: a rating's severity word
//     through [finding.ParseSeverity] (other than "none" and "unknown"),
//     else its score through [finding.SeverityFromScore], else, for a
//     CVSS v3 vector alone (osv-scanner writes no score), the vector's base
//     score computed as CVSS 3.1 specifies. OriginalSeverity is the word,
//     score or vector that decided. When the ratings say only "unknown"
//     or "none" (grype's for a vulnerability without severity), the
//     severity is info, as package grype reads grype's "Unknown".
//     Without any usable rating the severity is medium and
//     Properties["cyclonedx.severityNote"] says it was assumed. Taking
//     the highest of several sources' ratings may rate a finding above
//     the one rating trivy's own JSON shows.
//   - CWEs are cwes.
//   - Location.Package is the affected component, found by its bom-ref
//     (nested components included) or, for a reference that is a purl
//     without version or qualifiers (osv-scanner writes "pkg:npm/lodash"),
//     by the component whose purl starts with it: Name (Maven components
//     "group:name", other grouped ones "group/name"), Version, PURL,
//     Ecosystem from the purl type (golang is "Go", npm "npm", pypi
//     "PyPI", maven "Maven", deb with distro=debian-12 "Debian:12", ...),
//     Layer from trivy's LayerDigest property. A reference that matches no
//     component is kept in Properties["cyclonedx.ref"], a purl one filling
//     the package from the purl; an empty reference (osv-scanner's, for Go
//     modules) leaves the finding without a package.
//   - Package.FixedVersion is the version of trivy's recommendation
//     "Upgrade NAME to version V" for this package, else an affects
//     version of status "unaffected", or the lower bound of its range
//     when that is one ("vers:npm/>=4.17.21", as grype writes it).
//   - Location.Path is, for dependency findings, the component's file:
//     the first evidence occurrence, trivy's FilePath property, Syft's
//     syft:location:0:path property (grype's BOMs: a path from the
//     scanned directory with a leading "/", which is dropped when the path
//     is not under Root, as package grype does), or the name of the application
//     component (trivy's lang-pkgs target, e.g. "go.mod") that depends on
//     it, directly or through other components, made relative to
//     [scanners.Options] Root ("unresolvedPath" property otherwise).
//   - A VEX analysis whose state is not_affected, false_positive or
//     resolved becomes an external [finding.Suppression] with the
//     justification and detail; the state is kept in
//     Properties["cyclonedx.analysisState"] in any case.
//   - Message is like trivy's: "NAME VERSION is affected by ID (fixed in
//     V): SHORT DESCRIPTION".
//
// Tool is the BOM's first tool (metadata.tools, the 1.4 array or 1.5's
// tools.components and tools.services): trivy, grype, cyclonedx-gomod...
// with its version; a placeholder version in brackets (grype built from
// source writes "[not provided]") is dropped. A BOM that names no tool
// (osv-scanner writes no metadata) gives the tool "cyclonedx".
//
// # SPDX
//
// Adapter "spdx" reads SPDX 2 documents, JSON (spdxVersion) and
// tag-value (SPDXVersion:). SPDX 2 has no vulnerabilities, so Decode
// always returns "FILE: this is an SBOM (SPDX-2.3), not a findings
// report", wrapping [ErrNotFindings].
package sbom

import (
	"errors"
	"fmt"

	"github.com/scanmux/scanmux/scanners"
)

// ErrNotFindings means a file is an SBOM that lists components but no
// vulnerabilities: it is not a findings report. The errors that wrap it
// wrap [scanners.ErrFormat] too.
var ErrNotFindings = errors.New("an SBOM, not a findings report")

// Adapters returns the package's adapters: "cyclonedx" and "spdx".
func Adapters() []scanners.Adapter { return []scanners.Adapter{CycloneDX{}, SPDX{}} }

// notFindingsError is the error for an SBOM without findings.
type notFindingsError struct {
	file, what string // what is e.g. "CycloneDX 1.5" or "SPDX-2.3"
}

func (e *notFindingsError) Error() string {
	return fmt.Sprintf("%s: this is an SBOM (%s), not a findings report", e.file, e.what)
}

// Unwrap returns ErrNotFindings and scanners.ErrFormat.
func (e *notFindingsError) Unwrap() []error { return []error{ErrNotFindings, scanners.ErrFormat} }
