package codescanning_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/scanmux/scanmux/codescanning"
)

// Check refuses, before anything is sent, what GitHub would reject, and
// returns the compressed log for an upload.
func ExampleCheck() {
	log := []byte(`{"version":"2.1.0","runs":[
	  {"tool":{"driver":{"name":"gosec","rules":[{"id":"G101","properties":{"security-severity":"high"}}]}},"results":[]},
	  {"tool":{"driver":{"name":"gosec"}},"results":[]}]}`)
	_, err := codescanning.Check(log, nil)
	var pe *codescanning.PreflightError
	if errors.As(err, &pe) {
		for _, p := range pe.Problems {
			fmt.Println(p)
		}
	}
	ok, err := codescanning.Check([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}},"results":[]}]}`), nil)
	fmt.Println(ok.Runs, ok.Results, err)
	// Output:
	// runs[0] (gosec): rule "G101": security-severity "high" is not a number
	// runs[1] (gosec): runs[0] has the same tool and category (""): GitHub rejects an upload with two runs of one tool and one category; give each its own automationDetails.id, or merge them
	// 1 0 <nil>
}

// Detect takes where to upload from GitHub Actions' variables (or git).
func ExampleDetect() {
	vars := map[string]string{
		"GITHUB_REPOSITORY": "acme/app",
		"GITHUB_SHA":        "4b6472266afd7b471e86085a6659e8c7f2b119da",
		"GITHUB_REF":        "refs/pull/42/merge",
		"GITHUB_WORKSPACE":  "/home/runner/work/app/app",
	}
	t, err := codescanning.Detect(context.Background(), codescanning.Target{}, func(k string) string { return vars[k] }, ".")
	fmt.Println(t.APIURL, t.Owner, t.Repo, t.Ref, t.CheckoutURI, err)
	// Output:
	// https://api.github.com acme app refs/pull/42/merge file:///home/runner/work/app/app <nil>
}
