package aggregate_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/registry"
)

// The truth set: real outputs of real tools on one sample tree
// (testdata/real, recorded by its record.sh), and a hand-written file,
// testdata/real/truth.yaml, that says which of their findings are one issue
// and which must never merge. TestTruthSet scores deduplication against it.

// realDir holds the recordings and the truth file.
const realDir = "../testdata/real"

// recordedRoot is where testdata/real/tree was when record.sh made the
// recordings: the tools that write absolute paths wrote them under it.
const recordedRoot = "/work/main/testdata/real/tree"

// truthFile is testdata/real/truth.yaml.
type truthFile struct {
	// Recordings are the reports read, one per tool and kind of scan,
	// relative to testdata/real/out.
	Recordings []string `yaml:"recordings"`
	// SARIFRecordings are the same scans, in SARIF where the tool writes
	// it: a second reading of the same findings, which the merge rules
	// were not tuned on.
	SARIFRecordings []string `yaml:"sarif_recordings"`
	// Groups are sets of findings that are one issue.
	Groups []truthGroup `yaml:"groups"`
	// Never are pairs of findings that must not merge.
	Never []truthGroup `yaml:"never"`
}

// truthGroup is one group (or never-merge pair) with why it is one.
type truthGroup struct {
	Reason  string   `yaml:"reason"`
	Members []string `yaml:"members"`
}

// member is one finding named in the truth file:
//
//	TOOL RULE PLACE [~WORDS]
//
// PLACE is a file path with an optional ":LINE" (the start line), a URL
// path beginning with "/" (a DAST finding), or "-" for no location; WORDS,
// after a "~", must be in the message (case-insensitive) and tell apart
// findings of one rule at one place. A space in a rule id is written "-".
type member struct {
	text, tool, rule, path, urlPath, words string
	line                                   int
}

func parseMember(s string) (member, error) {
	m := member{text: s}
	head, words, _ := strings.Cut(s, "~")
	m.words = strings.ToLower(strings.TrimSpace(words))
	f := strings.Fields(head)
	if len(f) != 3 {
		return m, fmt.Errorf("member %q: want TOOL RULE PLACE [~WORDS]", s)
	}
	m.tool, m.rule = f[0], f[1]
	switch place := f[2]; {
	case place == "-":
	case strings.HasPrefix(place, "/"):
		m.urlPath = place
	default:
		m.path = place
		if p, l, ok := strings.Cut(place, ":"); ok {
			n, err := strconv.Atoi(l)
			if err != nil {
				return m, fmt.Errorf("member %q: bad line", s)
			}
			m.path, m.line = p, n
		}
	}
	return m, nil
}

// report is what the test knows of one report: enough to match truth
// members and to tell reports apart.
type report struct {
	tool, rule, path, url, msg string
	line                       int
}

func reportOf(tool finding.Tool, rule string, l *finding.Location, msg string) report {
	r := report{tool: tool.Name, rule: rule, path: l.Path, line: l.Region.StartLine, msg: msg}
	if l.Web != nil {
		r.url = l.Web.URL + " [" + l.Web.Parameter + "]"
	}
	if l.Package != nil {
		r.url = l.Package.Name + "@" + l.Package.Version
	}
	return r
}

func (r report) String() string {
	where := r.path
	if r.line > 0 {
		where += ":" + strconv.Itoa(r.line)
	}
	if r.url != "" {
		where += " " + r.url
	}
	msg := r.msg
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 60 {
		msg = msg[:60] + "…"
	}
	return fmt.Sprintf("%s %s %s (%s)", r.tool, r.rule, where, msg)
}

func (m member) matches(r report) bool {
	if m.tool != r.tool || m.rule != strings.ReplaceAll(r.rule, " ", "-") || m.path != r.path || m.line != 0 && m.line != r.line {
		return false
	}
	if m.urlPath != "" {
		u, err := url.Parse(strings.Fields(r.url + " ")[0])
		if err != nil || u.Path != m.urlPath {
			return false
		}
	}
	return m.words == "" || strings.Contains(strings.ToLower(r.msg), m.words)
}

