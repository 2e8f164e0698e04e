package trivy

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// RefineSARIF turns a vulnerability finding read from Trivy's SARIF
// (trivy --format sarif, or the contrib/sarif.tpl template) into the
// finding the JSON adapter makes of the same vulnerability, so that the
// two formats of one scan agree and deduplicate. Misconfigurations,
// secrets and licenses are left as the SARIF reader makes them.
//
// Trivy's SARIF has one rule per vulnerability id (its help names the
// rule's first package only); each result's message holds the package
// ("Package: NAME", "Installed Version: V", "Vulnerability ID",
// "Severity: WORD", "Fixed Version: F" lines). Older shapes name a rule
// per vulnerability and package, "ID/PACKAGE" (trivy 0.15) or "[SEVERITY]
// ID" (the template), with the same lines, "Installed Version" included,
// in the rule's help. RefineSARIF:
//
//   - sets Rule.ID to the vulnerability id (for the older shapes, whose
//     rule texts then become the vulnerability's: its title and
//     description, without the package-specific help);
//   - sets Location.Package: name, installed and fixed version from those
//     lines, the ecosystem from the manifest's name (Go for a module path
//     with a Go module version, v1.2.3, as trivy names the modules of a Go
//     binary) and the purl for the ecosystems whose purl is their name and
//     version;
//   - takes the severity from Trivy's word (UNKNOWN is info), as the JSON
//     adapter does, not from the CVSS score that Trivy writes as the
//     rule's security-severity;
//   - keeps the lines of the package in its manifest (Trivy writes them
//     from the package's locations, which its JSON report lists under
//     Packages, as the JSON adapter reads them) but not Trivy's
//     placeholders: columns 1 to 1, and the region 1:1-1:1 of a package
//     without locations;
//   - for an operating-system package (rule name OsPackageVulnerability,
//     or "OS Package Vulnerability" in trivy 0.15), sets the category
//     container and moves the location, which names the image (its
//     repository, e.g. "library/alpine"; Trivy's JSON names the image as
//     scanned, e.g. "alpine:3.10"), from Path to Package.Image.
//
// What Trivy's SARIF does not carry stays unknown: the CWE ids, the
// vendor ids, the layer, and whether a language package was found in an
// image (category container in the JSON report; the SARIF reader makes
// it a dependency when its path is a manifest).
func (Adapter) RefineSARIF(f *finding.Finding) {
	var kv map[string]string
	perResult := false
	if strings.HasPrefix(f.Message, "Package: ") {
		kv, perResult = lines(f.Message), true
	} else {
		kv = lines(f.Rule.HelpText)
		if kv["installed version"] == "" {
			return // a help without the installed version names the rule's first package only
		}
	}
	id, name := kv["vulnerability"], kv["package"]
	if id == "" || name == "" {
		return
	}

	// Rule.
	if f.Rule.ID != id {
		r := finding.Rule{ID: id, Name: f.Rule.Name, HelpURI: f.Rule.HelpURI}
		r.ShortDescription = strings.TrimSuffix(f.Rule.FullDescription, ".")
		if !perResult && f.Message != "" && f.Message != r.ShortDescription+"." {
			r.FullDescription = f.Message
		}
		if r.HelpURI == "" {
			r.HelpURI = linkURL(kv["link"])
		}
		adapt.Props(f, "trivy.sarifRuleId", f.Rule.ID)
		f.Rule = r
	}
	if !slices.Contains(f.VulnIDs, id) {
		f.VulnIDs = append([]string{id}, f.VulnIDs...)
	}

	// Severity: Trivy's word.
	if w := kv["severity"]; w != "" {
		if s, err := finding.ParseSeverity(w); err == nil {
			f.Severity, f.OriginalSeverity = s, w
		}
	}

	// Location.
	osPkg := strings.Contains(f.Rule.Name, "OsPackage") || strings.HasPrefix(f.Rule.Name, "OS Package")
	image := ""
	if osPkg {
		f.Category = finding.CategoryContainer
		image = f.Location.Path
		if image == "" {
			image = f.Properties["sarif.uri"]
			delete(f.Properties, "sarif.uri")
		}
		image, _, _ = strings.Cut(image, " (")
		f.Location.Path, f.Location.Region, f.Location.Snippet = "", finding.Region{}, ""
		f.Related = slices.DeleteFunc(slices.Clone(f.Related), func(l finding.Location) bool { return l.Path == "" || l.Path == image })
	} else {
		f.Location.Region = packageRegion(f.Location.Region)
		if len(f.Related) > 0 {
			rel := slices.Clone(f.Related)
			for i := range rel {
				if rel[i].Path == f.Location.Path {
					rel[i].Region = packageRegion(rel[i].Region)
				}
			}
			f.Related = rel
		}
	}

	// Package.
	version := kv["installed version"]
	eco := adapt.LockfileEcosystems[path.Base(f.Location.Path)]
	if eco == "" && !osPkg && goModule(name, version) {
		eco = "Go" // a Go binary's module, in an image or a directory
	}
	pkg := &finding.Package{Name: name, Version: version, FixedVersion: kv["fixed version"], Ecosystem: eco,
		PURL: adapt.PURL(eco, name, version), Image: image}
	f.Location.Package = pkg
}

// reGoModule matches a Go module path: its first element is a host name.
var reGoModule = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)+(/[^/\s]+)+$`)

// goModule reports whether a package found outside a manifest is a Go
// module: a module path with a Go module version (v1.2.3), as trivy names
// the modules of a Go binary; no other ecosystem trivy reads has both.
func goModule(name, version string) bool {
	return len(version) > 1 && version[0] == 'v' && version[1] >= '0' && version[1] <= '9' && reGoModule.MatchString(name)
}

// lines reads the "Key: value" lines of a Trivy message or help text, keys
// in lower case, and its "Vulnerability ID" line under "vulnerability".
func lines(s string) map[string]string {
	kv := map[string]string{}
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if id, ok := strings.CutPrefix(line, "Vulnerability "); ok && !strings.ContainsAny(id, " :") {
			if kv["vulnerability"] == "" {
				kv["vulnerability"] = id
			}
			continue
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if _, seen := kv[k]; !seen {
			kv[k] = strings.TrimSpace(v)
		}
	}
	return kv
}

// packageRegion returns the region Trivy wrote for a package without its
// placeholders: the columns (always 1 to 1) and the region 1:1-1:1 of a
// package whose lines Trivy does not know.
func packageRegion(r finding.Region) finding.Region {
	if r.StartLine == 1 && (r.EndLine == 1 || r.EndLine == 0) && r.StartColumn <= 1 && r.EndColumn <= 1 {
		return finding.Region{}
	}
	return finding.Region{StartLine: r.StartLine, EndLine: r.EndLine}
}

// linkURL returns the URL of a "[ID](URL)" link.
func linkURL(s string) string {
	_, u, ok := strings.Cut(s, "](")
	if !ok {
		return ""
	}
	u, _, _ = strings.Cut(u, ")")
	return u
}
