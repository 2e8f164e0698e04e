package aggregate_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// src builds a finding of a source-code tool.
func src(tool, rule string, sev finding.Severity, path string, start, end int, cwes ...int) *finding.Finding {
	return &finding.Finding{
		Tool: finding.Tool{Name: tool}, Rule: finding.Rule{ID: rule},
		Message: tool + " says " + rule, Category: finding.CategorySAST, Severity: sev, CWEs: cwes,
		Location: finding.Location{Path: path, Region: finding.Region{StartLine: start, EndLine: end}},
	}
}

// secret builds a secret finding; fp is its secret/sha256 fingerprint.
func secret(tool, rule string, path string, line int, fp string) *finding.Finding {
	f := &finding.Finding{
		Tool: finding.Tool{Name: tool}, Rule: finding.Rule{ID: rule},
		Message: "secret " + rule, Category: finding.CategorySecret, Severity: finding.SeverityHigh,
		Location: finding.Location{Path: path, Region: finding.Region{StartLine: line}},
	}
	if fp != "" {
		f.Fingerprints = map[string]string{"secret/sha256": fp}
	}
	return f
}

// dep builds a dependency finding.
func dep(tool string, sev finding.Severity, pkg, version string, ids ...string) *finding.Finding {
	return &finding.Finding{
		Tool: finding.Tool{Name: tool}, Rule: finding.Rule{ID: ids[0]},
		Message: pkg + " is vulnerable", Category: finding.CategoryDependency, Severity: sev, VulnIDs: ids,
		Location: finding.Location{Path: "go.mod", Package: &finding.Package{Name: pkg, Version: version, Ecosystem: "Go"}},
	}
}

// image builds a container finding.
func image(tool, img, pkg, version, id string) *finding.Finding {
	f := dep(tool, finding.SeverityHigh, pkg, version, id)
	f.Category = finding.CategoryContainer
	f.Location.Path = ""
	f.Location.Package.Image = img
	f.Location.Package.Ecosystem = "Debian:12"
	return f
}

// web builds a DAST finding.
func web(tool, rule, url, param string, cwes ...int) *finding.Finding {
	return &finding.Finding{
		Tool: finding.Tool{Name: tool}, Rule: finding.Rule{ID: rule},
		Message: rule + " on " + url, Category: finding.CategoryDAST, Severity: finding.SeverityMedium, CWEs: cwes,
		Location: finding.Location{Web: &finding.Web{URL: url, Parameter: param, Method: "GET"}},
	}
}

