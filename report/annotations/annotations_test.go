package annotations_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/annotations"
	"github.com/scanmux/scanmux/report/internal/reporttest"
)

// cmd is a parsed workflow command, as the runner reads one.
type cmd struct {
	name  string
	props map[string]string
	data  string
}

var cmdLine = regexp.MustCompile(`^::([a-z-]+)(?: ([^:]*))?::(.*)$`)

func unescape(s string, prop bool) string {
	r := []string{"%0D", "\r", "%0A", "\n"}
	if prop {
		r = append(r, "%3A", ":", "%2C", ",")
	}
	return strings.NewReplacer(append(r, "%25", "%")...).Replace(s)
}

// parse reads the commands of out; every line starting with "::" must be
// one.
func parse(t *testing.T, out string) (cmds []cmd, plain []string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(line, "::") {
			plain = append(plain, line)
			continue
		}
		m := cmdLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("malformed command %q", line)
		}
		c := cmd{name: m[1], props: map[string]string{}, data: unescape(m[3], false)}
		if m[2] != "" {
			for _, kv := range strings.Split(m[2], ",") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("bad property %q in %q", kv, line)
				}
				c.props[k] = unescape(v, true)
			}
		}
		cmds = append(cmds, c)
	}
	return cmds, plain
}

func TestVulnerableApp(t *testing.T) {
	r, o := reporttest.VulnerableApp(t)
	f, err := report.Lookup("github-annotations")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	reporttest.Golden(t, "vulnerable-app.txt", buf.Bytes())
	cmds, plain := parse(t, buf.String())

	total := map[string]int{}
	for _, f := range r.Findings {
		if !f.Suppressed() {
			total[annotations.Command(f.Severity)]++
		}
	}
	shown := map[string]int{}
	var summary *cmd
	for i, c := range cmds {
		if c.props["title"] == "scanmux: findings left out of annotations" {
			summary = &cmds[i]
		}
		shown[c.name]++
	}
	for k, n := range shown {
		if n > annotations.PerStep {
			t.Errorf("%d %s annotations, GitHub shows %d", n, k, annotations.PerStep)
		}
	}
	left := 0
	for _, k := range []string{"error", "warning", "notice"} {
		s := shown[k]
		if summary != nil && k == "notice" {
			s--
		}
		left += total[k] - s
	}
	if left == 0 || summary == nil {
		t.Fatalf("the vulnerable app has %v findings by kind: some should be left out, with a notice", total)
	}
	if !strings.Contains(summary.data, fmt.Sprintf("%d of %d findings are not annotated", left, r.Counts.Findings)) {
		t.Errorf("summary %q does not count %d left out of %d", summary.data, left, r.Counts.Findings)
	}
	listed := 0
	for _, l := range plain {
		if strings.HasPrefix(l, "scanmux: ") && !strings.Contains(l, "not annotated") {
			listed++
		}
	}
	if listed != left {
		t.Errorf("%d left-out findings listed in the log, want %d", listed, left)
	}
	if shown["error"] != min(total["error"], 10) {
		t.Errorf("%d errors shown of %d", shown["error"], total["error"])
	}
}

// Messages, paths and rule ids from a report cannot start a command of
// their own, and the commands read back as written.
func TestEscaping(t *testing.T) {
	msg := "line one %0A\r\n::add-mask::secret\n::set-output name=x::y %25"
	path := "dir,with:odd/na%me.go"
	r := &aggregate.Report{Findings: []*finding.Finding{{
		Tool: finding.Tool{Name: "to,ol"}, Rule: finding.Rule{ID: "R:1"}, Message: msg, Severity: finding.SeverityHigh,
		Location: finding.Location{Path: path, Region: finding.Region{StartLine: 3, StartColumn: 2, EndLine: 3, EndColumn: 9}},
	}}}
	for i := range 12 { // over the limit: the left-out lines are escaped too
		r.Findings = append(r.Findings, &finding.Finding{Tool: finding.Tool{Name: "t"}, Rule: finding.Rule{ID: "x"},
			Message: fmt.Sprintf("m%d\n::error::injected", i), Severity: finding.SeverityMedium})
	}
	var buf bytes.Buffer
	if err := annotations.Write(&buf, r, nil); err != nil {
		t.Fatal(err)
	}
	cmds, plain := parse(t, buf.String())
	if len(cmds) != 12 { // 1 error, 10 warnings, 1 notice about the 2 left out
		t.Fatalf("%d commands:\n%s", len(cmds), buf.String())
	}
	for _, l := range plain {
		if strings.Contains(l, "\n") || strings.HasPrefix(l, "::") || !strings.HasPrefix(l, "scanmux: ") {
			t.Errorf("plain line %q", l)
		}
	}
	var got *cmd
	for i := range cmds {
		if cmds[i].props["file"] != "" {
			got = &cmds[i]
		}
	}
	if got == nil {
		t.Fatalf("the high finding was left out:\n%s", buf.String())
	}
	if got.props["file"] != path || got.props["line"] != "3" || got.props["col"] != "2" || got.props["endColumn"] != "9" || got.props["title"] != "to,ol R:1 (high)" {
		t.Errorf("properties read back as %v", got.props)
	}
	if !strings.HasPrefix(got.data, msg) {
		t.Errorf("message read back as %q", got.data)
	}
}
