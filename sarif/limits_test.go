package sarif

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif/internal/gzipsize"
)

// many returns n findings of tool, severities cycling low, medium, high,
// critical, on distinct lines of a file that does not exist.
func many(tool string, n int) []*finding.Finding {
	sevs := []finding.Severity{finding.SeverityLow, finding.SeverityMedium, finding.SeverityHigh, finding.SeverityCritical}
	out := make([]*finding.Finding, n)
	for i := range out {
		out[i] = &finding.Finding{
			Tool: finding.Tool{Name: tool}, Rule: finding.Rule{ID: fmt.Sprintf("R%d", i%7)},
			Message: fmt.Sprintf("issue %d", i), Category: finding.CategorySAST, Severity: sevs[i%4],
			Location: finding.Location{Path: "gen/file.go", Region: finding.Region{StartLine: i + 1}},
		}
	}
	return out
}

type decoded struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name  string
				Rules []struct{ ID string }
			}
		}
		Invocations []struct {
			ToolExecutionNotifications []struct {
				Level   string
				Message struct{ Text string }
			}
		}
		Results []struct {
			RuleID     string
			RuleIndex  int
			Level      string
			Properties struct{ Severity string }
		}
	}
}

func writeDecode(t *testing.T, runs []Run, opts *WriteOptions) (*decoded, *WriteSummary, []byte) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := Write(&buf, runs, opts)
	if err != nil {
		t.Fatal(err)
	}
	var d decoded
	if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return &d, sum, buf.Bytes()
}

func notes(d *decoded, run int) string {
	var s []string
	for _, n := range d.Runs[run].Invocations[0].ToolExecutionNotifications {
		s = append(s, n.Level+": "+n.Message.Text)
	}
	return strings.Join(s, "\n")
}

func TestLimitResultsPerRun(t *testing.T) {
	d, sum, _ := writeDecode(t, []Run{{Tool: finding.Tool{Name: "t"}, Findings: many("t", 10)}},
		&WriteOptions{Limits: &Limits{MaxResultsPerRun: 4}})
	if n := len(d.Runs[0].Results); n != 4 {
		t.Fatalf("%d results, want 4", n)
	}
	for _, r := range d.Runs[0].Results {
		if r.Properties.Severity != "critical" && r.Properties.Severity != "high" {
			t.Errorf("kept a %s result; want the most severe", r.Properties.Severity)
		}
	}
	// 10 findings: 3 low, 3 medium, 2 high, 2 critical; 6 left out.
	want := "warning: 6 results left out to stay within GitHub's limit of 4 results per run: 3 medium, 3 low"
	if got := notes(d, 0); got != want {
		t.Errorf("notification = %q, want %q", got, want)
	}
	if sum.DroppedResults != 6 || sum.DroppedBySeverity[finding.SeverityMedium] != 3 || sum.Results["t"] != 4 {
		t.Errorf("summary = %+v", sum)
	}
}

func TestLimitRulesPerRun(t *testing.T) {
	d, sum, _ := writeDecode(t, []Run{{Tool: finding.Tool{Name: "t"}, Findings: many("t", 14)}},
		&WriteOptions{Limits: &Limits{MaxRulesPerRun: 3}})
	rules := d.Runs[0].Tool.Driver.Rules
	if len(rules) != 3 {
		t.Fatalf("%d rules, want 3", len(rules))
	}
	for _, r := range d.Runs[0].Results {
		if rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d names %s, result has %s", r.RuleIndex, rules[r.RuleIndex].ID, r.RuleID)
		}
	}
	if sum.DroppedResults == 0 || !strings.Contains(notes(d, 0), "limit of 3 rules per run") {
		t.Errorf("dropped %d, notes %q", sum.DroppedResults, notes(d, 0))
	}
}

func TestLimitRuns(t *testing.T) {
	var runs []Run
	for i := range 5 {
		fs := many(fmt.Sprintf("tool%d", i), 1)
		fs[0].Severity = finding.Severity(1 + i%5) // tool0 info ... tool4 critical
		runs = append(runs, Run{Tool: fs[0].Tool, Findings: fs})
	}
	d, sum, _ := writeDecode(t, runs, &WriteOptions{Limits: &Limits{MaxRuns: 3}})
	var names []string
	for _, r := range d.Runs {
		names = append(names, r.Tool.Driver.Name)
	}
	if got := strings.Join(names, ","); got != "tool2,tool3,tool4" {
		t.Errorf("runs = %s, want the three with the most severe results", got)
	}
	if strings.Join(sum.DroppedRuns, ",") != "tool0,tool1" || sum.DroppedResults != 2 {
		t.Errorf("DroppedRuns = %v, DroppedResults = %d", sum.DroppedRuns, sum.DroppedResults)
	}
}

