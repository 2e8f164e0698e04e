// Package adapt holds the small pieces of logic that several report
// adapters share: sniffing a report's head for Detect, making a reported
// path relative to the scan root, redacting a secret, mapping confidence
// words and setting properties; and, for the built-in scanners that link a
// tool as a library, finding that library's version.
//
// It is internal to scanners/ on purpose: these are implementation
// helpers, not part of the [scanners.Adapter] contract, so they can change
// without touching package scanners' API.
package adapt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"runtime/debug"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/toolinfo"
)

// Head is the start of a report as Detect sniffs it.
type Head []byte

// Sniff returns head without a leading UTF-8 byte-order mark and white
// space, and whether what is left starts with one of the bytes of first
// (e.g. "{", "[", "{[" or "<"). The trimmed head is returned either way.
func Sniff(head []byte, first string) (Head, bool) {
	b := bytes.TrimLeft(head, " \t\r\n\ufeff")
	return Head(b), len(b) > 0 && strings.IndexByte(first, b[0]) >= 0
}

// Has reports whether h holds the quoted string "k", e.g. a JSON key.
func (h Head) Has(k string) bool { return bytes.Contains(h, []byte(`"`+k+`"`)) }

// Contains reports whether h holds s as is.
func (h Head) Contains(s string) bool { return bytes.Contains(h, []byte(s)) }

// UnresolvedPath is the property that keeps a reported path that cannot be
// made relative to the scan root.
const UnresolvedPath = "unresolvedPath"

// SetPath sets f.Location.Path to p made relative to root with
// [finding.NormalizePath], and reports whether it did. A path that cannot
// be (absolute without a root, or outside it) is kept as reported in
// f.Properties[key] instead; key is [UnresolvedPath] unless the adapter
// documents its own. An empty p sets nothing.
func SetPath(f *finding.Finding, root, p, key string) bool {
	if p == "" {
		return false
	}
	rel, err := finding.NormalizePath(root, p)
	if err != nil {
		Props(f, key, p)
		return false
	}
	f.Location.Path = rel
	return true
}

// UnresolvedRegion is the property that keeps, as
// "startLine:startColumn-endLine:endColumn", the region of a location
// whose path could not be made relative to the scan root, so that no line
// is lost and findings at different lines stay apart.
const UnresolvedRegion = "unresolvedRegion"

// SetLocation sets f's path as SetPath does, with key [UnresolvedPath],
// and, when it did, the region; when the path could not be set, the
// region is kept in f.Properties[UnresolvedRegion] instead. The
// aggregation engine places such a path under its root when it can (a
// report made in another checkout).
func SetLocation(f *finding.Finding, root, p string, r finding.Region) bool {
	if SetPath(f, root, p, UnresolvedPath) {
		f.Location.Region = r
		return true
	}
	if p != "" && !r.IsZero() {
		Props(f, UnresolvedRegion, finding.RegionText(r))
	}
	return false
}

// Props sets the pairs of kv (key, value, key, value ...) whose value is
// not empty in f.Properties, making the map when needed.
func Props(f *finding.Finding, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if f.Properties == nil {
			f.Properties = map[string]string{}
		}
		f.Properties[kv[i]] = kv[i+1]
	}
}

// Precision maps the confidence words LOW, MEDIUM and HIGH (any case), as
// bandit, gosec and Semgrep write them; anything else is unknown.
func Precision(confidence string) finding.Precision {
	switch strings.ToUpper(confidence) {
	case "HIGH":
		return finding.PrecisionHigh
	case "MEDIUM":
		return finding.PrecisionMedium
	case "LOW":
		return finding.PrecisionLow
	}
	return finding.PrecisionUnknown
}

// FingerprintSecret is the Fingerprints key of the hex SHA-256 of a
// secret's value, so that the same secret found by several tools matches.
const FingerprintSecret = toolinfo.FingerprintSecret

// Redacted replaces a secret's value wherever an adapter hides it.
const Redacted = toolinfo.Redacted

// FingerprintOf sets f.Fingerprints[FingerprintSecret] to the SHA-256 of
// secret, making the map when needed.
func FingerprintOf(f *finding.Finding, secret string) {
	sum := sha256.Sum256([]byte(secret))
	if f.Fingerprints == nil {
		f.Fingerprints = map[string]string{}
	}
	f.Fingerprints[FingerprintSecret] = hex.EncodeToString(sum[:])
}

// Redact replaces every occurrence of secret with [Redacted] in the
// strings texts points to (fields of f) and in the values of f.Properties.
// An empty secret changes nothing.
func Redact(f *finding.Finding, secret string, texts ...*string) {
	if secret == "" {
		return
	}
	for _, s := range texts {
		*s = strings.ReplaceAll(*s, secret, Redacted)
	}
	for k, v := range f.Properties {
		f.Properties[k] = strings.ReplaceAll(v, secret, Redacted)
	}
}

// ModuleVersion returns the version of module path as linked into this
// binary (the replacement's, when go.mod replaces it), or "(devel)".
func ModuleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				if d.Replace != nil {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "(devel)"
}

// LockfileEcosystems maps the names of the manifests and lock files that
// dependency scanners (osv-scanner, trivy) read to their OSV ecosystem.
var LockfileEcosystems = map[string]string{
	"package-lock.json": "npm", "npm-shrinkwrap.json": "npm", "yarn.lock": "npm", "pnpm-lock.yaml": "npm",
	"bun.lock": "npm", "package.json": "npm",
	"go.mod":           "Go",
	"requirements.txt": "PyPI", "Pipfile.lock": "PyPI", "poetry.lock": "PyPI", "pdm.lock": "PyPI", "uv.lock": "PyPI",
	"pylock.toml":  "PyPI",
	"Cargo.lock":   "crates.io",
	"Gemfile.lock": "RubyGems", "gems.locked": "RubyGems",
	"composer.lock": "Packagist",
	"pom.xml":       "Maven", "gradle.lockfile": "Maven", "buildscript-gradle.lockfile": "Maven", "verification-metadata.xml": "Maven",
	"packages.lock.json": "NuGet", "packages.config": "NuGet",
	"pubspec.lock": "Pub",
	"mix.lock":     "Hex",
	"renv.lock":    "CRAN",
	"conan.lock":   "ConanCenter",
}

// purlTypes maps OSV ecosystems to the purl types whose package URL is
// the package's name (its namespace and name) and version.
var purlTypes = map[string]string{
	"npm": "npm", "PyPI": "pypi", "Go": "golang", "crates.io": "cargo", "RubyGems": "gem",
	"Packagist": "composer", "NuGet": "nuget", "Pub": "pub", "Hex": "hex", "Maven": "maven",
}

// PURL returns the package URL of a package of OSV ecosystem eco, or ""
// when the ecosystem has no purl type made of the name and version alone.
func PURL(eco, name, version string) string {
	t, ok := purlTypes[eco]
	if !ok || name == "" || version == "" {
		return ""
	}
	switch eco {
	case "npm":
		if strings.HasPrefix(name, "@") {
			name = "%40" + name[1:]
		}
	case "PyPI":
		name = strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(name))
	case "Maven":
		name = strings.Replace(name, ":", "/", 1)
	}
	return "pkg:" + t + "/" + name + "@" + version
}
