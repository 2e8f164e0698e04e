package suppress

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/scanmux/scanmux/finding"
)

// TestGlobHint checks that a glob's hint never rules out a path that the
// glob matches, on random globs and paths, and that it does rule out
// paths in common cases.
func TestGlobHint(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	patParts := []string{"a", "b", "/", "/", "*", "**", "**/", "/**", "?", "[ab]", "[!a]", "{a,b}", "{a/b,}", `\*`, `\a`, ",", "]", "}", "ab"}
	pathParts := []string{"a", "b", "/", "ab", "*", ",", "]", "}", "c"}
	var checked, ruledOut int
	for range 200000 {
		var pb, sb strings.Builder
		for range 1 + r.IntN(5) {
			pb.WriteString(patParts[r.IntN(len(patParts))])
		}
		for range r.IntN(7) {
			sb.WriteString(pathParts[r.IntN(len(pathParts))])
		}
		pat, p := pb.String(), sb.String()
		if !doublestar.ValidatePattern(pat) {
			continue
		}
		checked++
		h := newGlobHint(pat)
		ok, err := doublestar.Match(pat, p)
		if err != nil {
			t.Fatalf("Match(%q, %q): %v", pat, p, err)
		}
		may := h.mayMatch(p)
		if ok && !may {
			t.Fatalf("hint %+v of %q rules out %q, which the glob matches", h, pat, p)
		}
		if !may {
			ruledOut++
		}
	}
	if checked < 100000 || ruledOut < checked/4 {
		t.Errorf("%d globs checked, %d paths ruled out by hints: too few", checked, ruledOut)
	}
	for _, tc := range []struct {
		pattern, path string
		may           bool
	}{
		{"src/api/**", "src/api", true},
		{"src/api/**", "src/db/x.go", false},
		{"**/testdata/3/**", "a/testdata/3/x", true},
		{"**/testdata/3/**", "a/testdata/4/x", false},
		{"src/web/*_1903.go", "src/web/io_1903.go", true},
		{"src/web/*_1903.go", "src/web/io_1904.go", false},
	} {
		h := newGlobHint(tc.pattern)
		if got := h.mayMatch(tc.path); got != tc.may {
			t.Errorf("hint of %q: mayMatch(%q) = %v, want %v", tc.pattern, tc.path, got, tc.may)
		}
	}
}

// TestIgnoreCandidates checks that Apply, which checks only the entries
// its index gives, picks the entry a scan of every entry in order picks:
// the first that matches and has not expired.
func TestIgnoreCandidates(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	rules := []string{"G101", "G104", "gosec/G304", "semgrep/G304", "CKV_AWS_20"}
	paths := []string{"a.go", "internal/x/a.go", "vendor/m/b.go", "c_test.go"}
	fps := []string{"v1:aa", "v1:bb", "lh1", "lh2"}
	vulns := []string{"CVE-2024-1", "GHSA-xxxx-yyyy-zzzz"}
	var y strings.Builder
	y.WriteString("ignore:\n")
	for i := range 12 {
		fmt.Fprintf(&y, "  - reason: r%d\n", i)
		n := 0
		if r.IntN(2) == 0 {
			fmt.Fprintf(&y, "    rule: %s\n", rules[r.IntN(len(rules))])
			n++
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&y, "    fingerprint: %q\n", fps[r.IntN(len(fps))])
			n++
		}
		if r.IntN(4) == 0 {
			fmt.Fprintf(&y, "    vuln: %s\n", strings.ToLower(vulns[r.IntN(len(vulns))]))
			n++
		}
		if r.IntN(3) == 0 || n == 0 {
			fmt.Fprintf(&y, "    path: %q\n", []string{"x/*.go", "internal/**", "vendor/**", "*_test.go"}[r.IntN(4)])
		}
		if r.IntN(5) == 0 {
			y.WriteString("    expires: 2020-01-01\n")
		}
	}
	ig, err := ParseIgnore("i.yaml", []byte(y.String()), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	suppressed := 0
	for range 5000 {
		rule := rules[r.IntN(len(rules))]
		tool := "gosec"
		if i := strings.IndexByte(rule, '/'); i >= 0 {
			tool, rule = rule[:i], rule[i+1:]
		}
		fd := &finding.Finding{
			Tool:     finding.Tool{Name: tool},
			Rule:     finding.Rule{ID: rule},
			Location: finding.Location{Path: paths[r.IntN(len(paths))]},
		}
		if r.IntN(2) == 0 {
			fd.ID = fps[r.IntN(2)]
		}
		if r.IntN(2) == 0 {
			fd.Fingerprints = map[string]string{"k": fps[r.IntN(len(fps))]}
		}
		if r.IntN(3) == 0 {
			fd.VulnIDs = []string{vulns[r.IntN(len(vulns))]}
		}
		want := ""
		for i := range ig.entries {
			if e := &ig.entries[i]; e.matches(fd) && !e.expired(ig.now) {
				want = e.source
				break
			}
		}
		v, err := ig.Apply(context.Background(), fd)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if v.Suppress != nil {
			got = v.Suppress.Source
			suppressed++
		}
		if got != want {
			t.Fatalf("%+v: suppressed by %q, want %q", fd, got, want)
		}
	}
	if suppressed < 500 || suppressed > 4500 {
		t.Errorf("%d of 5000 findings suppressed: the test covers too little", suppressed)
	}
}
