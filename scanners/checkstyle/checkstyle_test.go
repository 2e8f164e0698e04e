package checkstyle_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/checkstyle"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
	"github.com/scanmux/scanmux/scanners/shellcheck"
	"github.com/scanmux/scanmux/scanners/tfsec"
)

// recorded is where the recordings of testdata/README.md were made: the
// tools wrote absolute paths under it.
const recorded = "/work/main/scanners/checkstyle/testdata"

// TestCorpus checks that Detect claims no corpus file: there is no
// Checkstyle XML in it, but there are ZAP, SpotBugs and other XML reports.
func TestCorpus(t *testing.T) { corpustest.CheckDetect(t, corpustest.None, checkstyle.Adapter{}) }

// TestDetect checks Detect on the recordings and on the other XML reports
// of this repository's testdata.
func TestDetect(t *testing.T) {
	a := checkstyle.Adapter{}
	for _, path := range []string{"testdata/shellcheck-0.9.0-vuln.xml", "testdata/checkstyle-8.36.1-sun.xml", "testdata/eslint-8.57.1.xml", "testdata/tfsec-1.26.0.xml"} {
		if !a.Detect(corpustest.Head(t, path)) {
			t.Error("Detect does not claim", path)
		}
	}
	others, err := filepath.Glob("../*/testdata/*.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range others {
		if strings.HasPrefix(path, "../checkstyle/") {
			continue
		}
		if a.Detect(corpustest.Head(t, path)) {
			t.Error("Detect claims", path)
		}
	}
	for _, s := range []string{
		`<?xml version="1.0"?><results version="2"><cppcheck version="2.10"/><errors/></results>`,
		`<?xml version="1.0"?><niktoscan><scandetails/></niktoscan>`,
		`<?xml version="1.0"?><OWASPZAPReport version="2.11.1"></OWASPZAPReport>`,
		`<?xml version="1.0"?><!-- <checkstyle> --><pmd version="6"/>`,
		`<checkstyles/>`, `{"checkstyle":1}`, ``,
	} {
		if a.Detect([]byte(s)) {
			t.Errorf("Detect claims %s", s)
		}
	}
	for _, s := range []string{
		"\ufeff<?xml version='1.0' encoding='UTF-8'?>\n<checkstyle version='4.3'>\n",
		"<!-- by tfsec -->\n<checkstyle>", "<checkstyle/>",
	} {
		if !a.Detect([]byte(s)) {
			t.Errorf("Detect does not claim %q", s)
		}
	}
}

// TestShellCheckAgrees decodes ShellCheck 0.9.0's checkstyle and json1
// reports of the same script (../shellcheck/testdata/vuln.sh) and checks
// that both adapters report the same findings: tool, rule, help, message,
// category, severity, CWEs, path, line and column. Checkstyle XML has no
// end position, so only starts are compared.
func TestShellCheckAgrees(t *testing.T) {
	_, xmlGot := corpustest.DecodeFile(t, checkstyle.Adapter{}, "testdata/shellcheck-0.9.0-vuln.xml", nil)
	_, jsonGot := corpustest.DecodeFile(t, shellcheck.Adapter{}, "../shellcheck/testdata/vuln-0.9.0.json1", nil)
	if len(xmlGot) != 12 || len(jsonGot) != 12 {
		t.Fatalf("%d checkstyle findings, %d json1 findings, want 12 each", len(xmlGot), len(jsonGot))
	}
	for i := range xmlGot {
		x, j := xmlGot[i], jsonGot[i]
		jr := j.Location.Region
		if x.Tool.Name != j.Tool.Name || x.Rule.ID != j.Rule.ID || x.Rule.HelpURI != j.Rule.HelpURI ||
			x.Message != j.Message || x.Category != j.Category || x.Severity != j.Severity ||
			!slices.Equal(x.CWEs, j.CWEs) || x.Location.Path != j.Location.Path ||
			x.Location.Region != (finding.Region{StartLine: jr.StartLine, StartColumn: jr.StartColumn}) {
			t.Errorf("finding %d:\ncheckstyle %+v\njson1      %+v", i, x, j)
		}
	}
	// Spot checks: the tab on line 6 counts as one column, as in json1;
	// ShellCheck's "style" level is "info" in checkstyle.
	if f := xmlGot[1]; f.Rule.ID != "SC2115" || f.Location.Region != (finding.Region{StartLine: 6, StartColumn: 9}) ||
		f.Severity != finding.SeverityLow || f.Message != `Use "${var:?}" to ensure this never expands to /* .` {
		t.Errorf("SC2115: %+v", f)
	}
	if f := xmlGot[8]; f.Rule.ID != "SC2005" || f.OriginalSeverity != "info" || jsonGot[8].OriginalSeverity != "style" ||
		f.Severity != finding.SeverityInfo {
		t.Errorf("SC2005: %+v", f)
	}
}

