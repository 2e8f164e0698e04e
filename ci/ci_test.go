package ci_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/scanmux/scanmux/codescanning/codescanningtest"
	"github.com/scanmux/scanmux/report/gitlab"
)

// repoRoot is the module's root, the directory above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

var (
	buildOnce sync.Once
	builtDir  string
	buildErr  error
)

// scanmuxBin builds cmd/scanmux once and returns the directory holding
// the binary, for PATH.
func scanmuxBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scanmux-ci-bin")
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "scanmux"), "./cmd/scanmux")
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = errors.New(string(out))
		}
		builtDir = dir
	})
	if buildErr != nil {
		t.Fatalf("building scanmux: %v", buildErr)
	}
	return builtDir
}

// copyTree copies examples/vulnerable-app into a new directory: the
// workspace a CI job checks out.
func copyTree(t *testing.T) string {
	t.Helper()
	src := filepath.Join(repoRoot(t), "examples", "vulnerable-app")
	dst := filepath.Join(t.TempDir(), "app")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// baseEnv is the test's environment without CI variables of its own, so
// that GitHub's or GitLab's variables come only from the test.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "CI_") || strings.HasPrefix(k, "SCANMUX_") || k == "CI" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// runBash runs script with bash as the CI system would, in dir, and
// returns its output and exit code.
func runBash(t *testing.T, script, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "step.sh")
	if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", append(args, f)...)
	cmd.Dir, cmd.Env = dir, env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// action is action.yml's structure, as GitHub reads it.
type action struct {
	Name        string
	Description string
	Author      string
	Branding    struct{ Icon, Color string }
	Inputs      map[string]struct {
		Description string
		Default     string
		Required    bool
	}
	Outputs map[string]struct {
		Description string
		Value       string
	}
	Runs struct {
		Using string
		Steps []actionStep
	}
}

type actionStep struct {
	Name, ID, If, Shell, Run, Uses string
	Env                            map[string]string
	With                           map[string]string
}

func readAction(t *testing.T) *action {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a
}

var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// The action's metadata is what GitHub needs: a composite action whose
// run steps name a shell and take every input through the environment
// (no expression inside a script, where an input could inject shell
// code), and whose expressions name inputs and steps that exist.
func TestActionMetadata(t *testing.T) {
	a := readAction(t)
	if a.Name == "" || a.Description == "" || a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("action.yml: name %q, description %q, runs.using %q, %d steps", a.Name, a.Description, a.Runs.Using, len(a.Runs.Steps))
	}
	ids := map[string]bool{}
	for _, s := range a.Runs.Steps {
		ids[s.ID] = true
	}
	check := func(where, expr string) {
		switch parts := strings.Split(expr, "."); {
		case parts[0] == "inputs":
			if _, ok := a.Inputs[parts[1]]; !ok {
				t.Errorf("%s: input %q is not declared", where, parts[1])
			}
		case parts[0] == "steps":
			if !ids[parts[1]] {
				t.Errorf("%s: step %q does not exist", where, parts[1])
			}
		case parts[0] == "github":
		default:
			t.Errorf("%s: unexpected expression %q", where, expr)
		}
	}
	for i, s := range a.Runs.Steps {
		where := "step " + s.Name
		if (s.Run == "") == (s.Uses == "") {
			t.Errorf("step %d: needs exactly one of run and uses", i)
		}
		if s.Run != "" && s.Shell == "" {
			t.Errorf("%s: a composite run step needs a shell", where)
		}
		if exprRE.MatchString(s.Run) {
			t.Errorf("%s: an expression inside the script: pass it through env", where)
		}
		for k, v := range s.Env {
			for _, m := range exprRE.FindAllStringSubmatch(v, -1) {
				check(where+" env "+k, m[1])
			}
		}
		for _, m := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllStringSubmatch(s.If, -1) {
			check(where+" if", "inputs."+m[1])
		}
	}
	for name, o := range a.Outputs {
		for _, m := range exprRE.FindAllStringSubmatch(o.Value, -1) {
			check("output "+name, m[1])
		}
	}
}

