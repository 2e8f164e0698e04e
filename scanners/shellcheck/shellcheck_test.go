package shellcheck_test

import (
	"bytes"
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
	"github.com/scanmux/scanmux/scanners/shellcheck"
)

// decode decodes r and returns the findings, failing the test on an error
// or an invalid finding.
func decode(t *testing.T, r io.Reader, name, root string) []*finding.Finding {
	t.Helper()
	tool, got := corpustest.Decode(t, shellcheck.Adapter{}, r, name, &scanners.Options{Root: root})
	if tool.Name != "shellcheck" {
		t.Errorf("%s: tool %+v", name, tool)
	}
	return got
}

// decodeFile decodes the file path.
func decodeFile(t *testing.T, path string) []*finding.Finding {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, bytes.NewReader(b), path, "")
}

// countComments counts the comments of a raw json or json1 report with
// generic JSON code.
func countComments(t *testing.T, raw []byte) int {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if m, ok := v.(map[string]any); ok {
		v = m["comments"]
	}
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("no comments array in %.40s", raw)
	}
	return len(list)
}

// TestCorpus checks that Detect claims no corpus file: there is no
// ShellCheck report in it.
func TestCorpus(t *testing.T) { corpustest.CheckDetect(t, corpustest.None, shellcheck.Adapter{}) }

// TestTestdata decodes the real ShellCheck 0.9.0 reports of
// testdata/vuln.sh (see testdata/README.md).
func TestTestdata(t *testing.T) {
	for _, path := range []string{"testdata/vuln-0.9.0.json", "testdata/vuln-0.9.0.json1"} {
		if !(shellcheck.Adapter{}).Detect(corpustest.Head(t, path)) {
			t.Error("Detect does not claim", path)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got := decodeFile(t, path)
		if n := countComments(t, raw); len(got) != n {
			t.Errorf("%s: %d findings, %d comments", path, len(got), n)
		}
		checkTestdata(t, got, strings.HasSuffix(path, ".json"))
	}
}

// checkTestdata checks the findings of ShellCheck on testdata/vuln.sh;
// legacy says they come from -f json.
func checkTestdata(t *testing.T, got []*finding.Finding, legacy bool) {
	t.Helper()
	if len(got) == 0 {
		t.Fatal("no findings")
	}
	levels := map[string]finding.Severity{"error": finding.SeverityMedium, "warning": finding.SeverityLow,
		"info": finding.SeverityInfo, "style": finding.SeverityInfo}
	var sc2115 *finding.Finding
	for _, f := range got {
		if f.Category != finding.CategorySAST || f.Severity != levels[f.OriginalSeverity] ||
			f.Location.Path != "vuln.sh" || f.Location.Region.StartLine == 0 ||
			f.Rule.HelpURI != "https://www.shellcheck.net/wiki/"+f.Rule.ID || (f.Properties["shellcheck.tabstop"] == "8") != legacy {
			t.Errorf("%+v", f)
		}
		if f.Rule.ID == "SC2115" {
			sc2115 = f
		}
	}
	if sc2115 == nil {
		t.Fatal("no SC2115 finding")
	}
	// Line 6 is "\trm -rf $f/*": json1 counts the tab as one column, json
	// as eight.
	col := 9
	if legacy {
		col = 16
	}
	want := finding.Region{StartLine: 6, StartColumn: col, EndLine: 6, EndColumn: col + 4}
	if sc2115.Location.Region != want || sc2115.OriginalSeverity != "warning" || sc2115.Severity != finding.SeverityLow ||
		sc2115.Message != `Use "${var:?}" to ensure this never expands to /* .` {
		t.Errorf("SC2115: %+v, want region %+v", sc2115, want)
	}
}

// TestLive runs ShellCheck on testdata/vuln.sh in both formats when it is
// installed.
func TestLive(t *testing.T) {
	bin, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck not installed: install with apt-get install shellcheck (Debian 12: 0.9.0)")
	}
	for _, format := range []string{"json", "json1"} {
		cmd := exec.Command(bin, "-f", format, "vuln.sh")
		cmd.Dir = "testdata"
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 { // 1 means comments found
				t.Fatalf("shellcheck -f %s: %v", format, err)
			}
		}
		if !(shellcheck.Adapter{}).Detect(out.Bytes()) {
			t.Errorf("Detect does not claim the -f %s output", format)
		}
		checkTestdata(t, decode(t, &out, "shellcheck -f "+format, ""), format == "json")
	}
}

func TestEmpty(t *testing.T) {
	for _, in := range []string{`{"comments":[]}`, `[]`} {
		if got := decode(t, strings.NewReader(in), "in.json", ""); len(got) != 0 {
			t.Errorf("%s: %d findings", in, len(got))
		}
	}
	if !(shellcheck.Adapter{}).Detect([]byte(`{"comments":[]}`)) {
		t.Error("Detect does not claim an empty json1 report")
	}
}

func TestWrongShape(t *testing.T) {
	inputs := map[string]string{
		"not json":    "In vuln.sh line 4:",
		"hadolint":    `[{"line":9,"code":"DL3008","message":"Pin versions","column":1,"file":"Dockerfile","level":"warning"}]`,
		"no comments": `{"issues":[]}`,
		"comments":    `{"comments":{}}`,
		"truncated":   `{"comments":[{"file":"a.sh","line":1,"code":2086`,
		"no code":     `[{"file":"a.sh","line":1,"level":"info","message":"m"}]`,
		"string":      `"x"`,
		"empty":       ``,
	}
	for name, in := range inputs {
		_, err := shellcheck.Adapter{}.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "in.json") {
			t.Errorf("%s: error %v, want ErrFormat naming the file", name, err)
		}
	}
}

func TestEmitError(t *testing.T) {
	stop := errors.New("stop")
	for _, in := range []string{
		`[{"file":"a.sh","line":1,"endLine":1,"column":1,"endColumn":2,"level":"info","code":2086,"message":"m"}]`,
		`{"comments":[{"file":"a.sh","line":1,"endLine":1,"column":1,"endColumn":2,"level":"info","code":2086,"message":"m"}]}`,
	} {
		_, err := shellcheck.Adapter{}.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return stop })
		if err != stop {
			t.Errorf("error %v, want the emit error", err)
		}
	}
}

func TestDetectCut(t *testing.T) {
	a := shellcheck.Adapter{}
	for _, full := range []string{
		`{"comments":[{"file":"a.sh","line":1,"endLine":1,"column":1,"endColumn":2,"level":"info","code":2086,"message":"m","fix":null}]}`,
		`[{"file":"a.sh","line":1,"endLine":1,"column":1,"endColumn":2,"level":"info","code":2086,"message":"m","fix":null}]`,
	} {
		for i := range full {
			a.Detect([]byte(full[:i])) // must not panic
		}
		if !a.Detect([]byte(full[:len(full)-30])) {
			t.Errorf("Detect does not claim %.30s... cut", full)
		}
	}
	for _, s := range []string{`{"runs":[],"version":"2.1.0"}`, `[]`, `{}`} {
		if a.Detect([]byte(s)) {
			t.Errorf("Detect claims %s", s)
		}
	}
}