func TestLimitLocationsAndFlows(t *testing.T) {
	f := many("t", 1)[0]
	for i := range 5 {
		f.Related = append(f.Related, finding.Location{Path: "a.go", Region: finding.Region{StartLine: i + 1}})
	}
	f.Flows = []finding.Flow{{Steps: f.Related[:3]}, {Steps: f.Related[:4]}}
	_, sum, data := writeDecode(t, []Run{{Tool: f.Tool, Findings: []*finding.Finding{f}}},
		&WriteOptions{Limits: &Limits{MaxLocationsPerResult: 2, MaxThreadFlowLocationsPerResult: 5}})
	if sum.DroppedLocations != 3 || sum.DroppedThreadFlowLocations != 2 {
		t.Errorf("DroppedLocations = %d, DroppedThreadFlowLocations = %d; want 3, 2", sum.DroppedLocations, sum.DroppedThreadFlowLocations)
	}
	var lg struct {
		Runs []struct {
			Results []struct {
				RelatedLocations []any
				CodeFlows        []struct {
					ThreadFlows []struct{ Locations []any }
				}
			}
		}
	}
	if err := json.Unmarshal(data, &lg); err != nil {
		t.Fatal(err)
	}
	r := lg.Runs[0].Results[0]
	if len(r.RelatedLocations) != 2 || len(r.CodeFlows) != 2 || len(r.CodeFlows[1].ThreadFlows[0].Locations) != 2 {
		t.Errorf("related %d, flows %+v", len(r.RelatedLocations), r.CodeFlows)
	}
}

func TestLimitTags(t *testing.T) {
	f := many("t", 1)[0]
	for i := range 30 {
		f.Rule.Tags = append(f.Rule.Tags, fmt.Sprintf("tag%02d", i))
	}
	d, sum, data := writeDecode(t, []Run{{Tool: f.Tool, Findings: []*finding.Finding{f}}}, nil)
	if sum.DroppedTags != 12 { // security + sast + 30 = 32, limit 20
		t.Errorf("DroppedTags = %d, want 12", sum.DroppedTags)
	}
	if !strings.Contains(notes(d, 0), "12 rule tags left out") || !bytes.Contains(data, []byte(`"security",`)) {
		t.Errorf("notes %q", notes(d, 0))
	}
}

func TestLimitGzipSize(t *testing.T) {
	runs := []Run{{Tool: finding.Tool{Name: "t"}, Findings: many("t", 400)}}
	_, full, fullData := writeDecode(t, runs, &WriteOptions{Limits: &Limits{MaxGzipBytes: 1 << 40}})
	// Without a gzip limit the same log is written, unmeasured.
	if _, unlimited, data := writeDecode(t, runs, &WriteOptions{Limits: &Limits{}}); unlimited.GzipBytes != 0 || !bytes.Equal(data, fullData) {
		t.Errorf("without a gzip limit: GzipBytes %d (want 0), same log %v", unlimited.GzipBytes, bytes.Equal(data, fullData))
	}
	limit := full.GzipBytes / 2
	d, sum, data := writeDecode(t, runs, &WriteOptions{Limits: &Limits{MaxGzipBytes: limit}})
	gz, err := gzipsize.Size(data)
	if err != nil {
		t.Fatal(err)
	}
	if gz > limit || sum.GzipBytes != gz {
		t.Errorf("compressed size %d (summary %d), limit %d", gz, sum.GzipBytes, limit)
	}
	kept := len(d.Runs[0].Results)
	if kept == 0 || kept == 400 || sum.DroppedResults != 400-kept {
		t.Errorf("kept %d, dropped %d", kept, sum.DroppedResults)
	}
	// The least severe go first: with 100 findings per severity, a
	// severity is touched only when every less severe one is all gone.
	for _, s := range []finding.Severity{finding.SeverityMedium, finding.SeverityHigh, finding.SeverityCritical} {
		if sum.DroppedBySeverity[s] > 0 && sum.DroppedBySeverity[s-1] != 100 {
			t.Errorf("dropped %v while keeping some %v: %v", s, s-1, sum.DroppedBySeverity)
		}
	}
	if !strings.Contains(notes(d, 0), "bytes per gzip-compressed file") {
		t.Errorf("notes %q", notes(d, 0))
	}
	if _, err := Write(&bytes.Buffer{}, runs, &WriteOptions{Limits: &Limits{MaxGzipBytes: 10}}); err == nil {
		t.Error("no error when even an empty log is too large")
	}
}

