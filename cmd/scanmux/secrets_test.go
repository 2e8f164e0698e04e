package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/registry"
)

// realOut holds the real tools' recordings on testdata/real/tree.
const realOut = "../../testdata/real/out"

// secretKeys are the members in which tools write a secret's value.
var secretKeys = []string{"secret", "offender", "raw", "rawv2"}

// secretValues returns every value the report at path gives under one of
// secretKeys, at any depth of its JSON (or of a SARIF's properties), that
// is long enough to be a credential and is not already masked.
func secretValues(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && slices.Contains(secretKeys, strings.ToLower(k)) &&
					len(s) >= 8 && !strings.Contains(s, "REDACTED") && !strings.Contains(s, "***") &&
					// gitleaks 7 gives a private key's armour line as its
					// offender: a header, not the key.
					!strings.HasPrefix(s, "-----BEGIN") {
					out = append(out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return out
}

// readableReport reports whether scanmux reads path as a findings report.
func readableReport(path string) bool {
	_, err := registry.Import(path, "", "", func(*finding.Finding) error { return nil })
	return err == nil
}

// No secret value of any recorded output or corpus file appears in any
// output: the SARIF of both profiles, the JSON and table reports, the
// summary and the --explain lines.
func TestNoSecretInAnyOutput(t *testing.T) {
	var inputs, secrets []string
	f, err := os.Open(filepath.Join(realOut, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		name, _, _ := strings.Cut(sc.Text(), "\t")
		inputs = append(inputs, filepath.Join(realOut, name))
	}
	f.Close()
	shared := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(shared); err == nil {
		for _, dir := range []string{"gitleaks", "gosec", "trivy", "credscan", "bandit", "semgrep", "checkov"} {
			files, _ := filepath.Glob(filepath.Join(shared, dir, "*"))
			inputs = append(inputs, files...)
		}
	} else {
		t.Logf("the shared corpus (%s) is missing: the recordings only", shared)
	}
	var readable []string
	for _, in := range inputs {
		secrets = append(secrets, secretValues(t, in)...)
		if readableReport(in) {
			readable = append(readable, in)
		}
	}
	slices.Sort(secrets)
	secrets = slices.Compact(secrets)
	if len(secrets) < 10 {
		t.Fatalf("only %d secret values found in the inputs: the test no longer sees them", len(secrets))
	}
	t.Logf("%d inputs (%d read as findings), %d distinct secret values", len(inputs), len(readable), len(secrets))

	root, err := filepath.Abs("../../testdata/real/tree")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var outputs [][]byte
	for _, c := range []struct{ profile, report string }{{"github", "json"}, {"full", "table"}, {"full", "sarif"}} {
		out := filepath.Join(dir, c.profile+"-"+c.report+".sarif")
		args := append([]string{"merge", "-o", out, "--root", root, "--output-profile", c.profile, "-o", c.report + "=-", "--explain"}, readable...)
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("merge %s/%s: exit %d: %s", c.profile, c.report, code, stderr.String())
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, data, stdout.Bytes(), stderr.Bytes())
	}
	for _, s := range secrets {
		for i, o := range outputs {
			if bytes.Contains(o, []byte(s)) {
				t.Errorf("output %d holds the secret value %q...", i, s[:4])
			}
		}
	}
}