// runFindings runs the engine over findings emitted by one source per
// tool, in the order given.
func runFindings(t *testing.T, opts *aggregate.Options, fs ...*finding.Finding) *aggregate.Report {
	t.Helper()
	byTool := map[string][]*finding.Finding{}
	var tools []string
	for _, f := range fs {
		if byTool[f.Tool.Name] == nil {
			tools = append(tools, f.Tool.Name)
		}
		byTool[f.Tool.Name] = append(byTool[f.Tool.Name], f.Clone())
	}
	var srcs []aggregate.Source
	for _, name := range tools {
		list := byTool[name]
		srcs = append(srcs, aggregate.FuncSource(name, func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
			for _, f := range list {
				if err := emit(f.Clone()); err != nil {
					return nil, err
				}
			}
			return []finding.Tool{{Name: name}}, nil
		}))
	}
	rep, err := aggregate.Run(context.Background(), srcs, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// shape describes a report's findings: "tool rule" per finding, followed by
// " + tool rule" per merged report, sorted.
func shape(rep *aggregate.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		s := f.Tool.Name + " " + f.Rule.ID
		for _, a := range f.Also {
			s += " + " + a.Tool.Name + " " + a.RuleID
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func TestDedupCases(t *testing.T) {
	const fpA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	const fpB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	sqliNoCWE := src("semgrep", "go.lang.security.audit.database.string-formatted-query.string-formatted-query",
		finding.SeverityMedium, "app/db.go", 12, 12)
	suppressedGosec := src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89)
	suppressedGosec.Suppressions = []finding.Suppression{{Kind: finding.SuppressionInSource, Source: "nosec comment"}}

	tests := []struct {
		reason    string
		in        []*finding.Finding
		opts      *aggregate.Options
		want      []string
		wantMatch []string // substrings of some Also[].Match
		wantWarn  []string // substrings of some warning
		check     func(t *testing.T, rep *aggregate.Report)
	}{
		{
			reason: "sast: same file, overlapping lines, shared CWE",
			in: []*finding.Finding{
				src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89),
				src("semgrep", "go.sqli", finding.SeverityMedium, "app/db.go", 11, 13, 89),
			},
			want:      []string{"gosec G201 + semgrep go.sqli"},
			wantMatch: []string{"file=app/db.go lines=12-12 cwe=89"},
		},
		{
			reason: "sast: same line, different CWE",
			in: []*finding.Finding{
				src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89),
				src("semgrep", "go.xss", finding.SeverityMedium, "app/db.go", 12, 12, 79),
			},
			want: []string{"gosec G201", "semgrep go.xss"},
		},
		{
			reason: "sast: shared CWE, lines apart",
			in: []*finding.Finding{
				src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89),
				src("semgrep", "go.sqli", finding.SeverityMedium, "app/db.go", 40, 41, 89),
			},
			want: []string{"gosec G201", "semgrep go.sqli"},
		},
		{
			reason: "sast: a shared Class-level CWE merges reports on one and the same line",
			in: []*finding.Finding{
				src("gosec", "G401", finding.SeverityHigh, "app/hash.go", 12, 12, 327),
				src("semgrep", "go.md5", finding.SeverityMedium, "app/hash.go", 12, 12, 327),
			},
			want:      []string{"gosec G401 + semgrep go.md5"},
			wantMatch: []string{"same CWE on one line: file=app/hash.go lines=12-12 cwe=327 (Class)"},
		},
		{
			reason: "sast: a shared Class-level CWE does not merge overlapping regions",
			in: []*finding.Finding{
				src("gosec", "G401", finding.SeverityHigh, "app/hash.go", 12, 12, 327),
				src("semgrep", "go.md5", finding.SeverityMedium, "app/hash.go", 11, 13, 327),
			},
			want: []string{"gosec G401", "semgrep go.md5"},
		},
		{
			reason: "sast: one rule on one line at columns that do not overlap: two places (two unused variables)",
			in: []*finding.Finding{
				withColumns(src("codeql", "py/unused-local-variable", finding.SeverityLow, "app/views.py", 1142, 1142, 563), 5, 24),
				withColumns(src("codeql", "py/unused-local-variable", finding.SeverityLow, "app/views.py", 1142, 1142, 563), 26, 44),
			},
			want: []string{"codeql py/unused-local-variable", "codeql py/unused-local-variable"},
		},
		{
			reason: "sast: a shared Pillar CWE merges nothing, even on one line",
			in: []*finding.Finding{
				src("toola", "r1", finding.SeverityHigh, "app/web.go", 12, 12, 693),
				src("toolb", "r2", finding.SeverityMedium, "app/web.go", 12, 12, 693),
			},
			want: []string{"toola r1", "toolb r2"},
		},
		{
			reason: "sast: known-equivalent rules without CWEs",
			in: []*finding.Finding{
				src("gosec", "G202", finding.SeverityHigh, "app/db.go", 12, 12),
				sqliNoCWE,
			},
			want:      []string{"gosec G202 + semgrep " + sqliNoCWE.Rule.ID},
			wantMatch: []string{"rule-class=sqli"},
		},
		{
			reason: "rerun: same tool, rule and location twice",
			in: []*finding.Finding{
				src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89),
				src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89),
			},
			want:      []string{"gosec G201 + gosec G201"},
			wantMatch: []string{"duplicate: same tool, rule and location"},
		},
		{
			reason: "without the location its kind needs, the message tells reports apart",
			in: func() []*finding.Finding {
				a := dep("trivy", finding.SeverityHigh, "openssl", "1.1", "CVE-2019-1549")
				a.Location.Package = nil
				a.Message = "libcrypto1.1 is vulnerable"
				b := a.Clone()
				b.Message = "libssl1.1 is vulnerable"
				return []*finding.Finding{a, b, b.Clone()}
			}(),
			want: []string{"trivy CVE-2019-1549", "trivy CVE-2019-1549 + trivy CVE-2019-1549"},
		},
		{
			reason: "untrusted CWE category is not a key",
			in: []*finding.Finding{
				src("checkov", "CKV_1", finding.SeverityLow, "main.tf", 3, 3, 16),
				src("tfsec", "AVD-1", finding.SeverityLow, "main.tf", 3, 3, 16),
			},
			want: []string{"checkov CKV_1", "tfsec AVD-1"},
			check: func(t *testing.T, rep *aggregate.Report) {
				for _, f := range rep.Findings {
					if got := f.Properties[aggregate.PropCWEUntrusted]; got != "16" {
						t.Errorf("%s: %s = %q, want \"16\"", f.Tool.Name, aggregate.PropCWEUntrusted, got)
					}
				}
			},
		},
		{
			reason: "ambiguous: a wide range overlaps two findings that do not overlap",
			in: []*finding.Finding{
				src("codeql", "go/sql-injection", finding.SeverityHigh, "app/db.go", 10, 20, 89),
				src("semgrep", "go.sqli", finding.SeverityMedium, "app/db.go", 12, 12, 89),
				src("gosec", "G201", finding.SeverityHigh, "app/db.go", 18, 18, 89),
			},
			want:     []string{"codeql go/sql-injection", "gosec G201", "semgrep go.sqli"},
			wantWarn: []string{"ambiguous: codeql go/sql-injection at app/db.go:10-20 could merge with gosec G201 at app/db.go:18"},
		},
		{
			reason: "ambiguity does not stop the others from merging",
			in: []*finding.Finding{
				src("codeql", "go/sql-injection", finding.SeverityHigh, "app/db.go", 10, 20, 89),
				src("semgrep", "go.sqli", finding.SeverityMedium, "app/db.go", 12, 12, 89),
				src("bandit", "B608", finding.SeverityMedium, "app/db.go", 12, 12, 89),
				src("gosec", "G201", finding.SeverityHigh, "app/db.go", 18, 18, 89),
			},
			want:     []string{"bandit B608 + semgrep go.sqli", "codeql go/sql-injection", "gosec G201"},
			wantWarn: []string{"ambiguous: codeql"},
		},
		{
			reason: "dependency: shared vuln id and package",
			in: []*finding.Finding{
				dep("osv-scanner", finding.SeverityHigh, "golang.org/x/net", "v0.1.0", "GHSA-qppj-fm5r-hxr3", "CVE-2023-44487"),
				dep("trivy", finding.SeverityMedium, "golang.org/x/net", "v0.1.0", "CVE-2023-44487"),
			},
			want:      []string{"osv-scanner GHSA-qppj-fm5r-hxr3 + trivy CVE-2023-44487"},
			wantMatch: []string{"vuln=CVE-2023-44487 package=golang.org/x/net@v0.1.0"},
			check: func(t *testing.T, rep *aggregate.Report) {
				if got := rep.Findings[0].VulnIDs; !slices.Equal(got, []string{"GHSA-qppj-fm5r-hxr3", "CVE-2023-44487"}) {
					t.Errorf("VulnIDs = %v", got)
				}
			},
		},
		{
			reason: "dependency: same vuln, other version",
			in: []*finding.Finding{
				dep("osv-scanner", finding.SeverityHigh, "golang.org/x/net", "v0.1.0", "CVE-2023-44487"),
				dep("trivy", finding.SeverityHigh, "golang.org/x/net", "v0.2.0", "CVE-2023-44487"),
			},
			want: []string{"osv-scanner CVE-2023-44487", "trivy CVE-2023-44487"},
		},
		{
			reason: "dependency: same vuln, other package",
			in: []*finding.Finding{
				dep("osv-scanner", finding.SeverityHigh, "golang.org/x/net", "v0.1.0", "CVE-2023-44487"),
				dep("trivy", finding.SeverityHigh, "google.golang.org/grpc", "v1.56.0", "CVE-2023-44487"),
			},
			want: []string{"osv-scanner CVE-2023-44487", "trivy CVE-2023-44487"},
		},
		{
			reason: "dependency: the aliases of one advisory join reports that name one alias each",
			in: []*finding.Finding{
				dep("grype", finding.SeverityHigh, "lodash", "4.17.15", "CVE-2020-8203"),
				dep("osv-scanner", finding.SeverityHigh, "lodash", "4.17.15", "GHSA-p6mc-m468-83gw", "CVE-2020-8203"),
				dep("npm-audit", finding.SeverityHigh, "lodash", "4.17.15", "GHSA-p6mc-m468-83gw"),
			},
			want:      []string{"grype CVE-2020-8203 + npm-audit GHSA-p6mc-m468-83gw + osv-scanner GHSA-p6mc-m468-83gw"},
			wantMatch: []string{"same advisory, by the aliases another report of the group gives: package=lodash@4.17.15"},
		},
		{
			reason: "dependency: alias chains through an advisory of two CVEs are split",
			in: []*finding.Finding{
				dep("grype", finding.SeverityHigh, "lodash", "4.17.15", "CVE-2020-8203"),
				dep("osv-scanner", finding.SeverityHigh, "lodash", "4.17.15", "GHSA-p6mc-m468-83gw", "CVE-2020-8203", "CVE-2020-9999"),
				dep("npm-audit", finding.SeverityHigh, "lodash", "4.17.15", "CVE-2020-9999"),
			},
			want:     []string{"grype CVE-2020-8203", "npm-audit CVE-2020-9999", "osv-scanner GHSA-p6mc-m468-83gw"},
			wantWarn: []string{"ambiguous: osv-scanner GHSA-p6mc-m468-83gw"},
		},
		{
			reason: "container: same package and vuln in two images",
			in: []*finding.Finding{
				image("trivy", "app:1", "openssl", "3.0.1", "CVE-2022-0778"),
				image("grype", "app:1", "openssl", "3.0.1", "CVE-2022-0778"),
				image("trivy", "db:2", "openssl", "3.0.1", "CVE-2022-0778"),
			},
			want:      []string{"grype CVE-2022-0778 + trivy CVE-2022-0778", "trivy CVE-2022-0778"},
			wantMatch: []string{"image=app:1"},
		},
		{
			reason: "dast: same path and parameter, other scheme, host case and query value",
			in: []*finding.Finding{
				web("zap", "40012", "https://Example.com/search?q=1", "q", 79),
				web("nuclei", "xss-reflected", "http://example.com/search?q=%3Cscript%3E", "q", 79),
				web("nuclei", "xss-reflected", "http://example.com/search?q=1", "lang", 79),
			},
			want:      []string{"nuclei xss-reflected", "nuclei xss-reflected + zap 40012"},
			wantMatch: []string{"url=example.com/search?q param=q cwe=79"},
		},
		{
			reason: "secrets: same file, line and fingerprint",
			in: []*finding.Finding{
				secret("gitleaks", "aws-access-token", "config/.env", 3, fpA),
				secret("trufflehog", "AWS", "config/.env", 3, fpA),
				secret("trufflehog", "AWS", "config/.env", 3, fpB),
			},
			want:      []string{"gitleaks aws-access-token + trufflehog AWS", "trufflehog AWS"},
			wantMatch: []string{"file=config/.env line=3 secret-sha256=aaaaaaaaaaaa"},
		},
		{
			reason: "secrets without fingerprints: overlapping rules merge, others do not",
			in: []*finding.Finding{
				secret("gitleaks", "aws-access-token", "config/.env", 3, ""),
				secret("trivy", "aws-secret-access-key", "config/.env", 3, ""),
				secret("trivy", "github-pat", "config/.env", 3, ""),
			},
			want:      []string{"gitleaks aws-access-token + trivy aws-secret-access-key", "trivy github-pat"},
			wantMatch: []string{"secret-rule=aws"},
		},
		{
			reason: "gosec G101 merges into the secret on its line",
			in: []*finding.Finding{
				src("gosec", "G101", finding.SeverityHigh, "config/keys.go", 7, 7, 798),
				secret("gitleaks", "generic-api-key", "config/keys.go", 7, fpA),
			},
			want:      []string{"gitleaks generic-api-key + gosec G101"},
			wantMatch: []string{"credential in a secret: file=config/keys.go line=7 cwe=798"},
			check: func(t *testing.T, rep *aggregate.Report) {
				if c := rep.Findings[0].Category; c != finding.CategorySecret {
					t.Errorf("merged category %s, want secret", c)
				}
			},
		},
		{
			reason: "highest severity wins by default",
			in: []*finding.Finding{
				src("semgrep", "go.sqli", finding.SeverityCritical, "app/db.go", 12, 12, 89),
				func() *finding.Finding {
					f := src("gosec", "G201", finding.SeverityLow, "app/db.go", 12, 12, 89)
					f.Location.Region.StartColumn = 5
					return f
				}(),
			},
			want: []string{"semgrep go.sqli + gosec G201"},
			check: func(t *testing.T, rep *aggregate.Report) {
				if s := rep.Findings[0].Severity; s != finding.SeverityCritical {
					t.Errorf("severity %s, want critical", s)
				}
			},
		},
		{
			reason: "DedupPrimary: the most precise report is primary and keeps its severity",
			opts:   &aggregate.Options{Dedup: aggregate.DedupOptions{Severity: aggregate.DedupPrimary}},
			in: []*finding.Finding{
				src("semgrep", "go.sqli", finding.SeverityCritical, "app/db.go", 12, 12, 89),
				func() *finding.Finding {
					f := src("gosec", "G201", finding.SeverityLow, "app/db.go", 12, 12, 89)
					f.Location.Region.StartColumn = 5
					return f
				}(),
			},
			want: []string{"gosec G201 + semgrep go.sqli"},
			check: func(t *testing.T, rep *aggregate.Report) {
				if s := rep.Findings[0].Severity; s != finding.SeverityLow {
					t.Errorf("severity %s, want low", s)
				}
			},
		},
		{
			reason: "a suppressed report does not suppress the issue another tool reports",
			in: []*finding.Finding{
				suppressedGosec,
				src("semgrep", "go.sqli", finding.SeverityMedium, "app/db.go", 12, 12, 89),
			},
			want:      []string{"semgrep go.sqli + gosec G201"},
			wantMatch: []string{"suppressed by nosec comment"},
			check: func(t *testing.T, rep *aggregate.Report) {
				if rep.Findings[0].Suppressed() {
					t.Error("merged finding is suppressed")
				}
			},
		},
		{
			reason: "Dedup disabled keeps every report",
			opts:   &aggregate.Options{Dedup: aggregate.DedupOptions{Disabled: true}},
			in: []*finding.Finding{
				src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89),
				src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89),
				src("semgrep", "go.sqli", finding.SeverityMedium, "app/db.go", 12, 12, 89),
			},
			want: []string{"gosec G201", "gosec G201", "semgrep go.sqli"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			rep := runFindings(t, tt.opts, tt.in...)
			if got := shape(rep); !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tt.want)
			}
			var matches []string
			for _, f := range rep.Findings {
				for _, a := range f.Also {
					matches = append(matches, a.Match)
				}
			}
			for _, w := range tt.wantMatch {
				if !slices.ContainsFunc(matches, func(m string) bool { return strings.Contains(m, w) }) {
					t.Errorf("no match text contains %q; have %q", w, matches)
				}
			}
			for _, w := range tt.wantWarn {
				if !slices.ContainsFunc(rep.Warnings, func(m string) bool { return strings.Contains(m, w) }) {
					t.Errorf("no warning contains %q; have %q", w, rep.Warnings)
				}
			}
			if len(tt.wantWarn) == 0 {
				for _, w := range rep.Warnings {
					t.Errorf("unexpected warning %q", w)
				}
			}
			if want := len(tt.in); rep.Counts.Received != want ||
				rep.Counts.Findings+rep.Counts.Suppressed+rep.Counts.Merged != want {
				t.Errorf("counts %+v do not add up to %d reports", rep.Counts, want)
			}
			if tt.check != nil {
				tt.check(t, rep)
			}
			if t.Failed() {
				var b strings.Builder
				_ = rep.Explain(&b)
				t.Log("explain:\n" + b.String())
			}
		})
	}
}