// shellcheck passes every script of the action, and actionlint a
// workflow that uses the action (checking its metadata and the inputs
// given) and the workflow's own script.
func TestActionLint(t *testing.T) {
	a := readAction(t)
	if sc, err := exec.LookPath("shellcheck"); err != nil {
		t.Log("shellcheck is not installed (apt-get install shellcheck): the action's scripts are not linted")
	} else {
		for _, s := range a.Runs.Steps {
			if s.Run == "" {
				continue
			}
			cmd := exec.Command(sc, "--shell=bash", "-")
			cmd.Stdin = strings.NewReader(s.Run)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("shellcheck, step %q: %v\n%s", s.Name, err, out)
			}
		}
	}
	al, err := exec.LookPath("actionlint")
	if err != nil {
		t.Skip("actionlint is not installed (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12): the action is not linted")
	}
	dir := t.TempDir()
	wf := filepath.Join(dir, ".github", "workflows")
	if err := os.MkdirAll(wf, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(repoRoot(t), "action.yml"), filepath.Join(dir, "action.yml"))
	copyFile(t, "testdata/workflow.yml", filepath.Join(wf, "scan.yml"))
	if out, err := exec.Command("git", "-C", dir, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	lint := func() (string, error) {
		cmd := exec.Command(al, "-no-color")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := lint(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
	// actionlint reads the action: an input it does not declare fails.
	b, _ := os.ReadFile(filepath.Join(wf, "scan.yml"))
	if err := os.WriteFile(filepath.Join(wf, "scan.yml"), bytes.Replace(b, []byte("fail-on:"), []byte("fail-onn:"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := lint(); err == nil || !strings.Contains(out, `input "fail-onn" is not defined in action "scanmux"`) {
		t.Errorf("actionlint did not check the action's inputs: %v\n%s", err, out)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// actionRun is what running the action's steps gave.
type actionRun struct {
	stdout, stderr map[string]string // by step name
	codes          map[string]int
	outputs        map[string]string // GITHUB_OUTPUT of each step, by id.name
	workspace      string
	summary        string
}

// runAction runs the action's run steps as GitHub's runner does:
// expressions evaluated, bash with -eo pipefail, GITHUB_OUTPUT, GITHUB_ENV
// and GITHUB_PATH carried from step to step, GitHub's variables pointing
// at the contract server. Steps that use other actions (setup-go) are
// skipped: this machine has Go. With install false the install step is
// skipped too and the test's build is on PATH.
func runAction(t *testing.T, s *codescanningtest.Server, inputs map[string]string, install bool) *actionRun {
	t.Helper()
	a := readAction(t)
	root := repoRoot(t)
	ws := copyTree(t)
	tmp := t.TempDir()
	files := map[string]string{}
	for _, n := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
		files[n] = filepath.Join(tmp, strings.ToLower(n))
		if err := os.WriteFile(files[n], nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	gomodcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	path := os.Getenv("PATH")
	if !install {
		path = scanmuxBin(t) + string(os.PathListSeparator) + path
	}
	jobEnv := map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_API_URL": s.URL, "GITHUB_REPOSITORY": s.Owner + "/" + s.Repo,
		"GITHUB_SHA": "4b6472266afd7b471e86085a6659e8c7f2b119da", "GITHUB_REF": "refs/pull/9/merge", "GITHUB_WORKSPACE": ws,
		"GOPATH": filepath.Join(tmp, "gopath"), "GOMODCACHE": strings.TrimSpace(string(gomodcache)), "GOFLAGS": "-buildvcs=false",
	}
	for k, v := range files {
		jobEnv[k] = v
	}
	value := func(expr string) string {
		parts := strings.SplitN(expr, ".", 3)
		switch {
		case parts[0] == "inputs":
			if v, ok := inputs[parts[1]]; ok {
				return v
			}
			in := a.Inputs[parts[1]]
			return exprRE.ReplaceAllStringFunc(in.Default, func(m string) string {
				if strings.Contains(m, "github.token") {
					return s.Token
				}
				return m
			})
		case expr == "github.token":
			return s.Token
		case expr == "github.action_path":
			return root
		}
		t.Fatalf("expression %q not evaluated by the test", expr)
		return ""
	}
	run := &actionRun{stdout: map[string]string{}, stderr: map[string]string{}, codes: map[string]int{},
		outputs: map[string]string{}, workspace: ws}
	for _, st := range a.Runs.Steps {
		if st.Uses != "" || (!install && st.Name == "Install scanmux") {
			continue
		}
		env := baseEnv()
		env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "PATH=") })
		env = append(env, "PATH="+path)
		for k, v := range jobEnv {
			env = append(env, k+"="+v)
		}
		for k, v := range st.Env {
			env = append(env, k+"="+exprRE.ReplaceAllStringFunc(v, func(m string) string {
				return value(exprRE.FindStringSubmatch(m)[1])
			}))
		}
		if err := os.WriteFile(files["GITHUB_OUTPUT"], nil, 0o600); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runBash(t, st.Run, ws, env, "--noprofile", "--norc", "-eo", "pipefail")
		run.stdout[st.Name], run.stderr[st.Name], run.codes[st.Name] = out, errOut, code
		for k, v := range readKV(t, files["GITHUB_OUTPUT"]) {
			run.outputs[st.ID+"."+k] = v
		}
		for k, v := range readKV(t, files["GITHUB_ENV"]) {
			jobEnv[k] = v
		}
		b, _ := os.ReadFile(files["GITHUB_PATH"])
		for _, p := range strings.Fields(string(b)) {
			if !strings.HasPrefix(path, p+string(os.PathListSeparator)) {
				path = p + string(os.PathListSeparator) + path
			}
		}
		if code != 0 && st.Name != "Gate" {
			t.Logf("step %q exited %d:\n%s", st.Name, code, errOut)
			break
		}
	}
	sum, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	run.summary = string(sum)
	return run
}

// readKV reads NAME=VALUE lines (GITHUB_OUTPUT, GITHUB_ENV).
func readKV(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			kv[k] = v
		}
	}
	return kv
}

// The action's steps, run as the runner runs them on the vulnerable app:
// scanmux is built from the action's own source, the scan annotates and
// summarizes, the log is uploaded to the (local) code scanning API, and
// the step fails with the gate's exit code 1.
func TestActionRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds scanmux and scans: not in -short")
	}
	s := codescanningtest.NewServer(t)
	r := runAction(t, s, map[string]string{"args": "--scanners gosec,gitleaks,scanmux-iac"}, true)
	if r.codes["Install scanmux"] != 0 || !strings.HasPrefix(r.stdout["Install scanmux"], "scanmux ") {
		t.Fatalf("install: exit %d\n%s%s", r.codes["Install scanmux"], r.stdout["Install scanmux"], r.stderr["Install scanmux"])
	}
	if r.codes["Scan"] != 0 || r.outputs["scan.exit-code"] != "1" || r.outputs["scan.sarif-file"] != "scanmux.sarif" {
		t.Fatalf("scan: exit %d, outputs %v\n%s", r.codes["Scan"], r.outputs, r.stderr["Scan"])
	}
	if !regexp.MustCompile(`(?m)^::error file=main\.go,line=\d+`).MatchString(r.stdout["Scan"]) {
		t.Errorf("no error annotation on main.go in the scan's output:\n%s", r.stdout["Scan"])
	}
	if !strings.Contains(r.summary, "#") || !strings.Contains(r.summary, "gosec") {
		t.Errorf("job summary:\n%s", r.summary)
	}
	up := s.Uploads()
	if len(up) != 1 {
		t.Fatalf("%d uploads; upload step:\n%s", len(up), r.stderr["Upload to code scanning"])
	}
	log, err := os.ReadFile(filepath.Join(r.workspace, "scanmux.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(up[0].SARIF, log) || up[0].Ref != "refs/pull/9/merge" || up[0].CheckoutURI != "file://"+filepath.ToSlash(r.workspace) {
		t.Errorf("upload: ref %s, checkout %s, log equal %v", up[0].Ref, up[0].CheckoutURI, bytes.Equal(up[0].SARIF, log))
	}
	if r.codes["Gate"] != 1 {
		t.Errorf("gate step exited %d, want the scan's 1", r.codes["Gate"])
	}
}

// A scan that fails writes no log: the upload step says there is nothing
// to upload and sends nothing, and the action fails with the scan's code;
// upload: false sends nothing either.
func TestActionFailedScan(t *testing.T) {
	if testing.Short() {
		t.Skip("builds scanmux: not in -short")
	}
	s := codescanningtest.NewServer(t)
	r := runAction(t, s, map[string]string{"args": "--scanners gosec --fail-on-scanner-error --import does-not-exist.json"}, false)
	if code := r.outputs["scan.exit-code"]; code == "0" || code == "1" || code == "" {
		t.Fatalf("scan exit code %q\n%s", code, r.stderr["Scan"])
	}
	if !strings.Contains(r.stderr["Upload to code scanning"], "nothing to upload") || len(s.Requests()) != 0 {
		t.Errorf("upload step: %q, %d requests", r.stderr["Upload to code scanning"], len(s.Requests()))
	}
	if r.codes["Gate"] != 2 && r.codes["Gate"] != 3 {
		t.Errorf("gate step exited %d", r.codes["Gate"])
	}
	r = runAction(t, s, map[string]string{"args": "--scanners gosec", "upload": "false", "fail-on": ""}, false)
	if r.codes["Gate"] != 0 || len(s.Requests()) != 0 {
		t.Errorf("upload false: gate %d, %d requests", r.codes["Gate"], len(s.Requests()))
	}
}

// The pre-commit manifest is valid for pre-commit itself, and its entry,
// run in a repository with a staged secret, fails the commit; once the
// secret is committed (no change left) it passes.
func TestPreCommitHook(t *testing.T) {
	manifest := filepath.Join(repoRoot(t), ".pre-commit-hooks.yaml")
	var hooks []struct {
		ID, Name, Entry, Language string
		PassFilenames             *bool `yaml:"pass_filenames"`
	}
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &hooks); err != nil || len(hooks) != 1 || hooks[0].ID != "scanmux" {
		t.Fatalf("%s: %v %+v", manifest, err, hooks)
	}
	if pc, err := exec.LookPath("pre-commit"); err != nil {
		t.Log("pre-commit is not installed (apt-get install pre-commit): the manifest is not validated by it")
	} else if out, err := exec.Command(pc, "validate-manifest", manifest).CombinedOutput(); err != nil {
		t.Errorf("pre-commit validate-manifest: %v\n%s", err, out)
	}
	if testing.Short() {
		t.Skip("builds scanmux: not in -short")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	env := append(baseEnv(), "PATH="+scanmuxBin(t)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("# app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "init")
	token := "ghp_" + "R8v2Lq9Xw3Tz6Km1Np4Hs7Bd0Fg5Jc8Ye2Ua" // a random fake, split so no scanner flags this file
	if err := os.WriteFile(filepath.Join(dir, "config.env"), []byte("GITHUB_TOKEN="+token+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "config.env")
	entry := hooks[0].Entry
	out, errOut, code := runBash(t, entry, dir, env)
	if code != 1 || !strings.Contains(out+errOut, "config.env") {
		t.Fatalf("hook on a staged secret: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, token) {
		t.Error("the hook printed the secret")
	}
	git("commit", "-q", "-m", "secret")
	if out, errOut, code := runBash(t, entry, dir, env); code != 0 {
		t.Errorf("hook with nothing changed: exit %d\n%s%s", code, out, errOut)
	}
}

// glJob is a GitLab CI job, as far as the template uses one.
type glJob struct {
	Extends      string
	Image        string
	Stage        string
	Variables    map[string]string
	BeforeScript []string `yaml:"before_script"`
	Script       []string
	Rules        []map[string]string
	Artifacts    struct {
		When    string
		Paths   []string
		Reports map[string]string
	}
}

func readTemplate(t *testing.T) map[string]glJob {
	t.Helper()
	b, err := os.ReadFile("gitlab/scanmux.gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	var jobs map[string]glJob
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&jobs); err != nil {
		t.Fatalf("scanmux.gitlab-ci.yml: %v", err)
	}
	return jobs
}

// The template's job writes every report artifact GitLab reads under the
// name its report declares.
func TestGitLabTemplateShape(t *testing.T) {
	jobs := readTemplate(t)
	base, job := jobs[".scanmux"], jobs["scanmux"]
	if job.Extends != ".scanmux" || job.Stage != "test" || base.Image == "" || len(base.Script) == 0 {
		t.Fatalf("jobs %+v", jobs)
	}
	want := map[string]string{"codequality": "gl-code-quality-report.json"}
	for _, k := range gitlab.Kinds {
		want[string(k)] = k.FileName()
	}
	if len(base.Artifacts.Reports) != len(want) || base.Artifacts.When != "always" {
		t.Errorf("artifacts %+v", base.Artifacts)
	}
	for k, v := range base.Artifacts.Reports {
		if want[k] != v {
			t.Errorf("reports:%s is %q, want %q", k, v, want[k])
		}
	}
}

// The template's commands, run as GitLab's runner runs them (one bash
// session, -eo pipefail) on the vulnerable app with every report kind
// asked for: each report is written and validates against GitLab's
// schema of the version asked for.
func TestGitLabTemplateRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds scanmux and scans: not in -short")
	}
	jobs := readTemplate(t)
	base := jobs[".scanmux"]
	for _, version := range gitlab.Schemas {
		t.Run(version, func(t *testing.T) {
			ws := copyTree(t)
			vars := map[string]string{}
			for k, v := range base.Variables {
				vars[k] = v
			}
			vars["SCANMUX_ARGS"] = "--scanners gosec,gitleaks,scanmux-iac"
			vars["SCANMUX_GITLAB_REPORTS"] = "sast secret_detection dependency_scanning container_scanning dast"
			vars["SCANMUX_GITLAB_SCHEMA"] = version
			env := append(baseEnv(), "PATH="+scanmuxBin(t)+string(os.PathListSeparator)+os.Getenv("PATH"),
				"CI=true", "GITLAB_CI=true", "CI_PROJECT_DIR="+ws, "CI_COMMIT_SHA=4b6472266afd7b471e86085a6659e8c7f2b119da")
			for k, v := range vars {
				env = append(env, k+"="+v)
			}
			script := "set -eo pipefail\n" + strings.Join(base.BeforeScript, "\n") + "\n" + strings.Join(base.Script, "\n") + "\n"
			out, errOut, code := runBash(t, script, ws, env)
			if code != 1 { // the vulnerable app fails the gate at high
				t.Fatalf("job exited %d, want the gate's 1\n%s%s", code, out, errOut)
			}
			for kind, file := range base.Artifacts.Reports {
				b, err := os.ReadFile(filepath.Join(ws, file))
				if err != nil {
					t.Errorf("reports:%s: %v", kind, err)
					continue
				}
				if kind == "codequality" {
					var issues []map[string]any
					if err := json.Unmarshal(b, &issues); err != nil || len(issues) == 0 {
						t.Errorf("%s: %v, %d issues", file, err, len(issues))
					}
					continue
				}
				validateGitLab(t, version, gitlab.Kind(kind), b)
			}
		})
	}
}

// validateGitLab validates a report against GitLab's schema in ../shared,
// or logs that it cannot.
func validateGitLab(t *testing.T, version string, kind gitlab.Kind, report []byte) {
	t.Helper()
	path := filepath.Join(repoRoot(t), "..", "shared", "schemas", "gitlab", version, kind.SchemaFile())
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Logf("GitLab's schemas are not at %s: %s written, not validated", path, kind)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(report))
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s %s: %v", kind, version, err)
	}
}
