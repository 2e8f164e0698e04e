package conftest_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/conftest"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// recorded is conftest's real output on the testdata (testdata/README.md).
const recorded = "testdata/conftest-0.71.1.json"

// decode decodes r with the adapter and returns the findings.
func decode(t *testing.T, r io.Reader) []*finding.Finding {
	t.Helper()
	var got []*finding.Finding
	_, err := conftest.Adapter{}.Decode(r, "out.json", nil, func(f *finding.Finding) error {
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return got
}

// check decodes conftest output made from the testdata and checks what
// holds for any run: counts, validity, severities, suppressions.
func check(t *testing.T, data []byte) []*finding.Finding {
	t.Helper()
	if !(conftest.Adapter{}).Detect(data) {
		t.Error("Detect does not claim the output")
	}
	var raw []struct{ Failures, Warnings, Exceptions []any }
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, r := range raw {
		want["failure"] += len(r.Failures)
		want["warning"] += len(r.Warnings)
		want["exception"] += len(r.Exceptions)
	}
	got := decode(t, strings.NewReader(string(data)))
	count := map[string]int{}
	for i, f := range got {
		if err := f.Validate(); err != nil {
			t.Errorf("finding %d: %v", i, err)
		}
		switch {
		case f.Suppressed():
			count["exception"]++
		case f.Severity == finding.SeverityMedium && f.OriginalSeverity == "warning":
			count["warning"]++
		case f.Severity >= finding.SeverityHigh:
			count["failure"]++
		default:
			t.Errorf("finding %d: %+v", i, f)
		}
		if f.Category != finding.CategoryIaC || !strings.HasPrefix(f.Location.Path, "testdata/") {
			t.Errorf("finding %d: %+v", i, f)
		}
	}
	if len(count) != len(want) || count["failure"] != want["failure"] || count["warning"] != want["warning"] ||
		count["exception"] != want["exception"] || want["exception"] == 0 || want["failure"] == 0 {
		t.Errorf("findings %v, want %v", count, want)
	}
	return got
}

func TestRecorded(t *testing.T) {
	data, err := os.ReadFile(recorded)
	if err != nil {
		t.Fatal(err)
	}
	got := check(t, data)
	if len(got) != 6 {
		t.Fatalf("%d findings", len(got))
	}
	f := got[0]
	if f.Rule.ID != "data.main.deny_privileged" || f.Message != "Pod debug-shell: container shell is privileged" ||
		f.Severity != finding.SeverityCritical || f.OriginalSeverity != "critical" ||
		f.Location.Path != "testdata/privileged-pod.yaml" || f.Properties["namespace"] != "main" ||
		f.Properties["details"] == "" || f.Suppressed() {
		t.Errorf("failure: %+v", f)
	}
	f = got[1]
	if f.Rule.ID != "data.main.warn" || f.Message != "Pod debug-shell: container shell has no readiness probe" ||
		f.Severity != finding.SeverityMedium || f.OriginalSeverity != "warning" {
		t.Errorf("warning: %+v", f)
	}
	f = got[3]
	want := finding.Suppression{Kind: finding.SuppressionExternal, Justification: `data.main.exception[_][_] == "latest_tag"`, Source: "conftest exception rule"}
	if f.Rule.ID != "data.main.exception/latest_tag" || f.Rule.Name != "latest_tag" || f.Severity != finding.SeverityHigh ||
		len(f.Suppressions) != 1 || f.Suppressions[0] != want {
		t.Errorf("exception: %+v", f)
	}
	if got[5].Location.Path != "testdata/deployment.yaml" {
		t.Errorf("deployment: %+v", got[5])
	}
}

// TestLive runs the real conftest on the testdata.
func TestLive(t *testing.T) {
	bin, err := exec.LookPath("conftest")
	if err != nil {
		t.Skip("conftest not installed: install with go install github.com/open-policy-agent/conftest@v0.71.1")
	}
	cmd := exec.Command(bin, "test", "--no-color", "--output", "json", "--policy", "testdata/policy",
		"testdata/privileged-pod.yaml", "testdata/deployment.yaml")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: failures found
		t.Fatalf("conftest: %v", err)
	}
	check(t, out)
}

// TestDetectCorpus checks that Detect claims no file of the shared corpus
// (it has no conftest output).
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, corpustest.None, conftest.Adapter{}) }

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"not json", "hello"},
		{"object", `{"filename": "x"}`},
		{"truncated", `[{"filename": "a.yaml", "namespace": "main", "failures": [`},
		{"unterminated", `[{"filename": "a.yaml", "namespace": "main", "successes": 1}`},
		{"other array", `[{"RuleID": "x"}]`},
		{"bad failures", `[{"filename": "a.yaml", "namespace": "main", "failures": {}}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := conftest.Adapter{}.Decode(strings.NewReader(tc.in), "r.json", nil, func(*finding.Finding) error { return nil })
			if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "r.json") {
				t.Errorf("err = %v", err)
			}
		})
	}
	data, _ := os.ReadFile(recorded)
	for _, cut := range []int{1, 5, 50, 500} {
		conftest.Adapter{}.Detect(data[:cut])
	}
}
