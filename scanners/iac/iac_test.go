package iac_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners/iac"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// vulnerableApp is the repository's deliberately insecure sample.
const vulnerableApp = "../../examples/vulnerable-app"

var (
	scannerOnce sync.Once
	scanner     *iac.Scanner
	scannerErr  error
)

// newScanner returns one scanner shared by the tests, as a host would.
func newScanner(t testing.TB) *iac.Scanner {
	t.Helper()
	scannerOnce.Do(func() { scanner, scannerErr = iac.New() })
	if scannerErr != nil {
		t.Fatal(scannerErr)
	}
	return scanner
}

// collected is everything a scan emitted.
type collected struct {
	findings []*finding.Finding
	diags    []plugin.Diagnostic
	progress []plugin.Progress
}

func scan(t testing.TB, s *iac.Scanner, root string) *collected {
	t.Helper()
	c, err := scanErr(context.Background(), s, root)
	if err != nil {
		t.Fatalf("Scan(%s): %v", root, err)
	}
	return c
}

func scanErr(ctx context.Context, s *iac.Scanner, root string) (*collected, error) {
	c := &collected{}
	var mu sync.Mutex
	err := s.Scan(ctx, &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: root}}, plugin.EmitFuncs{
		OnFinding: func(f *finding.Finding) error {
			mu.Lock()
			defer mu.Unlock()
			c.findings = append(c.findings, f)
			return nil
		},
		OnDiagnostic: func(d plugin.Diagnostic) error {
			mu.Lock()
			defer mu.Unlock()
			c.diags = append(c.diags, d)
			return nil
		},
		OnProgress: func(p plugin.Progress) error {
			mu.Lock()
			defer mu.Unlock()
			c.progress = append(c.progress, p)
			return nil
		},
	})
	return c, err
}

// checkFindings checks what every finding must satisfy.
func checkFindings(t *testing.T, s *iac.Scanner, fs []*finding.Finding) {
	t.Helper()
	info, err := s.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	catalog := map[string]finding.Rule{}
	for _, r := range info.Rules {
		catalog[r.ID] = r
	}
	for _, f := range fs {
		if err := f.Validate(); err != nil {
			t.Errorf("%s at %s:%d: invalid: %v", f.Rule.ID, f.Location.Path, f.Location.Region.StartLine, err)
		}
		r, ok := catalog[f.Rule.ID]
		if !ok {
			t.Errorf("%s: not in the catalog", f.Rule.ID)
			continue
		}
		if f.Rule.Name != r.Name || f.Rule.HelpText != r.HelpText {
			t.Errorf("%s: finding's rule differs from the catalog's", f.Rule.ID)
		}
		if f.Tool.Name != iac.Name || f.Category != finding.CategoryIaC {
			t.Errorf("%s: tool %q category %q", f.Rule.ID, f.Tool.Name, f.Category)
		}
		if f.Location.Region.StartLine < 1 || f.Location.Snippet == "" || f.Location.Resource == "" {
			t.Errorf("%s at %s: location incomplete: %+v", f.Rule.ID, f.Location.Path, f.Location)
		}
	}
}

// checkQuiet fails on warning and error diagnostics.
func checkQuiet(t *testing.T, c *collected) {
	t.Helper()
	for _, d := range c.diags {
		if d.Level == plugin.LevelWarning || d.Level == plugin.LevelError {
			t.Errorf("diagnostic %s: %s", d.Level, d.Message)
		}
	}
}

