package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/sarif"
)

// Every SARIF that merge writes from the real tools' recordings, one input
// at a time and all at once, passes sarif.Validate and the SARIF Multitool
// with GitHub's rules (one run of the validator). The full profile, which
// keeps file-less findings (packages of a BOM, a tool's notes about
// itself) that GitHub rejects by design, is checked by sarif.Validate.
func TestRecordingsWriteValidSARIF(t *testing.T) {
	f, err := os.Open(filepath.Join(realOut, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		name, _, _ := strings.Cut(sc.Text(), "\t")
		if p := filepath.Join(realOut, name); readableReport(p) {
			inputs = append(inputs, p)
		}
	}
	f.Close()
	if len(inputs) < 40 {
		t.Fatalf("only %d readable recordings", len(inputs))
	}
	root, err := filepath.Abs("../../testdata/real/tree")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var outs []string
	merge := func(name, profile string, in ...string) {
		out := filepath.Join(dir, name+"-"+profile+".sarif")
		var stdout, stderr bytes.Buffer
		args := append([]string{"merge", "-q", "-o", out, "--root", root, "--output-profile", profile}, in...)
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("merge %s: exit %d: %s", name, code, stderr.String())
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		problems, err := sarif.Validate(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			// GitHub's rules (GH...) are for the uploadable profile.
			if p.Level == "error" && (profile == "github" || !strings.HasPrefix(p.Rule, "GH")) {
				t.Errorf("%s: sarif.Validate: %s: %s %s", name, p.Path, p.Rule, p.Message)
			}
		}
		if profile == "github" {
			outs = append(outs, out)
		}
	}
	for _, in := range inputs {
		merge(strings.TrimSuffix(filepath.Base(in), filepath.Ext(in)), "github", in)
	}
	merge("all", "github", inputs...)
	merge("all", "full", inputs...)

	tool := filepath.Join("..", "..", "..", "shared", "tools", "sarif-validate")
	if _, err := os.Stat(tool); err != nil {
		t.Skipf("../shared is missing: the SARIF Multitool check of %d logs runs in CI", len(outs))
	}
	out, err := exec.Command(tool, outs...).CombinedOutput()
	if err != nil {
		t.Errorf("sarif-validate on %d logs: %v\n%s", len(outs), err, out)
	} else {
		t.Logf("sarif-validate: %d logs, 0 errors", len(outs))
	}
}
