package cppcheck_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/cppcheck"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// decode decodes r and returns the tool and findings, failing the test on
// an error or an invalid finding.
func decode(t *testing.T, r io.Reader, name, root string) (finding.Tool, []*finding.Finding) {
	t.Helper()
	return corpustest.Decode(t, cppcheck.Adapter{}, r, name, &scanners.Options{Root: root})
}

// countErrors counts the <error> elements of a raw report with generic XML
// code.
func countErrors(t *testing.T, raw []byte) int {
	t.Helper()
	var doc struct {
		Errors []struct{} `xml:"errors>error"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return len(doc.Errors)
}

// TestCorpus checks that Detect claims no corpus file: there is no
// Cppcheck report in it.
func TestCorpus(t *testing.T) { corpustest.CheckDetect(t, corpustest.None, cppcheck.Adapter{}) }

// TestTestdata decodes the real Cppcheck 2.10 report of testdata/src (see
// testdata/README.md).
func TestTestdata(t *testing.T) {
	path := "testdata/cppcheck-2.10.xml"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !(cppcheck.Adapter{}).Detect(raw) {
		t.Error("Detect does not claim", path)
	}
	tool, got := decode(t, bytes.NewReader(raw), path, "")
	if tool.Version != "2.10" {
		t.Errorf("tool %+v", tool)
	}
	if n := countErrors(t, raw); len(got) != n {
		t.Errorf("%d findings, %d errors", len(got), n)
	}
	checkTestdata(t, got)

	byKey := map[string]*finding.Finding{}
	for _, f := range got {
		byKey[f.Rule.ID+":"+strconv.Itoa(f.Location.Region.StartLine)] = f
	}
	want := finding.Finding{
		Tool:             tool,
		Rule:             finding.Rule{ID: "arrayIndexOutOfBoundsCond"},
		Message:          "Either the condition 'i==10' is redundant or the array 'table[10]' is accessed at index 10, which is out of bounds.",
		Category:         finding.CategorySAST,
		Severity:         finding.SeverityMedium,
		OriginalSeverity: "warning",
		CWEs:             []int{788},
		Location:         finding.Location{Path: "src/vuln.c", Region: finding.Region{StartLine: 11, StartColumn: 21}},
		Related: []finding.Location{{Path: "src/vuln.c", Region: finding.Region{StartLine: 10, StartColumn: 11},
			Message: "Assuming that condition 'i==10' is not redundant"}},
	}
	if f := byKey["arrayIndexOutOfBoundsCond:11"]; f == nil || !reflect.DeepEqual(*f, want) {
		t.Errorf("arrayIndexOutOfBoundsCond:\n got %+v\nwant %+v", f, want)
	}
	if f := byKey["unusedFunction:8"]; f == nil || f.Location.Region != (finding.Region{StartLine: 8}) ||
		f.Severity != finding.SeverityLow || f.Properties["cppcheck.symbols"] != `["lookup"]` {
		t.Errorf("unusedFunction: %+v", f)
	}
	if f := byKey["missingIncludeSystem:0"]; f == nil || f.Category != finding.CategoryOther ||
		f.Severity != finding.SeverityInfo || f.Location.Path != "" || f.Properties["cppcheck.verbose"] == "" {
		t.Errorf("missingIncludeSystem: %+v", f)
	}
}

// checkTestdata checks the findings of Cppcheck on testdata/src.
func checkTestdata(t *testing.T, got []*finding.Finding) {
	t.Helper()
	rules := map[string]*finding.Finding{}
	for _, f := range got {
		rules[f.Rule.ID] = f
		if want := map[string]finding.Severity{"error": finding.SeverityHigh, "warning": finding.SeverityMedium,
			"style": finding.SeverityLow, "performance": finding.SeverityLow, "portability": finding.SeverityLow,
			"information": finding.SeverityInfo}[f.OriginalSeverity]; f.Severity != want {
			t.Errorf("%s: severity %s from %q", f.Rule.ID, f.Severity, f.OriginalSeverity)
		}
	}
	for _, id := range []string{"bufferAccessOutOfBounds", "doubleFree", "resourceLeak", "zerodiv", "uninitvar"} {
		if rules[id] == nil {
			t.Errorf("no %s finding", id)
		}
	}
	if f := rules["doubleFree"]; f != nil {
		if f.Location.Path != "src/vuln.c" || f.Location.Region.StartLine != 32 || len(f.Related) != 1 ||
			f.Related[0].Region.StartLine != 31 || !slices.Equal(f.CWEs, []int{415}) || f.Severity != finding.SeverityHigh ||
			f.Category != finding.CategorySAST {
			t.Errorf("doubleFree: %+v", f)
		}
	}
}

// TestLive runs Cppcheck on testdata/src when it is installed.
func TestLive(t *testing.T) {
	bin, err := exec.LookPath("cppcheck")
	if err != nil {
		t.Skip("cppcheck not installed: install with apt-get install cppcheck (Debian 12: 2.10)")
	}
	cmd := exec.Command(bin, "--xml", "--xml-version=2", "--enable=all", "--inconclusive", "src/vuln.c")
	cmd.Dir = "testdata"
	var out bytes.Buffer
	cmd.Stderr = &out // Cppcheck writes its XML report to standard error
	if err := cmd.Run(); err != nil {
		t.Fatalf("cppcheck: %v\n%s", err, out.Bytes())
	}
	if !(cppcheck.Adapter{}).Detect(out.Bytes()) {
		t.Error("Detect does not claim the output")
	}
	tool, got := decode(t, &out, "cppcheck output", "")
	if tool.Version == "" {
		t.Errorf("tool %+v", tool)
	}
	checkTestdata(t, got)
}

func TestRoot(t *testing.T) {
	in := `<?xml version="1.0" encoding="UTF-8"?>
<results version="2"><cppcheck version="2.13.0"/><errors>
<error id="nullPointer" severity="error" msg="Null pointer dereference: p" verbose="Null pointer dereference: p" cwe="476" inconclusive="true" hash="123" file0="/src/app/main.c">
<location file="/src/app/lib/util.h" line="7" column="3" info="Null pointer dereference"/>
<location file="/usr/include/stdio.h" line="20" column="1" info="from here"/>
<symbol>p</symbol></error>
<error id="internalAstError" severity="error" msg="Syntax Error: AST broken" verbose="Syntax Error: AST broken">
<location file="/elsewhere/x.c" line="3" column="0"/></error>
</errors></results>`
	_, got := decode(t, strings.NewReader(in), "in.xml", "/src/app")
	if len(got) != 2 {
		t.Fatalf("%d findings", len(got))
	}
	f := got[0]
	want := finding.Finding{
		Tool:     finding.Tool{Name: "cppcheck", Version: "2.13.0", InformationURI: "https://cppcheck.sourceforge.io"},
		Rule:     finding.Rule{ID: "nullPointer"},
		Message:  "Null pointer dereference: p",
		Category: finding.CategorySAST, Severity: finding.SeverityHigh, OriginalSeverity: "error",
		Precision:    finding.PrecisionLow,
		CWEs:         []int{476},
		Location:     finding.Location{Path: "lib/util.h", Region: finding.Region{StartLine: 7, StartColumn: 3}},
		Related:      []finding.Location{{Message: "from here"}},
		Fingerprints: map[string]string{"cppcheck/hash": "123"},
		Properties:   map[string]string{"cppcheck.symbols": `["p"]`, "cppcheck.file0": "/src/app/main.c"},
	}
	if !reflect.DeepEqual(*f, want) {
		t.Errorf("\n got %+v\nwant %+v", *f, want)
	}
	if f := got[1]; f.Location.Path != "" || f.Properties["cppcheck.file"] != "/elsewhere/x.c" {
		t.Errorf("outside root: %+v", f)
	}
}

func TestWrongShape(t *testing.T) {
	inputs := map[string]string{
		"not xml":     "Checking vuln.c ...",
		"json":        `{"results":[]}`,
		"other root":  `<checkstyle version="4.3"><file name="a.c"/></checkstyle>`,
		"no errors":   `<results version="2"><cppcheck version="2.10"/></results>`,
		"truncated":   `<results version="2"><cppcheck version="2.10"/><errors><error id="x" severity="error" msg="m">`,
		"no id":       `<results version="2"><errors><error severity="error" msg="m"/></errors></results>`,
		"bad line":    `<results version="2"><errors><error id="x" severity="error" msg="m"><location file="a.c" line="x"/></error></errors></results>`,
		"empty":       ``,
		"unclosed":    `<results version="2"><errors></errors>`,
		"wrong close": `<results version="2"><errors></results>`,
	}
	for name, in := range inputs {
		_, err := cppcheck.Adapter{}.Decode(strings.NewReader(in), "in.xml", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "in.xml") {
			t.Errorf("%s: error %v, want ErrFormat naming the file", name, err)
		}
	}
}

func TestEmitError(t *testing.T) {
	stop := errors.New("stop")
	in := `<results version="2"><cppcheck version="2.10"/><errors><error id="x" severity="error" msg="m"/></errors></results>`
	_, err := cppcheck.Adapter{}.Decode(strings.NewReader(in), "in.xml", nil, func(*finding.Finding) error { return stop })
	if err != stop {
		t.Errorf("error %v, want the emit error", err)
	}
}

func TestDetectCut(t *testing.T) {
	full := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<results version="2">
    <cppcheck version="2.10"/>
    <errors>
        <error id="zerodiv" severity="error" msg="Division by zero." cwe="369"/>
    </errors>
</results>`)
	a := cppcheck.Adapter{}
	for i := range full {
		a.Detect(full[:i]) // must not panic
	}
	if !a.Detect(full[:80]) {
		t.Error("Detect does not claim a cut head")
	}
	for _, s := range []string{`{"runs":[]}`, `<results/>`, `<?xml version="1.0"?><checkstyle version="8.0"/>`} {
		if a.Detect([]byte(s)) {
			t.Errorf("Detect claims %s", s)
		}
	}
}
