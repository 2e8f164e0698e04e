package main

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A fresh scan of examples/vulnerable-app through the CLI writes every
// report format of issue 20 in one run, and they agree with each other
// and with the gate: as many findings in the CSV, the JUnit cases and the
// HTML rows, as many unsuppressed in the Markdown heading, the failures of
// JUnit are the gate's count, and no output shows the tree's fake token.
func TestReportFormatsAgree(t *testing.T) {
	app, err := filepath.Abs(filepath.Join("..", "..", "examples", "vulnerable-app"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	p := func(name string) string { return filepath.Join(out, name) }
	var so, se bytes.Buffer
	code := run([]string{"scan", "-q", "--disable", "govulncheck,osv-scanner,grype,trivy", "--fail-on", "high",
		"-o", "csv=" + p("r.csv"), "-o", "junit=" + p("r.xml"), "-o", "html=" + p("r.html"), "-o", "markdown=" + p("r.md"),
		"-o", "rdjsonl=" + p("r.jsonl"), "-o", "github-annotations=" + p("r.txt"), app}, &so, &se)
	if code != exitGateFailed {
		t.Fatalf("exit %d, want 1 (the app has high findings)\n%s", code, se.String())
	}
	read := func(name string) string {
		data, err := os.ReadFile(p(name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	rows, err := csv.NewReader(strings.NewReader(read("r.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	all, open, gated, fileless := len(rows)-1, 0, 0, 0
	for _, r := range rows[1:] {
		if r[1] != "suppressed" {
			open++
			if r[9] == "" {
				fileless++
			}
		}
		if r[2] == "true" {
			gated++
		}
	}
	m := regexp.MustCompile(`gate: (\d+) findings at or above high`).FindStringSubmatch(se.String())
	if m == nil {
		t.Fatalf("no gate line:\n%s", se.String())
	}
	if n, _ := strconv.Atoi(m[1]); n != gated || gated == 0 {
		t.Errorf("gate counts %s, the CSV marks %d gated", m[1], gated)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal([]byte(read("r.xml")), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != all || doc.Failures != gated {
		t.Errorf("JUnit: %d tests, %d failures; CSV: %d findings, %d gated", doc.Tests, doc.Failures, all, gated)
	}
	if n := strings.Count(read("r.html"), `<tbody class="finding `); n != all {
		t.Errorf("HTML: %d rows, CSV %d", n, all)
	}
	if !strings.HasPrefix(read("r.md"), fmt.Sprintf("## scanmux: %d findings — gate failed", open)) {
		t.Errorf("Markdown heading %q, want %d findings", strings.SplitN(read("r.md"), "\n", 2)[0], open)
	}
	if n := strings.Count(read("r.jsonl"), "\n"); n != open-fileless {
		t.Errorf("rdjsonl: %d diagnostics, want %d", n, open-fileless)
	}
	if !strings.Contains(read("r.txt"), "::notice title=scanmux%3A findings left out of annotations::") {
		t.Error("annotations: no notice of those left out")
	}
	src, err := os.ReadFile(filepath.Join(app, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	token := regexp.MustCompile(`ghp_[A-Za-z0-9]{20,}`).Find(src)
	for _, name := range []string{"r.csv", "r.xml", "r.html", "r.md", "r.jsonl", "r.txt"} {
		if token == nil || strings.Contains(read(name), string(token)) {
			t.Errorf("%s shows the fake token of main.go", name)
		}
	}
}
