package adapt

import "strings"

// distroNames maps os-release ids (as trivy and grype name a distribution)
// to the distribution's name in OSV ecosystems.
var distroNames = map[string]string{
	"alpine": "Alpine", "debian": "Debian", "ubuntu": "Ubuntu", "rocky": "Rocky Linux", "alma": "AlmaLinux",
	"almalinux": "AlmaLinux", "redhat": "Red Hat", "rhel": "Red Hat", "wolfi": "Wolfi", "chainguard": "Chainguard",
	"opensuse": "openSUSE", "opensuse-leap": "openSUSE", "sles": "SUSE", "photon": "Photon OS", "mageia": "Mageia",
	"azurelinux": "Azure Linux", "minimos": "MinimOS", "echo": "Echo", "bottlerocket": "Bottlerocket",
}

// DistroEcosystem returns the OSV ecosystem of a Linux distribution's
// packages, from its id (alpine, debian, ubuntu… in any case) and version
// as an image's os-release gives them, so that every scanner's report of
// one package names one ecosystem: Alpine's is its release branch
// (3.16.0 is Alpine:v3.16), Debian's its major version (12.5 is
// Debian:12), Ubuntu's and the others' the version as given (Ubuntu:22.04).
// An id OSV has no name for is capitalized; an empty version gives the
// name alone.
func DistroEcosystem(id, version string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return ""
	}
	n, ok := distroNames[id]
	if !ok {
		n = strings.ToUpper(id[:1]) + id[1:]
	}
	v := strings.TrimPrefix(strings.TrimSpace(version), "v")
	if v == "" {
		return n
	}
	parts := strings.Split(v, ".")
	switch n {
	case "Alpine":
		if len(parts) >= 2 && isDigits(parts[0]) && isDigits(parts[1]) {
			return n + ":v" + parts[0] + "." + parts[1]
		}
		if v == "edge" {
			return n + ":edge"
		}
	case "Debian":
		if isDigits(parts[0]) {
			return n + ":" + parts[0]
		}
	}
	return n + ":" + v
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