func TestVulnerableApp(t *testing.T) {
	s := newScanner(t)
	c := scan(t, s, vulnerableApp)
	checkFindings(t, s, c.findings)
	checkQuiet(t, c)

	type at struct {
		rule, path string
		line       int
	}
	got := map[at]*finding.Finding{}
	for _, f := range c.findings {
		got[at{f.Rule.ID, f.Location.Path, f.Location.Region.StartLine}] = f
	}
	want := []struct {
		at
		resource string
		cwe      int
	}{
		{at{"SMX-DOCKER-001", "Dockerfile", 2}, "stage 0: golang:latest", 1357},
		{at{"SMX-DOCKER-002", "Dockerfile", 2}, "stage 0: golang:latest", 250},
		{at{"SMX-DOCKER-004", "Dockerfile", 4}, "stage 0: golang:latest", 0},
		{at{"SMX-DOCKER-005", "Dockerfile", 5}, "stage 0: golang:latest", 798},
		{at{"SMX-K8S-001", "k8s/deployment.yaml", 24}, "Deployment/default/vulnerable-app", 250},
		{at{"SMX-K8S-002", "k8s/deployment.yaml", 25}, "Deployment/default/vulnerable-app", 269},
		{at{"SMX-K8S-003", "k8s/deployment.yaml", 26}, "Deployment/default/vulnerable-app", 250},
		{at{"SMX-K8S-006", "k8s/deployment.yaml", 19}, "Deployment/default/vulnerable-app", 770},
		{at{"SMX-K8S-007", "k8s/deployment.yaml", 20}, "Deployment/default/vulnerable-app", 1357},
		{at{"SMX-K8S-009", "k8s/deployment.yaml", 23}, "Deployment/default/vulnerable-app", 0},
		{at{"SMX-K8S-010", "k8s/deployment.yaml", 3}, "Deployment/default/vulnerable-app", 0},
		{at{"SMX-TF-001", "terraform/main.tf", 4}, "aws_s3_bucket.uploads", 732},
		{at{"SMX-TF-002", "terraform/main.tf", 9}, "aws_s3_bucket_public_access_block.uploads", 284},
		{at{"SMX-TF-002", "terraform/main.tf", 10}, "aws_s3_bucket_public_access_block.uploads", 284},
		{at{"SMX-TF-002", "terraform/main.tf", 11}, "aws_s3_bucket_public_access_block.uploads", 284},
		{at{"SMX-TF-002", "terraform/main.tf", 12}, "aws_s3_bucket_public_access_block.uploads", 284},
		{at{"SMX-TF-003", "terraform/main.tf", 2}, "aws_s3_bucket.uploads", 311},
		{at{"SMX-TF-004", "terraform/main.tf", 21}, "aws_security_group.web", 284},
	}
	for _, w := range want {
		f := got[w.at]
		if f == nil {
			t.Errorf("missing %s at %s:%d", w.rule, w.path, w.line)
			continue
		}
		if f.Location.Resource != w.resource {
			t.Errorf("%s at %s:%d: resource %q, want %q", w.rule, w.path, w.line, f.Location.Resource, w.resource)
		}
		if (w.cwe == 0) != (len(f.CWEs) == 0) || (w.cwe != 0 && !slices.Contains(f.CWEs, w.cwe)) {
			t.Errorf("%s: CWEs %v, want %d", w.rule, f.CWEs, w.cwe)
		}
		delete(got, w.at)
	}
	for a := range got {
		t.Errorf("unexpected %s at %s:%d: %s", a.rule, a.path, a.line, got[a].Message)
	}

	// The snippet is the flagged line, and the secret's value stays out.
	for _, f := range c.findings {
		if strings.Contains(f.Location.Snippet, "changeme") || strings.Contains(f.Message, "changeme") {
			t.Errorf("%s shows the secret's value: %q / %q", f.Rule.ID, f.Message, f.Location.Snippet)
		}
		if f.Rule.ID == "SMX-K8S-001" && f.Location.Snippet != "            privileged: true" {
			t.Errorf("SMX-K8S-001 snippet %q", f.Location.Snippet)
		}
	}

	if len(c.progress) < 2 {
		t.Fatalf("progress events %v, want at least a first and a last", c.progress)
	}
	if first, last := c.progress[0], c.progress[len(c.progress)-1]; first.Done != 0 || first.Total != 3 || last.Done != 3 || last.Total != 3 {
		t.Errorf("progress %v: want 0/3 first and 3/3 last", c.progress)
	}
}

func TestCleanTreeHasNoFindings(t *testing.T) {
	s := newScanner(t)
	c := scan(t, s, "testdata/clean")
	checkQuiet(t, c)
	for _, f := range c.findings {
		t.Errorf("%s at %s:%d: %s", f.Rule.ID, f.Location.Path, f.Location.Region.StartLine, f.Message)
	}
	// Every file but the skipped .github one was read.
	if last := c.progress[len(c.progress)-1]; last.Total != 8 {
		t.Errorf("scanned %d files, want 8", last.Total)
	}
}

