package eslint_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/eslint"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// decodeFile decodes path with root and returns the findings, failing the
// test on an error or an invalid finding.
func decodeFile(t *testing.T, path, root string) []*finding.Finding {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	return decode(t, fh, path, root)
}

// decode decodes r and returns the findings, failing the test on an error
// or an invalid finding.
func decode(t *testing.T, r io.Reader, name, root string) []*finding.Finding {
	t.Helper()
	tool, got := corpustest.Decode(t, eslint.Adapter{}, r, name, &scanners.Options{Root: root})
	if tool.Name != "eslint" {
		t.Errorf("%s: tool %+v", name, tool)
	}
	return got
}

// countMessages counts the messages and suppressed messages of a raw
// ESLint JSON report with generic JSON code.
func countMessages(t *testing.T, path string) int {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var files []map[string][]any
	if err := json.Unmarshal(raw, &files); err != nil {
		// Other keys have other types: decode the two arrays alone.
		var loose []struct {
			Messages           []any `json:"messages"`
			SuppressedMessages []any `json:"suppressedMessages"`
		}
		if err := json.Unmarshal(raw, &loose); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range loose {
			n += len(f.Messages) + len(f.SuppressedMessages)
		}
		return n
	}
	n := 0
	for _, f := range files {
		n += len(f["messages"]) + len(f["suppressedMessages"])
	}
	return n
}

// claims says whether the adapter must claim the corpus file r.
func claims(r corpustest.Row, _ string) bool { return r.Tool == "eslint" && r.Format == "native-json" }

func TestCorpus(t *testing.T) {
	corpustest.CheckDetect(t, claims, eslint.Adapter{})
	opts := func(corpustest.Row) *scanners.Options { return &scanners.Options{Root: "/Users/omerlh/dev/juice-shop"} }
	corpustest.DecodeEach(t, claims, eslint.Adapter{}, opts, func(t *testing.T, r corpustest.Row, tool finding.Tool, got []*finding.Finding) {
		if tool.Name != "eslint" {
			t.Errorf("%s: tool %+v", r.Path, tool)
		}
		// The manifest's num_results for eslint-json.json is 3, the number
		// of file objects in the report (one per linted file, two of them
		// without messages). Findings are messages: count them from the
		// raw JSON instead.
		want := countMessages(t, r.Path)
		if n, err := strconv.Atoi(r.NumResults); err != nil || n != want {
			t.Logf("%s: manifest num_results %q, %d messages", r.Path, r.NumResults, want)
		}
		if len(got) != want {
			t.Errorf("%s: %d findings, the report has %d messages", r.Path, len(got), want)
		}
		for _, f := range got {
			if f.Category != finding.CategorySAST {
				t.Errorf("%s: %s has category %s", r.Path, f.Rule.ID, f.Category)
			}
			if want := map[string]finding.Severity{"1": finding.SeverityLow, "2": finding.SeverityMedium}[f.OriginalSeverity]; f.Severity != want {
				t.Errorf("%s: %s severity %s from %q", r.Path, f.Rule.ID, f.Severity, f.OriginalSeverity)
			}
		}
	})
}

func TestCorpusGolden(t *testing.T) {
	got := decodeFile(t, corpustest.File(t, "eslint/eslint-json.json"), "/Users/omerlh/dev/juice-shop")
	want := []finding.Finding{{
		Tool:             finding.Tool{Name: "eslint", InformationURI: "https://eslint.org"},
		Rule:             finding.Rule{ID: "security/detect-object-injection"},
		Message:          "Generic Object Injection Sink",
		Category:         finding.CategorySAST,
		Severity:         finding.SeverityMedium,
		OriginalSeverity: "2",
		Location: finding.Location{
			Path:    "routes/basketItems.js",
			Region:  finding.Region{StartLine: 19, StartColumn: 11, EndLine: 19, EndColumn: 20},
			Snippet: "      if (result[i].key === 'ProductId') {",
		},
		Properties: map[string]string{"eslint.nodeType": "MemberExpression"},
	}, {
		Tool:             finding.Tool{Name: "eslint", InformationURI: "https://eslint.org"},
		Rule:             finding.Rule{ID: "security/detect-object-injection"},
		Message:          "Generic Object Injection Sink",
		Category:         finding.CategorySAST,
		Severity:         finding.SeverityLow,
		OriginalSeverity: "1",
		Location: finding.Location{
			Path:    "routes/basketItems.js",
			Region:  finding.Region{StartLine: 20, StartColumn: 25, EndLine: 20, EndColumn: 34},
			Snippet: "        productIds.push(result[i].value)",
		},
		Properties: map[string]string{"eslint.nodeType": "MemberExpression"},
	}}
	if len(got) != len(want) {
		t.Fatalf("%d findings, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(*got[i], want[i]) {
			t.Errorf("finding %d:\n got %+v\nwant %+v", i, *got[i], want[i])
		}
	}
}

// TestTestdata decodes the real ESLint 9.39.1 report of testdata/src (see
// testdata/README.md).
func TestTestdata(t *testing.T) {
	path := "testdata/eslint-9.39.1.json"
	if !(eslint.Adapter{}).Detect(corpustest.Head(t, path)) {
		t.Error("Detect does not claim", path)
	}
	got := decodeFile(t, path, "/work/main/scanners/eslint/testdata")
	if n := countMessages(t, path); len(got) != n {
		t.Errorf("%d findings, %d messages", len(got), n)
	}
	checkTestdata(t, got)
}

