package sarif

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/scanmux/scanmux/finding"
)

// What scanmux writes about a merged finding (the other tools' reports and
// the category) reads back: importing scanmux's own SARIF loses nothing.
func TestReadBackAlsoAndCategory(t *testing.T) {
	f := secretFinding()
	f.Tool = finding.Tool{Name: "trivy", Version: "0.50.1"} // a tool name that infers another category
	also := []finding.Report{{
		Tool: finding.Tool{Name: "gosec", Version: "2.30.0"}, RuleID: "G101", Severity: finding.SeverityHigh,
		OriginalSeverity: "HIGH", Message: "Potential hardcoded credentials",
		Location: finding.Location{Path: "cmd/app/config.go", Region: finding.Region{StartLine: 4, EndLine: 4}},
		Match:    "file=cmd/app/config.go line=4 cwe=798",
	}, {
		Tool: finding.Tool{Name: "zap"}, RuleID: "10010", Severity: finding.SeverityLow,
		Location: finding.Location{Web: &finding.Web{URL: "http://127.0.0.1/x"}, Package: &finding.Package{Name: "p"}},
	}}
	f.Also = also
	var buf bytes.Buffer
	if _, err := Write(&buf, []Run{{Tool: f.Tool, Findings: []*finding.Finding{&f}}}, &WriteOptions{Profile: ProfileFull}); err != nil {
		t.Fatal(err)
	}
	runs, err := Read(&buf, "merged.sarif", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || len(runs[0].Findings) != 1 {
		t.Fatalf("read %d runs", len(runs))
	}
	got := runs[0].Findings[0]
	if got.Category != finding.CategorySecret {
		t.Errorf("category %q; want the written secret", got.Category)
	}
	if !reflect.DeepEqual(got.Also, also) {
		t.Errorf("Also read back as\n%+v\nwant\n%+v", got.Also, also)
	}
	if _, ok := got.Properties[AlsoReportedProperty]; ok {
		t.Error("the merged reports are also left in Properties")
	}
}