// TestInsecureGolden checks the findings on a fixture tree that makes every
// rule fire against testdata/insecure.golden (go test -update rewrites it).
func TestInsecureGolden(t *testing.T) {
	s := newScanner(t)
	c := scan(t, s, "testdata/insecure")
	checkFindings(t, s, c.findings)
	checkQuiet(t, c)

	var b strings.Builder
	fired := map[string]bool{}
	for _, f := range c.findings {
		fired[f.Rule.ID] = true
		fmt.Fprintf(&b, "%s %s:%d-%d %s %v [%s]\n\t%s\n", f.Rule.ID, f.Location.Path,
			f.Location.Region.StartLine, f.Location.Region.EndLine, f.Severity, f.CWEs, f.Location.Resource, f.Message)
		for _, l := range strings.Split(f.Location.Snippet, "\n") {
			fmt.Fprintf(&b, "\t| %s\n", l)
		}
	}
	golden := "testdata/insecure.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("findings differ from %s (go test -update rewrites it):\n%s", golden, diffLines(string(want), got))
	}

	info, _ := s.Describe(context.Background())
	vuln := scan(t, s, vulnerableApp)
	for _, f := range vuln.findings {
		fired[f.Rule.ID] = true
	}
	for _, r := range info.Rules {
		if !fired[r.ID] {
			t.Errorf("rule %s fires neither on testdata/insecure nor on the vulnerable app", r.ID)
		}
	}
}

// diffLines shows the lines only in want (-) or only in got (+).
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

func TestDescribe(t *testing.T) {
	s := newScanner(t)
	info, err := s.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "scanmux-iac" || info.Version == "" || !info.Accepts(plugin.TargetDirectory) || info.Accepts(plugin.TargetURL) {
		t.Errorf("info %+v", info)
	}
	if !slices.Equal(info.Categories, []finding.Category{finding.CategoryIaC}) {
		t.Errorf("categories %v", info.Categories)
	}
	idRe := regexp.MustCompile(`^SMX-(DOCKER|K8S|TF)-\d{3}$`)
	areas := map[string]int{}
	for i, r := range info.Rules {
		if !idRe.MatchString(r.ID) {
			t.Errorf("rule id %q", r.ID)
		}
		if i > 0 && info.Rules[i-1].ID >= r.ID {
			t.Errorf("rules not sorted by id: %s then %s", info.Rules[i-1].ID, r.ID)
		}
		areas[strings.Split(r.ID, "-")[1]]++
		if r.Name == "" || r.ShortDescription == "" || r.FullDescription == "" || r.HelpText == "" ||
			r.HelpMarkdown == "" || !strings.HasPrefix(r.HelpURI, "https://") || !slices.Contains(r.Tags, "security") {
			t.Errorf("rule %s incomplete: %+v", r.ID, r)
		}
		if strings.Contains(r.FullDescription, "\n") {
			t.Errorf("rule %s: description not folded: %q", r.ID, r.FullDescription)
		}
	}
	if areas["DOCKER"] < 5 || areas["K8S"] < 10 || areas["TF"] < 6 {
		t.Errorf("rules per area %v", areas)
	}
	// Describe returns copies: changing them does not change the scanner.
	info.Rules[0].Tags[0] = "changed"
	again, _ := s.Describe(context.Background())
	if again.Rules[0].Tags[0] == "changed" {
		t.Error("Describe shares its catalog")
	}
}

func TestUnsupportedTarget(t *testing.T) {
	s := newScanner(t)
	for _, req := range []*plugin.Request{
		nil,
		{Target: plugin.Target{Kind: plugin.TargetURL, URL: "https://example.com"}},
		{Target: plugin.Target{Kind: plugin.TargetImage, Image: "alpine"}},
	} {
		err := s.Scan(context.Background(), req, plugin.EmitFuncs{})
		if !errors.Is(err, iac.ErrUnsupportedTarget) {
			t.Errorf("Scan(%+v) = %v, want ErrUnsupportedTarget", req, err)
		}
	}
	err := s.Scan(context.Background(), &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: filepath.Join(t.TempDir(), "missing")}}, plugin.EmitFuncs{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing root: %v, want os.ErrNotExist", err)
	}
}

// writeTree writes files (path -> content) under a temporary directory.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestSkippedDirectories(t *testing.T) {
	const bad = "FROM alpine\n"
	root := writeTree(t, map[string]string{
		".git/Dockerfile":                  bad,
		".github/Dockerfile":               bad,
		"node_modules/pkg/Dockerfile":      bad,
		"vendor/github.com/x/y/Dockerfile": bad,
		"testdata/Dockerfile":              bad,
		"app/build.Dockerfile":             bad,
		"app/Dockerfile.prod":              bad,
		"app/Containerfile":                bad,
		"app/Dockerfile.dockerignore":      "node_modules\n",
		"app/Dockerfile.md":                "# FROM alpine\n",
		"docs/notes.txt":                   bad,
	})
	c := scan(t, newScanner(t), root)
	var paths []string
	for _, f := range c.findings {
		if f.Rule.ID == "SMX-DOCKER-001" {
			paths = append(paths, f.Location.Path)
		}
	}
	slices.Sort(paths)
	want := []string{"app/Containerfile", "app/Dockerfile.prod", "app/build.Dockerfile", "testdata/Dockerfile"}
	if !slices.Equal(paths, want) {
		t.Errorf("SMX-DOCKER-001 fired in %v, want %v", paths, want)
	}
}

