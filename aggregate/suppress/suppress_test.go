package suppress_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanmux/scanmux/aggregate/suppress"
	"github.com/scanmux/scanmux/finding"
)

func fnd(tool, rule, path string, start, end int) *finding.Finding {
	return &finding.Finding{
		Tool:     finding.Tool{Name: tool},
		Rule:     finding.Rule{ID: rule},
		Message:  "m",
		Category: finding.CategorySAST,
		Severity: finding.SeverityHigh,
		Location: finding.Location{Path: path, Region: finding.Region{StartLine: start, EndLine: end}},
	}
}

func TestInline(t *testing.T) {
	in := suppress.NewInline("testdata/src")
	tests := []struct {
		reason string
		f      *finding.Finding
		source string // "" = not suppressed
		just   string
	}{
		{"#nosec naming the rule, with a reason", fnd("gosec", "G101", "app.go", 9, 9), "inline:#nosec", "test fixture, not a real credential"},
		{"#nosec is gosec's: semgrep on the same line stays", fnd("semgrep", "go.secrets", "app.go", 9, 9), "", ""},
		{"#nosec is gosec's: gitleaks on the same line stays", fnd("gitleaks", "generic-api-key", "app.go", 9, 9), "", ""},
		{"#nosec on the line above", fnd("gosec", "G401", "app.go", 12, 12), "inline:#nosec", "#nosec G401"},
		{"//nolint:gosec", fnd("gosec", "G201", "app.go", 14, 14), "inline:nolint", "//nolint:gosec"},
		{"//nolint:gosec does not name staticcheck", fnd("staticcheck", "SA1019", "app.go", 14, 14), "", ""},
		{"gitleaks:allow", fnd("gitleaks", "github-pat", "app.go", 16, 16), "inline:gitleaks:allow", "gitleaks:allow"},
		{"gitleaks:allow is gitleaks'", fnd("gosec", "G101", "app.go", 16, 16), "", ""},
		{"#nosec G101 does not name G202", fnd("gosec", "G202", "app.go", 18, 18), "", ""},
		{"scanmux:ignore TOOL/RULE on the line above", fnd("semgrep", "go.lang.security.audit.sqli", "app.go", 21, 21), "inline:scanmux:ignore", "parameterized upstream"},
		{"scanmux:ignore names semgrep only", fnd("gosec", "G202", "app.go", 21, 21), "", ""},
		{"NOSONAR", fnd("sonarqube", "go:S1186", "app.go", 23, 23), "inline:NOSONAR", "NOSONAR"},
		{"NOSONAR is Sonar's", fnd("gosec", "G104", "app.go", 23, 23), "", ""},
		{"bandit # nosec B602", fnd("bandit", "B602", "tool.py", 3, 3), "inline:#nosec", "#nosec B602"},
		{"bandit # nosec B101 does not name B602", fnd("bandit", "B602", "tool.py", 4, 4), "", ""},
		{"checkov:skip inside the resource", fnd("checkov", "CKV_AWS_20", "main.tf", 1, 5), "inline:checkov:skip", "public website bucket by design"},
		{"checkov:skip names another check", fnd("checkov", "CKV_AWS_21", "main.tf", 1, 5), "", ""},
		{"trivy:ignore above the resource", fnd("trivy", "AVD-AWS-0086", "main.tf", 8, 10), "inline:trivy:ignore", "trivy:ignore:AVD-AWS-0086"},
		{"trivy:ignore names another check", fnd("trivy", "AVD-AWS-0087", "main.tf", 8, 10), "", ""},
		{"missing file", fnd("gosec", "G101", "nope.go", 1, 1), "", ""},
		{"line past the end", fnd("gosec", "G101", "app.go", 999, 999), "", ""},
		{"no line", fnd("gosec", "G101", "app.go", 0, 0), "", ""},
	}
	for _, tt := range tests {
		v, err := in.Apply(context.Background(), tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.reason, err)
		}
		if tt.source == "" {
			if v.Suppress != nil {
				t.Errorf("%s: suppressed by %+v; want not suppressed", tt.reason, v.Suppress)
			}
			continue
		}
		s := v.Suppress
		if s == nil {
			t.Errorf("%s: not suppressed; want %s", tt.reason, tt.source)
			continue
		}
		if s.Source != tt.source || s.Justification != tt.just || s.Kind != finding.SuppressionInSource || s.Status != finding.SuppressionAccepted {
			t.Errorf("%s: suppression %+v; want source %q justification %q, inSource, accepted", tt.reason, s, tt.source, tt.just)
		}
	}
}

const ignoreYAML = `# .scanmux.yaml
category: backend
ignore:
  - rule: G104
    reason: errors are checked by the wrapper
  - rule: semgrep/go.lang.security.audit.sqli
    path: "internal/legacy/**"
    reason: legacy code, rewrite tracked in SEC-12
  - vuln: GHSA-qppj-fm5r-hxr3
    reason: HTTP/2 is off in this service
  - fingerprint: "v1:abc123"
    reason: accepted risk, see SEC-40
  - tool: checkov
    path: "**/*.tf"
    reason: IaC is reviewed by the platform team
    expires: 2026-01-31
  - rule: G999
    reason: never matches
`

