package embedded_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners/gosec/embedded"
)

func TestScanVulnerableApp(t *testing.T) {
	root, _ := filepath.Abs("../../../examples/vulnerable-app")
	var got []*finding.Finding
	err := embedded.Scanner{}.Scan(context.Background(),
		&plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: root}},
		plugin.EmitFuncs{OnFinding: func(f *finding.Finding) error { got = append(got, f); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]*finding.Finding{}
	for _, f := range got {
		if err := f.Validate(); err != nil {
			t.Errorf("invalid finding: %v", err)
		}
		if f.Tool.Name != "gosec" || f.Tool.Version != embedded.Version() {
			t.Errorf("tool = %+v", f.Tool)
		}
		if f.Location.Path != "main.go" {
			t.Errorf("path %q; want main.go relative to the root", f.Location.Path)
		}
		rules[f.Rule.ID] = f
	}
	// The flaws examples/vulnerable-app/README.md lists for gosec.
	for id, cwe := range map[string]int{"G101": 798, "G201": 89, "G204": 78, "G401": 328, "G402": 295, "G404": 338, "G501": 327} {
		f, ok := rules[id]
		if !ok {
			t.Errorf("gosec did not report %s", id)
			continue
		}
		if !slices.Contains(f.CWEs, cwe) {
			t.Errorf("%s: CWEs %v; want %d", id, f.CWEs, cwe)
		}
	}
	const secret = "ghp_R8v2Lq9Xw3Tz6Km1Np4Hs7Bd0Fg5Jc8Ye2Ua" // the app's fake credential
	for _, f := range got {
		if strings.Contains(f.Location.Snippet, secret) || strings.Contains(f.Message, secret) {
			t.Errorf("%s at line %d shows the credential", f.Rule.ID, f.Location.Region.StartLine)
		}
	}
}

func TestDescribe(t *testing.T) {
	info, err := embedded.Scanner{}.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "gosec" || len(info.Rules) < 40 || info.Version == "" {
		t.Errorf("Describe = %s %s with %d rules", info.Name, info.Version, len(info.Rules))
	}
}
