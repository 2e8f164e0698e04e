package aggregate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
)

// corpusFiles are SARIF logs of several kinds of tool from the shared
// corpus.
var corpusFiles = []string{
	"gosec/gosec-aws-ssm.sarif",
	"semgrep/semgrep-oss-1.69.sarif",
	"codeql/codeql-2.12.6-js-vulnerable-node.sarif",
	"codeql/lgtm-export-2runs.sarif",
	"trivy/trivy-image-alpine310.sarif",
	"trivy/trivy-0.34-config-terraform.sarif",
	"grype/grype-0.34.7-cxf.sarif",
	"gitleaks/gitleaks-7.4.sarif",
	"checkov/checkov-3.2.510.sarif",
	"kics/kics-2.1.11-gcpgoat.sarif",
	"tfsec/tfsec-defsec.sarif",
	"dependency-check/dependency-check-6.1.2.sarif",
	"nightvision/nightvision-dast.sarif",
}

func corpusPath(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(sharedDir, "corpus", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: %s not found (the shared corpus is not next to this clone)", p)
	}
	return p
}

// TestCorpusFiles runs the engine over real tools' SARIF, one of them not
// valid JSON: that source fails, the others' findings are all there.
func TestCorpusFiles(t *testing.T) {
	var srcs []aggregate.Source
	want := 0
	for _, rel := range corpusFiles {
		p := corpusPath(t, rel)
		runs, err := sarif.ReadFile(p, nil)
		if err != nil {
			t.Fatalf("ReadFile(%s): %v", rel, err)
		}
		for _, r := range runs {
			want += len(r.Findings)
		}
		srcs = append(srcs, aggregate.SARIFFile(p, ""))
	}
	broken := corpusPath(t, "checkov/checkov-stdout-banner-NOT-JSON.sarif")
	srcs = append(srcs, aggregate.SARIFFile(broken, ""))

	rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Sources {
		switch {
		case strings.HasSuffix(s.Name, "NOT-JSON.sarif"):
			if s.State != aggregate.SourceFailed || s.Err == "" {
				t.Errorf("broken log: state %s, error %q; want failed", s.State, s.Err)
			}
		case !s.OK():
			t.Errorf("source %s: %s %s", s.Name, s.State, s.Err)
		case len(s.Tools) == 0:
			t.Errorf("source %s reports no tools", s.Name)
		}
	}
	c := rep.Counts
	if c.Received+sumDropped(rep) != want {
		t.Errorf("received %d (+%d dropped) reports, the files hold %d", c.Received, sumDropped(rep), want)
	}
	if c.Findings+c.Suppressed+c.Merged != c.Received {
		t.Errorf("counts do not add up: %+v", c)
	}
	for _, f := range rep.Findings {
		if err := f.Validate(); err != nil {
			t.Errorf("invalid finding %s: %v", f.Rule.ID, err)
		}
	}
	if rep.Gate.Failed {
		t.Errorf("gate failed without a gate: %v", rep.Gate.Reasons)
	}
	var b bytes.Buffer
	if err := rep.Explain(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d reports -> %d findings, %d merged; %d warnings", c.Received, len(rep.Findings), c.Merged, len(rep.Warnings))
}

func sumDropped(rep *aggregate.Report) int {
	n := 0
	for _, s := range rep.Sources {
		n += s.Dropped
	}
	return n
}

// crossToolFindings are reports that merge, do not merge and are ambiguous.
func crossToolFindings() []*finding.Finding {
	fp := strings.Repeat("c", 64)
	return []*finding.Finding{
		src("gosec", "G201", finding.SeverityHigh, "app/db.go", 12, 12, 89),
		src("semgrep", "go.sqli", finding.SeverityMedium, "app/db.go", 11, 13, 89),
		src("codeql", "go/sql-injection", finding.SeverityHigh, "app/db.go", 10, 20, 89),
		src("gosec", "G201", finding.SeverityHigh, "app/db.go", 18, 18, 89),
		src("gosec", "G201", finding.SeverityHigh, "app/db.go", 18, 18, 89),
		src("semgrep", "go.xss", finding.SeverityLow, "app/view.go", 5, 5, 79),
		src("gosec", "G101", finding.SeverityHigh, "config/keys.go", 7, 7, 798),
		secret("gitleaks", "generic-api-key", "config/keys.go", 7, fp),
		secret("trufflehog", "Generic", "config/keys.go", 7, fp),
		dep("osv-scanner", finding.SeverityHigh, "lodash", "4.17.15", "GHSA-p6mc-m468-83gw", "CVE-2020-8203"),
		dep("grype", finding.SeverityCritical, "lodash", "4.17.15", "CVE-2020-8203"),
		dep("trivy", finding.SeverityHigh, "lodash", "", "GHSA-p6mc-m468-83gw"),
		web("zap", "40012", "https://Example.com/search?q=1", "q", 79),
		web("nuclei", "xss", "http://example.com/search?q=2", "q", 79),
	}
}

// TestOrderIndependence runs the same reports 20 times with sources and
// findings shuffled and a random concurrency: the report is identical.
func TestOrderIndependence(t *testing.T) {
	byTool := map[string][]*finding.Finding{}
	for _, rel := range corpusFiles[:8] {
		runs, err := sarif.ReadFile(corpusPath(t, rel), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			for i := range r.Findings {
				f := r.Findings[i]
				byTool[f.Tool.Name] = append(byTool[f.Tool.Name], f)
			}
		}
	}
	for _, f := range crossToolFindings() {
		byTool["x-"+f.Tool.Name] = append(byTool["x-"+f.Tool.Name], f)
	}
	filters := []aggregate.Filter{suppressFilter{rule: "G201", line: 18}}

	rng := rand.New(rand.NewPCG(1, 2))
	var first []byte
	for i := range 20 {
		var srcs []aggregate.Source
		for name, fs := range byTool {
			fs := slices.Clone(fs)
			rng.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
			srcs = append(srcs, aggregate.FuncSource(name, func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
				for _, f := range fs {
					if err := emit(f.Clone()); err != nil {
						return nil, err
					}
				}
				return nil, nil
			}))
		}
		slices.SortFunc(srcs, func(a, b aggregate.Source) int { return strings.Compare(a.Name(), b.Name()) })
		rng.Shuffle(len(srcs), func(i, j int) { srcs[i], srcs[j] = srcs[j], srcs[i] })
		rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{
			Concurrency: 1 + rng.IntN(4), Filters: filters})
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.MarshalIndent(struct {
			Findings []*finding.Finding
			Warnings []string
			Counts   aggregate.Counts
			Denials  []string
		}{rep.Findings, rep.Warnings, rep.Counts, rep.Denials}, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = got
			if rep.Counts.Merged == 0 || !slices.ContainsFunc(rep.Warnings, func(s string) bool { return strings.HasPrefix(s, "ambiguous: ") }) {
				t.Fatalf("the input should merge and be ambiguous somewhere: %+v %q", rep.Counts, rep.Warnings)
			}
			continue
		}
		if !bytes.Equal(got, first) {
			t.Fatalf("run %d differs from run 0:\n%s", i, firstDiff(first, got))
		}
	}
}

