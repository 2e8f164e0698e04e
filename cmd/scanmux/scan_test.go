package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/report/jsonout"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/scanners/builtin"
	"github.com/scanmux/scanmux/scanners/runner"
)

// TestMain lets the test binary serve scanmux's built-in scanners when the
// scan under test re-executes it as a plugin, as the real binary does.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == pluginCommand {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func vulnerableApp(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../examples/vulnerable-app")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startVulnerableApp builds and starts the sample server on 127.0.0.1 and
// returns its URL; it stops when the test ends.
func startVulnerableApp(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "vulnerable-app")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = vulnerableApp(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the sample server: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return url
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the sample server did not start on %s", url)
	return ""
}

func installed(tool string) bool {
	_, err := exec.LookPath(tool)
	return err == nil
}

// TestScanVulnerableApp is the acceptance scan: the built-ins alone find
// sast, secret and iac issues; every installed tool (CI installs gosec,
// gitleaks, govulncheck, staticcheck, kube-score, bandit, shellcheck,
// flawfinder, wapiti) runs too, including a DAST scan of the sample server
// and govulncheck against a test vulnerability database; cross-tool
// duplicates are merged; the SARIF passes the validators.
func TestScanVulnerableApp(t *testing.T) {
	if testing.Short() {
		t.Skip("the full scan takes minutes; run without -short")
	}
	app := vulnerableApp(t)
	dir := t.TempDir()
	vulndb, _ := filepath.Abs("../../scanners/govulncheck/testdata/vulndb")
	cfg := filepath.Join(dir, "scanmux.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`
category: vulnerable-app
scanners:
  # They need their online databases.
  disable: [grype, osv-scanner, trivy, semgrep]
  options:
    govulncheck.db: file://%s
    wapiti.max-scan-time: "90"
`, vulndb)), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"scan", "--config", cfg, "-o", filepath.Join(dir, "out.sarif"), "-o", "json=-", "--timeout", "10m"}
	dast := installed("wapiti")
	if dast {
		args = append(args, "--url", startVulnerableApp(t))
	}
	args = append(args, app)
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	t.Logf("stderr:\n%s", stderr.String())
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	// Progress: one line per scanner even in a non-terminal log; gosec
	// and gitleaks run once each, built in or installed.
	for _, s := range []string{"gosec (", "gitleaks (", "scanmux-iac (built-in)"} {
		if n := strings.Count(stderr.String(), "\n  "+s); n != 2 { // progress and summary
			t.Errorf("%d lines for %s, want a progress line and a summary line", n, s)
		}
	}
	// Coverage: the built-ins' in the summary.
	for _, want := range []string{"1 module, 1 package", "the tree (", "1 Terraform root module, 1 Kubernetes manifest, 1 Dockerfile"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the summary lacks the coverage %q", want)
		}
	}
	out := filepath.Join(dir, "out.sarif")
	runs, err := sarif.ReadFile(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	byCat := map[finding.Category]int{}
	tools := map[string]bool{}
	var secret *finding.Finding
	for _, r := range runs {
		for i := range r.Findings {
			f := r.Findings[i]
			byCat[f.Category]++
			tools[f.Tool.Name] = true
			if f.Category == finding.CategorySecret && strings.HasSuffix(f.Location.Path, "main.go") {
				secret = f
			}
		}
		if r.Invocation.Failed {
			t.Errorf("run %s failed: %+v", r.Tool.Name, r.Invocation.Notifications)
		}
		if !slices.ContainsFunc(r.Invocation.Notifications, func(n sarif.Notification) bool {
			return n.Level == "note" && strings.Contains(n.Message, " covered ")
		}) {
			t.Errorf("run %s does not say what it covered: %+v", r.Tool.Name, r.Invocation.Notifications)
		}
	}
	for _, c := range []finding.Category{finding.CategorySAST, finding.CategorySecret, finding.CategoryIaC} {
		if byCat[c] == 0 {
			t.Errorf("no %s findings; by category: %v", c, byCat)
		}
	}
	// gosec's G101 and gitleaks on the same credential are one finding
	// listing both tools: in the report (--format json) and in the SARIF.
	if secret == nil {
		t.Fatal("the hard-coded token is not reported")
	}
	var report jsonout.Document
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("-o json=-: %v", err)
	}
	merged := false
	repo, err := repoRoot(app, "")
	if err != nil {
		t.Fatal(err)
	}
	mainGo := path.Join(relSlash(repo, app), "main.go") // paths are relative to the repository
	for _, f := range report.Findings {
		if f.Category != string(finding.CategorySecret) || f.Location.Path != mainGo {
			continue
		}
		reporters := []string{f.Tool.Name}
		for _, a := range f.Also {
			reporters = append(reporters, a.Tool.Name)
		}
		merged = slices.Contains(reporters, "gosec") && slices.Contains(reporters, "gitleaks")
		t.Logf("the token is reported by %v", reporters)
	}
	if !merged {
		t.Error("the token is not one finding listing gosec and gitleaks")
	}
	raw, _ := os.ReadFile(out)
	if !bytes.Contains(raw, []byte(`"scanmux/alsoReportedBy"`)) {
		t.Error("the SARIF does not list the merged reports")
	}
	// Tools installed here (all of them in CI) must have contributed.
	expect := map[string]finding.Category{"kube-score": finding.CategoryIaC, "govulncheck": finding.CategoryDependency}
	if dast {
		expect["wapiti"] = finding.CategoryDAST
	}
	for tool, cat := range expect {
		if !installed(tool) {
			t.Logf("%s not installed: its findings are not checked", tool)
			continue
		}
		if !tools[tool] {
			t.Errorf("%s is installed but reported nothing", tool)
		}
		if byCat[cat] == 0 {
			t.Errorf("no %s findings although %s ran", cat, tool)
		}
	}
	if installed("govulncheck") {
		if !bytes.Contains(stdout.Bytes(), []byte("GO-2023-1988")) {
			t.Error("govulncheck did not report GO-2023-1988 (golang.org/x/net/html, called from main.go)")
		}
	}
	validateSARIF(t, out)
}

// validateSARIF checks a log with sarif.Validate and, when ../shared is
// present, with Microsoft's SARIF Multitool under GitHub's rules.
func validateSARIF(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := sarif.Validate(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if p.Level == "error" {
			t.Errorf("sarif.Validate: %s: %s %s", p.Path, p.Rule, p.Message)
		}
	}
	tool := filepath.Join("..", "..", "..", "shared", "tools", "sarif-validate")
	if _, err := os.Stat(tool); err != nil {
		t.Logf("../shared is missing: the SARIF Multitool check runs in CI")
		return
	}
	out, err := exec.Command(tool, path).CombinedOutput()
	if err != nil {
		t.Errorf("sarif-validate: %v\n%s", err, out)
	}
}

func TestScanGateAndExitCodes(t *testing.T) {
	app := vulnerableApp(t)
	dir := t.TempDir()
	only := []string{"--scanners", "scanmux-iac", "--in-process", "-q"}
	cases := []struct {
		reason string
		args   []string
		code   int
		stderr string
	}{
		{"findings below the gate", []string{"--fail-on", "critical"}, 0, "gate: passed"},
		{"findings at the gate", []string{"--fail-on", "high"}, 1, "gate: "},
		{"bad severity", []string{"--fail-on", "severe-ish"}, 2, "--fail-on"},
		{"bad profile", []string{"--profile", "nightly"}, 2, "--profile"},
		{"bad format", []string{"--format", "xml"}, 2, "--format"},
		{"missing target", []string{filepath.Join(dir, "nope")}, 2, "nope"},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			args := append(append([]string{"scan", "-o", filepath.Join(dir, "o.sarif")}, only...), tc.args...)
			if !strings.Contains(tc.reason, "missing target") {
				args = append(args, app)
			}
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, stderr.String())
			}
		})
	}
}

// A scanner that fails costs only its own findings; with
// --fail-on-scanner-error the exit code is 3.
func TestScanScannerFailure(t *testing.T) {
	app := vulnerableApp(t)
	dir := t.TempDir()
	broken := filepath.Join(dir, "scanmux-plugin-broken")
	if err := os.WriteFile(broken, []byte("#!/bin/sh\necho 'not a plugin'\nexit 7\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, failOn := range []bool{false, true} {
		out := filepath.Join(dir, "o.sarif")
		args := []string{"scan", "-q", "--in-process", "--scanners", "scanmux-iac", "--plugin", broken, "-o", out}
		want := 0
		if failOn {
			args, want = append(args, "--fail-on-scanner-error"), 3
		}
		var stdout, stderr bytes.Buffer
		if code := run(append(args, app), &stdout, &stderr); code != want {
			t.Errorf("fail-on-scanner-error=%v: exit %d, want %d\n%s", failOn, code, want, stderr.String())
		}
		runs, err := sarif.ReadFile(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		var iac int
		for _, r := range runs {
			if r.Tool.Name == "scanmux-iac" {
				iac = len(r.Findings)
			}
		}
		if iac == 0 {
			t.Error("the IaC findings were lost with the broken plugin")
		}
		if !strings.Contains(stderr.String(), "not a plugin") {
			t.Errorf("the broken plugin's error is not reported:\n%s", stderr.String())
		}
	}
}

// External plugins: discovered in $SCANMUX_PLUGIN_PATH, run only when the
// config pins their SHA-256, refused when the pin does not match.
func TestScanPluginsPinned(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "plugins", "scanmux-plugin-bannedcalls")
	build := exec.Command("go", "build", "-o", bin, "../../examples/custom-plugin")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	sum, err := plugin.FileSHA256(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCANMUX_PLUGIN_PATH", filepath.Dir(bin))
	app := vulnerableApp(t)
	for _, tc := range []struct {
		pin      string
		want     int // bannedcalls findings
		exitCode int
	}{
		{"", 0, 0},                       // discovered but not pinned: not run
		{sum, 3, 0},                      // pinned: runs (md5.Sum, sh -c, InsecureSkipVerify)
		{strings.Repeat("ab", 32), 0, 3}, // pinned to another binary: refused, recorded (exit 3, written with --partial)
	} {
		cfg := filepath.Join(dir, "scanmux.yaml")
		body := ""
		if tc.pin != "" {
			body = fmt.Sprintf("plugins:\n  - path: plugins/scanmux-plugin-bannedcalls\n    sha256: %s\n", tc.pin)
		}
		if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "o.sarif")
		var stdout, stderr bytes.Buffer
		args := []string{"scan", "-q", "--in-process", "--scanners", "scanmux-iac", "--config", cfg, "-o", out, app}
		if tc.exitCode != 0 {
			args = append(args, "--partial")
		}
		code := run(args, &stdout, &stderr)
		if code != tc.exitCode {
			t.Fatalf("pin %q: exit %d\n%s", tc.pin, code, stderr.String())
		}
		runs, err := sarif.ReadFile(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range runs {
			if r.Tool.Name == "bannedcalls" {
				n = len(r.Findings)
			}
		}
		if n != tc.want {
			t.Errorf("pin %q: %d bannedcalls findings, want %d\n%s", tc.pin, n, tc.want, stderr.String())
		}
		if tc.pin != "" && tc.pin != sum && !strings.Contains(stderr.String(), "checksum") {
			t.Errorf("a mismatched pin was not reported:\n%s", stderr.String())
		}
	}
}

func TestScanPreCommitProfile(t *testing.T) {
	if !installed("git") {
		t.Skip("git not installed")
	}
	src := vulnerableApp(t)
	repo := t.TempDir()
	if out, err := exec.Command("cp", "-r", src+"/.", repo).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "init")
	// Change only the Dockerfile.
	if err := os.WriteFile(filepath.Join(repo, "Dockerfile"), []byte("FROM golang:latest\nRUN echo changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "o.sarif")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"scan", "-q", "--in-process", "--profile", "pre-commit", "--scanners", "scanmux-iac,gitleaks", "-o", out, repo}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	runs, err := sarif.ReadFile(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range runs {
		for _, f := range r.Findings {
			n++
			if f.Location.Path != "Dockerfile" {
				t.Errorf("pre-commit reported %s, which did not change", f.Location.Path)
			}
		}
	}
	if n == 0 {
		t.Error("no findings in the changed Dockerfile")
	}
}

func TestPluginsCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"plugins", "--config", filepath.Join(t.TempDir(), "none.yaml")}, &stdout, &stderr); code != 2 {
		t.Errorf("missing explicit config: exit %d", code)
	}
	stdout.Reset()
	if code := run([]string{"plugins"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"gosec", "gitleaks", "scanmux-iac", "nuclei", "NOT INSTALLED"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("plugins output lacks %q:\n%s", want, stdout.String())
		}
	}
}

// polyglot copies the test repository with two Go modules (a workspace
// module and a nested one outside the workspace), a Python project, an
// npm package and a Maven project.
func polyglot(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	if out, err := exec.Command("cp", "-r", "../../scanners/runner/testdata/polyglot/.", dst).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	return dst
}

// scanPolyglot scans a copy of the test repository with the Go scanners
// (the built-in gosec, and govulncheck and staticcheck when installed)
// and returns the exit code, stderr and the SARIF runs.
func scanPolyglot(t *testing.T, root string, extra ...string) (int, string, []sarif.Run) {
	t.Helper()
	dir := t.TempDir()
	vulndb, _ := filepath.Abs("../../scanners/govulncheck/testdata/vulndb")
	cfg := filepath.Join(dir, "scanmux.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("scanners:\n  options:\n    govulncheck.db: file://%s\n    gosec.engine: built-in\n", vulndb)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.sarif")
	args := append([]string{"scan", "--config", cfg, "--scanners", "gosec,govulncheck,staticcheck", "-o", out}, extra...)
	var stdout, stderr bytes.Buffer
	code := run(append(args, root), &stdout, &stderr)
	t.Logf("exit %d; stderr:\n%s", code, stderr.String())
	runs, err := sarif.ReadFile(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, out)
	return code, stderr.String(), runs
}

// The acceptance scan of a repository with several projects: every Go
// scanner covers both modules, with findings in each at paths relative to
// the repository; the coverage is in the summary and in each SARIF run;
// the Java files no scanner reads are listed.
func TestScanPolyglot(t *testing.T) {
	code, stderr, runs := scanPolyglot(t, polyglot(t))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"scanmux scan: 17 files: 2 Go modules, 1 npm package, 1 Python project, 1 Maven project",
		"scanmux scan: gosec: built-in",
		"no scanner for: ", "*.java (1 file; install semgrep or spotbugs)",
		"gosec (built-in)  ok",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if strings.Contains(stderr, "gosec (installed)") {
		t.Error("the installed gosec ran beside the built-in")
	}
	goTools := []string{"gosec"}
	for _, tool := range []string{"govulncheck", "staticcheck"} {
		if installed(tool) {
			goTools = append(goTools, tool)
		} else {
			t.Logf("%s not installed: not checked", tool)
		}
	}
	for _, tool := range goTools {
		i := slices.IndexFunc(runs, func(r sarif.Run) bool { return r.Tool.Name == tool })
		if i < 0 {
			t.Errorf("no %s run", tool)
			continue
		}
		r := runs[i]
		if r.Invocation.Failed {
			t.Errorf("%s failed: %+v", tool, r.Invocation.Notifications)
		}
		if !slices.ContainsFunc(r.Invocation.Notifications, func(n sarif.Notification) bool {
			return n.Level == "note" && strings.HasSuffix(n.Message, " covered 2 modules, 4 packages")
		}) {
			t.Errorf("%s's run does not say it covered 2 modules, 4 packages: %+v", tool, r.Invocation.Notifications)
		}
		if !strings.Contains(stderr, "2 modules, 4 packages") {
			t.Errorf("the summary does not show %s's coverage", tool)
		}
		var api, audit int
		for _, f := range r.Findings {
			switch {
			case strings.HasPrefix(f.Location.Path, "services/api/plugins/audit/"):
				audit++
			case strings.HasPrefix(f.Location.Path, "services/api/"):
				api++
			default:
				t.Errorf("%s: %s at %q, not a path in a module", tool, f.Rule.ID, f.Location.Path)
			}
		}
		if api == 0 || audit == 0 {
			t.Errorf("%s: %d findings in services/api, %d in services/api/plugins/audit; want some in each", tool, api, audit)
		}
		if tool == "govulncheck" && !slices.ContainsFunc(r.Findings, func(f *finding.Finding) bool {
			return f.Rule.ID == "GO-2024-3333" && f.Location.Path == "services/api/plugins/audit/main.go"
		}) {
			t.Error("govulncheck did not report the reachable GO-2024-3333 in the nested module")
		}
	}
}

// Without a module's go.mod the Go scanners fail, saying so, and
// --fail-on-scanner-error exits 3, as documented.
func TestScanPolyglotModuleRemoved(t *testing.T) {
	root := polyglot(t)
	if err := os.Remove(filepath.Join(root, "services/api/plugins/audit/go.mod")); err != nil {
		t.Fatal(err)
	}
	code, stderr, runs := scanPolyglot(t, root)
	if code != 0 {
		t.Errorf("exit %d without --fail-on-scanner-error, want 0", code)
	}
	if !strings.Contains(stderr, "gosec (built-in)  failed") || !strings.Contains(stderr, "could not load packages") {
		t.Error("the summary does not show gosec's failure and why")
	}
	i := slices.IndexFunc(runs, func(r sarif.Run) bool { return r.Tool.Name == "gosec" })
	if i < 0 || !runs[i].Invocation.Failed {
		t.Errorf("gosec's SARIF run is not marked failed")
	}
	code, _, _ = scanPolyglot(t, root, "--fail-on-scanner-error", "--partial")
	if code != 3 {
		t.Errorf("--fail-on-scanner-error: exit %d, want 3", code)
	}
}

// One engine per tool: the installed binary when it is not older than
// the built-in, the built-in otherwise or when asked.
func TestEngineChoice(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		c    int
		ok   bool
	}{
		{"2.30.0", "2.30.0", 0, true}, {"2.31.0", "2.30.0", 1, true}, {"2.9.1", "2.30.0", -1, true},
		{"8.30.1", "8.30", 1, true}, {"2.30.0-rc1", "2.30.0", 0, true}, {"dev", "2.30.0", 0, false}, {"", "1.0.0", 0, false},
	} {
		if c, ok := compareVersions(tc.a, tc.b); c != tc.c || ok != tc.ok {
			t.Errorf("compareVersions(%q, %q) = %d, %v; want %d, %v", tc.a, tc.b, c, ok, tc.c, tc.ok)
		}
	}
	var gosecTool runner.Tool
	for _, tl := range runner.Tools() {
		if tl.Name == "gosec" {
			gosecTool = tl
		}
	}
	found, missing := runner.Find([]runner.Tool{gosecTool})
	if len(found) == 0 {
		t.Skipf("gosec not installed: %s", missing[0].Tool.Install)
	}
	b, _ := builtin.Lookup("gosec")
	ctx := context.Background()
	for _, tc := range []struct {
		engine      string
		wantBuiltin bool
	}{{"", found[0].Version() < "2.30.0"}, {"installed", false}, {"built-in", true}} {
		useBuiltin, why, err := chooseEngine(ctx, b, found[0], map[string]string{"gosec.engine": tc.engine})
		t.Logf("gosec.engine %q: %s", tc.engine, why)
		if err != nil || useBuiltin != tc.wantBuiltin {
			t.Errorf("gosec.engine %q: built-in %v (%v), want %v", tc.engine, useBuiltin, err, tc.wantBuiltin)
		}
	}
	if _, _, err := chooseEngine(ctx, b, found[0], map[string]string{"gosec.engine": "both"}); err == nil {
		t.Error("gosec.engine both: no error")
	}
}

// The built-in gosec leaves out directories whose absolute path contains
// testdata (or vendor, or a dot-directory): scanning the test repository
// where it lies, inside testdata, it analyzes nothing, which is a failure
// saying so, not "ok, 0 findings".
func TestScanBuiltinGosecExcludedPath(t *testing.T) {
	root, err := filepath.Abs("../../scanners/runner/testdata/polyglot")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "scanmux.yaml")
	if err := os.WriteFile(cfg, []byte("scanners:\n  options:\n    gosec.engine: built-in\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"scan", "-q", "--scanners", "gosec", "--fail-on-scanner-error", "-o", filepath.Join(dir, "o.sarif"),
		"--config", cfg, root}, &stdout, &stderr)
	t.Logf("stderr:\n%s", stderr.String())
	if code != 3 || !strings.Contains(stderr.String(), "gosec analyzed 0 of the 2 packages") {
		t.Errorf("exit %d, want 3 and gosec's exclusions named", code)
	}
}

// scan writes paths relative to the git repository holding TARGET, which
// GitHub maps to its files; --root chooses another root, which must hold
// TARGET.
func TestScanRepositoryRelativePaths(t *testing.T) {
	repo := t.TempDir()
	sub := filepath.Join(repo, "deploy", "web")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil { // what repoRoot looks for
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(sub, "Dockerfile"), []byte("FROM alpine:latest\nUSER root\n"), 0o644)
	for _, c := range []struct {
		root, want string
	}{{"", "deploy/web/Dockerfile"}, {filepath.Join(repo, "deploy"), "web/Dockerfile"}, {sub, "Dockerfile"}} {
		out := filepath.Join(t.TempDir(), "o.sarif")
		args := []string{"scan", "-q", "--in-process", "--scanners", "scanmux-iac", "-o", out, sub}
		if c.root != "" {
			args = append(args, "--root", c.root)
		}
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("--root %q: exit %d\n%s", c.root, code, stderr.String())
		}
		runs, err := sarif.ReadFile(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range runs {
			for _, f := range r.Findings {
				n++
				if f.Location.Path != c.want {
					t.Errorf("--root %q: path %q, want %q", c.root, f.Location.Path, c.want)
				}
			}
		}
		if n == 0 {
			t.Errorf("--root %q: no findings", c.root)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"scan", "-q", "--in-process", "--scanners", "scanmux-iac", "--root", t.TempDir(), "-o", filepath.Join(t.TempDir(), "o.sarif"), sub}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "--root") {
		t.Errorf("a --root that does not hold TARGET: exit %d, stderr %q; want 2 naming --root", code, stderr.String())
	}
}

// Code-quality tools run only with --include quality, and what they find
// is of category quality at low or below (staticcheck's U1000 on the
// recorded tree's unused variable was a medium "sast" result before).
func TestQualityFindingsCategory(t *testing.T) {
	if !installed("staticcheck") {
		t.Skip("staticcheck is not installed (.ci/run installs it)")
	}
	root := filepath.Join("..", "..", "testdata", "real", "tree")
	var so, se bytes.Buffer
	if code := run([]string{"scan", "-q", "--scanners", "staticcheck", "--include", "quality", "--format", "json", "-o", "-", root}, &so, &se); code != 0 {
		t.Fatalf("exit %d\n%s", code, se.String())
	}
	var doc struct {
		Findings []struct {
			Category, Severity string
			Rule               struct{ ID string }
		}
	}
	if err := json.Unmarshal(so.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) == 0 {
		t.Fatal("staticcheck found nothing in testdata/real/tree (its unused variable is U1000)")
	}
	for _, f := range doc.Findings {
		if f.Category != "quality" || (f.Severity != "low" && f.Severity != "info") {
			t.Errorf("%s: category %s, severity %s; want quality at low or below", f.Rule.ID, f.Category, f.Severity)
		}
	}
}