// TestCheckstyle decodes Checkstyle 8.36.1's own report on
// testdata/src/Login.java with the sun_checks configuration.
func TestCheckstyle(t *testing.T) {
	tool, got := corpustest.DecodeFile(t, checkstyle.Adapter{}, "testdata/checkstyle-8.36.1-sun.xml", &scanners.Options{Root: recorded})
	if tool != (finding.Tool{Name: "checkstyle", Version: "8.36.1", InformationURI: "https://checkstyle.org"}) {
		t.Errorf("tool %+v", tool)
	}
	if len(got) != 10 {
		t.Fatalf("%d findings, want 10", len(got))
	}
	for _, f := range got {
		if f.Tool != tool || f.Location.Path != "src/Login.java" || f.Category != finding.CategorySAST ||
			f.Severity != finding.SeverityMedium || f.OriginalSeverity != "error" ||
			!strings.HasPrefix(f.Rule.ID, "com.puppycrawl.tools.checkstyle.checks.") {
			t.Errorf("%+v", f)
		}
	}
	star := got[1]
	if star.Rule.ID != "com.puppycrawl.tools.checkstyle.checks.imports.AvoidStarImportCheck" ||
		star.Message != "Using the '.*' form of import should be avoided - java.sql.*." ||
		star.Location.Region != (finding.Region{StartLine: 3, StartColumn: 16}) {
		t.Errorf("AvoidStarImport: %+v", star)
	}
	// LineLength has no column.
	if long := got[8]; long.Location.Region != (finding.Region{StartLine: 10}) {
		t.Errorf("LineLength: %+v", long)
	}
	// Without a root, the absolute paths cannot be made relative.
	_, got = corpustest.DecodeFile(t, checkstyle.Adapter{}, "testdata/checkstyle-8.36.1-sun.xml", nil)
	if f := got[0]; f.Location.Path != "" || !f.Location.Region.IsZero() || f.Properties["unresolvedPath"] != recorded+"/src/Login.java" {
		t.Errorf("no root: %+v", f)
	}
}

// TestESLint decodes ESLint 8.57.1's checkstyle report on
// testdata/src/app.js.
func TestESLint(t *testing.T) {
	tool, got := corpustest.DecodeFile(t, checkstyle.Adapter{}, "testdata/eslint-8.57.1.xml", &scanners.Options{Root: recorded})
	if tool.Name != "eslint" || tool.Version != "" {
		t.Errorf("tool %+v", tool)
	}
	type row struct {
		rule, msg string
		sev       finding.Severity
		line, col int
	}
	want := []row{
		{"no-var", "Unexpected var, use let or const instead.", finding.SeverityLow, 3, 3},
		{"no-unused-vars", "'unused' is assigned a value but never used.", finding.SeverityLow, 3, 7},
		{"no-eval", "eval can be harmful.", finding.SeverityMedium, 4, 3},
		{"no-new-func", "The Function constructor is eval.", finding.SeverityMedium, 5, 10},
	}
	var have []row
	for _, f := range got {
		if f.Location.Path != "src/app.js" || f.Category != finding.CategorySAST {
			t.Errorf("%+v", f)
		}
		have = append(have, row{f.Rule.ID, f.Message, f.Severity, f.Location.Region.StartLine, f.Location.Region.StartColumn})
	}
	if !slices.Equal(have, want) {
		t.Errorf("findings\n%v\nwant\n%v", have, want)
	}
}

