package gosarif_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	gsarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/sarif/gosarif"
)

// sharedDir is the project's shared directory beside the repository.
const sharedDir = "../../../shared"

// corpusSARIF returns the SARIF 2.1.0 logs of the corpus, or skips t when
// the shared directory is missing.
func corpusSARIF(t *testing.T) []string {
	t.Helper()
	fh, err := os.Open(filepath.Join(sharedDir, "corpus", "MANIFEST.tsv"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("corpus not found: %s/corpus/MANIFEST.tsv is missing (the shared directory ../shared beside the repository is not there)", sharedDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) > 9 && f[2] == "sarif" && f[9] == "2.1.0" {
			out = append(out, filepath.Join(sharedDir, f[0]))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 20 {
		t.Fatalf("only %d SARIF 2.1.0 logs in the corpus manifest", len(out))
	}
	return out
}

// TestFromReportCorpus reads each corpus log with go-sarif and then with
// FromReport: the findings are those sarif.ReadFile reads from the file,
// except for what go-sarif's structs do not model, so the test compares
// what every tool's log has: rule, path, line, severity and message.
func TestFromReportCorpus(t *testing.T) {
	total := 0
	for _, path := range corpusSARIF(t) {
		want, err := sarif.ReadFile(path, nil)
		if err != nil {
			continue // the reader's own tests cover logs it refuses
		}
		rep, err := gsarif.Open(path)
		if err != nil {
			t.Logf("%s: go-sarif cannot read it: %v", path, err)
			continue
		}
		got, err := gosarif.FromReport(rep, path, nil)
		if err != nil {
			t.Errorf("%s: FromReport: %v", path, err)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d runs, want %d", path, len(got), len(want))
			continue
		}
		for i := range want {
			if g, w := summary(got[i]), summary(want[i]); !reflect.DeepEqual(g, w) {
				t.Errorf("%s: run %d: findings differ:\n got %q\nwant %q", path, i, g, w)
			}
			total += len(want[i].Findings)
		}
	}
	if total < 1000 {
		t.Errorf("only %d findings compared", total)
	}
}

// TestToReportCorpus writes each corpus log's findings with ToReport and
// reads the report back with FromReport: the findings are exactly those
// read from the log sarif.Write writes.
func TestToReportCorpus(t *testing.T) {
	opts := &sarif.WriteOptions{Profile: sarif.ProfileFull, Limits: &sarif.Limits{}}
	total := 0
	for _, path := range corpusSARIF(t) {
		runs, err := sarif.ReadFile(path, nil)
		if err != nil || len(runs) == 0 {
			continue
		}
		var buf bytes.Buffer
		if _, err := sarif.Write(&buf, runs, opts); err != nil {
			continue // the writer's own tests cover runs it refuses
		}
		want, err := sarif.Read(&buf, path, nil)
		if err != nil {
			t.Fatalf("%s: reading the written log: %v", path, err)
		}
		rep, sum, err := gosarif.ToReport(runs, opts)
		if err != nil {
			t.Errorf("%s: ToReport: %v", path, err)
			continue
		}
		if rep.Version != "2.1.0" || len(rep.Runs) != sum.Runs {
			t.Errorf("%s: report version %q with %d runs, summary says %d", path, rep.Version, len(rep.Runs), sum.Runs)
		}
		got, err := gosarif.FromReport(rep, path, nil)
		if err != nil {
			t.Errorf("%s: FromReport: %v", path, err)
			continue
		}
		if !reflect.DeepEqual(findings(got), findings(want)) {
			t.Errorf("%s: the report's findings differ from the written log's", path)
		}
		total += len(findings(want))
	}
	if total < 1000 {
		t.Errorf("only %d findings compared", total)
	}
}

func TestFromReportNil(t *testing.T) {
	if _, err := gosarif.FromReport(nil, "x.sarif", nil); err == nil || !strings.Contains(err.Error(), "x.sarif") {
		t.Errorf("FromReport(nil) = %v, want an error naming x.sarif", err)
	}
}

// summary lists rule, path, line, severity and message of each finding.
func summary(r sarif.Run) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, strings.Join([]string{f.Rule.ID, f.Location.Path, strconv.Itoa(f.Location.Region.StartLine), f.Severity.String(), f.Message}, "|"))
	}
	return out
}

// findings returns the findings of runs with each property that holds a
// JSON object or array re-encoded with sorted object members: go-sarif
// keeps properties as map[string]interface{}, which loses member order.
func findings(runs []sarif.Run) []finding.Finding {
	var out []finding.Finding
	for _, r := range runs {
		for _, f := range r.Findings {
			g := *f
			g.Properties = maps.Clone(f.Properties)
			for k, v := range g.Properties {
				var x any
				if (strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[")) && json.Unmarshal([]byte(v), &x) == nil {
					b, _ := json.Marshal(x)
					g.Properties[k] = string(b)
				}
			}
			out = append(out, g)
		}
	}
	return out
}

// TestSarifDoesNotLinkGoSARIF checks that go-sarif stays in this package:
// a program that uses package sarif alone does not link it.
func TestSarifDoesNotLinkGoSARIF(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/scanmux/scanmux/sarif").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, d := range strings.Fields(string(out)) {
		if strings.HasPrefix(d, "github.com/owenrumney/go-sarif") {
			t.Errorf("package sarif depends on %s", d)
		}
	}
}