func TestBrokenFilesAreDiagnosed(t *testing.T) {
	root := writeTree(t, map[string]string{
		"bad.yaml":          "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n",
		"chart/tpl.yaml":    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n  {{- if .x }}\n",
		"bad.tf":            "resource \"aws_db_instance\" \"db\" {\n  publicly_accessible = true\n  storage_encrypted = \n",
		"ok/Dockerfile":     "FROM alpine:3.20\nUSER 1000\n",
		"ok/deploy.yaml":    "not: kubernetes\n",
		"notes/config.yaml": "key: value\n",
	})
	s := newScanner(t)
	c := scan(t, s, root)
	levels := map[string]plugin.Level{}
	for _, d := range c.diags {
		levels[d.Attrs["path"]] = d.Level
	}
	if levels["bad.yaml"] != plugin.LevelWarning || levels["bad.tf"] != plugin.LevelWarning || levels["chart/tpl.yaml"] != plugin.LevelDebug {
		t.Errorf("diagnostics by path %v", levels)
	}
	if len(levels) != 3 {
		t.Errorf("diagnostics %v, want bad.yaml, bad.tf and chart/tpl.yaml", c.diags)
	}
	checkFindings(t, s, c.findings)
}

func TestMaxFileSize(t *testing.T) {
	root := writeTree(t, map[string]string{
		"small/Dockerfile": "FROM alpine\n",
		"big/Dockerfile":   "FROM alpine\n" + strings.Repeat("# padding\n", 100),
	})
	s, err := iac.New()
	if err != nil {
		t.Fatal(err)
	}
	s.MaxFileSize = 100
	c := scan(t, s, root)
	if len(c.diags) != 1 || c.diags[0].Level != plugin.LevelWarning || c.diags[0].Attrs["path"] != "big/Dockerfile" {
		t.Errorf("diagnostics %v, want one warning for big/Dockerfile", c.diags)
	}
	for _, f := range c.findings {
		if f.Location.Path != "small/Dockerfile" {
			t.Errorf("finding in %s", f.Location.Path)
		}
	}
}

func TestScanStopsOnEmitterError(t *testing.T) {
	s := newScanner(t)
	stop := errors.New("stop")
	n := 0
	err := s.Scan(context.Background(), &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: vulnerableApp}}, plugin.EmitFuncs{
		OnFinding: func(*finding.Finding) error { n++; return stop },
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Scan = %v after %d findings, want the emitter's error after 1", err, n)
	}
}

func TestScanCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := scanErr(ctx, newScanner(t), vulnerableApp)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Scan with a canceled context = %v", err)
	}
}

// TestConcurrentScans shares one scanner between scans (run with -race).
func TestConcurrentScans(t *testing.T) {
	s := newScanner(t)
	want := len(scan(t, s, vulnerableApp).findings)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			c, err := scanErr(context.Background(), s, vulnerableApp)
			if err != nil || len(c.findings) != want {
				t.Errorf("concurrent scan: %d findings, %v; want %d", len(c.findings), err, want)
			}
		})
	}
	wg.Wait()
}

// TestDeterministic checks that findings come in the same order every time
// with many workers.
func TestDeterministic(t *testing.T) {
	s, err := iac.New()
	if err != nil {
		t.Fatal(err)
	}
	s.Workers = 8
	key := func(c *collected) []string {
		var ks []string
		for _, f := range c.findings {
			ks = append(ks, fmt.Sprintf("%s %s:%d %s", f.Rule.ID, f.Location.Path, f.Location.Region.StartLine, f.Message))
		}
		return ks
	}
	first := key(scan(t, s, "testdata/insecure"))
	for range 5 {
		if got := key(scan(t, s, "testdata/insecure")); !slices.Equal(got, first) {
			t.Fatalf("order changed:\n%v\n%v", first, got)
		}
	}
}
