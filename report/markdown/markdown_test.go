package markdown_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/internal/reporttest"
	"github.com/scanmux/scanmux/report/markdown"
)

// cells splits a table row at its unescaped pipes.
func cells(row string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row):
			cur.WriteByte(row[i])
			cur.WriteByte(row[i+1])
			i++
		case row[i] == '|':
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	return out[1:] // before the first pipe
}

// tables returns the tables of md: each a header and rows of cells; every
// row must have the header's number of cells.
func tables(t *testing.T, md string) [][][]string {
	t.Helper()
	var out [][][]string
	var cur [][]string
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			if cur != nil {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		c := cells(line)
		if cur != nil && len(c) != len(cur[0]) {
			t.Errorf("row %q has %d cells, the header %d", line, len(c), len(cur[0]))
		}
		if len(cur) == 1 { // the delimiter row
			cur = append(cur, nil)
			continue
		}
		cur = append(cur, c)
	}
	return out
}

func TestVulnerableApp(t *testing.T) {
	t.Setenv("GITHUB_SERVER_URL", "https://github.com")
	t.Setenv("GITHUB_REPOSITORY", "acme/vulnerable-app")
	t.Setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
	r, o := reporttest.VulnerableApp(t)
	f, err := report.Lookup("markdown")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	reporttest.Golden(t, "vulnerable-app.md", buf.Bytes())
	c := &r.Counts

	if !strings.HasPrefix(md, fmt.Sprintf("## scanmux: %d findings — gate failed\n", c.Findings)) {
		t.Errorf("heading: %q", strings.SplitN(md, "\n", 2)[0])
	}
	if want := fmt.Sprintf("**%d new**, %d unchanged", c.New, c.Unchanged); !strings.Contains(md, want) || c.New == 0 || c.Unchanged == 0 {
		t.Errorf("no %q (the recording has new and unchanged findings)", want)
	}
	ts := tables(t, md)
	if len(ts) != 5 {
		t.Fatalf("%d tables, want severity, tool, top findings, suppression reasons and suppressed", len(ts))
	}
	// Severity table: each row's total is Counts.BySeverity, the columns'
	// Counts.ByCategory.
	sev := ts[0]
	total := 0
	for _, row := range sev[2 : len(sev)-1] {
		name := row[0][strings.LastIndex(row[0], " ")+1:]
		s, err := finding.ParseSeverity(name)
		if err != nil {
			t.Fatalf("severity row %q", row[0])
		}
		n := atoi(t, row[len(row)-1])
		if n != c.BySeverity[s] {
			t.Errorf("%s: %d, Counts.BySeverity %d", s, n, c.BySeverity[s])
		}
		total += n
	}
	if total != c.Findings {
		t.Errorf("severity rows add up to %d, Counts.Findings %d", total, c.Findings)
	}
	for i, h := range sev[0][1 : len(sev[0])-1] {
		if n := atoi(t, sev[len(sev)-1][i+1]); n != c.ByCategory[finding.Category(h)] {
			t.Errorf("category %s: %d, Counts %d", h, n, c.ByCategory[finding.Category(h)])
		}
	}
	// Tool table: Counts.ByTool.
	for _, row := range ts[1][2:] {
		if n := atoi(t, row[1]); n != c.ByTool[row[0]] {
			t.Errorf("tool %s: %d, Counts.ByTool %d", row[0], n, c.ByTool[row[0]])
		}
	}
	if len(ts[1])-2 != len(c.ByTool) {
		t.Errorf("%d tool rows, %d tools", len(ts[1])-2, len(c.ByTool))
	}
	// Top findings: 20 with links to the commit's lines.
	top := ts[2][2:]
	if len(top) != markdown.DefaultTop {
		t.Errorf("%d top findings", len(top))
	}
	link := regexp.MustCompile(`\]\(https://github\.com/acme/vulnerable-app/blob/0123456789abcdef0123456789abcdef01234567/[a-z0-9/._-]+#L\d+(-L\d+)?\)`)
	for _, row := range top {
		if !link.MatchString(row[3]) {
			t.Errorf("no link to the code in %q", row[3])
		}
	}
	// New findings come first.
	if !strings.Contains(top[0][1], "new") {
		t.Errorf("first top finding is %q, want a new one", top[0][1])
	}
	if len(ts[4])-2 != c.Suppressed || c.Suppressed == 0 {
		t.Errorf("%d suppressed rows, Counts.Suppressed %d", len(ts[4])-2, c.Suppressed)
	}
	byReason := 0
	for _, row := range ts[3][2:] {
		byReason += atoi(t, row[1])
	}
	if byReason != c.Suppressed {
		t.Errorf("suppressions by reason add up to %d, Counts.Suppressed %d", byReason, c.Suppressed)
	}
	if !strings.Contains(md, "base image pinned by the platform team &lt;see SEC\\-12&gt;") && !strings.Contains(md, "base image pinned by the platform team &lt;see SEC-12&gt;") {
		t.Error("the suppression's reason is missing")
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.Trim(s, "*"))
	if err != nil {
		t.Fatalf("cell %q is not a count", s)
	}
	return n
}

