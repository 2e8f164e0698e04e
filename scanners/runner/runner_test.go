package runner_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/project"
	"github.com/scanmux/scanmux/scanners/runner"
)

// tool returns the directory-target tool named name, skipping the test
// with its install hint when it is not installed.
func tool(t *testing.T, name string) *runner.Scanner {
	t.Helper()
	for _, tl := range runner.Tools() {
		if tl.Name == name && tl.Target == plugin.TargetDirectory {
			found, missing := runner.Find([]runner.Tool{tl})
			if len(found) == 0 {
				t.Skipf("%s not installed: %s", name, missing[0].Tool.Install)
			}
			return found[0]
		}
	}
	t.Fatalf("no tool %s", name)
	return nil
}

// result is what one scan gave.
type result struct {
	findings []*finding.Finding
	coverage string
	err      error
}

// scan runs s on root with opts, as scanmux scan does.
func scan(t *testing.T, s *runner.Scanner, root string, opts map[string]string) *result {
	t.Helper()
	r := &result{}
	r.err = s.Scan(context.Background(), &plugin.Request{
		Target:  plugin.Target{Kind: plugin.TargetDirectory, Root: root},
		Options: opts,
	}, plugin.EmitFuncs{
		OnFinding: func(f *finding.Finding) error { r.findings = append(r.findings, f); return nil },
		OnDiagnostic: func(d plugin.Diagnostic) error {
			if c, ok := d.Attrs[runner.CoverageAttr]; ok {
				r.coverage = c
			}
			return nil
		},
	})
	return r
}

func (r *result) rules() []string {
	var out []string
	for _, f := range r.findings {
		if !slices.Contains(out, f.Rule.ID) {
			out = append(out, f.Rule.ID)
		}
	}
	slices.Sort(out)
	return out
}

// copyTree copies a test repository into a temporary directory, so that
// tests may change it and the go command may write beside it.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	if out, err := exec.Command("cp", "-r", src+"/.", dst).CombinedOutput(); err != nil {
		t.Fatalf("copying %s: %v %s", src, err, out)
	}
	return dst
}

func vulndb(t *testing.T) string {
	db, err := filepath.Abs("../govulncheck/testdata/vulndb")
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + db
}

// Each case runs a real tool when it is installed (CI installs them) and
// checks that its report turned into the findings it should.
func TestRealTools(t *testing.T) {
	app, _ := filepath.Abs("../../examples/vulnerable-app")
	mixed, _ := filepath.Abs("testdata/mixed")
	inv, err := project.Discover(app, nil)
	if err != nil {
		t.Fatal(err)
	}
	appFiles := len(inv.Files)
	cases := []struct {
		tool    string
		root    string
		opts    map[string]string
		wantAny []string // rule ids, at least one of which must be reported
		cover   string   // the coverage it reports
	}{
		{"gosec", app, nil, []string{"G201", "G204"}, "1 module, 1 package"},
		{"gitleaks", app, nil, []string{"github-pat"}, fmt.Sprintf("the tree (%d files)", appFiles)},
		{"govulncheck", app, map[string]string{"govulncheck.db": vulndb(t)}, []string{"GO-2023-1988"}, "1 module, 1 package"},
		{"kube-score", app, nil, []string{"container-security-context-privileged", "pod-networkpolicy"}, "1 file (1 manifest directory)"},
		{"bandit", mixed, nil, []string{"B602"}, "1 file"},
		{"shellcheck", mixed, nil, []string{"SC2086"}, "1 file"},
		{"cppcheck", mixed, nil, []string{"arrayIndexOutOfBounds"}, "2 files"},
		{"flawfinder", mixed, nil, []string{"FF1001", "FF1015"}, "2 files"},
		{"tfsec", app, nil, []string{"aws-s3-enable-bucket-encryption", "AVD-AWS-0088"}, fmt.Sprintf("the tree (%d files)", appFiles)},
	}
	for _, tc := range cases {
		t.Run(tc.tool, func(t *testing.T) {
			s := tool(t, tc.tool)
			if v := s.Version(); !regexp.MustCompile(`^\d+\.\d+`).MatchString(v) {
				t.Errorf("version %q, want a version number", v)
			}
			r := scan(t, s, tc.root, tc.opts)
			if r.err != nil {
				t.Fatal(r.err)
			}
			for _, f := range r.findings {
				if err := f.Validate(); err != nil {
					t.Errorf("invalid finding: %v", err)
				}
				if f.Tool.Version == "" {
					t.Errorf("finding %s has no tool version", f.Rule.ID)
				}
			}
			if !slices.ContainsFunc(tc.wantAny, func(id string) bool { return slices.Contains(r.rules(), id) }) {
				t.Errorf("%s reported %d findings with rules %v; want one of %v", tc.tool, len(r.findings), r.rules(), tc.wantAny)
			}
			if r.coverage != tc.cover {
				t.Errorf("coverage %q, want %q", r.coverage, tc.cover)
			}
		})
	}
}

