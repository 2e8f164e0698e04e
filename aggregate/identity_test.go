package aggregate_test

import (
	"bufio"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// idOf returns f's scanmux/v2 identity.
func idOf(f *finding.Finding) string { return f.ID }

var idFormat = regexp.MustCompile(`^v2:[0-9a-f]{32}$`)

// idIdentify runs Identify and checks the result's shape and uniqueness.
func idIdentify(t *testing.T, fs []*finding.Finding, root string) []string {
	t.Helper()
	if err := aggregate.Identify(fs, root); err != nil {
		t.Fatalf("Identify: %v", err)
	}
	ids := make([]string, len(fs))
	seen := map[string]int{}
	for i, f := range fs {
		ids[i] = idOf(f)
		if !idFormat.MatchString(ids[i]) {
			t.Errorf("finding %d: identity %q, want v2:<32 hex>", i, ids[i])
		}
		if j, dup := seen[ids[i]]; dup {
			t.Errorf("findings %d and %d share identity %s", j, i, ids[i])
		}
		seen[ids[i]] = i
	}
	return ids
}

// idSAST returns a gosec-like finding at path:line:col.
func idSAST(rule, path string, line, col int) *finding.Finding {
	return &finding.Finding{
		Tool:     finding.Tool{Name: "gosec"},
		Rule:     finding.Rule{ID: rule},
		Message:  rule + " message",
		Category: finding.CategorySAST,
		Severity: finding.SeverityMedium,
		Location: finding.Location{Path: path, Region: finding.Region{StartLine: line, StartColumn: col}},
	}
}

// idCaseRow is one line of a testdata/identity/*/findings.txt: a rule and
// the finding's place in v1 and v2 (nil when it is not there).
type idCaseRow struct {
	rule   string
	v1, v2 *finding.Finding
}

func idParsePos(t *testing.T, rule, s string) *finding.Finding {
	if s == "-" {
		return nil
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		t.Fatalf("bad position %q", s)
	}
	line, err1 := strconv.Atoi(parts[1])
	col, err2 := strconv.Atoi(parts[2])
	if err := errors.Join(err1, err2); err != nil {
		t.Fatalf("bad position %q: %v", s, err)
	}
	return idSAST(rule, parts[0], line, col)
}

// TestIdentifyCases runs the cases of testdata/identity: each has the
// source files of two versions and findings.txt, one row per finding:
// a row with both positions must keep its identity, a row with one only
// must get an identity that the other version does not have, and no two
// findings of one version may share one.
func TestIdentifyCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/identity/*/findings.txt")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, spec := range dirs {
		dir := filepath.Dir(spec)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			file, err := os.Open(spec)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Close()
			var rows []idCaseRow
			sc := bufio.NewScanner(file)
			for sc.Scan() {
				l := strings.TrimSpace(sc.Text())
				if l == "" || strings.HasPrefix(l, "#") {
					continue
				}
				f := strings.Fields(l)
				if len(f) != 3 {
					t.Fatalf("%s: bad row %q", spec, l)
				}
				rows = append(rows, idCaseRow{f[0], idParsePos(t, f[0], f[1]), idParsePos(t, f[0], f[2])})
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			var fs1, fs2 []*finding.Finding
			for _, r := range rows {
				if r.v1 != nil {
					fs1 = append(fs1, r.v1)
				}
				if r.v2 != nil {
					fs2 = append(fs2, r.v2)
				}
			}
			ids1 := map[string]bool{}
			for _, id := range idIdentify(t, fs1, filepath.Join(dir, "v1")) {
				ids1[id] = true
			}
			ids2 := map[string]bool{}
			for _, id := range idIdentify(t, fs2, filepath.Join(dir, "v2")) {
				ids2[id] = true
			}
			for _, r := range rows {
				switch {
				case r.v1 != nil && r.v2 != nil:
					if idOf(r.v1) != idOf(r.v2) {
						t.Errorf("%s %v -> %v: identity changed from %s to %s", r.rule, r.v1.Location.Region, r.v2.Location.Region, idOf(r.v1), idOf(r.v2))
					}
				case r.v1 == nil:
					if ids1[idOf(r.v2)] {
						t.Errorf("new %s at %v got an identity of v1 (%s)", r.rule, r.v2.Location.Region, idOf(r.v2))
					}
				default:
					if ids2[idOf(r.v1)] {
						t.Errorf("gone %s at %v left its identity to a v2 finding (%s)", r.rule, r.v1.Location.Region, idOf(r.v1))
					}
				}
			}
		})
	}
}

// TestIdentifyKinds checks the keys of findings that are not located by a
// line of source: what keeps an identity and what changes it.
func TestIdentifyKinds(t *testing.T) {
	secret := func(path string, line int, sha string) *finding.Finding {
		f := idSAST("generic-api-key", path, line, 1)
		f.Tool.Name, f.Category = "gitleaks", finding.CategorySecret
		f.Fingerprints = map[string]string{"secret/sha256": sha}
		return f
	}
	iac := func(line int, resource string) *finding.Finding {
		f := idSAST("CKV_AWS_20", "main.tf", line, 1)
		f.Tool.Name, f.Category = "checkov", finding.CategoryIaC
		f.Location.Resource = resource
		return f
	}
	dep := func(name, version, image string) *finding.Finding {
		return &finding.Finding{
			Tool: finding.Tool{Name: "trivy"}, Rule: finding.Rule{ID: "CVE-2023-1234"}, Message: "vulnerable",
			Category: finding.CategoryDependency, Severity: finding.SeverityHigh,
			Location: finding.Location{Package: &finding.Package{Name: name, Version: version, Ecosystem: "Go", Image: image}},
		}
	}
	web := func(method, url, param string) *finding.Finding {
		return &finding.Finding{
			Tool: finding.Tool{Name: "zap"}, Rule: finding.Rule{ID: "40012"}, Message: "XSS",
			Category: finding.CategoryDAST, Severity: finding.SeverityHigh,
			Location: finding.Location{Web: &finding.Web{URL: url, Method: method, Parameter: param}},
		}
	}
	missing := func(line int, snippet, lineHash, msg string) *finding.Finding {
		f := idSAST("G101", "gone.go", line, 1)
		f.Location.Snippet, f.Message = snippet, msg
		if lineHash != "" {
			f.Fingerprints = map[string]string{finding.FingerprintLineHash: lineHash}
		}
		return f
	}
	for _, tc := range []struct {
		name   string
		a, b   *finding.Finding
		same   bool
		reason string
	}{
		{"secret moved", secret("a.env", 3, "ab12"), secret("a.env", 30, "ab12"), true, "a secret is its hash, wherever it is"},
		{"other secret", secret("a.env", 3, "ab12"), secret("a.env", 3, "cd34"), false, "another secret value"},
		{"secret other file", secret("a.env", 3, "ab12"), secret("b.env", 3, "ab12"), false, "the path is part of the key"},
		{"resource moved", iac(10, "aws_s3_bucket.logs"), iac(42, "aws_s3_bucket.logs"), true, "IaC findings follow their resource"},
		{"other resource", iac(10, "aws_s3_bucket.logs"), iac(10, "aws_s3_bucket.data"), false, "another resource"},
		{"package upgraded", dep("golang.org/x/net", "v0.1.0", ""), dep("golang.org/x/net", "v0.2.0", ""), true, "an upgrade that does not fix it"},
		{"other package", dep("golang.org/x/net", "v0.1.0", ""), dep("golang.org/x/text", "v0.1.0", ""), false, "another package"},
		{"image retagged", dep("openssl", "3.0.1", "docker.io/library/alpine:3.18"), dep("openssl", "3.0.1", "docker.io/library/alpine:3.19@sha256:0123"), true, "tag and digest are not part of the key"},
		{"other image", dep("openssl", "3.0.1", "alpine:3.18"), dep("openssl", "3.0.1", "debian:12"), false, "another image"},
		{"web other host and query values", web("GET", "https://staging.example.com/search?q=1&lang=en", "q"), web("get", "https://www.example.com/search?lang=fr&q=2", "q"), true, "host and query values are not part of the key"},
		{"web other parameter", web("GET", "https://example.com/search?q=1", "q"), web("GET", "https://example.com/search?q=1", "lang"), false, "another parameter"},
		{"web other method", web("GET", "https://example.com/search", "q"), web("POST", "https://example.com/search", "q"), false, "another method"},
		{"web other path", web("GET", "https://example.com/search", "q"), web("GET", "https://example.com/find", "q"), false, "another path"},
		{"missing file, snippet", missing(3, "key := \"x\"", "", "m1"), missing(9, "key  :=  \"x\"", "", "m2"), true, "the snippet, white space aside"},
		{"missing file, line hash", missing(3, "", "1a2b:1", "m1"), missing(9, "", "1a2b:2", "m2"), true, "the line hash without its count"},
		{"missing file, message", missing(3, "", "", "hard-coded key"), missing(9, "", "", "hard-coded key"), true, "the message"},
		{"missing file, other message", missing(3, "", "", "hard-coded key"), missing(3, "", "", "hard-coded token"), false, "another message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := idIdentify(t, []*finding.Finding{tc.a}, t.TempDir())[0]
			b := idIdentify(t, []*finding.Finding{tc.b}, t.TempDir())[0]
			if (a == b) != tc.same {
				t.Errorf("same identity = %v, want %v (%s)", a == b, tc.same, tc.reason)
			}
		})
	}
}

// TestIdentifyKeepsImported checks that a finding whose file is not at
// hand keeps the identity it came with, while one whose file is there gets
// it recomputed.
func TestIdentifyKeepsImported(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "here.go"), []byte("package p\n\nvar x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const old = "v2:0123456789abcdef0123456789abcdef"
	gone := idSAST("G101", "gone.go", 3, 1)
	gone.ID = old
	here := idSAST("G101", "here.go", 3, 1)
	here.ID = old
	fresh := idSAST("G101", "here.go", 3, 1)
	idIdentify(t, []*finding.Finding{gone, here}, root)
	if idOf(gone) != old {
		t.Errorf("finding without its file: identity %s, want the imported %s", idOf(gone), old)
	}
	idIdentify(t, []*finding.Finding{fresh}, root)
	if idOf(here) != idOf(fresh) {
		t.Errorf("finding with its file: identity %s, want the computed %s", idOf(here), idOf(fresh))
	}

	// An identity of scanmux/v1 (a log of an older scanmux) is not kept:
	// every identity Identify writes is a v2 one.
	older, plain := gone.Clone(), gone.Clone()
	older.ID, plain.ID = "v1:0123456789abcdef0123456789abcdef", ""
	if got, want := idIdentify(t, []*finding.Finding{older}, root)[0], idIdentify(t, []*finding.Finding{plain}, root)[0]; got != want {
		t.Errorf("finding without its file and a v1 identity: identity %s, want the computed %s", got, want)
	}

	// Two imported findings with the same identity (two merged logs)
	// still end up with two.
	a, b := gone.Clone(), gone.Clone()
	b.Location.Region.StartLine = 9
	ids := idIdentify(t, []*finding.Finding{b, a}, root)
	if idOf(a) != old || ids[0] == old {
		t.Errorf("identities %v: want the first in file order (line 3) to keep %s", ids, old)
	}
}

// TestIdentifyDeterministic checks that the identities do not depend on
// the order of the findings, and that identical findings get distinct
// identities in file order.
func TestIdentifyDeterministic(t *testing.T) {
	root := "testdata/identity/duplicates/v2"
	var fs []*finding.Finding
	for _, line := range []int{6, 11, 15, 16, 17, 21, 22} {
		fs = append(fs, idSAST("G104", "files.go", line, 2))
	}
	for range 3 { // the same finding three times, no file
		fs = append(fs, idSAST("G101", "gone.go", 0, 0))
	}
	want := idIdentify(t, fs, root)
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		perm := r.Perm(len(fs))
		shuffled := make([]*finding.Finding, len(fs))
		for i, p := range perm {
			shuffled[i] = fs[p].Clone()
			shuffled[i].ID = ""
		}
		got := idIdentify(t, shuffled, root)
		var same, wantSame []string // the identical findings' identities, in any order
		for i, p := range perm {
			if p >= 7 {
				same, wantSame = append(same, got[i]), append(wantSame, want[p])
				continue
			}
			if got[i] != want[p] {
				t.Fatalf("order %v: finding %d got %s, want %s", perm, p, got[i], want[p])
			}
		}
		slices.Sort(same)
		slices.Sort(wantSame)
		if !slices.Equal(same, wantSame) {
			t.Fatalf("order %v: identical findings got %v, want %v", perm, same, wantSame)
		}
	}
}

// TestIdentifyRoot checks the scan root: a missing one is an error, an
// empty one reads no file, and paths cannot leave it.
func TestIdentifyRoot(t *testing.T) {
	err := aggregate.Identify([]*finding.Finding{idSAST("G104", "a.go", 1, 1)}, filepath.Join(t.TempDir(), "nope"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing root: error %v, want one wrapping fs.ErrNotExist", err)
	}

	// With root "", the file is not read: the key is the message.
	dir := "testdata/identity/moved"
	f := idSAST("G104", "v1/main.go", 14, 2)
	noRoot := idIdentify(t, []*finding.Finding{f.Clone()}, "")[0]
	other := f.Clone()
	other.Location.Region.StartLine = 99
	if idIdentify(t, []*finding.Finding{other}, "")[0] != noRoot {
		t.Errorf("root \"\": the line was read")
	}
	if idIdentify(t, []*finding.Finding{f.Clone()}, dir)[0] == noRoot {
		t.Errorf("root %s: the line was not read", dir)
	}

	// A symbolic link out of the root is not followed.
	root := t.TempDir()
	target, err := filepath.Abs(filepath.Join(dir, "v1", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(root, "link.go")); err != nil {
		t.Skip("no symbolic links:", err)
	}
	out := idSAST("G104", "link.go", 14, 2)
	if idIdentify(t, []*finding.Finding{out}, root)[0] != idIdentify(t, []*finding.Finding{idSAST("G104", "link.go", 14, 2)}, "")[0] {
		t.Errorf("a link out of the root was read")
	}
}

// TestIdentifyNil checks that nil findings and empty input are fine.
func TestIdentifyNil(t *testing.T) {
	if err := aggregate.Identify(nil, ""); err != nil {
		t.Fatal(err)
	}
	f := idSAST("G104", "a.go", 1, 1)
	if err := aggregate.Identify([]*finding.Finding{nil, f, nil}, ""); err != nil {
		t.Fatal(err)
	}
	if !idFormat.MatchString(idOf(f)) {
		t.Errorf("identity %q", idOf(f))
	}
}
