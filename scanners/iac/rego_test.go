package iac

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/tester"
)

// TestRegoRules runs the Rego unit tests of rules/*_test.rego with OPA's
// test runner; each Rego test is a subtest.
func TestRegoRules(t *testing.T) {
	modules, err := loadModules(true)
	if err != nil {
		t.Fatal(err)
	}
	ntests := 0
	for name := range modules {
		if strings.HasSuffix(name, "_test.rego") {
			ntests++
		}
	}
	if ntests == 0 {
		t.Fatal("no rules/*_test.rego embedded")
	}
	ch, err := tester.NewRunner().
		SetModules(modules).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true).
		RunTests(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range ch {
		n++
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
	if n == 0 {
		t.Fatal("the Rego test runner ran no tests")
	}
	t.Logf("%d Rego tests", n)
}
