package registry_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/scanners/registry"
)

// Regression tests of "Real tool output, read right", each on real tool
// outputs recorded in testdata/real (see its README).

// localDir holds the recordings rec rewrites; TestMain removes it.
var localDir string

func TestMain(m *testing.M) {
	var err error
	if localDir, err = os.MkdirTemp("", "scanmux-recordings-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(localDir)
	os.Exit(code)
}

// recordedRoot is where testdata/real/tree was when record.sh made the
// recordings: the tools that write absolute paths wrote them under it.
const recordedRoot = "/work/main/testdata/real/tree"

// rec returns the path of a recording as if it had been made in this
// checkout: a copy with recordedRoot replaced by the tree's path here, as
// golden-file tests normalise machine paths. Where the two agree, the
// recording itself.
func rec(name string) string {
	p := filepath.Join(realDir, "out", name)
	root, err := filepath.Abs(filepath.Join(realDir, "tree"))
	if err != nil || root == recordedRoot {
		return p
	}
	data, err := os.ReadFile(p)
	if err != nil || !bytes.Contains(data, []byte(recordedRoot)) {
		return p
	}
	local := filepath.Join(localDir, filepath.Base(p))
	if os.WriteFile(local, bytes.ReplaceAll(data, []byte(recordedRoot), []byte(filepath.ToSlash(root))), 0o644) != nil {
		return p
	}
	return local
}

// treeRoot is the absolute path of the recordings' sample tree.
func treeRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join(realDir, "tree"))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// run merges sources through the engine with dedup on.
func run(t *testing.T, root string, srcs ...aggregate.Source) *aggregate.Report {
	t.Helper()
	rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Sources {
		if !s.OK() {
			t.Fatalf("%s: %s %s", s.Name, s.State, s.Err)
		}
	}
	return rep
}

// ESLint's SARIF driver is "ESLint", its JSON adapter's tool "eslint":
// one tool, one run, and the two reports of each issue merge.
func TestToolIdentityAcrossFormats(t *testing.T) {
	root := treeRoot(t)
	rep := run(t, root,
		&registry.Source{Path: rec("eslint/eslint-9.39.1-root-json.json"), Root: root},
		&registry.Source{Path: rec("eslint/eslint-9.39.1-root-sarif.sarif"), Root: root})
	if len(rep.Findings) != 5 || rep.Counts.Merged != 5 {
		t.Errorf("%d findings, %d merged; want the 5 issues each reported twice, merged", len(rep.Findings), rep.Counts.Merged)
	}
	runs := rep.Runs()
	if len(runs) != 1 || runs[0].Tool.Name != "eslint" || runs[0].Tool.FullName != "ESLint" {
		t.Errorf("runs: %+v; want one run of eslint (ESLint)", runs)
	}
}

// gosec, staticcheck and tfsec SARIF made in a sub-directory name files
// relative to it ("main.go"): they are found under the root by suffix.
// --path-prefix says it explicitly.
func TestPathsOfSubDirectoryRuns(t *testing.T) {
	root := treeRoot(t)
	for _, c := range []struct{ file, want string }{
		{"gosec/gosec-v2.30.0-sub-sarif.sarif", "samples/go/main.go"},
		{"staticcheck/staticcheck-v0.8.2-sub-sarif.sarif", "samples/go/main.go"},
		{"tfsec/tfsec-v1.26.0-sub-sarif.sarif", "iac/terraform/main.tf"},
	} {
		for _, prefix := range []string{"", filepath.Dir(c.want)} {
			rep := run(t, root, &registry.Source{Path: rec(c.file), Root: root, PathPrefix: prefix})
			if len(rep.Findings) == 0 {
				t.Fatalf("%s: no findings", c.file)
			}
			for _, f := range rep.Findings {
				if f.Location.Path != c.want {
					t.Errorf("%s (prefix %q): path %q, want %q", c.file, prefix, f.Location.Path, c.want)
					break
				}
			}
		}
	}
}

