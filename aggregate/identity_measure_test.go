package aggregate_test

// TestIdentityRealReleases measures Identify on real code: gosec's
// findings on two consecutive releases of a few Go modules, with the true
// correspondence between the releases taken from a line diff.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// idReleasePair is one module measured at two consecutive releases.
type idReleasePair struct{ module, v1, v2 string }

// idReleasePairs are the TUNING set: the modules measured since scanmux/v1,
// each with two consecutive releases, on which gosec reports many findings
// and whose releases move code around. The identity scheme may be tuned on
// them.
var idReleasePairs = []idReleasePair{
	{"golang.org/x/crypto", "v0.38.0", "v0.39.0"},
	{"golang.org/x/net", "v0.37.0", "v0.38.0"},
	{"github.com/klauspost/compress", "v1.19.2", "v1.20.0"},
	{"github.com/gin-gonic/gin", "v1.9.1", "v1.10.0"},
	{"github.com/minio/minio-go/v7", "v7.0.95", "v7.0.97"},
}

// idTestPairs are the TEST set (issue 16), written down on 2026-12-07
// before any work on the scanmux/v2 identity and never tuned on: eight
// modules that are not in the tuning set, widely used Go code of several
// kinds (DNS, HTTP, databases, a cache client, metrics, a parser, a web
// framework), each at its latest release and the release before it as the
// module proxy listed them that day (go list -m -versions, pre-releases
// left out). They were checked only to download and to build with the
// installed Go (go.mod's go line at most 1.26), not for what gosec or
// staticcheck find in them. Do not change an identity rule because of
// what this set shows; add a tuning pair instead.
var idTestPairs = []idReleasePair{
	{"github.com/miekg/dns", "v1.1.72", "v1.1.73"},
	{"github.com/valyala/fasthttp", "v1.79.0", "v1.80.0"},
	{"github.com/jackc/pgx/v5", "v5.12.0", "v5.13.0"},
	{"github.com/go-sql-driver/mysql", "v1.10.2", "v1.11.0"},
	{"github.com/redis/go-redis/v9", "v9.23.0", "v9.24.0"},
	{"github.com/prometheus/client_golang", "v1.24.1", "v1.25.0"},
	{"github.com/pelletier/go-toml/v2", "v2.4.2", "v2.4.3"},
	{"github.com/labstack/echo/v4", "v4.16.5", "v4.16.6"},
}

// idScore counts how one identity scheme does between two releases.
type idScore struct {
	pairs, kept           int // true pairs, and those whose identities match
	moved, keptMoved      int // true pairs whose line changed, and those kept
	fresh, inherited      int // v2 findings with no v1 pair, and those given a v1 identity
	inheritedMovedCode    int // of inherited: the v1 line was deleted and the same text inserted elsewhere
	collisions            int // findings that share an identity with an earlier one of the same release
	v1Findings, v2Finding int
}

func (s *idScore) add(o idScore) {
	s.pairs += o.pairs
	s.kept += o.kept
	s.moved += o.moved
	s.keptMoved += o.keptMoved
	s.fresh += o.fresh
	s.inherited += o.inherited
	s.inheritedMovedCode += o.inheritedMovedCode
	s.collisions += o.collisions
	s.v1Findings += o.v1Findings
	s.v2Finding += o.v2Finding
}

func idPct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

func (s idScore) String() string {
	return fmt.Sprintf("kept %6.2f%% (%d/%d)  moved kept %6.2f%% (%d/%d)  new %d, given a v1 id %d (moved code %d)  collisions %d",
		idPct(s.kept, s.pairs), s.kept, s.pairs, idPct(s.keptMoved, s.moved), s.keptMoved, s.moved,
		s.fresh, s.inherited, s.inheritedMovedCode, s.collisions)
}

// idScheme computes an identity for every finding of one release.
type idScheme struct {
	name string
	ids  func(t *testing.T, fs []*finding.Finding, root string) []string
}

