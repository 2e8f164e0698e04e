package project_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/project"
)

// writeTree writes files (path: content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// brief is a project in a form easy to compare.
type brief struct {
	Kind        project.Kind
	Dir         string
	Manifest    string
	Manager     string `json:",omitempty"`
	Module      string `json:",omitempty"`
	Packages    []string
	GoWork      string
	InWorkspace bool
	Files       []string
}

func briefs(inv *project.Inventory) []brief {
	var out []brief
	for _, p := range inv.Projects {
		out = append(out, brief{p.Kind, p.Dir, p.Manifest, p.Manager, p.Module, p.Packages, p.GoWork, p.InWorkspace, p.Files})
	}
	return out
}

// Every kind of project is found, where it is, with what marks it; what a
// build skips is skipped.
func TestDiscover(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		".gitignore":                      "build/\n*.log\n/generated.go\n!keep.log\n",
		"go.work":                         "go 1.22\n\nuse (\n\t./svc // the service\n\t\"./lib\"\n)\n",
		"svc/go.mod":                      "module example.com/svc\n\ngo 1.22\n",
		"svc/main.go":                     "package main\n",
		"svc/internal/db/db.go":           "package db\n",
		"svc/testdata/fixture.go":         "package fixture\n", // not a package of svc
		"svc/testdata/mod/go.mod":         "module example.com/fixture\n",
		"svc/tools/go.mod":                "module example.com/tools\n", // nested, not in go.work
		"svc/tools/gen.go":                "package tools\n",
		"svc/_old/old.go":                 "package old\n",
		"lib/go.mod":                      "module \"example.com/lib\"\n",
		"lib/lib.go":                      "package lib\n",
		"scripts/x.go":                    "package main\n", // outside any module
		"scripts/sub/y.go":                "package sub\n",
		"generated.go":                    "package main\n", // ignored by /generated.go
		"build/out.go":                    "package out\n",  // ignored by build/
		"debug.log":                       "",
		"keep.log":                        "",
		"vendor/v/v.go":                   "package v\n",
		"web/package.json":                "{}",
		"web/yarn.lock":                   "",
		"web/node_modules/x/package.json": "{}",
		"web/src/app.js":                  "",
		"tools/pnpm-lock.yaml":            "",
		"tools/cli/package.json":          "{}",
		"py/pyproject.toml":               "",
		"py/requirements.txt":             "",
		"py/app.py":                       "",
		"scripts2/requirements-dev.txt":   "",
		"java/pom.xml":                    "<project/>",
		"java/App.java":                   "",
		"kt/build.gradle.kts":             "",
		"infra/main.tf":                   "module \"net\" {\n  source = \"../modules/net\"\n}\n",
		"modules/net/main.tf":             "resource \"x\" \"y\" {}\n",
		"chart/Chart.yaml":                "apiVersion: v2\nname: c\n",
		"chart/templates/dep.yaml":        "apiVersion: apps/v1\nkind: Deployment\n",
		"k8s/dep.yaml":                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
		"k8s/values.yaml":                 "replicas: 2\n",
		"Dockerfile":                      "FROM scratch\n",
		"svc/api.Dockerfile":              "FROM scratch\n",
		".github/workflows/ci.yaml":       "apiVersion: v1\nkind: Pod\n",
	})
	inv, err := project.Discover(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		{Kind: project.Go, Dir: "lib", Manifest: "lib/go.mod", Module: "example.com/lib", Packages: []string{"lib"}, GoWork: "go.work", InWorkspace: true},
		{Kind: project.Go, Dir: "scripts", Packages: []string{"scripts", "scripts/sub"}},
		{Kind: project.Go, Dir: "svc", Manifest: "svc/go.mod", Module: "example.com/svc", Packages: []string{"svc", "svc/internal/db"}, GoWork: "go.work", InWorkspace: true},
		{Kind: project.Go, Dir: "svc/tools", Manifest: "svc/tools/go.mod", Module: "example.com/tools", Packages: []string{"svc/tools"}, GoWork: "go.work"},
		{Kind: project.NPM, Dir: "tools/cli", Manifest: "tools/cli/package.json", Manager: "pnpm"},
		{Kind: project.NPM, Dir: "web", Manifest: "web/package.json", Manager: "yarn"},
		{Kind: project.Python, Dir: "py", Manifest: "py/pyproject.toml", Manager: "pyproject"},
		{Kind: project.Python, Dir: "scripts2", Manifest: "scripts2/requirements-dev.txt", Manager: "requirements"},
		{Kind: project.Maven, Dir: "java", Manifest: "java/pom.xml"},
		{Kind: project.Gradle, Dir: "kt", Manifest: "kt/build.gradle.kts"},
		{Kind: project.Terraform, Dir: "infra", Manifest: "infra/main.tf", Files: []string{"infra/main.tf"}},
		{Kind: project.Helm, Dir: "chart", Manifest: "chart/Chart.yaml"},
		{Kind: project.Kubernetes, Dir: "k8s", Manifest: "k8s/dep.yaml", Files: []string{"k8s/dep.yaml"}},
		{Kind: project.Docker, Dir: ".", Manifest: "Dockerfile", Files: []string{"Dockerfile"}},
		{Kind: project.Docker, Dir: "svc", Manifest: "svc/api.Dockerfile", Files: []string{"svc/api.Dockerfile"}},
	}
	if diff := diff(want, briefs(inv)); diff != "" {
		t.Errorf("projects (-want +got):\n%s", diff)
	}
	for _, f := range []string{"generated.go", "build/out.go", "debug.log", "vendor/v/v.go", "web/node_modules/x/package.json", ".github/workflows/ci.yaml"} {
		if slices.Contains(inv.Files, f) {
			t.Errorf("%s is kept; it is ignored or vendored", f)
		}
	}
	for _, f := range []string{"keep.log", "svc/testdata/fixture.go", "svc/_old/old.go"} {
		if !slices.Contains(inv.Files, f) {
			t.Errorf("%s is not kept", f)
		}
	}
	if len(inv.Problems) != 0 {
		t.Errorf("problems: %v", inv.Problems)
	}
	if p := inv.Owner(project.Go, "svc/tools/gen.go"); p == nil || p.Dir != "svc/tools" {
		t.Errorf("Owner(svc/tools/gen.go) = %+v, want the nested module", p)
	}
	langs := map[string]int{}
	for _, l := range inv.Languages() {
		langs[l.Name] = l.Files
	}
	if langs["Java"] != 1 || langs["Go"] != 8 || langs["Dockerfile"] != 2 {
		t.Errorf("languages = %v", langs)
	}
}

