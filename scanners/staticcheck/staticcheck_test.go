package staticcheck_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
	"github.com/scanmux/scanmux/scanners/staticcheck"
)

// recorded is the directory the recordings of testdata/README.md were
// made in: Staticcheck's JSON names files under it.
const recorded = "/work/main/scanners/staticcheck/testdata/src"

// TestCorpus checks that Detect claims no corpus file: there is no
// Staticcheck JSON in it.
func TestCorpus(t *testing.T) { corpustest.CheckDetect(t, corpustest.None, staticcheck.Adapter{}) }

// row is what the tests compare of a finding.
type row struct {
	Rule   string
	Sev    finding.Severity
	Path   string
	Region finding.Region
}

// TestTestdata decodes Staticcheck 2026.2.2 (0.8.2)'s JSON output on
// testdata/src.
func TestTestdata(t *testing.T) {
	path := "testdata/staticcheck-0.8.2.json"
	if !(staticcheck.Adapter{}).Detect(corpustest.Head(t, path)) {
		t.Error("Detect does not claim", path)
	}
	tool, got := corpustest.DecodeFile(t, staticcheck.Adapter{}, path, &scanners.Options{Root: recorded})
	if tool != (finding.Tool{Name: "staticcheck", InformationURI: "https://staticcheck.dev"}) {
		t.Errorf("tool %+v", tool)
	}
	want := []row{
		{"SA1019", finding.SeverityLow, "main.go", finding.Region{StartLine: 6, StartColumn: 2, EndLine: 6, EndColumn: 13}},
		{"U1000", finding.SeverityInfo, "main.go", finding.Region{StartLine: 12, StartColumn: 6}},
		{"SA4006", finding.SeverityLow, "main.go", finding.Region{StartLine: 30, StartColumn: 2, EndLine: 30, EndColumn: 39}},
		{"SA1019", finding.SeverityLow, "main.go", finding.Region{StartLine: 35, StartColumn: 11, EndLine: 35, EndColumn: 24}},
		{"SA4023", finding.SeverityLow, "main.go", finding.Region{StartLine: 38, StartColumn: 5, EndLine: 38, EndColumn: 16}},
		{"SA4000", finding.SeverityLow, "main.go", finding.Region{StartLine: 41, StartColumn: 24, EndLine: 41, EndColumn: 30}},
	}
	var have []row
	for _, f := range got {
		have = append(have, row{f.Rule.ID, f.Severity, f.Location.Path, f.Location.Region})
		if f.Category != finding.CategorySAST || f.OriginalSeverity != "error" || f.Rule.HelpURI != "https://staticcheck.dev/docs/checks#"+f.Rule.ID {
			t.Errorf("%+v", f)
		}
	}
	if !slices.Equal(have, want) {
		t.Fatalf("findings\n%v\nwant\n%v", have, want)
	}
	if m := got[0].Message; !strings.HasPrefix(m, "io/ioutil has been deprecated since Go 1.19: ") || strings.HasSuffix(m, " ") {
		t.Errorf("SA1019 message %q", m)
	}
	sa4023 := got[4]
	wantRel := []finding.Location{{Path: "main.go", Region: finding.Region{StartLine: 37, StartColumn: 19, EndLine: 37, EndColumn: 38},
		Message: "the lhs of the comparison gets its value from here and has a concrete type"}}
	if sa4023.Message != "this comparison is never true" || !slices.Equal(sa4023.Related, wantRel) {
		t.Errorf("SA4023: %+v", sa4023)
	}
	// Without a root, Staticcheck's absolute paths are kept aside.
	_, got = corpustest.DecodeFile(t, staticcheck.Adapter{}, path, nil)
	if f := got[0]; f.Location.Path != "" || !f.Location.Region.IsZero() || f.Properties["unresolvedPath"] != recorded+"/main.go" {
		t.Errorf("no root: %+v", f)
	}
}