var idSchemes = []idScheme{
	{"scanmux/v1", func(t *testing.T, fs []*finding.Finding, root string) []string {
		if err := aggregate.Identify(fs, root); err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = f.ID
		}
		return out
	}},
	{"naive (rule, path, line)", func(t *testing.T, fs []*finding.Finding, root string) []string {
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = fmt.Sprintf("%s|%s|%d", f.Rule.ID, f.Location.Path, f.Location.Region.StartLine)
		}
		return out
	}},
	{"GitHub (rule, path, primaryLocationLineHash)", func(t *testing.T, fs []*finding.Finding, root string) []string {
		hashes := map[string][]string{}
		out := make([]string, len(fs))
		for i, f := range fs {
			p := f.Location.Path
			h, ok := hashes[p]
			if !ok {
				data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
				if err != nil {
					t.Fatal(err)
				}
				h = finding.LineHashes(data)
				hashes[p] = h
			}
			out[i] = fmt.Sprintf("%s|%s|%s", f.Rule.ID, p, h[f.Location.Region.StartLine-1])
		}
		return out
	}},
}

func TestIdentityRealReleases(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode: downloads modules and runs gosec")
	}
	gosec, err := exec.LookPath("gosec")
	if err != nil {
		t.Skip("skipping: gosec is not on PATH (go install github.com/securego/gosec/v2/cmd/gosec@v2.30.0)")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("skipping: the go command is not on PATH")
	}
	cache := idCacheDir(t)
	gv := idGosecVersion(t, gosec)
	t.Logf("gosec %s, cache %s", gv, cache)

	total := make([]idScore, len(idSchemes))
	for _, rp := range idReleasePairs {
		dir1 := idModuleSource(t, cache, rp.module, rp.v1)
		dir2 := idModuleSource(t, cache, rp.module, rp.v2)
		fs1 := idGosecFindings(t, cache, gosec, gv, dir1, rp.module+"@"+rp.v1)
		fs2 := idGosecFindings(t, cache, gosec, gv, dir2, rp.module+"@"+rp.v2)
		truth := idTruth(t, fs1, fs2, dir1, dir2)
		for i, sc := range idSchemes {
			ids1 := sc.ids(t, idCloneAll(fs1), dir1)
			ids2 := sc.ids(t, idCloneAll(fs2), dir2)
			s := idScoreOf(fs1, fs2, ids1, ids2, truth, dir1, dir2)
			t.Logf("%s %s..%s (%d -> %d findings) %-45s %v", rp.module, rp.v1, rp.v2, len(fs1), len(fs2), sc.name, s)
			total[i].add(s)
		}
	}
	for i, sc := range idSchemes {
		t.Logf("TOTAL %-45s %v", sc.name, total[i])
	}

	s := total[0]
	if s.pairs < 500 || s.moved < 100 {
		t.Fatalf("too little data to measure: %d true pairs, %d moved", s.pairs, s.moved)
	}
	if got := idPct(s.kept, s.pairs); got < 99 {
		t.Errorf("identities kept: %.2f%%, want >= 99%%", got)
	}
	if got := idPct(s.keptMoved, s.moved); got < 98 {
		t.Errorf("identities kept among moved findings: %.2f%%, want >= 98%%", got)
	}
	if s.collisions != 0 {
		t.Errorf("%d findings share an identity with another finding of the same release, want 0", s.collisions)
	}
	if n := s.inherited - s.inheritedMovedCode; n != 0 {
		t.Errorf("%d new findings got the identity of a v1 finding, want 0", n)
	}
}

// idCacheDir returns the directory that keeps downloaded sources and gosec
// reports between runs.
func idCacheDir(t *testing.T) string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "scanmux-identity")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// idGosecVersion returns the module version gosec was built from, as "go
// install gosec@version" records it ("gosec -version" says "dev" then).
func idGosecVersion(t *testing.T, gosec string) string {
	out, err := exec.Command("go", "version", "-m", gosec).Output()
	if err != nil {
		t.Fatalf("go version -m %s: %v", gosec, err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "mod" {
			return f[2]
		}
	}
	t.Fatalf("go version -m %s: no module version in %q", gosec, out)
	return ""
}

// idModuleSource returns a writable copy of module@version's source in the
// cache, downloading it through the module proxy the first time.
func idModuleSource(t *testing.T, cache, module, version string) string {
	dst := filepath.Join(cache, "src", strings.ReplaceAll(module, "/", "_")+"@"+version)
	if _, err := os.Stat(dst); err == nil {
		return dst
	}
	cmd := exec.Command("go", "mod", "download", "-json", module+"@"+version)
	cmd.Dir = cache // outside any module
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download %s@%s: %v\n%s", module, version, err, out)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		t.Fatalf("go mod download %s@%s: %v %s", module, version, err, info.Error)
	}
	tmp := dst + ".tmp"
	os.RemoveAll(tmp)
	if err := os.CopyFS(tmp, os.DirFS(info.Dir)); err != nil {
		t.Fatal(err)
	}
	if err := filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(p, mode)
	}); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// idGosecIssue is what the test reads of a gosec JSON issue.
