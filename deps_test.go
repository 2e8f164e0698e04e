package scanmux_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// deps lists the packages pkgs depend on, with go list -deps: for several
// packages, what a program importing all of them links.
func deps(t *testing.T, pkgs ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-deps"}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", strings.Join(pkgs, " "), err)
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

// A program that merges SARIF with aggregate and sarif alone links no
// gRPC, go-plugin or yamux: those belong to package plugin, which reaches
// the engine only through aggregate/pluginsource.
func TestMergeLinksNoPluginStack(t *testing.T) {
	ds := deps(t, "./aggregate", "./sarif")
	for _, d := range ds {
		for _, h := range []string{"google.golang.org/grpc", "github.com/hashicorp/go-plugin", "github.com/hashicorp/yamux", "github.com/scanmux/scanmux/plugin"} {
			if d == h || strings.HasPrefix(d, h+"/") {
				t.Errorf("aggregate and sarif depend on %s", d)
			}
		}
	}
	// The check has teeth: the plugin source adapter does link them.
	if !slices.Contains(deps(t, "./aggregate/pluginsource"), "google.golang.org/grpc") {
		t.Error("aggregate/pluginsource does not depend on google.golang.org/grpc: is the list of packages right?")
	}
}
