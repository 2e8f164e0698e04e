package view

import (
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
)

func TestWhereAndLinks(t *testing.T) {
	for _, tc := range []struct {
		l           finding.Location
		where, link string
	}{
		{finding.Location{Path: "a b/c#.go", Region: finding.Region{StartLine: 3, EndLine: 5}}, "a b/c#.go:3-5", "https://h/o/r/blob/s/a%20b/c%23.go#L3-L5"},
		{finding.Location{Path: "go.mod", Resource: "mod"}, "go.mod (mod)", "https://h/o/r/blob/s/go.mod"},
		{finding.Location{Package: &finding.Package{Name: "openssl", Version: "3.0", Image: "alpine:3"}}, "openssl@3.0 in alpine:3", ""},
		{finding.Location{Web: &finding.Web{Method: "GET", URL: "http://x/y"}}, "GET http://x/y", ""},
	} {
		if got := Where(&tc.l); got != tc.where {
			t.Errorf("Where = %q, want %q", got, tc.where)
		}
		links := LinkBase(&report.Options{Params: map[string]string{"link-base": "https://h/o/r/blob/s"}})
		if got := links.Link(&tc.l); got != tc.link {
			t.Errorf("Link = %q, want %q", got, tc.link)
		}
	}
	t.Setenv("GITHUB_SERVER_URL", "javascript:alert(1)")
	t.Setenv("GITHUB_REPOSITORY", "o/r")
	t.Setenv("GITHUB_SHA", "s")
	t.Setenv("CI_PROJECT_URL", "")
	if l := LinkBase(nil); l.Base != "" {
		t.Errorf("a non-http server gives links: %q", l.Base)
	}
}

func TestStateAndReason(t *testing.T) {
	f := &finding.Finding{Tool: finding.Tool{Name: "a"}, Also: []finding.Report{{Tool: finding.Tool{Name: "b"}}, {Tool: finding.Tool{Name: "a"}}}}
	if State(f) != StateOpen {
		t.Errorf("State = %s", State(f))
	}
	f.Baseline = finding.BaselineNew
	if State(f) != StateNew {
		t.Errorf("State = %s", State(f))
	}
	f.Suppressions = []finding.Suppression{{Justification: "fp", Source: "inline"}, {Status: finding.SuppressionRejected, Justification: "no"}, {Source: "x"}}
	if State(f) != StateSuppressed || Reason(f) != "fp (inline); no reason given (x)" {
		t.Errorf("State %s, Reason %q", State(f), Reason(f))
	}
	if got := Tools(f); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("Tools = %v", got)
	}
}
