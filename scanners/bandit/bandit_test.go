package bandit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/bandit"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// decodeFile decodes path with root and returns the tool and findings,
// failing the test on an error or an invalid finding.
func decodeFile(t *testing.T, path, root string) (finding.Tool, []*finding.Finding) {
	t.Helper()
	return corpustest.DecodeFile(t, bandit.Adapter{}, path, &scanners.Options{Root: root})
}

// claims says whether the adapter must claim the corpus file r.
func claims(r corpustest.Row, _ string) bool { return r.Tool == "bandit" && r.Format == "native-json" }

func TestCorpus(t *testing.T) {
	corpustest.CheckDetect(t, claims, bandit.Adapter{})
	corpustest.DecodeEach(t, claims, bandit.Adapter{}, nil, func(t *testing.T, r corpustest.Row, tool finding.Tool, got []*finding.Finding) {
		if tool.Name != "bandit" {
			t.Errorf("%s: tool %+v", r.Path, tool)
		}
		r.CheckCount(t, len(got))
		for _, f := range got {
			secret := f.Rule.ID == "B105" || f.Rule.ID == "B106" || f.Rule.ID == "B107"
			if want := finding.CategorySAST; secret && f.Category != finding.CategorySecret || !secret && f.Category != want {
				t.Errorf("%s: %s has category %s", r.Path, f.Rule.ID, f.Category)
			}
			if sev, _ := finding.ParseSeverity(f.OriginalSeverity); sev != f.Severity {
				t.Errorf("%s: %s severity %s from %q", r.Path, f.Rule.ID, f.Severity, f.OriginalSeverity)
			}
			if f.Location.Path == "" || strings.Contains(f.Location.Path, `\`) || f.Location.Region.StartLine == 0 ||
				f.Precision == "" || f.Rule.HelpURI == "" || f.Rule.Name == "" || f.Location.Snippet == "" {
				t.Errorf("%s: %s lacks a field: %+v", r.Path, f.Rule.ID, f)
			}
		}
	})
}

// TestCorpusSecrets checks that no password bandit reported in the corpus
// appears in the findings.
func TestCorpusSecrets(t *testing.T) {
	rows := corpustest.Manifest(t)
	for _, r := range rows {
		if r.Tool != "bandit" || r.Format != "native-json" {
			continue
		}
		raw, err := os.ReadFile(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		secrets := passwords(t, raw)
		_, got := decodeFile(t, r.Path, "")
		checkNoSecrets(t, got, secrets)
	}
}

// passwords returns the values in the issue texts of B105-B107 results of
// a raw bandit report, read with generic JSON code.
func passwords(t *testing.T, raw []byte) []string {
	t.Helper()
	var rep struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rep.Results {
		text, _ := r["issue_text"].(string)
		if v, ok := strings.CutPrefix(text, "Possible hardcoded password: '"); ok {
			out = append(out, strings.TrimSuffix(v, "'"))
		}
	}
	return out
}

// checkNoSecrets fails if a secret appears in a finding's text, and checks
// the secret findings' fingerprints.
func checkNoSecrets(t *testing.T, got []*finding.Finding, secrets []string) {
	t.Helper()
	hashes := map[string]bool{}
	for _, s := range secrets {
		sum := sha256.Sum256([]byte(s))
		hashes[hex.EncodeToString(sum[:])] = true
	}
	for _, f := range got {
		if f.Category != finding.CategorySecret {
			continue
		}
		text := f.Message + "\n" + f.Location.Snippet
		for _, v := range f.Properties {
			text += "\n" + v
		}
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s %s:%d leaks %q: %q", f.Rule.ID, f.Location.Path, f.Location.Region.StartLine, s, text)
			}
		}
		if !hashes[f.Fingerprints["secret/sha256"]] {
			t.Errorf("%s %s:%d: fingerprint %v matches no secret", f.Rule.ID, f.Location.Path, f.Location.Region.StartLine, f.Fingerprints)
		}
	}
}

func TestCorpusGolden(t *testing.T) {
	path := corpustest.File(t, "bandit/bandit-many.json")
	_, got := decodeFile(t, path, "")
	byKey := map[string]*finding.Finding{}
	for _, f := range got {
		byKey[f.Rule.ID+" "+f.Location.Path+":"+strconv.Itoa(f.Location.Region.StartLine)] = f
	}
	sum := sha256.Sum256([]byte("POST"))
	tests := []struct {
		key      string
		want     finding.Finding
		fullRule bool
	}{
		{key: "B110 dojo/benchmark/views.py:26", want: finding.Finding{
			Rule:     finding.Rule{ID: "B110", Name: "try_except_pass", HelpURI: "https://bandit.readthedocs.io/en/latest/plugins/b110_try_except_pass.html"},
			Message:  "Try, Except, Pass detected.",
			Category: finding.CategorySAST, Severity: finding.SeverityLow, OriginalSeverity: "LOW", Precision: finding.PrecisionHigh,
			Location: finding.Location{Path: "dojo/benchmark/views.py", Region: finding.Region{StartLine: 26, EndLine: 27},
				Snippet: "    except:\n        pass\n"},
		}},
		{key: "B105 dojo/okta.py:36", want: finding.Finding{
			Rule:     finding.Rule{ID: "B105", Name: "hardcoded_password_string", HelpURI: "https://bandit.readthedocs.io/en/latest/plugins/b105_hardcoded_password_string.html"},
			Message:  "Possible hardcoded password: 'REDACTED'",
			Category: finding.CategorySecret, Severity: finding.SeverityLow, OriginalSeverity: "LOW", Precision: finding.PrecisionMedium,
			Location:     finding.Location{Path: "dojo/okta.py", Region: finding.Region{StartLine: 36, EndLine: 36}, Snippet: "    ACCESS_TOKEN_METHOD = 'REDACTED'\n"},
			Fingerprints: map[string]string{"secret/sha256": hex.EncodeToString(sum[:])},
		}},
	}
	for _, tt := range tests {
		f := byKey[tt.key]
		if f == nil {
			t.Errorf("no finding %s", tt.key)
			continue
		}
		w := tt.want
		w.Tool = f.Tool
		if !reflect.DeepEqual(*f, w) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.key, *f, w)
		}
	}
}

// secretsInSrc are the fake passwords of testdata/src/app.py.
var secretsInSrc = []string{"Tr0ub4dor&3-not-real", "s3cr3t-default-pw", "hunter2-literal-arg"}

// TestTestdata decodes the real bandit 1.6.2 report of testdata/src (see
// testdata/README.md).
func TestTestdata(t *testing.T) {
	path := "testdata/bandit-1.6.2.json"
	if !(bandit.Adapter{}).Detect(corpustest.Head(t, path)) {
		t.Error("Detect does not claim", path)
	}
	_, got := decodeFile(t, path, "")
	checkTestdata(t, got)
}

// checkTestdata checks the findings of bandit on testdata/src.
func checkTestdata(t *testing.T, got []*finding.Finding) {
	t.Helper()
	checkNoSecrets(t, got, secretsInSrc)
	rules := map[string]*finding.Finding{}
	for _, f := range got {
		rules[f.Rule.ID] = f
	}
	// Rules that bandit 1.6.2 and later report on app.py; newer versions
	// report more (B105 on DB_PASSWORD, B608).
	for _, id := range []string{"B106", "B107", "B301", "B602"} {
		if rules[id] == nil {
			t.Errorf("no %s finding", id)
		}
	}
	if f := rules["B602"]; f != nil {
		// bandit 1.7.4 added the CWE, 1.7.5 the columns.
		r := f.Location.Region
		if f.Location.Path != "src/app.py" || r.StartLine != 14 || r.EndLine != 14 ||
			r.StartColumn != 0 && (r.StartColumn != 5 || r.EndColumn != 36) ||
			f.CWEs != nil && !slices.Equal(f.CWEs, []int{78}) || f.Severity != finding.SeverityHigh ||
			f.Location.Snippet != "    subprocess.call(cmd, shell=True)\n" {
			t.Errorf("B602: %+v", f)
		}
	}
}

// TestLive runs bandit on testdata/src when it is installed.
func TestLive(t *testing.T) {
	bin, err := exec.LookPath("bandit")
	if err != nil {
		t.Skip("bandit not installed: install with apt-get install bandit (Debian 12: 1.6.2) or pip install bandit")
	}
	cmd := exec.Command(bin, "-q", "-f", "json", "-r", "src")
	cmd.Dir = "testdata"
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || out.Len() == 0 { // exit status 1 means issues found
			t.Fatalf("bandit: %v", err)
		}
	}
	var got []*finding.Finding
	if _, err := (bandit.Adapter{}).Decode(&out, "bandit output", nil, func(f *finding.Finding) error {
		if err := f.Validate(); err != nil {
			t.Errorf("%s: %v", f.Rule.ID, err)
		}
		got = append(got, f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	checkTestdata(t, got)
}

func TestWrongShape(t *testing.T) {
	inputs := map[string]string{
		"not json":       "Run started",
		"array":          `[]`,
		"gosec":          `{"Issues":[],"Stats":{}}`,
		"no results":     `{"generated_at":"x","metrics":{}}`,
		"truncated":      `{"errors":[],"generated_at":"x","results":[{"test_id":"B101"`,
		"result no test": `{"generated_at":"x","results":[{"issue_text":"t"}]}`,
		"wrong type":     `{"generated_at":"x","results":[{"test_id":"B101","line_number":"3"}]}`,
		"empty":          ``,
	}
	for name, in := range inputs {
		_, err := bandit.Adapter{}.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "in.json") {
			t.Errorf("%s: error %v, want ErrFormat naming the file", name, err)
		}
	}
}

func TestEmitError(t *testing.T) {
	stop := errors.New("stop")
	in := `{"generated_at":"x","results":[{"test_id":"B101","issue_text":"t","issue_severity":"LOW","filename":"a.py","line_number":1}]}`
	_, err := bandit.Adapter{}.Decode(strings.NewReader(in), "in.json", nil, func(*finding.Finding) error { return stop })
	if err != stop {
		t.Errorf("error %v, want the emit error", err)
	}
}

func TestDetectCut(t *testing.T) {
	full := []byte(`{"errors":[],"generated_at":"2025-01-01T00:00:00Z","metrics":{"_totals":{"CONFIDENCE.HIGH":1.0}},"results":[]}`)
	a := bandit.Adapter{}
	for i := range full {
		a.Detect(full[:i]) // must not panic
	}
	if !a.Detect(full[:len(full)-20]) {
		t.Error("Detect does not claim a cut head")
	}
	for _, s := range []string{`{"runs":[],"version":"2.1.0"}`, `[]`, `{}`, `{"generated_at":"x"}`} {
		if a.Detect([]byte(s)) {
			t.Errorf("Detect claims %s", s)
		}
	}
}

func TestAbsolutePathOutsideRoot(t *testing.T) {
	in := `{"generated_at":"x","results":[{"test_id":"B101","issue_text":"t","issue_severity":"LOW","filename":"/elsewhere/a.py","line_number":3,"line_range":[3],"code":"3 assert x\n"}]}`
	var got *finding.Finding
	if _, err := (bandit.Adapter{}).Decode(strings.NewReader(in), "in.json", &scanners.Options{Root: "/src"}, func(f *finding.Finding) error { got = f; return nil }); err != nil {
		t.Fatal(err)
	}
	if got.Location.Path != "" || got.Properties["unresolvedPath"] != "/elsewhere/a.py" || got.Validate() != nil {
		t.Errorf("got %+v", got)
	}
}