type idGosecIssue struct {
	Severity   string `json:"severity"`
	Confidence string `json:"confidence"`
	RuleID     string `json:"rule_id"`
	Details    string `json:"details"`
	File       string `json:"file"`
	Line       string `json:"line"`
	Column     string `json:"column"`
}

// idGosecFindings runs gosec on dir (or reads its cached report) and
// converts the issues to findings.
func idGosecFindings(t *testing.T, cache, gosec, gosecVersion, dir, name string) []*finding.Finding {
	report := filepath.Join(cache, "gosec-"+gosecVersion, strings.ReplaceAll(name, "/", "_")+".json")
	data, err := os.ReadFile(report)
	if err != nil {
		cmd := exec.Command(gosec, "-fmt", "json", "-no-fail", "-quiet", "./...")
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		data, err = cmd.Output()
		if err != nil {
			t.Fatalf("gosec on %s: %v\n%s", name, err, stderr.Bytes())
		}
		t.Logf("gosec on %s: %v", name, time.Since(start).Round(time.Second))
		if err := os.MkdirAll(filepath.Dir(report), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(report, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var rep struct{ Issues []idGosecIssue }
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%s: %v", report, err)
	}
	// gosec reports absolute paths of the directory it ran in.
	base, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []*finding.Finding
	for _, is := range rep.Issues {
		rel, err := filepath.Rel(base, is.File)
		if err != nil || strings.HasPrefix(rel, "..") {
			rel, err = filepath.Rel(dir, is.File)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		start, end, _ := strings.Cut(is.Line, "-")
		f := &finding.Finding{
			Tool:     finding.Tool{Name: "gosec", Version: gosecVersion},
			Rule:     finding.Rule{ID: is.RuleID},
			Message:  is.Details,
			Category: finding.CategorySAST,
			Location: finding.Location{Path: filepath.ToSlash(rel)},
		}
		f.Severity, _ = finding.ParseSeverity(is.Severity)
		f.Location.Region.StartLine, _ = strconv.Atoi(start)
		f.Location.Region.EndLine, _ = strconv.Atoi(end)
		f.Location.Region.StartColumn, _ = strconv.Atoi(is.Column)
		if f.Location.Region.StartLine <= 0 {
			t.Fatalf("%s: issue without a line: %+v", name, is)
		}
		out = append(out, f)
	}
	// gosec's order is not deterministic.
	slices.SortFunc(out, func(a, b *finding.Finding) int {
		return strings.Compare(idPosKey(a), idPosKey(b))
	})
	return out
}

func idPosKey(f *finding.Finding) string {
	r := f.Location.Region
	return fmt.Sprintf("%s\x00%08d\x00%08d\x00%s\x00%s", f.Location.Path, r.StartLine, r.StartColumn, f.Rule.ID, f.Message)
}

func idCloneAll(fs []*finding.Finding) []*finding.Finding {
	out := make([]*finding.Finding, len(fs))
	for i, f := range fs {
		out[i] = f.Clone()
	}
	return out
}

// idTruth returns, for each finding of v2, the index of the same finding in
// v1, or -1. Two findings are the same when they have the same rule and
// message, the v1 start line maps to the v2 start line through the
// unchanged lines of a diff of the file, and they start at the same
// non-white character of that line. Lines compare with white space
// ignored, as with "diff -w", so re-indented code is unchanged.
func idTruth(t *testing.T, fs1, fs2 []*finding.Finding, dir1, dir2 string) []int {
	lineMaps := map[string][]int{} // path -> v1 line (from 1) -> v2 line or 0
	mapLine := func(p string, line int) int {
		m, ok := lineMaps[p]
		if !ok {
			a, errA := os.ReadFile(filepath.Join(dir1, filepath.FromSlash(p)))
			b, errB := os.ReadFile(filepath.Join(dir2, filepath.FromSlash(p)))
			if errA == nil && errB == nil {
				m = idLineMap(idNormLines(a), idNormLines(b))
			}
			lineMaps[p] = m
		}
		if line-1 < len(m) {
			return m[line-1]
		}
		return 0
	}
	type pos struct {
		path, rule, msg string
		line, col       int
	}
	files := map[string][]string{}
	col := func(dir string, f *finding.Finding) int {
		p := filepath.Join(dir, filepath.FromSlash(f.Location.Path))
		lines, ok := files[p]
		if !ok {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			lines = strings.Split(string(data), "\n")
			files[p] = lines
		}
		return idNonWhiteBefore(lines[f.Location.Region.StartLine-1], f.Location.Region.StartColumn)
	}
	v1 := map[pos][]int{}
	for i, f := range fs1 {
		l := mapLine(f.Location.Path, f.Location.Region.StartLine)
		if l == 0 {
			continue
		}
		k := pos{f.Location.Path, f.Rule.ID, f.Message, l, col(dir1, f)}
		v1[k] = append(v1[k], i)
	}
	out := make([]int, len(fs2))
	for j, f := range fs2 {
		out[j] = -1
		k := pos{f.Location.Path, f.Rule.ID, f.Message, f.Location.Region.StartLine, col(dir2, f)}
		if c := v1[k]; len(c) > 0 {
			out[j] = c[0]
			v1[k] = c[1:]
		}
	}
	return out
}

// idNonWhiteBefore counts the non-white characters of line before column
// col (bytes are close enough here: gosec's columns are byte offsets of Go
// source).
func idNonWhiteBefore(line string, col int) int {
	n := 0
	for i, r := range line {
		if i >= col-1 {
			break
		}
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// idNormLines splits data into lines without white space.
func idNormLines(data []byte) []string {
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), "")
	}
	return lines
}

// idScoreOf scores one scheme's identities against the truth.
func idScoreOf(fs1, fs2 []*finding.Finding, ids1, ids2 []string, truth []int, dir1, dir2 string) idScore {
	s := idScore{v1Findings: len(fs1), v2Finding: len(fs2)}
	for _, ids := range [][]string{ids1, ids2} {
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				s.collisions++
			}
			seen[id] = true
		}
	}
	byID1 := map[string]int{}
	for i, id := range ids1 {
		if _, ok := byID1[id]; !ok {
			byID1[id] = i
		}
	}
	paired1 := map[int]bool{}
	for _, i := range truth {
		if i >= 0 {
			paired1[i] = true
		}
	}
	for j, i := range truth {
		if i < 0 {
			s.fresh++
			if i1, ok := byID1[ids2[j]]; ok {
				s.inherited++
				if !paired1[i1] && idSameLineText(fs1[i1], fs2[j], dir1, dir2) {
					s.inheritedMovedCode++
				}
			}
			continue
		}
		s.pairs++
		same := ids1[i] == ids2[j]
		if same {
			s.kept++
		}
		if fs1[i].Location.Region.StartLine != fs2[j].Location.Region.StartLine {
			s.moved++
			if same {
				s.keptMoved++
			}
		}
	}
	return s
}