// cppcheck runs with the checks the issue asked for: on the sample file
// they find the style and portability issues the default misses.
func TestCppcheckChecks(t *testing.T) {
	s := tool(t, "cppcheck")
	mixed, _ := filepath.Abs("testdata/mixed")
	def := scan(t, s, mixed, map[string]string{"cppcheck.enable": "warning"})
	// On style.c: unreadVariable, shiftTooManyBitsSigned, constParameter
	// besides warning's nullPointerRedundantCheck.
	ours := scan(t, s, mixed, nil)
	if def.err != nil || ours.err != nil {
		t.Fatal(def.err, ours.err)
	}
	if len(ours.findings) <= len(def.findings) {
		t.Errorf("default settings: %d findings %v; --enable=warning only: %d %v; want more with ours",
			len(ours.findings), ours.rules(), len(def.findings), def.rules())
	}
}

// The acceptance test of per-project scanning: in a repository with a Go
// workspace module and a nested module outside the workspace, every
// module-aware tool covers both modules, reports findings in each with
// paths relative to the repository's root, and govulncheck finds the
// vulnerable call that only the nested module makes.
func TestGoModules(t *testing.T) {
	for _, name := range []string{"gosec", "staticcheck", "govulncheck"} {
		t.Run(name, func(t *testing.T) {
			s := tool(t, name)
			root := copyTree(t, "testdata/polyglot")
			r := scan(t, s, root, map[string]string{"govulncheck.db": vulndb(t)})
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.coverage != "2 modules, 4 packages" {
				t.Errorf("coverage %q, want 2 modules, 4 packages", r.coverage)
			}
			var api, audit int
			for _, f := range r.findings {
				p := f.Location.Path
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err != nil {
					t.Errorf("%s at %q: not a file under the root: %v", f.Rule.ID, p, err)
				}
				switch {
				case strings.HasPrefix(p, "services/api/plugins/audit/"):
					audit++
				case strings.HasPrefix(p, "services/api/"):
					api++
				}
			}
			if api == 0 || audit == 0 {
				t.Errorf("findings in services/api: %d, in services/api/plugins/audit: %d; want some in each (rules %v)", api, audit, r.rules())
			}
			if name == "govulncheck" {
				called := slices.ContainsFunc(r.findings, func(f *finding.Finding) bool {
					return f.Rule.ID == "GO-2024-3333" && f.Location.Path == "services/api/plugins/audit/main.go" &&
						f.Location.Region.StartLine == 21 && f.Properties["govulncheck.level"] == "symbol"
				})
				if !called {
					t.Error("govulncheck did not report the call of html.Parse at services/api/plugins/audit/main.go:21 (GO-2024-3333)")
				}
			}
		})
	}
}

// Removing a module's go.mod makes every module-aware tool's run a
// failure with the tool's own message, never ok, and never "not
// applicable": the Go code is there, the tool could not load it.
func TestGoModuleRemoved(t *testing.T) {
	for _, gomod := range []string{"services/api/go.mod", "services/api/plugins/audit/go.mod"} {
		for _, name := range []string{"gosec", "staticcheck", "govulncheck"} {
			t.Run(name+" without "+gomod, func(t *testing.T) {
				s := tool(t, name)
				root := copyTree(t, "testdata/polyglot")
				if err := os.Remove(filepath.Join(root, gomod)); err != nil {
					t.Fatal(err)
				}
				rep, err := aggregate.Run(context.Background(), []aggregate.Source{
					s.Source(name, &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: root},
						Options: map[string]string{"govulncheck.db": vulndb(t)}}),
				}, &aggregate.Options{Root: root})
				if err != nil {
					t.Fatal(err)
				}
				st := rep.Sources[0]
				t.Logf("%s: %s (covered %s): %s", st.Name, st.State, st.Coverage, st.Err)
				if st.State != aggregate.SourceFailed {
					t.Fatalf("state %s, want failed", st.State)
				}
				if !strings.Contains(st.Err, name+" did not cover 1 of ") {
					t.Errorf("error %q does not say what was not covered", st.Err)
				}
				runs := rep.Runs()
				if len(runs) != 1 || !runs[0].Invocation.Failed {
					t.Errorf("SARIF run not marked failed: %+v", runs)
				}
			})
		}
	}
}

