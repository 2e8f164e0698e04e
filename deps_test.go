package scanmux_test

import (
	"os/exec"
	"strings"
	"testing"
)

// deps lists the packages pkg depends on, with go list -deps.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// The core packages stay light: importing scanmux never pulls in a
// scanner's library or the OPA engine.
func TestCorePackagesStayLight(t *testing.T) {
	heavy := []string{
		"github.com/securego/gosec",
		"github.com/zricethezav/gitleaks",
		"github.com/open-policy-agent/opa",
		"github.com/hashicorp/hcl",
		"github.com/scanmux/scanmux/scanners",
		"github.com/scanmux/scanmux/aggregate/policy",
	}
	for _, pkg := range []string{"./finding", "./plugin", "./sarif", "./aggregate"} {
		for _, d := range deps(t, pkg) {
			for _, h := range heavy {
				if strings.HasPrefix(d, h) {
					t.Errorf("%s depends on %s", pkg, d)
				}
			}
		}
	}
}

// The finding model uses the standard library only.
func TestFindingIsStandardLibraryOnly(t *testing.T) {
	for _, d := range deps(t, "./finding") {
		first, _, _ := strings.Cut(d, "/")
		if strings.Contains(first, ".") && d != "github.com/scanmux/scanmux/finding" {
			t.Errorf("finding depends on %s", d)
		}
	}
}

// The report adapters stay light too: merge and import never link gosec,
// gitleaks or OPA.
func TestAdaptersStayLight(t *testing.T) {
	for _, d := range deps(t, "./scanners/registry") {
		for _, h := range []string{"github.com/securego/gosec", "github.com/zricethezav/gitleaks", "github.com/open-policy-agent/opa"} {
			if strings.HasPrefix(d, h) {
				t.Errorf("scanners/registry depends on %s", d)
			}
		}
	}
}
