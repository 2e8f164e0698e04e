package iac

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// runRegoTests runs the Rego tests of modules with OPA's test runner.
func runRegoTests(t *testing.T, modules map[string]*ast.Module) []*tester.Result {
	t.Helper()
	ch, err := tester.NewRunner().
		SetModules(modules).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true).
		RunTests(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	return results
}

// TestRegoRules runs the Rego unit tests of rules/*_test.rego; each Rego
// test is a subtest, and any failing or erroring Rego test fails it.
func TestRegoRules(t *testing.T) {
	modules, err := loadModules(true)
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for name := range modules {
		if strings.HasSuffix(name, "_test.rego") {
			files++
		}
	}
	if files < 4 {
		t.Fatalf("%d rules/*_test.rego files embedded, want 4", files)
	}
	results := runRegoTests(t, modules)
	if len(results) == 0 {
		t.Fatal("the Rego test runner ran no tests")
	}
	for _, r := range results {
		t.Run(r.Package+"."+r.Name, func(t *testing.T) {
			switch {
			case r.Error != nil:
				t.Errorf("%s: error: %v\n%s", r.Location, r.Error, r.Output)
			case r.Skip:
				t.Skipf("%s: skipped (todo_ test)", r.Location)
			case r.Fail:
				t.Errorf("%s: FAIL\n%s", r.Location, r.Output)
			}
		})
	}
	t.Logf("%d Rego tests", len(results))
}

// TestRegoRunnerReportsFailures checks that a failing Rego test is reported
// as failed, so TestRegoRules cannot pass vacuously.
func TestRegoRunnerReportsFailures(t *testing.T) {
	modules, err := loadModules(false)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ast.ParseModuleWithOpts("bad_test.rego", `package scanmux.iac.bad_test

import data.scanmux.iac.docker

test_wrong_expectation if {
	fs := docker.deny with input as {"kind": "dockerfile", "document": {"args": [], "stages": []}}
	count(fs) == 1
}

test_right_expectation if {
	fs := docker.deny with input as {"kind": "dockerfile", "document": {"args": [], "stages": []}}
	count(fs) == 0
}
`, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	modules["bad_test.rego"] = m
	outcome := map[string]bool{}
	for _, r := range runRegoTests(t, modules) {
		outcome[r.Name] = r.Pass()
	}
	if len(outcome) != 2 || outcome["test_wrong_expectation"] || !outcome["test_right_expectation"] {
		t.Errorf("outcomes %v, want the wrong expectation failed and the right one passed", outcome)
	}
}