// TestDedupMergedSeverity checks that the merged severity is the highest
// of all reports, exact repeats included.
func TestDedupMergedSeverity(t *testing.T) {
	a := src("gosec", "G201", finding.SeverityLow, "app/db.go", 12, 12, 89)
	b := src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89)
	b.Message = "rerun with another message"
	rep := runFindings(t, nil, a, b)
	if len(rep.Findings) != 1 {
		t.Fatalf("%d findings, want 1", len(rep.Findings))
	}
	f := rep.Findings[0]
	if f.Severity != finding.SeverityHigh || f.Message != b.Message {
		t.Errorf("primary %s %q, want the high report", f.Severity, f.Message)
	}
	if len(f.Also) != 1 || f.Also[0].Severity != finding.SeverityLow {
		t.Errorf("Also = %+v", f.Also)
	}
}

// withColumns sets the columns of f's region.
func withColumns(f *finding.Finding, start, end int) *finding.Finding {
	f.Location.Region.StartColumn, f.Location.Region.EndColumn = start, end
	return f
}

// TestDedupLinesPastInt32 checks that lines past 2^31-1 (a report may say
// anything) are compared as they are: two reports of one file and CWE at
// lines 3,000,000,000 and 4,000,000,000 do not overlap, so they stay two
// findings. The index once clamped its line spans to int32, which made
// them overlap and merged them.
func TestDedupLinesPastInt32(t *testing.T) {
	rep := runFindings(t, nil,
		src("gosec", "G201", finding.SeverityHigh, "app/db.go", 3_000_000_000, 3_000_000_000, 89),
		src("semgrep", "go.sqli", finding.SeverityHigh, "app/db.go", 4_000_000_000, 4_000_000_000, 89),
	)
	if len(rep.Findings) != 2 {
		t.Fatalf("got %d findings, want 2 (lines 3e9 and 4e9 do not overlap): %v", len(rep.Findings), shape(rep))
	}
	rep = runFindings(t, nil,
		src("gosec", "G201", finding.SeverityHigh, "app/db.go", 3_000_000_000, 3_000_000_000, 89),
		src("semgrep", "go.sqli", finding.SeverityHigh, "app/db.go", 3_000_000_000, 3_000_000_000, 89),
	)
	if len(rep.Findings) != 1 {
		t.Fatalf("got %d findings, want 1 (same line, same CWE): %v", len(rep.Findings), shape(rep))
	}
}