// checkTestdata checks the findings of ESLint on testdata/src.
func checkTestdata(t *testing.T, got []*finding.Finding) {
	t.Helper()
	rules := map[string]*finding.Finding{}
	for _, f := range got {
		rules[f.Rule.ID] = f
	}
	for _, id := range []string{"security/detect-child-process", "security/detect-non-literal-fs-filename",
		"security/detect-object-injection", "security/detect-unsafe-regex", "no-eval", eslint.ParseErrorRule} {
		if rules[id] == nil {
			t.Errorf("no %s finding", id)
		}
	}
	if f := rules["security/detect-child-process"]; f != nil {
		want := finding.Location{Path: "src/app.js", Region: finding.Region{StartLine: 10, StartColumn: 2, EndLine: 10, EndColumn: 25},
			Snippet: "\tchild_process.exec(cmd);"}
		if !reflect.DeepEqual(f.Location, want) || f.Category != finding.CategorySAST || f.Severity != finding.SeverityLow {
			t.Errorf("detect-child-process: %+v", f)
		}
	}
	if f := rules["no-eval"]; f != nil {
		if !f.Suppressed() || f.Suppressions[0].Kind != finding.SuppressionInSource ||
			f.Suppressions[0].Justification != "trusted input only" || f.Severity != finding.SeverityMedium {
			t.Errorf("no-eval: %+v", f)
		}
	}
	if f := rules[eslint.ParseErrorRule]; f != nil {
		if f.Category != finding.CategoryOther || f.Severity != finding.SeverityInfo || f.Location.Path != "src/broken.js" ||
			f.Location.Region.StartLine != 2 || !strings.HasPrefix(f.Message, "Parsing error:") {
			t.Errorf("parse error: %+v", f)
		}
	}
}

// TestLive runs ESLint with eslint-plugin-security on testdata/src when
// both are installed under $SCANMUX_ESLINT_PREFIX.
func TestLive(t *testing.T) {
	prefix := os.Getenv("SCANMUX_ESLINT_PREFIX")
	if prefix == "" {
		t.Skip("SCANMUX_ESLINT_PREFIX not set: install ESLint with npm install --prefix DIR eslint@9.39.1 eslint-plugin-security@3.0.1 and set SCANMUX_ESLINT_PREFIX=DIR")
	}
	modules, err := filepath.Abs(filepath.Join(prefix, "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(modules, ".bin", "eslint")
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("eslint not installed under SCANMUX_ESLINT_PREFIX: %v", err)
	}
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-f", "json", "src")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 { // 1 means problems found
			t.Fatalf("eslint: %v\n%s", err, stderr.Bytes())
		}
	}
	checkTestdata(t, decode(t, &out, "eslint output", dir))
}

func TestSecretsPlugin(t *testing.T) {
	const secret = "gh0_Zq8b1Xr7Lm2Vt9Kp4Wc6Yd3Na5Fs"
	in := `[{"filePath":"/src/app/config.js","messages":[{"ruleId":"no-secrets/no-secrets","severity":2,
	"message":"Found a string with entropy 4.72 : \"` + secret + `\"","line":1,"column":14,"endLine":1,"endColumn":48}],
	"source":"const token = \"` + secret + `\";\n"}]`
	got := decode(t, strings.NewReader(in), "in.json", "/src/app")
	f := got[0]
	sum := sha256.Sum256([]byte(secret))
	if f.Category != finding.CategorySecret || f.Fingerprints["secret/sha256"] != hex.EncodeToString(sum[:]) ||
		f.Message != `Found a string with entropy 4.72 : "REDACTED"` || f.Location.Snippet != `const token = "REDACTED";` {
		t.Errorf("got %+v", f)
	}
}

func TestWrongShape(t *testing.T) {
	inputs := map[string]string{
		"not json":    "eslint: 3 problems",
		"object":      `{"results":[]}`,
		"no filePath": `[{"messages":[]}]`,
		"truncated":   `[{"filePath":"a.js","messages":[{"ruleId":"x"`,
		"wrong type":  `[{"filePath":"a.js","messages":[{"ruleId":"x","line":"3"}]}]`,
		"gosec":       `{"Issues":[]}`,
		"empty":       ``,
	}
	for name, in := range inputs {
		_, err := eslint.Adapter{}.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "in.json") {
			t.Errorf("%s: error %v, want ErrFormat naming the file", name, err)
		}
	}
}

func TestEmitError(t *testing.T) {
	stop := errors.New("stop")
	in := `[{"filePath":"a.js","messages":[{"ruleId":"security/x","severity":2,"message":"m","line":1,"column":1}]}]`
	_, err := eslint.Adapter{}.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return stop })
	if err != stop {
		t.Errorf("error %v, want the emit error", err)
	}
}

func TestDetectCut(t *testing.T) {
	full := []byte(`[{"filePath":"/src/a.js","messages":[{"ruleId":"security/detect-eval-with-expression","severity":2}],"errorCount":1}]`)
	a := eslint.Adapter{}
	for i := range full {
		a.Detect(full[:i]) // must not panic
	}
	if !a.Detect(full[:40]) {
		t.Error("Detect does not claim a cut head")
	}
	for _, s := range []string{`{"runs":[],"version":"2.1.0"}`, `[]`, `[1,{"filePath":"a","messages":[]}]`, `{"filePath":"a","messages":[]}`} {
		if a.Detect([]byte(s)) {
			t.Errorf("Detect claims %s", s)
		}
	}
}
