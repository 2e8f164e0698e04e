package sarif

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const srcDir = "testdata/src"

// validatorPath is the real SARIF validator, relative to this package.
const validatorPath = "../../shared/tools/sarif-validate"

func sastFinding() finding.Finding {
	return finding.Finding{
		Tool:             finding.Tool{Name: "gosec", Version: "2.21.4", InformationURI: "https://github.com/securego/gosec"},
		Rule:             finding.Rule{ID: "G202", Name: "SQLStringConcat", ShortDescription: "SQL string concatenation", HelpURI: "https://securego.io/docs/rules/g202-sql.html", Tags: []string{"sql"}},
		Message:          "SQL string concatenation with user input",
		Category:         finding.CategorySAST,
		Severity:         finding.SeverityHigh,
		OriginalSeverity: "HIGH",
		Precision:        finding.PrecisionHigh,
		CWEs:             []int{89},
		Location:         finding.Location{Path: "cmd/app/main.go", Region: finding.Region{StartLine: 11, StartColumn: 3}},
		Related: []finding.Location{
			{Path: "cmd/app/main.go", Region: finding.Region{StartLine: 10, StartColumn: 3, EndColumn: 39}, Message: "user input"},
		},
		Flows: []finding.Flow{{Message: "name reaches the query", Steps: []finding.Location{
			{Path: "cmd/app/main.go", Region: finding.Region{StartLine: 10, StartColumn: 11}, Message: "source"},
			{Path: "cmd/app/main.go", Region: finding.Region{StartLine: 11, StartColumn: 3}, Message: "concatenated"},
			{Path: "cmd/app/main.go", Region: finding.Region{StartLine: 12, StartColumn: 14}, Message: "sink"},
		}}},
		Properties: map[string]string{"confidence": "HIGH", "nosec": "false"},
	}
}

func secretFinding() finding.Finding {
	return finding.Finding{
		Tool:         finding.Tool{Name: "gitleaks", Version: "v8.18.0"},
		Rule:         finding.Rule{ID: "aws-access-token", ShortDescription: "AWS access key"},
		Message:      "AWS access key found",
		Category:     finding.CategorySecret,
		Severity:     finding.SeverityCritical,
		CWEs:         []int{798},
		Location:     finding.Location{Path: "cmd/app/config.go", Region: finding.Region{StartLine: 4, StartColumn: 16, EndColumn: 38}, Snippet: `const apiKey = "AKIA****************"`},
		Fingerprints: map[string]string{"gitleaks/v1": "cmd/app/config.go:aws-access-token:4"},
	}
}

func iacFinding() finding.Finding {
	return finding.Finding{
		Tool:             finding.Tool{Name: "checkov", Version: "3.2.0"},
		Rule:             finding.Rule{ID: "CKV_AWS_20", Name: "S3BucketPublicRead", FullDescription: "S3 Bucket has an ACL defined which allows public READ access."},
		Message:          "S3 bucket is publicly readable",
		Category:         finding.CategoryIaC,
		Severity:         finding.SeverityMedium,
		OriginalSeverity: "5.3",
		Location:         finding.Location{Path: "deploy/main.tf", Region: finding.Region{StartLine: 1, EndLine: 4}, Resource: "aws_s3_bucket.public"},
	}
}

func dependencyFinding() finding.Finding {
	return finding.Finding{
		Tool:     finding.Tool{Name: "govulncheck", Version: "v1.1.3"},
		Rule:     finding.Rule{ID: "GO-2023-2102", ShortDescription: "HTTP/2 rapid reset can cause excessive work in net/http", HelpURI: "https://pkg.go.dev/vuln/GO-2023-2102"},
		Message:  "golang.org/x/net@v0.17.0 is vulnerable to GO-2023-2102; fixed in v0.17.1",
		Category: finding.CategoryDependency,
		Severity: finding.SeverityHigh,
		VulnIDs:  []string{"GO-2023-2102", "CVE-2023-39325"},
		Location: finding.Location{Path: "go.mod", Region: finding.Region{StartLine: 5},
			Package: &finding.Package{Name: "golang.org/x/net", Version: "v0.17.0", FixedVersion: "v0.17.1", Ecosystem: "Go", PURL: "pkg:golang/golang.org/x/net@v0.17.0"}},
	}
}

