package registry_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/registry"
)

// realDir holds real outputs of real tools on one sample tree, recorded by
// testdata/real/record.sh (see its README).
const realDir = "../../testdata/real"

// recording is one row of testdata/real/out/MANIFEST.tsv.
type recording struct {
	file, tool, version, format, cwd string
}

func recordings(t *testing.T) []recording {
	t.Helper()
	f, err := os.Open(filepath.Join(realDir, "out", "MANIFEST.tsv"))
	if err != nil {
		t.Fatalf("the recordings' manifest: %v", err)
	}
	defer f.Close()
	var rs []recording
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	sc.Scan() // header
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 5 {
			continue
		}
		rs = append(rs, recording{file: c[0], tool: c[1], version: c[2], format: c[3], cwd: c[4]})
	}
	return rs
}

// readable reports whether scanmux reads a recording's format as findings
// (an SBOM without vulnerabilities or an OpenVEX document is not a
// findings report).
func readable(r recording) bool {
	switch r.format {
	case "openvex":
		return false
	}
	return true
}

// normalized reads one recording through the engine, without dedup, with
// the sample tree as the root, and returns its findings.
func normalized(t *testing.T, r recording) ([]*finding.Finding, []string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join(realDir, "tree"))
	if err != nil {
		t.Fatal(err)
	}
	src := &registry.Source{Path: filepath.Join(realDir, "out", r.file), Root: root}
	rep, err := aggregate.Run(context.Background(), []aggregate.Source{src},
		&aggregate.Options{Root: root, Dedup: aggregate.DedupOptions{Disabled: true}})
	if err != nil {
		t.Fatalf("%s: %v", r.file, err)
	}
	for _, s := range rep.Sources {
		if !s.OK() {
			t.Errorf("%s: %s %s", r.file, s.State, s.Err)
		}
	}
	return rep.Findings, rep.Warnings
}

// fact is what the agreement test compares of a finding.
type fact struct {
	tool, path string
	line       int
	rule       string
	category   finding.Category
	severity   finding.Severity
	cwes       string
	pkg        string
}

func factOf(f *finding.Finding) fact {
	x := fact{tool: f.Tool.Name, path: f.Location.Path, line: f.Location.Region.StartLine, rule: f.Rule.ID,
		category: f.Category, severity: f.Severity}
	var cw []string
	for _, c := range f.CWEs {
		cw = append(cw, strconv.Itoa(c))
	}
	x.cwes = strings.Join(cw, ",")
	if p := f.Location.Package; p != nil {
		x.pkg = p.Name + "@" + p.Version
	}
	return x
}

// where identifies a finding for matching: tool, path, line, rule.
func (x fact) where() string { return fmt.Sprintf("%s %s:%d %s", x.tool, x.path, x.line, x.rule) }

// diff lists the fields in which a and b differ.
func diff(a, b fact) []string {
	var d []string
	if a.category != b.category {
		d = append(d, fmt.Sprintf("category %s/%s", a.category, b.category))
	}
	if a.severity != b.severity {
		d = append(d, fmt.Sprintf("severity %s/%s", a.severity, b.severity))
	}
	if a.cwes != b.cwes {
		d = append(d, fmt.Sprintf("cwes %q/%q", a.cwes, b.cwes))
	}
	if a.pkg != b.pkg {
		d = append(d, fmt.Sprintf("package %q/%q", a.pkg, b.pkg))
	}
	return d
}

// explained lists the differences between two formats of one tool that
// the tool itself causes, by tool, then "formatA/formatB", then the
// difference's kind (its first word), with the tool's reason.
var explained = map[string]map[string]map[string]string{}

// explanation returns the reason a difference is expected, or "".
func explanation(tool, pair, d string) string {
	kind, _, _ := strings.Cut(d, " ")
	return explained[tool][pair][kind]
}