// A go.work that uses a directory without go.mod is a problem; the
// module above the root holds the root's packages; a root under testdata
// is not part of the module above it.
func TestDiscoverGoEdges(t *testing.T) {
	top := t.TempDir()
	writeTree(t, top, map[string]string{
		"go.mod":               "module example.com/top\n",
		"go.work":              "go 1.22\nuse .\nuse ./gone\n",
		"sub/a.go":             "package sub\n",
		"sub/inner/b.go":       "package inner\n",
		"testdata/case/c.go":   "package c\n",
		"testdata/case/go.mod": "", // removed below
	})
	os.Remove(filepath.Join(top, "testdata/case/go.mod"))
	inv, err := project.Discover(filepath.Join(top, "sub"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{{Kind: project.Go, Dir: ".", Manifest: "../go.mod", Module: "example.com/top", Packages: []string{".", "inner"}, GoWork: "../go.work", InWorkspace: true}}
	if diff := diff(want, briefs(inv)); diff != "" {
		t.Errorf("sub: projects (-want +got):\n%s", diff)
	}
	if len(inv.Problems) != 1 || !strings.Contains(inv.Problems[0], "./gone") {
		t.Errorf("problems = %q, want one about ./gone", inv.Problems)
	}
	inv, err = project.Discover(filepath.Join(top, "testdata", "case"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := briefs(inv); len(got) != 1 || !inv.Projects[0].Orphan() {
		t.Errorf("testdata/case: %+v, want Go packages outside any module", got)
	}
}

// The test repository: two Go modules (the workspace's and a nested one
// outside it), a Python project, an npm package and a Maven project.
func TestDiscoverPolyglot(t *testing.T) {
	inv, err := project.Discover("../scanners/runner/testdata/polyglot", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range inv.Projects {
		s := string(p.Kind) + " " + p.Dir
		if p.Kind == project.Go {
			s += " " + p.Module + " " + strings.Join(p.Packages, ",")
			if p.InWorkspace {
				s += " (in " + p.GoWork + ")"
			}
		}
		got = append(got, s)
	}
	want := []string{
		"go services/api example.com/api services/api,services/api/internal/store (in go.work)",
		"go services/api/plugins/audit example.com/audit services/api/plugins/audit,services/api/plugins/audit/internal/report",
		"npm web",
		"python python",
		"maven legacy",
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestGitignorePatterns(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		".gitignore":           "# comment\n**/gen/**\ndocs/*.md\n!docs/keep.md\n\\#hash\nsp\\ ace \n",
		"a/gen/x.go":           "",
		"gen/y.go":             "",
		"docs/a.md":            "",
		"docs/keep.md":         "",
		"docs/deep/b.md":       "",
		"#hash":                "",
		"sp ace":               "",
		"sub/.gitignore":       "*.tmp\n/only-here\n",
		"sub/x.tmp":            "",
		"sub/only-here":        "",
		"sub/deeper/only-here": "",
		"x.tmp":                "",
	})
	inv, err := project.Discover(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", "docs/deep/b.md", "docs/keep.md", "sub/.gitignore", "sub/deeper/only-here", "x.tmp"}
	if diff := diff(want, inv.Files); diff != "" {
		t.Errorf("files kept (-want +got):\n%s", diff)
	}
	inv, err = project.Discover(root, &project.Options{NoGitignore: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Files) != 13 {
		t.Errorf("NoGitignore kept %d files, want 13: %v", len(inv.Files), inv.Files)
	}
}

// diff lists the elements of two slices that differ, "" when none do.
func diff[T any](want, got []T) string {
	var b strings.Builder
	for i := 0; i < max(len(want), len(got)); i++ {
		var w, g any = "(none)", "(none)"
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if !reflect.DeepEqual(w, g) {
			fmt.Fprintf(&b, "  [%d]\n  - %+v\n  + %+v\n", i, w, g)
		}
	}
	return b.String()
}
