package codescanning_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/codescanning"
)

// logOf builds a SARIF log from runs.
func logOf(t *testing.T, runs ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"version": "2.1.0", "runs": runs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func run(tool string, results ...map[string]any) map[string]any {
	if results == nil {
		results = []map[string]any{}
	}
	return map[string]any{"tool": map[string]any{"driver": map[string]any{"name": tool}}, "results": results}
}

func result(uri string) map[string]any {
	return map[string]any{"ruleId": "R1", "message": map[string]any{"text": "m"},
		"locations": []any{map[string]any{"physicalLocation": map[string]any{"artifactLocation": map[string]any{"uri": uri}}}}}
}

func repeat[T any](n int, v T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// Each of GitHub's rejections is found before sending, naming its run and
// result.
func TestCheckProblems(t *testing.T) {
	withRule := func(r map[string]any, rule map[string]any) map[string]any {
		r["tool"].(map[string]any)["driver"].(map[string]any)["rules"] = []any{rule}
		return r
	}
	withCategory := func(r map[string]any, id string) map[string]any {
		r["automationDetails"] = map[string]any{"id": id}
		return r
	}
	manyLocs := result("a.go")
	manyLocs["locations"] = repeat(1001, manyLocs["locations"].([]any)[0])
	flow := result("a.go")
	flow["codeFlows"] = []any{map[string]any{"threadFlows": []any{map[string]any{"locations": repeat(10001, map[string]any{"location": map[string]any{}})}}}}
	extRun := run("ext")
	extRun["tool"].(map[string]any)["extensions"] = repeat(101, map[string]any{"name": "e"})
	noResults := run("nores")
	delete(noResults, "results")
	manyRules := run("rules")
	rules := make([]any, 25001)
	for i := range rules {
		rules[i] = map[string]any{"id": fmt.Sprint("R", i)}
	}
	manyRules["tool"].(map[string]any)["driver"].(map[string]any)["rules"] = rules

	cases := []struct {
		name string
		log  []byte
		want string
	}{
		{"runs", logOf(t, repeat(21, run("t"))...), "21 runs; GitHub accepts at most 20"},
		{"results", logOf(t, run("t", repeat(25001, result("a.go"))...)), "runs[0] (t): 25001 results; GitHub accepts at most 25000"},
		{"rules", logOf(t, manyRules), "runs[0] (rules): 25001 rules"},
		{"locations", logOf(t, run("t", result("a.go"), manyLocs)), "runs[0] (t).results[1]: 1001 locations"},
		{"thread flows", logOf(t, run("t", flow)), "runs[0] (t).results[0]: 10001 thread-flow locations"},
		{"tags", logOf(t, withRule(run("t"), map[string]any{"id": "R9", "properties": map[string]any{"tags": repeat(21, "x")}})), `rule "R9" has 21 tags`},
		{"extensions", logOf(t, extRun), "101 tool extensions"},
		{"tool and category", logOf(t, withCategory(run("gosec"), "backend/"), run("t"), withCategory(run("gosec"), "backend/run2")),
			`runs[2] (gosec): runs[0] has the same tool and category ("backend")`},
		{"scheme", logOf(t, run("t", result("a.go"), result("git://host/a.go"))), `runs[0] (t).results[1]: location: URI "git://host/a.go" has the scheme "git"`},
		{"security-severity word", logOf(t, withRule(run("t"), map[string]any{"id": "R2", "properties": map[string]any{"security-severity": "high"}})), `rule "R2": security-severity "high" is not a number`},
		{"security-severity range", logOf(t, withRule(run("t"), map[string]any{"id": "R3", "properties": map[string]any{"security-severity": "11.5"}})), "outside 0.0-10.0"},
		{"results missing", logOf(t, noResults), "runs[0] (nores): results is missing"},
		{"version", []byte(`{"version":"2.0.0","runs":[]}`), `version is "2.0.0"`},
		{"no runs", []byte(`{"version":"2.1.0"}`), "no runs array"},
		{"no tool name", logOf(t, run("")), "tool.driver.name is missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := codescanning.Check(tc.log, &codescanning.CheckOptions{CheckoutURI: "file:///src"})
			var pe *codescanning.PreflightError
			if !errors.As(err, &pe) || !errors.Is(err, codescanning.ErrRejected) {
				t.Fatalf("err = %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant %q in it", err, tc.want)
			}
		})
	}
}

// What GitHub accepts passes: relative URIs, file URIs with a file
// checkout, numeric security-severity as a string or a number, runs of one
// tool in different categories, an empty results array.
func TestCheckAccepts(t *testing.T) {
	r1 := run("gosec", result("a.go"), result("file:///src/b.go"))
	r1["tool"].(map[string]any)["driver"].(map[string]any)["rules"] = []any{
		map[string]any{"id": "R1", "properties": map[string]any{"security-severity": "7.5", "tags": repeat(20, "t")}},
		map[string]any{"id": "R2", "properties": map[string]any{"security-severity": 0}},
	}
	r1["automationDetails"] = map[string]any{"id": "backend/"}
	r2 := run("gosec")
	r2["automationDetails"] = map[string]any{"id": "frontend/"}
	r2["invocations"] = []any{map[string]any{"executionSuccessful": true, "startTimeUtc": "2026-12-07T22:00:00Z"}}
	c, err := codescanning.Check(logOf(t, r1, r2), &codescanning.CheckOptions{CheckoutURI: "file:///src"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Runs != 2 || c.Results != 2 || c.StartedAt != "2026-12-07T22:00:00Z" || len(c.Gzip) == 0 {
		t.Errorf("%+v", c)
	}
}

// A log that a failed run wrote with --partial is refused unless allowed;
// a log whose scanner failed without failing the run is not partial.
func TestCheckPartial(t *testing.T) {
	r := run("gosec", result("a.go"))
	r["invocations"] = []any{map[string]any{"executionSuccessful": false, "toolExecutionNotifications": []any{
		map[string]any{"level": "error", "message": map[string]any{"text": "this log is partial (written with --partial): input:x.json failed, so the findings of its tools are missing or incomplete"}}}}}
	log := logOf(t, r)
	if _, err := codescanning.Check(log, nil); !errors.Is(err, codescanning.ErrPartialLog) {
		t.Fatalf("err = %v", err)
	}
	if _, err := codescanning.Check(log, &codescanning.CheckOptions{AllowPartial: true}); err != nil {
		t.Fatalf("allowed: %v", err)
	}
	// The vulnerable-app scan has three failed scanners (offline) but was
	// not written with --partial.
	if _, err := codescanning.Check(vulnerableAppLog(t), nil); err != nil {
		t.Fatalf("vulnerable-app scan: %v", err)
	}
}

// A file that is not JSON says so.
func TestCheckNotJSON(t *testing.T) {
	if _, err := codescanning.Check([]byte("checkov banner\n{"), nil); err == nil || !strings.Contains(err.Error(), "not a SARIF log") {
		t.Fatalf("err = %v", err)
	}
}

// Real tools' SARIF logs: the recordings in testdata/real pass, and so
// does every 2.1.0 log of the shared corpus or it fails with a named
// problem (each logged).
func TestCheckRealLogs(t *testing.T) {
	files, _ := filepath.Glob("../testdata/real/out/*/*.sarif")
	shared, _ := filepath.Glob("../../shared/corpus/*/*.sarif")
	if len(shared) == 0 {
		t.Log("../shared/corpus is absent: checking the repository's recordings only")
	}
	if len(files) == 0 {
		t.Fatal("no recordings in ../testdata/real/out")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := codescanning.Check(b, &codescanning.CheckOptions{CheckoutURI: "file:///work/tree"}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	rejected := 0
	for _, f := range shared {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = codescanning.Check(b, nil)
		var pe *codescanning.PreflightError
		switch {
		case err == nil:
		case errors.As(err, &pe):
			rejected++
			t.Logf("%s: %v", filepath.Base(f), err)
		default:
			t.Logf("%s: %v", filepath.Base(f), err)
		}
	}
	t.Logf("%d recordings pass; %d of %d corpus logs would be rejected", len(files), rejected, len(shared))
}