// compare matches the findings of two recordings and returns the number
// that agree in every compared field, and the differences, each either
// explained (with its reason) or not.
func compare(tool, pair string, a, b []fact) (agree int, expl, unexpl []string) {
	byWhere := map[string][]fact{}
	for _, x := range b {
		byWhere[x.where()] = append(byWhere[x.where()], x)
	}
	for _, x := range a {
		ys := byWhere[x.where()]
		if len(ys) == 0 {
			d := "missing " + x.where() + " in the second"
			if r := explanation(tool, pair, d); r != "" {
				expl = append(expl, d+": "+r)
			} else {
				unexpl = append(unexpl, d)
			}
			continue
		}
		y := ys[0]
		byWhere[x.where()] = ys[1:]
		ds := diff(x, y)
		if len(ds) == 0 {
			agree++
			continue
		}
		for _, d := range ds {
			if r := explanation(tool, pair, d); r != "" {
				expl = append(expl, x.where()+": "+d+": "+r)
			} else {
				unexpl = append(unexpl, x.where()+": "+d)
			}
		}
	}
	for _, ys := range byWhere {
		for _, y := range ys {
			d := "missing " + y.where() + " in the first"
			if r := explanation(tool, pair, d); r != "" {
				expl = append(expl, d+": "+r)
			} else {
				unexpl = append(unexpl, d)
			}
		}
	}
	return agree, expl, unexpl
}

// TestFormatAgreement reads every recording of a tool that writes several
// formats and checks that, after normalization, each format gives the same
// findings (tool id, path, start line, rule id, category, severity, CWE
// ids, package and version) as the tool's first format run from the tree's
// root: the other formats of the same run, and every format of the run
// made from a sub-directory, whose paths must resolve to the same files.
// It logs the agreement table.
func TestFormatAgreement(t *testing.T) {
	byTool := map[string][]recording{}
	var tools []string
	for _, r := range recordings(t) {
		if !readable(r) {
			continue
		}
		if byTool[r.tool] == nil {
			tools = append(tools, r.tool)
		}
		byTool[r.tool] = append(byTool[r.tool], r)
	}
	slices.Sort(tools)
	var table strings.Builder
	fmt.Fprintf(&table, "%-12s %-34s %8s %8s %9s %11s\n", "tool", "formats (cwd)", "findings", "agreeing", "explained", "unexplained")
	for _, tool := range tools {
		rs := byTool[tool]
		ref := rs[0]
		for _, r := range rs {
			if r.cwd == "." && (r.format == "json" || r.format == "xml") {
				ref = r
				break
			}
		}
		refFs, _ := normalized(t, ref)
		var refFacts []fact
		for _, f := range refFs {
			refFacts = append(refFacts, factOf(f))
		}
		for _, r := range rs {
			if r == ref {
				continue
			}
			fs, warns := normalized(t, r)
			var facts []fact
			for _, f := range fs {
				facts = append(facts, factOf(f))
			}
			pair := ref.format + "/" + r.format
			want := refFacts
			if r.cwd != "." {
				// A run made in a sub-directory covers that directory only.
				want = nil
				for _, x := range refFacts {
					if strings.HasPrefix(x.path, r.cwd+"/") {
						want = append(want, x)
					}
				}
			}
			agree, expl, unexpl := compare(tool, pair, want, facts)
			label := fmt.Sprintf("%s/%s (%s)", ref.format, r.format, r.cwd)
			fmt.Fprintf(&table, "%-12s %-34s %8d %8d %9d %11d\n", tool, label, max(len(want), len(facts)), agree, len(expl), len(unexpl))
			for _, e := range expl {
				t.Logf("%s %s: explained: %s", tool, label, e)
			}
			for _, u := range unexpl {
				t.Errorf("%s %s (%s vs %s): %s", tool, label, ref.file, r.file, u)
			}
			if len(unexpl) > 0 {
				for _, w := range warns {
					t.Logf("  warning: %s", w)
				}
			}
		}
	}
	t.Logf("format agreement (each format against the tool's first one run from the root):\n%s", table.String())
}
