package osvscanner

import (
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// RefineSARIF turns a finding read from osv-scanner's SARIF (osv-scanner
// --format sarif) into the finding the JSON adapter makes of the same
// vulnerability group and package, so that the two formats of one scan
// agree and deduplicate.
//
// osv-scanner's SARIF has one rule per vulnerability group, named by the
// group's "display" id (its first alias, a CVE when there is one), with
// the group's aliases as deprecatedIds, and one result per package and
// source. The facts are in texts: the result's message ("Package
// 'lodash@4.17.15' is vulnerable to 'CVE-2020-28500' (also known as
// 'GHSA-29mw-wpgm-hmr9')."), and the rule's help, which has a "## [ID]"
// heading per OSV entry of the group (sorted as osv-scanner sorts a
// group's ids), a table of the affected packages (source, name, version)
// and a table of fixed versions (entry, package, versions). RefineSARIF:
//
//   - sets Rule.ID to the group's first OSV entry (the first heading), as
//     the JSON adapter does (it uses the group's first id), and VulnIDs to
//     the group's ids then its aliases in the JSON adapter's order; the
//     rule's short description loses its "ID: " prefix and the help URI
//     is the entry's osv.dev page;
//   - sets Location.Package: name and version from the message (the full
//     commit from the affected-packages table for a package found by
//     commit), the ecosystem from the lockfile's name, the fixed version
//     as the JSON adapter chooses it (the lowest fixed version above the
//     installed one, among the entries' fixed versions for the package),
//     and the purl for the ecosystems whose purl is their name and
//     version (npm, PyPI, Go, crates.io, RubyGems, Packagist, NuGet, Pub,
//     Hex, Maven);
//   - keeps the source of a lockfile outside the scan root in "osv.source"
//     and its type in "osv.sourceType", as the JSON adapter does;
//   - adds the CVE that a distribution's OSV id names
//     (ALPINE-CVE-2022-37434, DEBIAN-CVE-…, UBUNTU-CVE-…): the SARIF
//     leaves out the record's upstream ids, which the JSON adapter reads;
//   - marks the severity of a rule without security-severity (a group
//     without a CVSS score) as assumed, as the JSON adapter does when the
//     group has neither max_severity nor a database severity.
//
// What osv-scanner's SARIF does not carry stays unknown: the entries' CWE
// ids (database_specific.cwe_ids) and GitHub severity words. A finding
// whose message is not osv-scanner's is left as it is.
func (Adapter) RefineSARIF(f *finding.Finding) {
	m := reMessage.FindStringSubmatch(f.Message)
	if m == nil {
		return
	}
	pkgStr, display := m[1], m[2]
	var aka []string
	if m[3] != "" {
		aka = strings.Split(m[3], "', '")
	}
	help := f.Rule.HelpMarkdown
	if help == "" {
		help = f.Rule.HelpText
	}
	ids := headings(help)
	affected := table(help, "### Affected Packages")
	fixedRows := table(help, "### Fixed Versions")

	// Package.
	name, version := pkgStr, ""
	if i := strings.LastIndexByte(pkgStr, '@'); i > 0 {
		name, version = pkgStr[:i], pkgStr[i+1:]
	}
	var source string
	for _, row := range affected {
		if len(row) < 3 || row[1] != name {
			continue
		}
		if row[2] == version || (len(version) >= 8 && strings.HasPrefix(row[2], version)) {
			version = row[2]
			if source == "" || sourceMatches(row[0], f) {
				source = row[0]
			}
		}
	}
	sourceType, sourcePath, _ := strings.Cut(source, ":")
	if sourcePath == "" {
		sourcePath = f.Location.Path
		if sourcePath == "" {
			sourcePath = fileURIPath(f.Properties["sarif.uri"])
		}
	}
	eco := adapt.LockfileEcosystems[path.Base(sourcePath)]
	pk := &finding.Package{Name: name, Version: version, Ecosystem: eco}
	if pk.Name == "" {
		pk.Name = "unknown"
	}
	var fixes []string
	for _, row := range fixedRows {
		if len(row) < 3 || row[1] != name || (len(ids) > 0 && !slices.Contains(ids, row[0])) {
			continue
		}
		for _, v := range strings.Split(row[2], ", ") {
			if v = strings.TrimSpace(v); v != "" {
				fixes = append(fixes, v)
			}
		}
	}
	for _, v := range fixes {
		if (version == "" || compareVersions(v, version) > 0) && (pk.FixedVersion == "" || compareVersions(v, pk.FixedVersion) < 0) {
			pk.FixedVersion = v
		}
	}
	pk.PURL = adapt.PURL(eco, name, goVersion(eco, version))
	f.Location.Package = pk
	if f.Location.Path == "" && sourcePath != "" {
		adapt.Props(f, "osv.source", sourcePath)
	}
	adapt.Props(f, "osv.sourceType", sourceType)

	// Rule and ids.
	id := display
	if len(ids) > 0 {
		id = ids[0]
	}
	vulnIDs := slices.Clone(ids)
	if len(vulnIDs) == 0 {
		vulnIDs = []string{id}
	}
	aliases := append([]string{display}, aka...)
	sort.Strings(aliases)
	for _, a := range append(aliases, distroCVEs(vulnIDs)...) {
		if a != "" && !slices.Contains(vulnIDs, a) {
			vulnIDs = append(vulnIDs, a)
		}
	}
	f.VulnIDs = vulnIDs
	if f.Rule.ID != id {
		adapt.Props(f, "osv.sarifRuleId", f.Rule.ID)
	}
	r := f.Rule
	r.ID = id
	if r.Name == display {
		r.Name = ""
	}
	r.ShortDescription = strings.TrimPrefix(r.ShortDescription, display+": ")
	if r.ShortDescription == display {
		r.ShortDescription = ""
	}
	r.HelpURI = "https://osv.dev/vulnerability/" + id
	f.Rule = r

	// Severity: without security-severity, the SARIF reader took the
	// "warning" level that osv-scanner writes for every result.
	if f.OriginalSeverity == "warning" || f.OriginalSeverity == "" {
		f.OriginalSeverity = ""
		f.Severity = finding.SeverityMedium
		adapt.Props(f, "osv.severityNote", "no security-severity in osv-scanner's SARIF (no CVSS score); medium assumed")
	}
}

// reMessage matches an osv-scanner SARIF result's message: the package
// (name@version, name@short commit, or a commit), the display id and its
// aliases.
var reMessage = regexp.MustCompile(`^Package '(.+)' is vulnerable to '([^']+)'(?: \(also known as '(.+)'\))?\.$`)

// reHeading matches the heading of an OSV entry in the help text.
var reHeading = regexp.MustCompile(`(?m)^(?:> )?#{1,3} \[([^\]]+)\]\(https://osv\.dev/`)

// headings returns the ids of the help's OSV entry headings, in order.
func headings(help string) []string {
	var ids []string
	for _, m := range reHeading.FindAllStringSubmatch(help, -1) {
		if !slices.Contains(ids, m[1]) {
			ids = append(ids, m[1])
		}
	}
	return ids
}

// table returns the rows of the Markdown table that follows the heading
// title in the help text, each as its trimmed cells, without the header
// and separator rows.
func table(help, title string) [][]string {
	i := strings.Index(help, title)
	if i < 0 {
		return nil
	}
	var rows [][]string
	n := 0
	for line := range strings.Lines(help[i+len(title):]) {
		line = strings.TrimSpace(line)
		if line == "" {
			if n > 0 {
				break
			}
			continue
		}
		if !strings.HasPrefix(line, "|") {
			break
		}
		n++
		if n <= 2 { // header and separator
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		rows = append(rows, cells)
	}
	return rows
}

// sourceMatches reports whether an affected-packages source ("lockfile:
// /abs/path") names the finding's file.
func sourceMatches(source string, f *finding.Finding) bool {
	_, p, _ := strings.Cut(source, ":")
	if p == "" {
		return false
	}
	p = strings.ReplaceAll(p, `\`, "/")
	if f.Location.Path != "" {
		return p == f.Location.Path || strings.HasSuffix(p, "/"+f.Location.Path)
	}
	return fileURIPath(f.Properties["sarif.uri"]) == p
}

// fileURIPath returns the path of a file URI, or u itself.
func fileURIPath(u string) string {
	if p, ok := strings.CutPrefix(u, "file://"); ok {
		if q, err := url.PathUnescape(p); err == nil {
			p = q
		}
		return p
	}
	return u
}