func containerFinding() finding.Finding {
	return finding.Finding{
		Tool:             finding.Tool{Name: "trivy", Version: "0.50.1"},
		Rule:             finding.Rule{ID: "CVE-2024-0727", ShortDescription: "openssl: denial of service via null dereference"},
		Message:          "openssl 3.1.4-r2 in alpine:3.18 is vulnerable to CVE-2024-0727",
		Category:         finding.CategoryContainer,
		Severity:         finding.SeverityMedium,
		OriginalSeverity: "MEDIUM",
		VulnIDs:          []string{"CVE-2024-0727"},
		Location: finding.Location{Path: "Dockerfile",
			Package: &finding.Package{Name: "openssl", Version: "3.1.4-r2", FixedVersion: "3.1.4-r5", Ecosystem: "Alpine:v3.18", Image: "alpine:3.18"}},
	}
}

func dastFinding() finding.Finding {
	return finding.Finding{
		Tool:             finding.Tool{Name: "zap", Version: "2.14.0"},
		Rule:             finding.Rule{ID: "40018", Name: "SQLInjection", ShortDescription: "SQL Injection"},
		Message:          "SQL injection in parameter name",
		Category:         finding.CategoryDAST,
		Severity:         finding.SeverityHigh,
		OriginalSeverity: "3",
		CWEs:             []int{89},
		Location:         finding.Location{Web: &finding.Web{URL: "https://staging.example.com/users?name=x", Method: "GET", Parameter: "name", Evidence: "SQL syntax error"}},
	}
}

func suppressed(f finding.Finding, s ...finding.Suppression) finding.Finding {
	f.Suppressions = s
	return f
}

func run(fs ...finding.Finding) Run {
	r := Run{Tool: fs[0].Tool}
	for i := range fs {
		r.Findings = append(r.Findings, &fs[i])
	}
	return r
}

// goldenCases are the golden files: name -> input.
var goldenCases = []struct {
	name string
	runs func() []Run
	opts *WriteOptions
}{
	{"sast", func() []Run { return []Run{run(sastFinding())} }, nil},
	{"secret", func() []Run { return []Run{run(secretFinding())} }, nil},
	{"iac", func() []Run { return []Run{run(iacFinding())} }, nil},
	{"dependency", func() []Run { return []Run{run(dependencyFinding())} }, nil},
	{"container", func() []Run { return []Run{run(containerFinding())} }, nil},
	{"dast", func() []Run { return []Run{run(dastFinding())} }, &WriteOptions{FallbackPath: ".github/workflows/dast.yml"}},
	{"dast-full", func() []Run { return []Run{run(dastFinding())} }, &WriteOptions{Profile: ProfileFull}},
	{"failed-tool", func() []Run {
		return []Run{{Tool: finding.Tool{Name: "semgrep", Version: "1.60.0"}, Invocation: Invocation{
			Failed:        true,
			Notifications: []Notification{{Level: "error", Message: "semgrep exited with status 2: invalid rule file"}},
			StartTime:     time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC),
			EndTime:       time.Date(2024, 3, 1, 12, 0, 3, 500e6, time.UTC),
		}}}
	}, nil},
	{"empty-run", func() []Run { return []Run{{Tool: finding.Tool{Name: "gosec", Version: "2.21.4"}}} }, &WriteOptions{Category: "backend"}},
	{"suppressed-full", func() []Run {
		return []Run{run(sastFinding(),
			suppressed(secretFinding(), finding.Suppression{Kind: finding.SuppressionInSource, Justification: "test fixture", Source: "#nosec comment"}),
			suppressed(iacFinding(), finding.Suppression{Kind: finding.SuppressionExternal, Status: finding.SuppressionUnderReview}))}
	}, &WriteOptions{Profile: ProfileFull}},
	{"merged-baseline", func() []Run {
		// A secret two tools reported, merged by deduplication, and a
		// finding new since the baseline.
		f := secretFinding()
		f.Baseline = finding.BaselineUnchanged
		f.Also = []finding.Report{{
			Tool: finding.Tool{Name: "gosec", Version: "2.30.0"}, RuleID: "G101", Severity: finding.SeverityHigh,
			OriginalSeverity: "HIGH", Message: "Potential hardcoded credentials",
			Location: finding.Location{Path: "cmd/app/config.go", Region: finding.Region{StartLine: 4}},
			Match:    "file=cmd/app/config.go line=4 cwe=798",
		}}
		g := sastFinding()
		g.Baseline = finding.BaselineNew
		return []Run{run(f), run(g)}
	}, nil},
	{"limits-overflow", func() []Run {
		f := sastFinding()
		f.Related = append(f.Related, finding.Location{Path: "cmd/app/main.go", Region: finding.Region{StartLine: 8}, Message: "handler"})
		low := iacFinding()
		low.Tool = f.Tool
		low.Severity = finding.SeverityLow
		low.OriginalSeverity = ""
		return []Run{run(f, low, secretFinding())}
	}, &WriteOptions{Limits: &Limits{MaxResultsPerRun: 2, MaxLocationsPerResult: 1, MaxThreadFlowLocationsPerResult: 2, MaxTagsPerRule: 3}}},
}

