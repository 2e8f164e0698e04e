package runner_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners/runner"
)

// Each case runs a real tool when it is installed (CI installs them) and
// checks that its report turned into the findings it should.
func TestRealTools(t *testing.T) {
	app, _ := filepath.Abs("../../examples/vulnerable-app")
	mixed, _ := filepath.Abs("testdata/mixed")
	vulndb, _ := filepath.Abs("../govulncheck/testdata/vulndb")
	cases := []struct {
		tool    string
		root    string
		opts    map[string]string
		wantAny []string // rule ids, at least one of which must be reported
	}{
		{"gosec", app, nil, []string{"G201", "G204"}},
		{"gitleaks", app, nil, []string{"github-pat"}},
		{"govulncheck", app, map[string]string{"govulncheck.db": "file://" + vulndb}, []string{"GO-2023-1988"}},
		{"kube-score", app, nil, []string{"container-security-context-privileged", "pod-networkpolicy"}},
		{"bandit", mixed, nil, []string{"B602"}},
		{"shellcheck", mixed, nil, []string{"SC2086"}},
		{"cppcheck", mixed, nil, []string{"arrayIndexOutOfBounds"}},
		{"flawfinder", mixed, nil, []string{"FF1001", "FF1015"}},
	}
	tools := map[string]runner.Tool{}
	for _, tl := range runner.Tools() {
		if tl.Target == plugin.TargetDirectory {
			tools[tl.Name] = tl
		}
	}
	for _, tc := range cases {
		t.Run(tc.tool, func(t *testing.T) {
			found, missing := runner.Find([]runner.Tool{tools[tc.tool]})
			if len(found) == 0 {
				t.Skipf("%s not installed: %s", tc.tool, missing[0].Tool.Install)
			}
			s := found[0]
			var got []*finding.Finding
			err := s.Scan(context.Background(), &plugin.Request{
				Target:  plugin.Target{Kind: plugin.TargetDirectory, Root: tc.root},
				Options: tc.opts,
			}, plugin.EmitFuncs{OnFinding: func(f *finding.Finding) error { got = append(got, f); return nil }})
			if err != nil {
				t.Fatal(err)
			}
			rules := map[string]bool{}
			for _, f := range got {
				if err := f.Validate(); err != nil {
					t.Errorf("invalid finding: %v", err)
				}
				if f.Tool.Version == "" {
					t.Errorf("finding %s has no tool version", f.Rule.ID)
				}
				rules[f.Rule.ID] = true
			}
			hit := false
			for _, r := range tc.wantAny {
				hit = hit || rules[r]
			}
			if !hit {
				t.Errorf("%s reported %d findings with rules %v; want one of %v", tc.tool, len(got), keys(rules), tc.wantAny)
			}
		})
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestNotApplicableAndMissing(t *testing.T) {
	if _, err := exec.LookPath("bandit"); err != nil {
		t.Skip("bandit not installed: apt-get install bandit")
	}
	var bandit runner.Tool
	for _, tl := range runner.Tools() {
		if tl.Name == "bandit" {
			bandit = tl
		}
	}
	found, _ := runner.Find([]runner.Tool{bandit})
	var diags []plugin.Diagnostic
	app, _ := filepath.Abs("../../examples/vulnerable-app/k8s")
	err := found[0].Scan(context.Background(), &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: app}},
		plugin.EmitFuncs{OnDiagnostic: func(d plugin.Diagnostic) error { diags = append(diags, d); return nil }})
	if err != nil || len(diags) != 1 {
		t.Fatalf("scan of a tree without Python: err %v, diagnostics %v; want one 'nothing to scan' diagnostic", err, diags)
	}
	_, missing := runner.Find([]runner.Tool{{Name: "nope", Binary: "scanmux-no-such-tool", Install: "it does not exist"}})
	if len(missing) != 1 || missing[0].Tool.Install != "it does not exist" {
		t.Errorf("missing = %+v", missing)
	}
}
