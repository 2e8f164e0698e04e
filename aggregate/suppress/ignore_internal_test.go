package suppress

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
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
