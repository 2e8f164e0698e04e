package embedded_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners/gitleaks/embedded"
)

func TestScanVulnerableApp(t *testing.T) {
	const secret = "ghp_R8v2Lq9Xw3Tz6Km1Np4Hs7Bd0Fg5Jc8Ye2Ua" // the app's fake credential
	root, _ := filepath.Abs("../../../examples/vulnerable-app")
	var got []*finding.Finding
	err := embedded.Scanner{}.Scan(context.Background(),
		&plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: root}},
		plugin.EmitFuncs{OnFinding: func(f *finding.Finding) error { got = append(got, f); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	var pat *finding.Finding
	for _, f := range got {
		if err := f.Validate(); err != nil {
			t.Errorf("invalid finding: %v", err)
		}
		if f.Category != finding.CategorySecret || f.Tool.Name != "gitleaks" {
			t.Errorf("finding %s: category %s tool %s", f.Rule.ID, f.Category, f.Tool.Name)
		}
		for _, s := range []string{f.Message, f.Location.Snippet, f.Properties["match"]} {
			if strings.Contains(s, secret) {
				t.Errorf("finding %s shows the secret", f.Rule.ID)
			}
		}
		if f.Rule.ID == "github-pat" {
			pat = f
		}
	}
	if pat == nil {
		t.Fatalf("gitleaks did not find the GitHub token; got %d findings", len(got))
	}
	if pat.Location.Path != "main.go" || pat.Location.Region.StartLine != 22 {
		t.Errorf("github-pat at %s:%d; want main.go:22", pat.Location.Path, pat.Location.Region.StartLine)
	}
	if pat.Fingerprints["secret/sha256"] == "" {
		t.Error("no secret/sha256 fingerprint for deduplication")
	}
}

func TestDescribe(t *testing.T) {
	info, err := embedded.Scanner{}.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "gitleaks" || len(info.Rules) < 100 {
		t.Errorf("Describe = %s %s with %d rules", info.Name, info.Version, len(info.Rules))
	}
}