// TestTfsecAgrees decodes tfsec 1.26.0's checkstyle and JSON reports of
// one scan of testdata/src/tf and checks that this adapter and package
// tfsec agree on tool, rule, category, path, line and help, and on
// severity except where checkstyle's three words lose a level: tfsec
// writes CRITICAL and HIGH both as error, read as high.
func TestTfsecAgrees(t *testing.T) {
	_, fromXML := corpustest.DecodeFile(t, checkstyle.Adapter{}, "testdata/tfsec-1.26.0.xml", nil)
	_, fromJSON := corpustest.DecodeFile(t, tfsec.Adapter{}, "testdata/tfsec-1.26.0.json", &scanners.Options{Root: recorded + "/src/tf"})
	if len(fromXML) != 11 || len(fromJSON) != 11 {
		t.Fatalf("%d checkstyle findings, %d JSON findings, want 11 each", len(fromXML), len(fromJSON))
	}
	byRule := func(a, b *finding.Finding) int { return strings.Compare(a.Rule.ID, b.Rule.ID) }
	slices.SortFunc(fromXML, byRule)
	slices.SortFunc(fromJSON, byRule)
	for i, x := range fromXML {
		j := fromJSON[i]
		wantSev := j.Severity
		if wantSev == finding.SeverityCritical {
			wantSev = finding.SeverityHigh
		}
		if x.Tool.Name != "tfsec" || x.Rule.ID != j.Rule.ID || x.Category != j.Category || x.Location.Path != j.Location.Path ||
			x.Location.Region.StartLine != j.Location.Region.StartLine || x.Severity != wantSev ||
			!strings.HasPrefix(x.Rule.HelpURI, "https://aquasecurity.github.io/tfsec/") {
			t.Errorf("finding %d:\ncheckstyle %+v\njson       %+v", i, x, j)
		}
	}
}

