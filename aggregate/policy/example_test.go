package policy_test

import (
	"context"
	"fmt"

	"github.com/scanmux/scanmux/aggregate/policy"
	"github.com/scanmux/scanmux/finding"
)

func ExampleLoad() {
	ctx := context.Background()
	p, err := policy.Load(ctx, []string{"../../examples/policies"}, &policy.Options{
		Context: map[string]any{
			"environment":         "production",
			"branch":              "main",
			"now":                 "2025-11-20T08:00:00Z",
			"new_vulnerabilities": []string{"GO-2025-3563"},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range []*finding.Finding{{
		Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G304"},
		Category: finding.CategorySAST, Severity: finding.SeverityHigh,
		Location: finding.Location{Path: "internal/load/load_test.go"},
	}, {
		Tool: finding.Tool{Name: "govulncheck"}, Rule: finding.Rule{ID: "GO-2025-3563"},
		Category: finding.CategoryDependency, Severity: finding.SeverityMedium,
		VulnIDs:  []string{"GO-2025-3563"},
		Location: finding.Location{Path: "go.mod", Package: &finding.Package{Name: "stdlib", Version: "1.24.1"}},
	}, {
		Tool: finding.Tool{Name: "gitleaks"}, Rule: finding.Rule{ID: "aws-access-token"},
		Category: finding.CategorySecret, Severity: finding.SeverityCritical,
		Location: finding.Location{Path: "deploy/env.sh"},
	}} {
		v, err := p.Apply(ctx, f)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %s:\n", f.Rule.ID, f.Location.Path)
		if v.Suppress != nil {
			fmt.Printf("  suppressed (%s): %s\n", v.Suppress.Source, v.Suppress.Justification)
		}
		if v.Severity != finding.SeverityUnset {
			fmt.Printf("  severity %s: %s\n", v.Severity, v.SeverityReason)
		}
		for _, d := range v.Deny {
			fmt.Printf("  deny: %s\n", d)
		}
	}
	// Output:
	// G304 internal/load/load_test.go:
	//   suppressed (policy:../../examples/policies/testfiles.rego): test code: findings in tests and test data are not shipped
	// GO-2025-3563 go.mod:
	//   severity critical: newly published: GO-2025-3563
	// aws-access-token deploy/env.sh:
	//   deny: critical gitleaks finding aws-access-token blocks the production deploy of main
}

func ExampleLoad_forbiddenBuiltin() {
	_, err := policy.Load(context.Background(), []string{"testdata/exfiltrate.rego"}, nil)
	fmt.Println(err)
	// Output:
	// testdata/exfiltrate.rego:5: built-in http.send is not allowed: it reaches the network (Options.AllowNetwork enables it)
}