// writeGolden writes runs with opts (Root set to srcDir) and replaces the
// machine-specific root URI.
func writeGolden(t *testing.T, runs []Run, opts *WriteOptions) ([]byte, *WriteSummary) {
	t.Helper()
	var o WriteOptions
	if opts != nil {
		o = *opts
	}
	o.Root = srcDir
	var buf bytes.Buffer
	sum, err := Write(&buf, runs, &o)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return normalizeRoot(t, buf.Bytes()), sum
}

func normalizeRoot(t *testing.T, data []byte) []byte {
	t.Helper()
	abs, err := filepath.Abs(srcDir)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(data, []byte("file://"+filepath.ToSlash(abs)+"/"), []byte("file:///ROOT/"))
}

func TestWriteGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := writeGolden(t, tc.runs(), tc.opts)
			path := filepath.Join("testdata", "golden", tc.name+".sarif")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run go test ./sarif -update and review the diff):\n%s", path, got)
			}
			ps, err := Validate(got)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				if p.Level == "error" && tc.opts != nil && tc.opts.Profile == ProfileFull && p.Rule == "GH1001" {
					continue // ProfileFull may write logical-only locations
				}
				if p.Level == "error" {
					t.Errorf("Validate: %s", p)
				}
			}
		})
	}
}

// TestGoldenMultitool runs Microsoft's SARIF Multitool on every golden
// file at once: none may have an error.
func TestGoldenMultitool(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.sarif")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	// dast-full.sarif holds a logical-only location on purpose
	// (ProfileFull): valid SARIF, but not for upload.
	var upload []string
	for _, f := range files {
		if filepath.Base(f) != "dast-full.sarif" {
			upload = append(upload, f)
		}
	}
	out := runValidator(t, upload...)
	for _, f := range upload {
		if n := out[f]; n != 0 {
			t.Errorf("%s: %d errors from the SARIF Multitool", f, n)
		}
	}
}

