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
	src := &registry.Source{Path: rec(r.file), Root: root}
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
// difference's kind — the field that differs ("severity", "category",
// "cwes", "package") or "missing:RULE" for a finding of rule RULE that one
// format has and the other lacks — with the tool's reason.
var explained = map[string]map[string]map[string]string{
	"tfsec": {
		"json/sarif":      {"severity": "tfsec's SARIF writes level \"error\" for CRITICAL and HIGH alike and names no severity; its JSON keeps CRITICAL"},
		"json/checkstyle": {"severity": "checkstyle's severity attribute is error, warning or info: tfsec writes CRITICAL and HIGH as error"},
	},
	"flawfinder": {
		"csv/sarif": {"missing:FF1016": "Flawfinder's SARIF lists the level-0 hit of printf with a constant format (rank 0.0) that its CSV leaves out at the default --minlevel 1"},
	},
	"govulncheck": {
		"json/sarif": {"package": "govulncheck's SARIF names the vulnerable package or module in its message but never the module's version"},
	},
	"cppcheck": {
		"xml/xml": {"missing:missingIncludeSystem": "cppcheck reports that it did not look for system headers (an information message without a file, shown with --check-config) only when run in the directory of the source"},
	},
	"osv-scanner": {
		"json/sarif": {"cwes": "osv-scanner's SARIF carries no CWE ids: the OSV entries' database_specific.cwe_ids are in its JSON report only"},
		"json/cyclonedx": {
			"missing:GHSA-29mw-wpgm-hmr9": "osv-scanner's CycloneDX BOM has no metadata, so it names no tool (its findings are the cyclonedx tool's), and no evidence, so it names no file for a package",
			"missing:GHSA-35jh-r3h4-6jhm": "osv-scanner's CycloneDX BOM has no metadata, so it names no tool (its findings are the cyclonedx tool's), and no evidence, so it names no file for a package",
			"missing:GHSA-p6mc-m468-83gw": "osv-scanner's CycloneDX BOM has no metadata, so it names no tool (its findings are the cyclonedx tool's), and no evidence, so it names no file for a package",
			"missing:GO-2023-1988":        "osv-scanner's CycloneDX BOM has no metadata, so it names no tool (its findings are the cyclonedx tool's), and no evidence, so it names no file for a package; its Go vulnerabilities affect an empty ref, so they name no package either",
			"missing:GO-2023-2102":        "osv-scanner's CycloneDX BOM has no metadata, so it names no tool (its findings are the cyclonedx tool's), and no evidence, so it names no file for a package; its Go vulnerabilities affect an empty ref, so they name no package either",
			"missing:GO-2024-3333":        "osv-scanner's CycloneDX BOM has no metadata, so it names no tool (its findings are the cyclonedx tool's), and no evidence, so it names no file for a package; its Go vulnerabilities affect an empty ref, so they name no package either",
		},
	},
	"trivy": {
		"json/sarif": {
			"cwes":            "trivy's SARIF writes no CWE ids; its JSON report has them (CweIDs)",
			"missing:DS-0026": "trivy's SARIF gives lines 1-1 to a misconfiguration without a cause in the file (the Dockerfile's missing HEALTHCHECK), whose JSON entry has no line",
		},
		"json/cyclonedx": {
			"severity":               "trivy's CycloneDX BOM has no rating for a vulnerability of UNKNOWN severity (no vendor severity, no CVSS), so the BOM gives no severity; its JSON report says UNKNOWN",
			"missing:CVE-2020-28500": "trivy's CycloneDX BOM gives a package no lines (no evidence occurrences); its JSON report lists them (Packages[].Locations: lodash at line 14 of package-lock.json)",
			"missing:CVE-2020-8203":  "trivy's CycloneDX BOM gives a package no lines (no evidence occurrences); its JSON report lists them (Packages[].Locations: lodash at line 14 of package-lock.json)",
			"missing:CVE-2021-23337": "trivy's CycloneDX BOM gives a package no lines (no evidence occurrences); its JSON report lists them (Packages[].Locations: lodash at line 14 of package-lock.json)",
		},
	},
}

// explanation returns the reason a difference is expected, or "".
func explanation(tool, pair, d string) string {
	kind, rest, _ := strings.Cut(d, " ")
	if kind == "missing" {
		// "missing TOOL PATH:LINE RULE in the first"
		if f := strings.Fields(rest); len(f) >= 3 {
			kind += ":" + f[2]
		}
	}
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

// scanKind returns the kind of scan a recording's file name gives between
// its directory and its format ("config" in
// "trivy-v0.74.0-root-config-json.json"), or "".
func scanKind(r recording) string {
	base := strings.TrimSuffix(filepath.Base(r.file), filepath.Ext(r.file))
	for _, side := range []string{"-root-", "-sub-"} {
		if _, rest, ok := strings.Cut(base, side); ok {
			if i := strings.LastIndexByte(rest, '-'); i > 0 {
				return rest[:i]
			}
		}
	}
	return ""
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
		// One group per tool and kind of scan: trivy's config, secret and
		// vuln scans are different scans ("trivy-v0.74.0-root-config-json").
		group := r.tool
		if k := scanKind(r); k != "" {
			group += " " + k
		}
		if byTool[group] == nil {
			tools = append(tools, group)
		}
		byTool[group] = append(byTool[group], r)
	}
	slices.Sort(tools)
	var table strings.Builder
	fmt.Fprintf(&table, "%-18s %-34s %8s %8s %9s %11s\n", "tool", "formats (cwd)", "findings", "agreeing", "explained", "unexplained")
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
			agree, expl, unexpl := compare(rs[0].tool, pair, want, facts)
			label := fmt.Sprintf("%s/%s (%s)", ref.format, r.format, r.cwd)
			fmt.Fprintf(&table, "%-18s %-34s %8d %8d %9d %11d\n", tool, label, max(len(want), len(facts)), agree, len(expl), len(unexpl))
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
