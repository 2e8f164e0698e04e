package kubescore_test

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
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
	"github.com/scanmux/scanmux/scanners/kubescore"
)

// recorded is kube-score's real output on the testdata manifests, and
// recordedRoot the checkout it was made in (see testdata/README.md).
const (
	recorded     = "testdata/kube-score-1.20.0.json"
	recordedRoot = "/work/main"
)

// decode decodes r with the adapter and returns the findings.
func decode(t *testing.T, r io.Reader, opts *scanners.Options) []*finding.Finding {
	t.Helper()
	var got []*finding.Finding
	_, err := kubescore.Adapter{}.Decode(r, "out.json", opts, func(f *finding.Finding) error {
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return got
}

// wantCount counts, with generic JSON code, the failed checks' comments
// (a failed check without comments counts once).
func wantCount(t *testing.T, data []byte) int {
	t.Helper()
	var objs []struct {
		Checks []struct {
			Grade    int
			Skipped  bool
			Comments []any
		}
	}
	if err := json.Unmarshal(data, &objs); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range objs {
		for _, c := range o.Checks {
			if c.Grade < 10 && !c.Skipped {
				n += max(1, len(c.Comments))
			}
		}
	}
	return n
}

// check decodes kube-score output made from the testdata manifests.
func check(t *testing.T, data []byte, root string) []*finding.Finding {
	t.Helper()
	if !(kubescore.Adapter{}).Detect(data) {
		t.Error("Detect does not claim the output")
	}
	got := decode(t, strings.NewReader(string(data)), &scanners.Options{Root: root})
	if want := wantCount(t, data); len(got) != want || want == 0 {
		t.Errorf("%d findings, want %d", len(got), want)
	}
	for i, f := range got {
		if err := f.Validate(); err != nil {
			t.Errorf("finding %d: %v", i, err)
		}
		if f.Category != finding.CategoryIaC || f.Location.Path == "" || f.Location.Resource == "" {
			t.Errorf("finding %d: %+v", i, f)
		}
	}
	return got
}

func TestRecorded(t *testing.T) {
	data, err := os.ReadFile(recorded)
	if err != nil {
		t.Fatal(err)
	}
	got := check(t, data, recordedRoot)
	var privileged, antiAffinity *finding.Finding
	for _, f := range got {
		switch f.Rule.ID {
		case "container-security-context-privileged":
			privileged = f
		case "deployment-has-host-podantiaffinity":
			antiAffinity = f
		}
	}
	if f := privileged; f == nil || f.Rule.Name != "Container Security Context Privileged" ||
		f.Message != "The container is privileged (shell)" || f.Severity != finding.SeverityHigh || f.OriginalSeverity != "CRITICAL" ||
		f.Location.Path != "scanners/kubescore/testdata/privileged-pod.yaml" || f.Location.Region.StartLine != 1 ||
		f.Location.Resource != "Pod/tools/debug-shell" || f.Properties["grade"] != "1" || f.Properties["path"] != "shell" {
		t.Errorf("privileged: %+v", f)
	}
	if f := antiAffinity; f == nil || f.Severity != finding.SeverityMedium || f.OriginalSeverity != "WARNING" ||
		f.Message != "Deployment does not have a host podAntiAffinity set" || f.Location.Resource != "Deployment/shop/web" ||
		f.Location.Path != "scanners/kubescore/testdata/deployment.yaml" || f.Properties["grade"] != "5" {
		t.Errorf("podantiaffinity: %+v", f)
	}

	// Without a root the absolute paths are kept aside.
	got = decode(t, strings.NewReader(string(data)), nil)
	if got[0].Location.Path != "" || !strings.HasSuffix(got[0].Properties["unresolvedPath"], "testdata/privileged-pod.yaml") || got[0].Validate() != nil {
		t.Errorf("no root: %+v", got[0])
	}
}

// TestLive runs the real kube-score on the testdata manifests.
func TestLive(t *testing.T) {
	bin, err := exec.LookPath("kube-score")
	if err != nil {
		t.Skip("kube-score not installed: install with go install github.com/zegl/kube-score/cmd/kube-score@v1.20.0")
	}
	cmd := exec.Command(bin, "score", "--output-format", "json", "testdata/privileged-pod.yaml", "testdata/deployment.yaml")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: critical problems found
		t.Fatalf("kube-score: %v", err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, f := range check(t, out, wd) {
		paths[f.Location.Path] = true
	}
	if !paths["testdata/privileged-pod.yaml"] || !paths["testdata/deployment.yaml"] || len(paths) != 2 {
		t.Errorf("paths %v", paths)
	}
}

// TestDetectCorpus checks that Detect claims no file of the shared corpus
// (it has no kube-score output).
func TestDetectCorpus(t *testing.T) { corpustest.CheckDetect(t, corpustest.None, kubescore.Adapter{}) }

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"not json", "hello"},
		{"object", `{"object_name": "x"}`},
		{"truncated", `[{"object_name": "Pod/v1/a/b", "checks": [`},
		{"unterminated", `[{"object_name": "Pod/v1/a/b", "checks": []}`},
		{"other array", `[{"RuleID": "x"}]`},
		{"bad grade", `[{"object_name": "Pod/v1/a/b", "checks": [{"grade": "high"}]}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kubescore.Adapter{}.Decode(strings.NewReader(tc.in), "r.json", nil, func(*finding.Finding) error { return nil })
			if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "r.json") {
				t.Errorf("err = %v", err)
			}
		})
	}
	for _, cut := range []int{1, 5, 50, 500} {
		data, _ := os.ReadFile(recorded)
		kubescore.Adapter{}.Detect(data[:cut])
	}
}