// A hostile message cannot break the table, add HTML, links, mentions or
// math.
func TestEscaping(t *testing.T) {
	msg := "x | y <img src=x onerror=alert(1)> [click](https://evil.example) @admin $$\\LaTeX$$ `code` **b**\n| injected | row |"
	f := &finding.Finding{Tool: finding.Tool{Name: "t|ool"}, Rule: finding.Rule{ID: "R[1]", HelpURI: "javascript:alert(1)"}, Message: msg,
		Severity: finding.SeverityHigh, Category: finding.CategorySAST,
		Location: finding.Location{Path: "a|b.go", Region: finding.Region{StartLine: 1}}}
	r := &aggregate.Report{Findings: []*finding.Finding{f}, Counts: aggregate.Counts{Findings: 1,
		ByTool: map[string]int{"t|ool": 1}, ByCategory: map[finding.Category]int{finding.CategorySAST: 1}, BySeverity: map[finding.Severity]int{finding.SeverityHigh: 1}}}
	var buf bytes.Buffer
	if err := markdown.Write(&buf, r, &report.Options{Params: map[string]string{"link-base": "https://git.example/r/blob/abc"}}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	ts := tables(t, md)
	if len(ts) != 3 || len(ts[2]) != 3 {
		t.Fatalf("tables %v:\n%s", ts, md)
	}
	for _, bad := range []string{"<img", "](https://evil", "@admin", "javascript:", "\n| injected"} {
		if strings.Contains(md, bad) {
			t.Errorf("output has %q:\n%s", bad, md)
		}
	}
	if !strings.Contains(md, "](https://git.example/r/blob/abc/a%7Cb.go#L1)") {
		t.Errorf("no escaped link to the code:\n%s", md)
	}
	// A huge message is cut.
	f.Message = strings.Repeat("x", 1<<20)
	buf.Reset()
	if err := markdown.Write(&buf, r, nil); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 4096 {
		t.Errorf("a 1 MiB message gives %d bytes", buf.Len())
	}
	// GitLab CI's variables give GitLab's links.
	t.Setenv("GITHUB_SHA", "")
	t.Setenv("CI_PROJECT_URL", "https://gitlab.example/group/app")
	t.Setenv("CI_COMMIT_SHA", "abc123")
	f.Message, f.Location.Region.EndLine = "m", 4
	buf.Reset()
	if err := markdown.Write(&buf, r, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "](https://gitlab.example/group/app/-/blob/abc123/a%7Cb.go#L1-4)") {
		t.Errorf("no GitLab link:\n%s", buf.String())
	}
	if err := markdown.Write(&buf, r, &report.Options{Params: map[string]string{"top": "many"}}); err == nil {
		t.Error("top=many accepted")
	}
}