// idSameLineText reports whether two findings start on lines with the
// same text, white space aside.
func idSameLineText(a, b *finding.Finding, dir1, dir2 string) bool {
	line := func(dir string, f *finding.Finding) string {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Location.Path)))
		if err != nil {
			return "\x00" + dir
		}
		return idNormLines(data)[f.Location.Region.StartLine-1]
	}
	return a.Location.Path == b.Location.Path && line(dir1, a) == line(dir2, b)
}

// idLineMap returns, for each line of a, the number (from 1) of the line of
// b it is kept as in a shortest edit script from a to b, or 0 when it is
// deleted. It is Myers' O(ND) diff algorithm ("An O(ND) Difference
// Algorithm and Its Variations", 1986), after trimming the common prefix
// and suffix, keeping the V array of every round for the backtrack.
func idLineMap(a, b []string) []int {
	m := make([]int, len(a))
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		m[pre] = pre + 1
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		m[len(a)-1-suf] = len(b) - suf
		suf++
	}
	x0, y0 := a[pre:len(a)-suf], b[pre:len(b)-suf]
	n, k := len(x0), len(y0)
	if n == 0 || k == 0 {
		return m
	}
	max := n + k
	off := max + 1
	v := make([]int, 2*max+3)
	var trace [][]int // trace[d][kk+d] is V[kk] after round d
	var endX, endY, endD int