// Directories whose Go files a build constraint excludes (tools.go, a
// generator's "ignore" file) are not packages the go command builds: the
// module-aware tools cover the module without failing on them.
func TestGoBuildConstraints(t *testing.T) {
	files := map[string]string{
		"go.mod":         "module example.com/tl\n\ngo 1.22\n",
		"main.go":        "package main\n\nimport (\n\t\"os\"\n\t\"os/exec\"\n)\n\nfunc main() { _ = exec.Command(os.Args[1]).Run() }\n",
		"tools/tools.go": "//go:build tools\n\npackage tools\n\nimport _ \"fmt\"\n",
		"gen/gen.go":     "//go:build ignore\n\npackage main\n\nfunc main() {}\n",
	}
	for _, name := range []string{"gosec", "staticcheck", "govulncheck"} {
		t.Run(name, func(t *testing.T) {
			s := tool(t, name)
			root := t.TempDir()
			for p, body := range files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, p), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if r := scan(t, s, root, map[string]string{"govulncheck.db": vulndb(t)}); r.err != nil {
				t.Errorf("%v", r.err)
			}
		})
	}
}

// A tool that cannot load its input fails with its own message: a Go
// package that imports what does not exist, a Python, JavaScript, shell
// or C file that does not parse, a C file that is not UTF-8, a manifest
// that is not YAML, a gitleaks config that is not TOML.
func TestInputFailures(t *testing.T) {
	goMod := map[string]string{
		"go.mod":  "module example.com/broken\n\ngo 1.22\n",
		"main.go": "package main\n\nimport \"example.com/broken/missing\"\n\nfunc main() { missing.Run() }\n",
	}
	cases := []struct {
		tool  string
		files map[string]string
		want  string // in the error: the tool's message
	}{
		{"gosec", goMod, "could not import example.com/broken/missing"},
		{"staticcheck", goMod, "example.com/broken/missing"},
		{"govulncheck", goMod, "example.com/broken/missing"},
		{"bandit", map[string]string{"bad.py": "def f(:\n    pass\n"}, "bad.py: syntax error"},
		{"eslint", map[string]string{"bad.js": "function (\n"}, "bad.js:1: Parsing error"},
		{"shellcheck", map[string]string{"bad.sh": "#!/bin/sh\nif then\n"}, "bad.sh:"},
		{"cppcheck", map[string]string{"bad.c": "int main( { return 0; }\n"}, "bad.c:1: syntaxError"},
		{"flawfinder", map[string]string{"bad.c": "int main(void) { return 0; }\n/* \xff\xfe */\n"}, "encoding error"},
		{"kube-score", map[string]string{"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n"}, "exit status"},
		{"gitleaks", map[string]string{".gitleaks.toml": "[[rules]\nid = \n", "a.txt": "x\n"}, "unable to load gitleaks config"},
		{"tfsec", map[string]string{"main.tf": "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n"}, "Unclosed configuration block"},
	}
	for _, tc := range cases {
		t.Run(tc.tool, func(t *testing.T) {
			s := tool(t, tc.tool)
			root := t.TempDir()
			for name, body := range tc.files {
				if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := scan(t, s, root, nil)
			if r.err == nil {
				t.Fatalf("no error; findings %v", r.rules())
			}
			if errors.Is(r.err, runner.ErrNotApplicable) {
				t.Fatalf("not applicable: %v", r.err)
			}
			t.Logf("%v", r.err)
			if !strings.Contains(r.err.Error(), tc.want) {
				t.Errorf("error lacks %q (the tool's message)", tc.want)
			}
		})
	}
}

// A DAST tool that cannot reach its URL fails with its message: wapiti
// exits 0 with an empty report then.
func TestUnreachableURL(t *testing.T) {
	var wapiti runner.Tool
	for _, tl := range runner.Tools() {
		if tl.Name == "wapiti" {
			wapiti = tl
		}
	}
	found, missing := runner.Find([]runner.Tool{wapiti})
	if len(found) == 0 {
		t.Skipf("wapiti not installed: %s", missing[0].Tool.Install)
	}
	err := found[0].Scan(context.Background(), &plugin.Request{
		Target:  plugin.Target{Kind: plugin.TargetURL, URL: "http://127.0.0.1:1/", Root: t.TempDir()},
		Options: map[string]string{"wapiti.max-scan-time": "10", "wapiti.modules": "http_headers"},
	}, plugin.EmitFuncs{})
	t.Logf("%v", err)
	if err == nil || !strings.Contains(err.Error(), "Connection error with URL http://127.0.0.1:1/") {
		t.Errorf("error %v, want wapiti's connection error", err)
	}
}

// A tree with nothing for a tool is not applicable, with the reason, not
// a clean pass; a missing tool comes with its install hint.
func TestNotApplicableAndMissing(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "notes.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := project.Discover(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range runner.Tools() {
		if tl.Target != plugin.TargetDirectory || (tl.Scope == runner.ScopeTree && tl.Select == nil) {
			continue
		}
		units, why := tl.Plan(inv, &plugin.Target{Kind: plugin.TargetDirectory, Root: root})
		if len(units) != 0 || why == "" {
			t.Errorf("%s: %d units (%q) on a tree with only a text file", tl.Name, len(units), why)
		}
	}
	s := tool(t, "bandit")
	rep, err := aggregate.Run(context.Background(), []aggregate.Source{
		s.Source("bandit", &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: root}}),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := rep.Sources[0]; st.State != aggregate.SourceNotApplicable || st.Err != "no Python files" {
		t.Errorf("bandit on a tree without Python: %s %q, want not applicable, no Python files", st.State, st.Err)
	}
	if runs := rep.Runs(); len(runs) != 0 {
		t.Errorf("a tool that did not run has a SARIF run: %+v", runs)
	}
	_, missing := runner.Find([]runner.Tool{{Name: "nope", Binary: "scanmux-no-such-tool", Install: "it does not exist"}})
	if len(missing) != 1 || missing[0].Tool.Install != "it does not exist" {
		t.Errorf("missing = %+v", missing)
	}
}