// TestSources checks how sources other than the recorded ones are read:
// tfsec (from its checkstyle formatter's shape), hadolint, an unknown
// source and none.
func TestSources(t *testing.T) {
	in := `<?xml version="1.0" encoding="UTF-8"?>
<checkstyle version="5.0">
	<file name="/src/main.tf">
		<error source="aws-s3-enable-bucket-encryption" line="1" column="0" severity="error" message="Bucket does not have encryption enabled" link="https://aquasecurity.github.io/tfsec/v1.28.1/checks/aws/s3/enable-bucket-encryption/"></error>
		<error source="aws-s3-enable-versioning" line="2" column="0" severity="info" message="Bucket does not have versioning enabled" link="https://aquasecurity.github.io/tfsec/v1.28.1/checks/aws/s3/enable-versioning/"></error>
	</file>
	<file name="Dockerfile"><error line="3" column="1" severity="info" message="Pin versions" source="DL3008"/></file>
	<file name="x.go"><error line="4" column="2" severity="warning" message="G104: Errors unhandled" source="gosec"/></file>
	<file name="y.txt"><error line="x" severity="" message=""/></file>
</checkstyle>`
	var got []*finding.Finding
	tool, err := checkstyle.Adapter{}.Decode(strings.NewReader(in), "in.xml", &scanners.Options{Root: "/src"}, func(f *finding.Finding) error {
		if err := f.Validate(); err != nil {
			t.Error(err)
		}
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tool.Name != "tfsec" || len(got) != 5 {
		t.Fatalf("tool %+v, %d findings", tool, len(got))
	}
	type row struct {
		tool, rule string
		cat        finding.Category
		sev        finding.Severity
		path       string
		region     finding.Region
	}
	want := []row{
		{"tfsec", "aws-s3-enable-bucket-encryption", finding.CategoryIaC, finding.SeverityHigh, "main.tf", finding.Region{StartLine: 1}},
		{"tfsec", "aws-s3-enable-versioning", finding.CategoryIaC, finding.SeverityLow, "main.tf", finding.Region{StartLine: 2}},
		{"hadolint", "DL3008", finding.CategoryIaC, finding.SeverityInfo, "Dockerfile", finding.Region{StartLine: 3, StartColumn: 1}},
		{"checkstyle", "gosec", finding.CategorySAST, finding.SeverityLow, "x.go", finding.Region{StartLine: 4, StartColumn: 2}},
		{"checkstyle", "checkstyle/unknown", finding.CategorySAST, finding.SeverityInfo, "y.txt", finding.Region{}},
	}
	for i, f := range got {
		have := row{f.Tool.Name, f.Rule.ID, f.Category, f.Severity, f.Location.Path, f.Location.Region}
		if have != want[i] {
			t.Errorf("finding %d: %+v, want %+v", i, have, want[i])
		}
	}
	if got[0].Rule.HelpURI != "https://aquasecurity.github.io/tfsec/v1.28.1/checks/aws/s3/enable-bucket-encryption/" ||
		got[2].Rule.HelpURI != "https://github.com/hadolint/hadolint/wiki/DL3008" || got[4].Message != "checkstyle checkstyle/unknown" {
		t.Errorf("help or message: %+v %+v %+v", got[0], got[2], got[4])
	}
}

func TestEmpty(t *testing.T) {
	for _, in := range []string{`<checkstyle version="4.3"/>`, `<?xml version="1.0"?><checkstyle version="8.36.1"><file name="a.java"/></checkstyle>`} {
		tool, got := corpustest.Decode(t, checkstyle.Adapter{}, strings.NewReader(in), "in.xml", nil)
		if tool.Name != "checkstyle" || len(got) != 0 {
			t.Errorf("%s: tool %+v, %d findings", in, tool, len(got))
		}
	}
}

func TestWrongShape(t *testing.T) {
	inputs := map[string]string{
		"not xml":   "In vuln.sh line 4:",
		"cppcheck":  `<?xml version="1.0"?><results version="2"><cppcheck version="2.10"/><errors/></results>`,
		"truncated": `<checkstyle version="4.3"><file name="a.sh"><error line="1"`,
		"unclosed":  `<checkstyle version="4.3"><file name="a.sh">`,
		"bad utf-8": "<checkstyle><file name=\"\xff\"/></checkstyle>",
		"empty":     ``,
	}
	for name, in := range inputs {
		_, err := checkstyle.Adapter{}.Decode(strings.NewReader(in), "in.xml", nil, func(*finding.Finding) error { return nil })
		if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "in.xml") {
			t.Errorf("%s: error %v, want ErrFormat naming the file", name, err)
		}
	}
}

func TestEmitError(t *testing.T) {
	stop := errors.New("stop")
	in := `<checkstyle><file name="a.sh"><error line="1" severity="info" message="m" source="ShellCheck.SC2086"/></file></checkstyle>`
	_, err := checkstyle.Adapter{}.Decode(strings.NewReader(in), "in.xml", nil, func(*finding.Finding) error { return stop })
	if err != stop {
		t.Errorf("error %v, want the emit error", err)
	}
}

// TestLive runs ShellCheck with -f checkstyle on ../shellcheck/testdata/
// vuln.sh, when it is installed, and checks that the output decodes to
// the recording's findings.
func TestLive(t *testing.T) {
	bin, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck not installed: install with apt-get install shellcheck (Debian 12: 0.9.0)")
	}
	cmd := exec.Command(bin, "-f", "checkstyle", "vuln.sh")
	cmd.Dir = "../shellcheck/testdata"
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 { // 1 means comments found
			t.Fatalf("shellcheck -f checkstyle: %v", err)
		}
	}
	if !(checkstyle.Adapter{}).Detect(out.Bytes()) {
		t.Error("Detect does not claim the output")
	}
	_, live := corpustest.Decode(t, checkstyle.Adapter{}, &out, "shellcheck -f checkstyle", nil)
	_, rec := corpustest.DecodeFile(t, checkstyle.Adapter{}, "testdata/shellcheck-0.9.0-vuln.xml", nil)
	if len(live) != len(rec) {
		t.Fatalf("%d findings live, %d recorded", len(live), len(rec))
	}
	for i := range live {
		if live[i].Rule.ID != rec[i].Rule.ID || live[i].Location != rec[i].Location {
			t.Errorf("finding %d: live %+v, recorded %+v", i, live[i], rec[i])
		}
	}
}

// TestRecordingsUnedited guards the recordings' provenance: the absolute
// paths in them are those of recorded.
func TestRecordingsUnedited(t *testing.T) {
	for _, path := range []string{"testdata/checkstyle-8.36.1-sun.xml", "testdata/eslint-8.57.1.xml"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(`name="`+recorded+`/src/`)) {
			t.Errorf("%s does not name files under %s", path, recorded)
		}
	}
}