// TestSARIFAgrees reads Staticcheck's SARIF output of the same run with
// package sarif and checks that it gives the same rules, paths and
// regions as the JSON adapter, given the same root. Package sarif alone
// reads severities differently: Staticcheck's SARIF gives every check
// level "warning" (medium); RefineSARIF, which the registry applies, rates
// checks by group as the JSON adapter does.
func TestSARIFAgrees(t *testing.T) {
	_, fromJSON := corpustest.DecodeFile(t, staticcheck.Adapter{}, "testdata/staticcheck-0.8.2.json", &scanners.Options{Root: recorded})
	runs, err := sarif.ReadFile("testdata/staticcheck-0.8.2.sarif", &sarif.ReadOptions{Root: recorded})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Tool.Name != "staticcheck" || runs[0].Tool.FullName != "Staticcheck" || runs[0].Tool.Version != "2026.2.2" {
		t.Fatalf("runs %+v", runs)
	}
	fromSARIF := runs[0].Findings
	if len(fromSARIF) != len(fromJSON) || len(fromJSON) != 6 {
		t.Fatalf("%d SARIF findings, %d JSON findings, want 6", len(fromSARIF), len(fromJSON))
	}
	for i, j := range fromJSON {
		s := fromSARIF[i]
		if s.Rule.ID != j.Rule.ID || s.Location.Path != j.Location.Path || !sameRegion(s.Location.Region, j.Location.Region) ||
			s.Rule.HelpURI != j.Rule.HelpURI || strings.TrimSpace(s.Message) != j.Message && j.Rule.ID != "SA4023" {
			t.Errorf("finding %d:\nSARIF %+v\nJSON  %+v", i, s, j)
		}
		staticcheck.Adapter{}.RefineSARIF(s)
		if s.Severity != j.Severity {
			t.Errorf("finding %d: refined SARIF severity %s, JSON %s", i, s.Severity, j.Severity)
		}
		if len(s.Related) != len(j.Related) {
			t.Errorf("finding %d: %d related in SARIF, %d in JSON", i, len(s.Related), len(j.Related))
		}
		for k := range min(len(s.Related), len(j.Related)) {
			if s.Related[k].Path != j.Related[k].Path || !sameRegion(s.Related[k].Region, j.Related[k].Region) {
				t.Errorf("finding %d related %d: SARIF %+v, JSON %+v", i, k, s.Related[k], j.Related[k])
			}
		}
	}
}

// sameRegion reports whether a region read from SARIF is one read from
// the JSON output. Where the JSON output has no end (U1000), SARIF has no
// endLine either, which package sarif reads as startLine, as SARIF says.
func sameRegion(fromSARIF, fromJSON finding.Region) bool {
	if fromJSON.EndLine == 0 {
		fromJSON.EndLine = fromJSON.StartLine
	}
	return fromSARIF == fromJSON
}

func TestIgnoredAndCompile(t *testing.T) {
	in := `{"code":"compile","severity":"error","location":{"file":"","line":0,"column":0},"end":{"file":"","line":0,"column":0},"message":"pattern ./src/...: directory prefix src does not contain main module or its selected dependencies"}
{"code":"ST1005","severity":"ignored","location":{"file":"/src/a.go","line":3,"column":9},"end":{"file":"/src/a.go","line":3,"column":30},"message":"error strings should not be capitalized"}
`
	_, got := corpustest.Decode(t, staticcheck.Adapter{}, strings.NewReader(in), "in.json", &scanners.Options{Root: "/src"})
	if len(got) != 2 {
		t.Fatalf("%d findings", len(got))
	}
	if f := got[0]; f.Rule.ID != "compile" || f.Category != finding.CategoryOther || f.Severity != finding.SeverityInfo ||
		f.Location.Path != "" || f.Rule.HelpURI != "" || f.Suppressed() {
		t.Errorf("compile: %+v", f)
	}
	if f := got[1]; f.Rule.ID != "ST1005" || f.Severity != finding.SeverityInfo || !f.Suppressed() ||
		f.Suppressions[0].Kind != finding.SuppressionInSource || f.Location.Path != "a.go" {
		t.Errorf("ignored: %+v", f)
	}
}

