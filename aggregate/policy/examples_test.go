package policy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

const examplesDir = "../../examples/policies"

// TestExamplePoliciesRego runs the Rego tests (*_test.rego, test_ rules) of
// examples/policies with OPA's tester, compiled with the same capabilities
// and input schema as Load, so a test using a forbidden built-in or a
// misspelt input field fails here too.
func TestExamplePoliciesRego(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(examplesDir, "*.rego"))
	if err != nil {
		t.Fatal(err)
	}
	modules := map[string]*ast.Module{}
	tests := 0
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		modules[p] = m
		if strings.HasSuffix(p, "_test.rego") {
			tests++
		}
	}
	if tests < 5 {
		t.Fatalf("found %d Rego test files in %s, want at least 5", tests, examplesDir)
	}
	_, caps := forbidden(&Options{})
	compiler := ast.NewCompiler().
		WithCapabilities(caps).
		WithDefaultRegoVersion(ast.RegoV1).
		WithSchemas(inputSchemas())
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetModules(modules).
		RaiseBuiltinErrors(true).
		RunTests(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for r := range ch {
		ran++
		name := r.Package + "." + r.Name
		switch {
		case r.Error != nil:
			t.Errorf("%s: error: %v", name, r.Error)
		case r.Fail:
			t.Errorf("%s (%s): FAIL", name, r.Location)
		case r.Skip:
			t.Errorf("%s: skipped", name)
		default:
			t.Logf("%s: PASS", name)
		}
	}
	if ran < 15 {
		t.Errorf("ran %d Rego tests, want at least 15", ran)
	}
}
