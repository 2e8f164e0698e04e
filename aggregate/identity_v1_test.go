package aggregate_test

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

var idUpdateV1 = flag.Bool("identity.update-v1", false, "rewrite testdata/identity/v1/golden.txt (only ever from a scanmux whose Identify wrote scanmux/v1)")

// idV1Golden is where the scanmux/v1 identities of idV1Cases are kept, as
// the last scanmux that wrote them computed them.
const idV1Golden = "testdata/identity/v1/golden.txt"

// idV1Case is one call of the identity function: findings under a root.
type idV1Case struct {
	name     string
	root     string
	findings []*finding.Finding
}

// idV1Cases are calls that cover every kind of scanmux/v1 key: source
// lines (moved, edited, CRLF, two on one line, the same statement several
// times, in and out of functions), secrets, IaC resources, packages, web
// findings, and findings whose file is missing (snippet, line hash,
// message, an imported identity kept, two imported identities that clash).
func idV1Cases() []idV1Case {
	sast := func(rule, path string, line, col int) *finding.Finding { return idSAST(rule, path, line, col) }
	var cases []idV1Case
	for _, dir := range []string{"duplicates", "edited", "moved"} {
		for _, v := range []string{"v1", "v2"} {
			root := filepath.Join("testdata", "identity", "v1", "src", dir, v)
			c := idV1Case{name: dir + "/" + v, root: root}
			entries, _ := os.ReadDir(root)
			for _, e := range entries {
				data, err := os.ReadFile(filepath.Join(root, e.Name()))
				if err != nil {
					continue
				}
				n := strings.Count(string(data), "\n") + 1
				for line := 1; line <= n; line++ {
					for _, col := range []int{1, 2, 9} {
						c.findings = append(c.findings, sast("G104", e.Name(), line, col))
					}
					if line%3 == 0 {
						c.findings = append(c.findings, sast("G115", e.Name(), line, 2))
					}
				}
				c.findings = append(c.findings, sast("G104", e.Name(), n+5, 1)) // past the end
			}
			cases = append(cases, c)
		}
	}

	secret := func(path string, line int, sha string) *finding.Finding {
		f := sast("generic-api-key", path, line, 1)
		f.Tool.Name, f.Category = "gitleaks", finding.CategorySecret
		f.Fingerprints = map[string]string{"secret/sha256": sha}
		return f
	}
	iac := func(line int, resource string) *finding.Finding {
		f := sast("CKV_AWS_20", "main.tf", line, 1)
		f.Tool.Name, f.Category = "checkov", finding.CategoryIaC
		f.Location.Resource = resource
		return f
	}
	dep := func(path, name, version, image string) *finding.Finding {
		return &finding.Finding{
			Tool: finding.Tool{Name: "trivy"}, Rule: finding.Rule{ID: "CVE-2023-1234"}, Message: "vulnerable",
			Category: finding.CategoryDependency, Severity: finding.SeverityHigh,
			Location: finding.Location{Path: path, Package: &finding.Package{Name: name, Version: version, Ecosystem: "Go", Image: image}},
		}
	}
	web := func(method, url, param string) *finding.Finding {
		return &finding.Finding{
			Tool: finding.Tool{Name: "zap"}, Rule: finding.Rule{ID: "40012"}, Message: "XSS",
			Category: finding.CategoryDAST, Severity: finding.SeverityHigh,
			Location: finding.Location{Web: &finding.Web{URL: url, Method: method, Parameter: param}},
		}
	}
	missing := func(line int, snippet, lineHash, msg, id string) *finding.Finding {
		f := sast("G101", "gone.go", line, 1)
		f.Location.Snippet, f.Message, f.ID = snippet, msg, id
		if lineHash != "" {
			f.Fingerprints = map[string]string{finding.FingerprintLineHash: lineHash}
		}
		return f
	}
	const kept = "v1:0123456789abcdef0123456789abcdef"
	cases = append(cases, idV1Case{name: "kinds", root: filepath.Join("testdata", "identity", "v1", "src", "moved", "v1"), findings: []*finding.Finding{
		secret("a.env", 3, "ab12"), secret("a.env", 30, "ab12"), secret("a.env", 3, "cd34"), secret("b.env", 3, "ab12"),
		iac(10, "aws_s3_bucket.logs"), iac(42, "aws_s3_bucket.logs"), iac(10, "aws_s3_bucket.data"),
		dep("go.mod", "golang.org/x/net", "v0.1.0", ""), dep("go.mod", "golang.org/x/net", "v0.2.0", ""),
		dep("", "openssl", "3.0.1", "docker.io/library/alpine:3.18"), dep("", "openssl", "3.0.1", "docker.io/library/alpine:3.19@sha256:0123"),
		web("GET", "https://staging.example.com/search?q=1&lang=en", "q"), web("get", "https://www.example.com/search?lang=fr&q=2", "q"),
		web("POST", "https://example.com/search", "q"), web("", "https://example.com/find", ""), web("", "%zz", ""),
		missing(3, "key := \"x\"", "", "m1", ""), missing(9, "key  :=  \"x\"", "", "m2", ""),
		missing(3, "", "1a2b:1", "m1", ""), missing(9, "", "1a2b:2", "m2", ""),
		missing(3, "", "", "hard-coded key", ""), missing(9, "", "", "hard-coded key", ""), missing(4, "", "", "hard-coded token", ""),
		missing(5, "", "", "imported", kept), missing(6, "", "", "imported", kept), missing(7, "", "", "imported", "v1:not-hex"),
		sast("G104", "main.go", 14, 2), sast("G104", "main.go", 14, 2),
	}})
	cases = append(cases, idV1Case{name: "no root", findings: []*finding.Finding{
		sast("G104", "main.go", 14, 2), sast("G104", "main.go", 14, 2), sast("G104", "main.go", 15, 2), nil,
	}})
	return cases
}

// TestIdentitiesV1Golden checks that the scanmux/v1 identities computed
// for baselines written by older versions are those those versions wrote.
func TestIdentitiesV1Golden(t *testing.T) {
	var got []string
	for _, c := range idV1Cases() {
		ids := idV1IDs(t, c.findings, c.root)
		for i, id := range ids {
			if c.findings[i] == nil {
				continue
			}
			got = append(got, fmt.Sprintf("%s\t%d\t%s", c.name, i, id))
		}
	}
	if *idUpdateV1 {
		if err := os.WriteFile(idV1Golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	fh, err := os.Open(idV1Golden)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var want []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		want = append(want, sc.Text())
	}
	if len(want) != len(got) {
		t.Fatalf("%d identities, want %d", len(got), len(want))
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("got %s, want %s", got[i], want[i])
		}
	}
}

// idV1IDs returns the scanmux/v1 identities of fs under root, "" for nil.
func idV1IDs(t *testing.T, fs []*finding.Finding, root string) []string {
	t.Helper()
	ids, err := aggregate.IdentitiesV1(fs, root)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