func TestEmpty(t *testing.T) {
	for _, in := range []string{"", "\n"} {
		tool, got := corpustest.Decode(t, staticcheck.Adapter{}, strings.NewReader(in), "in.json", nil)
		if tool.Name != "staticcheck" || len(got) != 0 {
			t.Errorf("%q: tool %+v, %d findings", in, tool, len(got))
		}
	}
}

func TestWrongShape(t *testing.T) {
	inputs := map[string]string{
		"text":      "main.go:6:2: io/ioutil has been deprecated (SA1019)",
		"array":     `[{"code":"SA1019"}]`,
		"no code":   `{"severity":"error","location":{"file":"a.go","line":1,"column":1},"message":"m"}`,
		"truncated": `{"code":"SA1019","severity":"error","location":{"file":"a.go"`,
		"bad type":  `{"code":"SA1019","location":{"line":"one"}}`,
	}
	for name, in := range inputs {
		_, err := staticcheck.Adapter{}.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "in.json") {
			t.Errorf("%s: error %v, want ErrFormat naming the file", name, err)
		}
	}
}

func TestEmitError(t *testing.T) {
	stop := errors.New("stop")
	in := `{"code":"U1000","severity":"error","location":{"file":"a.go","line":1,"column":1},"end":{"file":"","line":0,"column":0},"message":"m"}`
	_, err := staticcheck.Adapter{}.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return stop })
	if err != stop {
		t.Errorf("error %v, want the emit error", err)
	}
}

func TestDetect(t *testing.T) {
	a := staticcheck.Adapter{}
	full := `{"code":"U1000","severity":"error","location":{"file":"/src/a.go","line":12,"column":6},"end":{"file":"","line":0,"column":0},"message":"func f is unused"}`
	for i := range full {
		a.Detect([]byte(full[:i])) // must not panic
	}
	if !a.Detect([]byte(full[:60])) {
		t.Error("Detect does not claim a cut line")
	}
	for _, s := range []string{
		`{"runs":[],"version":"2.1.0"}`,
		`{"Issues":[{"FromLinter":"staticcheck","Text":"SA4006: x","Pos":{"Filename":"a.go"}}]}`, // golangci-lint
		`[{"code":"SA1019","severity":"error","location":{"file":"a.go"}}]`,
		`{"code":"DL3008","level":"warning","file":"Dockerfile"}`,
		``,
	} {
		if a.Detect([]byte(s)) {
			t.Errorf("Detect claims %s", s)
		}
	}
}

// TestLive runs Staticcheck on testdata/src, when it is installed (in
// PATH or GOPATH/bin), and checks that the output decodes to the
// recording's findings.
func TestLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live staticcheck run skipped in -short mode")
	}
	bin, err := exec.LookPath("staticcheck")
	if err != nil {
		gopath, gerr := exec.Command("go", "env", "GOPATH").Output()
		bin = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "staticcheck")
		if _, serr := os.Stat(bin); gerr != nil || serr != nil {
			t.Skip("staticcheck not installed: install with go install honnef.co/go/tools/cmd/staticcheck@v0.8.2")
		}
	}
	dir, err := filepath.Abs("testdata/src")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-f", "json", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 { // 1 means problems found
			t.Fatalf("staticcheck: %v\n%s", err, stderr.Bytes())
		}
	}
	_, live := corpustest.Decode(t, staticcheck.Adapter{}, &out, "staticcheck -f json", &scanners.Options{Root: dir})
	_, rec := corpustest.DecodeFile(t, staticcheck.Adapter{}, "testdata/staticcheck-0.8.2.json", &scanners.Options{Root: recorded})
	if len(live) != len(rec) {
		t.Fatalf("%d findings live, %d recorded", len(live), len(rec))
	}
	for i := range live {
		if live[i].Rule.ID != rec[i].Rule.ID || live[i].Location.Path != rec[i].Location.Path || live[i].Location.Region != rec[i].Location.Region {
			t.Errorf("finding %d: live %+v, recorded %+v", i, live[i], rec[i])
		}
	}
}