func TestIgnoreFile(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	ig, err := suppress.ParseIgnore(".scanmux.yaml", []byte(ignoreYAML), now)
	if err != nil {
		t.Fatal(err)
	}
	if ig.Len() != 6 {
		t.Fatalf("Len = %d; want 6", ig.Len())
	}
	dep := fnd("govulncheck", "GO-2024-2687", "go.mod", 0, 0)
	dep.VulnIDs = []string{"GO-2024-2687", "CVE-2023-45288", "GHSA-qppj-fm5r-hxr3"}
	fp := fnd("gosec", "G304", "a.go", 3, 3)
	fp.ID = "v1:abc123"
	tests := []struct {
		reason string
		f      *finding.Finding
		source string
	}{
		{"rule, any tool", fnd("gosec", "G104", "main.go", 5, 5), ".scanmux.yaml:4"},
		{"tool/rule under a ** glob", fnd("semgrep", "go.lang.security.audit.sqli", "internal/legacy/db/q.go", 5, 5), ".scanmux.yaml:6"},
		{"tool/rule outside the glob", fnd("semgrep", "go.lang.security.audit.sqli", "internal/api/q.go", 5, 5), ""},
		{"tool/rule, other tool", fnd("gosec", "go.lang.security.audit.sqli", "internal/legacy/q.go", 5, 5), ""},
		{"vulnerability alias", dep, ".scanmux.yaml:9"},
		{"fingerprint", fp, ".scanmux.yaml:11"},
		{"expired entry suppresses nothing", fnd("checkov", "CKV_AWS_20", "infra/main.tf", 1, 5), ""},
	}
	for _, tt := range tests {
		v, err := ig.Apply(context.Background(), tt.f)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tt.source == "" && v.Suppress != nil:
			t.Errorf("%s: suppressed by %+v", tt.reason, v.Suppress)
		case tt.source != "" && (v.Suppress == nil || v.Suppress.Source != tt.source || v.Suppress.Kind != finding.SuppressionExternal || v.Suppress.Justification == ""):
			t.Errorf("%s: suppression %+v; want external from %s with the entry's reason", tt.reason, v.Suppress, tt.source)
		}
	}
	w := strings.Join(ig.Warnings(), "\n")
	for _, want := range []string{
		".scanmux.yaml:13: ignore entry expired on 2026-01-31 and no longer suppresses checkov CKV_AWS_20 at infra/main.tf:1",
		".scanmux.yaml:17: ignore entry matched no finding",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	if strings.Contains(w, ".scanmux.yaml:4:") {
		t.Errorf("a used entry was reported stale:\n%s", w)
	}
}

func TestIgnoreExpiryDayIsInclusive(t *testing.T) {
	doc := "ignore:\n  - rule: G104\n    reason: r\n    expires: 2026-11-24\n"
	for _, tc := range []struct {
		now        time.Time
		suppressed bool
	}{
		{time.Date(2026, 11, 24, 23, 59, 0, 0, time.UTC), true},
		{time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), false},
	} {
		ig, err := suppress.ParseIgnore("x.yaml", []byte(doc), tc.now)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := ig.Apply(context.Background(), fnd("gosec", "G104", "a.go", 1, 1))
		if (v.Suppress != nil) != tc.suppressed {
			t.Errorf("at %s: suppressed = %v; want %v", tc.now, v.Suppress != nil, tc.suppressed)
		}
	}
}

func TestIgnoreFileErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"ignore:\n  - rule: G104\n", "x.yaml:2: ignore[0]: invalid ignore entry: reason: empty"},
		{"ignore:\n  - reason: why\n", "x.yaml:2: ignore[0]: invalid ignore entry: no selector"},
		{"ignore:\n  - rule: G1\n    reason: r\n    expires: next week\n", `expires: "next week" is not a date`},
		{"ignore:\n  - path: \"a/[\"\n    reason: r\n", `path: invalid glob "a/["`},
		{"ignore:\n  rule: G104\n", "x.yaml:2: ignore: invalid ignore entry: want a list"},
		{"ignore: [\n", "x.yaml: yaml:"},
	}
	for _, tt := range tests {
		_, err := suppress.ParseIgnore("x.yaml", []byte(tt.doc), time.Time{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseIgnore(%q) = %v; want an error containing %q", tt.doc, err, tt.want)
		}
	}
	if _, err := suppress.LoadIgnoreFile("testdata/does-not-exist.yaml", time.Time{}); err == nil || !strings.Contains(err.Error(), "does-not-exist.yaml") {
		t.Errorf("LoadIgnoreFile(missing) = %v; want an error naming the file", err)
	}
	// Several bad entries are all reported.
	_, err := suppress.ParseIgnore("x.yaml", []byte("ignore:\n  - rule: a\n  - rule: b\n"), time.Time{})
	var n int
	for _, line := range strings.Split(fmt.Sprint(err), "\n") {
		if strings.Contains(line, "reason: empty") {
			n++
		}
	}
	if n != 2 || !errors.Is(err, suppress.ErrIgnoreFile) {
		t.Errorf("err = %v; want both entries reported, wrapping ErrIgnoreFile", err)
	}
}

func TestFiltersConcurrent(t *testing.T) {
	ig, err := suppress.ParseIgnore("x.yaml", []byte(ignoreYAML), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	in := suppress.NewInline("testdata/src")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				f := fnd("gosec", "G104", "app.go", 1+(i+j)%23, 0)
				if v, err := ig.Apply(context.Background(), f); err != nil || v.Suppress == nil {
					t.Errorf("ignore: %v %+v", err, v)
					return
				}
				if _, err := in.Apply(context.Background(), f); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	_ = ig.Warnings()
}