// TestLimitRealResults writes 25,001 results with the real GitHubLimits.
func TestLimitRealResults(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	runs := []Run{{Tool: finding.Tool{Name: "t"}, Findings: many("t", 25001)}}
	d, sum, data := writeDecode(t, runs, nil)
	if n := len(d.Runs[0].Results); n != GitHubLimits.MaxResultsPerRun {
		t.Errorf("%d results, want %d", n, GitHubLimits.MaxResultsPerRun)
	}
	if sum.DroppedResults != 1 || sum.DroppedBySeverity[finding.SeverityLow] != 1 {
		t.Errorf("summary %+v", sum)
	}
	ps, err := Validate(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Level == "error" {
			t.Errorf("Validate: %s", p)
		}
	}
}

// TestLimitGzipTight writes with limits from too small for an empty log
// to enough for a few results: every log written fits and is measured
// exactly, and results are kept most severe first.
func TestLimitGzipTight(t *testing.T) {
	runs := []Run{{Tool: finding.Tool{Name: "t"}, Findings: many("t", 300)}, {Tool: finding.Tool{Name: "u"}, Findings: many("u", 50)}}
	written := 0
	for limit := int64(300); limit < 4000; limit += 61 {
		var buf bytes.Buffer
		sum, err := Write(&buf, runs, &WriteOptions{Limits: &Limits{MaxGzipBytes: limit}})
		if errors.Is(err, ErrTooLarge) {
			continue
		}
		if err != nil {
			t.Fatalf("limit %d: %v", limit, err)
		}
		written++
		gz, err := gzipsize.Size(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		kept := sum.Results["t"] + sum.Results["u"]
		if gz > limit || sum.GzipBytes != gz || sum.Bytes != int64(buf.Len()) || kept+sum.DroppedResults != 350 {
			t.Errorf("limit %d: compressed %d (summary %d), bytes %d (summary %d), kept %d + dropped %d",
				limit, gz, sum.GzipBytes, buf.Len(), sum.Bytes, kept, sum.DroppedResults)
		}
		if _, err := Validate(buf.Bytes()); err != nil {
			t.Errorf("limit %d: %v", limit, err)
		}
	}
	if written < 10 {
		t.Errorf("only %d limits left room for a log", written)
	}
}

// TestGzipMarginZlib cuts a log with GitHub's gzip margin and checks that
// GNU gzip -6, which compresses like the zlib that uploaders use (and a
// little less tightly on these logs), stays under the limit, which
// compress/gzip's measure alone would not guarantee.
func TestGzipMarginZlib(t *testing.T) {
	gz, err := exec.LookPath("gzip")
	if err != nil {
		t.Skip("gzip is not installed")
	}
	runs := benchRuns(4, 6000)
	_, full, _ := writeDecode(t, runs, &WriteOptions{Limits: &Limits{MaxGzipBytes: 1 << 40}})
	lim := &Limits{MaxGzipBytes: full.GzipBytes / 2, GzipMargin: GitHubLimits.GzipMargin}
	d, sum, data := writeDecode(t, runs, &WriteOptions{Limits: lim})
	cmd := exec.Command(gz, "-6", "-c", "-n")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	budget := lim.MaxGzipBytes - int64(float64(lim.MaxGzipBytes)*lim.GzipMargin)
	t.Logf("limit %d, budget %d: measured %d, gzip -6 %d (%.4f times the measure)",
		lim.MaxGzipBytes, budget, sum.GzipBytes, len(out), float64(len(out))/float64(sum.GzipBytes))
	if sum.DroppedResults == 0 || sum.GzipBytes > budget || sum.GzipBytes < budget*98/100 {
		t.Errorf("measured %d, dropped %d: want a cut just under the budget %d", sum.GzipBytes, sum.DroppedResults, budget)
	}
	if int64(len(out)) > lim.MaxGzipBytes {
		t.Errorf("gzip -6 makes %d bytes, over the limit %d", len(out), lim.MaxGzipBytes)
	}
	var all []string
	for i := range d.Runs {
		all = append(all, notes(d, i))
	}
	if !strings.Contains(strings.Join(all, "\n"), "less a margin of 8% for the uploader's compression") {
		t.Errorf("notes %q do not mention the margin", all)
	}
}