// runValidator runs the real validator once on files and returns the
// error count it reports per file. It skips the test when the shared
// tools are absent.
func runValidator(t *testing.T, files ...string) map[string]int {
	t.Helper()
	if _, err := os.Stat(validatorPath); err != nil {
		t.Skipf("SARIF validator not available (%s: %v); clone the repository beside ../shared to run this test", validatorPath, err)
	}
	cmd := exec.Command(validatorPath, files...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("sarif-validate: %v\n%s", err, out)
	}
	line := regexp.MustCompile(`(?m)^(\S+\.sarif): (\d+) errors`)
	counts := map[string]int{}
	for _, m := range line.FindAllStringSubmatch(string(out), -1) {
		n := 0
		for _, c := range m[2] {
			n = n*10 + int(c-'0')
		}
		for _, f := range files {
			if abs, _ := filepath.Abs(f); abs == m[1] {
				counts[f] = n
			}
		}
	}
	if len(counts) != len(files) {
		t.Fatalf("sarif-validate reported %d of %d files:\n%s", len(counts), len(files), out)
	}
	t.Logf("sarif-validate:\n%s", out)
	return counts
}

func TestWriteDeterministic(t *testing.T) {
	base := []Run{
		run(sastFinding()),
		run(secretFinding()),
		run(iacFinding()),
		run(dependencyFinding()),
		run(containerFinding()),
		{Tool: finding.Tool{Name: "semgrep"}, Invocation: Invocation{Failed: true, Notifications: []Notification{{Level: "error", Message: "boom"}}}},
		run(dastFinding()),
	}
	// A second gosec run is merged into the first.
	extra := sastFinding()
	extra.Location.Region = finding.Region{StartLine: 12, StartColumn: 14}
	extra.Message = "second"
	base = append(base, run(extra))
	opts := &WriteOptions{Root: srcDir, FallbackPath: ".github/workflows/dast.yml"}
	var want bytes.Buffer
	if _, err := Write(&want, base, opts); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		runs := make([]Run, len(base))
		for j, r := range base {
			r.Findings = append([]*finding.Finding(nil), r.Findings...)
			rng.Shuffle(len(r.Findings), func(a, b int) { r.Findings[a], r.Findings[b] = r.Findings[b], r.Findings[a] })
			runs[j] = r
		}
		rng.Shuffle(len(runs), func(a, b int) { runs[a], runs[b] = runs[b], runs[a] })
		var got bytes.Buffer
		if _, err := Write(&got, runs, opts); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("shuffle %d: output differs", i)
		}
	}
	var lg struct {
		Runs []struct {
			Tool struct {
				Driver struct{ Name string }
			}
			Results []json.RawMessage
		}
	}
	if err := json.Unmarshal(want.Bytes(), &lg); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range lg.Runs {
		names = append(names, r.Tool.Driver.Name)
	}
	if got, wantNames := strings.Join(names, ","), "checkov,gitleaks,gosec,govulncheck,semgrep,trivy,zap"; got != wantNames {
		t.Errorf("runs = %s, want %s (one per tool, sorted)", got, wantNames)
	}
}

func TestWriteNoNull(t *testing.T) {
	bare := finding.Finding{Tool: finding.Tool{Name: "t"}, Rule: finding.Rule{ID: "R"}, Message: "m",
		Category: finding.CategorySAST, Severity: finding.SeverityLow,
		Location:     finding.Location{Path: "cmd/app/main.go"},
		Suppressions: []finding.Suppression{{Kind: finding.SuppressionExternal}}}
	for _, p := range []Profile{ProfileGitHub, ProfileFull} {
		var buf, sup bytes.Buffer
		if _, err := Write(&buf, []Run{run(bare)}, &WriteOptions{Profile: p, SuppressedOut: &sup}); err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string][]byte{"log": buf.Bytes(), "suppressed log": sup.Bytes()} {
			if bytes.Contains(data, []byte("null")) {
				t.Errorf("profile %d %s contains null:\n%s", p, name, data)
			}
		}
		if p == ProfileFull && !bytes.Contains(buf.Bytes(), []byte(`"shortDescription": {`)) {
			t.Errorf("rule without descriptions got no shortDescription:\n%s", buf.Bytes())
		}
	}
}