// gosec's JSON gives absolute paths. Merged under another root that holds
// the same tree, they are placed by their tail; under a root that does not,
// no finding and no line is lost, and no two findings merge for want of a
// path.
func TestAbsolutePathsOutsideTheRoot(t *testing.T) {
	const file = "gosec/gosec-v2.30.0-root-json.json"
	own := run(t, treeRoot(t), &registry.Source{Path: rec(file), Root: treeRoot(t)})

	other := t.TempDir() // another checkout of samples/go
	if err := os.MkdirAll(filepath.Join(other, "samples", "go"), 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(treeRoot(t), "samples", "go", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "samples", "go", "main.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	moved := run(t, other, &registry.Source{Path: rec(file), Root: other})
	if len(moved.Findings) != len(own.Findings) {
		t.Fatalf("under another checkout: %d findings, want %d", len(moved.Findings), len(own.Findings))
	}
	for i, f := range moved.Findings {
		if f.Location.Path != own.Findings[i].Location.Path || f.Location.Region != own.Findings[i].Location.Region {
			t.Errorf("finding %d at %s %+v, want %s %+v", i, f.Location.Path, f.Location.Region, own.Findings[i].Location.Path, own.Findings[i].Location.Region)
		}
	}

	empty := t.TempDir()
	lost := run(t, empty, &registry.Source{Path: rec(file), Root: empty})
	if len(lost.Findings) != lost.Counts.Received || len(lost.Findings) < len(own.Findings) {
		t.Errorf("outside the root: %d findings of %d reports, want every report kept (none merged for want of a path)", len(lost.Findings), lost.Counts.Received)
	}
	for _, f := range lost.Findings {
		if f.Properties[aggregate.PropUnresolvedPath] == "" || f.Properties[aggregate.PropUnresolvedRegion] == "" {
			t.Errorf("%s: the original path and lines are not kept: %v", f.Rule.ID, f.Properties)
			break
		}
	}
	if !containsWarning(lost.Warnings, "findings point outside the root (pass --root)") {
		t.Errorf("no warning names the findings outside the root: %q", lost.Warnings)
	}
}

func containsWarning(ws []string, s string) bool {
	for _, w := range ws {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// conftest and kube-score SARIF are IaC; gosec's G101 from SARIF is a
// secret, as from its JSON, and its value is gone.
func TestCategoriesFromToolKnowledge(t *testing.T) {
	root := treeRoot(t)
	for _, c := range []struct {
		file string
		rule string
		want finding.Category
	}{
		{"conftest/conftest-v0.71.1-root-sarif.sarif", "", finding.CategoryIaC},
		{"kube-score/kube-score-v1.20.0-root-sarif.sarif", "", finding.CategoryIaC},
		{"gosec/gosec-v2.30.0-root-sarif.sarif", "G101", finding.CategorySecret},
		{"gosec/gosec-v2.30.0-root-json.json", "G101", finding.CategorySecret},
	} {
		rep := run(t, root, &registry.Source{Path: rec(c.file), Root: root})
		n := 0
		for _, f := range rep.Findings {
			if c.rule != "" && f.Rule.ID != c.rule {
				continue
			}
			n++
			if f.Category != c.want {
				t.Errorf("%s: %s is %s, want %s", c.file, f.Rule.ID, f.Category, c.want)
			}
			if c.want == finding.CategorySecret && (f.Fingerprints["secret/sha256"] == "" || strings.Contains(f.Location.Snippet, "AKIA")) {
				t.Errorf("%s: %s at line %d: snippet %q, fingerprints %v", c.file, f.Rule.ID, f.Location.Region.StartLine, f.Location.Snippet, f.Fingerprints)
			}
		}
		if n == 0 {
			t.Errorf("%s: no findings of rule %q", c.file, c.rule)
		}
	}
}

// gitleaks' SARIF columns are its JSON's (one too many after a file's
// first line, end inclusive): both read the same regions; conftest's SARIF
// rule "main/deny" is its JSON's "data.main.deny".
func TestGitleaksColumnsAndConftestRules(t *testing.T) {
	root := treeRoot(t)
	regions := func(file string) map[string]finding.Region {
		rep := run(t, root, &registry.Source{Path: rec(file), Root: root})
		m := map[string]finding.Region{}
		for _, f := range rep.Findings {
			m[f.Location.Path+" "+f.Rule.ID+" "+string(rune('0'+f.Location.Region.StartLine))] = f.Location.Region
		}
		return m
	}
	j, s := regions("gitleaks/gitleaks-v8.30.1-root-json.json"), regions("gitleaks/gitleaks-v8.30.1-root-sarif.sarif")
	if len(j) == 0 || len(j) != len(s) {
		t.Fatalf("%d JSON findings, %d SARIF", len(j), len(s))
	}
	for k, r := range j {
		if s[k] != r {
			t.Errorf("%s: SARIF region %+v, JSON %+v", k, s[k], r)
		}
	}
	rep := run(t, root, &registry.Source{Path: rec("conftest/conftest-v0.71.1-root-sarif.sarif"), Root: root})
	for _, f := range rep.Findings {
		if f.Rule.ID != "data.main.deny" && f.Rule.ID != "data.main.warn" {
			t.Errorf("conftest SARIF rule %q, want data.main.deny or data.main.warn", f.Rule.ID)
		}
	}
}

// trivy writes originalUriBaseIds after the results: its base (the
// directory trivy scanned, here iac/terraform) still applies to every
// result, read straight from the log, without matching by suffix.
func TestOriginalURIBaseIDsLast(t *testing.T) {
	const file = "trivy/trivy-v0.74.0-sub-config-sarif.sarif"
	runs, err := sarif.ReadFile(filepath.Join(realDir, "out", file), &sarif.ReadOptions{Root: recordedRoot})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range runs {
		for _, f := range r.Findings {
			n++
			if f.Location.Path != "iac/terraform/main.tf" {
				t.Errorf("%s: path %q, want iac/terraform/main.tf", f.Rule.ID, f.Location.Path)
			}
		}
	}
	if n == 0 {
		t.Fatal("no findings")
	}
	root := treeRoot(t)
	rep := run(t, root, &registry.Source{Path: rec(file), Root: root})
	if containsWarning(rep.Warnings, "suffix") {
		t.Errorf("paths were matched by suffix, not resolved through the base: %q", rep.Warnings)
	}
}