// localRecording returns the path of a recording as if it had been made in
// this checkout: a copy under dir with recordedRoot replaced by the tree's
// path here (where the two differ).
func localRecording(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(realDir, "out", name)
	root, err := filepath.Abs(filepath.Join(realDir, "tree"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if root == recordedRoot || !bytes.Contains(data, []byte(recordedRoot)) {
		return p
	}
	local := filepath.Join(dir, strings.ReplaceAll(name, "/", "_"))
	if err := os.WriteFile(local, bytes.ReplaceAll(data, []byte(recordedRoot), []byte(filepath.ToSlash(root))), 0o644); err != nil {
		t.Fatal(err)
	}
	return local
}

// readTruth reads the truth file.
func readTruth(t *testing.T) *truthFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(realDir, "truth.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tf truthFile
	if err := yaml.Unmarshal(data, &tf); err != nil {
		t.Fatalf("truth.yaml: %v", err)
	}
	return &tf
}

// truthSources returns sources for recordings, and the sample tree's root.
func truthSources(t *testing.T, recordings []string) ([]aggregate.Source, string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join(realDir, "tree"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var srcs []aggregate.Source
	for _, name := range recordings {
		srcs = append(srcs, &registry.Source{Path: localRecording(t, dir, name), Root: root})
	}
	return srcs, root
}

// runTruth runs the recordings through the engine.
func runTruth(t *testing.T, srcs []aggregate.Source, root string, dedup bool) *aggregate.Report {
	t.Helper()
	rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{Root: root, Dedup: aggregate.DedupOptions{Disabled: !dedup}})
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

// pair is two reports, by index, lower first.
type pair struct{ a, b int }

func mkPair(a, b int) pair { return pair{min(a, b), max(a, b)} }

// TestTruthSet reads every recording of the truth file through the engine
// with deduplication on and scores the merges against the truth file's
// groups: pair precision must be 100% (no two findings of different issues
// merged, no never-merge pair merged) and pair recall at least 95%. It logs
// the findings per tool and the scores per tool pair. It does so twice: on
// the recordings (every member of the truth file must be found), and on
// the same scans read from the tools' SARIF, where a member the SARIF lacks
// is skipped (kube-score's SARIF has only its critical comments).
func TestTruthSet(t *testing.T) {
	tf := readTruth(t)
	t.Run("native", func(t *testing.T) { scoreTruth(t, tf, tf.Recordings, true) })
	t.Run("sarif", func(t *testing.T) { scoreTruth(t, tf, tf.SARIFRecordings, false) })
}

// sarifRecall is the pair recall the SARIF reading must reach: its
// govulncheck findings name no package (govulncheck's SARIF names the
// module in its message only), so its 9 pairs with the other dependency
// scanners cannot be found: (121-9)/121 is 92.6%.
const sarifRecall = 0.92

// scoreTruth scores the merges of recordings against the truth file. With
// strict, every member must match one finding.
func scoreTruth(t *testing.T, tf *truthFile, recordings []string, strict bool) {
	srcs, root := truthSources(t, recordings)

	// The reports, as read without dedup: each is one finding of a tool.
	plain := runTruth(t, srcs, root, false)
	var reports []report
	perTool := map[string]int{}
	for _, f := range plain.Findings {
		reports = append(reports, reportOf(f.Tool, f.Rule.ID, &f.Location, f.Message))
		perTool[f.Tool.Name]++
	}
	index := map[report][]int{} // equal reports (none are expected) share a key
	for i, r := range reports {
		index[r] = append(index[r], i)
	}

	// Resolve the truth file's members to reports.
	resolve := func(g truthGroup, what string) []int {
		var ids []int
		for _, s := range g.Members {
			m, err := parseMember(s)
			if err != nil {
				t.Errorf("%s %q: %v", what, g.Reason, err)
				continue
			}
			var hits []int
			for i, r := range reports {
				if m.matches(r) {
					hits = append(hits, i)
				}
			}
			switch len(hits) {
			case 1:
				ids = append(ids, hits[0])
			case 0:
				if strict {
					t.Errorf("%s %q: member %q matches no finding", what, g.Reason, s)
				} else {
					t.Logf("%s %q: member %q matches no finding of this reading", what, g.Reason, s)
				}
			default:
				var names []string
				for _, i := range hits {
					names = append(names, reports[i].String())
				}
				t.Errorf("%s %q: member %q matches %d findings: %s", what, g.Reason, s, len(hits), strings.Join(names, "; "))
			}
		}
		return ids
	}
	group := make([]int, len(reports)) // truth group of each report, -1 alone
	for i := range group {
		group[i] = -1
	}
	truthPairs := map[pair]bool{}
	for gi, g := range tf.Groups {
		if g.Reason == "" || len(g.Members) < 2 {
			t.Errorf("group %d: want a reason and two members or more", gi)
		}
		ids := resolve(g, "group")
		for _, i := range ids {
			if group[i] >= 0 {
				t.Errorf("group %q: %s is in group %q too", g.Reason, reports[i], tf.Groups[group[i]].Reason)
			}
			group[i] = gi
		}
		for x, i := range ids {
			for _, j := range ids[x+1:] {
				truthPairs[mkPair(i, j)] = true
			}
		}
	}
	never := map[pair]string{}
	for _, g := range tf.Never {
		ids := resolve(g, "never")
		if len(ids) != 2 {
			if strict || len(g.Members) != 2 {
				t.Errorf("never %q: want two members", g.Reason)
			}
			continue
		}
		never[mkPair(ids[0], ids[1])] = g.Reason
		if truthPairs[mkPair(ids[0], ids[1])] {
			t.Errorf("never %q: its findings are also in one group", g.Reason)
		}
	}

	// The merges the engine makes: each finding is its own report plus
	// the reports merged into it.
	merged := runTruth(t, srcs, root, true)
	find := func(r report) int {
		ids := index[r]
		if len(ids) == 0 {
			t.Errorf("merged report %s is none of the reports read", r)
			return -1
		}
		index[r] = ids[1:]
		return ids[0]
	}
	predPairs := map[pair]bool{}
	clusters := 0
	for _, f := range merged.Findings {
		ids := []int{find(reportOf(f.Tool, f.Rule.ID, &f.Location, f.Message))}
		for _, a := range f.Also {
			ids = append(ids, find(reportOf(a.Tool, a.RuleID, &a.Location, a.Message)))
		}
		if slices.Contains(ids, -1) {
			continue
		}
		if len(ids) > 1 {
			clusters++
		}
		for x, i := range ids {
			for _, j := range ids[x+1:] {
				predPairs[mkPair(i, j)] = true
			}
		}
	}

	// Scores, overall and per tool pair.
	type score struct{ truth, pred, right int }
	byTools := map[string]*score{}
	get := func(p pair) *score {
		a, b := reports[p.a].tool, reports[p.b].tool
		if a > b {
			a, b = b, a
		}
		k := a + " + " + b
		if byTools[k] == nil {
			byTools[k] = &score{}
		}
		return byTools[k]
	}
	var total score
	for p := range truthPairs {
		get(p).truth++
		total.truth++
		if predPairs[p] {
			get(p).right++
			total.right++
		}
	}
	for p := range predPairs {
		get(p).pred++
		total.pred++
		if !truthPairs[p] {
			why := "different issues"
			if r, ok := never[p]; ok {
				why = "a never-merge pair: " + r
			}
			t.Errorf("wrong merge (%s): %s + %s", why, reports[p.a], reports[p.b])
		}
	}
	for p := range truthPairs {
		if !predPairs[p] {
			t.Logf("missed: %s + %s (%s)", reports[p.a], reports[p.b], tf.Groups[group[p.a]].Reason)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "findings per tool (%d recordings, %d findings, %d truth groups, %d merged findings):\n",
		len(recordings), len(reports), len(tf.Groups), clusters)
	for _, tool := range slices.Sorted(func(yield func(string) bool) {
		for k := range perTool {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "  %-12s %4d\n", tool, perTool[tool])
	}
	pct := func(n, d int) string {
		if d == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(d))
	}
	fmt.Fprintf(&b, "%-28s %6s %6s %6s %9s %7s\n", "tool pair", "truth", "merged", "right", "precision", "recall")
	keys := make([]string, 0, len(byTools))
	for k := range byTools {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		s := byTools[k]
		fmt.Fprintf(&b, "%-28s %6d %6d %6d %9s %7s\n", k, s.truth, s.pred, s.right, pct(s.right, s.pred), pct(s.right, s.truth))
	}
	fmt.Fprintf(&b, "%-28s %6d %6d %6d %9s %7s\n", "total", total.truth, total.pred, total.right, pct(total.right, total.pred), pct(total.right, total.truth))
	t.Logf("truth set (testdata/real/truth.yaml):\n%s", b.String())

	if total.pred != total.right {
		t.Errorf("pair precision %s, want 100%%", pct(total.right, total.pred))
	}
	want := 0.95
	if !strict {
		want = sarifRecall
	}
	if total.truth == 0 || float64(total.right) < want*float64(total.truth) {
		t.Errorf("pair recall %s, want at least %.0f%%", pct(total.right, total.truth), 100*want)
	}
}