func TestWriteSuppressedGitHub(t *testing.T) {
	runs := []Run{run(sastFinding(),
		suppressed(secretFinding(), finding.Suppression{Kind: finding.SuppressionInSource, Justification: "fixture"}),
		suppressed(iacFinding(), finding.Suppression{Kind: finding.SuppressionExternal, Status: finding.SuppressionRejected}))}
	var main, sup bytes.Buffer
	sum, err := Write(&main, runs, &WriteOptions{Root: srcDir, SuppressedOut: &sup})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Suppressed != 1 {
		t.Errorf("Suppressed = %d, want 1 (a rejected suppression is not in force)", sum.Suppressed)
	}
	if bytes.Contains(main.Bytes(), []byte("aws-access-token")) || bytes.Contains(main.Bytes(), []byte(`"suppressions"`)) {
		t.Errorf("uploadable log holds the suppressed finding:\n%s", main.Bytes())
	}
	if !bytes.Contains(main.Bytes(), []byte("1 suppressed results left out")) {
		t.Errorf("no notification about the suppressed finding:\n%s", main.Bytes())
	}
	if got := sum.Results["gosec"]; got != 2 {
		t.Errorf("Results[gosec] = %d, want 2", got)
	}
	s := sup.String()
	if !strings.Contains(s, `"kind":"inSource"`) || !strings.Contains(s, `"justification":"fixture"`) || strings.Contains(s, "CKV_AWS_20") {
		t.Errorf("suppressed log wrong:\n%s", s)
	}
}

func TestWriteUnlocated(t *testing.T) {
	var buf bytes.Buffer
	sum, err := Write(&buf, []Run{run(dastFinding())}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Unlocated != 1 || sum.Results["zap"] != 0 {
		t.Errorf("Unlocated = %d, Results = %v; want 1 left out", sum.Unlocated, sum.Results)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"results": []`)) || !bytes.Contains(buf.Bytes(), []byte("no file in the repository")) {
		t.Errorf("want an empty results array and a notification:\n%s", buf.Bytes())
	}
	// A container finding without a path is attached to the Dockerfile
	// found under the root.
	c := containerFinding()
	c.Location.Path = ""
	buf.Reset()
	if _, err := Write(&buf, []Run{run(c)}, &WriteOptions{Root: srcDir}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"uri":"Dockerfile"`)) || !bytes.Contains(buf.Bytes(), []byte("(at alpine:3.18@openssl@3.1.4-r2)")) {
		t.Errorf("container finding not attached to the Dockerfile:\n%s", buf.Bytes())
	}
	if _, err := Write(&buf, []Run{run(c)}, &WriteOptions{Root: srcDir, FallbackPath: "nope.yml"}); err == nil {
		t.Error("a fallback path that does not exist was accepted")
	}
}

func TestWriteInvalid(t *testing.T) {
	f := sastFinding()
	f.Message = ""
	_, err := Write(&bytes.Buffer{}, []Run{run(f)}, nil)
	var fe *finding.FieldError
	if !errors.Is(err, ErrInvalidRun) || !errors.As(err, &fe) || fe.Field != "message" {
		t.Errorf("err = %v, want ErrInvalidRun wrapping a FieldError on message", err)
	}
}

func TestLimitText(t *testing.T) {
	long := strings.Repeat("é", 600) // 1200 bytes
	got := limitText(long, maxDescription)
	if len(got) > maxDescription || !strings.HasSuffix(got, "…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("limitText: %d bytes, %q...", len(got), got[:10])
	}
	if got := limitText("short", maxDescription); got != "short" {
		t.Errorf("limitText(short) = %q", got)
	}
}

func TestSemanticVersion(t *testing.T) {
	for in, want := range map[string]string{"2.21.4": "2.21.4", "v8.18.0": "8.18.0", "1.0.0-rc.1+b5": "1.0.0-rc.1+b5", "2.14": "", "dev": "", "01.2.3": ""} {
		if got := semanticVersion(in); got != want {
			t.Errorf("semanticVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLineLengths(t *testing.T) {
	got := lineLengths([]byte("ab\r\n\xF0\x9F\x98\x80x\rz\n"))
	want := []int{2, 3, 1, 0}
	if !slicesEqual(got, want) {
		t.Errorf("lineLengths = %v, want %v", got, want)
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