// Plan runs module-aware tools once per module, with GOWORK=off for the
// nested module the workspace does not list, and file tools over their
// files in batches.
func TestPlan(t *testing.T) {
	inv, err := project.Discover("testdata/polyglot", nil)
	if err != nil {
		t.Fatal(err)
	}
	target := &plugin.Target{Kind: plugin.TargetDirectory, Root: inv.Root}
	var gosec, bandit runner.Tool
	for _, tl := range runner.Tools() {
		switch tl.Name {
		case "gosec":
			gosec = tl
		case "bandit":
			bandit = tl
		}
	}
	units, _ := gosec.Plan(inv, target)
	var got []string
	for _, u := range units {
		got = append(got, u.Dir+" "+strings.Join(u.Files, ",")+" "+strings.Join(u.Env, ","))
	}
	want := []string{"services/api .,./internal/store ", "services/api/plugins/audit .,./internal/report GOWORK=off"}
	if os.Getenv("GOWORK") != "" {
		want[1] = "services/api/plugins/audit .,./internal/report "
	}
	if !slices.Equal(got, want) {
		t.Errorf("gosec units %q, want %q", got, want)
	}
	units, _ = bandit.Plan(inv, target)
	if len(units) != 1 || !slices.Equal(units[0].Files, []string{"python/app/__init__.py", "python/app/tasks.py"}) {
		t.Errorf("bandit units %+v", units)
	}
	// Many files: batches that keep each command line short.
	big := &project.Inventory{Root: inv.Root}
	for i := range 5000 {
		big.Files = append(big.Files, filepath.ToSlash(filepath.Join("pkg", strings.Repeat("d", 20), "file"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+".py")))
	}
	units, _ = bandit.Plan(big, target)
	n := 0
	for _, u := range units {
		n += len(u.Files)
	}
	if len(units) < 2 || n != 5000 {
		t.Errorf("5000 files: %d units with %d files", len(units), n)
	}
}

func TestRebase(t *testing.T) {
	f := &finding.Finding{Location: finding.Location{Path: "main.go"},
		Related: []finding.Location{{Path: "x/y.go"}, {}},
		Flows:   []finding.Flow{{Steps: []finding.Location{{Path: "a.go"}}}}}
	runner.Rebase(f, "services/api")
	if f.Location.Path != "services/api/main.go" || f.Related[0].Path != "services/api/x/y.go" || f.Related[1].Path != "" ||
		f.Flows[0].Steps[0].Path != "services/api/a.go" {
		t.Errorf("rebased: %+v", f)
	}
}

// Uncovered lists the languages present that nothing covers, with what to
// install.
func TestUncovered(t *testing.T) {
	inv, err := project.Discover("testdata/polyglot", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := runner.Uncovered(inv, []string{"Go", "Python"})
	want := []string{"*.js (1 file; install eslint with eslint-plugin-security, or semgrep)", "*.java (1 file; install semgrep or spotbugs)"}
	if !slices.Equal(got, want) {
		t.Errorf("Uncovered = %q, want %q", got, want)
	}
}

// The README documents every tool setting.
func TestREADMEDocumentsSettings(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range runner.Tools() {
		for _, s := range tl.Settings {
			if !strings.Contains(string(readme), "`"+s.Option+"`") {
				t.Errorf("README.md does not document %s", s.Option)
			}
		}
	}
}