// suppressFilter suppresses findings of one rule on one line.
type suppressFilter struct {
	rule string
	line int
}

func (suppressFilter) Name() string { return "test-suppress" }

func (s suppressFilter) Apply(_ context.Context, f *finding.Finding) (aggregate.Verdict, error) {
	if f.Rule.ID == s.rule && f.Location.Region.StartLine == s.line {
		return aggregate.Verdict{Suppress: &finding.Suppression{Justification: "test"}}, nil
	}
	return aggregate.Verdict{}, nil
}

func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, la[i], lb[i])
		}
	}
	return "lengths differ"
}

// badVerdictFilter gives every finding a suppression whose status is not
// one SARIF defines, and a severity with an invalid UTF-8 reason.
type badVerdictFilter struct{}

func (badVerdictFilter) Name() string { return "bad-verdicts" }

func (badVerdictFilter) Apply(_ context.Context, f *finding.Finding) (aggregate.Verdict, error) {
	if f.Rule.ID == "bad-status" {
		return aggregate.Verdict{Suppress: &finding.Suppression{Status: "maybe", Justification: "x"}}, nil
	}
	return aggregate.Verdict{Severity: finding.SeverityCritical, SeverityReason: "\xff"}, nil
}

// TestInvalidVerdictIgnored checks that a filter cannot make a finding
// invalid: its verdict is ignored with a warning naming the filter, and
// every finding of the report stays valid, as Report.Findings promises.
func TestInvalidVerdictIgnored(t *testing.T) {
	mk := func(rule string) *finding.Finding {
		return &finding.Finding{Tool: finding.Tool{Name: "t"}, Rule: finding.Rule{ID: rule}, Message: "m",
			Severity: finding.SeverityLow, Location: finding.Location{Path: "a.go", Region: finding.Region{StartLine: 3}}}
	}
	src := aggregate.FuncSource("s", func(_ context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
		for _, f := range []*finding.Finding{mk("bad-status"), mk("bad-reason")} {
			if err := emit(f); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	rep, err := aggregate.Run(context.Background(), []aggregate.Source{src}, &aggregate.Options{Filters: []aggregate.Filter{badVerdictFilter{}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 2 {
		t.Fatalf("got %d findings, want 2", len(rep.Findings))
	}
	for _, f := range rep.Findings {
		if err := f.Validate(); err != nil {
			t.Errorf("%s: invalid finding in the report: %v", f.Rule.ID, err)
		}
		if f.Suppressed() || f.Severity != finding.SeverityLow || f.Properties[aggregate.PropSeverityReason] != "" {
			t.Errorf("%s: the invalid verdict was applied: suppressions %v, severity %s, properties %v", f.Rule.ID, f.Suppressions, f.Severity, f.Properties)
		}
	}
	n := 0
	for _, w := range rep.Warnings {
		if strings.Contains(w, "invalid verdicts of filter bad-verdicts ignored") {
			n++
		}
	}
	if n == 0 {
		t.Errorf("no warning names the filter: %q", rep.Warnings)
	}
}
