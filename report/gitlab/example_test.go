package gitlab_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/gitlab"
)

// Write writes one kind of report; KindOf says which a finding goes in.
func ExampleWrite() {
	f := &finding.Finding{
		Tool: finding.Tool{Name: "govulncheck", Version: "v1.9.0"}, Rule: finding.Rule{ID: "GO-2023-2102"},
		Message: "golang.org/x/net@v0.7.0 has GO-2023-2102", Category: finding.CategoryDependency,
		Severity: finding.SeverityHigh, VulnIDs: []string{"GO-2023-2102", "CVE-2023-39325"},
		Location: finding.Location{Path: "go.mod", Package: &finding.Package{Name: "golang.org/x/net", Version: "v0.7.0", Ecosystem: "Go"}},
		ID:       "v2:68d577a67ef691489e7899426d6bacc6",
	}
	r := &aggregate.Report{Findings: []*finding.Finding{f}}
	var b strings.Builder
	err := gitlab.Write(&b, gitlab.KindOf(f), r, &report.Options{Params: map[string]string{gitlab.SchemaParam: gitlab.Schema1507}})
	var doc struct {
		Version         string
		Vulnerabilities []struct {
			ID, Severity string
			Identifiers  []struct{ Type, Value string }
			Location     json.RawMessage
		}
	}
	json.Unmarshal([]byte(b.String()), &doc)
	v := doc.Vulnerabilities[0]
	fmt.Println(gitlab.KindOf(f), doc.Version, v.ID, v.Severity, err)
	var loc bytes.Buffer
	json.Compact(&loc, v.Location)
	fmt.Println(v.Identifiers[0].Type, v.Identifiers[0].Value, loc.String())
	// Output:
	// dependency_scanning 15.0.7 4a0960b9-e92b-86ff-b2cb-6cbac0c8298f High <nil>
	// go GO-2023-2102 {"file":"go.mod","dependency":{"package":{"name":"golang.org/x/net"},"version":"v0.7.0"}}
}