search:
	for d := 0; d <= max; d++ {
		for kk := -d; kk <= d; kk += 2 {
			var x int
			if kk == -d || (kk != d && v[off+kk-1] < v[off+kk+1]) {
				x = v[off+kk+1]
			} else {
				x = v[off+kk-1] + 1
			}
			y := x - kk
			for x < n && y < k && x0[x] == y0[y] {
				x++
				y++
			}
			v[off+kk] = x
			if x >= n && y >= k {
				endX, endY, endD = x, y, d
				break search
			}
		}
		trace = append(trace, slices.Clone(v[off-d:off+d+1]))
	}
	x, y := endX, endY
	for d := endD; d > 0; d-- {
		prev := trace[d-1]
		at := func(kk int) int { return prev[kk+d-1] }
		kk := x - y
		var pk int
		if kk == -d || (kk != d && at(kk-1) < at(kk+1)) {
			pk = kk + 1
		} else {
			pk = kk - 1
		}
		px := at(pk)
		py := px - pk
		sx, sy := px+1, py // after deleting a[px]
		if pk == kk+1 {
			sx, sy = px, py+1 // after inserting b[py]
		}
		for i := 0; sx+i < x; i++ {
			m[pre+sx+i] = pre + sy + i + 1
		}
		x, y = px, py
	}
	for i := 0; i < x; i++ { // the snake of round 0, from (0, 0)
		m[pre+i] = pre + i + 1
	}
	return m
}

// TestIdentityLineMap checks the diff behind the measurement's truth
// against a dynamic-programming LCS on random files: the mapping keeps
// equal lines only, in order, and as many as the longest common
// subsequence has.
func TestIdentityLineMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 500 {
		a := make([]string, r.IntN(30))
		for i := range a {
			a[i] = string(rune('a' + r.IntN(4)))
		}
		b := slices.Clone(a)
		for range r.IntN(8) { // random edits
			i := r.IntN(len(b) + 1)
			switch r.IntN(3) {
			case 0:
				b = slices.Insert(b, i, string(rune('a'+r.IntN(5))))
			case 1:
				if i < len(b) {
					b = slices.Delete(b, i, i+1)
				}
			default:
				if i < len(b) {
					b[i] = string(rune('a' + r.IntN(5)))
				}
			}
		}
		m := idLineMap(a, b)
		kept, last := 0, 0
		for i, j := range m {
			if j == 0 {
				continue
			}
			if j <= last || a[i] != b[j-1] {
				t.Fatalf("case %d: %q -> %q: bad mapping %v", n, a, b, m)
			}
			last = j
			kept++
		}
		// LCS length by dynamic programming.
		dp := make([][]int, len(a)+1)
		for i := range dp {
			dp[i] = make([]int, len(b)+1)
		}
		for i := len(a) - 1; i >= 0; i-- {
			for j := len(b) - 1; j >= 0; j-- {
				if a[i] == b[j] {
					dp[i][j] = dp[i+1][j+1] + 1
				} else {
					dp[i][j] = max(dp[i+1][j], dp[i][j+1])
				}
			}
		}
		if kept != dp[0][0] {
			t.Fatalf("case %d: %q -> %q: %d lines kept, LCS is %d", n, a, b, kept, dp[0][0])
		}
	}
}
